//! `certbundle fetch`: download a profile's certificates from their official URLs and keep only
//! those that match their pins.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use super::{FetchRequest, NextStep};
use crate::Error;
pub(crate) use crate::fetch::FetchStatus;
use crate::fetch::{self, Downloader};
use crate::profile::Need;
use crate::profile::resolve;

/// The outcome for one pinned certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Fetched {
    /// Certificate name.
    pub(crate) name: String,
    /// SHA-1 thumbprint (or SHA-256 when only that is pinned).
    pub(crate) thumbprint: String,
    /// `required` or `recommended`.
    need: Need,
    /// What happened.
    pub(crate) status: FetchStatus,
    /// The file written or found, when there is one.
    file: Option<PathBuf>,
    /// The URL it came from, or the last one tried.
    url: Option<String>,
    /// Why it failed, and anything done to the folder on the way (a stale file removed).
    pub(crate) detail: Option<String>,
    /// Its bytes ship with certbundle (a root): `build` has it without downloading.
    pub(crate) shipped: bool,
    /// A URL that served another certificate, and what it served (kept even when another URL
    /// then gave the right one: someone may be tampering with that download).
    pub(crate) mismatch: Option<String>,
}

/// What `fetch` did.
#[derive(Debug, Clone, Serialize)]
pub struct FetchReport {
    /// Profile name.
    pub(crate) profile: String,
    /// The folder written to.
    pub(crate) folder: PathBuf,
    /// One entry per pinned certificate, in profile order.
    pub(crate) certificates: Vec<Fetched>,
    /// The build to run over the folder; `None` when nothing is there to build from, or when a
    /// download did not match its pin (the network is in question: no step to copy blindly).
    pub(crate) next: Option<NextStep>,
}

impl FetchReport {
    /// Acceptable when nothing mismatched its pin and every required certificate was obtained
    /// (or ships with certbundle).
    pub(crate) fn ok(&self) -> bool {
        self.certificates.iter().all(|c| {
            !matches!(
                c.status,
                FetchStatus::PinMismatch | FetchStatus::ProfileError
            ) && c.mismatch.is_none()
                && (c.need != Need::Required
                    || c.shipped
                    || matches!(c.status, FetchStatus::Fetched | FetchStatus::AlreadyThere))
        })
    }
}

/// Runs fetch; `progress` sees each certificate as soon as it is done.
pub(crate) fn run(
    req: &FetchRequest,
    progress: &mut dyn FnMut(&Fetched),
) -> Result<FetchReport, Error> {
    let resolved = resolve(&req.profile)?;
    let Some(profile) = &resolved.profile else {
        return Err(Error::usage(
            "profile \"none\" pins nothing, so there is nothing to fetch",
            "name a profile: --profile apex-one, apex-central or a profile file",
        ));
    };
    let downloader =
        Downloader::new(Duration::from_secs(req.timeout_seconds)).map_err(Error::Proxy)?;
    crate::bundle::make_folder(&req.output)?;
    let mut certificates = Vec::new();
    for pin in &profile.certificates {
        let path = req.output.join(fetch::file_name(pin));
        let obtained = fetch::obtain(&downloader, pin, &path)?;
        let entry = Fetched {
            name: pin.name.clone(),
            thumbprint: pin.thumbprint().to_string(),
            need: pin.need,
            status: obtained.status,
            file: obtained.file,
            url: obtained.url,
            detail: obtained.detail,
            shipped: resolved.ships(pin),
            mismatch: obtained.mismatch,
        };
        progress(&entry);
        certificates.push(entry);
    }
    let mut report = FetchReport {
        profile: profile.name.clone(),
        folder: req.output.clone(),
        certificates,
        next: None,
    };
    report.next = next_step(req, &report);
    Ok(report)
}

/// `build` of the folder (with the profile when it is not the default), unless nothing usable
/// is there or a download did not match its pin.
fn next_step(req: &FetchRequest, r: &FetchReport) -> Option<NextStep> {
    let suspicious = r
        .certificates
        .iter()
        .any(|c| c.mismatch.is_some() || c.status == FetchStatus::ProfileError);
    let usable = r
        .certificates
        .iter()
        .any(|c| matches!(c.status, FetchStatus::Fetched | FetchStatus::AlreadyThere));
    if suspicious || !usable {
        return None;
    }
    let mut args = vec!["build".to_string()];
    if req.profile_arg != crate::profile::DEFAULT_PROFILE {
        args.extend(["--profile".into(), req.profile_arg.clone()]);
    }
    args.push(r.folder.display().to_string());
    Some(NextStep::Build {
        args,
        notes: vec!["the shipped roots come by themselves".into()],
    })
}
