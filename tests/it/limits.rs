//! Every limit of src/limits.rs at N and N+1, through the real binary: what `build` may write,
//! `verify` and `build --force` read back; `reports/` never counts. And every enum's strum code
//! equals its serde name.

use std::path::Path;

use crate::common::*;
use certbundle::limits::{
    MAX_CERTIFICATES, MAX_ENTRIES, MAX_ENTRY_SIZE, MAX_REPORT_SIZE, MAX_REPORTS, MAX_REPORTS_TOTAL,
    MAX_TOTAL_SIZE, MAX_ZIP_ENTRIES, MAX_ZIP_SIZE,
};
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

/// Zips `folder` under the top folder `b/`, with an entry for `b/` itself when `top` says so
/// (as `build` and most zip tools write it).
fn zip_folder(folder: &Path, zip: &Path, top: bool) {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::fs::File::create(zip).unwrap());
    if top {
        w.add_directory("b/", zip::write::SimpleFileOptions::default())
            .unwrap();
    }
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
    // Extra files up to exactly MAX_ENTRIES entries outside reports/ (the zip's top folder is
    // not an entry of the bundle, whether the zip lists it or not).
    for i in 0..MAX_ENTRIES - entries - 1 {
        write(&folder, &format!("extra/{i:05}.txt"), "x");
    }
    let zip = tmp.path().join("at-limit.zip");
    zip_folder(&folder, &zip, false);
    let zip_with_top = tmp.path().join("at-limit-top.zip");
    zip_folder(&folder, &zip_with_top, true);
    for path in [&folder, &zip, &zip_with_top] {
        let json = verify_json(path);
        assert_eq!(refused_as_unsafe(&json), Vec::<String>::new(), "{path:?}");
        assert_eq!(json["reports"].as_array().unwrap().len(), 50);
    }
    write(&folder, "extra/one-more.txt", "x");
    let zip = tmp.path().join("over-limit.zip");
    zip_folder(&folder, &zip, true);
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
fn verify_reads_files_adding_up_to_the_total_limit_and_refuses_one_byte_more() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _) = small_bundle(tmp.path());
    // Reports never count: a large one changes nothing.
    write(
        &folder,
        "reports/WS-01_20261201T100000Z.json",
        vec![b' '; 1 << 20],
    );
    let own: u64 = walkdir::WalkDir::new(&folder)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && !e.path().starts_with(folder.join("reports")))
        .map(|e| e.metadata().unwrap().len())
        .sum();
    // Extra files (each at most MAX_ENTRY_SIZE) up to exactly MAX_TOTAL_SIZE; names sorted after
    // the bundle's own files, so the last one read is the one that may tip the total.
    let mut left = MAX_TOTAL_SIZE - own;
    let mut i = 0;
    while left > 0 {
        let size = left.min(MAX_ENTRY_SIZE);
        write(&folder, &format!("zz/{i}.bin"), vec![b'x'; size as usize]);
        left -= size;
        i += 1;
    }
    assert_eq!(
        refused_as_unsafe(&verify_json(&folder)),
        Vec::<String>::new()
    );
    write(&folder, "zz/~one-more.bin", "x");
    let unsafe_entries = refused_as_unsafe(&verify_json(&folder));
    assert_eq!(unsafe_entries.len(), 1, "{unsafe_entries:?}");
    assert!(
        unsafe_entries[0].contains(&format!(
            "add up to more than any bundle can be ({MAX_TOTAL_SIZE} bytes)"
        )),
        "{unsafe_entries:?}"
    );
}

#[test]
fn a_bundle_zip_of_max_zip_entries_with_its_reports_is_read_and_one_more_is_not() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _) = small_bundle(tmp.path());
    let zip = tmp.path().join("b.zip");
    zip_folder(&folder, &zip, true);
    let own = zip::ZipArchive::new(std::fs::File::open(&zip).unwrap())
        .unwrap()
        .len();
    // The same zip with reports added until it has `entries` entries.
    let with_reports = |entries: usize, name: &str| {
        let path = tmp.path().join(name);
        std::fs::copy(&zip, &path).unwrap();
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        let mut w = zip::ZipWriter::new_append(file).unwrap();
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for i in own..entries {
            w.start_file(format!("b/reports/WS-{i:05}_20261201T100000Z.json"), stored)
                .unwrap();
            w.write_all(b"{}").unwrap();
        }
        w.finish().unwrap();
        path
    };
    let at = verify_json(&with_reports(MAX_ZIP_ENTRIES, "at.zip"));
    assert_eq!(refused_as_unsafe(&at), Vec::<String>::new());
    let over = refused_as_unsafe(&verify_json(&with_reports(MAX_ZIP_ENTRIES + 1, "over.zip")));
    assert_eq!(over.len(), 1, "{over:?}");
    assert!(
        over[0].contains(&format!(
            "more than the {MAX_ZIP_ENTRIES} a bundle zip may have"
        )),
        "{over:?}"
    );
}

#[test]
fn a_bundle_folder_with_max_reports_entries_under_reports_is_read_and_one_more_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _) = small_bundle(tmp.path());
    let reports = folder.join("reports");
    // Files and folders count alike.
    std::fs::create_dir_all(reports.join("old")).unwrap();
    for i in 0..MAX_REPORTS - 2 {
        std::fs::File::create(reports.join(format!("{i:06}.json"))).unwrap();
    }
    let json = verify_json(&folder);
    assert_eq!(refused_as_unsafe(&json), Vec::<String>::new());
    assert_eq!(json["reports"].as_array().unwrap().len(), MAX_REPORTS - 2);
    std::fs::File::create(reports.join("one-more.json")).unwrap();
    let over = refused_as_unsafe(&verify_json(&folder));
    assert_eq!(
        over,
        [format!(
            "{} entries under reports/, more than {MAX_REPORTS}",
            MAX_REPORTS + 1
        )]
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

/// `report --json` over `paths`: the reasons given for the files it did not use, by file name.
fn report_skips(paths: &[&Path]) -> Vec<(String, String)> {
    let assert = certbundle()
        .arg("report")
        .args(paths)
        .arg("--json")
        .assert();
    let json = strict_json(&assert.get_output().stdout);
    assert!(
        json["hosts"].as_array().is_some_and(|h| !h.is_empty()),
        "{json}"
    );
    json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let file = Path::new(s["file"].as_str().unwrap());
            (
                file.file_name().unwrap().to_string_lossy().into_owned(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A real installer report, read by every `report` below.
fn a_good_report(dir: &Path) -> std::path::PathBuf {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reports/WS-0117_20261126T090109Z.json");
    let path = dir.join("good").join(fixture.file_name().unwrap());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(&fixture, &path).unwrap();
    path
}

#[test]
fn a_report_of_exactly_max_report_size_is_read_and_one_byte_more_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let good = a_good_report(tmp.path());
    let original = std::fs::read(&good).unwrap();
    let padded = |name: &str, size: u64| {
        // The same report, another host, padded with trailing spaces (still valid JSON).
        let text = String::from_utf8(original.clone())
            .unwrap()
            .replace("WS-0117", name);
        let mut bytes = text.into_bytes();
        bytes.resize(size as usize, b' ');
        write(
            tmp.path(),
            &format!("padded/{name}_20261126T090109Z.json"),
            bytes,
        )
    };
    padded("AT-LIMIT", MAX_REPORT_SIZE);
    padded("OVER-LIMIT", MAX_REPORT_SIZE + 1);
    let skipped = report_skips(&[&good, &tmp.path().join("padded")]);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(skipped[0].0.starts_with("OVER-LIMIT"), "{skipped:?}");
    assert!(
        skipped[0]
            .1
            .contains(&format!("over the {} MiB", MAX_REPORT_SIZE >> 20)),
        "{skipped:?}"
    );
}

/// A file of `size` bytes that takes no disk space (the limits are checked before it is read),
/// starting with `head`.
fn sparse(path: &Path, head: &[u8], size: u64) {
    use std::io::Write;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut file = std::fs::File::create(path).unwrap();
    file.write_all(head).unwrap();
    file.set_len(size).unwrap();
}

#[test]
fn a_zip_of_exactly_max_zip_size_is_opened_and_one_byte_more_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let good = a_good_report(tmp.path());
    // Zips by their first bytes, of the sizes that matter; neither is a readable zip.
    let (at, over) = (tmp.path().join("at.zip"), tmp.path().join("over.zip"));
    sparse(&at, b"PK\x03\x04", MAX_ZIP_SIZE);
    sparse(&over, b"PK\x03\x04", MAX_ZIP_SIZE + 1);
    let mut skipped = report_skips(&[&good, &at, &over]);
    skipped.sort();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    // At the limit the zip is opened (and found not to be one); above it, it is not opened.
    assert_eq!(skipped[0].0, "at.zip");
    assert!(skipped[0].1.contains("not a readable zip"), "{skipped:?}");
    assert_eq!(
        skipped[1],
        (
            "over.zip".to_string(),
            format!("a zip over {} MiB", MAX_ZIP_SIZE >> 20)
        )
    );
}

#[test]
fn reports_adding_up_to_exactly_max_reports_total_are_read_and_one_byte_more_is_not() {
    let tmp = tempfile::tempdir().unwrap();
    let good = a_good_report(tmp.path());
    // Sparse files over the size of a report count as one byte over it (MAX_REPORT_SIZE + 1)
    // and are refused after that much is read; one more file fills the budget to the byte.
    let counted = MAX_REPORT_SIZE + 1;
    let rest = MAX_REPORTS_TOTAL - std::fs::metadata(&good).unwrap().len();
    let (large, last) = (rest / counted, rest % counted);
    assert!(last <= MAX_REPORT_SIZE);
    let folder = tmp.path().join("many");
    for i in 0..large {
        sparse(&folder.join(format!("a{i:04}.json")), b"", 1 << 40);
    }
    sparse(&folder.join("b-last.json"), b"", last);
    let skipped = report_skips(&[&good, &folder]);
    let over = format!("add up to more than {} MiB", MAX_REPORTS_TOTAL >> 20);
    assert_eq!(skipped.len() as u64, large + 1, "{:?}", &skipped[..3]);
    assert!(
        skipped.iter().all(|(_, why)| !why.contains(&over)),
        "{skipped:?}"
    );
    // One byte more: that file is not read.
    sparse(&folder.join("c-one-more.json"), b"", 1);
    let skipped = report_skips(&[&good, &folder]);
    let not_read: Vec<&String> = skipped
        .iter()
        .filter(|(_, why)| why.contains(&over))
        .map(|(file, _)| file)
        .collect();
    assert_eq!(not_read, ["c-one-more.json"]);
}

#[test]
fn a_zip_of_max_reports_entries_is_listed_and_one_more_is_not() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let good = a_good_report(tmp.path());
    let zip_of = |name: &str, entries: usize| {
        let path = tmp.path().join("zips").join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut w = zip::ZipWriter::new(file);
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        // Entries that are not reports: listed, never read.
        for i in 0..entries {
            w.start_file(format!("n{i}"), stored).unwrap();
        }
        w.finish().unwrap().flush().unwrap();
    };
    zip_of("at.zip", MAX_REPORTS);
    zip_of("over.zip", MAX_REPORTS + 1);
    let zips = tmp.path().join("zips");
    let skipped = report_skips(&[&good, &zips.join("at.zip"), &zips.join("over.zip")]);
    assert_eq!(
        skipped,
        [(
            "over.zip".to_string(),
            format!("more than {MAX_REPORTS} entries in one zip")
        )]
    );
}
