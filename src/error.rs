//! The one error type a command can end with. Every variant carries what went wrong and where;
//! [`Error::hint`] gives the second line: what to do about it. A command that *ran* but found the
//! input unacceptable does not return an error: it returns findings (exit code 1).

use std::path::PathBuf;

use crate::{
    bundle::{BundleError, CertFilesError},
    fleet::FleetError,
    load::LoadErrors,
    profile::{ProfileError, ResolveError},
    render::RenderError,
    signed::items::NotSigned,
};

/// Why a command could not run (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more input files were refused while loading.
    #[error(transparent)]
    Load(#[from] LoadErrors),
    /// Writing or reading a bundle failed.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A template could not be rendered.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A profile file cannot be used.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// `report` cannot compare with the bundle it was given.
    #[error(transparent)]
    Fleet(#[from] FleetError),
    /// Files given to `build --from-signed` are not readable signed binaries.
    #[error(transparent)]
    NotSigned(#[from] NotSigned),
    /// A file is in the way of one `extract -o` writes (nothing was written).
    #[error("{}: already exists and is not the certificate with SHA-1 {sha1}", path.display())]
    Conflict {
        /// The file in the way.
        path: PathBuf,
        /// The certificate that needed its name.
        sha1: String,
    },
    /// A proxy variable is not a proxy URL, or the downloader cannot be set up with it.
    #[error("{0}")]
    Proxy(String),
    /// A path given as a bundle is not one.
    #[error("{}: not a certbundle bundle ({why})", path.display())]
    NotABundle {
        /// The path.
        path: PathBuf,
        /// What makes it not a bundle.
        why: String,
    },
    /// The command line or environment asks for something that cannot be done (anything else).
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do instead.
        hint: String,
    },
}

impl From<CertFilesError> for Error {
    fn from(e: CertFilesError) -> Self {
        match e {
            CertFilesError::Conflict { path, sha1 } => Error::Conflict { path, sha1 },
            CertFilesError::Io(e) => Error::Bundle(e),
        }
    }
}

impl From<ResolveError> for Error {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::Load(e) => Error::Load(e),
            ResolveError::Profile(e) => Error::Profile(e),
        }
    }
}

impl Error {
    /// A usage error with its hint.
    pub(crate) fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// What the user should do about this error.
    pub(crate) fn hint(&self) -> String {
        match self {
            Error::Load(e) => e.hint(),
            Error::Bundle(e) => e.hint(),
            Error::Render(e) => e.hint(),
            Error::Profile(e) => e.hint(),
            Error::Fleet(e) => e.hint(),
            Error::NotSigned(e) => e.hint(),
            Error::Conflict { .. } => {
                "move that file away, or give -o a new folder (nothing was written)".into()
            }
            Error::Proxy(_) => {
                "fix or unset that variable: a proxy is given as http://host:port".into()
            }
            Error::NotABundle { .. } => {
                "give the bundle folder or zip that `certbundle build` wrote \
(it holds manifest.json and SHA256SUMS)"
                    .into()
            }
            Error::Usage { hint, .. } => hint.clone(),
        }
    }
}
