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

pub(crate) mod items;
mod pe;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use ::time::OffsetDateTime;
use serde::Serialize;
use x509_parser::prelude::*;

use crate::chain::{self, Found, Identity, IssuerIndex, NameKey, describe};
use crate::load::pkcs7::{self, SignedData, SignerInfo};

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

/// How deep nested signatures and timestamps are followed (real files: 2).
const MAX_DEPTH: usize = 4;
/// Signatures read per file, timestamps included (real files: up to 4).
const MAX_SIGNATURES: usize = 64;
/// Certificates read per SignedData (real files: up to 10).
const MAX_CERTIFICATES: usize = 256;
/// Values read per attribute type of one signer (real files: 1).
const MAX_VALUES: usize = 16;
/// Certificates followed in one chain (real chains: up to 4).
const MAX_CHAIN: usize = 16;
/// Signature checks per file (choosing an issuer; real files: under 10).
const MAX_CHECKS: usize = 64;
/// Certificates larger than this are not checked (real ones: 1-2 KiB).
const MAX_CHECKED_SIZE: usize = 64 * 1024;

/// Why a file could not be read: what is wrong, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    /// What is wrong, as a sentence for that file.
    pub message: String,
    /// What to do.
    pub hint: String,
}

impl FileError {
    /// Not a PE file at all.
    fn not_pe(message: impl Into<String>) -> Self {
        Self::new(
            message,
            "give the signed program file itself (.exe, .dll, .sys); installers (.msi), archives \
(.cab, .zip) and security catalogs (.cat) are not read",
        )
    }

    /// A PE file without an embedded signature.
    fn not_signed(message: impl Into<String>) -> Self {
        Self::new(
            message,
            "Windows may vouch for this file through a security catalog instead, which is not \
read here; pick a binary that carries its own signature (its Properties show a Digital \
Signatures tab)",
        )
    }

    /// Truncated or damaged.
    fn damaged(message: impl Into<String>) -> Self {
        Self::new(
            message,
            "copy the file again from the affected machine, whole and unchanged, and compare its \
size with the original",
        )
    }

    /// Could not be opened or read.
    fn io(message: impl Into<String>) -> Self {
        Self::new(message, "check the path and that you may read the file")
    }

    fn new(message: impl Into<String>, hint: &str) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What kind of signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumIter)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SignatureKind {
    /// The file's own signature.
    Signature,
    /// A further signature nested inside (dual SHA-1 + SHA-256 signing).
    Nested,
    /// A legacy PKCS#9 countersignature (a timestamp).
    Countersignature,
    /// An RFC 3161 timestamp token.
    Timestamp,
}

impl SignatureKind {
    /// Its name in JSON (kebab-case).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// How it is written for people.
    pub(crate) fn label(self) -> &'static str {
        match self {
            SignatureKind::Signature => "signature",
            SignatureKind::Nested => "nested signature",
            SignatureKind::Countersignature => "countersignature (timestamp)",
            SignatureKind::Timestamp => "RFC 3161 timestamp",
        }
    }
}

/// One certificate of a chain, or one found in the file.
#[derive(Debug, Clone, Serialize)]
pub struct Cert {
    /// CN, else OU, else O.
    pub name: String,
    /// The distinguished name.
    subject: String,
    /// SHA-1 thumbprint.
    pub sha1: String,
    /// SHA-256.
    pub(crate) sha256: String,
    /// A CA certificate (basicConstraints CA, or a v1 self-signed one).
    pub(crate) ca: bool,
    /// Self-signed (a root).
    pub(crate) self_signed: bool,
    /// End of validity (RFC 3339 in JSON).
    #[serde(with = "::time::serde::rfc3339")]
    pub(crate) not_after: OffsetDateTime,
    /// Expired at the time given to the command (filled in by the command).
    pub(crate) expired: bool,
    /// The profile pin it matches by fingerprint (filled in by the command).
    pub(crate) pinned: Option<String>,
    /// A profile pin only one of whose two fingerprints matches: the profile and the certificate
    /// disagree (filled in by the command).
    pub(crate) half_pinned: Option<String>,
    /// A profile pin of the same name that this certificate is not: `build` refuses it as a
    /// look-alike (filled in by the command).
    pub(crate) lookalike: Option<String>,
    /// The DER (shared: a certificate appears in several chains).
    #[serde(skip)]
    pub(crate) der: Arc<[u8]>,
    /// Its names and key identifiers, as chain building compares them.
    #[serde(skip)]
    identity: Identity,
}

/// The issuer a chain stops short of: the file does not carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingIssuer {
    /// CN, else OU, else O.
    pub name: String,
    /// The distinguished name.
    pub(crate) subject: String,
    /// The authority key identifier of the last certificate (the issuer's key), hex.
    pub(crate) key_id: Option<String>,
    /// A certificate shipped with the profile that is this issuer (same name and key
    /// identifier), as `Name (SHA-1 …)` (filled in by the command).
    pub(crate) shipped: Option<String>,
    /// A profile pin of that name, and where to download it (filled in by the command).
    pub(crate) pinned_as: Option<String>,
    /// The issuer's name, normalised for comparison.
    #[serde(skip)]
    name_key: NameKey,
}

impl MissingIssuer {
    /// Whether `cert` is this issuer: the same name (by the one rule of [`chain`]) and, when
    /// both say, the same key identifier.
    pub(crate) fn is(&self, cert: &Cert) -> bool {
        cert.identity.subject == self.name_key
            && match (&self.key_id, &cert.identity.ski) {
                (Some(key_id), Some(ski)) => key_id.eq_ignore_ascii_case(&crate::hex::upper(ski)),
                _ => true,
            }
    }
}

/// One signature and what it carries.
#[derive(Debug, Clone, Serialize)]
pub struct Signature {
    /// What it is.
    pub(crate) kind: SignatureKind,
    /// Digest algorithm (`SHA-256`).
    pub(crate) digest_algorithm: String,
    /// The signer's subject, when its certificate is in the file.
    signer: Option<String>,
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
    pub(crate) fn visit_mut(&mut self, f: &mut dyn FnMut(&mut Signature)) {
        f(self);
        for s in self.timestamps.iter_mut().chain(self.nested.iter_mut()) {
            s.visit_mut(f);
        }
    }
}

/// Everything found in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    /// `PE32` or `PE32+`.
    pub(crate) format: String,
    /// Its signatures (one per certificate table entry, usually one).
    pub signatures: Vec<Signature>,
    /// Every distinct certificate in the file, in order of appearance.
    pub certificates: Vec<Cert>,
    /// Parts of the file that could not be read while others could (a damaged second
    /// certificate table entry, more signatures than are read).
    pub problems: Vec<String>,
}

/// What a walk over one file's signatures has found so far.
struct Walk {
    certificates: Vec<Cert>,
    seen: HashSet<String>,
    signatures: usize,
    /// Signature checks left.
    checks: usize,
}

impl Walk {
    fn remember(&mut self, cert: &Cert) {
        if self.seen.insert(cert.sha256.clone()) {
            self.certificates.push(cert.clone());
        }
    }

    /// Room for one more signature at `depth`, or why not.
    fn room(&self, depth: usize, what: &str) -> Result<(), String> {
        if depth > MAX_DEPTH {
            Err(format!(
                "{what} nested deeper than {MAX_DEPTH} levels were not read"
            ))
        } else if self.signatures >= MAX_SIGNATURES {
            Err(format!(
                "{what} beyond the first {MAX_SIGNATURES} signatures of the file were not read"
            ))
        } else {
            Ok(())
        }
    }
}

/// Reads the signatures of the PE file at `path`.
pub(crate) fn extract(path: &Path) -> Result<Extracted, FileError> {
    let metadata =
        std::fs::metadata(path).map_err(|e| FileError::io(format!("cannot read: {e}")))?;
    if metadata.is_dir() {
        return Err(FileError::not_pe("a folder, not a file"));
    }
    let file = std::fs::File::open(path).map_err(|e| FileError::io(format!("cannot read: {e}")))?;
    let len = file
        .metadata()
        .map_err(|e| FileError::io(format!("cannot read: {e}")))?
        .len();
    extract_from(file, len, path)
}

/// [`extract`] over any seekable bytes (`len` long); what the fuzz target calls. `_path` is not
/// read: the tests and the fuzz target still pass it.
pub fn extract_from<R: std::io::Read + std::io::Seek>(
    reader: R,
    len: u64,
    _path: &Path,
) -> Result<Extracted, FileError> {
    let table = pe::certificate_table(reader, len)?;
    let mut walk = Walk {
        certificates: Vec::new(),
        seen: HashSet::new(),
        signatures: 0,
        checks: MAX_CHECKS,
    };
    let mut signatures = Vec::new();
    let mut problems: Vec<String> = table.problem.into_iter().collect();
    let mut first_error = None;
    for (i, (kind, content)) in table.entries.iter().enumerate() {
        // Every entry counts, damaged or foreign: a table of millions of tiny entries is bounded.
        if i >= MAX_SIGNATURES {
            problems.push(format!(
                "certificate table entries beyond the first {MAX_SIGNATURES} were not read"
            ));
            break;
        }
        if *kind != pe::PKCS_SIGNED_DATA {
            continue;
        }
        if let Err(why) = walk.room(0, "certificate table entries") {
            problems.push(why);
            break;
        }
        match pkcs7::signed_data(content)
            .and_then(|signed| read_signature(&signed, SignatureKind::Signature, &[], 0, &mut walk))
        {
            Ok(signature) => signatures.push(signature),
            Err(e) => {
                walk.signatures += 1;
                let why = format!("signature {} is malformed: {e}", i + 1);
                problems.push(why.clone());
                first_error.get_or_insert(why);
            }
        }
    }
    if signatures.is_empty() {
        return Err(match (first_error, problems.first()) {
            (Some(why), _) => FileError::damaged(why),
            (None, Some(why)) => FileError::damaged(why.clone()),
            (None, None) => {
                FileError::not_signed("not signed: the certificate table holds no PKCS#7 signature")
            }
        });
    }
    Ok(Extracted {
        format: table.format.to_string(),
        signatures,
        certificates: walk.certificates,
        problems,
    })
}

/// A certificate embedded in a signature, parsed once, with what chain building needs.
struct EmbeddedCert<'a> {
    cert: X509Certificate<'a>,
    summary: Cert,
    identity: Identity,
}

impl Cert {
    /// The summary of one DER certificate (exactly one, nothing after it), as `extract` shows it;
    /// `None` when it is not one.
    pub(crate) fn from_der(der: &[u8]) -> Option<Cert> {
        parse_cert(der).map(|p| p.summary)
    }
}

fn parse_cert(der: &[u8]) -> Option<EmbeddedCert<'_>> {
    let (rest, cert) = X509Certificate::from_der(der).ok()?;
    if !rest.is_empty() {
        return None;
    }
    let identity = Identity::of(&cert);
    let self_signed = identity.claims_self();
    let not_after = cert.validity().not_after.to_datetime();
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
        not_after,
        expired: false,
        pinned: None,
        half_pinned: None,
        lookalike: None,
        der: der.into(),
        identity: identity.clone(),
    };
    Some(EmbeddedCert {
        cert,
        summary,
        identity,
    })
}

/// The certificates `signed` embeds (at most [`MAX_CERTIFICATES`]), each remembered by `walk`;
/// what could not be read is said in `problems`.
fn embedded_certificates<'a>(
    signed: &SignedData<'a>,
    walk: &mut Walk,
    problems: &mut Vec<String>,
) -> Vec<EmbeddedCert<'a>> {
    if signed.certificates.len() > MAX_CERTIFICATES {
        problems.push(format!(
            "only the first {MAX_CERTIFICATES} of its {} embedded certificates were read",
            signed.certificates.len()
        ));
    }
    let mut own = Vec::new();
    let mut unreadable = 0;
    for der in signed.certificates.iter().take(MAX_CERTIFICATES) {
        match parse_cert(der) {
            Some(p) => {
                walk.remember(&p.summary);
                own.push(p);
            }
            None => unreadable += 1,
        }
    }
    if unreadable > 0 {
        problems.push(format!(
            "{unreadable} embedded certificate(s) could not be read"
        ));
    }
    own
}

/// One signature of `signed` (its first signer), with its timestamps and nested signatures.
/// `outer` are the certificates of the enclosing SignedData (a timestamp's chain may continue
/// there), parsed once.
fn read_signature<'a>(
    signed: &SignedData<'a>,
    kind: SignatureKind,
    outer: &[&EmbeddedCert<'a>],
    depth: usize,
    walk: &mut Walk,
) -> Result<Signature, String> {
    let signer = signed.signers.first().ok_or("it has no signer")?;
    walk.signatures += 1;
    let mut problems = Vec::new();
    let own = embedded_certificates(signed, walk, &mut problems);
    let mut in_pool = HashSet::new();
    let pool = Pool::new(
        own.iter()
            .chain(outer.iter().copied())
            .filter(|p| in_pool.insert(p.summary.sha256.as_str()))
            .collect(),
    );
    let mut signature = signer_signature(signer, kind, &pool, &mut problems, &mut walk.checks);
    if kind == SignatureKind::Timestamp {
        if let Some(time) = signed
            .content
            .filter(|_| signed.content_type == OID_TST_INFO)
            .and_then(tst_gen_time)
        {
            signature.signing_time = Some(time);
        }
    }
    // Unsigned attributes: timestamps and nested signatures.
    for (i, value) in signer.values(OID_COUNTERSIGNATURE).enumerate() {
        if i >= MAX_VALUES {
            problems.push(format!(
                "countersignatures beyond the first {MAX_VALUES} were not read"
            ));
            break;
        }
        if let Err(why) = walk.room(depth + 1, "countersignatures") {
            problems.push(why);
            break;
        }
        match pkcs7::signer_info(value) {
            Ok(info) => {
                walk.signatures += 1;
                let mut inner_problems = Vec::new();
                let mut ts = signer_signature(
                    &info,
                    SignatureKind::Countersignature,
                    &pool,
                    &mut inner_problems,
                    &mut walk.checks,
                );
                ts.problems = inner_problems;
                signature.timestamps.push(ts);
            }
            Err(e) => problems.push(format!("a countersignature could not be read: {e}")),
        }
    }
    for (i, value) in signer.values(OID_RFC3161).enumerate() {
        if i >= MAX_VALUES {
            problems.push(format!(
                "timestamp tokens beyond the first {MAX_VALUES} were not read"
            ));
            break;
        }
        if let Err(why) = walk.room(depth + 1, "timestamp tokens") {
            problems.push(why);
            break;
        }
        match pkcs7::signed_data(value).and_then(|token| {
            read_signature(
                &token,
                SignatureKind::Timestamp,
                &pool.certs,
                depth + 1,
                walk,
            )
        }) {
            Ok(ts) => signature.timestamps.push(ts),
            Err(e) => problems.push(format!("a timestamp token could not be read: {e}")),
        }
    }
    for (i, value) in signer.values(OID_NESTED).enumerate() {
        if i >= MAX_VALUES {
            problems.push(format!(
                "nested signatures beyond the first {MAX_VALUES} were not read"
            ));
            break;
        }
        if let Err(why) = walk.room(depth + 1, "nested signatures") {
            problems.push(why);
            break;
        }
        match pkcs7::signed_data(value)
            .and_then(|inner| read_signature(&inner, SignatureKind::Nested, &[], depth + 1, walk))
        {
            Ok(nested) => signature.nested.push(nested),
            Err(e) => problems.push(format!("a nested signature could not be read: {e}")),
        }
    }
    signature.problems.extend(problems);
    Ok(signature)
}

/// The certificates a signature may draw its chain from, indexed by subject name.
struct Pool<'p, 'a> {
    certs: Vec<&'p EmbeddedCert<'a>>,
    index: IssuerIndex,
}

impl<'p, 'a> Pool<'p, 'a> {
    fn new(certs: Vec<&'p EmbeddedCert<'a>>) -> Self {
        let index = IssuerIndex::new(certs.iter().map(|c| &c.identity));
        Pool { certs, index }
    }
}

/// The signature of one signer: its certificate among `pool`, the chain above it.
fn signer_signature(
    signer: &SignerInfo,
    kind: SignatureKind,
    pool: &Pool,
    problems: &mut Vec<String>,
    checks: &mut usize,
) -> Signature {
    let leaf = pool.certs.iter().position(|p| {
        match (signer.issuer, signer.serial, signer.subject_key_id) {
            (Some(issuer), Some(serial), _) => {
                p.cert.issuer().as_raw() == issuer && p.cert.raw_serial() == serial
            }
            (_, _, Some(ski)) => p.identity.ski.as_deref() == Some(ski),
            _ => false,
        }
    });
    let signing_time = signer
        .signed
        .iter()
        .filter(|a| a.oid == OID_SIGNING_TIME)
        .flat_map(|a| a.values.iter())
        .find_map(|v| signing_time(v));
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
    signature.signer = Some(pool.certs[at].summary.subject.clone());
    let mut visited = vec![at];
    loop {
        let current = pool.certs[at];
        signature.chain.push(current.summary.clone());
        if current.summary.self_signed {
            break;
        }
        if signature.chain.len() >= MAX_CHAIN {
            problems.push(format!(
                "the chain was followed for {MAX_CHAIN} certificates and no further"
            ));
            break;
        }
        match next_issuer(current, pool, &visited, problems, checks) {
            Some(next) => {
                visited.push(next);
                at = next;
            }
            None => {
                signature.missing_issuer = Some(MissingIssuer {
                    name: describe::display_name(current.cert.issuer()).unwrap_or_default(),
                    subject: describe::name(current.cert.issuer()),
                    key_id: current.identity.aki.as_deref().map(crate::hex::upper),
                    shipped: None,
                    pinned_as: None,
                    name_key: current.identity.issuer.clone(),
                });
                break;
            }
        }
    }
    signature
}

/// The issuer of `current` in `pool`, not yet in the chain (`visited`): the one whose key
/// verifies the signature, else one whose key cannot be checked here. Only a bounded number of
/// checks per file: after that, the name decides.
fn next_issuer(
    current: &EmbeddedCert,
    pool: &Pool,
    visited: &[usize],
    problems: &mut Vec<String>,
    checks: &mut usize,
) -> Option<usize> {
    let candidates = pool
        .index
        .candidates(&current.identity, |j| &pool.certs[j].identity)
        .filter(|j| !visited.contains(j));
    let found = IssuerIndex::find(candidates, |i| {
        if *checks == 0 {
            if !problems
                .iter()
                .any(|p| p.starts_with("signature checks used up"))
            {
                problems.push(format!(
                    "signature checks used up ({MAX_CHECKS} per file): issuers chosen by name only"
                ));
            }
            return chain::Signature::Unverifiable("no checks left".into());
        }
        if current.summary.der.len() > MAX_CHECKED_SIZE {
            return chain::Signature::Unverifiable("too large to check".into());
        }
        *checks -= 1;
        chain::check_signature(&current.cert, pool.certs[i].cert.public_key())
    });
    if let Found::BadSignature(_, impostors) = found {
        problems.push(format!(
            "{impostors} certificate(s) named like the issuer of {} are in the file, but their keys did not sign it",
            current.summary.name
        ));
    }
    found.issuer()
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
            return signing_time(raw);
        }
        rest = next;
    }
    None
}

/// A UTCTime or GeneralizedTime element (a signingTime value, a TSTInfo's genTime) as RFC 3339,
/// to the second (`2026-11-25T10:00:00Z`).
fn signing_time(raw: &[u8]) -> Option<String> {
    #[cfg(test)]
    tests::TIMES_READ.with(|t| t.borrow_mut().push(raw.to_vec()));
    let (_, time) = x509_parser::time::ASN1Time::from_der(raw).ok()?;
    time.to_datetime()
        .replace_nanosecond(0)
        .ok()?
        .format(&::time::format_description::well_known::Rfc3339)
        .ok()
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

/// The minimal PE the integration tests sign, for the unit tests here.
#[cfg(test)]
#[path = "../../tests/it/common/pe.rs"]
#[allow(dead_code)]
mod pe_fixture;

#[cfg(test)]
mod tests;
