//! The certificates of a PKCS#7 / CMS `SignedData` (a `.p7b`/`.p7c` "certs-only" file).
//!
//! Written over asn1-rs's generic BER reader rather than a strict CMS decoder: a `CertificateSet`
//! may hold choices other than X.509 certificates (Microsoft's RFC 3161 tokens carry a v1 attribute
//! certificate, which the `cms` crate 0.2 rejects along with the whole structure). Only
//! `Certificate` choices are taken; the others are skipped, never fatal.

use x509_parser::asn1_rs::{Any, Class, FromBer, Tag};

const OID_SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// The DER of every X.509 certificate in a `ContentInfo { signedData }`, in order.
pub fn certificates(ber: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let fields = elements(signed_data_element(ber)?.data)?;
    Ok(certificate_set(&fields)?
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect())
}

/// The `SignedData` element of a `ContentInfo { signedData }`. Its fields: version,
/// digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos.
fn signed_data_element(ber: &[u8]) -> Result<Any<'_>, String> {
    let (_, content_info) = Any::from_ber(ber).map_err(|e| format!("not BER/DER: {e}"))?;
    if content_info.tag() != Tag::Sequence {
        return Err("ContentInfo is not a SEQUENCE".into());
    }
    let parts = elements(content_info.data)?;
    let content_type = parts
        .first()
        .and_then(|(any, _)| oid_of(any))
        .ok_or("ContentInfo has no content type")?;
    if content_type != OID_SIGNED_DATA {
        return Err(format!("content type {content_type} is not signedData"));
    }
    let (explicit, _) = parts.get(1).ok_or("ContentInfo has no content")?;
    let (signed, _) = elements(explicit.data)?
        .into_iter()
        .next()
        .ok_or("empty signedData content")?;
    Ok(signed)
}

/// The X.509 certificates of the `[0] CertificateSet` among `fields` (other choices skipped).
fn certificate_set<'a>(fields: &[(Any<'a>, &'a [u8])]) -> Result<Vec<&'a [u8]>, String> {
    let Some((set, _)) = fields
        .iter()
        .skip(3)
        .find(|(any, _)| any.class() == Class::ContextSpecific && any.tag() == Tag(0))
    else {
        return Ok(Vec::new());
    };
    Ok(elements(set.data)?
        .into_iter()
        .filter(|(any, _)| any.class() == Class::Universal && any.tag() == Tag::Sequence)
        .map(|(_, raw)| raw)
        .collect())
}

/// A CMS `SignedData`, read tolerantly: what Authenticode needs, nothing checked that need not be.
#[derive(Debug)]
pub(crate) struct SignedData<'a> {
    /// `eContentType` of the encapsulated content.
    pub(crate) content_type: String,
    /// The encapsulated content: an OCTET STRING's bytes (a timestamp token's TSTInfo), or the
    /// raw element (Authenticode's SpcIndirectDataContent).
    pub(crate) content: Option<&'a [u8]>,
    /// Every X.509 certificate of the `CertificateSet` (other choices skipped), raw DER.
    pub(crate) certificates: Vec<&'a [u8]>,
    /// The signers.
    pub(crate) signers: Vec<SignerInfo<'a>>,
}

/// A CMS `SignerInfo`.
#[derive(Debug)]
pub(crate) struct SignerInfo<'a> {
    /// `IssuerAndSerialNumber`: the issuer's raw `Name`.
    pub(crate) issuer: Option<&'a [u8]>,
    /// `IssuerAndSerialNumber`: the serial number's content bytes.
    pub(crate) serial: Option<&'a [u8]>,
    /// `[0] SubjectKeyIdentifier`, when the signer is named that way.
    pub(crate) subject_key_id: Option<&'a [u8]>,
    /// The digest algorithm's OID.
    pub(crate) digest_algorithm: String,
    /// Signed attributes.
    pub(crate) signed: Vec<Attribute<'a>>,
    /// Unsigned attributes (countersignatures, timestamp tokens, nested signatures).
    unsigned: Vec<Attribute<'a>>,
}

/// An attribute: its OID and each value's raw encoding.
#[derive(Debug)]
pub(crate) struct Attribute<'a> {
    /// The attribute type.
    pub(crate) oid: String,
    /// Each value, raw (header included).
    pub(crate) values: Vec<&'a [u8]>,
}

impl<'a> SignerInfo<'a> {
    /// The values of the attributes of type `oid` (signed and unsigned).
    pub(crate) fn values<'s>(&'s self, oid: &'s str) -> impl Iterator<Item = &'a [u8]> + 's {
        self.signed
            .iter()
            .chain(&self.unsigned)
            .filter(move |a| a.oid == oid)
            .flat_map(|a| a.values.iter().copied())
    }
}

fn oid_of(any: &Any) -> Option<String> {
    any.clone().oid().ok().map(|o| o.to_id_string())
}

/// A `ContentInfo { signedData }` read as [`SignedData`].
pub(crate) fn signed_data(ber: &[u8]) -> Result<SignedData<'_>, String> {
    let signed = signed_data_element(ber)?;
    if signed.tag() != Tag::Sequence {
        return Err("SignedData is not a SEQUENCE".into());
    }
    let fields = elements(signed.data)?;
    let (encap, _) = fields
        .get(2)
        .ok_or("SignedData has no encapsulated content")?;
    let encap = elements(encap.data)?;
    let econtent_type = encap
        .first()
        .and_then(|(any, _)| oid_of(any))
        .ok_or("the encapsulated content has no type")?;
    let content = match encap.get(1) {
        Some((explicit, _)) => elements(explicit.data)?
            .into_iter()
            .next()
            .map(|(inner, raw)| {
                if inner.tag() == Tag::OctetString {
                    inner.data
                } else {
                    raw
                }
            }),
        None => None,
    };
    let certificates = certificate_set(&fields)?;
    let signers = match fields.last() {
        Some((set, _)) if set.class() == Class::Universal && set.tag() == Tag::Set => {
            elements(set.data)?
                .into_iter()
                .map(|(_, raw)| signer_info(raw))
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => return Err("SignedData has no signerInfos".into()),
    };
    Ok(SignedData {
        content_type: econtent_type,
        content,
        certificates,
        signers,
    })
}

/// A raw `SignerInfo` (as a legacy PKCS#9 countersignature carries it).
pub(crate) fn signer_info(ber: &[u8]) -> Result<SignerInfo<'_>, String> {
    let (_, info) = Any::from_ber(ber).map_err(|e| format!("SignerInfo is not BER/DER: {e}"))?;
    if info.tag() != Tag::Sequence {
        return Err("SignerInfo is not a SEQUENCE".into());
    }
    let fields = elements(info.data)?;
    // version, sid, digestAlgorithm, [0] signedAttrs?, signatureAlgorithm, signature, [1] unsignedAttrs?
    let (sid, _) = fields.get(1).ok_or("SignerInfo has no signer identifier")?;
    let (mut issuer, mut serial, mut subject_key_id) = (None, None, None);
    if sid.class() == Class::ContextSpecific && sid.tag() == Tag(0) {
        subject_key_id = Some(sid.data);
    } else {
        let parts = elements(sid.data)?;
        issuer = parts.first().map(|(_, raw)| *raw);
        serial = parts.get(1).map(|(any, _)| any.data);
    }
    let digest_algorithm = fields
        .get(2)
        .and_then(|(any, _)| elements(any.data).ok())
        .and_then(|parts| parts.first().and_then(|(any, _)| oid_of(any)))
        .ok_or("SignerInfo has no digest algorithm")?;
    let attributes = |tag: u32| -> Result<Vec<Attribute<'_>>, String> {
        let Some((set, _)) = fields
            .iter()
            .skip(3)
            .find(|(any, _)| any.class() == Class::ContextSpecific && any.tag() == Tag(tag))
        else {
            return Ok(Vec::new());
        };
        elements(set.data)?
            .into_iter()
            .map(|(attribute, _)| {
                let parts = elements(attribute.data)?;
                let oid = parts
                    .first()
                    .and_then(|(any, _)| oid_of(any))
                    .ok_or("an attribute has no type")?;
                let values = match parts.get(1) {
                    Some((set, _)) => elements(set.data)?
                        .into_iter()
                        .map(|(_, raw)| raw)
                        .collect(),
                    None => Vec::new(),
                };
                Ok(Attribute { oid, values })
            })
            .collect()
    };
    Ok(SignerInfo {
        issuer,
        serial,
        subject_key_id,
        digest_algorithm,
        signed: attributes(0)?,
        unsigned: attributes(1)?,
    })
}

/// The elements of a constructed value, each with its raw encoding (header included).
/// Elements read from one list (a certificate set, attributes, values). A root store in one
/// `.p7b` holds a few hundred; a signature a few dozen at most.
const MAX_ELEMENTS: usize = 10_000;

fn elements(data: &[u8]) -> Result<Vec<(Any<'_>, &[u8])>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        if out.len() == MAX_ELEMENTS {
            return Err(format!(
                "more than {MAX_ELEMENTS} elements in one list: not something a signing tool writes"
            ));
        }
        // BER end-of-contents octets close an indefinite-length value.
        if rest.starts_with(&[0, 0]) {
            break;
        }
        let (next, any) = Any::from_ber(rest).map_err(|e| format!("malformed element: {e}"))?;
        out.push((any, &rest[..rest.len() - next.len()]));
        rest = next;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::certificates;

    const OID_SIGNED: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    const OID_DATA: [u8; 11] = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        assert!(content.len() < 128);
        [vec![tag, content.len() as u8], content.to_vec()].concat()
    }

    fn signed_data(certificate_set: &[u8]) -> Vec<u8> {
        let signed = [
            vec![0x02, 0x01, 0x01],
            tlv(0x31, &[]),
            tlv(0x30, &OID_DATA),
            tlv(0xa0, certificate_set),
            tlv(0x31, &[]),
        ]
        .concat();
        tlv(
            0x30,
            &[OID_SIGNED.to_vec(), tlv(0xa0, &tlv(0x30, &signed))].concat(),
        )
    }

    #[test]
    fn other_certificate_choices_are_skipped_not_fatal() {
        let cert_a = tlv(0x30, &[0x02, 0x01, 0x07]);
        let attribute_cert_v1 = tlv(0xa1, &[0x30, 0x00]);
        let cert_b = tlv(0x30, &[0x02, 0x01, 0x08]);
        let der = signed_data(&[cert_a.clone(), attribute_cert_v1, cert_b.clone()].concat());
        assert_eq!(certificates(&der).unwrap(), vec![cert_a, cert_b]);
    }

    #[test]
    fn indefinite_length_ber_is_read() {
        let cert = tlv(0x30, &[0x02, 0x01, 0x07]);
        let signed = [
            vec![0x02, 0x01, 0x01],
            tlv(0x31, &[]),
            tlv(0x30, &OID_DATA),
            [vec![0xa0, 0x80], cert.clone(), vec![0, 0]].concat(),
            tlv(0x31, &[]),
        ]
        .concat();
        let inner = [vec![0x30, 0x80], signed, vec![0, 0]].concat();
        let ber = [
            vec![0x30, 0x80],
            OID_SIGNED.to_vec(),
            vec![0xa0, 0x80],
            inner,
            vec![0, 0, 0, 0],
        ]
        .concat();
        assert_eq!(certificates(&ber).unwrap(), vec![cert]);
    }

    #[test]
    fn no_certificates_and_wrong_content_types() {
        let empty = signed_data(&[]);
        assert_eq!(certificates(&empty).unwrap(), Vec::<Vec<u8>>::new());
        let data = tlv(
            0x30,
            &[OID_DATA.to_vec(), tlv(0xa0, &tlv(0x04, b"x"))].concat(),
        );
        assert!(
            certificates(&data)
                .unwrap_err()
                .contains("is not signedData")
        );
        assert!(certificates(b"\x02\x01\x01").is_err());
    }
}
