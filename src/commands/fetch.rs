//! `certbundle fetch`: download a profile's certificates from their official URLs and keep only
//! those that match their pins.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use super::FetchRequest;
use crate::bundle::write_file_atomically;
use crate::fetch::Downloader;
use crate::load::{self, Content};
use crate::profile::resolve;
use crate::profile::{Need, Pin};
use crate::{Error, names};

/// What happened to one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FetchStatus {
    /// Downloaded, matched its pin, written.
    Fetched,
    /// A file matching the pin was already in the folder.
    AlreadyThere,
    /// Something was downloaded but it is not the pinned certificate: discarded.
    PinMismatch,
    /// The download has one of the pin's fingerprints but not the other: the profile is wrong.
    ProfileError,
    /// No URL gave a usable answer.
    Unreachable,
    /// The profile knows no download URL for it.
    NoUrl,
}

impl FetchStatus {
    /// The words printed.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            FetchStatus::Fetched => "fetched",
            FetchStatus::AlreadyThere => "already there",
            FetchStatus::PinMismatch => "PIN MISMATCH (discarded)",
            FetchStatus::ProfileError => "PROFILE ERROR (discarded)",
            FetchStatus::Unreachable => "unreachable",
            FetchStatus::NoUrl => "no official URL",
        }
    }
}

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
    /// The --profile value as given (for the next command to type).
    #[serde(skip)]
    pub(crate) profile_arg: String,
    /// The folder written to.
    pub(crate) folder: PathBuf,
    /// One entry per pinned certificate, in profile order.
    pub(crate) certificates: Vec<Fetched>,
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

/// The file name a pinned certificate gets (like bundle files, with the thumbprint).
fn file_name(pin: &Pin) -> String {
    let thumb = pin.thumbprint();
    format!(
        "{}_{}.cer",
        names::file_part(&pin.name),
        &thumb[..8.min(thumb.len())]
    )
}

/// Why a download was not kept.
enum Rejected {
    /// Certificates came back, none of them the pinned one: what was there instead.
    Mismatch(String),
    /// A certificate came back with one of the pin's fingerprints and not the other.
    Contradiction(String),
    /// No certificate at all (an error page, a captive portal, a network problem).
    Unusable(String),
}

/// The DER of the first certificate in `bytes` that matches `pin`.
fn matching_der(bytes: &[u8], pin: &Pin) -> Result<Vec<u8>, Rejected> {
    let Content::Certificates(found) = load::classify(bytes) else {
        return Err(Rejected::Unusable(
            "the answer is not a certificate (an error page or a captive portal?)".into(),
        ));
    };
    let mut seen = Vec::new();
    for (der, defect) in found {
        if defect.is_some() {
            continue;
        }
        let (sha256, sha1) = (crate::hex::sha256_upper(&der), crate::hex::sha1_upper(&der));
        if pin.matches(&sha256, &sha1) {
            return Ok(der);
        }
        if pin.half_matches(&sha256, &sha1) {
            return Err(Rejected::Contradiction(format!(
                "the download has one of the two fingerprints pinned for \"{}\" but not the other (SHA-256 {sha256}, SHA-1 {sha1}): the profile contradicts itself; fix the profile",
                pin.name
            )));
        }
        seen.push(sha256);
    }
    match seen.first() {
        Some(sha256) => Err(Rejected::Mismatch(format!(
            "served a certificate with SHA-256 {sha256}, not the pinned one"
        ))),
        None => Err(Rejected::Unusable(
            "the answer holds no readable certificate".into(),
        )),
    }
}

fn already_there(path: &Path, pin: &Pin) -> bool {
    std::fs::read(path).is_ok_and(|bytes| matching_der(&bytes, pin).is_ok())
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
    std::fs::create_dir_all(&req.output).map_err(|source| {
        crate::load::LoadErrors(vec![crate::load::LoadError::Unreadable {
            path: req.output.clone(),
            source,
        }])
    })?;
    let mut certificates = Vec::new();
    for pin in &profile.certificates {
        let path = req.output.join(file_name(pin));
        let mut entry = Fetched {
            name: pin.name.clone(),
            thumbprint: pin.thumbprint().to_string(),
            need: pin.need,
            status: FetchStatus::NoUrl,
            file: None,
            url: None,
            detail: None,
            shipped: resolved.ships(pin),
            mismatch: None,
        };
        if already_there(&path, pin) {
            entry.status = FetchStatus::AlreadyThere;
            entry.file = Some(path);
        } else {
            let mut notes = Vec::new();
            if path.exists() {
                // A file under this name that is not (or no longer) the pinned certificate
                // must not stay where build would read it.
                notes.push(match std::fs::remove_file(&path) {
                    Ok(()) => format!("removed {}: it did not match the pin", path.display()),
                    Err(e) => format!(
                        "{} does not match the pin and could not be removed ({e}): delete it by hand",
                        path.display()
                    ),
                });
            }
            let mut first_mismatch = None;
            let mut contradiction = None;
            let mut unusable = None;
            for url in &pin.urls {
                match downloader
                    .get(url)
                    .map_err(Rejected::Unusable)
                    .and_then(|bytes| matching_der(&bytes, pin))
                {
                    Ok(der) => {
                        write_file_atomically(&path, &der)?;
                        entry.status = FetchStatus::Fetched;
                        entry.file = Some(path.clone());
                        entry.url = Some(url.clone());
                        break;
                    }
                    Err(Rejected::Mismatch(what)) => {
                        first_mismatch.get_or_insert((url.clone(), format!("{url} {what}")));
                    }
                    Err(Rejected::Contradiction(why)) => {
                        contradiction.get_or_insert((url.clone(), why));
                    }
                    Err(Rejected::Unusable(why)) => {
                        unusable.get_or_insert((url.clone(), why));
                    }
                }
            }
            entry.mismatch = first_mismatch.as_ref().map(|(_, what)| what.clone());
            if entry.status != FetchStatus::Fetched {
                let failure = if let Some((url, why)) = contradiction {
                    Some((FetchStatus::ProfileError, url, why))
                } else if let Some((url, what)) = first_mismatch {
                    Some((FetchStatus::PinMismatch, url, what))
                } else {
                    unusable.map(|(url, why)| (FetchStatus::Unreachable, url, why))
                };
                if let Some((status, url, why)) = failure {
                    entry.status = status;
                    entry.url = Some(url);
                    notes.push(why);
                }
            }
            entry.detail = (!notes.is_empty()).then(|| notes.join("; "));
        }
        progress(&entry);
        certificates.push(entry);
    }
    Ok(FetchReport {
        profile: profile.name.clone(),
        profile_arg: req.profile_arg.clone(),
        folder: req.output.clone(),
        certificates,
    })
}
