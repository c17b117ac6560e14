//! Pieces more than one printer uses: aligned tables, the findings table, counts, skipped files,
//! shell words, the next step.

use std::fmt::Write as _;

use super::Style;
use crate::commands::NextStep;
use crate::load::Skipped;
use crate::names;
use crate::verify::{CertSummary, Checked, Finding};

/// `text` as one word for a shell (POSIX or PowerShell): quoted when it holds anything but
/// plain path characters.
pub(super) fn shell_word(text: &str) -> String {
    let text = names::printable(text);
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:\\+=,@".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', "'\"'\"'"))
    }
}

/// Left-aligned columns sized to their contents; the last column is not padded.
pub(super) fn table(rows: &[Vec<String>], painted: &[Vec<String>]) -> String {
    let columns = rows.first().map(Vec::len).unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (row, shown) in rows.iter().zip(painted) {
        out.push_str("  ");
        for c in 0..columns {
            out.push_str(&shown[c]);
            if c + 1 < columns {
                out.push_str(&" ".repeat(widths[c] - row[c].chars().count() + 2));
            }
        }
        out.push('\n');
    }
    out
}

/// A [`table`] whose first row is a bold header.
pub(super) fn header_table(rows: &[Vec<String>], style: &Style) -> String {
    let painted: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i == 0 {
                r.iter().map(|h| style.bold(h)).collect()
            } else {
                r.clone()
            }
        })
        .collect();
    table(rows, &painted)
}

pub(super) fn findings_table(findings: &[&Finding], style: &Style) -> String {
    if findings.is_empty() {
        return "No findings.\n".into();
    }
    let header = vec![
        "SEVERITY".to_string(),
        "CODE".into(),
        "FILE".into(),
        "MESSAGE".into(),
    ];
    let mut rows = vec![header.clone()];
    let mut painted = vec![header.iter().map(|h| style.bold(h)).collect()];
    for f in findings {
        let row = vec![
            f.severity.as_str().to_string(),
            f.code.as_str().to_string(),
            names::printable(&f.file),
            names::printable(&f.message),
        ];
        let mut shown = row.clone();
        shown[0] = style.severity(f.severity);
        rows.push(row);
        painted.push(shown);
    }
    table(&rows, &painted)
}

pub(super) fn sorted_findings(checked: &Checked) -> Vec<&Finding> {
    let mut all: Vec<&Finding> = checked.findings().collect();
    all.sort_by(|a, b| (a.severity, &a.file, a.code).cmp(&(b.severity, &b.file, b.code)));
    all
}

pub(super) fn skipped(list: &[Skipped]) -> String {
    let mut out = String::new();
    if !list.is_empty() {
        let _ = writeln!(out, "Skipped, in whole or in part:");
        for s in list {
            let _ = writeln!(
                out,
                "  {}: {}",
                names::printable(&s.path.display().to_string()),
                names::printable(&s.reason)
            );
        }
        out.push('\n');
    }
    out
}

pub(super) fn counts(checked: &Checked) -> String {
    let roots = checked
        .certificates
        .iter()
        .filter(|c| c.role == crate::verify::Role::Root)
        .count();
    let intermediates = checked
        .certificates
        .iter()
        .filter(|c| c.role == crate::verify::Role::Intermediate)
        .count();
    let leaves = checked.certificates.len() - roots - intermediates;
    let mut text = format!(
        "{} certificate(s): {roots} root, {intermediates} intermediate",
        checked.certificates.len()
    );
    if leaves > 0 {
        let _ = write!(text, ", {leaves} not a CA");
    }
    if !checked.rejected.is_empty() {
        let _ = write!(
            text,
            "; {} not readable as a certificate",
            checked.rejected.len()
        );
    }
    text
}

pub(super) fn certificate_table(certs: &[CertSummary], style: &Style) -> String {
    let header = vec![
        "STORE".to_string(),
        "SHA-1 THUMBPRINT".into(),
        "EXPIRES".into(),
        "NAME".into(),
    ];
    let mut rows = vec![header.clone()];
    let mut sorted: Vec<&CertSummary> = certs.iter().collect();
    sorted.sort_by(|a, b| (a.store, &a.name).cmp(&(b.store, &b.name)));
    for c in sorted {
        rows.push(vec![
            c.store.map(|s| s.as_str()).unwrap_or("-").to_string(),
            c.sha1.clone(),
            c.not_after.date().to_string(),
            names::printable(&c.name),
        ]);
    }
    header_table(&rows, style)
}

/// The next step's line: the build to run (each word quoted for a shell), or why there is none.
pub(super) fn next_line(next: &NextStep, profile: &str) -> String {
    match next {
        NextStep::NoBuildYet { refused } => format!(
            "Next: no build yet: {refused} certificate(s) written look like, or match only half of, a pin \
of profile {profile} (marked above), and build refuses those. Compare them with the vendor's current \
list; if the profile is out of date, fix it in a profile file (--profile FILE)."
        ),
        NextStep::Build { args, notes } => {
            let words: Vec<String> = args.iter().map(|a| shell_word(a)).collect();
            let why = if notes.is_empty() {
                String::new()
            } else {
                let notes: Vec<String> = notes.iter().map(|n| names::printable(n)).collect();
                format!("   ({})", notes.join("; "))
            };
            format!("Next: certbundle {}{why}", words.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_by_characters_not_bytes_and_leave_the_last_column_unpadded() {
        let rows = vec![
            vec!["A".to_string(), "Zürich".into(), "x".into()],
            vec!["BBB".into(), "b".into(), "long".into()],
        ];
        assert_eq!(
            table(&rows, &rows),
            "  A    Zürich  x\n  BBB  b       long\n"
        );
    }
}
