//! `certbundle build`: load -> verify -> plan -> render -> write.

use std::path::PathBuf;

use serde::Serialize;

use super::BuildRequest;
use crate::load::{self, Skipped};
use crate::plan::{self, Plan, Refused, Spec};
use crate::profile::{ProfileSource, Resolved};
use crate::verify::{self, Checked, Severity};
use crate::{Error, bundle, names, render, signed};

/// What `build` did.
#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    /// How many files were read.
    pub(crate) files_read: usize,
    /// How many certificates came with the profile itself (its shipped roots).
    pub(crate) shipped: usize,
    /// The profile's own name (`none` without one).
    pub(crate) profile: String,
    /// Where it came from: `built-in`, `file <name>` or `none`.
    pub(crate) profile_source: ProfileSource,
    /// Files in walked folders that were not used.
    pub(crate) skipped: Vec<Skipped>,
    /// The verified certificates and their findings.
    #[serde(flatten)]
    pub(crate) checked: Checked,
    /// The bundle written, or why none was.
    pub(crate) outcome: BuildOutcome,
}

/// A build's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "result")]
pub(crate) enum BuildOutcome {
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
pub(crate) struct WrittenBundle {
    /// Bundle name.
    name: String,
    /// The folder.
    pub(crate) folder: PathBuf,
    /// The zip, if written.
    pub(crate) zip: Option<PathBuf>,
    /// SHA-256 of the zip file, lower-case hex.
    pub(crate) zip_sha256: Option<String>,
    /// The bundle digest: SHA-256 of SHA256SUMS, lower-case hex.
    pub(crate) digest: String,
    /// How many files the bundle folder holds (SHA256SUMS included).
    pub(crate) files: usize,
    /// Earlier bundle files replaced with --force.
    pub(crate) replaced: Vec<PathBuf>,
    /// A staging folder that could not be removed (delete it by hand).
    pub(crate) leftover: Option<PathBuf>,
}

impl BuildReport {
    /// True when a bundle was written.
    pub(crate) fn ok(&self) -> bool {
        matches!(self.outcome, BuildOutcome::Written(_))
    }
}

/// Runs a build.
pub(crate) fn run(req: &BuildRequest) -> Result<BuildReport, Error> {
    let resolved = crate::profile::resolve(&req.profile)?;
    let mut loaded = load::from_paths(&req.inputs)?;
    let mut from_signed = signed::items::from_files(&req.from_signed)?;
    loaded.files_read += req.from_signed.len();
    loaded.skipped.append(&mut from_signed.notes);
    if loaded.items.is_empty() && !req.inputs.is_empty() && req.from_signed.is_empty() {
        return Err(Error::usage(
            "no certificate found in the input",
            "give certificate files (.cer .crt .pem .der .p7b .p7c) or folders holding them",
        ));
    }
    // The profile's shipped roots first; INPUT adds to them.
    let shipped = resolved.shipped.len();
    let mut spec = spec(req, &resolved);
    let profile_source = resolved.source.clone();
    let mut items = resolved.shipped;
    items.append(&mut loaded.items);
    items.append(&mut from_signed.items);
    if items.is_empty() {
        return Err(Error::usage(
            "no certificate to bundle: no INPUT, and the profile ships none",
            "name certificate files or folders (certbundle fetch downloads a profile's certificates)",
        ));
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
    let profile = spec.profile.clone();
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

/// What the bundle is: its name (decided here, once), time, profile and the options given.
fn spec(req: &BuildRequest, resolved: &Resolved) -> Spec {
    Spec {
        name: req
            .name
            .clone()
            .unwrap_or_else(|| default_name(resolved, req.created)),
        created: req.created,
        // The profile's own name: a file cannot pass for a built-in profile by its file name,
        // nor a bundle be named after a built-in profile it was not built from.
        profile: resolved.name().to_string(),
        profile_source: resolved.source.to_string(),
        allow_expired: req.policy.allow_expired,
        allow_unpinned: req.policy.allow_unpinned,
        allow_missing: req.policy.allow_missing,
        custom_templates: Vec::new(),
    }
}

/// `<profile>-certs-<YYYYMMDD>` after the profile's own name, `custom-certs-<YYYYMMDD>` without one.
fn default_name(resolved: &Resolved, created: time::OffsetDateTime) -> String {
    let label = resolved
        .profile
        .as_ref()
        .map_or_else(|| "custom".to_string(), |p| names::file_part(&p.name));
    format!(
        "{label}-certs-{}",
        created
            .format(time::macros::format_description!("[year][month][day]"))
            .expect("a fixed format always formats")
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Profile, ProfileSource};

    #[test]
    fn the_default_name_is_the_profiles_own_name_and_the_creation_day() {
        let created = time::OffsetDateTime::from_unix_timestamp(1_795_564_800).unwrap();
        let resolved = |profile: Option<Profile>, source| Resolved {
            profile,
            shipped: Vec::new(),
            source,
        };
        let none = resolved(None, ProfileSource::None);
        assert_eq!(default_name(&none, created), "custom-certs-20261125");
        let central = resolved(Profile::built_in("apex-central"), ProfileSource::BuiltIn);
        assert_eq!(
            default_name(&central, created),
            "apex-central-certs-20261125"
        );
        // A profile file is named by the name inside it, not by its file name.
        let mut own = Profile::built_in("apex-one").unwrap();
        own.name = "Site A".into();
        let file = resolved(Some(own), ProfileSource::File("x.toml".into()));
        assert_eq!(
            default_name(&file, created),
            format!("{}-certs-20261125", names::file_part("Site A"))
        );
    }
}
