//! README.md stays true: its two commands exist and work, and its build example is reproducible.

mod common;

use common::*;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn readme_shows_the_two_commands() {
    let text = readme();
    assert!(text.contains("\ncargo run --release -- build -o out\n"));
    assert!(text.contains("\ncargo test\n"));
    let ci = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.ci/run")).unwrap();
    assert!(
        ci.contains("\ncargo test\n"),
        ".ci/run must run the README's test command"
    );
}

#[test]
fn the_readme_build_example_is_what_the_default_build_produces() {
    let tmp = tempfile::tempdir().unwrap();
    let output = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--json", "-o"])
        .arg(tmp.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = strict_json(&output);
    let text = readme();
    for field in ["digest", "zip_sha256"] {
        let value = json["outcome"][field].as_str().unwrap();
        assert!(
            text.contains(value),
            "README.md does not show this build's {field} {value}"
        );
    }
}

#[test]
fn the_examples_build_without_a_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let output = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--profile",
            "none",
            "examples/certs",
            "--now",
            NOW,
            "--json",
            "-o",
        ])
        .arg(tmp.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = strict_json(&output);
    assert_eq!(json["certificates"].as_array().unwrap().len(), 5);
    assert!(
        json["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["findings"].as_array().unwrap().is_empty())
    );
    assert!(readme().contains("certbundle build --profile none examples/certs -o out"));
}

/// The lines of the README's code block that starts with `marker`, up to its closing fence.
fn block_after(text: &str, marker: &str) -> String {
    let start = text
        .find(&format!("\n{marker}\n"))
        .unwrap_or_else(|| panic!("README.md has no {marker:?}"))
        + marker.len()
        + 2;
    // Up to the closing fence, however far the block is indented.
    text[start..]
        .lines()
        .take_while(|l| l.trim() != "```")
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_readme_report_example_is_what_report_prints() {
    let output = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "tests/fixtures/reports"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let shown = block_after(&readme(), "$ certbundle report tests/fixtures/reports");
    assert_eq!(
        shown,
        String::from_utf8(output).unwrap().trim_end(),
        "README.md's report example is out of date"
    );
}

#[test]
fn the_readme_extract_example_is_what_extract_prints() {
    let whois = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realworld/signed/whois.exe");
    if !whois.is_file() {
        println!("SKIPPED: {} is absent", whois.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(&whois, tmp.path().join("whois.exe")).unwrap();
    let output = certbundle()
        .current_dir(tmp.path())
        .args(["extract", "whois.exe", "-o", "from-whois"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown: String = block_after(&readme(), "   $ certbundle extract whois.exe -o from-whois")
        .lines()
        .map(|l| l.strip_prefix("   ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let output = String::from_utf8(output).unwrap();
    assert_eq!(
        shown,
        output.trim_end(),
        "README.md's extract example is out of date"
    );
    // Step 4: the Next: line, run as printed, builds.
    let next = output
        .lines()
        .find_map(|l| l.strip_prefix("Next: certbundle "))
        .unwrap();
    let command: Vec<&str> = next.split("   (").next().unwrap().split(' ').collect();
    certbundle()
        .current_dir(tmp.path())
        .args(&command)
        .assert()
        .success();
}
