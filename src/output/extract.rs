//! `extract`: per file, each signature as a tree with its chain; then what was written and the
//! next step.

use std::fmt::Write as _;

use super::Style;
use super::text::shell_word;
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
        if !r.written.is_empty() {
            let _ = writeln!(out, "{}", extract_next(r, dir));
        }
    }
    out
}

/// The `build` to run over what `extract -o DIR` wrote, with the flags it will need and why.
fn extract_next(r: &ExtractReport, dir: &std::path::Path) -> String {
    let refused = r.written.iter().filter(|w| w.refused.is_some()).count();
    if refused > 0 {
        return format!(
            "Next: no build yet: {refused} certificate(s) written look like, or match only half of, a pin \
of profile {} (marked above), and build refuses those. Compare them with the vendor's current \
list; if the profile is out of date, fix it in a profile file (--profile FILE).",
            r.profile
        );
    }
    let mut flags = String::new();
    let mut why = Vec::new();
    if r.profile_arg != crate::profile::DEFAULT_PROFILE {
        flags.push_str(&format!("--profile {} ", shell_word(&r.profile_arg)));
    }
    if let Some(now) = &r.now_arg {
        flags.push_str(&format!("--now {} ", shell_word(now)));
    }
    let unpinned = r
        .written
        .iter()
        .filter(|w| w.pinned.is_none() && !w.leaf)
        .count();
    if unpinned > 0 && r.profile != "none" {
        flags.push_str("--allow-unpinned ");
        why.push(format!(
            "{unpinned} of them are not in profile {}: check they are the ones the product needs; \
the bundle's README.txt will list them",
            r.profile
        ));
    }
    let expired = r.written.iter().filter(|w| w.expired && !w.leaf).count();
    if expired > 0 {
        flags.push_str("--allow-expired ");
        why.push(format!(
            "{expired} expired: they still validate signatures time-stamped while they were valid"
        ));
    }
    if !r.missing_required.is_empty() {
        why.push(format!(
            "profile {} also requires {}, neither shipped nor written: certbundle fetch it into the \
folder first, or add --allow-missing",
            r.profile,
            r.missing_required
                .iter()
                .map(|n| format!("\"{}\"", names::printable(n)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let leaves = r.written.iter().filter(|w| w.leaf).count();
    if leaves > 0 {
        why.push(format!(
            "first remove the {leaves} signer certificate(s) --include-leaf wrote: build refuses them"
        ));
    }
    let why = if why.is_empty() {
        String::new()
    } else {
        format!("   ({})", why.join("; "))
    };
    format!(
        "Next: certbundle build {flags}{}{why}",
        shell_word(&dir.display().to_string())
    )
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
        s.kind.as_str(),
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
            notes.push_str(&format!(
                "  expired {}",
                c.not_after.get(..10).unwrap_or(&c.not_after)
            ));
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
                    &format!("not in profile {profile}: the target machines must already trust it, or add it")
                )
            );
        }
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
