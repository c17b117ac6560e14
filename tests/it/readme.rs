//! The documentation stays true: README.md's two commands exist and work and its build example is
//! what the binary prints; the examples in docs/ are what `report` and `extract` print, and the
//! `extract` walkthrough's `Next:` line builds; every relative link reaches a file and a heading.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::common::hand_signed;
use crate::common::*;

/// The text of a documentation file, by its path in the repository.
fn doc(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn readme() -> String {
    doc("README.md")
}

/// README's "How fast" table comes from the one benchmark, and CI runs that benchmark's check.
#[test]
fn readme_says_how_to_regenerate_the_benchmark_and_ci_runs_it() {
    let text = readme();
    assert!(text.contains("\n## How fast\n"));
    assert!(text.contains("cargo bench --bench compare"));
    let manifest = doc("Cargo.toml");
    assert!(manifest.contains("[[bench]]\nname = \"compare\"\nharness = false\n"));
    assert!(doc(".ci/run").contains("cargo bench --locked --bench compare -- --quick --check "));
}

#[test]
fn readme_shows_the_two_commands() {
    let text = readme();
    assert!(text.contains("\ncargo run --release -- build -o out\n"));
    assert!(text.contains("\ncargo test\n"));
    let ci = doc(".ci/run");
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
fn the_readme_build_example_is_what_build_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let output = certbundle()
        .current_dir(tmp.path())
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "-o", "out"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let shown = block_after(
        "README.md",
        "$ SOURCE_DATE_EPOCH=1795564800 certbundle build -o out",
    );
    assert_eq!(
        shown,
        String::from_utf8(output).unwrap().trim_end(),
        "README.md's build example is out of date (CONTRIBUTING.md says how to refresh it)"
    );
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

/// The lines of the code block in `path` that starts with the line `marker`, up to its closing
/// fence, without the block's indentation (that of `marker`).
fn block_after(path: &str, marker: &str) -> String {
    let text = doc(path);
    let (indent, command) = marker.split_at(marker.len() - marker.trim_start().len());
    let start = text
        .find(&format!("\n{marker}\n"))
        .unwrap_or_else(|| panic!("{path} has no {marker:?}"))
        + marker.len()
        + 2;
    assert!(command.starts_with('$'), "{marker:?} is not a command line");
    // Up to the closing fence, however far the block is indented.
    text[start..]
        .lines()
        .take_while(|l| l.trim() != "```")
        .map(|l| l.strip_prefix(indent).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_fleet_report_example_is_what_report_prints() {
    let output = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "tests/fixtures/reports"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let shown = block_after(
        "docs/fleet-report.md",
        "$ certbundle report tests/fixtures/reports",
    );
    assert_eq!(
        shown,
        String::from_utf8(output).unwrap().trim_end(),
        "docs/fleet-report.md's report example is out of date"
    );
}

/// The walkthrough's `extract` example (docs/commands.md), as shown there.
const EXTRACT_DOC: &str = "docs/commands.md";
const EXTRACT_EXAMPLE: &str = "   $ certbundle extract sigcheck.exe -o from-sigcheck";

/// Runs `certbundle extract sigcheck.exe -o from-sigcheck` in `dir`, which holds a
/// `sigcheck.exe`, and returns what it prints.
fn extract_sigcheck(dir: &Path) -> String {
    let output = certbundle()
        .current_dir(dir)
        .args(["extract", "sigcheck.exe", "-o", "from-sigcheck"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

/// The `Next:` line of `extract`'s output, without `Next: `.
fn next_line(output: &str) -> &str {
    output
        .lines()
        .find_map(|l| l.strip_prefix("Next: "))
        .unwrap_or_else(|| panic!("no Next: line in\n{output}"))
}

/// Runs the build a `Next:` line names, as printed, in `dir`; it must succeed.
fn run_as_printed(dir: &Path, next: &str) {
    let command = next
        .split("   (")
        .next()
        .unwrap()
        .strip_prefix("certbundle ")
        .unwrap_or_else(|| panic!("{next:?} is not a certbundle command"));
    certbundle()
        .current_dir(dir)
        .args(command.split(' '))
        .assert()
        .success();
}

#[test]
#[cfg_attr(
    not(has_real_signed_files),
    ignore = "needs ../shared/realworld/signed/sigcheck.exe (outside the repository)"
)]
fn the_extract_example_is_what_extract_prints_for_the_real_sigcheck() {
    let sigcheck =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld/signed/sigcheck.exe");
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(&sigcheck, tmp.path().join("sigcheck.exe"))
        .unwrap_or_else(|e| panic!("{}: {e}", sigcheck.display()));
    let output = extract_sigcheck(tmp.path());
    assert_eq!(
        block_after(EXTRACT_DOC, EXTRACT_EXAMPLE),
        output.trim_end(),
        "{EXTRACT_DOC}'s extract example is out of date"
    );
    // Step 4 of the walkthrough: the Next: line, run as printed, builds.
    run_as_printed(tmp.path(), next_line(&output));
}

/// A CA of the stand-in: valid 2020 to 2025, so expired whenever the test runs.
fn expired_ca(cn: &str, issuer: Option<&Ca>) -> Ca {
    let mut p = ca_params(cn);
    p.not_after = ymd(2025, 1, 1);
    match issuer {
        Some(issuer) => issued_with(p, ec_key(), issuer),
        None => root_with(p, ec_key()),
    }
}

/// A code-signing certificate issued by `issuer`.
fn signer(cn: &str, issuer: &Ca) -> Ca {
    let mut p = ca_params(cn);
    p.is_ca = rcgen::IsCa::ExplicitNoCa;
    p.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::CodeSigning];
    issued_with(p, ec_key(), issuer)
}

#[test]
fn the_extract_examples_next_line_run_as_printed_builds_over_a_signed_stand_in() {
    // A stand-in for sigcheck.exe, signed at test time: like the real file it carries four CA
    // certificates that profile apex-one does not pin and that have expired, in two signatures
    // whose chains end in a root the file does not carry.
    let tmp = tempfile::tempdir().unwrap();
    let chains: Vec<[Ca; 3]> = ["Code Signing", "Time-Stamp"]
        .iter()
        .map(|name| {
            let root = expired_ca(&format!("Stand-in {name} Root"), None);
            let upper = expired_ca(&format!("Stand-in {name} PCA"), Some(&root));
            let lower = expired_ca(&format!("Stand-in {name} PCA 2011"), Some(&upper));
            let leaf = signer(&format!("Stand-in {name} Signer"), &lower);
            [leaf, lower, upper]
        })
        .collect();
    let signatures: Vec<(Vec<&Ca>, &Ca)> =
        chains.iter().map(|c| (c.iter().collect(), &c[0])).collect();
    let signatures: Vec<(&[&Ca], &Ca)> = signatures
        .iter()
        .map(|(certs, signer)| (certs.as_slice(), *signer))
        .collect();
    hand_signed(tmp.path(), "sigcheck.exe", &signatures);
    let output = extract_sigcheck(tmp.path());
    let next = next_line(&output);
    // The same counts and flags as the real file, so the very line the walkthrough shows.
    let shown = block_after(EXTRACT_DOC, EXTRACT_EXAMPLE);
    assert_eq!(next, next_line(&shown), "{output}");
    run_as_printed(tmp.path(), next);
    assert!(bundle_written(tmp.path()));
}

/// Whether a build in `dir` wrote a bundle folder (its name carries today's date).
fn bundle_written(dir: &Path) -> bool {
    std::fs::read_dir(dir).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("apex-one-certs-")
    })
}

/// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors of a Markdown file's headings, and its links (outside code blocks).
fn anchors_and_links(text: &str) -> (BTreeSet<String>, Vec<String>) {
    let (mut anchors, mut links, mut fenced) = (BTreeSet::new(), Vec::new(), false);
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(heading) = line.strip_prefix('#') {
            let base = slug(heading.trim_start_matches('#'));
            let mut anchor = base.clone();
            for n in 1.. {
                if !anchors.contains(&anchor) {
                    break;
                }
                anchor = format!("{base}-{n}");
            }
            anchors.insert(anchor);
        }
        for (i, _) in line.match_indices("](") {
            let rest = &line[i + 2..];
            if let Some(end) = rest.find(')') {
                links.push(rest[..end].to_string());
            }
        }
    }
    (anchors, links)
}

#[test]
fn every_relative_link_reaches_a_file_and_a_heading() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![
        root.join("README.md"),
        root.join("CONTRIBUTING.md"),
        root.join("SECURITY.md"),
    ];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut broken = Vec::new();
    for file in &files {
        let (_, links) = anchors_and_links(&std::fs::read_to_string(file).unwrap());
        for link in links {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (target, anchor) = link.split_once('#').unwrap_or((&link, ""));
            let target = if target.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(target)
            };
            if !target.exists() {
                broken.push(format!("{}: {link}: no such file", file.display()));
                continue;
            }
            if anchor.is_empty() {
                continue;
            }
            let (anchors, _) = anchors_and_links(&std::fs::read_to_string(&target).unwrap());
            if !anchors.contains(anchor) {
                broken.push(format!("{}: {link}: no such heading", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
