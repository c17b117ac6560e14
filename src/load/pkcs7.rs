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
    let (_, content_info) = Any::from_ber(ber).map_err(|e| format!("not BER/DER: {e}"))?;
    if content_info.tag() != Tag::Sequence {
        return Err("ContentInfo is not a SEQUENCE".into());
    }
    let parts = elements(content_info.data)?;
    let content_type = parts
        .first()
        .and_then(|(any, _)| any.clone().oid().ok())
        .ok_or("ContentInfo has no content type")?;
    if content_type.to_id_string() != OID_SIGNED_DATA {
        return Err(format!("content type {content_type} is not signedData"));
    }
    let (explicit, _) = parts.get(1).ok_or("ContentInfo has no content")?;
    let (signed_data, _) = elements(explicit.data)?
        .into_iter()
        .next()
        .ok_or("empty signedData content")?;
    let fields = elements(signed_data.data)?;
    // version, digestAlgorithms, encapContentInfo, [0] certificates?, [1] crls?, signerInfos
    let certificate_set = fields
        .iter()
        .skip(3)
        .find(|(any, _)| any.class() == Class::ContextSpecific && any.tag() == Tag(0));
    let Some((set, _)) = certificate_set else {
        return Ok(Vec::new());
    };
    Ok(elements(set.data)?
        .into_iter()
        .filter(|(any, _)| any.class() == Class::Universal && any.tag() == Tag::Sequence)
        .map(|(_, raw)| raw.to_vec())
        .collect())
}

/// The elements of a constructed value, each with its raw encoding (header included).
fn elements(data: &[u8]) -> Result<Vec<(Any<'_>, &[u8])>, String> {
    let mut out = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
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
