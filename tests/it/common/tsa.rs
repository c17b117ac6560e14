//! A legacy Authenticode timestamp server on 127.0.0.1, for `osslsigncode sign -t URL`: the
//! timestamps of the PKCS#9 countersignature kind, older than RFC 3161, that Microsoft's own
//! files still carry. Each request is answered with a PKCS#7 SignedData whose one SignerInfo
//! countersigns the request's signature (contentType, signingTime and messageDigest, signed with
//! the TSA's key) and whose certificate set holds the TSA's chain: osslsigncode puts that
//! SignerInfo in the signature's unsigned attributes and the certificates in the file's outer
//! set, as signtool does.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rcgen::SigningKey;

use super::Ca;
use super::der::{attribute, oid, seq, set, tlv};

/// Runs `body` with the URL of a server that timestamps as `signer` (whose chain, signer
/// first, is `chain`) at `utc_time` (UTCTime text, `YYMMDDhhmmssZ`); stops the server after.
pub fn with_legacy_tsa<R>(
    signer: &Ca,
    chain: &[&Ca],
    utc_time: &str,
    body: impl FnOnce(&str) -> R,
) -> R {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => answer(stream, signer, chain, utc_time),
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        let result = body(&url);
        done.store(true, Ordering::Relaxed);
        result
    })
}

/// Reads one HTTP POST and answers it with the countersignature.
fn answer(mut stream: TcpStream, signer: &Ca, chain: &[&Ca], utc_time: &str) {
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    let (head_end, length) = loop {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the timestamp request ended early");
        request.extend_from_slice(&buf[..n]);
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&request[..at]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map(|v| v.trim().parse::<usize>().unwrap())
                .expect("the timestamp request has a Content-Length");
            break (at + 4, length);
        }
    };
    while request.len() < head_end + length {
        let n = stream.read(&mut buf).unwrap();
        assert!(n > 0, "the timestamp request ended early");
        request.extend_from_slice(&buf[..n]);
    }
    let body = &request[head_end..head_end + length];
    let reply = countersignature(&request_content(body), signer, chain, utc_time);
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        reply.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&reply).unwrap();
}

/// The signature a request asks to countersign. The request is (base64 of) `SEQUENCE {
/// countersignatureType, SEQUENCE { contentType, [0] { OCTET STRING signature } } }`.
fn request_content(body: &[u8]) -> Vec<u8> {
    let text: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let der = data_encoding::BASE64
        .decode(&text)
        .unwrap_or_else(|_| body.to_vec());
    let request = content(&der); // TimeStampRequest
    let content_info = content(skip(request)); // after countersignatureType
    let explicit = content(skip(content_info)); // after contentType
    content(explicit).to_vec() // the OCTET STRING's bytes
}

/// The header length and content length of the TLV at the start of `der`.
fn header(der: &[u8]) -> (usize, usize) {
    let first = der[1] as usize;
    if first < 0x80 {
        return (2, first);
    }
    let n = first & 0x7f;
    let len = der[2..2 + n]
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    (2 + n, len)
}

/// The content of the TLV at the start of `der`.
fn content(der: &[u8]) -> &[u8] {
    let (h, len) = header(der);
    &der[h..h + len]
}

/// What follows the TLV at the start of `der`.
fn skip(der: &[u8]) -> &[u8] {
    let (h, len) = header(der);
    &der[h + len..]
}

/// A PKCS#7 SignedData (version 1, as a legacy TSA answers): `chain`'s certificates and one
/// SignerInfo naming `signer` by issuer and serial, over `signature`.
fn countersignature(signature: &[u8], signer: &Ca, chain: &[&Ca], utc_time: &str) -> Vec<u8> {
    use sha2::Digest;
    let sha256 = || seq(&[oid("2.16.840.1.101.3.4.2.1"), tlv(0x05, &[])]);
    let data = "1.2.840.113549.1.7.1";
    let attributes = [
        attribute("1.2.840.113549.1.9.3", &[oid(data)]),
        attribute("1.2.840.113549.1.9.5", &[tlv(0x17, utc_time.as_bytes())]),
        attribute(
            "1.2.840.113549.1.9.4",
            &[tlv(0x04, &sha2::Sha256::digest(signature))],
        ),
    ];
    // The signature covers the attributes as a SET; the SignerInfo holds them as [0].
    let signed = signer.key.sign(&set(&attributes)).unwrap();
    let (_, cert) = x509_parser::parse_x509_certificate(&signer.der).unwrap();
    let signer_info = seq(&[
        tlv(0x02, &[1]),
        seq(&[
            cert.issuer().as_raw().to_vec(),
            tlv(0x02, cert.raw_serial()),
        ]),
        sha256(),
        tlv(0xa0, &attributes.concat()),
        seq(&[oid("1.2.840.113549.1.1.1"), tlv(0x05, &[])]),
        tlv(0x04, &signed),
    ]);
    let certificates: Vec<u8> = chain.iter().flat_map(|c| c.der.clone()).collect();
    let signed_data = seq(&[
        tlv(0x02, &[1]),
        set(&[sha256()]),
        seq(&[oid(data)]),
        tlv(0xa0, &certificates),
        set(&[signer_info]),
    ]);
    seq(&[oid("1.2.840.113549.1.7.2"), tlv(0xa0, &signed_data)])
}
