//! Unit tests of `signed`: the time parser x509-parser replaced, compared with it on real and
//! generated signed files.

use super::*;
use std::cell::RefCell;
use std::path::PathBuf;

thread_local! {
    /// Every time element [`signing_time`] was given on this thread.
    pub(super) static TIMES_READ: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// The hand-written parser x509-parser replaced, kept as the reference the real files are
/// compared against.
fn legacy_asn1_time(raw: &[u8]) -> Option<String> {
    use x509_parser::asn1_rs::{Any, FromBer, Tag};
    let (_, any) = Any::from_ber(raw).ok()?;
    let text = std::str::from_utf8(any.data).ok()?.trim_end_matches('Z');
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let (year, rest): (u32, &str) = match any.tag() {
        // `get`, not indexing: a multi-byte character may straddle any position.
        Tag::UtcTime if text.get(..12).is_some_and(digits) => {
            let yy: u32 = text[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..12])
        }
        Tag::GeneralizedTime if text.get(..14).is_some_and(digits) => {
            (text[..4].parse().ok()?, &text[4..14])
        }
        _ => return None,
    };
    let field = |at: usize| rest[at..at + 2].parse::<u32>().ok();
    let (month, day, hour, minute, second) =
        (field(0)?, field(2)?, field(4)?, field(6)?, field(8)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}Z"
    ))
}

/// Extracts `path` and compares x509-parser with the old parser on every time element the
/// extraction read (signingTime values, RFC 3161 genTimes); returns how many there were.
fn both_parsers_agree_on(path: &Path) -> usize {
    TIMES_READ.with(|t| t.borrow_mut().clear());
    extract(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let read = TIMES_READ.with(|t| t.take());
    for raw in &read {
        let new = signing_time(raw);
        assert!(new.is_some(), "{}: {raw:02x?}", path.display());
        assert_eq!(new, legacy_asn1_time(raw), "{}: {raw:02x?}", path.display());
    }
    read.len()
}

#[test]
#[cfg_attr(
    not(has_real_signed_files),
    ignore = "needs ../shared/realworld/signed (kept out of the repository)"
)]
fn x509_parser_reads_every_time_of_the_real_signed_files_as_the_old_parser_did() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld/signed");
    let mut files = 0;
    let mut times = 0;
    for entry in std::fs::read_dir(&dir).expect("../shared/realworld/signed") {
        let path = entry.unwrap().path();
        let extension = crate::load::extension(&path);
        if ["exe", "dll", "sys"].contains(&extension.as_str()) {
            files += 1;
            times += both_parsers_agree_on(&path);
        }
    }
    assert!(files >= 3 && times >= files, "{files} files, {times} times");
}

/// osslsigncode signs a minimal PE twice (SHA-1, then nested SHA-256), each with a signing
/// time and an RFC 3161 timestamp of its own test TSA.
fn osslsigncode_signed(dir: &Path) -> Option<PathBuf> {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    if std::process::Command::new("osslsigncode")
        .arg("--version")
        .output()
        .is_err()
    {
        return None;
    }
    let params = |cn: &str, ca: bool| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2040, 1, 1);
        if ca {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        } else {
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
        p
    };
    let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let root_key = key();
    let root_params = params("Times Root", true);
    let root = root_params.self_signed(&root_key).unwrap();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let mut files = Vec::new();
    for (name, tsa) in [("signer", false), ("tsa", true)] {
        let mut p = params(&format!("Times {name}"), false);
        if tsa {
            // OpenSSL accepts a TSA certificate only with a critical timeStamping EKU.
            let mut eku = rcgen::CustomExtension::from_oid_content(
                &[2, 5, 29, 37],
                vec![
                    0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
                ],
            );
            eku.set_criticality(true);
            p.custom_extensions = vec![eku];
        } else {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        }
        let k = key();
        let cert = p.signed_by(&k, &issuer).unwrap();
        files.push((
            write(&format!("{name}.pem"), cert.pem() + &root.pem()),
            write(&format!("{name}.key"), k.serialize_pem()),
        ));
    }
    let [(certs, key), (tsa_certs, tsa_key)] = [files[0].clone(), files[1].clone()];
    let unsigned = dir.join("app.exe");
    std::fs::write(&unsigned, super::pe_fixture::minimal_pe(true)).unwrap();
    let mut input = unsigned;
    for (i, extra) in [&["-h", "sha1"][..], &["-nest", "-h", "sha256"]]
        .iter()
        .enumerate()
    {
        let output = dir.join(format!("signed{i}.exe"));
        let result = std::process::Command::new("osslsigncode")
            .arg("sign")
            .args(["-certs".as_ref(), certs.as_os_str()])
            .args(["-key".as_ref(), key.as_os_str()])
            .args(["-TSA-certs".as_ref(), tsa_certs.as_os_str()])
            .args(["-TSA-key".as_ref(), tsa_key.as_os_str()])
            .args(["-TSA-time", "1795564800", "-time", "1795564799"])
            .args(*extra)
            .arg("-in")
            .arg(&input)
            .arg("-out")
            .arg(&output)
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        input = output;
    }
    Some(input)
}

#[test]
fn x509_parser_reads_every_time_of_osslsigncode_signed_files_as_the_old_parser_did() {
    let dir = tempfile::tempdir().unwrap();
    let Some(file) = osslsigncode_signed(dir.path()) else {
        let required = std::env::var("CERTBUNDLE_REQUIRE_TOOLS").unwrap_or_default();
        assert!(
            !required.split_whitespace().any(|t| t == "osslsigncode"),
            "osslsigncode is required but missing"
        );
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "SKIPPED: osslsigncode is not installed");
        return;
    };
    // Two signatures, each with its RFC 3161 genTime (and signingTime where written).
    assert!(both_parsers_agree_on(&file) >= 2);
    let extracted = extract(&file).unwrap();
    let outer = &extracted.signatures[0];
    assert_eq!(
        outer.timestamps[0].signing_time.as_deref(),
        Some("2026-11-25T00:00:00Z")
    );
    assert_eq!(outer.nested[0].timestamps[0].kind, SignatureKind::Timestamp);
}

#[test]
fn times_read_both_asn1_forms() {
    assert_eq!(
        signing_time(b"\x17\x0d261125103000Z").as_deref(),
        Some("2026-11-25T10:30:00Z")
    );
    assert_eq!(
        signing_time(b"\x17\x0d991231235959Z").as_deref(),
        Some("1999-12-31T23:59:59Z")
    );
    assert_eq!(
        signing_time(b"\x18\x1320261125103000.123Z").as_deref(),
        Some("2026-11-25T10:30:00Z")
    );
    assert_eq!(signing_time(b"\x17\x03abc"), None);
    // Digits, but not a time.
    assert_eq!(signing_time(b"\x17\x0d269925103000Z"), None);
    assert_eq!(signing_time(b"\x17\x0d261125253000Z"), None);
    // A multi-byte character across the end of the digits is refused, not a panic.
    assert_eq!(signing_time("\x17\x0d12345678901\u{e9}".as_bytes()), None);
    assert_eq!(signing_time("\x18\x0f1234567890123\u{e9}".as_bytes()), None);
    assert_eq!(digest_name("2.16.840.1.101.3.4.2.1"), "SHA-256");
}
