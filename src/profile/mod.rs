//! Pinned product profiles: which CA certificates a product needs, pinned by fingerprint, with
//! how sure we are of each, where to download it, and which root bytes certbundle ships.
//!
//! Profiles are TOML data (`certs/profiles/*.toml`, embedded into the binary; schema
//! `certbundle-profile/1`), or a user's own file of the same schema. Matching is by SHA-256 (or
//! SHA-1 where only that is published), never by name. Pure: parsing and lookups only; reading a
//! user's profile file is `load`'s job.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::chain::{Role, Store};

mod resolve;

pub(crate) use resolve::{ProfileChoice, ProfileSource, ResolveError, Resolved, resolve};

/// The schema identifier every profile file starts with.
const PROFILE_SCHEMA: &str = "certbundle-profile/1";

/// The profile used when none is named.
pub(crate) const DEFAULT_PROFILE: &str = "apex-one";

/// The built-in profiles: name, TOML source.
const BUILT_IN: &[(&str, &str)] = &[
    (
        "apex-one",
        include_str!("../../certs/profiles/apex-one.toml"),
    ),
    (
        "apex-central",
        include_str!("../../certs/profiles/apex-central.toml"),
    ),
];

/// Root certificates shipped inside the binary: profile, file name (under `certs/<profile>/`), bytes.
pub const SHIPPED: &[(&str, &str, &[u8])] = &[
    (
        "apex-central",
        "UTN-USERFirst-Object.pem",
        include_bytes!("../../certs/apex-central/UTN-USERFirst-Object.pem"),
    ),
    (
        "apex-central",
        "VeriSign_Class_3_Public_Primary_CA_G5.pem",
        include_bytes!("../../certs/apex-central/VeriSign_Class_3_Public_Primary_CA_G5.pem"),
    ),
    (
        "apex-central",
        "VeriSign_Universal_Root_CA.pem",
        include_bytes!("../../certs/apex-central/VeriSign_Universal_Root_CA.pem"),
    ),
    (
        "apex-one",
        "DigiCert_Assured_ID_Root_CA.pem",
        include_bytes!("../../certs/apex-one/DigiCert_Assured_ID_Root_CA.pem"),
    ),
    (
        "apex-one",
        "DigiCert_High_Assurance_EV_Root_CA.pem",
        include_bytes!("../../certs/apex-one/DigiCert_High_Assurance_EV_Root_CA.pem"),
    ),
    (
        "apex-one",
        "DigiCert_Trusted_Root_G4.pem",
        include_bytes!("../../certs/apex-one/DigiCert_Trusted_Root_G4.pem"),
    ),
    (
        "apex-one",
        "Microsoft_Identity_Verification_Root_CA_2020.pem",
        include_bytes!("../../certs/apex-one/Microsoft_Identity_Verification_Root_CA_2020.pem"),
    ),
    (
        "apex-one",
        "Thawte_Timestamping_CA.pem",
        include_bytes!("../../certs/apex-one/Thawte_Timestamping_CA.pem"),
    ),
    (
        "apex-one",
        "VeriSign_Class_3_Public_Primary_CA_G5.pem",
        include_bytes!("../../certs/apex-one/VeriSign_Class_3_Public_Primary_CA_G5.pem"),
    ),
    (
        "apex-one",
        "VeriSign_Universal_Root_CA.pem",
        include_bytes!("../../certs/apex-one/VeriSign_Universal_Root_CA.pem"),
    ),
];

/// Whether a product cannot do without a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Need {
    /// A root: nothing can replace it on the target.
    Required,
    /// An intermediate: signatures normally embed it; belt and braces.
    Recommended,
}

/// How sure we are that the product needs it (shown by `certbundle profiles NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Evidence {
    /// Read in the vendor's own article.
    VendorListed,
    /// The standard chain of the vendor's signatures of that era.
    Inferred,
    /// Likely for current versions; no vendor text confirms it.
    Candidate,
}

impl Evidence {
    /// The word shown to users.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Evidence::VendorListed => "vendor-listed",
            Evidence::Inferred => "inferred",
            Evidence::Candidate => "candidate",
        }
    }
}

/// What a certificate is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Purpose {
    /// The SHA-1 signing chain.
    Sha1Signing,
    /// The SHA-2 signing chain.
    Sha2Signing,
    /// Timestamp countersignatures.
    Timestamp,
    /// Azure Code Signing (Apex One Critical Patch 12011 and later).
    AzureCodeSigning,
}

impl Purpose {
    /// How it is written for people.
    fn label(self) -> &'static str {
        match self {
            Purpose::Sha1Signing => "SHA-1 signing chain",
            Purpose::Sha2Signing => "SHA-2 signing chain",
            Purpose::Timestamp => "timestamp countersignature",
            Purpose::AzureCodeSigning => "Azure Code Signing",
        }
    }

    /// The application policy (extended key usage OID) a chain must be valid for to serve it:
    /// code signing for the signing chains, time stamping for countersignatures.
    fn application_policy(self) -> &'static str {
        match self {
            Purpose::Sha1Signing | Purpose::Sha2Signing | Purpose::AzureCodeSigning => {
                CODE_SIGNING_POLICY
            }
            Purpose::Timestamp => TIME_STAMPING_POLICY,
        }
    }
}

/// Extended key usage: code signing (RFC 5280 id-kp-codeSigning).
const CODE_SIGNING_POLICY: &str = "1.3.6.1.5.5.7.3.3";
/// Extended key usage: time stamping (RFC 5280 id-kp-timeStamping).
const TIME_STAMPING_POLICY: &str = "1.3.6.1.5.5.7.3.8";

/// The application policies a certificate's chain is checked against, one at a time (it passes
/// when one does): those of its purposes, or both when the profile names none.
pub(crate) fn application_policies(purposes: &[Purpose]) -> Vec<&'static str> {
    let mut policies: Vec<&'static str> = purposes.iter().map(|p| p.application_policy()).collect();
    if policies.is_empty() {
        policies = vec![CODE_SIGNING_POLICY, TIME_STAMPING_POLICY];
    }
    policies.sort_unstable();
    policies.dedup();
    policies
}

/// One pinned certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pin {
    /// Display name (the certificate's CN).
    pub name: String,
    /// SHA-256 of the DER, hex.
    #[serde(default)]
    pub(crate) sha256: Option<String>,
    /// SHA-1 of the DER (the Windows thumbprint), hex.
    #[serde(default)]
    pub(crate) sha1: Option<String>,
    /// `Root` or `CA`.
    pub(crate) store: Store,
    /// `root` or `intermediate`.
    pub role: Role,
    /// Required or recommended.
    pub need: Need,
    /// What it is for.
    pub(crate) purpose: Vec<Purpose>,
    /// How sure we are.
    pub(crate) evidence: Evidence,
    /// Where that evidence comes from.
    #[serde(default)]
    pub(crate) evidence_note: Option<String>,
    /// Vendor articles that list it.
    #[serde(default)]
    articles: Vec<String>,
    /// Official download URLs.
    #[serde(default)]
    pub(crate) urls: Vec<String>,
    /// A remark on the URLs (legacy host, AIA).
    #[serde(default)]
    pub(crate) url_note: Option<String>,
    /// Start of validity (RFC 3339), for display.
    #[serde(default)]
    not_before: Option<String>,
    /// End of validity (RFC 3339), for display.
    #[serde(default)]
    pub(crate) not_after: Option<String>,
    /// The file under `certs/<profile>/` (or beside a user's profile) whose bytes are shipped.
    #[serde(default)]
    pub file: Option<String>,
}

impl Pin {
    /// Whether `sha256` / `sha1` (hex) are this certificate: every fingerprint the pin gives must
    /// match, so the SHA-1 people review cannot differ from the SHA-256 that is enforced.
    pub(crate) fn matches(&self, sha256: &str, sha1: &str) -> bool {
        let sha256_ok = self
            .sha256
            .as_ref()
            .is_none_or(|pin| pin.eq_ignore_ascii_case(sha256));
        let sha1_ok = self
            .sha1
            .as_ref()
            .is_none_or(|pin| pin.eq_ignore_ascii_case(sha1));
        (self.sha256.is_some() || self.sha1.is_some()) && sha256_ok && sha1_ok
    }

    /// Whether exactly one of the pin's two fingerprints matches: the profile contradicts itself.
    pub(crate) fn half_matches(&self, sha256: &str, sha1: &str) -> bool {
        match (&self.sha256, &self.sha1) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(sha256) != b.eq_ignore_ascii_case(sha1),
            _ => false,
        }
    }

    /// The purposes as words.
    pub(crate) fn purpose_label(&self) -> String {
        self.purpose
            .iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The thumbprint to show (SHA-1 when known, else SHA-256).
    pub(crate) fn thumbprint(&self) -> &str {
        self.sha1
            .as_deref()
            .or(self.sha256.as_deref())
            .unwrap_or("")
    }
}

/// A profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Always [`PROFILE_SCHEMA`].
    schema: String,
    /// Short name (`apex-one`).
    pub(crate) name: String,
    /// The products it covers.
    pub(crate) title: String,
    /// A paragraph for people.
    #[serde(default)]
    pub(crate) description: String,
    /// The pinned certificates.
    #[serde(rename = "certificate", default)]
    pub certificates: Vec<Pin>,
}

/// A profile file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}: {message}")]
pub struct ProfileError {
    /// The profile's file or built-in name.
    source_name: String,
    /// 1-based line of the problem.
    line: usize,
    /// What is wrong.
    message: String,
}

impl ProfileError {
    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        format!(
            "fix that line; the schema is {PROFILE_SCHEMA}, as in certbundle's certs/profiles/apex-one.toml"
        )
    }
}

impl Profile {
    /// Parses and checks a profile; errors name the line.
    pub fn parse(source_name: &str, text: &str) -> Result<Profile, ProfileError> {
        let error = |line: usize, message: String| ProfileError {
            source_name: source_name.to_string(),
            line,
            message,
        };
        let profile: Profile = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_at(text, s.start)).unwrap_or(1);
            error(line, e.message().trim().to_string())
        })?;
        if profile.schema != PROFILE_SCHEMA {
            return Err(error(
                line_of(text, "schema"),
                format!(
                    "schema is {:?}, expected {PROFILE_SCHEMA:?}",
                    profile.schema
                ),
            ));
        }
        if profile.name.is_empty()
            || !profile
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(error(
                line_of(text, "name"),
                "name must be letters, digits, '-' and '_'".into(),
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, pin) in profile.certificates.iter().enumerate() {
            let at = |needle: &str| line_of_certificate(text, i, needle);
            let bad = |needle: &str, message: String| {
                Err(error(
                    at(needle),
                    format!("certificate {:?}: {message}", pin.name),
                ))
            };
            let hex = |value: &Option<String>, len: usize| {
                value
                    .as_ref()
                    .is_none_or(|v| v.len() == len && v.bytes().all(|b| b.is_ascii_hexdigit()))
            };
            if !hex(&pin.sha256, 64) {
                return bad("sha256", "sha256 must be 64 hex digits".into());
            }
            if !hex(&pin.sha1, 40) {
                return bad("sha1", "sha1 must be 40 hex digits".into());
            }
            if pin.sha256.is_none() && pin.sha1.is_none() {
                return bad(
                    "name",
                    "needs sha256 (or sha1, where only that is published)".into(),
                );
            }
            match (pin.store, pin.role) {
                (Store::Root, Role::Root) | (Store::CA, Role::Intermediate) => {}
                _ => {
                    return bad(
                        "store",
                        "store and role must be Root/root or CA/intermediate".into(),
                    );
                }
            }
            if let Some(url) = pin
                .urls
                .iter()
                .find(|u| !(u.starts_with("http://") || u.starts_with("https://")))
            {
                return bad("urls", format!("{url:?} is not an http:// or https:// URL"));
            }
            if let Some(file) = &pin.file
                && (file.contains(['/', '\\']) || file.starts_with('.'))
            {
                return bad("file", format!("file {file:?} must be a plain file name"));
            }
            // Every fingerprint given counts: one certificate cannot have two pins (two roles).
            for (field, value) in [("sha256", &pin.sha256), ("sha1", &pin.sha1)] {
                if let Some(value) = value
                    && !seen.insert(format!("{field}:{}", value.to_ascii_uppercase()))
                {
                    return bad(field, "the same certificate is pinned twice".into());
                }
            }
        }
        Ok(profile)
    }

    /// A built-in profile by name.
    pub fn built_in(name: &str) -> Option<Profile> {
        BUILT_IN.iter().find(|(n, _)| *n == name).map(|(n, text)| {
            Profile::parse(&format!("built-in profile {n}"), text)
                .expect("built-in profiles are valid")
        })
    }

    /// The built-in profile names.
    pub fn built_in_names() -> Vec<&'static str> {
        BUILT_IN.iter().map(|(n, _)| *n).collect()
    }

    /// The pin for a certificate, by fingerprint.
    pub fn pin_for(&self, sha256: &str, sha1: &str) -> Option<&Pin> {
        self.certificates.iter().find(|p| p.matches(sha256, sha1))
    }

    /// A pin only one of whose fingerprints matches.
    pub(crate) fn half_pin_for(&self, sha256: &str, sha1: &str) -> Option<&Pin> {
        self.certificates
            .iter()
            .find(|p| p.half_matches(sha256, sha1))
    }

    /// Pins whose name is `name` (case-insensitive): what a look-alike imitates.
    pub(crate) fn pins_named(&self, name: &str) -> Vec<&Pin> {
        self.certificates
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name.trim()))
            .collect()
    }

    /// The root certificates shipped for this built-in profile: file name and bytes.
    pub(crate) fn shipped(&self) -> Vec<(&'static str, &'static [u8])> {
        SHIPPED
            .iter()
            .filter(|(p, _, _)| *p == self.name)
            .map(|(_, f, b)| (*f, *b))
            .collect()
    }
}

/// 1-based line of byte offset `at`.
fn line_at(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].matches('\n').count() + 1
}

/// The line where `key =` is first set at top level.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(key) && l.contains('='))
        .map(|i| i + 1)
        .unwrap_or(1)
}

/// The line where `key =` is set inside the `index`-th `[[certificate]]` table.
fn line_of_certificate(text: &str, index: usize, key: &str) -> usize {
    let mut tables = 0;
    let mut in_table = false;
    let mut table_line = 1;
    for (i, line) in text.lines().enumerate() {
        if line
            .split('#')
            .next()
            .unwrap_or("")
            .replace([' ', '\t'], "")
            == "[[certificate]]"
        {
            in_table = tables == index;
            tables += 1;
            if in_table {
                table_line = i + 1;
            }
        } else if in_table && line.trim_start().starts_with(key) && line.contains('=') {
            return i + 1;
        }
    }
    table_line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_purpose_is_checked_against_its_application_policy_alone() {
        use Purpose::*;
        let (cs, ts) = (CODE_SIGNING_POLICY, TIME_STAMPING_POLICY);
        assert_eq!(application_policies(&[Timestamp]), vec![ts]);
        assert_eq!(
            application_policies(&[Sha1Signing, AzureCodeSigning]),
            vec![cs]
        );
        assert_eq!(
            application_policies(&[Timestamp, Sha2Signing, Timestamp]),
            vec![cs, ts]
        );
        // No purpose known (no profile): a chain passes for either.
        assert_eq!(application_policies(&[]), vec![cs, ts]);
    }

    #[test]
    fn built_in_profiles_parse_and_roots_are_required() {
        for name in Profile::built_in_names() {
            let profile = Profile::built_in(name).unwrap();
            assert_eq!(profile.name, name);
            assert!(!profile.certificates.is_empty());
            for pin in &profile.certificates {
                assert_eq!(
                    pin.need == Need::Required,
                    pin.role == Role::Root,
                    "{}",
                    pin.name
                );
                assert!(pin.sha256.is_some() && pin.sha1.is_some(), "{}", pin.name);
            }
        }
    }

    #[test]
    fn one_certificate_cannot_be_pinned_twice_by_either_fingerprint() {
        let pin = |sha256: &str, sha1: &str, role: &str, store: &str| {
            let mut text = format!("[[certificate]]\nname = \"{role}\"\n");
            if !sha256.is_empty() {
                text.push_str(&format!("sha256 = \"{}\"\n", sha256.repeat(64)));
            }
            if !sha1.is_empty() {
                text.push_str(&format!("sha1 = \"{}\"\n", sha1.repeat(40)));
            }
            text.push_str(&format!(
                "store = \"{store}\"\nrole = \"{role}\"\nneed = \"recommended\"\npurpose = []\nevidence = \"inferred\"\n\n"
            ));
            text
        };
        let head = "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = \"t\"\n\n";
        // Same SHA-1, once with a SHA-256 and once without, in two roles.
        let twice = format!(
            "{head}{}{}",
            pin("A", "B", "root", "Root"),
            pin("", "B", "intermediate", "CA")
        );
        let e = Profile::parse("p.toml", &twice).unwrap_err();
        assert!(e.message.contains("pinned twice"), "{}", e.message);
        let distinct = format!(
            "{head}{}{}",
            pin("A", "B", "root", "Root"),
            pin("C", "D", "intermediate", "CA")
        );
        assert!(Profile::parse("p.toml", &distinct).is_ok());
    }

    #[test]
    fn errors_name_the_line() {
        let text = "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = \"t\"\n\n[[certificate]]\nname = \"A\"\nsha256 = \"ABC\"\nstore = \"Root\"\nrole = \"root\"\nneed = \"required\"\npurpose = []\nevidence = \"inferred\"\n";
        let e = Profile::parse("p.toml", text).unwrap_err();
        assert_eq!(
            (e.line, e.message.as_str()),
            (7, "certificate \"A\": sha256 must be 64 hex digits")
        );
        let e = Profile::parse(
            "p.toml",
            "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = 3\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        let e = Profile::parse(
            "p.toml",
            "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = \"t\"\nwhat = 1\n",
        )
        .unwrap_err();
        assert_eq!(e.line, 4, "{e}");
        assert!(e.to_string().starts_with("p.toml:4: "));
    }

    #[test]
    fn matching_is_by_fingerprint_and_sha1_only_pins_work() {
        let pin = Pin {
            name: "X".into(),
            sha256: None,
            sha1: Some("AB".repeat(20)),
            store: Store::Root,
            role: Role::Root,
            need: Need::Required,
            purpose: vec![],
            evidence: Evidence::Inferred,
            evidence_note: None,
            articles: vec![],
            urls: vec![],
            url_note: None,
            not_before: None,
            not_after: None,
            file: None,
        };
        assert!(pin.matches("00", &"ab".repeat(20)));
        assert!(!pin.matches("00", &"AC".repeat(20)));
    }
}
