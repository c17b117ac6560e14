//! `verify`: the bundle, its digest, what was checked, OK or the problems.

use std::fmt::Write as _;

use super::Style;
use super::text::header_table;
use crate::commands::VerifyReport;
use crate::names;

pub(super) fn verify(r: &VerifyReport, style: &Style) -> String {
    let a = &r.audit;
    let mut out = String::new();
    let kind = match r.kind {
        crate::bundle::Form::Folder => "folder",
        crate::bundle::Form::Zip => "zip",
    };
    let _ = writeln!(
        out,
        "{}  {} ({kind})",
        style.bold("Bundle "),
        r.bundle.display()
    );
    match &a.digest {
        Some(d) => {
            let _ = writeln!(
                out,
                "{}  {}  (SHA-256 of SHA256SUMS: compare it with the one you were given)",
                style.bold("Digest "),
                d
            );
        }
        None => {
            let _ = writeln!(out, "{}  none (no SHA256SUMS)", style.bold("Digest "));
        }
    }
    let _ = writeln!(
        out,
        "{}  {} match SHA256SUMS; {} certificate(s) match manifest.json",
        style.bold("Checked"),
        a.files_ok,
        a.certificates
    );
    if !a.reports.is_empty() {
        let _ = writeln!(
            out,
            "{}  {} installer report file(s) under reports/:",
            style.bold("Reports"),
            a.reports.len()
        );
        for p in &a.reports {
            let _ = writeln!(out, "           {}", names::printable(p));
        }
    }
    out.push('\n');
    if a.ok() {
        let _ = writeln!(
            out,
            "{} every file matches SHA256SUMS and the manifest matches the certificates.",
            style.paint("32;1", "OK:")
        );
    } else {
        let header = vec!["PROBLEM".to_string(), "FILE".into(), "MESSAGE".into()];
        let mut rows = vec![header.clone()];
        for p in &a.problems {
            rows.push(vec![
                p.code.as_str().into(),
                names::printable(&p.path),
                names::printable(&p.message),
            ]);
        }
        out.push_str(&header_table(&rows, style));
        let _ = writeln!(
            out,
            "\n{} {} problem(s): do not install from this copy; get a fresh one from the engineer.",
            style.paint("31;1", "NOT OK:"),
            a.problems.len()
        );
    }
    out
}
