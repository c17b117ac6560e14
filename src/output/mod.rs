//! The only printer: reports as human tables or as JSON. Data goes to stdout; errors (rendered by
//! [`error`]) to stderr. Certificate text is passed through [`names::printable`] before it reaches
//! a terminal. Colour only when asked for (a terminal without `NO_COLOR`).

use std::fmt::Write as _;

use crate::commands::{
    BuildOutcome, BuildReport, ExtractReport, FetchReport, FetchStatus, Fetched, FleetReport,
    InspectReport, ProfilesReport, Report, VerifyReport,
};
use crate::fleet;
use crate::load::Skipped;
use crate::names;
use crate::verify::{CertSummary, Checked, Finding, Severity};

/// How to print.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// JSON instead of tables.
    pub json: bool,
    /// CSV instead of tables (`report --csv`).
    pub csv: bool,
    /// ANSI colours.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.paint("31;1", s.as_str()),
            Severity::Warning => self.paint("33", s.as_str()),
            Severity::Info => self.paint("2", s.as_str()),
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// A report as text for stdout.
pub fn report(report: &Report, style: &Style) -> String {
    if style.json {
        let mut text = serde_json::to_string_pretty(report).expect("reports always serialise");
        text.push('\n');
        return text;
    }
    match report {
        Report::Build(r) => build(r, style),
        Report::Inspect(r) => inspect(r, style),
        Report::Verify(r) => verify(r, style),
        Report::Profiles(r) => profiles(r, style),
        Report::Fetch(r) => fetch(r, style),
        Report::Fleet(r) if style.csv => fleet_csv(r),
        Report::Fleet(r) => fleet_table(r, style),
        Report::Extract(r) => extract(r, style),
    }
}

/// `extract`: per file, each signature as a tree with its chain; then what was written.
fn extract(r: &ExtractReport, style: &Style) -> String {
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

/// `report`: the table, why each host is not compliant, what was skipped, the summary line.
fn fleet_table(r: &FleetReport, style: &Style) -> String {
    let f = &r.fleet;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Read {} report(s) of {} host(s); {} older run(s) kept as history; {} file(s) skipped.",
        f.summary.reports, f.summary.hosts, f.summary.history, f.summary.skipped
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
    let failing: Vec<&fleet::text::HostText> = f
        .hosts
        .iter()
        .zip(&texts)
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
fn fleet_csv(r: &FleetReport) -> String {
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
            h.last_run.clone(),
            t.mode.to_string(),
            h.problems.len().to_string(),
            t.problems.join("; "),
            t.conflicts.join("; "),
            unknown_empty(t.auto_update),
            unknown_empty(&t.product),
            t.runs.to_string(),
            names::printable(&h.bundle.name),
            names::printable(h.bundle.digest.as_deref().unwrap_or_default()),
            h.bundle_match
                .map(|m| match m {
                    fleet::BundleMatch::Same => "same",
                    fleet::BundleMatch::Other => "other",
                    fleet::BundleMatch::NoDigest => "no-digest",
                })
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

/// One progress line of `fetch`, for stderr.
pub fn fetch_progress(f: &Fetched, style: &Style) -> String {
    let status = match f.status {
        FetchStatus::Fetched | FetchStatus::AlreadyThere => style.paint("32", f.status.as_str()),
        FetchStatus::PinMismatch | FetchStatus::ProfileError => {
            style.paint("31;1", f.status.as_str())
        }
        FetchStatus::Unreachable | FetchStatus::NoUrl => style.paint("33", f.status.as_str()),
    };
    let mut detail = f
        .detail
        .as_deref()
        .map(|d| format!(": {}", names::printable(d)))
        .unwrap_or_default();
    if let Some(what) = f
        .mismatch
        .as_deref()
        .filter(|_| f.status == FetchStatus::Fetched)
    {
        detail.push_str(&format!(
            " (but {}: PIN MISMATCH there)",
            names::printable(what)
        ));
    }
    if f.shipped && !matches!(f.status, FetchStatus::Fetched | FetchStatus::AlreadyThere) {
        detail.push_str(" (ships with certbundle: build has it anyway)");
    }
    format!(
        "  {} {}  {status}{detail}\n",
        f.thumbprint.get(..8).unwrap_or(&f.thumbprint),
        names::printable(&f.name)
    )
}

fn profiles(r: &ProfilesReport, style: &Style) -> String {
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

fn fetch(r: &FetchReport, style: &Style) -> String {
    let mut out = String::new();
    let count = |s: FetchStatus| r.certificates.iter().filter(|c| c.status == s).count();
    let _ = writeln!(
        out,
        "\nProfile {}: {} fetched, {} already there, {} unreachable, {} without URL, {} pin mismatch(es) -> {}",
        r.profile,
        count(FetchStatus::Fetched),
        count(FetchStatus::AlreadyThere),
        count(FetchStatus::Unreachable),
        count(FetchStatus::NoUrl),
        r.certificates
            .iter()
            .filter(|c| c.mismatch.is_some())
            .count(),
        r.folder.display()
    );
    if r.certificates.iter().any(|c| c.mismatch.is_some()) {
        let _ = writeln!(
            out,
            "{} a download did not match its pin and was discarded: someone or something between you and the CA \
served another certificate. Do not use it, and find out why before you trust that network:",
            style.paint("31;1", "WARNING:")
        );
        for c in r.certificates.iter().filter(|c| c.mismatch.is_some()) {
            let _ = writeln!(
                out,
                "  {}: {}",
                names::printable(&c.name),
                names::printable(c.mismatch.as_deref().unwrap_or_default())
            );
        }
    }
    let contradictions: Vec<_> = r
        .certificates
        .iter()
        .filter(|c| c.status == FetchStatus::ProfileError)
        .collect();
    if !contradictions.is_empty() {
        let _ = writeln!(
            out,
            "{} the profile pins a SHA-256 and a SHA-1 that belong to different certificates; fix the profile:",
            style.paint("31;1", "PROFILE ERROR:")
        );
        for c in contradictions {
            let _ = writeln!(out, "  {}", names::printable(&c.name));
        }
    }
    // After a mismatch the network is in question: no "next step" to copy blindly.
    let suspicious = r
        .certificates
        .iter()
        .any(|c| c.mismatch.is_some() || c.status == FetchStatus::ProfileError);
    if !suspicious && count(FetchStatus::Fetched) + count(FetchStatus::AlreadyThere) > 0 {
        let profile = if r.profile_arg == crate::profile::DEFAULT_PROFILE {
            String::new()
        } else {
            format!("--profile {} ", shell_word(&r.profile_arg))
        };
        let _ = writeln!(
            out,
            "Next: certbundle build {profile}{}   (the shipped roots come by themselves)",
            shell_word(&r.folder.display().to_string())
        );
    }
    out
}

/// `text` as one word for a shell (POSIX or PowerShell): quoted when it holds anything but
/// plain path characters.
fn shell_word(text: &str) -> String {
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

/// An error as text for stderr: the message, then what to do.
pub fn error(error: &crate::Error, style: &Style) -> String {
    let mut out = String::new();
    for line in error.to_string().lines() {
        let _ = writeln!(
            out,
            "{} {}",
            style.paint("31;1", "error:"),
            names::printable(line)
        );
    }
    for line in error.hint().lines() {
        let _ = writeln!(out, "  {} {line}", style.paint("36", "hint:"));
    }
    out
}

/// Left-aligned columns sized to their contents; the last column is not padded.
fn table(rows: &[Vec<String>], painted: &[Vec<String>]) -> String {
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
fn header_table(rows: &[Vec<String>], style: &Style) -> String {
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

fn findings_table(findings: &[&Finding], style: &Style) -> String {
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

fn sorted_findings(checked: &Checked) -> Vec<&Finding> {
    let mut all: Vec<&Finding> = checked.findings().collect();
    all.sort_by(|a, b| (a.severity, &a.file, a.code).cmp(&(b.severity, &b.file, b.code)));
    all
}

fn skipped(list: &[Skipped]) -> String {
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

fn counts(checked: &Checked) -> String {
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

fn certificate_table(certs: &[CertSummary], style: &Style) -> String {
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

fn build(r: &BuildReport, style: &Style) -> String {
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
    let source = match r.profile_source.as_str() {
        "none" => "nothing is pinned".to_string(),
        "built-in" => "built into certbundle".to_string(),
        file => format!(
            "from the profile {}, not a built-in one",
            names::printable(file)
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

fn inspect(r: &InspectReport, style: &Style) -> String {
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

fn verify(r: &VerifyReport, style: &Style) -> String {
    let a = &r.audit;
    let mut out = String::new();
    let kind = match r.kind {
        crate::bundle::Kind::Folder => "folder",
        crate::bundle::Kind::Zip => "zip",
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

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
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

    #[test]
    fn errors_print_message_then_hint_without_colour_by_default() {
        let e = crate::Error::usage("bad \u{1b}[2J thing", "do this");
        assert_eq!(
            error(&e, &Style::default()),
            "error: bad \\u{001B}[2J thing\n  hint: do this\n"
        );
    }
}
