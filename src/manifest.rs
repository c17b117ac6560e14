//! `manifest.json`, `certbundle-manifest/1`: the one definition of its fields, written by `plan`
//! (through serde) and read back by `bundle::audit`, `build --force` and `report --bundle`.
//! Pure data: no filesystem, never prints.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::verify::{Code, Role, Severity, Store};

/// The manifest schema this version writes.
pub const MANIFEST_SCHEMA: &str = "certbundle-manifest/1";

/// `manifest.json`: the bundle described for machines.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_SCHEMA`].
    pub schema: String,
    /// Who wrote it.
    pub generator: Generator,
    /// Bundle name.
    pub bundle: String,
    /// Creation time, RFC 3339 UTC.
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    /// Profile name.
    pub profile: String,
    /// `built-in`, `file <file name>` (a user's profile file), or `none`.
    pub profile_source: String,
    /// Options that loosened verification (recorded so the site can see them).
    pub options: Options,
    /// Every certificate, in bundle order.
    pub certificates: Vec<ManifestCertificate>,
    /// Profile certificates that are not in this bundle.
    pub missing: Vec<MissingCertificate>,
}

/// A profile certificate that is not in the bundle.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MissingCertificate {
    /// Its name.
    pub name: String,
    /// SHA-1 thumbprint, when pinned by it.
    pub sha1: Option<String>,
    /// SHA-256, when pinned by it.
    pub sha256: Option<String>,
    /// `required` or `recommended`.
    pub need: crate::profile::Need,
    /// `vendor-listed`, `inferred` or `candidate`.
    pub evidence: crate::profile::Evidence,
    /// Where to download it.
    pub urls: Vec<String>,
}

/// The program that wrote a manifest.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Generator {
    /// `certbundle`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Options in effect for a build that the site should be able to see.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    /// `--allow-expired`.
    pub allow_expired: bool,
    /// `--allow-unpinned`.
    pub allow_unpinned: bool,
    /// `--allow-missing`.
    pub allow_missing: bool,
    /// Templates replaced with `--templates` (empty when the built-in ones were used).
    pub custom_templates: Vec<String>,
}

/// One certificate in `manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestCertificate {
    /// Path inside the bundle.
    pub file: String,
    /// `Root` or `CA`.
    pub store: Store,
    /// `root` or `intermediate`.
    pub role: Role,
    /// Subject DN (RFC 4514).
    pub subject: String,
    /// Issuer DN (RFC 4514).
    pub issuer: String,
    /// Serial, upper-case hex.
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-1 thumbprint, upper-case hex.
    pub sha1: String,
    /// SHA-256, upper-case hex.
    pub sha256: String,
    /// Matched a profile pin (always false with `--profile none`).
    pub pinned: bool,
    /// The profile's purpose for it (none without a profile).
    pub purpose: Option<String>,
    /// The profile's evidence for it (none when not pinned).
    pub evidence: Option<String>,
    /// Findings that remained (warnings and notes).
    pub findings: Vec<ManifestFinding>,
}

/// A finding as recorded in the manifest (no local file paths).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestFinding {
    /// Stable code.
    pub code: Code,
    /// Severity.
    pub severity: Severity,
    /// The sentence.
    pub message: String,
}

/// Reads a whole manifest; the error says why it is not one, in words for the user. The schema
/// is looked at first, so a manifest of another schema is said to be one.
pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
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
pub struct Header {
    /// The schema identifier.
    pub schema: String,
    /// Bundle name, when there is one.
    #[serde(default)]
    pub bundle: Option<String>,
    /// Creation time, as written.
    #[serde(default)]
    pub created: Option<String>,
}

/// The [`Header`] of a manifest, when the bytes are JSON that has one.
pub fn header(bytes: &[u8]) -> Option<Header> {
    serde_json::from_slice(bytes).ok()
}

/// Whether the bytes are a manifest of this schema (what `build --force` asks before it
/// replaces a bundle).
pub fn is_manifest(bytes: &[u8]) -> bool {
    serde_json::from_slice::<Schema>(bytes).is_ok_and(|s| s.schema == MANIFEST_SCHEMA)
}
