//! `certbundle man`: one roff page `certbundle(1)` with a section for every subcommand of the clap
//! definitions and every long option in its section; groff reads it without a warning; the same
//! bytes on every run and under any program name.

use std::process::{Command, Stdio};

use crate::common::{certbundle, subcommands, success_stdout};

fn page() -> String {
    success_stdout(certbundle().arg("man"))
}

/// The page's `.SH` sections in order: the heading (unquoted), and the text under it with the
/// roff escapes clap_mangen writes undone.
fn sections(page: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in page.lines() {
        if let Some(heading) = line.strip_prefix(".SH ") {
            out.push((heading.trim_matches('"').to_string(), String::new()));
        } else if let Some((_, text)) = out.last_mut() {
            text.push_str(&plain(line));
            text.push('\n');
        }
    }
    out
}

fn plain(line: &str) -> String {
    line.replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\-", "-")
        .replace("\\*(Aq", "'")
        .replace("\\&", "")
        .replace("\\\\", "\\")
}

#[test]
fn the_page_is_roff_titled_certbundle_1_with_the_crate_version() {
    let page = page();
    assert!(page.is_ascii());
    let version = env!("CARGO_PKG_VERSION");
    let controls: Vec<&str> = page
        .lines()
        .filter(|l| l.starts_with('.') || l.starts_with('\''))
        .collect();
    let title = controls
        .iter()
        .find(|l| l.starts_with(".TH"))
        .expect("a .TH line");
    assert_eq!(
        *title,
        format!(".TH certbundle 1 \"\" \"certbundle {version}\"")
    );
    for line in &controls {
        let name = line[1..].split(' ').next().unwrap();
        assert!(
            [
                "ie", "el", "TH", "SH", "SS", "TP", "PP", "IP", "RS", "RE", "br"
            ]
            .contains(&name),
            "not a man(7) request this page should use: {line}"
        );
    }
    let headings: Vec<String> = sections(&page).into_iter().map(|(h, _)| h).collect();
    let mut expected: Vec<String> = [
        "NAME",
        "SYNOPSIS",
        "DESCRIPTION",
        "OPTIONS",
        "COMMANDS",
        "NOTES",
    ]
    .map(String::from)
    .to_vec();
    expected.extend(
        subcommands()
            .iter()
            .map(|(name, _)| format!("CERTBUNDLE {}", name.to_uppercase())),
    );
    expected.push("VERSION".into());
    assert_eq!(headings, expected);
    let (_, version_text) = sections(&page).pop().unwrap();
    assert_eq!(version_text.trim(), format!("v{version}"));
}

#[test]
fn every_subcommand_has_a_section_naming_each_of_its_long_options() {
    let page = page();
    let sections = sections(&page);
    let text_of = |heading: &str| {
        sections
            .iter()
            .find(|(h, _)| h == heading)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| panic!("no section {heading}"))
    };
    let commands = text_of("COMMANDS");
    let subcommands = subcommands();
    assert!(subcommands.iter().any(|(name, _)| name == "man"));
    for (name, longs) in &subcommands {
        assert!(
            commands.contains(&format!("certbundle {name}\n")),
            "COMMANDS does not list {name}"
        );
        let text = text_of(&format!("CERTBUNDLE {}", name.to_uppercase()));
        for part in [".SS Synopsis", ".SS Description"] {
            assert!(text.contains(part), "{name}: no {part}");
        }
        assert!(
            text.contains(&format!(".SS Synopsis\ncertbundle {name} ")),
            "{name}: the synopsis does not start with certbundle {name}"
        );
        for long in longs {
            assert!(
                text.contains(&format!("--{long}\n")) || text.contains(&format!("--{long} ")),
                "the section of {name} does not name --{long}"
            );
        }
    }
}

#[test]
fn the_page_is_the_same_every_run_whatever_the_program_is_called() {
    let first = page();
    assert_eq!(first, page());
    let tmp = tempfile::tempdir().unwrap();
    let renamed = tmp.path().join("certbundle.exe");
    std::fs::copy(env!("CARGO_BIN_EXE_certbundle"), &renamed).unwrap();
    let out = Command::new(&renamed).arg("man").output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), first);
}

/// groff, warnings on (`-ww`), output discarded (`-z`): a request it does not know, a bad
/// escape or a broken macro call is a warning.
#[test]
#[cfg_attr(
    not(has_groff),
    ignore = "needs groff on PATH (.ci/run installs groff-base)"
)]
fn groff_reads_the_page_without_a_warning() {
    let mut child = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), page().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}
