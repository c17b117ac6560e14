//! Bundles on disk: written atomically as a folder and a zip ([`write()`], [`pack`]), read back
//! safely from either ([`read`], [`read_only`]) and audited ([`audit`]) for `certbundle verify`.
//! What a bundle holds is [`crate::layout`]; how large it may be is [`crate::limits`].
//!
//! Writing goes to a hidden staging folder beside the target and is renamed into place, so a
//! failed build leaves no partial bundle; an existing bundle is replaced only with `--force`, and
//! never when it is not a bundle or holds installer reports. Reading a zip inspects every entry's
//! name, kind and size before a byte of content is read, and extracts nothing to disk. Never prints.

mod audit;
mod cert_files;
mod read;
mod write;
mod zipcheck;

use std::io;
use std::path::PathBuf;

pub use audit::ProblemCode;
pub(crate) use audit::{Audit, Problem, audit};
pub(crate) use cert_files::{CertFile, CertFilesError, others_in, write_cert_files};
pub use read::Form;
pub(crate) use read::{Tree, read, read_only, read_zip_bytes};
pub(crate) use write::{Target, make_folder, pack, write, write_file_atomically};

/// Why a bundle could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// The target exists and `--force` was not given.
    #[error("{}: already exists", path.display())]
    BundleExists {
        /// The existing folder or zip.
        path: PathBuf,
    },
    /// The target exists but is not a bundle: never replaced, even with `--force`.
    #[error("{}: exists and is not a certbundle bundle ({why}); refusing to replace it", path.display())]
    NotABundle {
        /// The existing path.
        path: PathBuf,
        /// What makes it not a bundle.
        why: String,
    },
    /// The bundle to replace holds installer reports that would be lost.
    #[error("{}: holds {count} installer report file(s) under reports/; refusing to replace it", path.display())]
    HoldsReports {
        /// The existing bundle.
        path: PathBuf,
        /// How many report files.
        count: usize,
    },
    /// A hidden staging folder of an earlier build of the same name is still there.
    #[error("{}: an earlier build of this bundle was interrupted (or is still running)", path.display())]
    Interrupted {
        /// The staging folder.
        path: PathBuf,
    },
    /// Replacing a bundle failed half-way and could not be undone (a file held by another
    /// program): what is left of both bundles is in the staging folder, kept.
    #[error("{}: replacing the bundle failed and could not be undone; nothing was deleted", path.display())]
    NotUndone {
        /// The staging folder.
        path: PathBuf,
    },
    /// Windows refused to move a file or folder, even after a few tries: another program has it
    /// open (an Explorer window showing the folder, an editor, a command prompt in it, a scan
    /// that lasts), or it may not be changed. Nothing was replaced.
    #[error("{}: cannot {action}: another program is using it, or it may not be changed ({source})", path.display())]
    InUse {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// A file system operation failed.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// Where.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
    /// The file given to `verify` is neither a folder nor a readable zip.
    #[error("{}: not a bundle folder or zip ({reason})", path.display())]
    Unrecognised {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl BundleError {
    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        match self {
            BundleError::BundleExists { .. } => {
                "add --force to replace it, or choose another --name or -o folder".into()
            }
            BundleError::NotABundle { .. } => "choose another --name or -o folder".into(),
            BundleError::HoldsReports { .. } => {
                "move the reports somewhere safe first (certbundle report reads them), or choose another --name".into()
            }
            BundleError::Interrupted { path } | BundleError::NotUndone { path } => format!(
                "its files are in {} (a bundle it was replacing is under {}); move what you need, then delete that folder",
                path.display(),
                path.join("replaced").display()
            ),
            BundleError::InUse { .. } => "nothing was replaced: close the Explorer windows, editors and command prompts that show it or a file in it, then run the command again (if it persists, check its permissions)".into(),
            BundleError::Io { .. } => "check the path, free space and permissions".into(),
            BundleError::Unrecognised { .. } => {
                "give the bundle folder (the one holding SHA256SUMS) or its .zip".into()
            }
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(io::Error) -> BundleError {
        let path = path.into();
        move |source| BundleError::Io {
            action,
            path,
            source,
        }
    }
}
