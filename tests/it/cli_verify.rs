//! `certbundle verify` on folders and zips: intact bundles pass with the build's digest; every
//! kind of damage fails naming the file; unsafe zips are refused before anything is read.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::common::*;
use predicates::prelude::*;
use zip::write::SimpleFileOptions;

/// Builds a small bundle; returns (folder, zip, digest).
fn built(tmp: &Path) -> (PathBuf, PathBuf, String) {
    let input = good_input(tmp);
    build_bundle(tmp, &input, "b")
}

fn verify(path: &Path) -> assert_cmd::assert::Assert {
    certbundle().arg("verify").arg(path).assert()
}

fn first_cert(folder: &Path) -> PathBuf {
    let dir = folder.join("certs/Root");
    dir.join(&listing(&dir)[0])
}

#[test]
fn intact_folder_and_zip_pass_and_print_the_build_digest() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, zip, digest) = built(tmp.path());
    for path in [&folder, &zip] {
        verify(path)
            .success()
            .stdout(predicate::str::contains(&digest))
            .stdout(predicate::str::contains("OK:"));
    }
    let json: serde_json::Value = strict_json(
        &certbundle()
            .arg("verify")
            .arg(&zip)
            .arg("--json")
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(json["ok"], true);
    assert_eq!(json["kind"], "zip");
    assert_eq!(json["digest"], digest.as_str());
    assert_eq!(json["files_ok"], 12);
    assert_eq!(json["certificates"], 2);
}

#[test]
fn a_changed_byte_fails_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    let cert = first_cert(&folder);
    let mut bytes = std::fs::read(&cert).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&cert, bytes).unwrap();
    let name = cert.file_name().unwrap().to_str().unwrap();
    verify(&folder)
        .code(1)
        .stdout(predicate::str::contains("hash-mismatch"))
        .stdout(predicate::str::contains(format!("certs/Root/{name}")))
        .stdout(predicate::str::contains("NOT OK"));
}

#[test]
fn an_added_file_and_a_removed_file_fail_naming_them() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    write(
        &folder,
        "certs/Root/Evil_Root_DEADBEEF.cer",
        root("Evil").der,
    );
    verify(&folder)
        .code(1)
        .stdout(predicate::str::contains("extra-file"))
        .stdout(predicate::str::contains(
            "certs/Root/Evil_Root_DEADBEEF.cer",
        ));
    std::fs::remove_file(folder.join("certs/Root/Evil_Root_DEADBEEF.cer")).unwrap();
    std::fs::remove_file(folder.join("README.txt")).unwrap();
    verify(&folder)
        .code(1)
        .stdout(predicate::str::contains("missing-file"))
        .stdout(predicate::str::contains("README.txt"));
}

#[test]
fn reports_are_listed_not_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    write(&folder, "reports/SRV01_20261201T100000Z.json", "{}");
    write(&folder, "reports/SRV01_20261201T100000Z.txt", "ok");
    verify(&folder)
        .success()
        .stdout(predicate::str::contains("2 installer report file(s)"))
        .stdout(predicate::str::contains(
            "reports/SRV01_20261201T100000Z.json",
        ));
}

#[test]
fn a_manifest_that_disagrees_with_the_certificates_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    let manifest = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    let edited = manifest.replacen("\"store\": \"Root\"", "\"store\": \"CA\"", 1);
    assert_ne!(edited, manifest);
    std::fs::write(folder.join("manifest.json"), &edited).unwrap();
    // Re-seal SHA256SUMS as a careless builder would: only the manifest check can catch it.
    let sums = std::fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    let old = certbundle::hex::sha256_lower(manifest.as_bytes());
    let new = certbundle::hex::sha256_lower(edited.as_bytes());
    std::fs::write(folder.join("SHA256SUMS"), sums.replace(&old, &new)).unwrap();
    verify(&folder)
        .code(1)
        .stdout(predicate::str::contains("manifest-mismatch"))
        .stdout(predicate::str::contains(
            "manifest.json says store CA, the certificate has Root",
        ));
}

#[test]
fn a_private_key_in_a_bundle_is_a_problem_even_when_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    let key = root("K").key.serialize_pem();
    write(&folder, "key.txt", &key);
    let mut sums = std::fs::read_to_string(folder.join("SHA256SUMS")).unwrap();
    sums.push_str(&format!(
        "{}  key.txt\n",
        certbundle::hex::sha256_lower(key.as_bytes())
    ));
    std::fs::write(folder.join("SHA256SUMS"), sums).unwrap();
    verify(&folder)
        .code(1)
        .stdout(predicate::str::contains("private-key"))
        .stdout(predicate::str::contains("key.txt"));
}

/// Writes a zip holding the good bundle's files plus `extra` (name, bytes), optionally as a link.
fn hostile_zip(tmp: &Path, extra: &[(&str, &[u8])], symlink: Option<(&str, &str)>) -> PathBuf {
    let (folder, _, _) = built(tmp);
    let path = tmp.join("hostile.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = SimpleFileOptions::default();
    for e in walkdir::WalkDir::new(&folder)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
    {
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(&folder)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            zip.start_file(format!("b/{rel}"), opts).unwrap();
            zip.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
    for (name, bytes) in extra {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    if let Some((name, target)) = symlink {
        zip.add_symlink(name, target, opts).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// Runs verify from inside an empty working folder and checks nothing appeared anywhere near.
fn refused_without_writing(tmp: &Path, zip: &Path, what: &str) {
    let work = tmp.join("work/inner");
    std::fs::create_dir_all(&work).unwrap();
    let before = listing(tmp);
    certbundle()
        .current_dir(&work)
        .arg("verify")
        .arg(zip)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unsafe-entry"))
        .stdout(predicate::str::contains(what));
    assert_eq!(listing(tmp), before, "verify wrote something");
}

#[test]
fn zip_with_dot_dot_entry_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = hostile_zip(tmp.path(), &[("b/../../evil.txt", b"pwned")], None);
    refused_without_writing(tmp.path(), &zip, "'..' in the path");
    assert!(!tmp.path().join("evil.txt").exists());
}

#[test]
fn zip_with_backslash_absolute_or_link_entries_is_refused() {
    type Case<'a> = (
        Vec<(&'a str, &'a [u8])>,
        Option<(&'a str, &'a str)>,
        &'a str,
    );
    let cases: Vec<Case> = vec![
        (vec![("b\\certs\\x.cer", b"x")], None, "backslash"),
        (vec![("/etc/evil", b"x")], None, "absolute path"),
        (vec![("C:/evil", b"x")], None, "absolute path"),
        (
            vec![],
            Some(("b/certs/link.cer", "/etc/passwd")),
            "symbolic link",
        ),
        (vec![("other/x.txt", b"x")], None, "top folders"),
    ];
    for (extra, link, what) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let zip = hostile_zip(tmp.path(), &extra, link);
        refused_without_writing(tmp.path(), &zip, what);
    }
}

#[test]
fn zip_declaring_an_absurd_size_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = hostile_zip(tmp.path(), &[("b/big.bin", b"small really")], None);
    // Patch the central directory record of the last entry: uncompressed size = 3 GiB.
    let mut bytes = std::fs::read(&zip).unwrap();
    let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
    bytes[central + 24..central + 28].copy_from_slice(&0xC000_0000u32.to_le_bytes());
    std::fs::write(&zip, bytes).unwrap();
    refused_without_writing(tmp.path(), &zip, "larger than any bundle file can be");
}

#[test]
fn not_a_bundle_is_an_error_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "notes.zip", "this is not a zip");
    certbundle()
        .arg("verify")
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("notes.zip"))
        .stderr(predicate::str::contains("hint:"));
    certbundle()
        .arg("verify")
        .arg(tmp.path().join("missing"))
        .assert()
        .code(2);
    // An empty folder is readable but is no bundle: a finding, not a crash.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    certbundle()
        .arg("verify")
        .arg(&empty)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no SHA256SUMS"));
}

#[test]
fn zip_with_a_duplicate_name_is_refused_whichever_copy_an_extractor_keeps() {
    let tmp = tempfile::tempdir().unwrap();
    let zip = hostile_zip(
        tmp.path(),
        &[("b/README.txX", b"run evil.exe instead")],
        None,
    );
    // Give the added entry the name of the genuine README, in both of its headers.
    let mut bytes = std::fs::read(&zip).unwrap();
    let (from, to) = (b"b/README.txX", b"b/README.txt");
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i..at + i + from.len()].copy_from_slice(to);
        at += i + from.len();
    }
    std::fs::write(&zip, bytes).unwrap();
    refused_without_writing(tmp.path(), &zip, "appears twice");
}

#[test]
fn zip_with_a_unicode_path_field_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    let zip_path = tmp.path().join("upath.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&zip_path).unwrap());
    for e in walkdir::WalkDir::new(&folder)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
    {
        if e.file_type().is_file() {
            let rel = e
                .path()
                .strip_prefix(&folder)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let mut opts = zip::write::FullFileOptions::default();
            if rel == "README.txt" {
                // Stored as README.txt, but an Info-ZIP aware extractor would call it something else.
                let mut field = vec![1, 0, 0, 0, 0];
                field.extend_from_slice(b"b/reports/r.txt");
                opts.add_extra_field(0x7075, field, false).unwrap();
            }
            zip.start_file(format!("b/{rel}"), opts).unwrap();
            zip.write_all(&std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
    zip.finish().unwrap();
    refused_without_writing(tmp.path(), &zip_path, "Unicode Path extra field");
}

/// A link inside a bundle folder is refused by name, even when what it points to has exactly the
/// bytes SHA256SUMS lists: a plain reader would follow it and pass the bundle.
#[cfg(unix)]
#[test]
fn a_link_inside_a_bundle_folder_is_refused_even_to_the_right_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = built(tmp.path());
    let cert = first_cert(&folder);
    let cert_rel = format!("certs/Root/{}", cert.file_name().unwrap().to_string_lossy());
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    for rel in [cert_rel.as_str(), "SHA256SUMS", "certs/Root"] {
        let copy = tmp.path().join("copy");
        copy_tree(&folder, &copy);
        let planted = copy.join(rel);
        // What the link points to: the same bytes (or folder), outside the bundle.
        let target = outside.join(rel.replace('/', "_"));
        if planted.is_dir() {
            copy_tree(&planted, &target);
            std::fs::remove_dir_all(&planted).unwrap();
        } else {
            std::fs::copy(&planted, &target).unwrap();
            std::fs::remove_file(&planted).unwrap();
        }
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        verify(&copy)
            .code(1)
            .stdout(predicate::str::contains(rel))
            .stdout(predicate::str::contains("symbolic link"));
        std::fs::remove_dir_all(&copy).unwrap();
    }
}
