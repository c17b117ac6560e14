//! Every loading refusal and every error finding, through the real binary: the exit code, the
//! message naming the file, and nothing left behind (no bundle, no staging folder).

use std::path::Path;

use crate::common::*;
use predicates::prelude::*;
use rcgen::{CertificateParams, CertificateRevocationListParams, KeyUsagePurpose};

/// Builds `inputs` into `out` and asserts the exit code, that the output names `file` and says
/// `what`, and that `out` is left empty.
fn refused(out: &Path, inputs: &[&Path], code: i32, file: &str, what: &str) {
    let assert = certbundle()
        .args(["build", "--profile", "none"])
        .args(inputs)
        .args(["-o", out.to_str().unwrap(), "--now", NOW])
        .assert()
        .code(code);
    let output = assert.get_output();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(text.contains(file), "output does not name {file}:\n{text}");
    assert!(text.contains(what), "output does not say {what:?}:\n{text}");
    assert_eq!(
        listing(out),
        Vec::<String>::new(),
        "something was written:\n{text}"
    );
}

fn setup() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    (tmp, out)
}

#[test]
fn pem_private_keys_of_every_kind_are_refused() {
    let root = root("K Root");
    for label in [
        "PRIVATE KEY",
        "RSA PRIVATE KEY",
        "EC PRIVATE KEY",
        "DSA PRIVATE KEY",
        "ENCRYPTED PRIVATE KEY",
        "OPENSSH PRIVATE KEY",
    ] {
        let (tmp, out) = setup();
        let key = pem::encode(&pem::Pem::new(label, root.key.serialize_der()));
        let file = write(
            tmp.path(),
            "with-key.pem",
            format!("{}\nnotes\n{key}", root.pem()),
        );
        refused(
            &out,
            &[&file],
            2,
            "with-key.pem",
            &format!("private key material found (PEM block \"{label}\")"),
        );
    }
}

#[test]
fn a_real_pkcs8_key_is_refused_as_pem_and_as_der_in_a_walked_folder() {
    let (tmp, out) = setup();
    let root = root("K2 Root");
    let dir = tmp.path().join("input");
    write(&dir, "root.pem", root.pem());
    write(&dir, "sub/signing.key", root.key.serialize_der());
    refused(&out, &[&dir], 2, "signing.key", "PKCS#8 private key");
    let (tmp, out) = setup();
    let file = write(tmp.path(), "key.pem", root.key.serialize_pem());
    refused(&out, &[&file], 2, "key.pem", "private key material found");
}

#[test]
fn pkcs12_is_refused_by_extension_and_by_content() {
    let (tmp, out) = setup();
    let pfx = write(tmp.path(), "export.pfx", b"anything at all");
    refused(
        &out,
        &[&pfx],
        2,
        "export.pfx",
        "PKCS#12 archive (.pfx/.p12)",
    );
    // SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data, [0] { OCTET STRING } } }
    let pfx_der: &[u8] = &[
        0x30, 0x14, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d,
        0x01, 0x07, 0x01, 0xa0, 0x02, 0x04, 0x00,
    ];
    let (tmp, out) = setup();
    let dir = tmp.path().join("input");
    write(&dir, "root.pem", root("P Root").pem());
    write(&dir, "backup.bin", pfx_der);
    refused(&out, &[&dir], 2, "backup.bin", "PKCS#12 archive");
}

#[test]
fn certificate_requests_crls_and_public_keys_are_not_certificates() {
    let root = root("N Root");
    let csr = CertificateParams::new(vec!["example.test".to_string()])
        .unwrap()
        .serialize_request(&root.key)
        .unwrap();
    let crl = CertificateRevocationListParams {
        this_update: ymd(2026, 1, 1),
        next_update: ymd(2027, 1, 1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    };
    let mut crl_issuer_params = ca_params("N Root");
    crl_issuer_params.key_usages.push(KeyUsagePurpose::CrlSign);
    let crl = crl
        .signed_by(&rcgen::Issuer::from_params(&crl_issuer_params, &root.key))
        .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "request.pem",
            csr.pem().unwrap().into_bytes(),
            "certificate signing request",
        ),
        (
            "request.der",
            csr.der().to_vec(),
            "certificate signing request",
        ),
        (
            "list.crl",
            crl.pem().unwrap().into_bytes(),
            "certificate revocation list",
        ),
        (
            "list.der",
            crl.der().to_vec(),
            "certificate revocation list",
        ),
        (
            "key.pub",
            root.key.public_key_pem().into_bytes(),
            "public key without a certificate",
        ),
        (
            "key.cer",
            rcgen::PublicKeyData::subject_public_key_info(&root.key),
            "public key without a certificate",
        ),
    ];
    for (name, bytes, what) in cases {
        let (tmp, out) = setup();
        let file = write(tmp.path(), name, bytes);
        refused(
            &out,
            &[&file],
            2,
            name,
            &format!("not a certificate ({what}"),
        );
    }
}

#[test]
fn files_over_10_mib_are_refused() {
    let (tmp, out) = setup();
    let big = tmp.path().join("huge.pem");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(10 * 1024 * 1024 + 1)
        .unwrap();
    refused(
        &out,
        &[&big],
        2,
        "huge.pem",
        "over the 10 MiB limit for a certificate file",
    );
}

#[test]
fn profile_files_over_1_mib_are_refused_with_their_own_limit() {
    let (tmp, out) = setup();
    let big = tmp.path().join("site.toml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1024 * 1024 + 1)
        .unwrap();
    let assert = certbundle()
        .args(["build", "--now", NOW, "--profile"])
        .arg(&big)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("site.toml: 1048577 bytes is over the 1 MiB limit for a profile file"),
        "{stderr}"
    );
    assert!(listing(&out).is_empty());
}

#[test]
fn a_named_file_without_certificates_and_a_missing_path_are_errors() {
    let (tmp, out) = setup();
    let notes = write(tmp.path(), "notes.txt", "remember the milk");
    refused(&out, &[&notes], 2, "notes.txt", "no certificate found");
    let (tmp, out) = setup();
    refused(
        &out,
        &[&tmp.path().join("nowhere.pem")],
        2,
        "nowhere.pem",
        "cannot read",
    );
}

#[test]
fn corrupt_truncated_and_trailing_certificate_files_are_parse_errors() {
    let root = root("C Root");
    let mut trailing = root.der.clone();
    trailing.extend_from_slice(&[0, 1, 2]);
    let truncated_pem = pem::encode(&pem::Pem::new("CERTIFICATE", root.der[..200].to_vec()));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "garbage.cer",
            b"\x00\x01not a certificate".to_vec(),
            "parse-error",
        ),
        (
            "truncated.der",
            root.der[..root.der.len() - 40].to_vec(),
            "truncated",
        ),
        ("truncated.pem", truncated_pem.into_bytes(), "truncated"),
        ("trailing.crt", trailing, "3 trailing bytes"),
        ("empty.p7b", b"".to_vec(), "parse-error"),
        (
            "broken.pem",
            b"-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n".to_vec(),
            "PEM block could not be decoded",
        ),
    ];
    for (name, bytes, what) in cases {
        let (tmp, out) = setup();
        let file = write(tmp.path(), name, bytes);
        let good = write(tmp.path(), "good.pem", root.pem());
        refused(&out, &[&good, &file], 1, name, what);
    }
}

#[test]
fn every_error_finding_stops_the_build() {
    let root = root("F Root");
    let leaf = leaf("F Leaf", &root);
    let mut no_sign = ca_params("F No CertSign");
    no_sign.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let no_sign = issued_with(no_sign, ec_key(), &root);
    let bad_sig = corrupt_signature(&intermediate("F Bad Signature", &root).der);
    let mut future = ca_params("F Future");
    future.not_before = ymd(2031, 1, 1);
    let future = issued_with(future, ec_key(), &root);
    let mut old = ca_params("F Expired");
    old.not_after = ymd(2021, 1, 1);
    let old = issued_with(old, ec_key(), &root);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("leaf.cer", leaf.der, "not-ca"),
        ("nosign.cer", no_sign.der, "no-cert-sign"),
        ("badsig.cer", bad_sig, "bad-signature"),
        ("future.cer", future.der, "not-yet-valid"),
        ("expired.cer", old.der, "expired"),
    ];
    for (name, der, code) in cases {
        let (tmp, out) = setup();
        let good = write(tmp.path(), "root.pem", root.pem());
        let file = write(tmp.path(), name, der);
        refused(&out, &[&good, &file], 1, name, code);
    }
}

#[test]
fn expired_is_accepted_with_allow_expired() {
    let (tmp, out) = setup();
    let root = root("A Root");
    let mut old = ca_params("A Expired");
    old.not_after = ymd(2021, 1, 1);
    let old = issued_with(old, ec_key(), &root);
    let file = write(tmp.path(), "expired.cer", old.der);
    let good = write(tmp.path(), "root.pem", root.pem());
    certbundle()
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--allow-expired",
            "--name",
            "b",
            "-o",
        ])
        .arg(&out)
        .arg(&good)
        .arg(&file)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("warning").and(predicate::str::contains(
                "expired on 2021-01-01 (allowed by --allow-expired)",
            )),
        );
    let manifest = std::fs::read_to_string(out.join("b/manifest.json")).unwrap();
    assert!(manifest.contains("\"allow_expired\": true"));
    let readme = std::fs::read_to_string(out.join("b/README.txt")).unwrap();
    assert!(readme.contains("built with --allow-expired"));
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let (tmp, out) = setup();
    let input = good_input(tmp.path());
    let cases: Vec<(Vec<&str>, Option<&str>, &str)> = vec![
        (vec!["--name", "../escape"], None, "--name \"../escape\""),
        (vec!["--name", "NUL"], None, "reserved device name"),
        (vec!["--profile", "nonsense"], None, "unknown profile"),
        (vec!["--now", "yesterday"], None, "not an RFC 3339 time"),
        (vec![], Some("last tuesday"), "SOURCE_DATE_EPOCH"),
    ];
    for (args, epoch, what) in cases {
        let mut cmd = certbundle();
        cmd.arg("build").arg(&input).arg("-o").arg(&out).args(&args);
        if !args.contains(&"--profile") {
            cmd.args(["--profile", "none"]);
        }
        if let Some(epoch) = epoch {
            cmd.env("SOURCE_DATE_EPOCH", epoch);
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains(what))
            .stderr(predicate::str::contains("hint:"));
        assert!(listing(&out).is_empty());
    }
    certbundle()
        .args(["build", "--profile", "none", "-o"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no INPUT"));
}

#[test]
fn all_refused_files_are_reported_at_once() {
    let (tmp, out) = setup();
    let root = root("Z Root");
    let a = write(tmp.path(), "a.pem", root.key.serialize_pem());
    let b = write(tmp.path(), "b.pfx", b"x");
    certbundle()
        .args(["build", "--profile", "none"])
        .arg(&a)
        .arg(&b)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a.pem").and(predicate::str::contains("b.pfx")));
    assert!(listing(&out).is_empty());
}

#[test]
fn keys_hidden_after_der_or_between_pem_blocks_are_refused() {
    let root = root("H Root");
    let key_der = root.key.serialize_der();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "key-then-pem.bin",
            [key_der.clone(), root.pem().into_bytes()].concat(),
            "PKCS#8 private key",
        ),
        (
            "pem-then-key.pem",
            [root.pem().into_bytes(), key_der.clone()].concat(),
            "between PEM blocks",
        ),
        (
            "cert-then-key.cer",
            [root.der.clone(), key_der.clone()].concat(),
            "after the first DER structure",
        ),
        (
            "chain-then-key.p7b",
            [pkcs7(&[&root.der]), root.key.serialize_pem().into_bytes()].concat(),
            "after the first DER structure",
        ),
    ];
    for (name, bytes, what) in cases {
        let (tmp, out) = setup();
        let file = write(tmp.path(), name, bytes);
        refused(&out, &[&file], 2, name, what);
    }
}

#[test]
fn binary_between_pem_blocks_and_trailing_bytes_after_pkcs7_are_refused() {
    let root = root("T Root");
    let (tmp, out) = setup();
    let mixed = write(
        tmp.path(),
        "mixed.pem",
        [
            root.pem().into_bytes(),
            vec![0, 1, 2, 0xff],
            root.pem().into_bytes(),
        ]
        .concat(),
    );
    refused(
        &out,
        &[&mixed],
        2,
        "mixed.pem",
        "PEM blocks mixed with binary data",
    );
    let (tmp, out) = setup();
    let trailing = write(
        tmp.path(),
        "chain.p7b",
        [pkcs7(&[&root.der]), b"junk".to_vec()].concat(),
    );
    refused(
        &out,
        &[&trailing],
        1,
        "chain.p7b",
        "4 trailing bytes after the PKCS#7 structure",
    );
}

#[test]
fn an_openssl_trusted_certificate_with_a_reject_list_is_not_bundled() {
    let (tmp, out) = setup();
    let root = root("R Distrusted");
    // X509_CERT_AUX { reject [0] { codeSigning } }
    let aux = [
        0x30, 0x0c, 0xa0, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x03,
    ];
    let block = pem::encode(&pem::Pem::new(
        "TRUSTED CERTIFICATE",
        [root.der.clone(), aux.to_vec()].concat(),
    ));
    let file = write(tmp.path(), "distrusted.pem", block);
    refused(
        &out,
        &[&file],
        1,
        "distrusted.pem",
        "trust settings reject it",
    );
    // Trust settings without a reject list are fine: the certificate alone is taken.
    let (tmp, out) = setup();
    let trust = [
        0x30, 0x0a, 0x30, 0x08, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
    ];
    let block = pem::encode(&pem::Pem::new(
        "TRUSTED CERTIFICATE",
        [root.der.clone(), trust.to_vec()].concat(),
    ));
    let file = write(tmp.path(), "trusted.pem", block);
    certbundle()
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--name",
            "t",
            "-o",
        ])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
}

#[test]
fn pem_armour_inside_a_certificate_name_is_just_text() {
    let (tmp, out) = setup();
    let mut p = ca_params("-----BEGIN PRIVATE KEY-----");
    p.use_authority_key_identifier_extension = false;
    let odd = root_with(p, ec_key());
    let file = write(tmp.path(), "odd.cer", &odd.der);
    certbundle()
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--name",
            "odd",
            "-o",
        ])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    certbundle()
        .arg("verify")
        .arg(out.join("odd"))
        .assert()
        .success();
}
