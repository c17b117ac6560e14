//! `inspect`: every certificate's fields and findings.

use std::fmt::Write as _;

use super::Style;
use super::text::{counts, findings_table, skipped};
use crate::commands::InspectReport;
use crate::names;
use crate::verify::Finding;

pub(super) fn inspect(r: &InspectReport, style: &Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Read {} file(s): {}.\n",
        r.files_read,
        counts(&r.checked)
    );
    out.push_str(&skipped(&r.skipped));
    for (i, c) in r.checked.certificates.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}",
            style.bold(&format!("[{}] {}", i + 1, names::printable(&c.name)))
        );
        let role = match c.store {
            Some(store) => format!(
                "{}{} -> store {}",
                c.role.as_str(),
                if c.self_signed { " (self-signed)" } else { "" },
                store.as_str()
            ),
            None => format!("{} (not a CA: not installable)", c.role.as_str()),
        };
        let fields = [
            ("file", names::printable(&c.file.to_string())),
            ("subject", names::printable(&c.subject)),
            ("issuer", names::printable(&c.issuer)),
            ("serial", c.serial.clone()),
            (
                "valid",
                format!("{} to {}", rfc3339(c.not_before), rfc3339(c.not_after)),
            ),
            ("sha1", c.sha1.clone()),
            ("sha256", c.sha256.clone()),
            ("role", role),
            (
                "key",
                format!(
                    "{}, signed with {}, X.509 v{}",
                    c.key, c.signature_algorithm, c.version
                ),
            ),
        ];
        for (label, value) in fields {
            let _ = writeln!(out, "    {label:<9}{value}");
        }
        if c.findings.is_empty() {
            let _ = writeln!(out, "    {:<9}none", "findings");
        }
        for f in &c.findings {
            let _ = writeln!(
                out,
                "    {:<9}{} {}: {}",
                "finding",
                style.severity(f.severity),
                f.code.as_str(),
                names::printable(&f.message)
            );
        }
        out.push('\n');
    }
    if !r.checked.rejected.is_empty() {
        let rejected: Vec<&Finding> = r.checked.rejected.iter().collect();
        out.push_str(&findings_table(&rejected, style));
    }
    out
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
