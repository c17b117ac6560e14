//! The certificates inside a signed Windows binary: every Authenticode signature of a PE file
//! (the primary one, nested ones from dual signing, legacy PKCS#9 countersignatures and RFC 3161
//! timestamp tokens), each with its signer, signing time and chain as embedded, and the issuer
//! the file does not carry.
//!
//! ```text
//! pe::certificate_table   file      -> WIN_CERTIFICATE entries (bounded, checked offsets)
//! load::pkcs7             entry     -> SignedData / SignerInfo (tolerant of unused choices)
//! extract                 both      -> signatures, chains, every certificate found
//! ```
//!
//! Pure apart from reading the one file; nothing here knows about profiles.

pub mod pe;

use std::path::{Path, PathBuf};

use serde::Serialize;
use x509_parser::prelude::*;

use crate::load::pkcs7::{self, SignedData, SignerInfo};
use crate::verify::describe;

/// `counterSignature` (PKCS#9): a timestamp as a `SignerInfo`, certificates in the outer set.
const OID_COUNTERSIGNATURE: &str = "1.2.840.113549.1.9.6";
/// `signingTime` (PKCS#9).
const OID_SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
/// `szOID_RFC3161_counterSign`: an RFC 3161 timestamp token with its own certificates.
const OID_RFC3161: &str = "1.3.6.1.4.1.311.3.3.1";
/// `szOID_NESTED_SIGNATURE`: another whole Authenticode signature (dual signing).
const OID_NESTED: &str = "1.3.6.1.4.1.311.2.4.1";
/// `id-ct-TSTInfo`.
const OID_TST_INFO: &str = "1.2.840.113549.1.9.16.1.4";

/// How deep nested signatures are followed.
const MAX_DEPTH: usize = 4;

/// What kind of signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The file's own signature.
    Signature,
    /// A further signature nested inside (dual SHA-1 + SHA-256 signing).
    Nested,
    /// A legacy PKCS#9 countersignature (a timestamp).
    Countersignature,
    /// An RFC 3161 timestamp token.
    Timestamp,
}

impl Kind {
    /// Words.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Signature => "signature",
            Kind::Nested => "nested signature",
            Kind::Countersignature => "countersignature (timestamp)",
            Kind::Timestamp => "RFC 3161 timestamp",
        }
    }
}

/// One certificate of a chain, or one found in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Cert {
    /// CN, else OU, else O.
    pub name: String,
    /// The distinguished name.
    pub subject: String,
    /// SHA-1 thumbprint.
    pub sha1: String,
    /// SHA-256.
    pub sha256: String,
    /// A CA certificate (basicConstraints CA, or a v1 self-signed one).
    pub ca: bool,
    /// Self-signed (a root).
    pub self_signed: bool,
    /// The profile pin it matches by fingerprint (filled in by the command).
    pub pinned: Option<String>,
    /// The DER.
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// The issuer a chain stops short of: the file does not carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingIssuer {
    /// CN, else OU, else O.
    pub name: String,
    /// The distinguished name.
    pub subject: String,
    /// The authority key identifier of the last certificate (the issuer's key), hex.
    pub key_id: Option<String>,
    /// A certificate shipped with the profile that is this issuer (same name and key
    /// identifier), as `Name (SHA-1 …)` (filled in by the command).
    pub shipped: Option<String>,
    /// A profile pin of that name, and where to download it (filled in by the command).
    pub pinned_as: Option<String>,
}

/// One signature and what it carries.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// What it is.
    pub kind: Kind,
    /// Digest algorithm (`SHA-256`).
    pub digest_algorithm: String,
    /// The signer's subject, when its certificate is in the file.
    pub signer: Option<String>,
    /// Signing time (a timestamp's time, or the signingTime attribute), RFC 3339.
    pub signing_time: Option<String>,
    /// Leaf first, then each issuer found in the file.
    pub chain: Vec<Cert>,
    /// The issuer of the last certificate of the chain when the file does not carry it (always
    /// the case for a root).
    pub missing_issuer: Option<MissingIssuer>,
    /// Timestamps of this signature.
    pub timestamps: Vec<Signature>,
    /// Signatures nested inside this one.
    pub nested: Vec<Signature>,
    /// Parts of this signature that could not be read (the rest still counts).
    pub problems: Vec<String>,
}

impl Signature {
    /// This signature and every one inside it, depth first.
    pub fn all(&self) -> Vec<&Signature> {
        let mut out = vec![self];
        for s in self.timestamps.iter().chain(&self.nested) {
            out.extend(s.all());
        }
        out
    }

    /// Calls `f` on this signature and every one inside it, depth first.
    pub fn visit_mut(&mut self, f: &mut dyn FnMut(&mut Signature)) {
        f(self);
        for s in self.timestamps.iter_mut().chain(self.nested.iter_mut()) {
            s.visit_mut(f);
        }
    }
}

/// Everything found in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    /// The file.
    pub file: PathBuf,
    /// `PE32` or `PE32+`.
    pub format: String,
    /// Its signatures (one per certificate table entry, usually one).
    pub signatures: Vec<Signature>,
    /// Every distinct certificate in the file, in order of appearance.
    pub certificates: Vec<Cert>,
}

/// Reads the signatures of the PE file at `path`; the error is a sentence for that file.
pub fn extract(path: &Path) -> Result<Extracted, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read: {e}"))?
        .len();
    extract_from(file, len, path)
}

/// [`extract`] over any seekable bytes (`len` long), reported as `path`; what the fuzz target
/// calls.
pub fn extract_from<R: std::io::Read + std::io::Seek>(
    reader: R,
    len: u64,
    path: &Path,
) -> Result<Extracted, String> {
    let table = pe::certificate_table(reader, len)?;
    let mut out = Extracted {
        file: path.to_path_buf(),
        format: table.format.to_string(),
        signatures: Vec::new(),
        certificates: Vec::new(),
    };
    for (i, (kind, content)) in table.entries.iter().enumerate() {
        if *kind != pe::PKCS_SIGNED_DATA {
            continue;
        }
        let signed = pkcs7::signed_data(content)
            .map_err(|e| format!("signature {} is malformed: {e}", i + 1))?;
        let signature = read_signature(&signed, Kind::Signature, &[], 0, &mut out.certificates)
            .map_err(|e| format!("signature {} is malformed: {e}", i + 1))?;
        out.signatures.push(signature);
    }
    if out.signatures.is_empty() {
        return Err("not signed: the certificate table holds no PKCS#7 signature".into());
    }
    Ok(out)
}

/// A certificate parsed once, with what chain building needs.
struct Parsed<'a> {
    cert: X509Certificate<'a>,
    summary: Cert,
    ski: Option<Vec<u8>>,
    aki: Option<Vec<u8>>,
}

fn parse_cert(der: &[u8]) -> Option<Parsed<'_>> {
    let (rest, cert) = X509Certificate::from_der(der).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let (ski, aki) = crate::verify::key_identifiers(&cert);
    let same_name = cert.subject().as_raw() == cert.issuer().as_raw();
    let self_signed = same_name
        && match (&aki, &ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        };
    let ca = cert
        .basic_constraints()
        .ok()
        .flatten()
        .map(|bc| bc.value.ca)
        .unwrap_or(cert.version() == X509Version::V1 && self_signed);
    let summary = Cert {
        name: describe::display_name(cert.subject()).unwrap_or_default(),
        subject: describe::name(cert.subject()),
        sha1: crate::hex::sha1_upper(der),
        sha256: crate::hex::sha256_upper(der),
        ca,
        self_signed,
        pinned: None,
        der: der.to_vec(),
    };
    Some(Parsed {
        cert,
        summary,
        ski,
        aki,
    })
}

fn remember(found: &mut Vec<Cert>, cert: &Cert) {
    if !found.iter().any(|c| c.sha256 == cert.sha256) {
        found.push(cert.clone());
    }
}

/// One signature of `signed` (its first signer), with its timestamps and nested signatures.
/// `outer` are certificates of the enclosing SignedData (a legacy countersignature's signer is
/// there).
fn read_signature(
    signed: &SignedData,
    kind: Kind,
    outer: &[&[u8]],
    depth: usize,
    found: &mut Vec<Cert>,
) -> Result<Signature, String> {
    let signer = signed.signers.first().ok_or("it has no signer")?;
    let mut problems = Vec::new();
    let mut pool: Vec<Parsed> = Vec::new();
    for der in signed.certificates.iter().chain(outer) {
        match parse_cert(der) {
            Some(p) => {
                if signed.certificates.contains(der) {
                    remember(found, &p.summary);
                }
                if !pool.iter().any(|q| q.summary.sha256 == p.summary.sha256) {
                    pool.push(p);
                }
            }
            None => problems.push("an embedded certificate could not be read".to_string()),
        }
    }
    let mut signature = signer_signature(signer, kind, &pool, &mut problems);
    if kind == Kind::Timestamp {
        if let Some(time) = signed
            .content
            .filter(|_| signed.content_type == OID_TST_INFO)
            .and_then(tst_gen_time)
        {
            signature.signing_time = Some(time);
        }
    }
    // Unsigned attributes: timestamps and nested signatures.
    for value in signer.values(OID_COUNTERSIGNATURE) {
        match pkcs7::signer_info(value) {
            Ok(info) => {
                let mut inner_problems = Vec::new();
                let mut ts =
                    signer_signature(&info, Kind::Countersignature, &pool, &mut inner_problems);
                ts.problems = inner_problems;
                signature.timestamps.push(ts);
            }
            Err(e) => problems.push(format!("a countersignature could not be read: {e}")),
        }
    }
    for value in signer.values(OID_RFC3161) {
        match pkcs7::signed_data(value) {
            Ok(token) => match read_signature(
                &token,
                Kind::Timestamp,
                &signed.certificates,
                depth + 1,
                found,
            ) {
                Ok(ts) => signature.timestamps.push(ts),
                Err(e) => problems.push(format!("a timestamp token could not be read: {e}")),
            },
            Err(e) => problems.push(format!("a timestamp token could not be read: {e}")),
        }
    }
    for value in signer.values(OID_NESTED) {
        if depth >= MAX_DEPTH {
            problems.push("nested signatures deeper than 4 levels were not read".into());
            break;
        }
        match pkcs7::signed_data(value)
            .and_then(|inner| read_signature(&inner, Kind::Nested, &[], depth + 1, found))
        {
            Ok(nested) => signature.nested.push(nested),
            Err(e) => problems.push(format!("a nested signature could not be read: {e}")),
        }
    }
    signature.problems.extend(problems);
    Ok(signature)
}

/// The signature of one signer: its certificate among `pool`, the chain above it.
fn signer_signature(
    signer: &SignerInfo,
    kind: Kind,
    pool: &[Parsed],
    problems: &mut Vec<String>,
) -> Signature {
    let leaf =
        pool.iter().position(
            |p| match (signer.issuer, signer.serial, signer.subject_key_id) {
                (Some(issuer), Some(serial), _) => {
                    p.cert.issuer().as_raw() == issuer && p.cert.raw_serial() == serial
                }
                (_, _, Some(ski)) => p.ski.as_deref() == Some(ski),
                _ => false,
            },
        );
    let signing_time = signer
        .signed
        .iter()
        .filter(|a| a.oid == OID_SIGNING_TIME)
        .flat_map(|a| a.values.iter())
        .find_map(|v| asn1_time(v));
    let mut signature = Signature {
        kind,
        digest_algorithm: digest_name(&signer.digest_algorithm),
        signer: None,
        signing_time,
        chain: Vec::new(),
        missing_issuer: None,
        timestamps: Vec::new(),
        nested: Vec::new(),
        problems: Vec::new(),
    };
    let Some(mut at) = leaf else {
        problems.push("the signer's certificate is not in the file".into());
        return signature;
    };
    signature.signer = Some(pool[at].summary.subject.clone());
    let mut visited = vec![at];
    loop {
        let current = &pool[at];
        signature.chain.push(current.summary.clone());
        if current.summary.self_signed {
            break;
        }
        let issuer = pool.iter().position(|p| {
            p.cert.subject().as_raw() == current.cert.issuer().as_raw()
                && match (&current.aki, &p.ski) {
                    (Some(aki), Some(ski)) => aki == ski,
                    _ => true,
                }
        });
        match issuer {
            Some(next) if !visited.contains(&next) => {
                visited.push(next);
                at = next;
            }
            _ => {
                signature.missing_issuer = Some(MissingIssuer {
                    name: describe::display_name(current.cert.issuer()).unwrap_or_default(),
                    subject: describe::name(current.cert.issuer()),
                    key_id: current.aki.as_deref().map(crate::hex::upper),
                    shipped: None,
                    pinned_as: None,
                });
                break;
            }
        }
    }
    signature
}

/// `genTime` of a TSTInfo: version, policy, messageImprint, serialNumber, genTime, ...
fn tst_gen_time(tst_info: &[u8]) -> Option<String> {
    use x509_parser::asn1_rs::{Any, FromBer, Tag};
    let (_, seq) = Any::from_ber(tst_info).ok()?;
    let mut rest = seq.data;
    while !rest.is_empty() {
        let (next, any) = Any::from_ber(rest).ok()?;
        if any.tag() == Tag::GeneralizedTime {
            let raw = &rest[..rest.len() - next.len()];
            return asn1_time(raw);
        }
        rest = next;
    }
    None
}

/// A UTCTime or GeneralizedTime element as RFC 3339 (`2026-11-25T10:00:00Z`).
fn asn1_time(raw: &[u8]) -> Option<String> {
    use x509_parser::asn1_rs::{Any, FromBer, Tag};
    let (_, any) = Any::from_ber(raw).ok()?;
    let text = std::str::from_utf8(any.data).ok()?.trim_end_matches('Z');
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (year, rest) = match any.tag() {
        Tag::UtcTime if text.len() >= 12 && digits(&text[..12]) => {
            let yy: u32 = text[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        Tag::GeneralizedTime if text.len() >= 14 && digits(&text[..14]) => {
            (text[..4].parse().ok()?, &text[4..])
        }
        _ => return None,
    };
    Some(format!(
        "{year:04}-{}-{}T{}:{}:{}Z",
        &rest[0..2],
        &rest[2..4],
        &rest[4..6],
        &rest[6..8],
        &rest[8..10]
    ))
}

/// A digest algorithm's name.
fn digest_name(oid: &str) -> String {
    match oid {
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "1.2.840.113549.2.5" => "MD5",
        other => return other.to_string(),
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_both_asn1_forms() {
        assert_eq!(
            asn1_time(b"\x17\x0d261125103000Z").as_deref(),
            Some("2026-11-25T10:30:00Z")
        );
        assert_eq!(
            asn1_time(b"\x17\x0d991231235959Z").as_deref(),
            Some("1999-12-31T23:59:59Z")
        );
        assert_eq!(
            asn1_time(b"\x18\x1320261125103000.123Z").as_deref(),
            Some("2026-11-25T10:30:00Z")
        );
        assert_eq!(asn1_time(b"\x17\x03abc"), None);
        assert_eq!(digest_name("2.16.840.1.101.3.4.2.1"), "SHA-256");
    }
}
