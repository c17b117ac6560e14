//! `profiles`: the list of built-in profiles, or one profile's certificates.

use std::fmt::Write as _;

use super::Style;
use super::text::header_table;
use crate::commands::ProfilesReport;
use crate::names;

pub(super) fn profiles(r: &ProfilesReport, style: &Style) -> String {
    let mut out = String::new();
    match r {
        ProfilesReport::List { profiles } => {
            let mut rows = vec![vec![
                "PROFILE".to_string(),
                "ROOTS".into(),
                "INTERMEDIATES".into(),
                "SHIPPED".into(),
                "PRODUCTS".into(),
            ]];
            for p in profiles {
                let name = if p.default {
                    format!("{} (default)", p.name)
                } else {
                    p.name.clone()
                };
                rows.push(vec![
                    name,
                    p.roots.to_string(),
                    p.intermediates.to_string(),
                    p.shipped.to_string(),
                    p.title.clone(),
                ]);
            }
            out.push_str(&header_table(&rows, style));
            let _ = writeln!(
                out,
                "\n`certbundle profiles NAME` shows one profile's certificates."
            );
        }
        ProfilesReport::Show {
            name,
            title,
            description,
            certificates,
        } => {
            let _ = writeln!(out, "{}  {}", style.bold(name), names::printable(title));
            let _ = writeln!(out, "{}\n", names::printable(description));
            let mut rows = vec![vec![
                "STORE".to_string(),
                "NEED".into(),
                "EVIDENCE".into(),
                "EXPIRES".into(),
                "SHIPPED".into(),
                "SHA-1 THUMBPRINT".into(),
                "NAME".into(),
            ]];
            for c in certificates {
                rows.push(vec![
                    c.pin.store.to_string(),
                    format!("{:?}", c.pin.need).to_lowercase(),
                    c.pin.evidence.as_str().to_string(),
                    c.pin
                        .not_after
                        .as_deref()
                        .and_then(|t| t.get(..10))
                        .unwrap_or("-")
                        .to_string(),
                    if c.shipped { "yes".into() } else { "-".into() },
                    c.pin.sha1.clone().unwrap_or_else(|| "-".into()),
                    names::printable(&c.pin.name),
                ]);
            }
            out.push_str(&header_table(&rows, style));
            let noted: Vec<_> = certificates
                .iter()
                .filter(|c| c.pin.evidence_note.is_some() || c.pin.url_note.is_some())
                .collect();
            if !noted.is_empty() {
                let _ = writeln!(out, "\n{}", style.bold("Notes"));
                for c in noted {
                    let _ = writeln!(out, "  {}", names::printable(&c.pin.name));
                    for (label, note) in [
                        ("evidence", &c.pin.evidence_note),
                        ("download", &c.pin.url_note),
                    ] {
                        if let Some(note) = note {
                            let _ = writeln!(out, "    {label}: {}", names::printable(note));
                        }
                    }
                }
            }
            let _ = writeln!(
                out,
                "\nEvidence: vendor-listed = read in Trend Micro's own article; inferred = the standard chain of\n\
the vendor's signatures of that era; candidate = likely for current versions, not confirmed by any\n\
vendor text. Roots are required; intermediates recommended (signatures normally embed them).\n\
SHIPPED = the bytes come with certbundle; `certbundle fetch --profile {name}` downloads the others."
            );
        }
    }
    out
}
