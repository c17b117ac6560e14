//! `extract`: per file, each signature as a tree with its chain; then what was written and the
//! next step.

use std::fmt::Write as _;

use super::Style;
use super::text::next_line;
use crate::commands::ExtractReport;
use crate::names;

/// `extract`: per file, each signature as a tree with its chain; then what was written.
pub(super) fn extract(r: &ExtractReport, style: &Style) -> String {
    let mut out = String::new();
    for f in &r.files {
        let shown = names::printable(&f.file.display().to_string());
        let Some(e) = &f.extracted else {
            let _ = writeln!(
                out,
                "{}  {} {}",
                style.bold(&shown),
                style.paint("31;1", "error:"),
                names::printable(f.error.as_deref().unwrap_or_default())
            );
            if let Some(hint) = &f.hint {
                let _ = writeln!(out, "  {} {hint}", style.paint("36", "hint:"));
            }
            out.push('\n');
            continue;
        };
        let _ = writeln!(
            out,
            "{}  {}, {} signature(s), {} certificate(s) embedded",
            style.bold(&shown),
            e.format,
            e.signatures.len(),
            e.certificates.len()
        );
        for (i, s) in e.signatures.iter().enumerate() {
            signature_tree(&mut out, s, &format!("{}", i + 1), 1, &r.profile, style);
        }
        for p in &e.problems {
            let _ = writeln!(
                out,
                "  {} {}",
                style.paint("33", "note:"),
                names::printable(p)
            );
        }
        out.push('\n');
    }
    if let Some(dir) = &r.output {
        let new = r.written.iter().filter(|w| !w.already_there).count();
        let _ = writeln!(
            out,
            "Wrote {new} certificate(s) to {} ({} already there):",
            names::printable(&dir.display().to_string()),
            r.written.len() - new
        );
        for w in &r.written {
            let leaf = if w.leaf {
                "  (a signer's own certificate: remove it before building)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  {}{leaf}",
                names::printable(&w.file.display().to_string())
            );
        }
        if !r.others_in_output.is_empty() {
            let _ = writeln!(
                out,
                "{} also holds {} other certificate file(s), which a build of the folder takes too:",
                names::printable(&dir.display().to_string()),
                r.others_in_output.len()
            );
            for other in &r.others_in_output {
                let _ = writeln!(out, "  {}", names::printable(&other.display().to_string()));
            }
        }
        if let Some(next) = &r.next {
            let _ = writeln!(out, "{}", next_line(next, &r.profile));
        }
    }
    out
}

fn signature_tree(
    out: &mut String,
    s: &crate::signed::Signature,
    number: &str,
    depth: usize,
    profile: &str,
    style: &Style,
) {
    let pad = "  ".repeat(depth);
    let time = s
        .signing_time
        .as_deref()
        .map(|t| format!(", {t}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}{} {number}: {}{time}",
        s.kind.label(),
        s.digest_algorithm
    );
    for (i, c) in s.chain.iter().enumerate() {
        let role = if i == 0 {
            "signer"
        } else if c.self_signed {
            "root"
        } else if c.ca {
            "CA"
        } else {
            "cert"
        };
        let pin = match (&c.pinned, &c.half_pinned, profile) {
            (_, _, "none") => String::new(),
            (Some(_), _, _) => format!("  pinned by {profile}"),
            (None, None, _) if c.lookalike.is_some() => format!(
                "  {}",
                style.paint(
                    "31;1",
                    &format!(
                        "looks like the pinned {} but is not that certificate: build refuses it",
                        names::printable(c.lookalike.as_deref().unwrap_or_default())
                    )
                )
            ),
            (None, Some(half), _) => format!(
                "  {}",
                style.paint(
                    "31;1",
                    &format!(
                        "profile {profile} pins {} with one fingerprint that differs: check the profile and this certificate",
                        names::printable(half)
                    )
                )
            ),
            (None, None, _) if i == 0 => String::new(),
            (None, None, _) => format!(
                "  {}",
                style.paint("33", &format!("not in profile {profile}"))
            ),
        };
        let mut notes = String::new();
        if i > 0 && c.expired {
            notes.push_str(&format!("  expired {}", c.not_after.date()));
        }
        if i > 0 && !c.ca {
            notes.push_str("  (not a CA certificate: not written, not used by build)");
        }
        let _ = writeln!(
            out,
            "{pad}  {role:<6} {}  {}{pin}{notes}",
            c.sha1,
            names::printable(&c.name)
        );
    }
    if let Some(m) = &s.missing_issuer {
        missing_issuer(out, m, &pad, profile, style);
    }
    for p in &s.problems {
        let _ = writeln!(
            out,
            "{pad}  {} {}",
            style.paint("33", "note:"),
            names::printable(p)
        );
    }
    for (i, t) in s.timestamps.iter().enumerate() {
        signature_tree(
            out,
            t,
            &format!("{number}.t{}", i + 1),
            depth + 1,
            profile,
            style,
        );
    }
    for (i, n) in s.nested.iter().enumerate() {
        signature_tree(
            out,
            n,
            &format!("{number}.{}", i + 1),
            depth + 1,
            profile,
            style,
        );
    }
}

/// The issuer a signature's chain lacks, and what the profile says of it.
fn missing_issuer(
    out: &mut String,
    m: &crate::signed::MissingIssuer,
    pad: &str,
    profile: &str,
    style: &Style,
) {
    let key = m
        .key_id
        .as_deref()
        .map(|k| format!(", key id {k}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad}  issuer not in the file: {}{key}",
        names::printable(&m.subject)
    );
    if let Some(shipped) = &m.shipped {
        let _ = writeln!(
            out,
            "{pad}    ships with profile {profile}: {}",
            names::printable(shipped)
        );
    } else if let Some(pinned) = &m.pinned_as {
        let _ = writeln!(
            out,
            "{pad}    profile {profile} pins a certificate of that name: {}",
            names::printable(pinned)
        );
    } else if profile != "none" {
        let _ = writeln!(
            out,
            "{pad}    {}",
            style.paint(
                "33",
                &format!(
                    "not in profile {profile}: the target machines must already trust it, or add it"
                )
            )
        );
    }
}
