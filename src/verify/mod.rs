//! Verification: certificate bytes + a policy (the clock, what is tolerated) -> owned summaries
//! with findings.
//!
//! Parses each item with x509-parser, drops exact duplicates (keeping the first), decides each
//! certificate's role from the certificate itself (self-signed CA -> root, other CA ->
//! intermediate), finds issuers within the set by name and key identifier and checks signatures
//! with the issuer's key. A bad certificate is a finding, never an `Err`. No filesystem, no clock
//! (the instant comes in the policy), never prints.

mod finding;
mod rules;

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::asn1_rs::{Any, FromBer};
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer;
use x509_parser::x509::X509Version;

pub use crate::chain::{Role, Store};
pub use finding::{Code, Finding, Severity};

use crate::chain::{self, Found, Identity, IssuerIndex, Signature, describe};
use crate::load::{Item, Origin};
use crate::profile::Pin;
use rules::{Facts, Note};

/// Certificates expiring within this many days get `expires-soon`.
const EXPIRES_SOON_DAYS: i64 = 90;

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
    /// Whether to look for the issuer of each certificate that does not claim to be its own,
    /// checking its signature with each candidate's key. `verify` turns it off: a certificate's
    /// role never depends on it (a certificate naming itself as issuer whose self-signature
    /// fails or cannot be checked is still searched), and its audit reads nothing else the
    /// search decides.
    pub find_issuers: bool,
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
            find_issuers: true,
        }
    }
}

/// Everything later stages need to know about one certificate; owns its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// The DER bytes.
    #[serde(skip)]
    pub(crate) der: Vec<u8>,
    /// Where it was first found.
    pub file: Origin,
    /// The name people know it by (CN, else OU, else O).
    pub name: String,
    /// Subject DN, RFC 4514.
    pub(crate) subject: String,
    /// Issuer DN, RFC 4514.
    pub(crate) issuer: String,
    /// Serial number, upper-case hex of its encoded bytes (as Windows shows it).
    pub(crate) serial: String,
    /// Start of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) not_before: OffsetDateTime,
    /// End of validity.
    #[serde(with = "time::serde::rfc3339")]
    pub(crate) not_after: OffsetDateTime,
    /// SHA-1 of the DER: the Windows thumbprint.
    pub(crate) sha1: String,
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
    pub(crate) purposes: Vec<crate::profile::Purpose>,
    /// The profile's evidence for it, when pinned (`vendor-listed`, `inferred`, `candidate`).
    pub(crate) evidence: Option<&'static str>,
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
    pub(crate) missing_pins: Vec<Pin>,
}

impl Checked {
    /// Every finding, rejected items first, then per certificate.
    pub(crate) fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.rejected
            .iter()
            .chain(self.certificates.iter().flat_map(|c| c.findings.iter()))
            .chain(self.missing.iter())
    }

    /// How many findings have this severity.
    pub(crate) fn count(&self, severity: Severity) -> usize {
        self.findings().filter(|f| f.severity == severity).count()
    }
}

/// One distinct certificate of the set being checked, parsed once.
struct SetMember<'a> {
    item: &'a Item,
    cert: X509Certificate<'a>,
    sha256: String,
    identity: Identity,
}

/// Verifies a set of items.
pub fn check(items: &[Item], policy: &Policy) -> Checked {
    let mut rejected = Vec::new();
    let mut unique: Vec<SetMember> = Vec::new();
    let mut positions: HashMap<String, usize> = HashMap::new();
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
                if let Some(&first) = positions.get(&sha256) {
                    let message = format!(
                        "same certificate (SHA-256 {sha256}) given more than once; kept once"
                    );
                    duplicates.push((
                        first,
                        finding(Code::Duplicate, Severity::Info, &item.origin, message),
                    ));
                } else {
                    positions.insert(sha256.clone(), unique.len());
                    unique.push(SetMember {
                        item,
                        identity: Identity::of(&cert),
                        cert,
                        sha256,
                    });
                }
            }
        }
    }
    let index = IssuerIndex::new(unique.iter().map(|m| &m.identity));
    let mut certificates: Vec<CertSummary> = (0..unique.len())
        .map(|i| summarize(i, &unique, &index, policy))
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
        let Note {
            code,
            severity,
            message,
        } = rules::missing(pin, policy);
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
    // x509-parser reads an attribute type's OID even when it is not DER, as numbers it may not
    // encode (`55 04 83` as 2.5.4.3): such a name could pass for another.
    for (part, name) in [("subject", cert.subject()), ("issuer", cert.issuer())] {
        if let Some(hex) = describe::invalid_attribute_type(name) {
            return Err(format!(
                "its {part} has an attribute type whose OID is not valid DER (hex {hex}), which a lenient reader may take for another type; do not install it: get the certificate again from its publisher"
            ));
        }
    }
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

/// The issuer of the certificate at `i` within the set.
fn find_issuer(i: usize, set: &[SetMember], index: &IssuerIndex) -> Found {
    let me = &set[i];
    let candidates = index
        .candidates(&me.identity, |j| &set[j].identity)
        .filter(|&j| j != i);
    IssuerIndex::find(candidates, |j| {
        chain::check_signature(&me.cert, set[j].cert.public_key())
    })
}

/// The summary of the certificate at `i`: its role decided from the certificate and its issuer
/// in the set, then every rule of [`rules`] in a fixed order.
fn summarize(i: usize, set: &[SetMember], index: &IssuerIndex, policy: &Policy) -> CertSummary {
    let m = &set[i];
    let cert = &m.cert;
    let sha1 = crate::hex::sha1_upper(&m.item.der);
    let pinned_as = policy
        .profile
        .as_ref()
        .and_then(|profile| profile.pin_for(&m.sha256, &sha1));
    let basic = cert.basic_constraints().ok().flatten().map(|b| b.value.ca);
    let ca = basic == Some(true);
    let v1 = cert.version() == X509Version::V1;
    let claims_self = m.identity.claims_self();
    let self_signature = claims_self.then(|| chain::check_signature(cert, cert.public_key()));
    // A certificate naming itself whose own key does not (or cannot be shown to) sign it may be
    // another CA's certificate for that name and key: the search decides.
    let search = ((!claims_self && policy.find_issuers)
        || matches!(
            self_signature,
            Some(Signature::Invalid | Signature::Unverifiable(_))
        ))
    .then(|| find_issuer(i, set, index));
    let cross_certificate = claims_self && matches!(search, Some(Found::Verified(_)));
    let role = match (ca || (v1 && claims_self), claims_self && !cross_certificate) {
        (false, _) => Role::Leaf,
        (true, true) => Role::Root,
        (true, false) => Role::Intermediate,
    };
    // A pin also says what the certificate is: a root pinned as an intermediate (or the reverse)
    // is not what the profile vouches for.
    let pin = pinned_as.filter(|p| p.role == role);
    let facts = Facts {
        cert,
        role,
        sha256: &m.sha256,
        sha1: &sha1,
        pinned_as,
        pin,
        policy,
    };
    let key = describe::key(cert.public_key());
    let algorithm = describe::signature_algorithm(&cert.signature_algorithm.algorithm);
    let issuer_sha256 = match &search {
        Some(Found::Verified(j) | Found::Unverifiable(j, _)) if role != Role::Root => {
            Some(set[*j].sha256.clone())
        }
        _ => None,
    };
    let chain_note = if role == Role::Root {
        rules::self_signature(&facts, self_signature.as_ref())
    } else if search.is_none() && !policy.find_issuers {
        None // not looked for: nothing to say about its issuer
    } else {
        let tried = match &search {
            Some(Found::BadSignature(j, _)) => Some(crate::hex::sha1_upper(&set[*j].item.der)),
            _ => None,
        };
        rules::issuer(
            &facts,
            search.as_ref(),
            m.identity.aki.is_some(),
            tried.as_deref(),
        )
    };
    let notes = [
        rules::ca_use(&facts, basic),
        rules::altered_algorithm(&facts),
        chain_note,
        rules::validity(&facts),
        rules::unpinned(&facts),
        rules::weak_key(&key),
        rules::weak_signature(&facts, &algorithm),
        rules::wrong_purpose(&facts),
    ];
    let origin = &m.item.origin;
    let findings = notes
        .into_iter()
        .flatten()
        .map(|n| finding(n.code, n.severity, origin, n.message))
        .collect();
    CertSummary {
        der: m.item.der.clone(),
        file: origin.clone(),
        name: describe::display_name(cert.subject())
            .unwrap_or_else(|| describe::name(cert.subject())),
        subject: describe::name(cert.subject()),
        issuer: describe::name(cert.issuer()),
        serial: crate::hex::upper(cert.raw_serial()),
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        sha1,
        sha256: m.sha256.clone(),
        role,
        store: role.store(),
        ca,
        self_signed: claims_self && !matches!(self_signature, Some(Signature::Invalid)),
        version: cert.version().0 + 1,
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
