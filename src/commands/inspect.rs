//! `certbundle inspect`: load -> verify, and report every certificate.

use serde::Serialize;

use super::InspectRequest;
use crate::Error;
use crate::load::{self, Skipped};
use crate::verify::{self, Checked, Severity};

/// What `inspect` found.
#[derive(Debug, Clone, Serialize)]
pub struct InspectReport {
    /// How many files were read.
    pub(crate) files_read: usize,
    /// Files in walked folders that were not used.
    pub(crate) skipped: Vec<Skipped>,
    /// Certificates and findings.
    #[serde(flatten)]
    pub(crate) checked: Checked,
}

impl InspectReport {
    /// True when no finding is an error (the set could be bundled).
    pub(crate) fn ok(&self) -> bool {
        self.checked.count(Severity::Error) == 0
    }
}

/// Runs inspect.
pub(crate) fn run(req: &InspectRequest) -> Result<InspectReport, Error> {
    let loaded = load::from_paths(&req.inputs)?;
    if loaded.items.is_empty() {
        return Err(Error::usage(
            "no certificate found in the input",
            "give certificate files (.cer .crt .pem .der .p7b .p7c) or folders holding them",
        ));
    }
    // With a profile, inspect marks what is pinned; what the files do not hold is build's concern.
    let policy = verify::Policy {
        profile: crate::profile::resolve(&req.profile)?.profile,
        ..req.policy.clone()
    };
    let mut checked = verify::check(&loaded.items, &policy);
    checked.missing.clear();
    checked.missing_pins.clear();
    Ok(InspectReport {
        files_read: loaded.files_read,
        skipped: loaded.skipped,
        checked,
    })
}
