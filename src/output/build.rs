//! `build`: what was read, the certificates, the findings, then the bundle or why none.

use std::fmt::Write as _;

use super::Style;
use super::text::{certificate_table, counts, findings_table, skipped, sorted_findings};
use crate::commands::{BuildOutcome, BuildReport};
use crate::names;
use crate::profile::ProfileSource;
use crate::verify::Severity;

pub(super) fn build(r: &BuildReport, style: &Style) -> String {
    let mut out = String::new();
    let shipped = match r.shipped {
        0 => String::new(),
        n => format!(" and took {n} root(s) shipped with the profile"),
    };
    let _ = writeln!(
        out,
        "Read {} file(s){shipped}: {}.",
        r.files_read,
        counts(&r.checked)
    );
    let source = match &r.profile_source {
        ProfileSource::None => "nothing is pinned".to_string(),
        ProfileSource::BuiltIn => "built into certbundle".to_string(),
        file @ ProfileSource::File(_) => format!(
            "from the profile {}, not a built-in one",
            names::printable(&file.to_string())
        ),
    };
    let _ = writeln!(
        out,
        "Profile: {} ({source}).\n",
        names::printable(&r.profile)
    );
    out.push_str(&skipped(&r.skipped));
    if !r.checked.certificates.is_empty() {
        out.push_str(&certificate_table(&r.checked.certificates, style));
        out.push('\n');
    }
    out.push_str(&findings_table(&sorted_findings(&r.checked), style));
    out.push('\n');
    out.push_str(&loud_options(r, style));
    match &r.outcome {
        BuildOutcome::Refused { reason } => {
            let _ = writeln!(out, "{} {reason}", style.paint("31;1", "Refused:"));
        }
        BuildOutcome::Written(w) => {
            let _ = writeln!(
                out,
                "{}  {}  ({} files, SHA256SUMS included)",
                style.bold("Bundle "),
                w.folder.display(),
                w.files
            );
            if let (Some(zip), Some(sha)) = (&w.zip, &w.zip_sha256) {
                let _ = writeln!(out, "{}  {}", style.bold("Zip    "), zip.display());
                let _ = writeln!(out, "         zip SHA-256 {sha}  (for checking the copy)");
            }
            if let Some(left) = &w.leftover {
                let _ = writeln!(
                    out,
                    "         note: could not remove the staging folder {}; delete it",
                    left.display()
                );
            }
            for old in &w.replaced {
                let _ = writeln!(out, "         replaced {}", old.display());
            }
            let _ = writeln!(
                out,
                "{}  {}",
                style.bold("Digest "),
                style.paint("32;1", &w.digest)
            );
            let _ = writeln!(
                out,
                "         SHA-256 of SHA256SUMS. Send it to the site by another channel (ticket, phone);"
            );
            let _ = writeln!(
                out,
                "         the administrator runs: Install.cmd -ExpectedDigest {}",
                w.digest
            );
            let _ = writeln!(
                out,
                "         (or compares: %SystemRoot%\\System32\\certutil.exe -hashfile SHA256SUMS SHA256)"
            );
        }
    }
    out
}

/// What the build let through on request, said where nobody can miss it.
fn loud_options(r: &BuildReport, style: &Style) -> String {
    use crate::verify::Code;
    let mut out = String::new();
    let allowed = |code: Code| {
        r.checked
            .findings()
            .filter(|f| f.code == code && f.severity == Severity::Warning)
            .count()
    };
    let unpinned = allowed(Code::Unpinned);
    if unpinned > 0 {
        let _ = writeln!(
            out,
            "{} --allow-unpinned: {unpinned} certificate(s) not in the profile go into the bundle (README.txt and manifest.json say so).",
            style.paint("33;1", "WARNING:")
        );
    }
    let missing = r
        .checked
        .missing_pins
        .iter()
        .filter(|p| p.need == crate::profile::Need::Required)
        .count();
    if missing > 0 && allowed(Code::MissingRequired) > 0 {
        let _ = writeln!(
            out,
            "{} --allow-missing: {missing} required certificate(s) of the profile are not in the bundle (README.txt and manifest.json list them).",
            style.paint("33;1", "WARNING:")
        );
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}
