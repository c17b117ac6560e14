//! `build --from-signed`: the CA certificates embedded in signed binaries as input items
//! (`file.exe#2`), with a note for each file that gave none or could only partly be read. The
//! signers' own certificates never become items. Reads only the files named; never prints.

use std::path::{Path, PathBuf};

use super::Extracted;
use crate::load::{self, Item, Origin, Skipped};

/// CA certificates taken from one `--from-signed` file (signed product files carry a handful).
const MAX_FROM_SIGNED: usize = 64;

/// What the signed files gave.
#[derive(Debug, Default)]
pub(crate) struct FromSigned {
    /// Their CA certificates, as input items.
    pub(crate) items: Vec<Item>,
    /// What was not taken, or only partly read, and why (shown with the skipped files).
    pub(crate) notes: Vec<Skipped>,
}

/// Files given to `--from-signed` that are not readable signed PE files, all of them at once.
#[derive(Debug, thiserror::Error)]
#[error("{}", .errors.join("\n"))]
pub struct NotSigned {
    /// One line per file: the file and why it cannot be read.
    errors: Vec<String>,
    /// One of them looks like certificate input (INPUT placed after `--from-signed`).
    misplaced_input: bool,
}

impl NotSigned {
    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        if self.misplaced_input {
            "--from-signed takes every argument after it: put certificate files and folders \
(INPUT) before --from-signed"
                .into()
        } else {
            "--from-signed takes signed Windows binaries (EXE, DLL, SYS); `certbundle extract FILE` \
shows what a file holds"
                .into()
        }
    }
}

/// The CA certificates embedded in `files`. Any file that is not a readable signed PE stops the
/// build, all of them named at once.
pub(crate) fn from_files(files: &[PathBuf]) -> Result<FromSigned, NotSigned> {
    let mut taken = FromSigned::default();
    let mut errors = Vec::new();
    let mut misplaced_input = false;
    for file in files {
        match super::extract(file) {
            Ok(extracted) => take(file, &extracted, &mut taken),
            Err(why) => {
                misplaced_input |= file.is_dir()
                    || load::CERTIFICATE_EXTENSIONS.contains(&load::extension(file).as_str());
                errors.push(format!("{}: {why}", file.display()));
            }
        }
    }
    if errors.is_empty() {
        Ok(taken)
    } else {
        Err(NotSigned {
            errors,
            misplaced_input,
        })
    }
}

/// Adds the CA certificates of one file, and its notes, to `taken`.
fn take(file: &Path, extracted: &Extracted, taken: &mut FromSigned) {
    let note = |reason: String| Skipped {
        path: file.to_path_buf(),
        reason,
    };
    let mut cas: Vec<_> = extracted.certificates.iter().filter(|c| c.ca).collect();
    if cas.len() > MAX_FROM_SIGNED {
        taken.notes.push(note(format!(
            "carries {} CA certificates: only the first {MAX_FROM_SIGNED} are taken \
(signed product files carry a handful)",
            cas.len()
        )));
        cas.truncate(MAX_FROM_SIGNED);
    }
    let count = cas.len();
    if count == 0 {
        taken.notes.push(note(
            "signed, but carries no CA certificate: nothing taken from it \
(certbundle extract shows its signatures)"
                .into(),
        ));
    }
    let problems = extracted.problems.iter().chain(
        extracted
            .signatures
            .iter()
            .flat_map(|s| s.all())
            .flat_map(|s| &s.problems),
    );
    for problem in problems {
        taken.notes.push(note(format!(
            "part of its signatures could not be read ({problem}); the \
certificates that could be read are used"
        )));
    }
    for (i, cert) in cas.into_iter().enumerate() {
        taken.items.push(Item {
            origin: Origin {
                path: file.to_path_buf(),
                position: (count > 1).then_some((i + 1, count)),
            },
            der: cert.der.to_vec(),
            defect: None,
        });
    }
}
