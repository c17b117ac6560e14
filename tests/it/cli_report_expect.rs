//! `certbundle report` over tests/fixtures/deploy: reports Deploy-Certificates.ps1 writes for
//! hosts it could not reach (`unreachable`) in every output form, and `--expect hosts.txt` with
//! hosts that never reported (`no report`), a report no line names (`not expected`), every
//! matching rule, a bad list, and the exit codes.

use std::path::Path;

use super::{report, stdout};
use crate::common::*;
use predicates::prelude::*;

const DEPLOY: &str = "tests/fixtures/deploy";
const HOSTS: &str = "tests/fixtures/deploy/hosts.txt";

fn deploy_text(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(DEPLOY)
            .join(name),
    )
    .unwrap()
}

#[test]
fn unreachable_hosts_and_missing_ones_as_a_table() {
    let assert = report().args([DEPLOY, "--expect", HOSTS]).assert().code(1);
    insta::assert_snapshot!("deploy_table", stdout(&assert));
}

#[test]
fn unreachable_hosts_and_missing_ones_as_csv() {
    let assert = report()
        .args([DEPLOY, "--expect", HOSTS, "--csv"])
        .assert()
        .code(1);
    let text = stdout(&assert);
    // 12 hosts with reports and 2 without, after the header.
    assert_eq!(text.matches("\r\n").count(), 15, "{text}");
    insta::assert_snapshot!("deploy_csv", text);
}

#[test]
fn unreachable_hosts_and_missing_ones_as_json() {
    let assert = report()
        .args([DEPLOY, "--expect", HOSTS, "--json"])
        .assert()
        .code(1);
    let json: serde_json::Value = strict_json(stdout(&assert));
    let rows: Vec<(&str, &str, bool)> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap(),
                h["status"].as_str().unwrap(),
                h["expected"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            // The name as listed, final dot and all: an address, never a computer "10".
            ("10.0.0.5.", "unreachable", true),
            // Not cut to 15 characters: a row apart from ACCOUNTING-SERV.
            ("accounting-server-01", "unreachable", true),
            ("srv-db02.corp.example", "unreachable", true),
            // One first label, two hosts, unreachable at the same second: two rows.
            ("web.a.example", "unreachable", true),
            ("web.b.example", "unreachable", true),
            ("ws-0300", "unreachable", true),
            // Another domain's ws-0302 is not the compliant WS-0302 of corp.example.
            ("ws-0302.site.example", "unreachable", true),
            ("10.0.0.9.", "no-report", true),
            ("WS-0400", "no-report", true),
            // Its remote PowerShell is restricted: Deploy wrote the report.
            ("ws-0310", "unsupported-host", true),
            ("ACCOUNTING-SERV", "compliant", true),
            ("WS-0301", "compliant", true),
            ("WS-0302", "compliant", true),
            ("WS-0999", "compliant", false),
        ]
    );
    assert_eq!(json["expect"], HOSTS);
    assert_eq!(json["summary"]["not_expected"], 1);
    assert_eq!(json["summary"]["by_status"]["unreachable"], 7);
    assert_eq!(json["summary"]["by_status"]["no-report"], 2);
    assert_eq!(json["summary"]["by_status"]["unsupported-host"], 1);
    assert_eq!(json["summary"]["not_compliant"], 10);
    assert_eq!(json["summary"]["reports"], 13);
    assert_eq!(json["summary"]["history"], 1);
    let ws0300 = &json["hosts"][5];
    assert_eq!(
        ws0300["reasons"][0],
        "Connecting to remote server ws-0300 failed: Access is denied."
    );
    assert!(
        ws0300["reasons"][1]
            .as_str()
            .unwrap()
            .starts_with("Access denied: use an account in the Administrators group")
    );
    let missing = &json["hosts"][8];
    assert_eq!(missing["file"], format!("{HOSTS}:14"));
    assert!(missing["last_run"].is_null() && missing["mode"].is_null());
    assert!(missing["bundle"].is_null());
    assert_eq!(missing["runs"], 0);
    insta::assert_json_snapshot!("deploy_json", json);
    // Without --expect, no key of the list appears.
    let assert = report().args([DEPLOY, "--json"]).assert().code(1);
    let json: serde_json::Value = strict_json(stdout(&assert));
    assert!(json.get("expect").is_none());
    assert!(json["summary"].get("not_expected").is_none());
    assert!(json["hosts"][0].get("expected").is_none());
}

#[test]
fn the_html_page_shows_unreachable_and_missing_hosts_with_their_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("fleet.html");
    report()
        .args([DEPLOY, "--expect", HOSTS, "--html"])
        .arg(&page)
        .assert()
        .code(1);
    // The template escapes `/` too.
    let html = std::fs::read_to_string(&page)
        .unwrap()
        .replace("&#x2f;", "/");
    for text in [
        "unreachable: <strong>7</strong>",
        "no report: <strong>2</strong>",
        "Connecting to remote server ws-0300 failed: Access is denied.",
        "listed at tests/fixtures/deploy/hosts.txt:14, but no report names it",
        "PowerShell runs in ConstrainedLanguage mode on ws-0310, which cannot run the installer.",
        "not expected: no line of tests/fixtures/deploy/hosts.txt names this host",
        "a later run (2026-11-27 09:00:05 UTC, install) unreachable",
    ] {
        assert!(html.contains(text), "{text} not in\n{html}");
    }
}

/// `report DIR --expect LIST` over the named deploy fixtures copied to a folder of their own.
fn run(tmp: &Path, reports: &[&str], list: &str) -> assert_cmd::assert::Assert {
    let dir = tmp.join("reports");
    for name in reports {
        write(&dir, name, deploy_text(name));
    }
    let hosts = write(tmp, "hosts.txt", list);
    report()
        .arg(&dir)
        .arg("--expect")
        .arg(&hosts)
        .arg("--json")
        .assert()
}

fn statuses(assert: &assert_cmd::assert::Assert) -> Vec<(String, String, bool)> {
    let json: serde_json::Value = strict_json(stdout(assert));
    json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap().to_string(),
                h["status"].as_str().unwrap().to_string(),
                h["expected"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_matching_rule_from_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let compliant = [
        "WS-0301_20261127T090009Z.json",
        "ACCOUNTING-SERV_20261127T090012Z.json",
    ];
    for (line, matched) in [
        // The computer name, any case.
        ("ws-0301", "WS-0301"),
        // The first DNS label of any DNS name.
        ("WS-0301.elsewhere.example", "WS-0301"),
        // The DNS host name: name + "." + domain.
        ("ws-0301.CORP.EXAMPLE.", "WS-0301"),
        // The first 15 characters of a longer name.
        ("Accounting-Server-01", "ACCOUNTING-SERV"),
        ("accounting-server-01.site.example", "ACCOUNTING-SERV"),
    ] {
        let list = format!("{line}\nWS-0301\nACCOUNTING-SERV\n");
        let sub = tmp.path().join(line);
        let assert = run(&sub, &compliant, &list).success();
        let rows = statuses(&assert);
        assert_eq!(rows.len(), 2, "{line}: {rows:?}");
        assert!(
            rows.iter()
                .all(|(_, status, expected)| status == "compliant" && *expected),
            "{line} should match {matched}: {rows:?}"
        );
    }
}

#[test]
fn addresses_match_only_reports_that_list_them() {
    let tmp = tempfile::tempdir().unwrap();
    let assert = run(
        tmp.path(),
        &[
            "10.0.0.5._20261127T091001Z.json",
            "WS-0301_20261127T090009Z.json",
        ],
        // A final dot on either side does not matter.
        "10.0.0.5\n10.0.0.9.\nWS-0301\n",
    )
    .code(1);
    assert_eq!(
        statuses(&assert),
        vec![
            ("10.0.0.5.".into(), "unreachable".into(), true),
            ("10.0.0.9.".into(), "no-report".into(), true),
            ("WS-0301".into(), "compliant".into(), true),
        ]
    );
}

#[test]
fn exit_codes_count_missing_and_unreachable_hosts() {
    let tmp = tempfile::tempdir().unwrap();
    let good = ["WS-0301_20261127T090009Z.json"];
    // Every expected host reported, compliant: 0.
    run(&tmp.path().join("a"), &good, "# one host\n\nWS-0301\n").success();
    // One more expected, never reported: 1, and the summary says so.
    run(&tmp.path().join("b"), &good, "WS-0301\nWS-0400\n")
        .code(1)
        .stdout(predicate::str::contains("\"no-report\": 1"));
    // A report no line names is noted, not counted: still 0.
    run(&tmp.path().join("c"), &good, "# nobody\n")
        .success()
        .stdout(predicate::str::contains("\"not_expected\": 1"));
    // An unreachable host alone is not compliant: 1.
    let dir = tmp.path().join("d");
    write(
        &dir,
        "ws-0300_20261127T090003Z.json",
        deploy_text("ws-0300_20261127T090003Z.json"),
    );
    report()
        .arg(&dir)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "1 host(s): 0 compliant (0 fixed now), 1 not compliant (1 unreachable).",
        ));
}

#[test]
fn a_bad_host_list_is_exit_2_naming_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let good = ["WS-0301_20261127T090009Z.json"];
    run(&tmp.path().join("a"), &good, "WS-0301\n# fine\nWS 0400\n")
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "hosts.txt:3: \"WS 0400\" is not one host name",
        ))
        .stderr(predicate::str::contains("one host name a line"));
    let dir = tmp.path().join("b");
    let hosts = write(&dir, "hosts.bin", b"WS-0301\n\x00\x01\xff\xfe".as_slice());
    report()
        .arg(DEPLOY)
        .arg("--expect")
        .arg(&hosts)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("hosts.bin:2: not text"));
    // Notepad's "ANSI" (Windows-1252) is read, not refused.
    let hosts = write(&dir, "ansi.txt", b"WS-0301\r\n\xC5LESUND-01\r\n".as_slice());
    report()
        .arg(DEPLOY)
        .arg("--expect")
        .arg(&hosts)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("ÅLESUND-01"));
    report()
        .args([DEPLOY, "--expect"])
        .arg(tmp.path().join("nowhere.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nowhere.txt: cannot be read"));
}
