//! `certbundle build`: load -> verify -> plan -> render -> write.

use std::path::PathBuf;

use serde::Serialize;

use super::BuildRequest;
use crate::load::{self, Skipped};
use crate::plan::{self, Plan, Refused};
use crate::verify::{self, Checked, Severity};
use crate::{Error, bundle, render};

/// What `build` did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// How many files were read.
    pub files_read: usize,
    /// How many certificates came with the profile itself (its shipped roots).
    pub shipped: usize,
    /// The profile's own name (`none` without one).
    pub profile: String,
    /// Where it came from: `built-in`, `file <name>` or `none`.
    pub profile_source: String,
    /// Files in walked folders that were not used.
    pub skipped: Vec<Skipped>,
    /// The verified certificates and their findings.
    #[serde(flatten)]
    pub checked: Checked,
    /// The bundle written, or why none was.
    pub outcome: BuildOutcome,
}

/// A build's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub enum BuildOutcome {
    /// The bundle was written.
    Written(WrittenBundle),
    /// Nothing was written.
    Refused {
        /// Why.
        reason: String,
    },
}

/// Where the bundle went and how to recognise it.
#[derive(Debug, Clone, Serialize)]
pub struct WrittenBundle {
    /// Bundle name.
    pub name: String,
    /// The folder.
    pub folder: PathBuf,
    /// The zip, if written.
    pub zip: Option<PathBuf>,
    /// SHA-256 of the zip file, lower-case hex.
    pub zip_sha256: Option<String>,
    /// The bundle digest: SHA-256 of SHA256SUMS, lower-case hex.
    pub digest: String,
    /// How many files the bundle folder holds (SHA256SUMS included).
    pub files: usize,
    /// Earlier bundle files replaced with --force.
    pub replaced: Vec<PathBuf>,
    /// A staging folder that could not be removed (delete it by hand).
    pub leftover: Option<PathBuf>,
}

impl BuildReport {
    /// True when a bundle was written.
    pub fn ok(&self) -> bool {
        matches!(self.outcome, BuildOutcome::Written(_))
    }
}

/// Runs a build.
pub fn run(req: &BuildRequest) -> Result<BuildReport, Error> {
    let resolved = super::resolve_profile(&req.profile)?;
    let mut loaded = load::from_paths(&req.inputs)?;
    let (mut from_signed, mut notes) = from_signed(&req.from_signed)?;
    loaded.files_read += req.from_signed.len();
    loaded.skipped.append(&mut notes);
    if loaded.items.is_empty() && !req.inputs.is_empty() && req.from_signed.is_empty() {
        return Err(Error::usage(
            "no certificate found in the input",
            "give certificate files (.cer .crt .pem .der .p7b .p7c) or folders holding them",
        ));
    }
    // The profile's shipped roots first; INPUT adds to them.
    let shipped = resolved.shipped.len();
    let mut items = resolved.shipped;
    items.append(&mut loaded.items);
    items.append(&mut from_signed);
    if items.is_empty() {
        return Err(Error::usage(
            "no certificate to bundle: no INPUT, and the profile ships none",
            "name certificate files or folders (certbundle fetch downloads a profile's certificates)",
        ));
    }
    let mut spec = req.spec.clone();
    if let Some(profile) = &resolved.profile {
        // The profile's own name: a file cannot pass for a built-in profile by its file name,
        // nor a bundle be named after a built-in profile it was not built from.
        spec.profile = profile.name.clone();
        if !req.name_given {
            spec.name = format!(
                "{}-certs-{}",
                crate::names::file_part(&profile.name),
                spec.created
                    .format(time::macros::format_description!("[year][month][day]"))
                    .expect("a fixed format always formats")
            );
        }
    }
    let policy = verify::Policy {
        profile: resolved.profile,
        ..req.policy.clone()
    };
    let checked = verify::check(&items, &policy);
    let overrides = match &req.templates {
        Some(dir) => load::templates(dir)?,
        None => Default::default(),
    };
    spec.custom_templates = overrides.keys().cloned().collect();
    let templates = render::Templates::with_overrides(overrides)?;
    let (profile, profile_source) = (spec.profile.clone(), spec.profile_source.clone());
    let outcome = match plan::bundle(&checked, spec) {
        Err(refused) => BuildOutcome::Refused {
            reason: refusal(&refused, &checked),
        },
        Ok(plan) => BuildOutcome::Written(write(&plan, &templates, req)?),
    };
    Ok(BuildReport {
        files_read: loaded.files_read,
        shipped,
        profile,
        profile_source,
        skipped: loaded.skipped,
        checked,
        outcome,
    })
}

/// CA certificates taken from one `--from-signed` file.
const MAX_FROM_SIGNED: usize = 64;

/// The CA certificates embedded in signed binaries, as input items (`file.exe#2`), and a note
/// for each file that gave none or could only partly be read. Any file that is not a readable
/// signed PE stops the build, all of them named at once.
fn from_signed(
    files: &[std::path::PathBuf],
) -> Result<(Vec<load::Item>, Vec<load::Skipped>), Error> {
    let mut items = Vec::new();
    let mut notes = Vec::new();
    let mut errors = Vec::new();
    let mut misplaced_input = false;
    for file in files {
        match crate::signed::extract(file) {
            Ok(extracted) => {
                let mut cas: Vec<_> = extracted.certificates.iter().filter(|c| c.ca).collect();
                if cas.len() > MAX_FROM_SIGNED {
                    notes.push(load::Skipped {
                        path: file.clone(),
                        reason: format!(
                            "carries {} CA certificates: only the first {MAX_FROM_SIGNED} are taken \
(signed product files carry a handful)",
                            cas.len()
                        ),
                    });
                    cas.truncate(MAX_FROM_SIGNED);
                }
                let count = cas.len();
                if count == 0 {
                    notes.push(load::Skipped {
                        path: file.clone(),
                        reason: "signed, but carries no CA certificate: nothing taken from it \
(certbundle extract shows its signatures)"
                            .into(),
                    });
                }
                let problems = extracted.problems.iter().chain(
                    extracted
                        .signatures
                        .iter()
                        .flat_map(|s| s.all())
                        .flat_map(|s| &s.problems),
                );
                for problem in problems {
                    notes.push(load::Skipped {
                        path: file.clone(),
                        reason: format!(
                            "part of its signatures could not be read ({problem}); the \
certificates that could be read are used"
                        ),
                    });
                }
                for (i, cert) in cas.into_iter().enumerate() {
                    items.push(load::Item {
                        origin: load::Origin {
                            path: file.clone(),
                            position: (count > 1).then_some((i + 1, count)),
                        },
                        der: cert.der.to_vec(),
                        defect: None,
                    });
                }
            }
            Err(why) => {
                misplaced_input |= file.is_dir()
                    || load::CERTIFICATE_EXTENSIONS.contains(&load::extension(file).as_str());
                errors.push(format!("{}: {why}", file.display()));
            }
        }
    }
    if errors.is_empty() {
        Ok((items, notes))
    } else {
        let hint = if misplaced_input {
            "--from-signed takes every argument after it: put certificate files and folders \
(INPUT) before --from-signed"
        } else {
            "--from-signed takes signed Windows binaries (EXE, DLL, SYS); `certbundle extract FILE` \
shows what a file holds"
        };
        Err(Error::usage(errors.join("\n"), hint))
    }
}

/// Renders the plan, packs the zip in memory, then writes both.
fn write(
    plan: &Plan,
    templates: &render::Templates,
    req: &BuildRequest,
) -> Result<WrittenBundle, Error> {
    let rendered = render::all(plan, templates)?;
    let zip = req.zip.then(|| bundle::pack(&rendered, req.target.mtime));
    let written = bundle::write(&rendered, zip.as_deref(), &req.target)?;
    Ok(WrittenBundle {
        name: rendered.name,
        folder: written.folder,
        zip: written.zip,
        zip_sha256: zip.as_deref().map(crate::hex::sha256_lower),
        digest: rendered.digest,
        files: rendered.files.len(),
        replaced: written.replaced,
        leftover: written.leftover,
    })
}

fn refusal(refused: &Refused, checked: &Checked) -> String {
    match refused {
        Refused::Errors(n) => format!(
            "{n} error finding(s) in {} input(s): no bundle written; fix or remove the inputs named above",
            checked
                .findings()
                .filter(|f| f.severity == Severity::Error)
                .map(|f| f.file.as_str())
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        ),
        Refused::Empty => "no certificates to bundle".into(),
        Refused::TooManyCertificates { .. } => format!(
            "{refused}: no bundle written; a site needs a few dozen, so check the inputs, or split them into several bundles (docs/limits.md)"
        ),
    }
}
