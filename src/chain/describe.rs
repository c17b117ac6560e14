//! Human-readable names for what a certificate holds: distinguished names, algorithms, keys.

use std::borrow::Cow;

use x509_parser::asn1_rs::{Any, Tag};
use x509_parser::der_parser::oid;
use x509_parser::oid_registry::Oid;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::{SubjectPublicKeyInfo, X509Name};

/// A distinguished name in RFC 4514 form (most specific first, as Windows shows it):
/// `CN=VeriSign Class 3 Public Primary Certification Authority - G5, OU=..., O=VeriSign\, Inc., C=US`.
pub(crate) fn name(name: &X509Name) -> String {
    let rdns: Vec<_> = name.iter().collect();
    let mut out = String::new();
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, attr) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            out.push_str(&attribute_type(attr.attr_type()));
            out.push('=');
            escape_value(&attribute_value(attr.attr_value()), &mut out);
        }
    }
    out
}

/// The name a person knows a certificate by: its CN, else its OU, else its O.
pub(crate) fn display_name(name: &X509Name) -> Option<String> {
    ["CN", "OU", "O"].iter().find_map(|wanted| {
        name.iter_attributes()
            .find(|a| short_name(a.attr_type()) == Some(*wanted))
            .map(|a| attribute_value(a.attr_value()))
            .filter(|v| !v.trim().is_empty())
    })
}

/// Attribute types by encoded OID, with their short names: RFC 4514's where it defines one (CN,
/// L, ST, O, OU, C, STREET, DC, UID), else `E` as Windows shows it and the rest as OpenSSL
/// prints them.
const ATTRIBUTE_TYPES: [(&[u8], &str); 16] = [
    (&oid!(raw 2.5.4.3), "CN"),
    (&oid!(raw 2.5.4.4), "SN"),
    (&oid!(raw 2.5.4.5), "serialNumber"),
    (&oid!(raw 2.5.4.6), "C"),
    (&oid!(raw 2.5.4.7), "L"),
    (&oid!(raw 2.5.4.8), "ST"),
    (&oid!(raw 2.5.4.9), "STREET"),
    (&oid!(raw 2.5.4.10), "O"),
    (&oid!(raw 2.5.4.11), "OU"),
    (&oid!(raw 2.5.4.12), "title"),
    (&oid!(raw 2.5.4.17), "postalCode"),
    (&oid!(raw 2.5.4.42), "GN"),
    (&oid!(raw 2.5.4.97), "organizationIdentifier"),
    (&oid!(raw 1.2.840.113549.1.9.1), "E"),
    (&oid!(raw 0.9.2342.19200300.100.1.25), "DC"),
    (&oid!(raw 0.9.2342.19200300.100.1.1), "UID"),
];

/// An attribute type's short name, found by its encoded bytes. DER encodes an OID one way only,
/// so another encoding of the same numbers (`55 04 80 03`, or the cut-off `55 04 83`, both read
/// as 2.5.4.3 by x509-parser) never gets a name: certificate text cannot pass one CN off as
/// another.
fn short_name(oid: &Oid) -> Option<&'static str> {
    ATTRIBUTE_TYPES
        .iter()
        .find(|(encoded, _)| oid.as_bytes() == *encoded)
        .map(|(_, short)| *short)
}

/// An attribute type's short name, else its dotted OID, else `oid-` and the hex of its encoding
/// (an arc over 128 bits), or `invalid-oid-` and its hex for an encoding that is not DER. Each
/// encoding gives its own text, so names that differ never read the same.
fn attribute_type(oid: &Oid) -> Cow<'static, str> {
    let bytes = oid.as_bytes();
    match short_name(oid) {
        Some(short) => Cow::Borrowed(short),
        None if !is_der_oid(bytes) => {
            Cow::Owned(format!("invalid-oid-{}", crate::hex::upper(bytes)))
        }
        None => {
            Cow::Owned(dotted(bytes).unwrap_or_else(|| format!("oid-{}", crate::hex::upper(bytes))))
        }
    }
}

/// The dotted form of a DER-encoded OID, or None when an arc does not fit 128 bits. (asn1-rs's
/// `to_id_string` takes the first two arcs from the first byte alone: 2.999, `88 37`, would read
/// as 3.16.55.)
fn dotted(bytes: &[u8]) -> Option<String> {
    let mut out = String::new();
    let mut value: u128 = 0;
    for &b in bytes {
        value = value.checked_mul(128)? | u128::from(b & 0x7f);
        if b >= 0x80 {
            continue;
        }
        if out.is_empty() {
            // The first subidentifier holds the first two arcs.
            let (a, b) = match value {
                0..40 => (0, value),
                40..80 => (1, value - 40),
                _ => (2, value - 80),
            };
            out = format!("{a}.{b}");
        } else {
            out.push('.');
            out.push_str(&value.to_string());
        }
        value = 0;
    }
    Some(out)
}

/// Whether `bytes` are an OID's contents as DER has them: each arc in as few bytes as it takes (no
/// leading 0x80) and the last one complete (its last byte under 0x80).
fn is_der_oid(bytes: &[u8]) -> bool {
    let mut arc_start = true;
    for &b in bytes {
        if arc_start && b == 0x80 {
            return false;
        }
        arc_start = b < 0x80;
    }
    !bytes.is_empty() && arc_start
}

/// The first attribute type of `name` whose OID is not DER, as the hex of its encoding.
pub(crate) fn invalid_attribute_type(name: &X509Name) -> Option<String> {
    name.iter_attributes()
        .map(|a| a.attr_type().as_bytes())
        .find(|bytes| !is_der_oid(bytes))
        .map(crate::hex::upper)
}

/// An attribute value as text, whatever string type it uses; other types as `#` and hex.
fn attribute_value(value: &Any) -> String {
    let data = value.data;
    match value.tag() {
        Tag::Utf8String
        | Tag::PrintableString
        | Tag::Ia5String
        | Tag::NumericString
        | Tag::VisibleString
        | Tag::GeneralString
        | Tag::GraphicString
        | Tag::T61String
        | Tag::VideotexString => match std::str::from_utf8(data) {
            Ok(s) => s.to_string(),
            // T61/Teletex strings in old certificates are in practice Latin-1.
            Err(_) => data.iter().map(|&b| b as char).collect(),
        },
        Tag::BmpString => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        Tag::UniversalString => data
            .chunks_exact(4)
            .map(|c| {
                char::from_u32(u32::from_be_bytes([c[0], c[1], c[2], c[3]])).unwrap_or('\u{fffd}')
            })
            .collect(),
        _ => format!("#{}", crate::hex::upper(value.as_bytes())),
    }
}

/// Appends `value` to `out` with the RFC 4514 escapes.
fn escape_value(value: &str, out: &mut String) {
    out.reserve(value.len());
    let last = value.chars().count().saturating_sub(1);
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == '#' || c == ' '))
            || (i == last && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
}

/// A signature algorithm's common name, or its dotted OID.
pub(crate) fn signature_algorithm(oid: &Oid) -> String {
    let name = match oid.to_id_string().as_str() {
        "1.2.840.113549.1.1.2" => "md2WithRSAEncryption",
        "1.2.840.113549.1.1.3" => "md4WithRSAEncryption",
        "1.2.840.113549.1.1.4" => "md5WithRSAEncryption",
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => "sha1WithRSAEncryption",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        "1.2.840.113549.1.1.11" => "sha256WithRSAEncryption",
        "1.2.840.113549.1.1.12" => "sha384WithRSAEncryption",
        "1.2.840.113549.1.1.13" => "sha512WithRSAEncryption",
        "1.2.840.113549.1.1.14" => "sha224WithRSAEncryption",
        "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
        "1.2.840.10045.4.3.1" => "ecdsa-with-SHA224",
        "1.2.840.10045.4.3.2" => "ecdsa-with-SHA256",
        "1.2.840.10045.4.3.3" => "ecdsa-with-SHA384",
        "1.2.840.10045.4.3.4" => "ecdsa-with-SHA512",
        "1.2.840.10040.4.3" => "dsa-with-SHA1",
        "2.16.840.1.101.3.4.3.2" => "dsa-with-SHA256",
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        other => return other.to_string(),
    };
    name.to_string()
}

/// MD2, MD4, MD5 and SHA-1 based signature algorithms.
pub(crate) fn is_weak_signature(oid: &Oid) -> bool {
    matches!(
        oid.to_id_string().as_str(),
        "1.2.840.113549.1.1.2"
            | "1.2.840.113549.1.1.3"
            | "1.2.840.113549.1.1.4"
            | "1.2.840.113549.1.1.5"
            | "1.3.14.3.2.29"
            | "1.2.840.10045.4.1"
            | "1.2.840.10040.4.3"
    )
}

/// What kind of public key, and its size in bits where that is what matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// RSA with this many modulus bits.
    Rsa(usize),
    /// Elliptic curve on the named curve.
    Ec(String),
    /// Anything else, by name.
    Other(String),
}

impl std::fmt::Display for KeyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeyKind::Rsa(bits) => write!(f, "RSA {bits}"),
            KeyKind::Ec(curve) => write!(f, "EC {curve}"),
            KeyKind::Other(name) => f.write_str(name),
        }
    }
}

/// Describes a subject public key.
pub(crate) fn key(spki: &SubjectPublicKeyInfo) -> KeyKind {
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyKind::Rsa(rsa.key_size()),
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| match oid.to_id_string().as_str() {
                    "1.2.840.10045.3.1.7" => "P-256".to_string(),
                    "1.3.132.0.34" => "P-384".to_string(),
                    "1.3.132.0.35" => "P-521".to_string(),
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "unknown curve".into());
            KeyKind::Ec(curve)
        }
        Ok(PublicKey::DSA(_)) => KeyKind::Other("DSA".into()),
        Ok(PublicKey::GostR3410(_) | PublicKey::GostR3410_2012(_)) => KeyKind::Other("GOST".into()),
        _ => match spki.algorithm.algorithm.to_id_string().as_str() {
            "1.3.101.112" => KeyKind::Other("Ed25519".into()),
            "1.3.101.113" => KeyKind::Other("Ed448".into()),
            other => KeyKind::Other(other.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use x509_parser::prelude::FromDer;

    use super::*;

    fn escaped(value: &str) -> String {
        let mut out = "pre ".to_string();
        escape_value(value, &mut out);
        out.strip_prefix("pre ").unwrap().to_string()
    }

    #[test]
    fn rfc4514_escapes_specials() {
        assert_eq!(escaped("VeriSign, Inc."), "VeriSign\\, Inc.");
        assert_eq!(escaped(" a+b "), "\\ a\\+b\\ ");
        assert_eq!(escaped("#x"), "\\#x");
    }

    #[test]
    fn attribute_types_by_short_name_or_dotted_oid() {
        // Written out here, not read from the table.
        let expected = [
            ("2.5.4.3", "CN"),
            ("2.5.4.4", "SN"),
            ("2.5.4.5", "serialNumber"),
            ("2.5.4.6", "C"),
            ("2.5.4.7", "L"),
            ("2.5.4.8", "ST"),
            ("2.5.4.9", "STREET"),
            ("2.5.4.10", "O"),
            ("2.5.4.11", "OU"),
            ("2.5.4.12", "title"),
            ("2.5.4.17", "postalCode"),
            ("2.5.4.42", "GN"),
            ("2.5.4.97", "organizationIdentifier"),
            ("1.2.840.113549.1.9.1", "E"),
            ("0.9.2342.19200300.100.1.25", "DC"),
            ("0.9.2342.19200300.100.1.1", "UID"),
        ];
        assert_eq!(expected.len(), ATTRIBUTE_TYPES.len());
        for (dotted, short) in expected {
            let oid = Oid::from_str(dotted).unwrap();
            assert_eq!(attribute_type(&oid), short, "{dotted}");
        }
        // Not in the table: dotted, the first two arcs read from the first arc's whole value.
        for (bytes, shown) in [
            (&oid!(raw 2.5.4.65)[..], "2.5.4.65"),
            (
                &oid!(raw 1.3.6.1.4.1.311.60.2.1.3),
                "1.3.6.1.4.1.311.60.2.1.3",
            ),
            (&[0x00], "0.0"),
            (&[0x27], "0.39"),
            (&[0x28], "1.0"),
            (&[0x4f], "1.39"),
            (&[0x50], "2.0"),
            (&[0x78], "2.40"),
            (&[0x81, 0x00], "2.48"),
            (&[0x81, 0x80, 0x00], "2.16304"),
            (&[0x88, 0x37, 0x01], "2.999.1"),
            (&[0x55, 0x04, 0x81, 0x00], "2.5.4.128"),
            (&[0x55, 0x83, 0xff, 0xff, 0xff, 0x7f], "2.5.1073741823"),
        ] {
            assert_eq!(attribute_type(&Oid::new(Cow::Borrowed(bytes))), shown);
        }
        // An arc over 128 bits: hex.
        let huge = [&[0x55][..], &[0xff; 19], &[0x7f]].concat();
        assert_eq!(
            attribute_type(&Oid::new(Cow::Borrowed(&huge))),
            format!("oid-{}", crate::hex::upper(&huge))
        );
        let most = [&[0x55][..], &[0x83], &[0xff; 17], &[0x7f]].concat();
        assert_eq!(
            attribute_type(&Oid::new(Cow::Borrowed(&most))),
            format!("2.5.{}", u128::MAX)
        );
    }

    #[test]
    fn an_attribute_type_not_in_der_has_no_name_and_is_shown_as_hex() {
        for (bytes, shown) in [
            // 2.5.4.3 with a needless 0x80 before its last arc.
            (&[0x55, 0x04, 0x80, 0x03][..], "invalid-oid-55048003"),
            (
                &[0x55, 0x04, 0x80, 0x80, 0x80, 0x03],
                "invalid-oid-550480808003",
            ),
            // The last arc cut off: x509-parser reads 2.5.4.3.
            (&[0x55, 0x04, 0x83], "invalid-oid-550483"),
            (&[0x80, 0x55], "invalid-oid-8055"),
            (&[], "invalid-oid-"),
        ] {
            let oid = Oid::new(Cow::Borrowed(bytes));
            assert!(!is_der_oid(bytes), "{bytes:02X?}");
            assert_eq!(short_name(&oid), None, "{bytes:02X?}");
            assert_eq!(attribute_type(&oid), shown);
        }
        for (encoded, _) in ATTRIBUTE_TYPES {
            assert!(is_der_oid(encoded), "{encoded:02X?}");
        }
        assert!(is_der_oid(&oid!(raw 1.3.6.1.4.1.311.60.2.1.3)));
        assert!(is_der_oid(&oid!(raw 2.5.4.128)));
    }

    /// DER of a short TLV (contents under 128 bytes).
    fn tlv(tag: u8, contents: &[u8]) -> Vec<u8> {
        let mut out = vec![tag, u8::try_from(contents.len()).unwrap()];
        out.extend_from_slice(contents);
        out
    }

    /// A Name of RDNs, each a set of (encoded attribute type, UTF8String value).
    fn der_name(rdns: &[&[(&[u8], &str)]]) -> Vec<u8> {
        let sets: Vec<u8> = rdns
            .iter()
            .flat_map(|rdn| {
                let attributes: Vec<u8> = rdn
                    .iter()
                    .flat_map(|(oid, value)| {
                        tlv(
                            0x30,
                            &[tlv(0x06, oid), tlv(0x0c, value.as_bytes())].concat(),
                        )
                    })
                    .collect();
                tlv(0x31, &attributes)
            })
            .collect();
        tlv(0x30, &sets)
    }

    #[test]
    fn a_name_is_most_specific_first_multi_valued_with_plus_and_escaped() {
        let der = der_name(&[
            &[(&oid!(raw 2.5.4.6), "US")],
            &[(&oid!(raw 2.5.4.10), "VeriSign, Inc.")],
            &[(&oid!(raw 2.5.4.11), "#1 "), (&oid!(raw 2.5.4.65), "x+y")],
            &[(&oid!(raw 2.5.4.3), "Root")],
        ]);
        let (rest, name) = X509Name::from_der(&der).unwrap();
        assert!(rest.is_empty());
        assert_eq!(
            super::name(&name),
            "CN=Root, OU=\\#1\\ +2.5.4.65=x\\+y, O=VeriSign\\, Inc., C=US"
        );
        assert_eq!(display_name(&name).as_deref(), Some("Root"));
        assert_eq!(invalid_attribute_type(&name), None);
    }

    #[test]
    fn a_cn_not_encoded_in_der_is_never_the_display_name() {
        let der = der_name(&[
            &[(&oid!(raw 2.5.4.10), "Org")],
            &[(&[0x55, 0x04, 0x83], "Evil")],
            &[(&oid!(raw 2.5.4.3), "Real")],
            &[(&[0x55, 0x04, 0x80, 0x03], "Evil too")],
        ]);
        let (_, name) = X509Name::from_der(&der).unwrap();
        assert_eq!(display_name(&name).as_deref(), Some("Real"));
        assert_eq!(
            super::name(&name),
            "invalid-oid-55048003=Evil too, CN=Real, invalid-oid-550483=Evil, O=Org"
        );
        assert_eq!(invalid_attribute_type(&name).as_deref(), Some("550483"));
        // With only such a CN, the name falls back to O.
        let der = der_name(&[
            &[(&oid!(raw 2.5.4.10), "Org")],
            &[(&[0x55, 0x04, 0x83], "Evil")],
        ]);
        let (_, name) = X509Name::from_der(&der).unwrap();
        assert_eq!(display_name(&name).as_deref(), Some("Org"));
    }
}
