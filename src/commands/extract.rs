//! `certbundle extract`: the CA certificates a signed product binary needs, read from its own
//! Authenticode signatures, marked against the profile, and written for `build` when asked.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{ExtractRequest, NextStep};
use crate::profile::{Resolved, resolve};
use crate::signed::{self, Cert, Extracted};
use crate::{Error, bundle};

/// The outcome for one file.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct FileOutcome {
    /// The file.
    pub(crate) file: PathBuf,
    /// What was found, when the file could be read.
    #[serde(flatten)]
    pub(crate) extracted: Option<Extracted>,
    /// Why nothing was found.
    pub(crate) error: Option<String>,
    /// What to do about it.
    pub(crate) hint: Option<String>,
}

/// One certificate written with `-o`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct WrittenCert {
    /// The file written (or found identical).
    pub(crate) file: PathBuf,
    /// Certificate name.
    name: String,
    /// SHA-1 thumbprint.
    sha1: String,
    /// It was already there, identical.
    pub(crate) already_there: bool,
    /// The profile pin it matches, if any.
    pinned: Option<String>,
    /// Expired at the time of the run.
    expired: bool,
    /// Not a CA certificate (a signer's own, written with --include-leaf).
    pub(crate) leaf: bool,
    /// A look-alike of, or half matching, this profile pin: `build` refuses it.
    refused: Option<String>,
}

/// What `extract` found.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractReport {
    /// The profile the certificates were marked against (`none`).
    pub(crate) profile: String,
    /// One entry per file, in the order given.
    pub(crate) files: Vec<FileOutcome>,
    /// `-o DIR`.
    pub(crate) output: Option<PathBuf>,
    /// What was written there.
    pub(crate) written: Vec<WrittenCert>,
    /// Certificate files already in `-o DIR` that this run did not write (a `build` of the
    /// folder takes them too).
    pub(crate) others_in_output: Vec<PathBuf>,
    /// Required pins of the profile that neither ship with it nor were written: a build of the
    /// folder reports them missing.
    missing_required: Vec<String>,
    /// What to do with what was written (`None` when nothing was).
    pub(crate) next: Option<NextStep>,
}

impl ExtractReport {
    /// Every file was read.
    pub(crate) fn ok(&self) -> bool {
        self.files.iter().all(|f| f.error.is_none())
    }
}

/// Reads every file, marks pins, writes the CA certificates when asked.
pub(crate) fn run(req: &ExtractRequest) -> Result<ExtractReport, Error> {
    crate::load::require_present(&req.files)?;
    let resolved = resolve(&req.profile)?;
    // The profile's shipped roots, read once: an issuer a file lacks may be one of them.
    let shipped: Vec<Cert> = resolved
        .shipped
        .iter()
        .filter_map(|item| Cert::from_der(&item.der))
        .collect();
    // The folder first: a folder that cannot be made stops the run before anything is read.
    if let Some(dir) = &req.output {
        bundle::make_folder(dir)?;
    }
    let mut files = Vec::new();
    for path in &req.files {
        match signed::extract(path) {
            Ok(mut extracted) => {
                mark(&mut extracted, &resolved, &shipped, req.now);
                files.push(FileOutcome {
                    file: path.clone(),
                    extracted: Some(extracted),
                    error: None,
                    hint: None,
                });
            }
            Err(error) => files.push(FileOutcome {
                file: path.clone(),
                extracted: None,
                error: Some(error.message),
                hint: Some(error.hint),
            }),
        }
    }
    let mut written = Vec::new();
    let mut others_in_output = Vec::new();
    if let Some(dir) = &req.output {
        let certs: Vec<&Cert> = files
            .iter()
            .filter_map(|f| f.extracted.as_ref())
            .flat_map(|e| &e.certificates)
            .filter(|c| c.ca || req.include_leaf)
            .collect();
        written = write_all(dir, &certs)?;
        let paths: Vec<PathBuf> = written.iter().map(|w| w.file.clone()).collect();
        others_in_output = bundle::others_in(dir, &paths);
    }
    let missing_required = match (&resolved.profile, &req.output) {
        (Some(profile), Some(_)) => {
            let have: Vec<(String, String)> = shipped
                .iter()
                .map(|c| (c.sha256.clone(), c.sha1.clone()))
                .chain(
                    files
                        .iter()
                        .filter_map(|f| f.extracted.as_ref())
                        .flat_map(|e| &e.certificates)
                        .filter(|c| written.iter().any(|w| w.sha1 == c.sha1))
                        .map(|c| (c.sha256.clone(), c.sha1.clone())),
                )
                .collect();
            profile
                .certificates
                .iter()
                .filter(|pin| pin.need == crate::profile::Need::Required)
                .filter(|pin| !have.iter().any(|(sha256, sha1)| pin.matches(sha256, sha1)))
                .map(|pin| pin.name.clone())
                .collect()
        }
        _ => Vec::new(),
    };
    let mut report = ExtractReport {
        profile: resolved.name().to_string(),
        files,
        output: req.output.clone(),
        written,
        others_in_output,
        missing_required,
        next: None,
    };
    report.next = next_step(req, &report);
    Ok(report)
}

/// Marks what the profile pins (by fingerprint) and, for an issuer the file lacks, what the
/// profile ships (same name and key identifier) or pins by that name.
fn mark(
    extracted: &mut Extracted,
    resolved: &Resolved,
    shipped: &[Cert],
    now: time::OffsetDateTime,
) {
    for c in &mut extracted.certificates {
        c.expired = c.not_after < now;
    }
    for signature in &mut extracted.signatures {
        signature.visit_mut(&mut |s| {
            for c in &mut s.chain {
                c.expired = c.not_after < now;
            }
        });
    }
    let Some(profile) = &resolved.profile else {
        return;
    };
    let mark_pin = |c: &mut Cert| {
        c.pinned = profile.pin_for(&c.sha256, &c.sha1).map(|p| p.name.clone());
        c.half_pinned = profile
            .half_pin_for(&c.sha256, &c.sha1)
            .map(|p| p.name.clone());
        // The rule `build` applies: a certificate named like a pin it is not is a look-alike.
        c.lookalike = match (&c.pinned, &c.half_pinned) {
            (None, None) => profile
                .pins_named(&c.name)
                .first()
                .map(|pin| format!("{} (SHA-1 {})", pin.name, pin.thumbprint())),
            _ => None,
        };
    };
    for c in &mut extracted.certificates {
        mark_pin(c);
    }
    for signature in &mut extracted.signatures {
        signature.visit_mut(&mut |s| {
            for c in &mut s.chain {
                mark_pin(c);
            }
            if let Some(missing) = &mut s.missing_issuer {
                missing.shipped = shipped
                    .iter()
                    .find(|c| missing.is(c))
                    .map(|c| format!("{} (SHA-1 {})", c.name, c.sha1));
                missing.pinned_as = profile
                    .pins_named(&missing.name)
                    .first()
                    .map(|pin| match pin.urls.first() {
                        Some(url) => {
                            format!("{} (SHA-1 {}), download: {url}", pin.name, pin.thumbprint())
                        }
                        None => format!(
                            "{} (SHA-1 {}), no official download URL known",
                            pin.name,
                            pin.thumbprint()
                        ),
                    });
            }
        });
    }
}

/// Writes the certificates into `dir` (`bundle::write_cert_files`), and says what each is.
fn write_all(dir: &Path, certs: &[&Cert]) -> Result<Vec<WrittenCert>, Error> {
    let files: Vec<bundle::CertFile> = certs
        .iter()
        .map(|c| bundle::CertFile {
            name: &c.name,
            sha1: &c.sha1,
            der: &c.der,
        })
        .collect();
    let placed = bundle::write_cert_files(dir, &files)?;
    Ok(placed
        .into_iter()
        .map(|p| {
            let cert = certs[p.index];
            WrittenCert {
                file: p.path,
                name: cert.name.clone(),
                sha1: cert.sha1.clone(),
                already_there: p.already_there,
                pinned: cert.pinned.clone(),
                expired: cert.expired,
                leaf: !cert.ca,
                refused: cert.lookalike.clone().or(cert.half_pinned.clone()),
            }
        })
        .collect())
}

/// The `build` to run over what `extract -o DIR` wrote, with the flags it will need and why;
/// `None` when nothing was written.
fn next_step(req: &ExtractRequest, r: &ExtractReport) -> Option<NextStep> {
    let dir = r.output.as_ref().filter(|_| !r.written.is_empty())?;
    let refused = r.written.iter().filter(|w| w.refused.is_some()).count();
    if refused > 0 {
        return Some(NextStep::NoBuildYet { refused });
    }
    let mut args = vec!["build".to_string()];
    let mut notes = Vec::new();
    if req.profile_arg != crate::profile::DEFAULT_PROFILE {
        args.extend(["--profile".into(), req.profile_arg.clone()]);
    }
    if let Some(now) = &req.now_arg {
        args.extend(["--now".into(), now.clone()]);
    }
    let unpinned = r
        .written
        .iter()
        .filter(|w| w.pinned.is_none() && !w.leaf)
        .count();
    if unpinned > 0 && r.profile != "none" {
        args.push("--allow-unpinned".into());
        notes.push(format!(
            "{unpinned} of them are not in profile {}: check they are the ones the product needs; \
the bundle's README.txt will list them",
            r.profile
        ));
    }
    let expired = r.written.iter().filter(|w| w.expired && !w.leaf).count();
    if expired > 0 {
        args.push("--allow-expired".into());
        notes.push(format!(
            "{expired} expired: they still validate signatures time-stamped while they were valid"
        ));
    }
    if !r.missing_required.is_empty() {
        notes.push(format!(
            "profile {} also requires {}, neither shipped nor written: certbundle fetch it into the \
folder first, or add --allow-missing",
            r.profile,
            r.missing_required
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let leaves = r.written.iter().filter(|w| w.leaf).count();
    if leaves > 0 {
        notes.push(format!(
            "first remove the {leaves} signer certificate(s) --include-leaf wrote: build refuses them"
        ));
    }
    args.push(dir.display().to_string());
    Some(NextStep::Build { args, notes })
}
