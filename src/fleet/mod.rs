//! `certbundle report`: the installers' reports from the stick, turned into one row per host.
//!
//! ```text
//! read::sources     paths          -> report files' bytes (+ files skipped, bundles given)
//! report::parse     bytes          -> a checked, typed report, or the reason to skip it
//! summarise         reports + ref  -> one row per host (its latest run), worst first
//! ```
//!
//! Only `read` touches the filesystem; `summarise` is pure.

pub mod html;
pub mod read;
pub mod report;
pub mod text;

use std::collections::BTreeMap;

use serde::Serialize;

pub use report::{InstallReport, Mode, Parsed, Verdict};

/// The schema identifier of `certbundle report --json`.
pub const FLEET_SCHEMA: &str = "certbundle-fleet/1";

/// A file that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// Where it is (a path, or `zip!/entry`).
    pub file: String,
    /// Why it was skipped.
    pub reason: String,
    /// It is (or is named like) an installer report: a host may be missing from the view.
    pub report_like: bool,
}

impl Skipped {
    /// A file skipped before it was read: a report when it is named like one.
    pub fn new(file: String, reason: String) -> Self {
        let report_like = named_like_a_report(&file);
        Skipped {
            file,
            reason,
            report_like,
        }
    }

    /// A file read and found unusable: a report when it is named like one or says it is one.
    pub fn unusable(file: String, reason: String, bytes: &[u8]) -> Self {
        let declared = bytes
            .windows(b"certbundle-report/".len())
            .any(|w| w == b"certbundle-report/");
        let mut skipped = Skipped::new(file, reason);
        skipped.report_like |= declared;
        skipped
    }
}

/// Whether a file name is the installer's: `<COMPUTER>_<yyyyMMddTHHmmssZ>.json`, or with `-2`,
/// `-3`, ... when that name was taken (the installer never replaces a file).
pub fn named_like_a_report(file: &str) -> bool {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let Some(stem) = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".JSON"))
    else {
        return false;
    };
    let stem = match stem.rsplit_once('-') {
        Some((before, n))
            if before.ends_with('Z') && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            before
        }
        _ => stem,
    };
    let Some((host, time)) = stem.rsplit_once('_') else {
        return false;
    };
    let b = time.as_bytes();
    !host.is_empty()
        && b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

/// The key a computer name is grouped by: Windows compares names case-insensitively, one
/// character for one (so `ß` is not `SS`).
pub fn host_key(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| {
            let mut upper = c.to_uppercase();
            match (upper.next(), upper.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// The bundle the reports are compared with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The folder or zip given.
    pub path: String,
    /// Its name (manifest.json).
    pub name: String,
    /// When it was built (manifest.json).
    pub created: String,
    /// SHA-256 of its SHA256SUMS, lower-case hex.
    pub digest: String,
}

/// Where a host stands, worst first (the order of the table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HostStatus {
    /// A bundle file or embedded certificate did not match: nothing was changed.
    IntegrityFailure,
    /// The installer stopped on an error.
    Error,
    /// Not run as administrator: nothing was changed.
    NotElevated,
    /// Windows or PowerShell too old or restricted.
    UnsupportedHost,
    /// Certificates missing, blocked by Untrusted Certificates, or failed to install.
    StillMissing,
    /// Everything installed, but a chain does not build.
    ChainFails,
    /// Not compliant for a reason the report gives no certificate for.
    NotCompliant,
    /// `-Uninstall` removed the bundle's certificates.
    Uninstalled,
    /// Certificates were installed in the last run and everything is in place now.
    Fixed,
    /// Everything was already in place.
    Compliant,
}

impl Serialize for HostStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl HostStatus {
    /// The words of the summary line.
    pub fn as_str(self) -> &'static str {
        match self {
            HostStatus::IntegrityFailure => "integrity failure",
            HostStatus::Error => "error",
            HostStatus::NotElevated => "not elevated",
            HostStatus::UnsupportedHost => "unsupported host",
            HostStatus::StillMissing => "still missing certificates",
            HostStatus::ChainFails => "chain fails",
            HostStatus::NotCompliant => "not compliant",
            HostStatus::Uninstalled => "uninstalled",
            HostStatus::Fixed => "fixed now",
            HostStatus::Compliant => "compliant",
        }
    }

    /// The stable code (`--json`, CSV): `integrity-failure`, `still-missing`, ...
    pub fn code(self) -> &'static str {
        match self {
            HostStatus::IntegrityFailure => "integrity-failure",
            HostStatus::Error => "error",
            HostStatus::NotElevated => "not-elevated",
            HostStatus::UnsupportedHost => "unsupported-host",
            HostStatus::StillMissing => "still-missing",
            HostStatus::ChainFails => "chain-fails",
            HostStatus::NotCompliant => "not-compliant",
            HostStatus::Uninstalled => "uninstalled",
            HostStatus::Fixed => "fixed",
            HostStatus::Compliant => "compliant",
        }
    }

    /// Whether the host has every certificate in place.
    pub fn in_place(self) -> bool {
        matches!(self, HostStatus::Fixed | HostStatus::Compliant)
    }
}

/// How a host's latest report relates to the reference bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleMatch {
    /// Same digest.
    Same,
    /// Another digest: another bundle (or another build of it) ran there.
    Other,
    /// The script ran without SHA256SUMS beside it, so it knew no digest; name and build time
    /// are those of the reference.
    NoDigest,
}

/// What is wrong with one certificate on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Problem {
    /// Not in its store.
    Missing,
    /// In Untrusted Certificates.
    Blocked,
    /// Installing it failed.
    Failed,
    /// In its store, but its chain does not build.
    Chain,
}

impl Problem {
    /// Words.
    pub fn as_str(self) -> &'static str {
        match self {
            Problem::Missing => "missing",
            Problem::Blocked => "blocked by Untrusted Certificates",
            Problem::Failed => "install failed",
            Problem::Chain => "chain does not build",
        }
    }
}

/// One certificate that is not in place on a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertProblem {
    /// Certificate name.
    pub name: String,
    /// Thumbprint.
    pub sha1: String,
    /// `Root` or `CA`.
    pub store: String,
    /// What is wrong.
    pub problem: Problem,
    /// The installer's words (error, chain status), when it gave any.
    pub detail: Option<String>,
}

/// The product signature check, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProductCheck {
    /// `skipped`, `absent` or `checked`.
    pub result: String,
    /// Programs whose signature is `Valid`.
    pub valid: usize,
    /// Programs checked.
    pub checked: usize,
    /// The first status that is not `Valid`.
    pub worst: Option<String>,
}

/// One host: its latest report, summed up.
#[derive(Debug, Clone, Serialize)]
pub struct Host {
    /// Computer name, as the latest report gives it.
    pub host: String,
    /// Its `MachineGuid`: two computers of the same name are two rows (none from an older
    /// installer, or when it could not be read).
    pub machine_guid: Option<String>,
    /// Its domain or workgroup, when the report says.
    pub domain: Option<String>,
    /// When the latest run finished (UTC).
    pub last_run: String,
    /// What that run did.
    pub mode: Mode,
    /// Where the host stands.
    pub status: HostStatus,
    /// The status in words, with the count where there is one ("still missing 2").
    pub label: String,
    /// Every certificate in place, from the bundle compared with (when one is).
    pub compliant: bool,
    /// Certificates not in place.
    pub problems: Vec<CertProblem>,
    /// Bundle certificates in Untrusted Certificates.
    pub conflicts: Vec<report::Conflict>,
    /// `DisableRootAutoUpdate` = 1 ("Turn off Automatic Root Certificates Update"); none when the
    /// run stopped before reading it.
    pub auto_update_off: Option<bool>,
    /// The OfficeScan / Apex One signature check; none when the run stopped before it.
    pub products: Option<ProductCheck>,
    /// Reports read for this host (the latest and the older ones).
    pub runs: usize,
    /// The latest report's file.
    pub file: String,
    /// The bundle that ran.
    pub bundle: report::BundleRef,
    /// How that bundle relates to the reference (none without a reference).
    pub bundle_match: Option<BundleMatch>,
    /// Why the host is not compliant, in the installer's words (integrity problems, messages).
    pub reasons: Vec<String>,
    /// A later run that does not change the verdict: it stopped before looking at the stores,
    /// or ran another bundle than the reference.
    pub later: Option<String>,
    /// What the engineer should know that is not a reason: a report read other than as written,
    /// machines that share a name.
    pub notes: Vec<String>,
    /// When the run finished, for choosing a host's run.
    #[serde(skip)]
    pub finished: time::OffsetDateTime,
    /// When it started (ties).
    #[serde(skip)]
    pub started: String,
    /// The run looked at the certificate stores (it did not stop in preflight or integrity).
    #[serde(skip)]
    pub reached_stores: bool,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Hosts.
    pub hosts: usize,
    /// Hosts with every certificate in place (fixed ones included).
    pub compliant: usize,
    /// Of those, fixed by their latest run.
    pub fixed: usize,
    /// Hosts not compliant.
    pub not_compliant: usize,
    /// Hosts per status code.
    pub by_status: BTreeMap<String, usize>,
    /// Hosts whose latest run was of another bundle than the reference.
    pub other_bundle: usize,
    /// Reports read.
    pub reports: usize,
    /// Older reports of a host (its latest counts, these are history).
    pub history: usize,
    /// Files skipped.
    pub skipped: usize,
    /// Of those, reports (or files named like reports) that could not be read: hosts may be
    /// missing from the view.
    pub unreadable_reports: usize,
}

/// The fleet view.
#[derive(Debug, Clone, Serialize)]
pub struct Fleet {
    /// `certbundle-fleet/1`.
    pub schema: &'static str,
    /// The bundle compared with, if any.
    pub reference: Option<Reference>,
    /// Counts.
    pub summary: Summary,
    /// One per host, worst first.
    pub hosts: Vec<Host>,
    /// Files not used.
    pub skipped: Vec<Skipped>,
}

impl Fleet {
    /// Every host compliant, at least one host, and no report that could not be read.
    pub fn ok(&self) -> bool {
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

/// Most reasons kept per host (the rest are counted).
const MAX_REASONS: usize = 5;

/// One row per host. The run that decides is the latest that looked at the certificate stores
/// (of the reference bundle, when there is one and the host ran it); a later run that stopped
/// early or ran another bundle is noted on the row. Without any such run, the latest run decides.
/// The same run reached twice (a report copied to two places) counts once. Pure.
pub fn summarise(
    runs: Vec<Host>,
    mut skipped: Vec<Skipped>,
    reference: Option<Reference>,
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
                    && d.started == run.started
                    && d.bundle == run.bundle
                    && d.mode == run.mode
            }) {
                Some(first) => skipped.push(Skipped {
                    file: run.file.clone(),
                    reason: format!("the same run as {}", first.file),
                    report_like: false,
                }),
                None => distinct.push(run),
            }
        }
        total += distinct.len();
        let count = distinct.len();
        let is_reference = |h: &Host| {
            matches!(
                h.bundle_match,
                Some(BundleMatch::Same | BundleMatch::NoDigest)
            )
        };
        let chosen = distinct
            .iter()
            .rposition(|h| h.reached_stores && (reference.is_none() || is_reference(h)))
            .or_else(|| distinct.iter().rposition(|h| h.reached_stores))
            .unwrap_or(count - 1);
        let last = &distinct[count - 1];
        let later = (chosen != count - 1).then(|| {
            let what = if last.reached_stores {
                format!("ran another bundle: {}", last.bundle.name)
            } else {
                last.label.clone()
            };
            format!(
                "a later run ({} UTC, {}) {}",
                last.last_run.replace('T', " ").trim_end_matches('Z'),
                last.mode.as_str(),
                what
            )
        });
        let mut row = distinct.swap_remove(chosen);
        row.runs = count;
        row.later = later;
        row.notes.extend(note);
        hosts.push(row);
    }
    hosts.sort_by(|a, b| {
        (
            a.compliant,
            a.status,
            std::cmp::Reverse(a.problems.len()),
            host_key(&a.host),
            &a.machine_guid,
        )
            .cmp(&(
                b.compliant,
                b.status,
                std::cmp::Reverse(b.problems.len()),
                host_key(&b.host),
                &b.machine_guid,
            ))
    });
    let mut summary = Summary {
        hosts: hosts.len(),
        reports: total,
        history: total - hosts.len(),
        skipped: skipped.len(),
        unreadable_reports: skipped.iter().filter(|s| s.report_like).count(),
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
        summary,
        hosts,
        skipped,
    }
}

/// One report as a row of its own (its host's other runs are weighed by [`summarise`]).
pub fn host_row(file: String, parsed: Parsed, reference: Option<&Reference>) -> Host {
    let Parsed {
        report: r,
        finished,
        notes,
    } = parsed;
    let problems = cert_problems(&r);
    let reached_stores = r.certificates.iter().any(|c| c.before.is_some())
        || (r.certificates.is_empty()
            && matches!(
                r.verdict,
                Verdict::Compliant
                    | Verdict::Fixed
                    | Verdict::NotCompliant
                    | Verdict::Uninstalled
                    | Verdict::WouldUninstall
            ));
    let chains_unchecked = r.certificates.iter().any(|c| c.chain == "not-checked");
    let status = match r.verdict {
        Verdict::IntegrityFailure => HostStatus::IntegrityFailure,
        Verdict::Error => HostStatus::Error,
        Verdict::NotElevated => HostStatus::NotElevated,
        Verdict::UnsupportedHost => HostStatus::UnsupportedHost,
        Verdict::Uninstalled => HostStatus::Uninstalled,
        Verdict::Compliant | Verdict::Fixed | Verdict::NotCompliant | Verdict::WouldUninstall => {
            // The certificates decide; the verdict only breaks the tie.
            if problems.iter().any(|p| p.problem != Problem::Chain) {
                HostStatus::StillMissing
            } else if !problems.is_empty() {
                HostStatus::ChainFails
            } else if r.verdict == Verdict::NotCompliant {
                HostStatus::NotCompliant
            } else if r.verdict == Verdict::Fixed {
                HostStatus::Fixed
            } else {
                HostStatus::Compliant
            }
        }
    };
    let label = match status {
        HostStatus::StillMissing => format!(
            "still missing {}",
            problems
                .iter()
                .filter(|p| p.problem != Problem::Chain)
                .count()
        ),
        HostStatus::ChainFails => format!("chain fails {}", problems.len()),
        HostStatus::Compliant | HostStatus::Fixed if chains_unchecked => {
            format!("{} (chains not checked)", status.as_str())
        }
        other => other.as_str().to_string(),
    };
    let bundle_match = reference.map(|reference| match &r.bundle.digest {
        Some(digest) if digest.eq_ignore_ascii_case(&reference.digest) => BundleMatch::Same,
        None if r.bundle.name == reference.name && r.bundle.created == reference.created => {
            BundleMatch::NoDigest
        }
        _ => BundleMatch::Other,
    });
    let reasons = reasons(&r, status);
    Host {
        host: r.host.name.trim().to_string(),
        machine_guid: r.host.machine_guid.clone(),
        domain: r.host.domain.clone(),
        last_run: finished
            .to_offset(time::UtcOffset::UTC)
            .format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .expect("a fixed format always formats"),
        mode: r.mode,
        compliant: status.in_place() && bundle_match != Some(BundleMatch::Other),
        status,
        label,
        problems,
        conflicts: r.conflicts,
        auto_update_off: r
            .policy
            .as_ref()
            .map(|p| p.disable_root_auto_update == Some(1)),
        products: r.products.as_ref().map(|p| ProductCheck {
            result: p.result.clone(),
            valid: p.binaries.iter().filter(|b| b.status == "Valid").count(),
            checked: p.binaries.len(),
            worst: p
                .binaries
                .iter()
                .find(|b| b.status != "Valid")
                .map(|b| b.status.clone()),
        }),
        runs: 1,
        file,
        bundle: r.bundle,
        bundle_match,
        reasons,
        later: None,
        notes,
        finished,
        started: r.started,
        reached_stores,
    }
}

/// The certificates not in place, from the last state the run saw for each.
fn cert_problems(r: &InstallReport) -> Vec<CertProblem> {
    let blocked_by_conflict = |sha1: &str| {
        r.conflicts
            .iter()
            .any(|c| c.sha1.eq_ignore_ascii_case(sha1))
    };
    r.certificates
        .iter()
        .filter_map(|c| {
            let present = match c.after.as_deref() {
                Some(after) => after == "present",
                None => matches!(c.before.as_deref(), Some("present" | "present-authroot")),
            };
            let problem = if c.action.as_deref() == Some("failed") {
                Problem::Failed
            } else if c.before.as_deref() == Some("disallowed")
                || c.action.as_deref() == Some("blocked")
                || blocked_by_conflict(&c.sha1)
            {
                Problem::Blocked
            } else if c.before.is_none() && c.after.is_none() {
                // The run stopped before looking at the stores: nothing is known.
                return None;
            } else if !present {
                Problem::Missing
            } else if c.chain == "failed" {
                Problem::Chain
            } else {
                return None;
            };
            // Where a blocked one is blocked is in the conflicts.
            let detail = (problem != Problem::Blocked)
                .then(|| c.error.clone())
                .flatten()
                .or_else(|| {
                    (problem == Problem::Chain && !c.chain_status.is_empty())
                        .then(|| c.chain_status.join(", "))
                });
            Some(CertProblem {
                name: c.name.clone(),
                sha1: c.sha1.clone(),
                store: c.store.clone(),
                problem,
                detail,
            })
        })
        .collect()
}

/// The installer's own words for why a host is not in place.
fn reasons(r: &InstallReport, status: HostStatus) -> Vec<String> {
    let mut all: Vec<String> = match status {
        HostStatus::IntegrityFailure => r
            .integrity
            .as_ref()
            .map(|i| i.problems.clone())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| r.messages.clone()),
        HostStatus::NotElevated => {
            vec![
                "run Install.cmd with \"Run as administrator\" (or -CheckOnly to only look)".into(),
            ]
        }
        HostStatus::Error | HostStatus::UnsupportedHost | HostStatus::NotCompliant => {
            r.messages.clone()
        }
        _ => Vec::new(),
    };
    if all.len() > MAX_REASONS {
        let more = all.len() - MAX_REASONS;
        all.truncate(MAX_REASONS);
        all.push(format!("... and {more} more (see the report file)"));
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use report::sample;

    fn summed(runs: Vec<(String, Parsed)>, reference: Option<Reference>) -> Fleet {
        let rows = runs
            .into_iter()
            .map(|(file, p)| host_row(file, p, reference.as_ref()))
            .collect();
        summarise(rows, vec![], reference)
    }

    fn parsed(r: InstallReport) -> Parsed {
        let text = serde_json::to_string(&r).unwrap();
        report::parse(text.as_bytes()).unwrap()
    }

    fn clean(name: &str, finished: &str, verdict: Verdict) -> InstallReport {
        let mut r = sample();
        r.host.name = name.into();
        r.finished = finished.into();
        r.verdict = verdict;
        r.conflicts.clear();
        let c = &mut r.certificates[0];
        c.before = Some("missing".into());
        c.action = Some("installed".into());
        c.after = Some("present".into());
        c.chain = "ok".into();
        c.chain_status.clear();
        c.error = None;
        r
    }

    #[test]
    fn the_latest_run_of_a_host_wins_whatever_the_case_of_its_name() {
        let fleet = summed(
            vec![
                (
                    "b".into(),
                    parsed(clean("ws-1", "2026-11-27T00:00:00Z", Verdict::Fixed)),
                ),
                ("a".into(), {
                    let mut r = clean("WS-1", "2026-11-26T00:00:00Z", Verdict::NotCompliant);
                    r.certificates[0].after = Some("missing".into());
                    parsed(r)
                }),
            ],
            None,
        );
        assert_eq!(fleet.hosts.len(), 1);
        assert_eq!(fleet.hosts[0].status, HostStatus::Fixed);
        assert_eq!(fleet.hosts[0].runs, 2);
        assert_eq!(fleet.summary.history, 1);
        assert!(fleet.ok());
    }

    #[test]
    fn certificates_decide_over_the_verdict_and_the_worst_comes_first() {
        let mut blocked = clean("B", "2026-11-26T00:00:00Z", Verdict::Compliant);
        blocked.certificates[0].before = Some("disallowed".into());
        let mut chain = clean("C", "2026-11-26T00:00:00Z", Verdict::NotCompliant);
        chain.certificates[0].chain = "failed".into();
        chain.certificates[0].chain_status = vec!["PartialChain".into()];
        let fleet = summed(
            vec![
                (
                    "a".into(),
                    parsed(clean("A", "2026-11-26T00:00:00Z", Verdict::Compliant)),
                ),
                ("b".into(), parsed(blocked)),
                ("c".into(), parsed(chain)),
                (
                    "d".into(),
                    parsed(clean(
                        "D",
                        "2026-11-26T00:00:00Z",
                        Verdict::IntegrityFailure,
                    )),
                ),
            ],
            None,
        );
        let order: Vec<(&str, &str)> = fleet
            .hosts
            .iter()
            .map(|h| (h.host.as_str(), h.label.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                ("D", "integrity failure"),
                ("B", "still missing 1"),
                ("C", "chain fails 1"),
                ("A", "compliant")
            ]
        );
        assert_eq!(fleet.hosts[1].problems[0].problem, Problem::Blocked);
        assert_eq!(
            fleet.hosts[2].problems[0].detail.as_deref(),
            Some("PartialChain")
        );
        assert_eq!(fleet.summary.not_compliant, 3);
        assert!(!fleet.ok());
    }

    #[test]
    fn another_bundle_is_not_compliant_with_the_reference() {
        let reference = Reference {
            path: "b".into(),
            name: "apex-one-certs-20261125".into(),
            created: "2026-11-25T00:00:00Z".into(),
            digest: "0".repeat(64),
        };
        let mut other = clean("O", "2026-11-26T00:00:00Z", Verdict::Compliant);
        other.bundle.digest = Some("1".repeat(64));
        let mut unknown = clean("U", "2026-11-26T00:00:00Z", Verdict::Compliant);
        unknown.bundle.digest = None;
        let fleet = summed(
            vec![
                ("o".into(), parsed(other)),
                ("u".into(), parsed(unknown)),
                (
                    "s".into(),
                    parsed(clean("S", "2026-11-26T00:00:00Z", Verdict::Compliant)),
                ),
            ],
            Some(reference),
        );
        let rows: Vec<(&str, Option<BundleMatch>, bool)> = fleet
            .hosts
            .iter()
            .map(|h| (h.host.as_str(), h.bundle_match, h.compliant))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("O", Some(BundleMatch::Other), false),
                ("S", Some(BundleMatch::Same), true),
                ("U", Some(BundleMatch::NoDigest), true),
            ]
        );
        assert_eq!(fleet.summary.other_bundle, 1);
    }

    #[test]
    fn a_run_that_stopped_before_the_stores_reports_no_certificate_problems() {
        let mut r = clean("N", "2026-11-26T00:00:00Z", Verdict::NotElevated);
        r.certificates[0].before = None;
        r.certificates[0].action = None;
        r.certificates[0].after = None;
        r.certificates[0].chain = "not-checked".into();
        let fleet = summed(vec![("n".into(), parsed(r))], None);
        assert_eq!(fleet.hosts[0].status, HostStatus::NotElevated);
        assert!(fleet.hosts[0].problems.is_empty());
        assert!(fleet.hosts[0].reasons[0].contains("Run as administrator"));
    }

    fn on(mut r: InstallReport, guid: Option<&str>) -> InstallReport {
        r.host.machine_guid = guid.map(str::to_string);
        r
    }

    #[test]
    fn computers_of_one_name_are_rows_of_their_own_by_machine_guid() {
        let (a, b) = (
            "11111111-1111-1111-1111-111111111111",
            "22222222-2222-2222-2222-222222222222",
        );
        let fleet = summed(
            vec![
                (
                    "1".into(),
                    parsed(on(
                        clean("WS-7", "2026-11-26T08:00:00Z", Verdict::Fixed),
                        Some(a),
                    )),
                ),
                (
                    "2".into(),
                    parsed(on(
                        clean("ws-7", "2026-11-26T09:00:00Z", Verdict::NotCompliant),
                        Some(b),
                    )),
                ),
                (
                    "3".into(),
                    parsed(on(
                        clean("WS-7", "2026-11-26T10:00:00Z", Verdict::Compliant),
                        Some(&a.to_uppercase()),
                    )),
                ),
            ],
            None,
        );
        assert_eq!(fleet.hosts.len(), 2, "{:#?}", fleet.hosts);
        let row = |guid: &str| {
            fleet
                .hosts
                .iter()
                .find(|h| {
                    h.machine_guid
                        .as_deref()
                        .map(str::to_ascii_lowercase)
                        .as_deref()
                        == Some(guid)
                })
                .unwrap()
        };
        assert_eq!(row(a).runs, 2);
        assert_eq!(row(a).status, HostStatus::Compliant);
        assert_eq!(row(b).runs, 1);
        assert_eq!(row(b).status, HostStatus::NotCompliant);
        for (guid, h) in [(a, row(a)), (b, row(b))] {
            assert_eq!(
                h.notes,
                vec![format!(
                    "2 computers share this name (MachineGuid {a}, {b}): this row is MachineGuid {guid}"
                )]
            );
        }
        assert_eq!(fleet.summary.hosts, 2);
        assert!(!fleet.ok());
    }

    #[test]
    fn one_machine_guid_or_none_is_one_computer() {
        let guid = "11111111-1111-1111-1111-111111111111";
        // A clone made without sysprep shares the GUID too: one row, as the name alone gave.
        for second in [Some(guid), None] {
            let fleet = summed(
                vec![
                    (
                        "1".into(),
                        parsed(on(
                            clean("WS-6", "2026-11-26T08:00:00Z", Verdict::Fixed),
                            None,
                        )),
                    ),
                    (
                        "2".into(),
                        parsed(on(
                            clean("WS-6", "2026-11-26T09:00:00Z", Verdict::Compliant),
                            second,
                        )),
                    ),
                ],
                None,
            );
            assert_eq!(fleet.hosts.len(), 1);
            assert_eq!(fleet.hosts[0].runs, 2);
            assert!(fleet.hosts[0].notes.is_empty());
        }
        // Two GUIDs and a run without one: that run is a row of its own, said so.
        let fleet = summed(
            vec![
                (
                    "1".into(),
                    parsed(on(
                        clean("WS-5", "2026-11-26T08:00:00Z", Verdict::Fixed),
                        None,
                    )),
                ),
                (
                    "2".into(),
                    parsed(on(
                        clean("WS-5", "2026-11-26T09:00:00Z", Verdict::Compliant),
                        Some(guid),
                    )),
                ),
                (
                    "3".into(),
                    parsed(on(
                        clean("WS-5", "2026-11-26T09:00:00Z", Verdict::Compliant),
                        Some("22222222-2222-2222-2222-222222222222"),
                    )),
                ),
            ],
            None,
        );
        assert_eq!(fleet.hosts.len(), 3);
        let unplaced = fleet
            .hosts
            .iter()
            .find(|h| h.machine_guid.is_none())
            .unwrap();
        assert!(unplaced.notes[0].ends_with("this row is the runs whose report has no MachineGuid (an older installer), which may be any of them"));
    }

    #[test]
    fn a_later_run_that_stopped_early_does_not_undo_a_fix() {
        let fixed = clean("WS-9", "2026-11-26T08:00:00Z", Verdict::Fixed);
        let mut stopped = clean("WS-9", "2026-11-26T10:00:00Z", Verdict::NotElevated);
        stopped.certificates[0].before = None;
        stopped.certificates[0].action = None;
        stopped.certificates[0].after = None;
        let fleet = summed(
            vec![("a".into(), parsed(fixed)), ("b".into(), parsed(stopped))],
            None,
        );
        let host = &fleet.hosts[0];
        assert_eq!(host.status, HostStatus::Fixed);
        assert_eq!(host.runs, 2);
        assert_eq!(
            host.later.as_deref(),
            Some("a later run (2026-11-26 10:00:00 UTC, install) not elevated")
        );
        assert!(fleet.ok());
    }

    #[test]
    fn with_a_reference_the_run_of_that_bundle_decides() {
        let reference = Reference {
            path: "b".into(),
            name: "apex-one-certs-20261125".into(),
            created: "2026-11-25T00:00:00Z".into(),
            digest: "0".repeat(64),
        };
        let this = clean("WS-8", "2026-11-26T08:00:00Z", Verdict::Fixed);
        let mut old = clean("WS-8", "2026-11-26T09:00:00Z", Verdict::Compliant);
        old.mode = Mode::CheckOnly;
        old.bundle.digest = Some("1".repeat(64));
        let fleet = summed(
            vec![("a".into(), parsed(this)), ("b".into(), parsed(old))],
            Some(reference),
        );
        let host = &fleet.hosts[0];
        assert_eq!(host.bundle_match, Some(BundleMatch::Same));
        assert!(host.compliant);
        assert!(
            host.later
                .as_deref()
                .unwrap()
                .ends_with("check-only) ran another bundle: apex-one-certs-20261125")
        );
    }

    #[test]
    fn the_same_run_reached_twice_counts_once() {
        let run = clean("WS-7", "2026-11-26T08:00:00Z", Verdict::Compliant);
        let rows = vec![
            host_row("x/a.json".into(), parsed(run.clone()), None),
            host_row("y/a.json".into(), parsed(run), None),
        ];
        let fleet = summarise(rows, vec![], None);
        assert_eq!(fleet.hosts[0].runs, 1);
        assert_eq!(fleet.summary.reports, 1);
        assert_eq!(fleet.skipped[0].reason, "the same run as x/a.json");
        assert!(!fleet.skipped[0].report_like);
        assert!(fleet.ok());
    }

    #[test]
    fn names_and_times_are_compared_as_windows_does() {
        assert_eq!(host_key(" straße "), "STRAßE");
        assert_ne!(host_key("straße"), host_key("STRASSE"));
        assert_eq!(host_key("ws-1"), host_key("WS-1"));
        assert!(named_like_a_report(
            "E:\\reports\\WS_01_20261126T080004Z.json"
        ));
        assert!(named_like_a_report("r/MÜNCHEN_20261126T080004Z.json"));
        assert!(named_like_a_report("r/WS-01_20261126T080004Z-2.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T080004Z-.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T080004Z-x.json"));
        assert!(!named_like_a_report("r/package.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T0800Z.json"));
        // An offset is turned into UTC for display and ordering.
        let mut r = clean("WS-6", "2026-11-26T23:30:00-10:00", Verdict::Compliant);
        r.started = "2026-11-26T23:29:00-10:00".into();
        let fleet = summed(vec![("a".into(), parsed(r))], None);
        assert_eq!(fleet.hosts[0].last_run, "2026-11-27T09:30:00Z");
    }

    #[test]
    fn an_unreadable_report_keeps_the_fleet_from_passing() {
        let rows = vec![host_row(
            "a".into(),
            parsed(clean("WS-5", "2026-11-26T08:00:00Z", Verdict::Compliant)),
            None,
        )];
        let broken = Skipped::unusable(
            "WS-4_20261126T080004Z.json".into(),
            "truncated".into(),
            b"{",
        );
        let foreign = Skipped::unusable("package.json".into(), "not a report".into(), b"{}");
        let declared = Skipped::unusable(
            "odd-name.json".into(),
            "truncated".into(),
            b"{\"schema\": \"certbundle-report/1\", \"ho",
        );
        assert!(broken.report_like && declared.report_like && !foreign.report_like);
        let fleet = summarise(rows.clone(), vec![foreign.clone()], None);
        assert!(fleet.ok());
        let fleet = summarise(rows, vec![foreign, broken], None);
        assert_eq!(fleet.summary.unreadable_reports, 1);
        assert!(!fleet.ok());
    }
}
