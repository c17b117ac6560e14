//! `certbundle profiles`: the built-in profiles, or one profile's pinned certificates.

use serde::Serialize;

use super::ProfilesRequest;
use crate::Error;
use crate::profile::{DEFAULT_PROFILE, Pin, Profile};
use crate::profile::{ProfileChoice, resolve};

/// One line of the list.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileLine {
    /// Name.
    pub(crate) name: String,
    /// Products.
    pub(crate) title: String,
    /// Used when no --profile is given.
    pub(crate) default: bool,
    /// Roots pinned.
    pub(crate) roots: usize,
    /// Intermediates pinned.
    pub(crate) intermediates: usize,
    /// Roots whose bytes ship with certbundle.
    pub(crate) shipped: usize,
}

/// One pinned certificate, as shown.
#[derive(Debug, Clone, Serialize)]
pub struct PinLine {
    /// The pin.
    #[serde(flatten)]
    pub(crate) pin: Pin,
    /// Whether its bytes ship with certbundle (or beside a profile file).
    pub(crate) shipped: bool,
}

/// What `profiles` shows.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ProfilesReport {
    /// Every built-in profile.
    List {
        /// The profiles.
        profiles: Vec<ProfileLine>,
    },
    /// One profile.
    Show {
        /// Name.
        name: String,
        /// Products.
        title: String,
        /// What it is.
        description: String,
        /// Its certificates.
        certificates: Vec<PinLine>,
    },
}

/// Runs profiles.
pub(crate) fn run(req: &ProfilesRequest) -> Result<ProfilesReport, Error> {
    let Some(choice) = &req.profile else {
        let profiles = Profile::built_in_names()
            .into_iter()
            .map(|name| {
                let p = Profile::built_in(name).expect("built-in names come from the list");
                ProfileLine {
                    default: name == DEFAULT_PROFILE,
                    roots: p
                        .certificates
                        .iter()
                        .filter(|c| c.role == crate::chain::Role::Root)
                        .count(),
                    intermediates: p
                        .certificates
                        .iter()
                        .filter(|c| c.role != crate::chain::Role::Root)
                        .count(),
                    shipped: p.shipped().len(),
                    name: p.name,
                    title: p.title,
                }
            })
            .collect();
        return Ok(ProfilesReport::List { profiles });
    };
    if *choice == ProfileChoice::None {
        return Err(Error::usage(
            "profile \"none\" pins nothing",
            "name a profile: certbundle profiles apex-one",
        ));
    }
    let resolved = resolve(choice)?;
    let profile = resolved.profile.as_ref().expect("not none");
    let certificates = profile
        .certificates
        .iter()
        .map(|pin| PinLine {
            shipped: resolved.ships(pin),
            pin: pin.clone(),
        })
        .collect();
    Ok(ProfilesReport::Show {
        name: profile.name.clone(),
        title: profile.title.clone(),
        description: profile.description.clone(),
        certificates,
    })
}
