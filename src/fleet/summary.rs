//! Every run of every host, summed up: one row per host (the run that decides), worst first,
//! and the counts of the summary line. Pure.

use std::collections::BTreeMap;

use serde::Serialize;

use super::expect::HostList;
use super::report::Mode;
use super::{BundleMatch, FLEET_SCHEMA, Host, HostStatus, Reference, UnusedFile};

/// The key a host's runs are grouped by: its name as written, final dot stripped, folded as
/// Windows compares names ([`crate::names::windows_upper`]). Different forms of a name are never
/// merged: an installer report carries the NetBIOS computer name, so a report written for a host
/// that could not be reached joins that row only when it was listed by that same bare name; a
/// DNS name or an address is a row of its own.
fn host_key(name: &str) -> String {
    let name = name.trim();
    crate::names::windows_upper(name.strip_suffix('.').unwrap_or(name))
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Hosts.
    pub hosts: usize,
    /// Hosts with every certificate in place (fixed ones included).
    pub(crate) compliant: usize,
    /// Of those, fixed by their latest run.
    pub(crate) fixed: usize,
    /// Hosts not compliant (`no-report` ones included).
    pub(crate) not_compliant: usize,
    /// Hosts per status code.
    by_status: BTreeMap<String, usize>,
    /// Hosts whose latest run was of another bundle than the reference.
    other_bundle: usize,
    /// Reports read.
    pub(crate) reports: usize,
    /// Older reports of a host (its latest counts, these are history).
    pub(crate) history: usize,
    /// Files skipped.
    pub(crate) skipped: usize,
    /// Of those, reports (or files named like reports) that could not be read: hosts may be
    /// missing from the view.
    pub(crate) unreadable_reports: usize,
    /// With `--expect`: hosts with a report that no line of the list names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) not_expected: Option<usize>,
}

/// The fleet view.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    /// `certbundle-fleet/1`.
    schema: &'static str,
    /// The bundle compared with, if any.
    pub(crate) reference: Option<Reference>,
    /// The `--expect` host list, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expect: Option<String>,
    /// Counts.
    pub summary: Summary,
    /// One per host, worst first.
    pub(crate) hosts: Vec<Host>,
    /// Files not used.
    pub(crate) skipped: Vec<UnusedFile>,
}

impl Fleet {
    /// Hosts with a report (the rows less the `no-report` ones).
    pub(crate) fn reported_hosts(&self) -> usize {
        self.summary.hosts
            - self
                .summary
                .by_status
                .get(HostStatus::NoReport.code())
                .copied()
                .unwrap_or(0)
    }

    /// Every host compliant, at least one host, and no report that could not be read.
    pub(crate) fn ok(&self) -> bool {
        !self.hosts.is_empty()
            && self.hosts.iter().all(|h| h.compliant)
            && self.summary.unreadable_reports == 0
    }
}

/// The runs of one computer name, split into machines by `MachineGuid`, each with a note when
/// the name is shared. One `MachineGuid` (or none: reports of older installers) is one machine,
/// as are clones made without sysprep, which share it. Several are a machine each; runs without
/// one then cannot be placed and stay a row of their own.
fn machines_of(runs: Vec<Host>) -> Vec<(Vec<Host>, Option<String>)> {
    let guids: std::collections::BTreeSet<String> = runs
        .iter()
        .filter_map(|r| r.machine_guid.as_deref().map(str::to_ascii_lowercase))
        .collect();
    if guids.len() < 2 {
        return vec![(runs, None)];
    }
    let listed = guids.iter().cloned().collect::<Vec<_>>().join(", ");
    let mut by_guid: BTreeMap<Option<String>, Vec<Host>> = BTreeMap::new();
    for run in runs {
        let guid = run.machine_guid.as_deref().map(str::to_ascii_lowercase);
        by_guid.entry(guid).or_default().push(run);
    }
    let count = guids.len();
    by_guid
        .into_iter()
        .map(|(guid, runs)| {
            let note = match guid {
                Some(guid) => format!(
                    "{count} computers share this name (MachineGuid {listed}): this row is MachineGuid {guid}"
                ),
                None => format!(
                    "{count} computers share this name (MachineGuid {listed}): this row is the runs whose report has no MachineGuid (an older installer), which may be any of them"
                ),
            };
            (runs, Some(note))
        })
        .collect()
}

/// Whether two runs were of one bundle: by digest when both have one, else by name and time.
fn same_bundle(a: &Host, b: &Host) -> bool {
    match (&a.bundle, &b.bundle) {
        (Some(a), Some(b)) => match (&a.digest, &b.digest) {
            (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
            _ => a.name == b.name && a.created == b.created,
        },
        (None, None) => true,
        _ => false,
    }
}

/// Of one machine's distinct runs, oldest first: the one that decides, and what the latest says
/// when it is not that one. The latest run that looked at the stores decides (of the reference
/// bundle when `with_reference` and the host ran it), unless the latest run is `unreachable`
/// while pushing another bundle than that run's: then nothing is known of the new bundle, and the
/// unreachable run decides.
fn decide(distinct: &[Host], with_reference: bool) -> (usize, Option<String>) {
    let count = distinct.len();
    let is_reference = |h: &Host| {
        matches!(
            h.bundle_match,
            Some(BundleMatch::Same | BundleMatch::NoDigest)
        )
    };
    let mut chosen = distinct
        .iter()
        .rposition(|h| h.reached_stores && (!with_reference || is_reference(h)))
        .or_else(|| distinct.iter().rposition(|h| h.reached_stores))
        .unwrap_or(count - 1);
    let last = &distinct[count - 1];
    // A later push that could not reach the host decides when it was pushing another bundle,
    // unless the run that decides is of the bundle compared with and the push was not.
    let kept_by_reference =
        with_reference && is_reference(&distinct[chosen]) && !is_reference(last);
    if last.status == HostStatus::Unreachable
        && !same_bundle(last, &distinct[chosen])
        && !kept_by_reference
    {
        chosen = count - 1;
    }
    let later = (chosen != count - 1).then(|| {
        let what = if last.reached_stores {
            let name = last.bundle.as_ref().map_or("", |b| b.name.as_str());
            format!("ran another bundle: {name}")
        } else if let (HostStatus::Unreachable, Some(why)) = (last.status, last.reasons.first()) {
            format!("{}: {why}", last.label)
        } else {
            last.label.clone()
        };
        format!(
            "a later run ({} UTC, {}) {}",
            last.last_run
                .as_deref()
                .unwrap_or_default()
                .replace('T', " ")
                .trim_end_matches('Z'),
            last.mode.map_or("-", Mode::as_str),
            what
        )
    });
    (chosen, later)
}

/// One row per host. The run that decides is the latest that looked at the certificate stores
/// (of the reference bundle, when there is one and the host ran it); a later run that stopped
/// early or ran another bundle is noted on the row. Without any such run, the latest run decides.
/// The same run reached twice (a report copied to two places) counts once. With a host list,
/// each host it names and no report does is a `no-report` row. Pure.
pub(crate) fn summarise(
    runs: Vec<Host>,
    mut skipped: Vec<UnusedFile>,
    reference: Option<Reference>,
    expect: Option<&HostList>,
) -> Fleet {
    let mut by_host: BTreeMap<String, Vec<Host>> = BTreeMap::new();
    for run in runs {
        by_host.entry(host_key(&run.host)).or_default().push(run);
    }
    let machines: Vec<(Vec<Host>, Option<String>)> =
        by_host.into_values().flat_map(machines_of).collect();
    let mut total = 0;
    let mut hosts: Vec<Host> = Vec::with_capacity(machines.len());
    for (mut runs, note) in machines {
        runs.sort_by(|a, b| {
            (a.finished, &a.started, &a.file).cmp(&(b.finished, &b.started, &b.file))
        });
        // A copy of the same run (same times, same bundle) is not history.
        let mut distinct: Vec<Host> = Vec::with_capacity(runs.len());
        for run in runs {
            match distinct.iter().find(|d| {
                d.finished == run.finished
                    && d.host == run.host
                    && d.started == run.started
                    && d.bundle == run.bundle
                    && d.mode == run.mode
            }) {
                Some(first) => skipped.push(UnusedFile {
                    file: run.file.clone(),
                    reason: format!("the same run as {}", first.file),
                    report_like: false,
                }),
                None => distinct.push(run),
            }
        }
        total += distinct.len();
        let count = distinct.len();
        let (chosen, later) = decide(&distinct, reference.is_some());
        let mut row = distinct.swap_remove(chosen);
        row.runs = count;
        row.later = later;
        row.notes.extend(note);
        hosts.push(row);
    }
    let reported = hosts.len();
    let not_expected = expect.map(|list| super::expect::apply(&mut hosts, list));
    // Keys made once: folding a name on every comparison would slow a big fleet down.
    hosts.sort_by_cached_key(|h| {
        (
            h.compliant,
            h.status,
            std::cmp::Reverse(h.problems.len()),
            host_key(&h.host),
            h.machine_guid.clone(),
        )
    });
    let mut summary = Summary {
        hosts: hosts.len(),
        reports: total,
        history: total - reported,
        skipped: skipped.len(),
        unreadable_reports: skipped.iter().filter(|s| s.report_like).count(),
        not_expected,
        ..Summary::default()
    };
    for h in &hosts {
        if h.compliant {
            summary.compliant += 1;
            if h.status == HostStatus::Fixed {
                summary.fixed += 1;
            }
        } else {
            summary.not_compliant += 1;
        }
        *summary
            .by_status
            .entry(h.status.code().to_string())
            .or_default() += 1;
        if h.bundle_match == Some(BundleMatch::Other) {
            summary.other_bundle += 1;
        }
    }
    skipped.sort_by(|a, b| a.file.cmp(&b.file));
    Fleet {
        schema: FLEET_SCHEMA,
        reference,
        expect: expect.map(|list| list.file.clone()),
        summary,
        hosts,
        skipped,
    }
}

#[cfg(test)]
mod tests;
