//! `report`: the fleet as a table or as CSV.

use std::fmt::Write as _;

use super::Style;
use super::text::table;
use crate::commands::FleetReport;
use crate::fleet;
use crate::names;

/// `report`: the table, why each host is not compliant, what was skipped, the summary line.
pub(super) fn fleet_table(r: &FleetReport, style: &Style) -> String {
    let f = &r.fleet;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Read {} report(s) of {} host(s); {} older run(s) kept as history; {} file(s) skipped.",
        f.summary.reports,
        f.reported_hosts(),
        f.summary.history,
        f.summary.skipped
    );
    match &f.reference {
        Some(b) => {
            let _ = writeln!(
                out,
                "Compared with bundle {} (digest {}).",
                names::printable(&b.name),
                b.digest
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Not compared with a bundle: --bundle BUNDLE flags hosts that ran another one."
            );
        }
    }
    out.push('\n');
    let texts: Vec<fleet::text::HostText> = f.hosts.iter().map(fleet::text::host).collect();
    let mut rows = vec![vec![
        "HOST".to_string(),
        "LAST RUN (UTC)".into(),
        "MODE".into(),
        "VERDICT".into(),
        "NOT IN PLACE".into(),
        "CONFLICTS".into(),
        "ROOT AUTO-UPDATE".into(),
        "PRODUCT".into(),
        "RUNS".into(),
    ]];
    let mut painted = vec![rows[0].iter().map(|h| style.bold(h)).collect()];
    for t in &texts {
        let mut verdict = t.label.clone();
        if t.other_bundle {
            verdict.push_str(" [other bundle]");
        }
        if t.later.is_some() {
            verdict.push_str(" [see below]");
        }
        let row = vec![
            t.host.clone(),
            t.last_run.clone(),
            t.mode.to_string(),
            verdict,
            shorten(
                &t.problems
                    .iter()
                    .map(|p| p.split(" (").next().unwrap_or(p))
                    .collect::<Vec<_>>()
                    .join(", "),
                40,
            ),
            if t.conflicts.is_empty() {
                "-".into()
            } else {
                t.conflicts.len().to_string()
            },
            t.auto_update.to_string(),
            t.product.clone(),
            t.runs.to_string(),
        ];
        let mut shown = row.clone();
        shown[3] = match t.class {
            "bad" => style.paint("31;1", &row[3]),
            "warn" => style.paint("33", &row[3]),
            _ => style.paint("32", &row[3]),
        };
        rows.push(row);
        painted.push(shown);
    }
    out.push_str(&table(&rows, &painted));
    out.push_str(&why_notes_skipped(f, &texts, style));
    let line = fleet::text::summary_line(f);
    let _ = writeln!(
        out,
        "\n{}",
        if f.ok() {
            style.paint("32;1", &line)
        } else {
            style.paint("31;1", &line)
        }
    );
    if let Some(path) = &r.html {
        let _ = writeln!(out, "HTML page: {}", path.display());
    }
    out
}

/// Cuts `text` to `max` characters, marking the cut.
fn shorten(text: &str, max: usize) -> String {
    if text.is_empty() {
        return "-".into();
    }
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 3).collect();
    format!("{}...", cut.trim_end())
}

/// `report --csv`: one row per host, RFC 4180 (CRLF). Cells that a spreadsheet would take for a
/// formula are prefixed with `'`.
pub(super) fn fleet_csv(r: &FleetReport) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let _ = w.write_record([
        "host",
        "status",
        "verdict",
        "compliant",
        "last_run",
        "mode",
        "not_in_place",
        "certificates_not_in_place",
        "conflicts",
        "auto_update",
        "product",
        "runs",
        "bundle",
        "bundle_digest",
        "bundle_match",
        "later_run",
        "notes",
        "machine_guid",
        "domain",
        "report_file",
    ]);
    for h in &r.fleet.hosts {
        let t = fleet::text::host(h);
        let unknown_empty = |text: &str| {
            if text == "-" {
                String::new()
            } else {
                text.to_string()
            }
        };
        let cells = [
            t.host.clone(),
            h.status.code().to_string(),
            t.label.clone(),
            h.compliant.to_string(),
            h.last_run.clone().unwrap_or_default(),
            unknown_empty(t.mode),
            h.problems.len().to_string(),
            t.problems.join("; "),
            t.conflicts.join("; "),
            unknown_empty(t.auto_update),
            unknown_empty(&t.product),
            t.runs.to_string(),
            names::printable(h.bundle.as_ref().map_or("", |b| b.name.as_str())),
            names::printable(
                h.bundle
                    .as_ref()
                    .and_then(|b| b.digest.as_deref())
                    .unwrap_or_default(),
            ),
            h.bundle_match
                .map(fleet::BundleMatch::code)
                .unwrap_or("")
                .to_string(),
            t.later.clone().unwrap_or_default(),
            t.notes.join("; "),
            names::printable(h.machine_guid.as_deref().unwrap_or_default()),
            names::printable(h.domain.as_deref().unwrap_or_default()),
            names::printable(&h.file),
        ];
        let _ = w.write_record(cells.iter().map(|c| spreadsheet_safe(c)));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).expect("CSV of strings is UTF-8")
}

/// A cell a spreadsheet will not run as a formula.
fn spreadsheet_safe(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

/// Why each failing host fails, the hosts' notes, and the files skipped.
fn why_notes_skipped(f: &fleet::Fleet, texts: &[fleet::text::HostText], style: &Style) -> String {
    let mut out = String::new();
    let failing: Vec<&fleet::text::HostText> = f
        .hosts
        .iter()
        .zip(texts)
        .filter(|(h, t)| !h.compliant || t.later.is_some())
        .map(|(_, t)| t)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Why"));
        for t in failing {
            let _ = writeln!(out, "  {}: {}", t.host, t.label);
            if t.other_bundle {
                let _ = writeln!(out, "    ran another bundle: {}", t.bundle);
            }
            for line in t
                .problems
                .iter()
                .chain(&t.conflicts)
                .chain(&t.reasons)
                .chain(&t.later)
            {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    let noted: Vec<&fleet::text::HostText> = texts.iter().filter(|t| !t.notes.is_empty()).collect();
    if !noted.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Notes"));
        for t in noted {
            for note in &t.notes {
                let _ = writeln!(out, "  {}: {note}", t.host);
            }
        }
    }
    if !f.skipped.is_empty() {
        let _ = writeln!(out, "\n{}", style.bold("Skipped"));
        for s in &f.skipped {
            let _ = writeln!(
                out,
                "  {}: {}",
                names::printable(&s.file),
                names::printable(&s.reason)
            );
        }
    }
    out
}
