//! Which profile a command uses, read and checked: its pins and the certificates it ships (the
//! built-in roots, or the files a profile file names beside itself). Reads files through `load`;
//! never prints.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{Pin, Profile, ProfileError};
use crate::load::{self, LoadErrors};

/// Which profile a command asked for (`--profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileChoice {
    /// `--profile none`: no pinning.
    None,
    /// A profile built into the binary.
    BuiltIn(String),
    /// A user's profile file.
    File(PathBuf),
}

/// Where a profile came from, as the build report and the manifest say it: `none`, `built-in` or
/// `file <file name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProfileSource {
    /// No profile (`--profile none`).
    None,
    /// Built into certbundle.
    BuiltIn,
    /// A profile file, by its file name (without the folder).
    File(String),
}

impl ProfileChoice {
    /// Where this profile comes from.
    fn source(&self) -> ProfileSource {
        match self {
            ProfileChoice::None => ProfileSource::None,
            ProfileChoice::BuiltIn(_) => ProfileSource::BuiltIn,
            ProfileChoice::File(path) => ProfileSource::File(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            ),
        }
    }
}

impl fmt::Display for ProfileSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileSource::None => f.write_str("none"),
            ProfileSource::BuiltIn => f.write_str("built-in"),
            ProfileSource::File(name) => write!(f, "file {name}"),
        }
    }
}

impl Serialize for ProfileSource {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// A profile resolved: its pins, and the certificates it ships.
pub(crate) struct Resolved {
    /// The profile (`None` for `--profile none`).
    pub(crate) profile: Option<Profile>,
    /// Its shipped certificates.
    pub(crate) shipped: Vec<load::Item>,
    /// Where it came from.
    pub(crate) source: ProfileSource,
}

impl Resolved {
    /// Whether the bytes of `pin` ship with certbundle (one of the shipped certificates matches).
    pub(crate) fn ships(&self, pin: &Pin) -> bool {
        self.shipped.iter().any(|item| {
            pin.matches(
                &crate::hex::sha256_upper(&item.der),
                &crate::hex::sha1_upper(&item.der),
            )
        })
    }

    /// The profile's own name, `none` without one.
    pub(crate) fn name(&self) -> &str {
        self.profile.as_ref().map_or("none", |p| p.name.as_str())
    }
}

/// Why a profile cannot be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    /// The profile file, or a certificate it names, cannot be read.
    #[error(transparent)]
    Load(#[from] LoadErrors),
    /// The profile file is not a valid profile.
    #[error(transparent)]
    Profile(#[from] ProfileError),
}

/// Reads and checks the profile a command asked for.
pub(crate) fn resolve(choice: &ProfileChoice) -> Result<Resolved, ResolveError> {
    let source = choice.source();
    match choice {
        ProfileChoice::None => Ok(Resolved {
            profile: None,
            shipped: Vec::new(),
            source,
        }),
        ProfileChoice::BuiltIn(name) => {
            let profile = Profile::built_in(name).expect("built-in names come from the list");
            let mut shipped = Vec::new();
            for (file, bytes) in profile.shipped() {
                let origin = format!("certbundle:{name}/{file}");
                shipped.extend(load::from_bytes(&origin, bytes).map_err(|e| LoadErrors(vec![e]))?);
            }
            Ok(Resolved {
                profile: Some(profile),
                shipped,
                source,
            })
        }
        ProfileChoice::File(path) => {
            let text = load::profile_text(path)?;
            let profile = Profile::parse(&path.display().to_string(), &text)?;
            let base = path.parent().unwrap_or(Path::new("."));
            let files: Vec<PathBuf> = profile
                .certificates
                .iter()
                .filter_map(|p| p.file.as_ref())
                .map(|f| base.join(f))
                .collect();
            let shipped = if files.is_empty() {
                Vec::new()
            } else {
                load::from_paths(&files)?.items
            };
            Ok(Resolved {
                profile: Some(profile),
                shipped,
                source,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_say_where_the_profile_came_from_as_the_manifest_does() {
        let cases = [
            (ProfileChoice::None, "none"),
            (ProfileChoice::BuiltIn("apex-one".into()), "built-in"),
            (
                ProfileChoice::File("site/my-profile.toml".into()),
                "file my-profile.toml",
            ),
        ];
        for (choice, text) in cases {
            assert_eq!(choice.source().to_string(), text);
            assert_eq!(
                serde_json::to_value(choice.source()).unwrap(),
                serde_json::json!(text)
            );
        }
    }
}
