//! `manifest.json`, `certbundle-manifest/1`: the one definition of its fields, written by `plan`
//! (through serde) and read back by `bundle::audit`, `build --force` and `report --bundle`.
//! Pure data: no filesystem, never prints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::verify::{Code, Role, Severity, Store};

/// The manifest schema this version writes.
pub(crate) const MANIFEST_SCHEMA: &str = "certbundle-manifest/1";

/// `manifest.json`: the bundle described for machines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub(crate) schema: String,
    /// Who wrote it.
    pub(crate) generator: Generator,
    /// Bundle name.
    pub(crate) bundle: String,
    /// Creation time, RFC 3339 UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) created: OffsetDateTime,
    /// Profile name.
    pub(crate) profile: String,
    /// `built-in`, `file <file name>` (a user's profile file), or `none`.
    pub(crate) profile_source: String,
    /// Options that loosened verification (recorded so the site can see them).
    pub(crate) options: Options,
    /// Every certificate, in bundle order.
    pub(crate) certificates: Vec<ManifestCertificate>,
    /// Profile certificates that are not in this bundle.
    pub(crate) missing: Vec<MissingCertificate>,
    /// The bundle's scripts and what each is for (`SHA256SUMS` holds their hashes). Absent from
    /// manifests of bundles built before `Deploy-Certificates.ps1` existed.
    #[serde(default)]
    pub(crate) scripts: Vec<ManifestScript>,
}

/// One script of the bundle in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManifestScript {
    /// Path inside the bundle.
    pub(crate) file: String,
    /// Who runs it where, and what it does.
    pub(crate) purpose: String,
}

/// A profile certificate that is not in the bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct MissingCertificate {
    /// Its name.
    pub(crate) name: String,
    /// SHA-1 thumbprint, when pinned by it.
    pub(crate) sha1: Option<String>,
    /// SHA-256, when pinned by it.
    pub(crate) sha256: Option<String>,
    /// `required` or `recommended`.
    pub(crate) need: crate::profile::Need,
    /// `vendor-listed`, `inferred` or `candidate`.
    pub(crate) evidence: crate::profile::Evidence,
    /// Where to download it.
    pub(crate) urls: Vec<String>,
}

/// The program that wrote a manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Generator {
    /// `certbundle`.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
}

/// Options in effect for a build that the site should be able to see.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Options {
    /// `--allow-expired`.
    pub(crate) allow_expired: bool,
    /// `--allow-unpinned`.
    pub(crate) allow_unpinned: bool,
    /// `--allow-missing`.
    pub(crate) allow_missing: bool,
    /// Templates replaced with `--templates` (empty when the built-in ones were used).
    pub(crate) custom_templates: Vec<String>,
}

/// One certificate in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManifestCertificate {
    /// Path inside the bundle.
    pub(crate) file: String,
    /// `Root` or `CA`.
    pub(crate) store: Store,
    /// `root` or `intermediate`.
    pub(crate) role: Role,
    /// Subject DN (RFC 4514).
    pub(crate) subject: String,
    /// Issuer DN (RFC 4514).
    pub(crate) issuer: String,
    /// Serial, upper-case hex.
    pub(crate) serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) not_after: OffsetDateTime,
    /// SHA-1 thumbprint, upper-case hex.
    pub(crate) sha1: String,
    /// SHA-256, upper-case hex.
    pub(crate) sha256: String,
    /// Matched a profile pin (always false with `--profile none`).
    pub(crate) pinned: bool,
    /// The profile's purpose for it (none without a profile).
    pub(crate) purpose: Option<String>,
    /// The profile's evidence for it (none when not pinned).
    pub(crate) evidence: Option<String>,
    /// Findings that remained (warnings and notes).
    pub(crate) findings: Vec<ManifestFinding>,
}

/// A finding as recorded in the manifest (no local file paths).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ManifestFinding {
    /// Stable code.
    pub(crate) code: Code,
    /// Severity.
    pub(crate) severity: Severity,
    /// The sentence.
    pub(crate) message: String,
}

/// Reads a whole manifest; the error says why it is not one, in words for the user. The schema
/// is looked at first, so a manifest of another schema is said to be one.
pub(crate) fn parse(bytes: &[u8]) -> Result<Manifest, String> {
    let schema: Schema =
        serde_json::from_slice(bytes).map_err(|e| format!("not a valid manifest: {e}"))?;
    if schema.schema != MANIFEST_SCHEMA {
        return Err(format!(
            "schema {:?}, expected {MANIFEST_SCHEMA:?}",
            schema.schema
        ));
    }
    serde_json::from_slice(bytes).map_err(|e| format!("not a valid manifest: {e}"))
}

/// Only the schema identifier.
#[derive(Deserialize)]
struct Schema {
    schema: String,
}

/// The fields that say which bundle a manifest describes, read without the rest (so that a
/// bundle stays recognisable whatever else its manifest holds).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Header {
    /// The schema identifier: never read, but a manifest without one has no header.
    #[expect(
        dead_code,
        reason = "required, so that a JSON without a schema is not a manifest"
    )]
    schema: String,
    /// Bundle name, when there is one.
    #[serde(default)]
    pub(crate) bundle: Option<String>,
    /// Creation time, as written.
    #[serde(default)]
    pub(crate) created: Option<String>,
}

/// The [`Header`] of a manifest, when the bytes are JSON that has one.
pub(crate) fn header(bytes: &[u8]) -> Option<Header> {
    serde_json::from_slice(bytes).ok()
}

/// Whether the bytes are a manifest of this schema (what `build --force` asks before it
/// replaces a bundle).
pub(crate) fn is_manifest(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Schema>(bytes).is_ok_and(|s| s.schema == MANIFEST_SCHEMA)
}
