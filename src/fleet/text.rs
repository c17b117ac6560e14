//! The words of each cell, shared by the terminal table, the CSV and the HTML page so the three
//! always say the same. Text from reports passes through [`names::printable`] here.

use super::{BundleMatch, Fleet, Host, HostStatus};
use crate::names;

/// One host's cells.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct HostText {
    /// Computer name.
    pub(crate) host: String,
    /// `2026-11-26 09:00:05` (UTC).
    pub(crate) last_run: String,
    /// `install`, `check-only`, ...
    pub(crate) mode: &'static str,
    /// `still missing 2`, `compliant`, ...
    pub(crate) label: String,
    /// `bad`, `warn`, `fixed` or `ok`: the row's colour.
    pub(crate) class: &'static str,
    /// `Name (missing)`, one per certificate not in place.
    pub(crate) problems: Vec<String>,
    /// `Name in LocalMachine\Disallowed`.
    pub(crate) conflicts: Vec<String>,
    /// `off (policy)`, `on` or `-`.
    pub(crate) auto_update: &'static str,
    /// `Valid (7/7)`, `NotTrusted (5/7 valid)`, `no agent`, `skipped` or `-`.
    pub(crate) product: String,
    /// Reports read for the host.
    pub(crate) runs: usize,
    /// Its latest run was of another bundle than the reference.
    pub(crate) other_bundle: bool,
    /// The script ran without SHA256SUMS (no digest to compare).
    no_digest: bool,
    /// The bundle that ran: `name (digest 7ac79f93)`.
    pub(crate) bundle: String,
    /// The installer's words for why.
    pub(crate) reasons: Vec<String>,
    /// A later run that did not change the verdict.
    pub(crate) later: Option<String>,
    /// Notes on how the host's reports were read.
    pub(crate) notes: Vec<String>,
}

/// The cells of one host.
pub(crate) fn host(h: &Host) -> HostText {
    let other_bundle = h.bundle_match == Some(BundleMatch::Other);
    let class = match h.status {
        HostStatus::IntegrityFailure | HostStatus::Error => "bad",
        HostStatus::Fixed if !other_bundle => "fixed",
        HostStatus::Compliant if !other_bundle => "ok",
        _ => "warn",
    };
    HostText {
        host: names::printable(&h.host),
        last_run: h.last_run.as_deref().map_or_else(
            || "-".to_string(),
            |t| t.replace('T', " ").trim_end_matches('Z').to_string(),
        ),
        mode: h.mode.map_or("-", super::Mode::as_str),
        label: h.label.clone(),
        class,
        problems: h
            .problems
            .iter()
            .map(|p| match &p.detail {
                Some(d) => format!(
                    "{} ({}: {})",
                    names::printable(&p.name),
                    p.problem.as_str(),
                    names::printable(d)
                ),
                None => format!("{} ({})", names::printable(&p.name), p.problem.as_str()),
            })
            .collect(),
        conflicts: h
            .conflicts
            .iter()
            .map(|c| {
                format!(
                    "{} in {}",
                    names::printable(&c.name),
                    names::printable(&c.store)
                )
            })
            .collect(),
        auto_update: match h.auto_update_off {
            Some(true) => "off (policy)",
            Some(false) => "on",
            None => "-",
        },
        product: match &h.products {
            None => "-".into(),
            Some(p) if p.result == "skipped" => "skipped".into(),
            Some(p) if p.result == "absent" => "no agent".into(),
            Some(p) if p.checked == 0 => "no programs found".into(),
            Some(p) => match &p.worst {
                None => format!("Valid ({}/{})", p.valid, p.checked),
                Some(w) => format!("{} ({}/{} valid)", names::printable(w), p.valid, p.checked),
            },
        },
        runs: h.runs,
        other_bundle,
        no_digest: h.bundle_match == Some(BundleMatch::NoDigest),
        bundle: match &h.bundle {
            None => "-".into(),
            Some(b) => match &b.digest {
                Some(d) => format!(
                    "{} (digest {})",
                    names::printable(&b.name),
                    names::printable(d.get(..8).unwrap_or(d))
                ),
                None => format!("{} (no digest)", names::printable(&b.name)),
            },
        },
        reasons: h.reasons.iter().map(|r| names::printable(r)).collect(),
        later: h.later.as_deref().map(names::printable),
        notes: h.notes.iter().map(|n| names::printable(n)).collect(),
    }
}

/// One part of the compliance bar.
#[derive(Debug, Clone, serde::Serialize)]
pub(crate) struct Segment {
    /// What the hosts in it have in common.
    label: String,
    /// Colour class, as for rows.
    class: &'static str,
    /// Hosts.
    count: usize,
    /// Share of all hosts, `62.5%`.
    percent: String,
}

/// The compliance bar: compliant first, then fixed, then each other state, worst last.
pub(crate) fn segments(fleet: &Fleet) -> Vec<Segment> {
    let mut parts: Vec<(u8, String, &'static str, usize)> = Vec::new();
    for h in &fleet.hosts {
        let t = host(h);
        let (rank, label) = if t.other_bundle && h.status.in_place() {
            (2, "ran another bundle".to_string())
        } else {
            match h.status {
                HostStatus::Compliant => (0, h.status.as_str().to_string()),
                HostStatus::Fixed => (1, h.status.as_str().to_string()),
                s => (
                    3 + (HostStatus::Compliant as u8 - s as u8),
                    s.as_str().to_string(),
                ),
            }
        };
        match parts.iter_mut().find(|p| p.1 == label) {
            Some(p) => p.3 += 1,
            None => parts.push((rank, label, t.class, 1)),
        }
    }
    parts.sort_by_key(|p| p.0);
    let total = fleet.hosts.len().max(1);
    parts
        .into_iter()
        .map(|(_, label, class, count)| Segment {
            label,
            class,
            count,
            percent: format!("{:.1}%", count as f64 * 100.0 / total as f64),
        })
        .collect()
}

/// The summary line: `12 host(s): 8 compliant (3 fixed now), 4 not compliant (2 still missing
/// certificates, 1 integrity failure, 1 ran another bundle).`
pub(crate) fn summary_line(fleet: &Fleet) -> String {
    let s = &fleet.summary;
    let mut line = format!(
        "{} host(s): {} compliant ({} fixed now), {} not compliant",
        s.hosts, s.compliant, s.fixed, s.not_compliant
    );
    let parts: Vec<String> = segments(fleet)
        .into_iter()
        .rev()
        .filter(|seg| seg.class != "ok" && seg.class != "fixed")
        .map(|seg| format!("{} {}", seg.count, seg.label))
        .collect();
    if !parts.is_empty() {
        line.push_str(&format!(" ({})", parts.join(", ")));
    }
    if let (Some(n @ 1..), Some(list)) = (s.not_expected, &fleet.expect) {
        line.push_str(&format!(
            "; {n} host(s) reported but not expected ({})",
            names::printable(list)
        ));
    }
    if s.unreadable_reports > 0 {
        line.push_str(&format!(
            "; {} report file(s) could not be read, so some hosts may be missing",
            s.unreadable_reports
        ));
    }
    line.push('.');
    line
}
