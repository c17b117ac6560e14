//! Every limit of src/limits.rs at N and N+1, through the real binary: what `build` may write,
//! `verify` and `build --force` read back; `reports/` never counts. And every enum's strum code
//! equals its serde name.

use std::path::Path;

use crate::common::*;
use certbundle::limits::{MAX_CERTIFICATES, MAX_ENTRIES, MAX_ENTRY_SIZE};
use predicates::prelude::*;
use strum::IntoEnumIterator;

/// `n` generated roots (ECDSA), one PEM file.
fn roots(dir: &Path, n: usize) -> std::path::PathBuf {
    let pem: String = (0..n)
        .map(|i| root(&format!("Root {i:05}")).pem())
        .collect();
    write(dir, "input/roots.pem", pem)
}

fn build(out: &Path, input: &Path, force: bool) -> assert_cmd::assert::Assert {
    certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--name",
            "b",
            "-o",
        ])
        .arg(out)
        .arg(input)
        .args(force.then_some("--force"))
        .assert()
}

#[test]
fn build_refuses_one_certificate_over_the_cap_before_writing_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let input = roots(tmp.path(), MAX_CERTIFICATES + 1);
    let out = tmp.path().join("out");
    let assert = build(&out, &input, false).code(1);
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains(&format!(
            "{} certificates to bundle, more than the {MAX_CERTIFICATES} one bundle can hold",
            MAX_CERTIFICATES + 1
        )),
        "{stdout}"
    );
    assert_eq!(listing(&out), Vec::<String>::new());
}

#[test]
fn a_bundle_at_the_cap_is_built_verified_and_replaced_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let input = roots(tmp.path(), MAX_CERTIFICATES);
    let out = tmp.path().join("out");
    build(&out, &input, false).success();
    for path in [out.join("b"), out.join("b.zip")] {
        certbundle()
            .arg("verify")
            .arg(&path)
            .assert()
            .success()
            .stdout(predicate::str::contains(format!(
                "{MAX_CERTIFICATES} certificate"
            )));
    }
    build(&out, &input, true).success();
}

/// A small bundle folder and the number of entries (files and folders) it has, its empty
/// `reports/` not counted.
fn small_bundle(tmp: &Path) -> (std::path::PathBuf, usize) {
    let (folder, _, _) = build_bundle(tmp, &good_input(tmp), "b");
    let entries = listing(&folder).len() - 1;
    (folder, entries)
}

fn verify_json(path: &Path) -> serde_json::Value {
    let assert = certbundle().arg("verify").arg(path).arg("--json").assert();
    strict_json(&assert.get_output().stdout)
}

fn refused_as_unsafe(json: &serde_json::Value) -> Vec<String> {
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "unsafe-entry")
        .map(|p| p["message"].as_str().unwrap().to_string())
        .collect()
}

/// Zips `folder` under the top folder `b/`.
fn zip_folder(folder: &Path, zip: &Path) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    for rel in listing(folder) {
        let path = folder.join(&rel);
        let name = format!("b/{}", rel.replace('\\', "/"));
        if path.is_dir() {
            w.add_directory(name, zip::write::SimpleFileOptions::default())
                .unwrap();
        } else {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(&std::fs::read(&path).unwrap()).unwrap();
        }
    }
    w.finish().unwrap();
}

#[test]
fn verify_reads_up_to_the_entry_limit_and_reports_never_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, entries) = small_bundle(tmp.path());
    // Reports, however many, are listed and not counted.
    for i in 0..50 {
        write(
            &folder,
            &format!("reports/WS-{i:02}_20261201T100000Z.json"),
            "{}",
        );
    }
    // Extra files up to exactly MAX_ENTRIES entries outside reports/ (the zip adds no entry:
    // its top folder is not part of the bundle).
    for i in 0..MAX_ENTRIES - entries - 1 {
        write(&folder, &format!("extra/{i:05}.txt"), "x");
    }
    let zip = tmp.path().join("at-limit.zip");
    zip_folder(&folder, &zip);
    for path in [&folder, &zip] {
        let json = verify_json(path);
        assert_eq!(refused_as_unsafe(&json), Vec::<String>::new(), "{path:?}");
        assert_eq!(json["reports"].as_array().unwrap().len(), 50);
    }
    write(&folder, "extra/one-more.txt", "x");
    let zip = tmp.path().join("over-limit.zip");
    zip_folder(&folder, &zip);
    for path in [&folder, &zip] {
        let unsafe_entries = refused_as_unsafe(&verify_json(path));
        assert!(
            unsafe_entries.iter().any(|m| m.contains(&format!(
                "{} entries, more than any bundle has",
                MAX_ENTRIES + 1
            ))),
            "{path:?}: {unsafe_entries:?}"
        );
    }
}

#[test]
fn verify_reads_a_file_of_the_entry_limit_and_refuses_one_byte_more() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _) = small_bundle(tmp.path());
    let size = MAX_ENTRY_SIZE as usize;
    write(&folder, "big.bin", vec![b'x'; size]);
    let json = verify_json(&folder);
    assert_eq!(refused_as_unsafe(&json), Vec::<String>::new());
    assert!(json["problems"].to_string().contains("extra-file"));
    write(&folder, "big.bin", vec![b'x'; size + 1]);
    let unsafe_entries = refused_as_unsafe(&verify_json(&folder));
    assert!(
        unsafe_entries[0].contains("larger than any bundle file can be"),
        "{unsafe_entries:?}"
    );
}

#[test]
fn build_force_recognises_a_manifest_of_the_entry_limit_and_not_one_byte_more() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&out, &input, false).success();
    let manifest = |size: usize| {
        let mut text = r#"{"schema": "certbundle-manifest/1"}"#.to_string();
        text.push_str(&" ".repeat(size - text.len()));
        text
    };
    let size = MAX_ENTRY_SIZE as usize;
    write(&out, "b/manifest.json", manifest(size + 1));
    build(&out, &input, true)
        .code(2)
        .stderr(predicate::str::contains(
            "manifest.json is larger than any bundle file can be",
        ));
    write(&out, "b/manifest.json", manifest(size));
    build(&out, &input, true).success();
}

#[test]
fn every_strum_code_is_its_serde_name() {
    fn check<T: IntoEnumIterator + serde::Serialize + Copy + Into<&'static str>>() {
        for v in T::iter() {
            let code: &'static str = v.into();
            assert_eq!(serde_json::to_value(v).unwrap(), code);
        }
    }
    check::<certbundle::bundle::ProblemCode>();
    check::<certbundle::bundle::Form>();
    check::<certbundle::fleet::HostStatus>();
    check::<certbundle::fleet::BundleMatch>();
    check::<certbundle::fleet::Mode>();
    check::<certbundle::fleet::Verdict>();
}
