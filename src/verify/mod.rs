//! Verification: certificate bytes + a policy (the clock, what is tolerated) -> owned summaries
//! with findings.
//!
//! Parses each item with x509-parser, drops exact duplicates (keeping the first), decides each
//! certificate's role from the certificate itself (self-signed CA -> root, other CA ->
//! intermediate), finds issuers within the set by name and key identifier and checks signatures
//! with the issuer's key. A bad certificate is a finding, never an `Err`. No filesystem, no clock
//! (the instant comes in the policy), never prints.

pub mod describe;
mod finding;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::asn1_rs::{Any, FromBer};
use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::extensions::ParsedExtension;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name, X509Version};

pub use finding::{Code, Finding, Severity};

use crate::load::{Item, Origin};
use crate::profile::{Need, Pin};
use describe::KeyKind;

/// Certificates expiring within this many days get `expires-soon`.
pub const EXPIRES_SOON_DAYS: i64 = 90;

/// What verification tolerates, and when it happens.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The instant validity is evaluated at (`--now`, else the real clock).
    pub now: OffsetDateTime,
    /// `--allow-expired`: `expired` becomes a warning.
    pub allow_expired: bool,
    /// The pinned profile (`None` for `--profile none`: nothing is pinned, nothing is required).
    pub profile: Option<crate::profile::Profile>,
    /// `--allow-unpinned`: `unpinned` becomes a warning.
    pub allow_unpinned: bool,
    /// `--allow-missing`: `missing-required` becomes a warning.
    pub allow_missing: bool,
}

impl Policy {
    /// A policy without a profile: only the certificates' own merits count.
    pub fn unpinned(now: OffsetDateTime, allow_expired: bool) -> Self {
        Policy {
            now,
            allow_expired,
            profile: None,
            allow_unpinned: false,
            allow_missing: false,
        }
    }
}

/// What a certificate is, decided from the certificate itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Self-signed CA: a trust anchor.
    Root,
    /// CA issued by another CA (cross-certificates included).
    Intermediate,
    /// Not a CA: never belongs in a bundle.
    Leaf,
}

impl Role {
    /// The word printed for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Root => "root",
            Role::Intermediate => "intermediate",
            Role::Leaf => "leaf",
        }
    }

    /// The LocalMachine store it is installed into.
    pub fn store(self) -> Option<Store> {
        match self {
            Role::Root => Some(Store::Root),
            Role::Intermediate => Some(Store::CA),
            Role::Leaf => None,
        }
    }
}

/// A Windows LocalMachine certificate store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Store {
    /// Trusted Root Certification Authorities.
    Root,
    /// Intermediate Certification Authorities.
    CA,
}

impl Store {
    /// The store's name as Windows spells it (`Root`, `CA`).
    pub fn as_str(self) -> &'static str {
        match self {
            Store::Root => "Root",
            Store::CA => "CA",
        }
    }
}

/// Everything later stages need to know about one certificate; owns its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// The DER bytes.
    #[serde(skip)]
    pub der: Vec<u8>,
    /// Where it was first found.
    pub file: Origin,
    /// The name people know it by (CN, else OU, else O).
    pub name: String,
    /// Subject DN, RFC 4514.
    pub subject: String,
    /// Issuer DN, RFC 4514.
    pub issuer: String,
    /// Serial number, upper-case hex of its encoded bytes (as Windows shows it).
    pub serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub not_after: OffsetDateTime,
    /// SHA-1 of the DER: the Windows thumbprint.
    pub sha1: String,
    /// SHA-256 of the DER.
    pub sha256: String,
    /// Root, intermediate or leaf.
    pub role: Role,
    /// Where it is installed (none for a leaf).
    pub store: Option<Store>,
    /// basicConstraints says CA.
    pub ca: bool,
    /// Issued by itself, and the self-signature verifies (or cannot be checked).
    pub self_signed: bool,
    /// X.509 version (1 or 3).
    pub version: u32,
    /// Public key, e.g. `RSA 2048`, `EC P-384`.
    pub key: String,
    /// Signature algorithm name.
    pub signature_algorithm: String,
    /// SHA-256 of the issuer found in the set, when one was found.
    pub issuer_sha256: Option<String>,
    /// Matched a pin of the profile.
    pub pinned: bool,
    /// The profile's purposes for it, when pinned.
    pub purpose: Option<String>,
    /// The same, typed (empty when not pinned); `purpose` is what JSON shows.
    #[serde(skip)]
    pub purposes: Vec<crate::profile::Purpose>,
    /// The profile's evidence for it, when pinned (`vendor-listed`, `inferred`, `candidate`).
    pub evidence: Option<&'static str>,
    /// What verification says about it, worst first.
    pub findings: Vec<Finding>,
}

/// The verified set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Checked {
    /// Distinct certificates, in input order.
    pub certificates: Vec<CertSummary>,
    /// Items that are not certificates at all (`parse-error`).
    pub rejected: Vec<Finding>,
    /// Profile certificates that were not supplied (`missing-required`, `missing-recommended`).
    pub missing: Vec<Finding>,
    /// The pins behind `missing`, in profile order.
    pub missing_pins: Vec<Pin>,
}

impl Checked {
    /// Every finding, rejected items first, then per certificate.
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.rejected
            .iter()
            .chain(self.certificates.iter().flat_map(|c| c.findings.iter()))
            .chain(self.missing.iter())
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings().filter(|f| f.severity == severity).count()
    }
}

/// One parsed certificate while the set is being checked.
struct Parsed<'a> {
    item: &'a Item,
    cert: X509Certificate<'a>,
    sha256: String,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
}

/// Verifies a set of items.
pub fn check(items: &[Item], policy: &Policy) -> Checked {
    let mut rejected = Vec::new();
    let mut unique: Vec<Parsed> = Vec::new();
    let mut duplicates: Vec<(usize, Finding)> = Vec::new();
    for item in items {
        match parse(item) {
            Err(message) => rejected.push(finding(
                Code::ParseError,
                Severity::Error,
                &item.origin,
                message,
            )),
            Ok(cert) => {
                let sha256 = crate::hex::sha256_upper(&item.der);
                if let Some(first) = unique.iter().position(|u| u.sha256 == sha256) {
                    let message = format!(
                        "same certificate (SHA-256 {sha256}) given more than once; kept once"
                    );
                    duplicates.push((
                        first,
                        finding(Code::Duplicate, Severity::Info, &item.origin, message),
                    ));
                } else {
                    let (ski, aki) = key_identifiers(&cert);
                    unique.push(Parsed {
                        item,
                        cert,
                        sha256,
                        ski,
                        aki,
                    });
                }
            }
        }
    }
    let mut certificates: Vec<CertSummary> = (0..unique.len())
        .map(|i| summarize(i, &unique, policy))
        .collect();
    for (i, dup) in duplicates {
        certificates[i].findings.push(dup);
    }
    for c in &mut certificates {
        c.findings.sort_by_key(|f| (f.severity, f.code));
    }
    let (missing, missing_pins) = missing_pins(&certificates, policy);
    Checked {
        certificates,
        rejected,
        missing,
        missing_pins,
    }
}

/// Profile certificates no input supplied: required ones are errors (unless `--allow-missing`),
/// recommended ones warnings. The message says where to get each.
fn missing_pins(certificates: &[CertSummary], policy: &Policy) -> (Vec<Finding>, Vec<Pin>) {
    let Some(profile) = &policy.profile else {
        return (Vec::new(), Vec::new());
    };
    let origin = Origin {
        path: format!("profile {}", profile.name).into(),
        position: None,
    };
    let mut findings = Vec::new();
    let mut pins = Vec::new();
    for pin in &profile.certificates {
        if certificates.iter().any(|c| pin.matches(&c.sha256, &c.sha1)) {
            continue;
        }
        let source = match pin.urls.first() {
            Some(url) => format!("download {url} (certbundle fetch checks it against the pin)"),
            None => "no official download URL is known: take it from a signed file that embeds it"
                .to_string(),
        };
        let fingerprints = match (&pin.sha1, &pin.sha256) {
            (Some(sha1), _) => format!("SHA-1 {sha1}"),
            (None, Some(sha256)) => format!("SHA-256 {sha256}"),
            (None, None) => String::new(),
        };
        let (code, severity, message) = match pin.need {
            Need::Required => (
                Code::MissingRequired,
                if policy.allow_missing {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                format!(
                    "required {} \"{}\" ({fingerprints}) was not supplied{}: {source}",
                    pin.role,
                    pin.name,
                    if policy.allow_missing {
                        " (allowed by --allow-missing)"
                    } else {
                        ""
                    }
                ),
            ),
            Need::Recommended => (
                Code::MissingRecommended,
                Severity::Warning,
                format!(
                    "recommended {} \"{}\" ({fingerprints}) not supplied (signatures normally embed it): {source}",
                    pin.role, pin.name
                ),
            ),
        };
        findings.push(finding(code, severity, &origin, message));
        pins.push(pin.clone());
    }
    (findings, pins)
}

fn finding(code: Code, severity: Severity, origin: &Origin, message: String) -> Finding {
    Finding {
        code,
        severity,
        file: origin.to_string(),
        message,
    }
}

/// Parses an item as exactly one well-formed certificate.
fn parse(item: &Item) -> Result<X509Certificate<'_>, String> {
    if let Some(defect) = &item.defect {
        return Err(defect.clone());
    }
    let cert = match X509Certificate::from_der(&item.der) {
        Ok((rest, _)) if !rest.is_empty() => {
            return Err(format!(
                "{} trailing bytes after the certificate; a certificate must be exactly one DER structure",
                rest.len()
            ));
        }
        Ok((_, cert)) => cert,
        Err(_)
            if matches!(
                Any::from_ber(&item.der),
                Err(x509_parser::nom::Err::Incomplete(_))
            ) =>
        {
            return Err("truncated: the data ends before the certificate does".into());
        }
        Err(e) => return Err(format!("not a valid X.509 certificate ({e})")),
    };
    // Extensions that occur twice make the certificate invalid (RFC 5280 4.2); x509-parser
    // reports them when they are looked up.
    cert.basic_constraints()
        .map_err(|e| format!("invalid basicConstraints ({e})"))?;
    cert.key_usage()
        .map_err(|e| format!("invalid keyUsage ({e})"))?;
    cert.extended_key_usage()
        .map_err(|e| format!("invalid extendedKeyUsage ({e})"))?;
    Ok(cert)
}

pub(crate) fn key_identifiers(cert: &X509Certificate) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let (mut ski, mut aki) = (None, None);
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
            }
            _ => {}
        }
    }
    (ski, aki)
}

/// Two names are the same when their encodings are, or their text is, ignoring case and spacing.
pub(crate) fn same_name(a: &X509Name, b: &X509Name) -> bool {
    let fold = |n: &X509Name| {
        describe::name(n)
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    a.as_raw() == b.as_raw() || fold(a) == fold(b)
}

/// The outcome of checking one signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signature {
    Valid,
    Invalid,
    Unverifiable(String),
}

/// Checks `cert`'s signature with `signer`'s key.
pub(crate) fn signature(cert: &X509Certificate, signer: &SubjectPublicKeyInfo) -> Signature {
    let algorithm = describe::signature_algorithm(&cert.signature_algorithm.algorithm);
    if let Ok(PublicKey::RSA(rsa)) = signer.parsed() {
        // ring (behind x509-parser) takes RSA keys of 2048-8192 bits (1024 with SHA-1 and, through
        // its legacy algorithms, SHA-256/512) and exponents below 2^33: outside that, a failure
        // would say nothing about the signature.
        let bits = rsa.key_size();
        let exponent = rsa
            .exponent
            .iter()
            .try_fold(0u64, |e, b| e.checked_mul(256)?.checked_add(u64::from(*b)));
        if exponent.is_none_or(|e| e >= 1 << 33) {
            return Signature::Unverifiable(format!(
                "{algorithm} with an RSA key whose public exponent is too large"
            ));
        }
        if (1024..2048).contains(&bits) {
            let legacy: Option<&'static dyn ring::signature::VerificationAlgorithm> =
                match algorithm.as_str() {
                    "sha256WithRSAEncryption" => {
                        Some(&ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY)
                    }
                    "sha512WithRSAEncryption" => {
                        Some(&ring::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY)
                    }
                    _ => None,
                };
            if let Some(legacy) = legacy {
                let key = ring::signature::UnparsedPublicKey::new(
                    legacy,
                    &signer.subject_public_key.data,
                );
                return match key.verify(cert.tbs_certificate.as_ref(), &cert.signature_value.data) {
                    Ok(()) => Signature::Valid,
                    Err(_) => Signature::Invalid,
                };
            }
        }
        let minimum = if algorithm == "sha1WithRSAEncryption" {
            1024
        } else {
            2048
        };
        if !(minimum..=8192).contains(&bits) {
            return Signature::Unverifiable(format!(
                "{algorithm} with an RSA-{bits} key cannot be checked here"
            ));
        }
    }
    match cert.verify_signature(Some(signer)) {
        Ok(()) => Signature::Valid,
        Err(X509Error::SignatureUnsupportedAlgorithm) => Signature::Unverifiable(format!(
            "{algorithm} with a {} key cannot be checked here",
            describe::key(signer)
        )),
        Err(_) => Signature::Invalid,
    }
}

/// What the search for a certificate's issuer within the set found.
enum IssuerSearch {
    Verified(usize),
    Unverifiable(usize, String),
    BadSignature(usize),
    Missing,
}

fn find_issuer(i: usize, set: &[Parsed]) -> IssuerSearch {
    let me = &set[i];
    let candidates = set.iter().enumerate().filter(|(j, c)| {
        *j != i
            && same_name(c.cert.subject(), me.cert.issuer())
            && match (&me.aki, &c.ski) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            }
    });
    let mut outcome = IssuerSearch::Missing;
    // A bounded number of same-name candidates: real sets hold one or two (a re-issued CA).
    for (j, candidate) in candidates.take(crate::signed::MAX_TRIED) {
        match signature(&me.cert, candidate.cert.public_key()) {
            Signature::Valid => return IssuerSearch::Verified(j),
            Signature::Unverifiable(why) => outcome = IssuerSearch::Unverifiable(j, why),
            Signature::Invalid => {
                if matches!(outcome, IssuerSearch::Missing) {
                    outcome = IssuerSearch::BadSignature(j)
                }
            }
        }
    }
    outcome
}

fn summarize(i: usize, set: &[Parsed], policy: &Policy) -> CertSummary {
    let p = &set[i];
    let cert = &p.cert;
    let origin = &p.item.origin;
    let sha1 = crate::hex::sha1_upper(&p.item.der);
    let pinned_as = policy
        .profile
        .as_ref()
        .and_then(|profile| profile.pin_for(&p.sha256, &sha1));
    let mut findings = Vec::new();
    let mut add =
        |code, severity, message: String| findings.push(finding(code, severity, origin, message));

    let basic = cert.basic_constraints().ok().flatten().map(|b| b.value.ca);
    let ca = basic == Some(true);
    let v1 = cert.version() == X509Version::V1;
    // Issued by itself: its authority key identifier is its own key's, or it names itself as
    // issuer without saying which key signed it. (A key identifier, not a name, decides when both
    // are there: one altered byte in a root's name must not turn it into an unchecked intermediate.)
    let claims_self = match (&p.aki, &p.ski) {
        (Some(aki), Some(ski)) => aki == ski,
        (Some(_), None) => false,
        (None, _) => same_name(cert.subject(), cert.issuer()),
    };
    let self_signature = claims_self.then(|| signature(cert, cert.public_key()));
    let search =
        (!claims_self || self_signature == Some(Signature::Invalid)).then(|| find_issuer(i, set));
    let cross_certificate = claims_self && matches!(search, Some(IssuerSearch::Verified(_)));
    let role = match (ca || (v1 && claims_self), claims_self && !cross_certificate) {
        (false, _) => Role::Leaf,
        (true, true) => Role::Root,
        (true, false) => Role::Intermediate,
    };
    // A pin also says what the certificate is: a root pinned as an intermediate (or the reverse)
    // is not what the profile vouches for.
    let pin = pinned_as.filter(|p| p.role == role.as_str());

    if role == Role::Leaf {
        let message = match basic {
            Some(false) => "basicConstraints marks it as an end-entity (not a CA) certificate; only CA certificates belong in a bundle".to_string(),
            _ => "no basicConstraints extension marks it as a CA (only a v1 self-signed root may lack one); only CA certificates belong in a bundle".to_string(),
        };
        add(Code::NotCa, Severity::Error, message);
    } else if let Ok(Some(ku)) = cert.key_usage()
        && !ku.value.key_cert_sign()
    {
        add(
            Code::NoCertSign,
            Severity::Error,
            "keyUsage is present without keyCertSign: Windows will not accept it as an issuer"
                .into(),
        );
    }

    if cert.signature_algorithm != cert.tbs_certificate.signature {
        add(
            Code::BadSignature,
            Severity::Error,
            format!(
                "the signature algorithm inside the signed part ({}) differs from the one outside it ({}): the certificate was altered",
                describe::signature_algorithm(&cert.tbs_certificate.signature.algorithm),
                describe::signature_algorithm(&cert.signature_algorithm.algorithm)
            ),
        );
    }

    let issuer_name = describe::name(cert.issuer());
    let mut issuer_sha256 = None;
    if role == Role::Root {
        match &self_signature {
            // Windows never checks a root's self-signature: for a pinned root the pin is the trust.
            Some(Signature::Invalid) if pin.is_some() => add(
                Code::BadSignature,
                Severity::Warning,
                "its self-signature does not verify with its own key; it is pinned by fingerprint, and Windows does not check a root's self-signature".into(),
            ),
            Some(Signature::Invalid) => add(
                Code::BadSignature,
                Severity::Error,
                "its self-signature does not verify with its own key: the certificate was altered or is not what it claims".into(),
            ),
            Some(Signature::Unverifiable(why)) => add(
                Code::UnverifiableSignature,
                Severity::Warning,
                format!("self-signature not checked: {why}"),
            ),
            _ => {}
        }
    } else {
        match search {
            Some(IssuerSearch::Verified(j)) => issuer_sha256 = Some(set[j].sha256.clone()),
            Some(IssuerSearch::Unverifiable(j, why)) => {
                issuer_sha256 = Some(set[j].sha256.clone());
                add(
                    Code::UnverifiableSignature,
                    Severity::Warning,
                    format!("signature not checked against its issuer: {why}"),
                );
            }
            Some(IssuerSearch::BadSignature(j)) => add(
                Code::BadSignature,
                Severity::Error,
                format!(
                    "its signature does not verify with the key of its issuer \"{issuer_name}\" (SHA-1 {}) in the set{}",
                    crate::hex::sha1_upper(&set[j].item.der),
                    if p.aki.is_none() {
                        " (it does not say which key signed it: if another CA of that name issued it, give that one instead)"
                    } else {
                        ""
                    }
                ),
            ),
            Some(IssuerSearch::Missing) | None if role == Role::Intermediate => {
                add(Code::IssuerMissing, Severity::Warning, {
                    // Where to get it, when the profile knows a certificate of that name.
                    let download = policy.profile.as_ref().and_then(|profile| {
                        let short = describe::display_name(cert.issuer()).unwrap_or_default();
                        profile.pins_named(&short).first().map(|pin| {
                            format!(
                                "; profile {} pins \"{}\" (SHA-1 {}): add it{}",
                                profile.name,
                                pin.name,
                                pin.thumbprint(),
                                pin.urls
                                    .first()
                                    .map(|u| format!(", from {u}"))
                                    .unwrap_or_default()
                            )
                        })
                    });
                    format!(
                        "its issuer \"{issuer_name}\" is not in the set: the target machines must already trust it{}",
                        download.unwrap_or_default()
                    )
                })
            }
            _ => {}
        }
    }

    validity(cert, policy, pin.is_some(), &mut add);
    if let Some(profile) = &policy.profile
        && pin.is_none()
    {
        let name = describe::display_name(cert.subject()).unwrap_or_default();
        // What --allow-unpinned can never let through: a certificate that imitates a pinned one,
        // or one the profile vouches for in a way the certificate contradicts.
        let imitation = if let Some(p) = pinned_as {
            Some(format!(
                "not in profile {} as what it is: the profile pins it as {} \"{}\", but it is {} {}",
                profile.name,
                if p.role == "root" {
                    "the root"
                } else {
                    "the intermediate"
                },
                p.name,
                if role == Role::Intermediate {
                    "an"
                } else {
                    "a"
                },
                role.as_str()
            ))
        } else if let Some(p) = profile.half_pin_for(&p.sha256, &sha1) {
            Some(format!(
                "profile {} contradicts itself: \"{}\" matches only one of the two fingerprints the pin gives; fix the profile",
                profile.name, p.name
            ))
        } else {
            profile.pins_named(&name).first().map(|pinned| {
                format!(
                    "not in profile {}: it looks like the pinned \"{}\" (SHA-1 {}) but is not that certificate; never install a look-alike",
                    profile.name,
                    pinned.name,
                    pinned.thumbprint()
                )
            })
        };
        match imitation {
            Some(mut message) => {
                if policy.allow_unpinned {
                    message.push_str(" (--allow-unpinned does not cover this)");
                }
                add(Code::Unpinned, Severity::Error, message);
            }
            None if policy.allow_unpinned => add(
                Code::Unpinned,
                Severity::Warning,
                format!(
                    "not in profile {} (allowed by --allow-unpinned)",
                    profile.name
                ),
            ),
            None => add(
                Code::Unpinned,
                Severity::Error,
                format!("not in profile {}", profile.name),
            ),
        }
    }

    let key = describe::key(cert.public_key());
    if let KeyKind::Rsa(bits) = key
        && bits < 2048
    {
        add(
            Code::WeakKey,
            Severity::Warning,
            format!("RSA key of {bits} bits (under 2048)"),
        );
    }
    let algorithm = describe::signature_algorithm(&cert.signature_algorithm.algorithm);
    if role != Role::Root && describe::is_weak_signature(&cert.signature_algorithm.algorithm) {
        add(
            Code::WeakSignature,
            Severity::Warning,
            format!("signed with {algorithm}, a weak hash"),
        );
    }
    if role == Role::Intermediate
        && let Ok(Some(eku)) = cert.extended_key_usage()
        && !(eku.value.any || eku.value.code_signing || eku.value.time_stamping)
    {
        add(
            Code::WrongPurpose,
            Severity::Warning,
            "extendedKeyUsage allows neither code signing nor time stamping: Windows cannot use it to validate a code signature".into(),
        );
    }

    let version = cert.version().0 + 1;
    CertSummary {
        der: p.item.der.clone(),
        file: origin.clone(),
        name: describe::display_name(cert.subject())
            .unwrap_or_else(|| describe::name(cert.subject())),
        subject: describe::name(cert.subject()),
        issuer: issuer_name,
        serial: crate::hex::upper(cert.raw_serial()),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        sha1,
        sha256: p.sha256.clone(),
        role,
        store: role.store(),
        ca,
        self_signed: claims_self && !matches!(self_signature, Some(Signature::Invalid)),
        version,
        key: key.to_string(),
        signature_algorithm: algorithm,
        issuer_sha256,
        pinned: pin.is_some(),
        purpose: pin.map(Pin::purpose_label),
        purposes: pin.map(|p| p.purpose.clone()).unwrap_or_default(),
        evidence: pin.map(|p| p.evidence.as_str()),
        findings,
    }
}

fn validity(
    cert: &X509Certificate,
    policy: &Policy,
    pinned: bool,
    add: &mut impl FnMut(Code, Severity, String),
) {
    let date = |t: OffsetDateTime| t.date().to_string();
    let not_before = cert.validity().not_before.to_datetime();
    let not_after = cert.validity().not_after.to_datetime();
    if policy.now < not_before {
        add(
            Code::NotYetValid,
            Severity::Error,
            format!("not valid before {}", date(not_before)),
        );
    } else if policy.now > not_after {
        // Expired CAs still validate signatures time-stamped while they were valid.
        let (severity, tail) = if pinned {
            (
                Severity::Warning,
                " (pinned by the profile: it still validates older time-stamped signatures)",
            )
        } else if policy.allow_expired {
            (Severity::Warning, " (allowed by --allow-expired)")
        } else {
            (Severity::Error, "")
        };
        add(
            Code::Expired,
            severity,
            format!("expired on {}{tail}", date(not_after)),
        );
    } else if not_after - policy.now < time::Duration::days(EXPIRES_SOON_DAYS) {
        let days = (not_after - policy.now).whole_days();
        add(
            Code::ExpiresSoon,
            Severity::Warning,
            format!("expires on {} (in {days} days)", date(not_after)),
        );
    }
}
