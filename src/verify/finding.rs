//! Findings: what verification says about a certificate, as data with stable codes.

use serde::{Deserialize, Serialize};

/// How much a finding matters. Any `Error` stops a build.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Severity {
    /// Stops the build.
    Error,
    /// Reported; the build goes on.
    Warning,
    /// For the record.
    Info,
}

impl Severity {
    /// The lower-case word used in tables and JSON.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// A stable finding code (serialised in kebab-case; documented in docs/findings.md). Every code:
/// `Code::iter()` (strum's `IntoEnumIterator`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Code {
    /// Not a valid X.509 certificate (trailing bytes included).
    ParseError,
    /// No CA basicConstraints (a v1 self-signed root is accepted as a root).
    NotCa,
    /// keyUsage present without keyCertSign.
    NoCertSign,
    /// The signature does not verify with the issuer's key (or, for a root, its own).
    BadSignature,
    /// The signature algorithm or key cannot be checked here.
    UnverifiableSignature,
    /// notBefore is in the future.
    NotYetValid,
    /// notAfter is in the past.
    Expired,
    /// notAfter is within 90 days.
    ExpiresSoon,
    /// An intermediate whose issuer is not in the set.
    IssuerMissing,
    /// RSA key shorter than 2048 bits.
    WeakKey,
    /// MD2/MD5/SHA-1 signature on a certificate that is not a root.
    WeakSignature,
    /// An intermediate whose extendedKeyUsage excludes code signing and time stamping.
    WrongPurpose,
    /// The same certificate was given more than once.
    Duplicate,
    /// Not in the profile (error unless `--allow-unpinned`).
    Unpinned,
    /// A required profile certificate was not supplied (error unless `--allow-missing`).
    MissingRequired,
    /// A recommended profile certificate was not supplied.
    MissingRecommended,
}

impl Code {
    /// The kebab-case code as printed (its serde name).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One thing verification says about one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code.
    pub code: Code,
    /// How much it matters.
    pub severity: Severity,
    /// The input it concerns (file, and position within the file).
    pub file: String,
    /// One sentence for a person. Never contains a local path.
    pub message: String,
}
