//! `certbundle extract`: the CA certificates a signed product binary needs, read from its own
//! Authenticode signatures, marked against the profile, and written for `build` when asked.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{ExtractRequest, Resolved, resolve_profile};
use crate::signed::{self, Cert, Extracted};
use crate::{Error, names};

/// The outcome for one file.
#[derive(Debug, Clone, Serialize)]
pub struct FileOutcome {
    /// The file.
    pub file: PathBuf,
    /// What was found, when the file could be read.
    #[serde(flatten)]
    pub extracted: Option<Extracted>,
    /// Why nothing was found.
    pub error: Option<String>,
    /// What to do about it.
    pub hint: Option<String>,
}

/// One certificate written with `-o`.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenCert {
    /// The file written (or found identical).
    pub file: PathBuf,
    /// Certificate name.
    pub name: String,
    /// SHA-1 thumbprint.
    pub sha1: String,
    /// It was already there, identical.
    pub already_there: bool,
    /// The profile pin it matches, if any.
    pub pinned: Option<String>,
    /// Expired at the time of the run.
    pub expired: bool,
    /// Not a CA certificate (a signer's own, written with --include-leaf).
    pub leaf: bool,
    /// A look-alike of, or half matching, this profile pin: `build` refuses it.
    pub refused: Option<String>,
}

/// What `extract` found.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractReport {
    /// The profile the certificates were marked against (`none`).
    pub profile: String,
    /// The --profile value as given (for the next command).
    #[serde(skip)]
    pub profile_arg: String,
    /// One entry per file, in the order given.
    pub files: Vec<FileOutcome>,
    /// `-o DIR`.
    pub output: Option<PathBuf>,
    /// What was written there.
    pub written: Vec<WrittenCert>,
    /// Certificate files already in `-o DIR` that this run did not write (a `build` of the
    /// folder takes them too).
    pub others_in_output: Vec<PathBuf>,
    /// Required pins of the profile that neither ship with it nor were written: a build of the
    /// folder reports them missing.
    pub missing_required: Vec<String>,
    /// `--now` as given (for the next command).
    #[serde(skip)]
    pub now_arg: Option<String>,
}

impl ExtractReport {
    /// Every file was read.
    pub fn ok(&self) -> bool {
        self.files.iter().all(|f| f.error.is_none())
    }
}

/// Reads every file, marks pins, writes the CA certificates when asked.
pub fn run(req: &ExtractRequest) -> Result<ExtractReport, Error> {
    let missing: Vec<crate::load::LoadError> = req
        .files
        .iter()
        .filter_map(|path| {
            std::fs::metadata(path)
                .err()
                .map(|source| crate::load::LoadError::Unreadable {
                    path: path.clone(),
                    source,
                })
        })
        .collect();
    if !missing.is_empty() {
        return Err(crate::load::LoadErrors(missing).into());
    }
    let resolved = resolve_profile(&req.profile)?;
    // The folder first: a folder that cannot be made stops the run before anything is read.
    if let Some(dir) = &req.output {
        std::fs::create_dir_all(dir).map_err(crate::bundle::BundleError::io("create", dir))?;
    }
    let mut files = Vec::new();
    for path in &req.files {
        match signed::extract(path) {
            Ok(mut extracted) => {
                mark(&mut extracted, &resolved, req.now);
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
        others_in_output = others(dir, &written);
    }
    let missing_required = match (&resolved.profile, &req.output) {
        (Some(profile), Some(_)) => {
            let have: Vec<(String, String)> = resolved
                .shipped
                .iter()
                .map(|i| {
                    (
                        crate::hex::sha256_upper(&i.der),
                        crate::hex::sha1_upper(&i.der),
                    )
                })
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
    Ok(ExtractReport {
        profile: resolved
            .profile
            .as_ref()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "none".into()),
        profile_arg: req.profile_arg.clone(),
        files,
        output: req.output.clone(),
        written,
        others_in_output,
        missing_required,
        now_arg: req.now_arg.clone(),
    })
}

/// Certificate files in `dir` (by extension, not recursing) that are not in `written`.
fn others(dir: &Path, written: &[WrittenCert]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let extension = crate::load::extension(p);
            crate::load::CERTIFICATE_EXTENSIONS.contains(&extension.as_str())
        })
        .filter(|p| !written.iter().any(|w| &w.file == p))
        .collect();
    out.sort();
    out
}

/// Marks what the profile pins (by fingerprint) and, for an issuer the file lacks, what the
/// profile ships (same name and key identifier) or pins by that name.
fn mark(extracted: &mut Extracted, resolved: &Resolved, now: time::OffsetDateTime) {
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
    let shipped: Vec<Cert> = resolved
        .shipped
        .iter()
        .filter_map(|item| Cert::from_der(&item.der))
        .collect();
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

/// Writes each certificate once as DER, named like bundle files; an identical file already
/// there is left alone. Every name is settled before anything is written: a conflict writes
/// nothing.
fn write_all(dir: &Path, certs: &[&Cert]) -> Result<Vec<WrittenCert>, Error> {
    let mut planned: Vec<(PathBuf, &Cert, bool)> = Vec::new();
    for cert in certs {
        if planned.iter().any(|(_, c, _)| c.sha1 == cert.sha1) {
            continue;
        }
        let short = dir.join(format!(
            "{}_{}.cer",
            names::file_part(&cert.name),
            &cert.sha1[..8]
        ));
        let full = dir.join(format!(
            "{}_{}.cer",
            names::file_part(&cert.name),
            cert.sha1
        ));
        let is_cert = |path: &Path| std::fs::read(path).ok().map(|b| *b == *cert.der);
        // Another certificate under the short name (same name, same SHA-1 prefix, or another
        // file): the whole SHA-1.
        let (path, already_there) = match is_cert(&short) {
            None if !planned.iter().any(|(p, _, _)| *p == short) => (short, false),
            Some(true) => (short, true),
            _ => match is_cert(&full) {
                None => (full, false),
                Some(true) => (full, true),
                Some(false) => {
                    return Err(Error::usage(
                        format!(
                            "{}: already exists and is not the certificate with SHA-1 {}",
                            full.display(),
                            cert.sha1
                        ),
                        "move that file away, or give -o a new folder (nothing was written)",
                    ));
                }
            },
        };
        planned.push((path, cert, already_there));
    }
    let mut written = Vec::new();
    for (path, cert, already_there) in planned {
        if !already_there {
            crate::fetch::write_atomically(&path, &cert.der)
                .map_err(crate::bundle::BundleError::io("write", &path))?;
        }
        written.push(WrittenCert {
            file: path,
            name: cert.name.clone(),
            sha1: cert.sha1.clone(),
            already_there,
            pinned: cert.pinned.clone(),
            expired: cert.expired,
            leaf: !cert.ca,
            refused: cert.lookalike.clone().or(cert.half_pinned.clone()),
        });
    }
    Ok(written)
}
