//! `certbundle verify`: read a bundle (folder or zip) safely and audit it.

use std::path::PathBuf;

use serde::Serialize;

use super::VerifyRequest;
use crate::Error;
use crate::bundle::{self, Audit, Form};

/// What `verify` found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The folder or zip.
    pub(crate) bundle: PathBuf,
    /// Folder or zip.
    pub(crate) kind: Form,
    /// The audit.
    #[serde(flatten)]
    pub(crate) audit: Audit,
    /// True when nothing is wrong.
    ok: bool,
}

/// Runs verify.
pub(crate) fn run(req: &VerifyRequest) -> Result<VerifyReport, Error> {
    let tree = bundle::read(&req.bundle)?;
    let audit = bundle::audit(&tree);
    Ok(VerifyReport {
        bundle: req.bundle.clone(),
        kind: tree.form,
        ok: audit.ok(),
        audit,
    })
}
