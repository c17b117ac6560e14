//! The signature reader against hostile structures built by hand (`common::der`): every limit
//! gives a note and the rest of the file, never a panic, a stack overflow or unbounded work.
//! Each case here crashed or hung the reader before its limit existed.

use std::io::Cursor;
use std::path::Path;

use crate::common::der::{self, attribute, signed_data, signer_info, tlv};
use crate::common::pe::{minimal_pe, security_directory, with_certificate_table};
use crate::common::*;
use certbundle::signed::{self, Extracted, Signature};

fn read(entries: &[Vec<u8>]) -> Extracted {
    let file = with_certificate_table(entries);
    let len = file.len() as u64;
    signed::extract_from(Cursor::new(file), len, Path::new("hostile.exe")).unwrap()
}

fn notes(s: &Signature) -> Vec<String> {
    s.all().iter().flat_map(|s| s.problems.clone()).collect()
}

/// How many timestamps deep the first timestamp of each level goes.
fn timestamp_depth(s: &Signature) -> usize {
    s.timestamps.first().map_or(0, |t| 1 + timestamp_depth(t))
}

#[test]
fn timestamp_tokens_nested_thousands_deep_stop_at_the_depth_limit() {
    let mut token = signed_data(&[], signer_info(b"k", &[], &[]));
    for _ in 0..3000 {
        token = signed_data(
            &[],
            signer_info(b"k", &[], &[attribute(der::RFC3161, &[token])]),
        );
    }
    let e = read(&[token]);
    let s = &e.signatures[0];
    assert_eq!(timestamp_depth(s), 4);
    assert!(
        notes(s)
            .iter()
            .any(|n| n == "timestamp tokens nested deeper than 4 levels were not read"),
        "{:?}",
        notes(s)
    );
}

#[test]
fn nested_signatures_thousands_deep_stop_at_the_depth_limit() {
    let mut inner = signed_data(&[], signer_info(b"k", &[], &[]));
    for _ in 0..3000 {
        inner = signed_data(
            &[],
            signer_info(b"k", &[], &[attribute(der::NESTED, &[inner])]),
        );
    }
    let e = read(&[inner]);
    let mut depth = 0;
    let mut s = &e.signatures[0];
    while let Some(n) = s.nested.first() {
        depth += 1;
        s = n;
    }
    assert_eq!(depth, 4);
    assert!(
        notes(&e.signatures[0])
            .iter()
            .any(|n| n == "nested signatures nested deeper than 4 levels were not read")
    );
}

#[test]
fn many_timestamp_tokens_stop_at_the_per_attribute_and_per_file_limits() {
    // 16 tokens, each carrying 16 more: 273 signatures, more than a file gets.
    let leaf = signed_data(&[], signer_info(b"k", &[], &[]));
    let middle = signed_data(
        &[],
        signer_info(b"k", &[], &[attribute(der::RFC3161, &vec![leaf; 16])]),
    );
    let top = signed_data(
        &[],
        signer_info(
            b"k",
            &[],
            &[attribute(der::RFC3161, &vec![middle.clone(); 20])],
        ),
    );
    let e = read(&[top]);
    let s = &e.signatures[0];
    assert_eq!(s.all().len(), 64, "signatures read in all");
    assert!(notes(s).contains(
        &"timestamp tokens beyond the first 64 signatures of the file were not read".to_string()
    ));
    // 20 tokens at one signer: 16 are read.
    let flat = signed_data(
        &[],
        signer_info(
            b"k",
            &[],
            &[attribute(der::RFC3161, &vec![leaf_token(); 20])],
        ),
    );
    let e = read(&[flat]);
    assert_eq!(e.signatures[0].timestamps.len(), 16);
    let limits: Vec<String> = notes(&e.signatures[0])
        .into_iter()
        .filter(|n| !n.contains("signer's certificate"))
        .collect();
    assert_eq!(
        limits,
        vec!["timestamp tokens beyond the first 16 were not read".to_string()]
    );
}

fn leaf_token() -> Vec<u8> {
    signed_data(&[], signer_info(b"k", &[], &[]))
}

#[test]
fn thousands_of_certificates_are_read_up_to_the_limit() {
    let root = root_with(ca_params("Many Root"), ec_key());
    let certs = numbered_copies(&root.der, 5000);
    let e = read(&[signed_data(&certs, signer_info(b"k", &[], &[]))]);
    assert_eq!(e.certificates.len(), 256);
    assert!(
        notes(&e.signatures[0]).contains(
            &"only the first 256 of its 5000 embedded certificates were read".to_string()
        )
    );
}

#[test]
fn a_chain_longer_than_the_limit_is_followed_no_further() {
    let mut chain = vec![root_with(ca_params("Long 0"), ec_key())];
    for i in 1..20 {
        let next = issued_with(
            ca_params(&format!("Long {i}")),
            ec_key(),
            chain.last().unwrap(),
        );
        chain.push(next);
    }
    let leaf = chain.last().unwrap();
    let certs: Vec<Vec<u8>> = chain.iter().map(|c| c.der.clone()).collect();
    let e = read(&[signed_data(
        &certs,
        signer_info(&ski_bytes(&leaf.der), &[], &[]),
    )]);
    let s = &e.signatures[0];
    assert_eq!(s.chain.len(), 16);
    assert_eq!(s.chain[0].name, "Long 19");
    assert_eq!(s.chain[15].name, "Long 4");
    assert_eq!(
        s.problems,
        vec!["the chain was followed for 16 certificates and no further".to_string()]
    );
    // All 20 were still found.
    assert_eq!(e.certificates.len(), 20);
}

#[test]
fn of_two_issuers_with_the_same_name_the_one_whose_key_signed_is_chosen() {
    let root = root_with(ca_params("Twin Root"), ec_key());
    let impostor = issued_with(ca_params("Twin CA"), ec_key(), &root);
    let real = issued_with(ca_params("Twin CA"), ec_key(), &root);
    let mut leaf_params = ca_params("Twin Signer");
    leaf_params.is_ca = rcgen::IsCa::ExplicitNoCa;
    // No authority key identifier: only the signature tells the two apart.
    leaf_params.use_authority_key_identifier_extension = false;
    let leaf = issued_with(leaf_params, ec_key(), &real);
    let certs = vec![leaf.der.clone(), impostor.der.clone(), real.der.clone()];
    let e = read(&[signed_data(
        &certs,
        signer_info(&ski_bytes(&leaf.der), &[], &[]),
    )]);
    let chain: Vec<&str> = e.signatures[0]
        .chain
        .iter()
        .map(|c| c.sha1.as_str())
        .collect();
    let real_sha1 = certbundle::hex::sha1_upper(&real.der);
    assert_eq!(
        chain,
        vec![
            certbundle::hex::sha1_upper(&leaf.der).as_str(),
            real_sha1.as_str()
        ]
    );
}

#[test]
fn a_signing_time_with_a_multibyte_character_is_no_time_not_a_panic() {
    let utc = tlv(0x17, "12345678901\u{e9}".as_bytes());
    let generalized = tlv(0x18, "1234567890123\u{e9}".as_bytes());
    for time in [utc, generalized] {
        let signer = signer_info(b"k", &[attribute(der::SIGNING_TIME, &[time])], &[]);
        let e = read(&[signed_data(&[], signer)]);
        assert_eq!(e.signatures[0].signing_time, None);
    }
    // A well-formed one is read.
    let signer = signer_info(
        b"k",
        &[attribute(der::SIGNING_TIME, &[tlv(0x17, b"261125103000Z")])],
        &[],
    );
    let e = read(&[signed_data(&[], signer)]);
    assert_eq!(
        e.signatures[0].signing_time.as_deref(),
        Some("2026-11-25T10:30:00Z")
    );
}

#[test]
fn a_damaged_second_entry_keeps_the_first_signature() {
    let good = signed_data(&[], signer_info(b"k", &[], &[]));
    let e = read(&[good.clone(), b"garbage, not PKCS#7".to_vec()]);
    assert_eq!(e.signatures.len(), 1);
    assert_eq!(e.problems.len(), 1);
    assert!(
        e.problems[0].starts_with("signature 2 is malformed"),
        "{:?}",
        e.problems
    );
    // Only damaged entries: the file is not readable, and says why.
    let file = with_certificate_table(&[b"garbage, not PKCS#7".to_vec()]);
    let len = file.len() as u64;
    let error = signed::extract_from(Cursor::new(file), len, Path::new("x.exe")).unwrap_err();
    assert!(
        error.message.starts_with("signature 1 is malformed"),
        "{error:?}"
    );
    assert!(error.hint.contains("copy the file again"), "{error:?}");
}

#[test]
fn a_table_that_ends_early_is_named_truncated() {
    // The file is as long as the caller says, but the bytes stop short: a copy that was cut
    // while being read.
    let mut file = with_certificate_table(&[signed_data(&[], signer_info(b"k", &[], &[]))]);
    let len = file.len() as u64;
    file.truncate(file.len() - 8);
    let error = signed::extract_from(Cursor::new(file), len, Path::new("x.exe")).unwrap_err();
    assert!(error.message.contains("ends early"), "{error:?}");
    assert!(error.message.contains("truncated"), "{error:?}");
}

#[test]
fn short_and_dos_only_files_are_told_apart() {
    let e = |bytes: &[u8]| {
        signed::extract_from(
            Cursor::new(bytes.to_vec()),
            bytes.len() as u64,
            Path::new("x"),
        )
        .unwrap_err()
    };
    assert_eq!(e(b"").message, "not a Windows PE file (no MZ header)");
    assert_eq!(
        e(b"PK\x03\x04").message,
        "not a Windows PE file (no MZ header)"
    );
    let short = e(b"MZ\x90\x00");
    assert!(short.message.contains("truncated or damaged"), "{short:?}");
}

#[test]
#[should_panic(expected = "duplicate key \"file\"")]
fn the_strict_json_check_catches_a_repeated_key() {
    // What `extract --json` printed before `file` was serialised once.
    assert_no_duplicate_keys(br#"{"files":[{"file":"a.exe","format":"PE32","file":"a.exe"}]}"#);
}

#[test]
fn an_issuer_is_never_a_certificate_whose_key_did_not_sign() {
    let root = root_with(ca_params("Twin Root"), ec_key());
    let real = issued_with(ca_params("Twin CA"), ec_key(), &root);
    // An RSA-1024 impostor: its key cannot even check the leaf's ECDSA signature.
    let unverifiable = {
        use rsa::pkcs8::EncodePublicKey;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let spki = key.to_public_key().to_public_key_der().unwrap();
        let public = rcgen::SubjectPublicKeyInfo::from_der(spki.as_bytes()).unwrap();
        ca_params("Twin CA")
            .signed_by(&public, &root.issuer())
            .unwrap()
            .der()
            .to_vec()
    };
    let impostor = issued_with(ca_params("Twin CA"), ec_key(), &root);
    let mut leaf_params = ca_params("Twin Signer");
    leaf_params.is_ca = rcgen::IsCa::ExplicitNoCa;
    leaf_params.use_authority_key_identifier_extension = false;
    let leaf = issued_with(leaf_params, ec_key(), &real);
    let ski = ski_bytes(&leaf.der);
    // The one that verifies wins over one that cannot be checked, listed first.
    let certs = vec![
        leaf.der.clone(),
        unverifiable.clone(),
        impostor.der.clone(),
        real.der.clone(),
    ];
    let e = read(&[signed_data(&certs, signer_info(&ski, &[], &[]))]);
    assert_eq!(
        e.signatures[0].chain[1].sha1,
        certbundle::hex::sha1_upper(&real.der)
    );
    // Only impostors: the issuer is missing, and the note says why.
    let certs = vec![leaf.der.clone(), impostor.der.clone()];
    let e = read(&[signed_data(&certs, signer_info(&ski, &[], &[]))]);
    let s = &e.signatures[0];
    assert_eq!(s.chain.len(), 1);
    assert_eq!(s.missing_issuer.as_ref().unwrap().name, "Twin CA");
    assert_eq!(
        s.problems,
        vec![
            "1 certificate(s) named like the issuer of Twin Signer are in the file, but their keys did not sign it"
                .to_string()
        ]
    );
}

#[test]
fn signature_checks_are_budgeted_per_file_and_then_names_decide() {
    let root = root_with(ca_params("Budget Root"), ec_key());
    let mut chain = vec![root];
    for i in 1..4 {
        let next = issued_with(
            ca_params(&format!("Budget CA {i}")),
            ec_key(),
            chain.last().unwrap(),
        );
        chain.push(next);
    }
    let mut leaf_params = ca_params("Budget Signer");
    leaf_params.is_ca = rcgen::IsCa::ExplicitNoCa;
    let leaf = issued_with(leaf_params, ec_key(), chain.last().unwrap());
    let mut certs: Vec<Vec<u8>> = chain.iter().map(|c| c.der.clone()).collect();
    certs.push(leaf.der.clone());
    let one = signed_data(&certs, signer_info(&ski_bytes(&leaf.der), &[], &[]));
    // 20 signatures, 4 checks each: the budget of 64 runs out in the 17th.
    let e = read(&vec![one; 20]);
    assert_eq!(e.signatures.len(), 20);
    for s in &e.signatures {
        assert_eq!(
            s.chain.len(),
            5,
            "every chain still reaches its root by name"
        );
    }
    let used_up: Vec<usize> = (0..20)
        .filter(|&i| {
            e.signatures[i]
                .problems
                .iter()
                .any(|p| p == "signature checks used up (64 per file): issuers chosen by name only")
        })
        .collect();
    assert_eq!(used_up.first(), Some(&16), "{used_up:?}");
    assert!(e.signatures[15].problems.is_empty());
}

#[test]
fn damaged_entries_count_against_the_per_file_limit() {
    let mut entries = vec![leaf_token()];
    entries.extend(std::iter::repeat_n(b"garbage".to_vec(), 200));
    let e = read(&entries);
    assert_eq!(e.signatures.len(), 1);
    assert_eq!(e.problems.len(), 64, "63 damaged entries and the limit");
    assert_eq!(
        e.problems.last().unwrap(),
        "certificate table entries beyond the first 64 were not read"
    );
}

#[test]
fn a_list_of_more_than_ten_thousand_elements_is_malformed_not_stored() {
    // 10,001 two-byte NULLs as the certificate set.
    let nulls: Vec<Vec<u8>> = std::iter::repeat_n(vec![0x05, 0x00], 10_001).collect();
    let file = with_certificate_table(&[signed_data(&nulls, signer_info(b"k", &[], &[]))]);
    let len = file.len() as u64;
    let error = signed::extract_from(Cursor::new(file), len, Path::new("x.exe")).unwrap_err();
    assert!(
        error
            .message
            .contains("more than 10000 elements in one list"),
        "{error:?}"
    );
}

/// A reader that counts the bytes read through it.
struct Counting<'a> {
    inner: Cursor<Vec<u8>>,
    read: &'a std::cell::Cell<u64>,
}

impl std::io::Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

impl std::io::Seek for Counting<'_> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(to)
    }
}

/// A PE32 file whose certificate table (zeros) is `size` bytes and ends the file: what the reader
/// made of it, and how many bytes it read.
fn table_of(size: usize) -> (Result<Extracted, String>, u64) {
    let mut file = minimal_pe(false);
    let dir = security_directory(false);
    let start = file.len();
    file[dir..dir + 4].copy_from_slice(&(start as u32).to_le_bytes());
    file[dir + 4..dir + 8].copy_from_slice(&(size as u32).to_le_bytes());
    file.resize(start + size, 0);
    let len = file.len() as u64;
    let read = std::cell::Cell::new(0);
    let reader = Counting {
        inner: Cursor::new(file),
        read: &read,
    };
    let result = signed::extract_from(reader, len, Path::new("big-table.exe"));
    (result.map_err(|e| e.to_string()), read.get())
}

#[test]
fn a_certificate_table_over_16_mib_is_refused_before_it_is_read() {
    let ceiling = 16 * 1024 * 1024;
    let (over, read) = table_of(ceiling + 8);
    let over = over.unwrap_err();
    assert!(over.contains("over the 16 MiB"), "{over}");
    assert!(read < 64 * 1024, "read {read} bytes of a table it refused");
    // At the ceiling the table is read; its zeros are no signature.
    let (at, read) = table_of(ceiling);
    let at = format!("{at:?}");
    assert!(!at.contains("over the 16 MiB"), "{at}");
    assert!(read >= ceiling as u64, "read only {read} bytes");
}
