//! Just enough DER to build hostile Authenticode structures by hand: SignedData and SignerInfo
//! shaped like the real ones, with whatever nesting, counts and values a test needs. Nothing is
//! signed (the reader never checks signatures).

/// A TLV.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// An OBJECT IDENTIFIER from dotted text.
pub fn oid(dotted: &str) -> Vec<u8> {
    let arcs: Vec<u64> = dotted.split('.').map(|a| a.parse().unwrap()).collect();
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &arc in &arcs[2..] {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut rest = arc >> 7;
        while rest > 0 {
            chunk.push(0x80 | (rest & 0x7f) as u8);
            rest >>= 7;
        }
        chunk.reverse();
        body.extend(chunk);
    }
    tlv(0x06, &body)
}

/// An attribute: type and a SET of values.
pub fn attribute(oid_text: &str, values: &[Vec<u8>]) -> Vec<u8> {
    seq(&[oid(oid_text), set(values)])
}

pub const SHA256: &str = "2.16.840.1.101.3.4.2.1";
pub const SIGNING_TIME: &str = "1.2.840.113549.1.9.5";
pub const RFC3161: &str = "1.3.6.1.4.1.311.3.3.1";
pub const NESTED: &str = "1.3.6.1.4.1.311.2.4.1";

/// A SignerInfo naming its signer by subject key identifier.
pub fn signer_info(ski: &[u8], signed: &[Vec<u8>], unsigned: &[Vec<u8>]) -> Vec<u8> {
    let mut parts = vec![tlv(0x02, &[3]), tlv(0x80, ski), seq(&[oid(SHA256)])];
    if !signed.is_empty() {
        parts.push(tlv(0xa0, &signed.concat()));
    }
    parts.push(seq(&[oid("1.2.840.10045.4.3.2")]));
    parts.push(tlv(0x04, b""));
    if !unsigned.is_empty() {
        parts.push(tlv(0xa1, &unsigned.concat()));
    }
    seq(&parts)
}

/// A ContentInfo { signedData } with these certificates and one signer.
pub fn signed_data(certificates: &[Vec<u8>], signer: Vec<u8>) -> Vec<u8> {
    let mut fields = vec![
        tlv(0x02, &[1]),
        set(&[seq(&[oid(SHA256)])]),
        seq(&[oid("1.2.840.113549.1.7.1")]),
    ];
    if !certificates.is_empty() {
        fields.push(tlv(0xa0, &certificates.concat()));
    }
    fields.push(set(&[signer]));
    seq(&[oid("1.2.840.113549.1.7.2"), tlv(0xa0, &seq(&fields))])
}
