//! Library tests: every finding code and every role, over hierarchies generated at test time
//! (rcgen), committed generated fixtures (tests/fixtures/generated, see README there) and real
//! public roots (tests/fixtures/roots).

use crate::common::*;
use certbundle::load::{Item, Origin};
use certbundle::verify::{CertSummary, Checked, Code, Policy, Role, Severity, Store, check};
use rcgen::{ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose};
use time::format_description::well_known::Rfc3339;

fn item(name: &str, der: &[u8]) -> Item {
    Item {
        origin: Origin {
            path: name.into(),
            position: None,
        },
        der: der.to_vec(),
        defect: None,
    }
}

fn policy() -> Policy {
    Policy::unpinned(time::OffsetDateTime::parse(NOW, &Rfc3339).unwrap(), false)
}

fn run(items: &[(&str, &[u8])]) -> Checked {
    let items: Vec<Item> = items.iter().map(|(n, d)| item(n, d)).collect();
    check(&items, &policy())
}

fn cert<'a>(checked: &'a Checked, name: &str) -> &'a CertSummary {
    checked
        .certificates
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("{name} not in {checked:#?}"))
}

fn codes(c: &CertSummary) -> Vec<(Code, Severity)> {
    c.findings.iter().map(|f| (f.code, f.severity)).collect()
}

fn pem_der(path: &str) -> Vec<u8> {
    pem::parse(std::fs::read(fixture(path)).unwrap())
        .unwrap()
        .into_contents()
}

#[test]
fn root_intermediate_leaf_roles_issuers_and_not_ca() {
    let root = root("H Root");
    let inter = intermediate("H Intermediate", &root);
    let leaf = leaf("H Leaf", &inter);
    let c = run(&[
        ("root.pem", &root.der),
        ("inter.cer", &inter.der),
        ("leaf.cer", &leaf.der),
    ]);
    let (r, i, l) = (
        cert(&c, "H Root"),
        cert(&c, "H Intermediate"),
        cert(&c, "H Leaf"),
    );
    assert_eq!(
        (r.role, r.store, r.self_signed),
        (Role::Root, Some(Store::Root), true)
    );
    assert_eq!((i.role, i.store), (Role::Intermediate, Some(Store::CA)));
    assert_eq!(i.issuer_sha256.as_deref(), Some(r.sha256.as_str()));
    assert_eq!(l.issuer_sha256.as_deref(), Some(i.sha256.as_str()));
    assert!(codes(r).is_empty() && codes(i).is_empty(), "{c:#?}");
    assert_eq!((l.role, l.store), (Role::Leaf, None));
    assert_eq!(codes(l), vec![(Code::NotCa, Severity::Error)]);
    assert!(l.findings[0].message.contains("end-entity"));
    assert_eq!(l.findings[0].file, "leaf.cer");
}

#[test]
fn ca_without_basic_constraints_is_not_ca() {
    let root = root("NB Root");
    let mut p = ca_params("NB No Constraints");
    p.is_ca = IsCa::NoCa;
    let nb = issued_with(p, ec_key(), &root);
    let c = run(&[("root.pem", &root.der), ("nb.cer", &nb.der)]);
    let f = &cert(&c, "NB No Constraints").findings;
    assert_eq!(f[0].code, Code::NotCa);
    assert!(
        f[0].message.contains("no basicConstraints"),
        "{}",
        f[0].message
    );
}

#[test]
fn expired_is_an_error_or_with_allow_expired_a_warning() {
    let root = root("E Root");
    let mut p = ca_params("E Expired");
    p.not_before = ymd(2010, 1, 1);
    p.not_after = ymd(2020, 2, 7);
    let expired = issued_with(p, ec_key(), &root);
    let items = [item("root.pem", &root.der), item("old.cer", &expired.der)];
    let strict = check(&items, &policy());
    assert_eq!(
        codes(cert(&strict, "E Expired")),
        vec![(Code::Expired, Severity::Error)]
    );
    assert!(
        cert(&strict, "E Expired").findings[0]
            .message
            .contains("2020-02-07")
    );
    let lenient = check(
        &items,
        &Policy {
            allow_expired: true,
            ..policy()
        },
    );
    assert_eq!(
        codes(cert(&lenient, "E Expired")),
        vec![(Code::Expired, Severity::Warning)]
    );
}

#[test]
fn not_yet_valid_and_expires_soon() {
    let root = root("V Root");
    let mut future = ca_params("V Future");
    future.not_before = ymd(2030, 1, 1);
    let future = issued_with(future, ec_key(), &root);
    let mut soon = ca_params("V Soon");
    soon.not_after = ymd(2027, 1, 15);
    let soon = issued_with(soon, ec_key(), &root);
    let c = run(&[
        ("root.pem", &root.der),
        ("future.cer", &future.der),
        ("soon.cer", &soon.der),
    ]);
    assert_eq!(
        codes(cert(&c, "V Future")),
        vec![(Code::NotYetValid, Severity::Error)]
    );
    assert_eq!(
        codes(cert(&c, "V Soon")),
        vec![(Code::ExpiresSoon, Severity::Warning)]
    );
    assert!(
        cert(&c, "V Soon").findings[0]
            .message
            .contains("in 45 days")
    );
}

#[test]
fn wrong_signatures_on_intermediate_and_root() {
    let root = root("S Root");
    let inter = intermediate("S Intermediate", &root);
    let bad_inter = corrupt_signature(&inter.der);
    let c = run(&[("root.pem", &root.der), ("inter.cer", &bad_inter)]);
    let i = cert(&c, "S Intermediate");
    assert_eq!(i.role, Role::Intermediate);
    assert_eq!(codes(i), vec![(Code::BadSignature, Severity::Error)]);
    assert!(i.findings[0].message.contains("S Root"));

    let bad_root = corrupt_signature(&root.der);
    let c = run(&[("root.pem", &bad_root)]);
    let r = cert(&c, "S Root");
    assert_eq!((r.role, r.self_signed), (Role::Root, false));
    assert_eq!(codes(r), vec![(Code::BadSignature, Severity::Error)]);
}

#[test]
fn key_usage_without_cert_sign() {
    let root = root("K Root");
    let mut p = ca_params("K No CertSign");
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::CrlSign];
    let ku = issued_with(p, ec_key(), &root);
    let c = run(&[("root.pem", &root.der), ("ku.cer", &ku.der)]);
    assert_eq!(
        codes(cert(&c, "K No CertSign")),
        vec![(Code::NoCertSign, Severity::Error)]
    );
}

#[test]
fn v1_self_signed_root_is_accepted_as_a_root() {
    let der = pem_der("generated/v1-root.pem");
    let c = run(&[("v1.pem", &der)]);
    let r = cert(&c, "Test V1 Root");
    assert_eq!((r.role, r.version, r.ca), (Role::Root, 1, false));
    assert!(codes(r).is_empty(), "{:?}", r.findings);
}

#[test]
fn rsa_and_ecdsa_chains_verify_both_ways() {
    let rsa_root = root_with(ca_params("R RSA Root"), rsa_key(2048));
    let ec_under_rsa = intermediate("R EC under RSA", &rsa_root);
    let ec384_root = root_with(ca_params("R P-384 Root"), ec384_key());
    let rsa_under_ec = issued_with(ca_params("R RSA under P-384"), rsa_key(2048), &ec384_root);
    let c = run(&[
        ("a.pem", &rsa_root.der),
        ("b.cer", &ec_under_rsa.der),
        ("c.pem", &ec384_root.der),
        ("d.cer", &rsa_under_ec.der),
    ]);
    assert_eq!(cert(&c, "R RSA Root").key, "RSA 2048");
    assert_eq!(cert(&c, "R P-384 Root").key, "EC P-384");
    assert_eq!(
        cert(&c, "R EC under RSA").issuer_sha256.as_deref(),
        Some(cert(&c, "R RSA Root").sha256.as_str())
    );
    assert_eq!(
        cert(&c, "R RSA under P-384").issuer_sha256.as_deref(),
        Some(cert(&c, "R P-384 Root").sha256.as_str())
    );
    for cert in &c.certificates {
        assert!(
            cert.findings.is_empty(),
            "{}: {:?}",
            cert.name,
            cert.findings
        );
    }
}

#[test]
fn issuer_missing_is_a_warning() {
    let root = root("M Root");
    let inter = intermediate("M Orphan", &root);
    let c = run(&[("orphan.cer", &inter.der)]);
    let i = cert(&c, "M Orphan");
    assert_eq!(codes(i), vec![(Code::IssuerMissing, Severity::Warning)]);
    assert!(i.findings[0].message.contains("M Root"));
}

#[test]
fn weak_rsa_key() {
    use rsa::pkcs8::EncodePublicKey;
    let root = root("W Root");
    let small = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let spki = small.to_public_key().to_public_key_der().unwrap();
    let public = rcgen::SubjectPublicKeyInfo::from_der(spki.as_bytes()).unwrap();
    let weak = ca_params("W Small Key")
        .signed_by(&public, &root.issuer())
        .unwrap();
    let c = run(&[("root.pem", &root.der), ("weak.cer", weak.der())]);
    let w = cert(&c, "W Small Key");
    assert_eq!(w.key, "RSA 1024");
    assert_eq!(codes(w), vec![(Code::WeakKey, Severity::Warning)]);
}

#[test]
fn sha1_signature_on_an_intermediate_is_weak() {
    let c = run(&[
        ("sha1-root.pem", &pem_der("generated/sha1-root.pem")),
        (
            "sha1-intermediate.pem",
            &pem_der("generated/sha1-intermediate.pem"),
        ),
    ]);
    let i = cert(&c, "Test SHA-1 Intermediate");
    assert_eq!(i.signature_algorithm, "sha1WithRSAEncryption");
    assert_eq!(codes(i), vec![(Code::WeakSignature, Severity::Warning)]);
    assert!(
        i.issuer_sha256.is_some(),
        "the SHA-1 signature itself verifies"
    );
}

#[test]
fn unverifiable_algorithm_is_a_warning_naming_it() {
    let c = run(&[("ec512.pem", &pem_der("generated/ecdsa-sha512-root.pem"))]);
    let r = cert(&c, "Test ECDSA SHA-512 Root");
    assert_eq!(r.role, Role::Root);
    assert_eq!(
        codes(r),
        vec![(Code::UnverifiableSignature, Severity::Warning)]
    );
    assert!(
        r.findings[0].message.contains("ecdsa-with-SHA512"),
        "{}",
        r.findings[0].message
    );
}

#[test]
fn wrong_purpose_intermediate() {
    let root = root("P Root");
    let mut p = ca_params("P TLS Only");
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let tls = issued_with(p, ec_key(), &root);
    let c = run(&[("root.pem", &root.der), ("tls.cer", &tls.der)]);
    assert_eq!(
        codes(cert(&c, "P TLS Only")),
        vec![(Code::WrongPurpose, Severity::Warning)]
    );
}

#[test]
fn duplicates_are_kept_once_with_a_note_on_the_second_file() {
    let root = root("D Root");
    let c = run(&[("a.pem", &root.der), ("b.cer", &root.der)]);
    assert_eq!(c.certificates.len(), 1);
    let r = &c.certificates[0];
    assert_eq!(r.file.to_string(), "a.pem");
    assert_eq!(codes(r), vec![(Code::Duplicate, Severity::Info)]);
    assert_eq!(r.findings[0].file, "b.cer");
}

#[test]
fn parse_errors_say_why() {
    let root = root("X Root");
    let mut trailing = root.der.clone();
    trailing.extend_from_slice(b"junk");
    let truncated = &root.der[..root.der.len() / 2];
    let c = run(&[
        ("garbage.cer", b"\x30\x03\x02\x01\x05"),
        ("trailing.cer", &trailing),
        ("truncated.cer", truncated),
    ]);
    assert!(c.certificates.is_empty());
    let msgs: Vec<(&str, &str)> = c
        .rejected
        .iter()
        .map(|f| (f.file.as_str(), f.message.as_str()))
        .collect();
    assert!(
        c.rejected
            .iter()
            .all(|f| f.code == Code::ParseError && f.severity == Severity::Error)
    );
    assert!(
        msgs[0].1.contains("not a valid X.509 certificate"),
        "{msgs:?}"
    );
    assert_eq!(
        msgs[1],
        (
            "trailing.cer",
            "4 trailing bytes after the certificate; a certificate must be exactly one DER structure"
        )
    );
    assert!(msgs[2].1.contains("truncated"), "{msgs:?}");
}

#[test]
fn a_name_with_an_attribute_type_not_in_der_is_a_parse_error() {
    let mut params = ca_params("Real Root");
    params
        .distinguished_name
        .push(rcgen::DnType::CustomDnType(vec![2, 5, 4, 65]), "Evil Root");
    let good = root_with(params, ec_key());
    // 2.5.4.65 (06 03 55 04 41) becomes 55 04 83, an OID cut off in its last arc that
    // x509-parser reads as 2.5.4.3, the CN: in the subject and in the issuer.
    let (from, to) = (
        [0x06, 0x03, 0x55, 0x04, 0x41],
        [0x06, 0x03, 0x55, 0x04, 0x83],
    );
    let mut evil = good.der.clone();
    assert_eq!(evil.windows(from.len()).filter(|w| *w == from).count(), 2);
    replace_first(&mut evil, &from, &to);
    replace_last(&mut evil, &from, &to);
    let c = run(&[("good.cer", &good.der), ("evil.cer", &evil)]);
    assert_eq!(c.certificates.len(), 1, "{c:#?}");
    cert(&c, "Real Root");
    assert_eq!(c.rejected.len(), 1, "{c:#?}");
    let f = &c.rejected[0];
    assert_eq!(
        (f.file.as_str(), f.code, f.severity),
        ("evil.cer", Code::ParseError, Severity::Error)
    );
    assert_eq!(
        f.message,
        "its subject has an attribute type whose OID is not valid DER (hex 550483), which a lenient reader may take for another type; do not install it: get the certificate again from its publisher"
    );
}

#[test]
fn cross_certificate_with_a_roots_name_is_an_intermediate() {
    let a = root("C Shared Name Root");
    let b = root("C Other Root");
    // The same subject and key as root A, issued by root B: a cross-certificate.
    let cross_der = a
        .params
        .signed_by(&a.key, &b.issuer())
        .unwrap()
        .der()
        .to_vec();
    let c = run(&[
        ("a.pem", &a.der),
        ("b.pem", &b.der),
        ("cross.cer", &cross_der),
    ]);
    let roles: Vec<(String, Role)> = c
        .certificates
        .iter()
        .map(|c| (c.file.to_string(), c.role))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("a.pem".into(), Role::Root),
            ("b.pem".into(), Role::Root),
            ("cross.cer".into(), Role::Intermediate)
        ]
    );
    assert!(
        c.certificates.iter().all(|c| c.findings.is_empty()),
        "{c:#?}"
    );
}

#[test]
fn reissued_ca_with_same_name_signed_by_old_key_is_an_intermediate() {
    // Old and new roots share a name; the link certificate carries the new key, is signed by the
    // old one and has no authority key identifier: it looks self-issued but is not self-signed.
    let mut old_params = ca_params("L Same Name Root");
    old_params.use_authority_key_identifier_extension = false;
    let old = root_with(old_params, ec_key());
    let new_key = ec_key();
    let mut link_params = ca_params("L Same Name Root");
    link_params.use_authority_key_identifier_extension = false;
    let link_der = link_params
        .signed_by(&new_key, &old.issuer())
        .unwrap()
        .der()
        .to_vec();
    let c = run(&[("old.pem", &old.der), ("link.cer", &link_der)]);
    assert_eq!(c.certificates[0].role, Role::Root);
    assert_eq!(c.certificates[1].role, Role::Intermediate);
    assert_eq!(
        c.certificates[1].issuer_sha256.as_deref(),
        Some(c.certificates[0].sha256.as_str())
    );
    assert!(
        c.certificates.iter().all(|c| c.findings.is_empty()),
        "{c:#?}"
    );
}

#[test]
fn real_public_roots_are_clean_self_signed_roots() {
    let dir = fixture("roots");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.retain(|p| p.extension().is_some_and(|e| e == "pem"));
    names.sort();
    assert_eq!(names.len(), 5);
    let items: Vec<Item> = names
        .iter()
        .map(|p| {
            item(
                p.file_name().unwrap().to_str().unwrap(),
                &pem::parse(std::fs::read(p).unwrap())
                    .unwrap()
                    .into_contents(),
            )
        })
        .collect();
    let c = check(&items, &policy());
    for cert in &c.certificates {
        assert_eq!(
            (cert.role, cert.self_signed),
            (Role::Root, true),
            "{}",
            cert.name
        );
        assert!(
            cert.findings.is_empty(),
            "{}: {:?}",
            cert.name,
            cert.findings
        );
    }
    let keys: Vec<&str> = c.certificates.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(
        keys,
        ["EC P-384", "RSA 2048", "EC P-384", "RSA 4096", "EC P-384"]
    );
}

#[test]
fn every_code_is_documented_in_docs_findings() {
    let findings =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.md")).unwrap();
    for code in <Code as strum::IntoEnumIterator>::iter() {
        assert!(
            findings.contains(&format!("`{}`", code.as_str())),
            "docs/findings.md does not document {}",
            code.as_str()
        );
    }
}

#[test]
fn rsa_1024_issuers_with_sha256_are_checked_not_skipped() {
    let c = run(&[
        ("r.pem", &pem_der("generated/rsa1024-root.pem")),
        ("i.pem", &pem_der("generated/rsa1024-intermediate.pem")),
    ]);
    let (r, i) = (
        cert(&c, "Test RSA-1024 Root"),
        cert(&c, "Test Under RSA-1024"),
    );
    assert_eq!(codes(r), vec![(Code::WeakKey, Severity::Warning)]);
    assert!(codes(i).is_empty(), "{:?}", i.findings);
    assert_eq!(i.issuer_sha256.as_deref(), Some(r.sha256.as_str()));
    // And a corrupted signature under that key is caught, not waved through as unverifiable.
    let bad = corrupt_signature(&pem_der("generated/rsa1024-intermediate.pem"));
    let c = run(&[
        ("r.pem", &pem_der("generated/rsa1024-root.pem")),
        ("i.pem", &bad),
    ]);
    assert_eq!(
        codes(cert(&c, "Test Under RSA-1024")),
        vec![(Code::BadSignature, Severity::Error)]
    );
}

#[test]
fn an_rsa_exponent_beyond_the_verifier_is_unverifiable_not_bad() {
    let c = run(&[("e.pem", &pem_der("generated/large-exponent-root.pem"))]);
    let r = cert(&c, "Test Large Exponent Root");
    assert_eq!(
        codes(r),
        vec![(Code::UnverifiableSignature, Severity::Warning)]
    );
    assert!(r.findings[0].message.contains("exponent"));
}

fn replace_last(der: &mut [u8], from: &[u8], to: &[u8]) {
    let at = der
        .windows(from.len())
        .rposition(|w| w == from)
        .expect("pattern present");
    der[at..at + from.len()].copy_from_slice(to);
}

fn replace_first(der: &mut [u8], from: &[u8], to: &[u8]) {
    let at = der
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern present");
    der[at..at + from.len()].copy_from_slice(to);
}

#[test]
fn an_outer_signature_algorithm_that_differs_from_the_signed_one_is_tampering() {
    let root = root_with(ca_params("O RSA Root"), rsa_key(2048));
    let inter = intermediate("O Intermediate", &root);
    let mut der = inter.der.clone();
    // sha256WithRSAEncryption -> sha224WithRSAEncryption in the outer AlgorithmIdentifier only.
    let sha256_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    let sha224_rsa = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0e];
    replace_last(&mut der, &sha256_rsa, &sha224_rsa);
    let c = run(&[("root.pem", &root.der), ("inter.cer", &der)]);
    let i = cert(&c, "O Intermediate");
    assert!(
        codes(i).contains(&(Code::BadSignature, Severity::Error)),
        "{:?}",
        i.findings
    );
    assert!(
        i.findings
            .iter()
            .any(|f| f.message.contains("differs from the one outside it"))
    );
}

#[test]
fn a_root_with_an_altered_name_is_still_checked_as_a_root() {
    let root = root("M2 Root");
    let mut der = root.der.clone();
    // The issuer name comes first in the signed part: alter it only.
    replace_first(&mut der, b"M2 Root", b"M2 Ruot");
    let c = run(&[("root.pem", &der)]);
    let r = &c.certificates[0];
    assert_eq!(
        r.role,
        Role::Root,
        "one altered byte must not make an unchecked intermediate"
    );
    assert_eq!(codes(r), vec![(Code::BadSignature, Severity::Error)]);
}

fn pinning(ders: &[&[u8]]) -> Policy {
    let mut text = String::from("schema = \"certbundle-profile/1\"\nname = \"t\"\ntitle = \"t\"\n");
    for der in ders {
        text.push_str(&format!(
            "[[certificate]]\nname = \"x\"\nsha256 = \"{}\"\nstore = \"Root\"\nrole = \"root\"\nneed = \"required\"\npurpose = [\"timestamp\"]\nevidence = \"inferred\"\n",
            certbundle::hex::sha256_upper(der)
        ));
    }
    Policy {
        profile: Some(certbundle::profile::Profile::parse("t", &text).unwrap()),
        ..policy()
    }
}

#[test]
fn a_pinned_expired_ca_and_a_pinned_root_with_a_bad_self_signature_are_warnings() {
    let mut p = ca_params("Pinned Old Root");
    p.not_before = ymd(2000, 1, 1);
    p.not_after = ymd(2020, 12, 31);
    let old = root_with(p, ec_key());
    let tampered = corrupt_signature(&root("Pinned Odd Root").der);
    let items = [item("old.pem", &old.der), item("odd.pem", &tampered)];
    let c = check(&items, &pinning(&[&old.der, &tampered]));
    assert_eq!(
        codes(cert(&c, "Pinned Old Root")),
        vec![(Code::Expired, Severity::Warning)]
    );
    assert_eq!(
        codes(cert(&c, "Pinned Odd Root")),
        vec![(Code::BadSignature, Severity::Warning)]
    );
    assert!(
        c.certificates
            .iter()
            .all(|c| c.pinned && c.purpose.as_deref() == Some("timestamp countersignature"))
    );
    assert!(c.missing.is_empty());
    // Unpinned, the same certificates are errors.
    let c = check(&items, &policy());
    assert_eq!(
        codes(cert(&c, "Pinned Old Root")),
        vec![(Code::Expired, Severity::Error)]
    );
    assert_eq!(
        codes(cert(&c, "Pinned Odd Root")),
        vec![(Code::BadSignature, Severity::Error)]
    );
}

#[test]
fn every_enum_name_from_strum_is_its_serde_name() {
    use certbundle::signed::SignatureKind;
    use strum::IntoEnumIterator;
    fn same<T: serde::Serialize + Copy>(
        all: impl Iterator<Item = T>,
        name: impl Fn(T) -> &'static str,
    ) -> usize {
        all.map(|v| {
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                serde_json::Value::from(name(v))
            );
        })
        .count()
    }
    assert_eq!(same(Code::iter(), Code::as_str), 16);
    assert_eq!(same(Severity::iter(), Severity::as_str), 3);
    assert_eq!(same(Role::iter(), Role::as_str), 3);
    assert_eq!(same(Store::iter(), Store::as_str), 2);
    assert_eq!(same(SignatureKind::iter(), SignatureKind::as_str), 4);
    // Profile pins read the same names.
    assert_eq!(
        serde_json::from_str::<Role>("\"intermediate\"").unwrap(),
        Role::Intermediate
    );
    assert_eq!(serde_json::from_str::<Store>("\"CA\"").unwrap(), Store::CA);
}

#[test]
fn without_the_issuer_search_roles_are_the_same_and_issuers_go_unsaid() {
    // What `verify` asks for: every role as a full check decides it, no signature checked
    // against an issuer, so nothing said about issuers.
    let root_a = root("W Root");
    let inter = intermediate("W Intermediate", &root_a);
    let bad_inter = intermediate("W Bad Intermediate", &root_a);
    let orphan = intermediate("W Orphan", &root("W Absent Root"));
    let leaf = leaf("W Leaf", &inter);
    // Names itself as its issuer (no key identifier says otherwise) but root A's key signed it:
    // its self-signature fails, and only the search finds it is an intermediate, not a broken
    // root. The search must still run for it.
    let mut link_params = ca_params("W Root");
    link_params.use_authority_key_identifier_extension = false;
    let link = link_params
        .signed_by(&ec_key(), &root_a.issuer())
        .unwrap()
        .der()
        .to_vec();
    let items: Vec<Item> = [
        ("a.pem", root_a.der.clone()),
        ("inter.cer", inter.der.clone()),
        ("bad.cer", corrupt_signature(&bad_inter.der)),
        ("orphan.cer", orphan.der.clone()),
        ("leaf.cer", leaf.der.clone()),
        ("link.cer", link),
    ]
    .iter()
    .map(|(n, d)| item(n, d))
    .collect();
    let full = check(&items, &policy());
    let roles_only = check(
        &items,
        &Policy {
            find_issuers: false,
            ..policy()
        },
    );
    let by_file = |c: &Checked, file: &str| -> CertSummary {
        c.certificates
            .iter()
            .find(|c| c.file.to_string() == file)
            .unwrap_or_else(|| panic!("{file} not in {c:#?}"))
            .clone()
    };
    let roles = |c: &Checked| -> Vec<(String, Role)> {
        c.certificates
            .iter()
            .map(|c| (c.file.to_string(), c.role))
            .collect()
    };
    assert_eq!(roles(&roles_only), roles(&full));
    assert_eq!(by_file(&roles_only, "a.pem").role, Role::Root);
    let link = by_file(&roles_only, "link.cer");
    assert_eq!((link.role, link.self_signed), (Role::Intermediate, false));
    assert!(codes(&link).is_empty(), "{:?}", codes(&link));
    // The full check finds the bad signature and the missing issuer; without the search,
    // nothing is said about either, and no issuer is named.
    assert_eq!(
        codes(&by_file(&full, "bad.cer")),
        vec![(Code::BadSignature, Severity::Error)]
    );
    assert_eq!(
        codes(&by_file(&full, "orphan.cer")),
        vec![(Code::IssuerMissing, Severity::Warning)]
    );
    for file in ["inter.cer", "bad.cer", "orphan.cer"] {
        let c = by_file(&roles_only, file);
        assert!(codes(&c).is_empty(), "{file}: {:?}", codes(&c));
        assert_eq!(c.issuer_sha256, None, "{file}");
    }
    assert_eq!(
        codes(&by_file(&roles_only, "leaf.cer")),
        vec![(Code::NotCa, Severity::Error)]
    );
}

#[test]
fn an_ec_key_that_is_not_an_uncompressed_point_is_not_checked() {
    // A P-256 root whose key is a compressed point (tests/fixtures/README.md). aws-lc-rs could
    // check its self-signature; ring could not, and neither may certbundle vouch for it.
    let der = pem_der("generated/compressed-point-root.pem");
    let checked = check(
        &[item("compressed.pem", &der)],
        &Policy::unpinned(
            time::OffsetDateTime::parse("2027-06-01T00:00:00Z", &Rfc3339).unwrap(),
            false,
        ),
    );
    let r = cert(&checked, "Test Compressed Point Root");
    assert_eq!((r.role, r.self_signed), (Role::Root, true));
    assert_eq!(
        codes(r),
        vec![(Code::UnverifiableSignature, Severity::Warning)]
    );
    assert!(
        r.findings[0]
            .message
            .contains("an EC P-256 key that is not an uncompressed point"),
        "{}",
        r.findings[0].message
    );
}
