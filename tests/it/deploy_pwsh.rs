//! Deploy-Certificates.ps1 run for real, against a fake transport (tests/pwsh/deploy-fake-transport.ps1):
//! hosts that answer with reports, fail, time out, run a restricted PowerShell, or cannot be
//! started; the reports, statuses and exit code that come out. Needs `pwsh` (PowerShell 7), which
//! no registry these machines reach offers: where it is missing the tests show as ignored.
//! PowerShell 7 on Linux runs the same script text Windows PowerShell 2.0 to 5.1 would; what it
//! cannot show (WinRM, PowerShell 2.0 itself) is in docs/limitations.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

const FAKE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/pwsh/deploy-fake-transport.ps1"
);

/// A message with everything that must not reach a console, a file name or JSON unescaped.
const HOSTILE: &str = "Connecting to remote server fail-1 failed: \"quoted\" back\\slash $(calc) `tick\r\nsecond line \u{202e}gnp.exe é 'single'";

/// A bundle built with the shipped default profile, its folder and digest.
fn default_bundle(dir: &Path) -> (PathBuf, String) {
    let out = dir.join("out");
    let assert = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--json", "-o"])
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = strict_json(&assert.get_output().stdout);
    let folder = PathBuf::from(json["outcome"]["folder"].as_str().unwrap());
    (
        folder,
        json["outcome"]["digest"].as_str().unwrap().to_string(),
    )
}

/// An installer report of `name` for this bundle, as the installer's remote mode returns it.
fn answer(name: &str, digest: &str, verdict: &str) -> String {
    let mut r: serde_json::Value =
        strict_json(std::fs::read(fixture("reports/SRV-APEX01_20261126T080004Z.json")).unwrap());
    r["host"]["name"] = name.into();
    r["bundle"]["digest"] = digest.into();
    r["report_dir"] = "".into();
    r["mode"] = "install".into();
    r["verdict"] = verdict.into();
    serde_json::to_string_pretty(&r).unwrap() + "\n"
}

fn run_fake(bundle: &Path, answers: &Path, hosts: &Path, reports: &Path) -> std::process::Output {
    Command::new("pwsh")
        .args([
            "-NoLogo",
            "-NoProfile",
            "-NonInteractive",
            "-File",
            FAKE,
            "-Bundle",
        ])
        .arg(bundle)
        .arg("-Answers")
        .arg(answers)
        .arg("-Hosts")
        .arg(hosts)
        .arg("-ReportDir")
        .arg(reports)
        .output()
        .unwrap_or_else(|e| {
            tool_missing("pwsh", &e.to_string());
            unreachable!()
        })
}

/// Each report of the folder by its host name: (file stem, report).
fn reports(dir: &Path) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for name in listing(dir) {
        let Some(stem) = name.strip_suffix(".json") else {
            assert!(name.ends_with(".txt"), "{name}");
            continue;
        };
        assert!(
            dir.join(format!("{stem}.txt")).is_file(),
            "{stem}.json without its text report"
        );
        assert!(
            stem.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "{stem}"
        );
        let bytes = std::fs::read(dir.join(&name)).unwrap();
        assert_no_duplicate_keys(&bytes);
        out.push((stem.to_string(), strict_json(&bytes)));
    }
    out
}

#[test]
#[cfg_attr(
    not(has_pwsh),
    ignore = "needs pwsh (PowerShell 7) on PATH: not available on this machine (docs/limitations.md)"
)]
fn deploy_against_a_fake_transport_writes_one_report_per_host_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, digest) = default_bundle(tmp.path());
    let answers = tmp.path().join("answers");
    std::fs::create_dir(&answers).unwrap();
    write(&answers, "ok-1.json", answer("OK-1", &digest, "compliant"));
    write(
        &answers,
        "ok-2.corp.example.wrap",
        answer("OK-2", &digest, "fixed"),
    );
    write(
        &answers,
        "refused-1.throw",
        "name not resolved: refused-1 is not known to DNS here",
    );
    write(&answers, "fail-1.fail", HOSTILE);
    write(&answers, "clm-1.clm", "");
    write(&answers, "hang-1.hang", "");
    let hosts = write(
        tmp.path(),
        "hosts.txt",
        "# site\r\nok-1\r\nOK-1.   # the same host again\r\n\r\nok-2.corp.example\r\nrefused-1\r\nfail-1\r\nclm-1\r\nhang-1\r\n",
    );
    let dir = tmp.path().join("reports");
    let run = run_fake(&bundle, &answers, &hosts, &dir);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(
        run.status.code(),
        Some(1),
        "{stdout}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );

    let found = reports(&dir);
    let by_host = |name: &str| -> &serde_json::Value {
        let hits: Vec<_> = found
            .iter()
            .filter(|(_, r)| r["host"]["name"] == name)
            .collect();
        assert_eq!(hits.len(), 1, "one report of {name}: {found:#?}");
        &hits[0].1
    };
    assert_eq!(found.len(), 6, "one report per host, ok-1 once: {found:#?}");
    // Reached: saved as received, named after the computer.
    let ok1 = found
        .iter()
        .find(|(_, r)| r["host"]["name"] == "OK-1")
        .unwrap();
    assert!(ok1.0.starts_with("OK-1_"), "{}", ok1.0);
    assert_eq!(
        std::fs::read_to_string(dir.join(format!("{}.json", ok1.0))).unwrap(),
        answer("OK-1", &digest, "compliant")
    );
    assert_eq!(by_host("OK-2")["verdict"], "fixed");
    // What was sent: the checked installer text and plain values.
    let installer_sha = certbundle::hex::sha256_upper(
        &std::fs::read(bundle.join("Install-Certificates.ps1")).unwrap(),
    );
    let sent = std::fs::read_to_string(answers.join("ok-1.sent")).unwrap();
    assert_eq!(
        sent.lines().collect::<Vec<_>>(),
        [
            format!("text-sha256={installer_sha}").as_str(),
            "CheckOnly=False",
            "Confirm=False",
            &format!("RemoteDigest={digest}"),
            "WhatIf=False",
        ]
    );
    // Deploy's remote script block splats them into the text it runs.
    let ok2 = found
        .iter()
        .find(|(_, r)| r["host"]["name"] == "OK-2")
        .unwrap();
    let ok2_text = std::fs::read_to_string(dir.join(format!("{}.txt", ok2.0))).unwrap();
    assert!(
        ok2_text.contains(&format!(
            "WRAP {digest} CheckOnly=False WhatIf=False Confirm=None"
        )),
        "{ok2_text}"
    );
    // Not reached (or, for fail-1, reached when the poll saw its job running before it
    // failed: a local job runs at once, unlike a connection WinRM refuses): a report each, named
    // as listed, with the reason as one plain line.
    for (name, reason) in [
        ("refused-1", "name not resolved: refused-1"),
        (
            "fail-1",
            "Connecting to remote server fail-1 failed: \"quoted\" back\\slash $(calc) `tick second line  gnp.exe é 'single'",
        ),
        (
            "hang-1",
            "timed out: still running after 10 s (-TimeoutSeconds 10); stopped",
        ),
    ] {
        let r = by_host(name);
        let said = r["messages"][0].as_str().unwrap();
        let ran = said.strip_prefix("reached; the run there failed, changes may have been made: ");
        let expected = if name == "fail-1" && ran.is_some() {
            ("error", 1)
        } else {
            ("unreachable", 5)
        };
        assert_eq!(
            (
                r["verdict"].as_str().unwrap(),
                r["exit_code"].as_i64().unwrap()
            ),
            expected,
            "{name}"
        );
        assert!(ran.unwrap_or(said).starts_with(reason), "{name}: {said:?}");
        assert_eq!(r["bundle"]["digest"], digest.as_str());
        assert!(
            !said.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{said:?}"
        );
    }
    let clm = by_host("clm-1");
    assert_eq!(clm["verdict"], "unsupported-host");
    assert_eq!(clm["exit_code"], 3);
    assert!(
        clm["messages"][0]
            .as_str()
            .unwrap()
            .contains("ConstrainedLanguage")
    );
    assert!(!stdout.contains('\u{202e}'), "{stdout}");

    // The fleet view reads them all, with the same host list.
    let fleet = certbundle()
        .args(["report", "--json", "--expect"])
        .arg(&hosts)
        .arg(&dir)
        .assert()
        .code(1);
    let json: serde_json::Value = strict_json(&fleet.get_output().stdout);
    let text = json.to_string();
    assert!(
        !text.contains("not-expected") && !text.contains("no-report"),
        "{text}"
    );
}

#[test]
#[cfg_attr(
    not(has_pwsh),
    ignore = "needs pwsh (PowerShell 7) on PATH: not available on this machine (docs/limitations.md)"
)]
fn a_bad_host_list_stops_deploy_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, _) = default_bundle(tmp.path());
    let answers = tmp.path().join("answers");
    std::fs::create_dir(&answers).unwrap();
    let hosts = write(tmp.path(), "hosts.txt", "ok-1\r\nbad\"$(calc)\r\n");
    let dir = tmp.path().join("reports");
    let run = run_fake(&bundle, &answers, &hosts, &dir);
    assert_eq!(run.status.code(), Some(3));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("hosts.txt:2"), "{stdout}");
    assert!(listing(&answers).is_empty(), "nothing may be sent");
    assert!(!dir.exists() || listing(&dir).is_empty());
}
