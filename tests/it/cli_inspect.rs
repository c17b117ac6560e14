//! `certbundle inspect` over real public roots (tests/fixtures/roots) and generated certificates.

use crate::common::*;
use predicates::prelude::*;

#[test]
fn inspect_json_of_real_roots_is_stable() {
    let output = certbundle()
        .args(["inspect", "--json", "--now", NOW])
        .arg(fixture("roots"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut json: serde_json::Value = strict_json(&output);
    // Paths depend on where the checkout lives: keep only the file name.
    for cert in json["certificates"].as_array_mut().unwrap() {
        let file = cert["file"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        cert["file"] = file.into();
    }
    insta::assert_json_snapshot!("inspect_real_roots", json);
}

#[test]
fn inspect_human_output_shows_every_field() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root("I Root");
    let leaf = leaf("I Leaf", &root);
    let file = write(
        tmp.path(),
        "both.pem",
        format!(
            "{}{}",
            root.pem(),
            pem::encode(&pem::Pem::new("CERTIFICATE", leaf.der.clone()))
        ),
    );
    certbundle()
        .args(["inspect", "--now", NOW])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("[1] I Root"))
        .stdout(predicate::str::contains("both.pem#1"))
        .stdout(predicate::str::contains("both.pem#2"))
        .stdout(predicate::str::contains("root (self-signed) -> store Root"))
        .stdout(predicate::str::contains("leaf (not a CA: not installable)"))
        .stdout(predicate::str::contains("error not-ca"))
        .stdout(predicate::str::contains(certbundle::hex::sha1_upper(
            &root.der,
        )))
        .stdout(predicate::str::contains(
            "valid    2020-01-01T00:00:00Z to 2040-01-01T00:00:00Z",
        ));
}

#[test]
fn hostile_subject_text_cannot_reach_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = ca_params("Evil\u{1b}]0;pwned\u{7}\u{202e}Root");
    p.use_authority_key_identifier_extension = false;
    let evil = root_with(p, ec_key());
    let file = write(tmp.path(), "evil.pem", evil.pem());
    let out = certbundle()
        .args(["inspect", "--now", NOW])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("Evil\\u{001B}]0;pwned\\u{0007}\\u{202E}Root"),
        "{text}"
    );
}

#[test]
fn hostile_text_in_skipped_files_cannot_reach_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    write(&dir, "root.pem", root("S Root").pem());
    write(
        &dir,
        "notes.txt",
        "-----BEGIN \u{1b}]0;pwned\u{7}\u{1b}[2J-----\n@@@\n",
    );
    let out = certbundle()
        .args(["inspect", "--now", NOW])
        .arg(&dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("notes.txt"), "{text}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
