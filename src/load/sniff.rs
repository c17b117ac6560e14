//! Content detection for one file's bytes: what is in it, by structure, never by name.

use x509_parser::asn1_rs::{Any, Class, FromBer, Tag};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use x509_parser::revocation_list::CertificateRevocationList;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::pkcs7;

/// What a file holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Content {
    /// Certificate candidates: DER bytes, and a defect when they are already known to be broken.
    Certificates(Vec<(Vec<u8>, Option<String>)>),
    /// Private key material of the named kind.
    PrivateKey(String),
    /// Something certificate-related that is not a certificate (request, CRL, public key...).
    NotACertificate(String),
    /// Neither certificates nor keys.
    Nothing {
        /// The bytes start like a DER structure (a truncated certificate, say).
        looks_like_der: bool,
        /// What was found, for the user.
        reason: String,
    },
}

const OID_PKCS7_DATA: &str = "1.2.840.113549.1.7.1";
const OID_PKCS7_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// Classifies a file's bytes.
///
/// A complete DER structure at the start wins over any text inside it (a certificate may carry
/// PEM armour in a comment or a name); anything after it is classified too, so a key appended to
/// a certificate is still found. Otherwise PEM text is read, and binary data between PEM blocks is
/// refused rather than ignored.
pub fn classify(bytes: &[u8]) -> Content {
    classify_within(bytes, 0, true)
}

/// How many structures [`classify`] follows one after another (a key after a certificate after
/// a certificate...) before it refuses the file: each is one more call deep, and a file of
/// thousands of certificates end to end would overflow the stack.
const MAX_CHAINED: usize = 32;

/// Why a file with more than [`MAX_CHAINED`] structures one after another is refused.
const TOO_MANY_CHAINED: &str = "more than 32 DER structures one after another; give one certificate (or one PKCS#7) per file, or PEM text";

/// [`classify`] for a part of the file, `depth` structures in. `pem` is false for binary data
/// between PEM blocks: the PEM labels of the whole text were already looked at, and the same
/// text again would never end.
fn classify_within(bytes: &[u8], depth: usize, pem: bool) -> Content {
    if depth > MAX_CHAINED {
        return Content::NotACertificate(TOO_MANY_CHAINED.into());
    }
    if let Some(what) = binary_key_magic(bytes) {
        return Content::PrivateKey(what.into());
    }
    // ('0' is 0x30 too: a text file starting with a digit is not DER unless it reads as such.)
    if bytes.first() == Some(&0x30)
        && let Ok((rest, _)) = Any::from_ber(bytes)
    {
        let structure = &bytes[..bytes.len() - rest.len()];
        let content = classify_der(structure);
        if !matches!(content, Content::Nothing { .. }) {
            return with_trailing(content, bytes, rest, depth);
        }
    }
    let text = decode_text(bytes);
    if pem && contains(&text, b"-----BEGIN ") {
        return classify_pem(&text, depth);
    }
    classify_der(bytes)
}

/// Whether `bytes` really hold private key material: a decodable PEM key block, a DER key, a key
/// file magic. Stricter than [`classify`], which refuses even a broken block labelled as a key:
/// this is for scanning files we wrote (a certificate's name may contain PEM armour as text).
pub(crate) fn holds_private_key(bytes: &[u8]) -> bool {
    if binary_key_magic(bytes).is_some() {
        return true;
    }
    if bytes.first() == Some(&0x30)
        && let Ok((_, top)) = Any::from_ber(bytes)
        && der_key_shape(&children(top.data)).is_some()
    {
        return true;
    }
    let text = decode_text(bytes);
    pem_spans(&text).iter().any(|span| {
        pem::parse(&text[span.clone()]).is_ok_and(|block| block.tag().contains("PRIVATE KEY"))
    })
}

/// What a part of a file (found `place`, e.g. "between PEM blocks") decides for the whole file,
/// if anything: a private key refuses it, and so does a chain of DER structures too long to follow.
fn decisive(part: Content, place: &str) -> Option<Content> {
    match part {
        Content::PrivateKey(what) => Some(Content::PrivateKey(format!("{what}, {place}"))),
        Content::NotACertificate(why) if why == TOO_MANY_CHAINED => {
            Some(Content::NotACertificate(why))
        }
        _ => None,
    }
}

/// Applies what follows the first DER structure: keys are refused, anything else makes a
/// certificate file defective (verify reports the trailing bytes).
fn with_trailing(content: Content, whole: &[u8], rest: &[u8], depth: usize) -> Content {
    if rest.is_empty() {
        return content;
    }
    if let Some(refused) = decisive(
        classify_within(rest, depth + 1, true),
        "after the first DER structure",
    ) {
        return refused;
    }
    match content {
        Content::Certificates(found)
            if found.len() > 1
                || found
                    .iter()
                    .any(|(d, _)| d.len() != whole.len() - rest.len()) =>
        {
            Content::Certificates(vec![(
                whole.to_vec(),
                Some(format!(
                    "{} trailing bytes after the PKCS#7 structure",
                    rest.len()
                )),
            )])
        }
        // A single certificate keeps its trailing bytes: verify names them.
        Content::Certificates(_) => Content::Certificates(vec![(whole.to_vec(), None)]),
        other => other,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle, 0).is_some()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    memchr::memmem::find(hay.get(from..)?, needle).map(|i| i + from)
}

/// Key formats recognisable by their first bytes.
fn binary_key_magic(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"openssh-key-v1\0") {
        Some("OpenSSH private key")
    } else if bytes.starts_with(b"PuTTY-User-Key-File-") {
        Some("PuTTY private key (.ppk)")
    } else if bytes.starts_with(&[0x1e, 0xf1, 0xb5, 0xb0]) {
        Some("Microsoft PVK private key")
    } else {
        None
    }
}

/// The bytes as text: UTF-16 (with a byte-order mark, or recognisably without one, as Windows
/// editors save it) is converted to UTF-8; other bytes are kept as they are.
fn decode_text(bytes: &[u8]) -> Vec<u8> {
    let utf16 = |data: &[u8], be: bool| {
        let units: Vec<u16> = data
            .chunks_exact(2)
            .map(|c| {
                if be {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units).into_bytes()
    };
    match bytes {
        [0xff, 0xfe, rest @ ..] => utf16(rest, false),
        [0xfe, 0xff, rest @ ..] => utf16(rest, true),
        [a, 0, b, 0, ..] if *a != 0 && *b != 0 => utf16(bytes, false),
        [0, a, 0, b, ..] if *a != 0 && *b != 0 => utf16(bytes, true),
        _ => bytes.to_vec(),
    }
}

/// The byte ranges of PEM blocks: from `-----BEGIN X-----` to the end of `-----END X-----` (or to
/// the end of the text when a block is not closed).
fn pem_spans(text: &[u8]) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(begin) = find(text, b"-----BEGIN ", at) {
        let label_start = begin + b"-----BEGIN ".len();
        let Some(label_end) = find(text, b"-----", label_start) else {
            break;
        };
        let end_marker = [b"-----END ", &text[label_start..label_end], b"-----"].concat();
        let end = find(text, &end_marker, label_end).map_or(text.len(), |e| e + end_marker.len());
        spans.push(begin..end);
        at = end.max(label_end);
    }
    spans
}

/// Every `-----BEGIN <label>-----` label in the text, in order, broken blocks included.
fn pem_labels(text: &[u8]) -> Vec<String> {
    let mut labels = Vec::new();
    let mut at = 0;
    while let Some(begin) = find(text, b"-----BEGIN ", at) {
        let start = begin + b"-----BEGIN ".len();
        at = start;
        if let Some(end) = find(text, b"-----", start)
            && end - start <= 64
        {
            let label = String::from_utf8_lossy(&text[start..end]);
            if !label.contains('\n') {
                labels.push(label.trim().to_string());
            }
        }
    }
    labels
}

/// Whether the text outside the PEM blocks holds binary data (not text a person wrote).
fn binary_outside_blocks(text: &[u8]) -> Option<Vec<u8>> {
    let spans = pem_spans(text);
    let mut outside = Vec::new();
    let mut at = 0;
    for span in spans
        .iter()
        .chain(std::iter::once(&(text.len()..text.len())))
    {
        outside.push(&text[at..span.start.max(at)]);
        at = span.end;
    }
    outside.into_iter().find_map(|part| {
        let binary = std::str::from_utf8(part).is_err()
            || part
                .iter()
                .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c));
        // Only leading whitespace is text around it: a DER structure may end in a byte that
        // happens to be a space or a line feed.
        binary.then(|| part.trim_ascii_start().to_vec())
    })
}

fn classify_pem(text: &[u8], depth: usize) -> Content {
    let labels = pem_labels(text);
    // Keys are looked for in the raw text first: a key must be refused even in a broken block.
    if let Some(label) = labels.iter().find(|l| l.contains("PRIVATE KEY")) {
        return Content::PrivateKey(format!("PEM block \"{label}\""));
    }
    if let Some(binary) = binary_outside_blocks(text) {
        for candidate in [&binary[..], binary.trim_ascii_end()] {
            if let Some(refused) = decisive(
                classify_within(candidate, depth + 1, false),
                "between PEM blocks",
            ) {
                return refused;
            }
        }
        return Content::NotACertificate(
            "PEM blocks mixed with binary data; give PEM text or one DER structure per file".into(),
        );
    }
    let blocks = match pem::parse_many(text) {
        Ok(blocks) if !blocks.is_empty() => blocks,
        Ok(_) => {
            return Content::Nothing {
                looks_like_der: false,
                reason: "text with a PEM header but no complete PEM block".into(),
            };
        }
        Err(e)
            if labels
                .iter()
                .any(|l| certificate_label(l) || pkcs7_label(l)) =>
        {
            return Content::Certificates(vec![(
                text.to_vec(),
                Some(format!("PEM block could not be decoded: {e}")),
            )]);
        }
        Err(e) => {
            return Content::Nothing {
                looks_like_der: false,
                reason: format!("broken PEM text: {e}"),
            };
        }
    };
    let mut found = Vec::new();
    for (n, block) in blocks.iter().enumerate() {
        let label = block.tag();
        let der = block.contents();
        if certificate_label(label) {
            found.push((der.to_vec(), None));
        } else if label == "TRUSTED CERTIFICATE" {
            // OpenSSL's form: the certificate followed by trust settings that are not part of it.
            let first = first_tlv(der).unwrap_or(der);
            found.push((first.to_vec(), openssl_distrust(&der[first.len()..])));
        } else if pkcs7_label(label) {
            match pkcs7::certificates(der) {
                Ok(certs) if !certs.is_empty() => {
                    found.extend(certs.into_iter().map(|c| (c, None)))
                }
                Ok(_) => found.push((
                    der.to_vec(),
                    Some("PKCS#7 block holds no certificates".into()),
                )),
                Err(e) => found.push((
                    der.to_vec(),
                    Some(format!("PKCS#7 block is not valid: {e}")),
                )),
            }
        } else {
            return Content::NotACertificate(format!(
                "{} (PEM block {} \"{label}\")",
                describe_label(label),
                n + 1
            ));
        }
    }
    Content::Certificates(found)
}

fn certificate_label(label: &str) -> bool {
    matches!(
        label,
        "CERTIFICATE" | "X509 CERTIFICATE" | "X.509 CERTIFICATE"
    )
}

fn pkcs7_label(label: &str) -> bool {
    matches!(label, "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS")
}

fn describe_label(label: &str) -> &'static str {
    match label {
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => "certificate signing request",
        "X509 CRL" => "certificate revocation list",
        "PUBLIC KEY" | "RSA PUBLIC KEY" => "public key without a certificate",
        _ => "not certificate data",
    }
}

/// The first DER element of `bytes`, header included.
fn first_tlv(bytes: &[u8]) -> Option<&[u8]> {
    let (rest, _) = Any::from_ber(bytes).ok()?;
    Some(&bytes[..bytes.len() - rest.len()])
}

/// OpenSSL trust settings (`X509_CERT_AUX`) that reject some purpose: such a certificate was
/// deliberately distrusted and must not become a trust anchor.
fn openssl_distrust(aux: &[u8]) -> Option<String> {
    let (_, aux) = Any::from_ber(aux).ok()?;
    children(aux.data)
        .iter()
        .any(|e| e.class() == Class::ContextSpecific && e.tag() == Tag(0))
        .then(|| "its OpenSSL trust settings reject it (TRUSTED CERTIFICATE with a reject list): it was distrusted on purpose".to_string())
}

/// The elements inside a constructed value.
fn children<'a>(data: &'a [u8]) -> Vec<Any<'a>> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        match Any::from_ber(rest) {
            Ok((r, any)) => {
                out.push(any);
                rest = r;
            }
            Err(_) => break,
        }
    }
    out
}

fn is(any: &Any, tag: Tag) -> bool {
    any.class() == Class::Universal && any.tag() == tag
}

fn small_int(any: &Any) -> Option<i64> {
    is(any, Tag::Integer)
        .then(|| any.clone().i64().ok())
        .flatten()
}

fn starts_with_oid(any: &Any) -> Option<String> {
    if !is(any, Tag::Sequence) {
        return None;
    }
    let first = children(any.data).into_iter().next()?;
    is(&first, Tag::Oid).then(|| first.oid().ok().map(|o| o.to_id_string()))?
}

fn classify_der(bytes: &[u8]) -> Content {
    let looks_like_der = bytes.first() == Some(&0x30);
    let nothing = |reason: &str| Content::Nothing {
        looks_like_der,
        reason: reason.into(),
    };
    let Ok((_, top)) = Any::from_ber(bytes) else {
        return nothing(if looks_like_der {
            "starts like DER but is not a complete DER structure"
        } else {
            "neither PEM text nor DER data"
        });
    };
    if !is(&top, Tag::Sequence) {
        return nothing("DER data that is not a certificate");
    }
    let elements = children(top.data);
    if let Some(what) = der_key_shape(&elements) {
        return Content::PrivateKey(what.into());
    }
    if let Some(oid) = elements
        .first()
        .filter(|e| is(e, Tag::Oid))
        .and_then(|e| e.clone().oid().ok())
    {
        if oid.to_id_string() == OID_PKCS7_SIGNED_DATA {
            return match pkcs7::certificates(bytes) {
                Ok(certs) if !certs.is_empty() => {
                    Content::Certificates(certs.into_iter().map(|c| (c, None)).collect())
                }
                Ok(_) => Content::Certificates(vec![(
                    bytes.to_vec(),
                    Some("PKCS#7 structure holds no certificates".into()),
                )]),
                Err(e) => Content::Certificates(vec![(
                    bytes.to_vec(),
                    Some(format!("PKCS#7 structure is not valid: {e}")),
                )]),
            };
        }
    }
    if X509Certificate::from_der(bytes).is_ok() {
        return Content::Certificates(vec![(bytes.to_vec(), None)]);
    }
    if X509CertificationRequest::from_der(bytes).is_ok() {
        return Content::NotACertificate("certificate signing request".into());
    }
    if CertificateRevocationList::from_der(bytes).is_ok() {
        return Content::NotACertificate("certificate revocation list".into());
    }
    if elements.len() == 2 && SubjectPublicKeyInfo::from_der(bytes).is_ok() {
        return Content::NotACertificate("public key without a certificate".into());
    }
    if elements.len() == 2 && elements.iter().all(|e| is(e, Tag::Integer)) {
        return Content::NotACertificate("RSA public key without a certificate".into());
    }
    if looks_like_certificate(&elements) {
        // A damaged certificate: `verify` reports what is wrong with it.
        return Content::Certificates(vec![(bytes.to_vec(), None)]);
    }
    nothing("DER data that is not a certificate")
}

/// `SEQUENCE { SEQUENCE (to be signed), SEQUENCE (algorithm), BIT STRING }` whose inner part starts
/// like a certificate's: a broken certificate rather than some other signed object.
fn looks_like_certificate(elements: &[Any]) -> bool {
    let [tbs, alg, sig] = elements else {
        return false;
    };
    if !(is(tbs, Tag::Sequence) && is(alg, Tag::Sequence) && is(sig, Tag::BitString)) {
        return false;
    }
    // A certificate's TBS opens with [0] version or an INTEGER serial, then an algorithm SEQUENCE.
    let inner = children(tbs.data);
    match inner.as_slice() {
        [first, ..] if first.class() == Class::ContextSpecific && first.tag() == Tag(0) => true,
        [serial, alg, ..] => is(serial, Tag::Integer) && is(alg, Tag::Sequence) && inner.len() >= 6,
        _ => false,
    }
}

/// DER private keys and PKCS#12 archives, recognised by their outer structure.
fn der_key_shape(e: &[Any]) -> Option<&'static str> {
    let int = |i: usize| e.get(i).and_then(small_int);
    let tag = |i: usize, t: Tag| e.get(i).is_some_and(|a| is(a, t));
    // PKCS#12 PFX: version 3, then a ContentInfo of type data or signedData.
    if int(0) == Some(3)
        && e.get(1)
            .and_then(starts_with_oid)
            .is_some_and(|o| o == OID_PKCS7_DATA || o == OID_PKCS7_SIGNED_DATA)
    {
        return Some("PKCS#12 archive");
    }
    // PKCS#8 PrivateKeyInfo / OneAsymmetricKey: version, algorithm, OCTET STRING key.
    if matches!(int(0), Some(0 | 1))
        && e.get(1).and_then(starts_with_oid).is_some()
        && tag(2, Tag::OctetString)
    {
        return Some("PKCS#8 private key");
    }
    // PKCS#8 EncryptedPrivateKeyInfo: algorithm, OCTET STRING.
    if e.len() == 2 && e.first().and_then(starts_with_oid).is_some() && tag(1, Tag::OctetString) {
        return Some("encrypted PKCS#8 private key");
    }
    // RFC 5915 ECPrivateKey: version 1, OCTET STRING key.
    if int(0) == Some(1) && tag(1, Tag::OctetString) {
        return Some("EC private key");
    }
    let all_integers = !e.is_empty() && e.iter().all(|a| is(a, Tag::Integer));
    // PKCS#1 RSAPrivateKey: version and eight integers (more with multi-prime).
    if all_integers && e.len() >= 9 && matches!(int(0), Some(0 | 1)) {
        return Some("RSA private key");
    }
    // OpenSSL's DSA private key: version 0, p, q, g, y, x.
    if all_integers && e.len() == 6 && int(0) == Some(0) {
        return Some("DSA private key");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_around_pem_blocks_is_ignored_and_labels_are_read() {
        let text = b"hello\n-----BEGIN FOO-----\nAAAA\n-----END FOO-----\nbye";
        assert_eq!(pem_labels(text), vec!["FOO".to_string()]);
        assert_eq!(pem_spans(text), vec![6..48]);
        assert_eq!(binary_outside_blocks(text), None);
        let mixed = [b"\x30\x03\x02\x01\x00".as_slice(), text].concat();
        assert!(binary_outside_blocks(&mixed).is_some());
    }

    #[test]
    fn a_der_key_ending_in_a_whitespace_byte_after_pem_is_still_a_key() {
        // Such keys used to be trimmed (and so unreadable) before being classified.
        let key = (0..100_000)
            .map(|_| rcgen::KeyPair::generate().unwrap().serialize_der())
            .find(|der| matches!(der.last(), Some(b'\n' | b' ' | b'\r' | b'\t')))
            .expect("a key ending in a whitespace byte");
        let text = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        match classify(&[text.as_slice(), &key].concat()) {
            Content::PrivateKey(what) => assert!(what.ends_with("between PEM blocks"), "{what}"),
            other => panic!("not refused as a key: {other:?}"),
        }
    }

    #[test]
    fn utf16_without_bom_is_decoded() {
        let bytes: Vec<u8> = "-----BEGIN RSA PRIVATE KEY-----\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(matches!(classify(&bytes), Content::PrivateKey(_)));
    }

    #[test]
    fn text_starting_with_a_digit_is_still_read_as_pem() {
        let text = "0563B8630D62D75ABBC8AB1E4BDFB5A899B24D43 DigiCert\n-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n";
        assert!(matches!(classify(text.as_bytes()), Content::PrivateKey(_)));
    }

    #[test]
    fn private_key_label_in_a_broken_block_is_still_refused() {
        let text = "-----BEGIN EC PRIVATE KEY-----\n!!!! not base64\n";
        assert_eq!(
            classify(text.as_bytes()),
            Content::PrivateKey("PEM block \"EC PRIVATE KEY\"".into())
        );
    }

    #[test]
    fn utf16_pem_is_decoded() {
        let text = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
        let mut bytes = vec![0xff, 0xfe];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        assert!(matches!(classify(&bytes), Content::PrivateKey(_)));
    }

    #[test]
    fn binary_magic_keys_are_refused() {
        assert!(matches!(
            classify(b"openssh-key-v1\0rest"),
            Content::PrivateKey(_)
        ));
        assert!(matches!(
            classify(b"PuTTY-User-Key-File-3: ssh-ed25519"),
            Content::PrivateKey(_)
        ));
        assert!(matches!(
            classify(&[0x1e, 0xf1, 0xb5, 0xb0, 0, 0]),
            Content::PrivateKey(_)
        ));
    }

    #[test]
    fn plain_text_is_nothing() {
        assert!(matches!(
            classify(b"just notes"),
            Content::Nothing {
                looks_like_der: false,
                ..
            }
        ));
    }

    #[test]
    fn truncated_der_looks_like_der() {
        assert!(matches!(
            classify(&[0x30, 0x82, 0x05, 0x00, 0x30]),
            Content::Nothing {
                looks_like_der: true,
                ..
            }
        ));
    }
}
