//! The bundle reports are compared with (`report --bundle`, or the one bundle among the paths):
//! its name and build time from `manifest.json`, its digest from `SHA256SUMS`. Read through
//! [`crate::bundle::read_only`], with every check `verify` makes on a zip, and only those two
//! files read, however many reports the bundle holds.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::bundle::{self, BundleError};
use crate::layout::{MANIFEST, SUMS};
use crate::manifest;

/// The bundle the reports are compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The folder or zip given.
    pub(crate) path: String,
    /// Its name (manifest.json).
    pub(crate) name: String,
    /// When it was built (manifest.json).
    pub(crate) created: String,
    /// SHA-256 of its SHA256SUMS, lower-case hex.
    pub(crate) digest: String,
}

/// Why a path cannot be the reference bundle.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// The path is not a bundle `certbundle build` wrote, or one that cannot be read safely.
    #[error("{}: not a certbundle bundle ({why})", path.display())]
    NotABundle {
        /// The folder or zip given.
        path: PathBuf,
        /// What makes it not one.
        why: String,
    },
    /// The bundle could not be read at all.
    #[error(transparent)]
    Unreadable(#[from] BundleError),
    /// The `--expect` host list cannot be read as one.
    #[error("{at}: {why}")]
    BadHostList {
        /// `FILE`, or `FILE:LINE` when one line is at fault.
        at: String,
        /// What is wrong.
        why: String,
        /// What to do about it.
        fix: &'static str,
    },
}

impl FleetError {
    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        match self {
            FleetError::NotABundle { .. } => "give the bundle folder or zip that `certbundle build` wrote (it holds manifest.json and SHA256SUMS)".into(),
            FleetError::Unreadable(e) => e.hint(),
            FleetError::BadHostList { fix, .. } => (*fix).into(),
        }
    }
}

/// The bundle at `path` (folder or zip) as a reference.
pub(crate) fn read(path: &Path) -> Result<Reference, FleetError> {
    let not_bundle = |why: String| FleetError::NotABundle {
        path: path.into(),
        why,
    };
    let tree = match bundle::read_only(path, &[SUMS, MANIFEST]) {
        Ok(tree) => tree,
        Err(BundleError::Unrecognised { reason, .. }) => return Err(not_bundle(reason)),
        Err(e) => return Err(e.into()),
    };
    if let Some(refused) = tree.refused.first() {
        let at = if refused.path.is_empty() {
            String::new()
        } else {
            format!("{}: ", crate::names::printable(&refused.path))
        };
        return Err(not_bundle(format!("{at}{}", refused.message)));
    }
    let sums = tree
        .files
        .get(SUMS)
        .ok_or_else(|| not_bundle("no SHA256SUMS".into()))?;
    let header = tree
        .files
        .get(MANIFEST)
        .and_then(|m| manifest::header(m))
        .ok_or_else(|| not_bundle("no readable manifest.json".into()))?;
    let field = |value: Option<String>, key: &str| {
        value.ok_or_else(|| not_bundle(format!("manifest.json has no \"{key}\"")))
    };
    Ok(Reference {
        path: path.display().to_string(),
        name: field(header.bundle, "bundle")?,
        created: field(header.created, "created")?,
        digest: crate::hex::sha256_lower(sums),
    })
}
