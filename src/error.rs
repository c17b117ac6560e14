//! The one error type a command can end with. Every variant carries what went wrong and where;
//! [`Error::hint`] gives the second line: what to do about it. A command that *ran* but found the
//! input unacceptable does not return an error: it returns findings (exit code 1).

use crate::{
    bundle::BundleError,
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
    /// Files given to `build --from-signed` are not readable signed binaries.
    #[error(transparent)]
    NotSigned(#[from] NotSigned),
    /// The command line or environment asks for something that cannot be done.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do instead.
        hint: String,
    },
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
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// What the user should do about this error.
    pub fn hint(&self) -> String {
        match self {
            Error::Load(e) => e.hint(),
            Error::Bundle(e) => e.hint(),
            Error::Render(e) => e.hint(),
            Error::Profile(e) => e.hint(),
            Error::NotSigned(e) => e.hint(),
            Error::Usage { hint, .. } => hint.clone(),
        }
    }
}
