//! `fetch`: one progress line per certificate as it is done, then the summary.

use std::fmt::Write as _;

use super::Style;
use super::text::next_line;
use crate::commands::{FetchReport, FetchStatus, Fetched};
use crate::names;

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

pub(super) fn fetch(r: &FetchReport, style: &Style) -> String {
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
    if let Some(next) = &r.next {
        let _ = writeln!(out, "{}", next_line(next, &r.profile));
    }
    out
}
