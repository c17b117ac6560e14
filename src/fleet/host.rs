//! One installer report as one row: where that host stands after that run, and why.

use serde::Serialize;

use super::Reference;
use super::report::{self, CheckedReport, InstallReport, Mode, Verdict};

/// Where a host stands, worst first (the order of the table). Its code (`--json`, CSV) is its
/// kebab-case name: `integrity-failure`, `still-missing`, ...
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum HostStatus {
    /// A bundle file or embedded certificate did not match: nothing was changed.
    IntegrityFailure,
    /// The installer stopped on an error.
    Error,
    /// The deploying machine could not reach the host: nothing is known of its stores.
    Unreachable,
    /// Listed in `--expect`, but no report names it.
    NoReport,
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

impl HostStatus {
    /// The words of the summary line.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            HostStatus::IntegrityFailure => "integrity failure",
            HostStatus::Error => "error",
            HostStatus::Unreachable => "unreachable",
            HostStatus::NoReport => "no report",
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
    pub(crate) fn code(self) -> &'static str {
        self.into()
    }

    /// Whether the host has every certificate in place.
    pub(crate) fn in_place(self) -> bool {
        matches!(self, HostStatus::Fixed | HostStatus::Compliant)
    }
}

/// How a host's latest report relates to the reference bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumIter)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum BundleMatch {
    /// Same digest.
    Same,
    /// Another digest: another bundle (or another build of it) ran there.
    Other,
    /// The script ran without SHA256SUMS beside it, so it knew no digest; name and build time
    /// are those of the reference.
    NoDigest,
}

impl BundleMatch {
    /// The stable code (`--json`, CSV): `same`, `other`, `no-digest`.
    pub(crate) fn code(self) -> &'static str {
        self.into()
    }
}

/// What is wrong with one certificate on a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Problem {
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
    pub(crate) fn as_str(self) -> &'static str {
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
pub(crate) struct CertProblem {
    /// Certificate name.
    pub(crate) name: String,
    /// Thumbprint.
    sha1: String,
    /// `Root` or `CA`.
    store: String,
    /// What is wrong.
    pub(crate) problem: Problem,
    /// The installer's words (error, chain status), when it gave any.
    pub(crate) detail: Option<String>,
}

/// The product signature check, summed up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ProductCheck {
    /// `skipped`, `absent` or `checked`.
    pub(crate) result: String,
    /// Programs whose signature is `Valid`.
    pub(crate) valid: usize,
    /// Programs checked.
    pub(crate) checked: usize,
    /// The first status that is not `Valid`.
    pub(crate) worst: Option<String>,
}

/// One host: its latest report, summed up.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Host {
    /// Computer name, as the latest report gives it.
    pub(crate) host: String,
    /// Its `MachineGuid`: two computers of the same name are two rows (none from an older
    /// installer, or when it could not be read).
    pub(crate) machine_guid: Option<String>,
    /// Its domain or workgroup, when the report says.
    pub(crate) domain: Option<String>,
    /// When the latest run finished (UTC); none for a `no-report` row.
    pub(crate) last_run: Option<String>,
    /// What that run did; none for a `no-report` row.
    pub(crate) mode: Option<Mode>,
    /// Where the host stands.
    pub(crate) status: HostStatus,
    /// The status in words, with the count where there is one ("still missing 2").
    pub(crate) label: String,
    /// Every certificate in place, from the bundle compared with (when one is).
    pub(crate) compliant: bool,
    /// Certificates not in place.
    pub(crate) problems: Vec<CertProblem>,
    /// Bundle certificates in Untrusted Certificates.
    pub(crate) conflicts: Vec<report::Conflict>,
    /// `DisableRootAutoUpdate` = 1 ("Turn off Automatic Root Certificates Update"); none when the
    /// run stopped before reading it.
    pub(crate) auto_update_off: Option<bool>,
    /// The OfficeScan / Apex One signature check; none when the run stopped before it.
    pub(crate) products: Option<ProductCheck>,
    /// Reports read for this host (the latest and the older ones).
    pub(crate) runs: usize,
    /// The latest report's file; for a `no-report` row, the line of the `--expect` list
    /// (`hosts.txt:12`).
    pub(crate) file: String,
    /// The bundle that ran; none for a `no-report` row.
    pub(crate) bundle: Option<report::BundleRef>,
    /// How that bundle relates to the reference (none without a reference).
    pub(crate) bundle_match: Option<BundleMatch>,
    /// Why the host is not compliant, in the installer's words (integrity problems, messages).
    pub(crate) reasons: Vec<String>,
    /// A later run that does not change the verdict: it stopped before looking at the stores,
    /// or ran another bundle than the reference.
    pub(crate) later: Option<String>,
    /// What the engineer should know that is not a reason: a report read other than as written,
    /// machines that share a name, a host not in the `--expect` list.
    pub(crate) notes: Vec<String>,
    /// With `--expect`: whether a line of the list names this host (absent without it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expected: Option<bool>,
    /// When the run finished, for choosing a host's run.
    #[serde(skip)]
    pub(crate) finished: time::OffsetDateTime,
    /// When it started (ties).
    #[serde(skip)]
    pub(crate) started: String,
    /// The run looked at the certificate stores (it did not stop in preflight or integrity).
    #[serde(skip)]
    pub(crate) reached_stores: bool,
}

/// The row of a host the `--expect` list names and no report does: `name` as listed, `at`
/// the list's `FILE:LINE`. Not compliant; nothing else is known.
pub(crate) fn no_report(name: &str, at: String) -> Host {
    Host {
        host: name.to_string(),
        machine_guid: None,
        domain: None,
        last_run: None,
        mode: None,
        status: HostStatus::NoReport,
        label: HostStatus::NoReport.as_str().to_string(),
        compliant: false,
        problems: Vec::new(),
        conflicts: Vec::new(),
        auto_update_off: None,
        products: None,
        runs: 0,
        reasons: vec![format!(
            "listed at {at}, but no report names it: run Install.cmd there (or Deploy-Certificates.ps1) and bring its report back"
        )],
        file: at,
        bundle: None,
        bundle_match: None,
        later: None,
        notes: Vec::new(),
        expected: Some(true),
        finished: time::OffsetDateTime::UNIX_EPOCH,
        started: String::new(),
        reached_stores: false,
    }
}

/// Most reasons kept per host (the rest are counted).
const MAX_REASONS: usize = 5;

/// One report as a row of its own (its host's other runs are weighed by
/// [`super::summarise`]).
pub(crate) fn row(file: String, parsed: CheckedReport, reference: Option<&Reference>) -> Host {
    let CheckedReport {
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
        Verdict::Unreachable => HostStatus::Unreachable,
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
        last_run: Some(
            finished
                .to_offset(time::UtcOffset::UTC)
                .format(&time::macros::format_description!(
                    "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
                ))
                .expect("a fixed format always formats"),
        ),
        mode: Some(r.mode),
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
        bundle: Some(r.bundle),
        bundle_match,
        reasons,
        later: None,
        notes,
        expected: None,
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
        HostStatus::Error
        | HostStatus::Unreachable
        | HostStatus::UnsupportedHost
        | HostStatus::NotCompliant => r.messages.clone(),
        _ => Vec::new(),
    };
    if all.len() > MAX_REASONS {
        let more = all.len() - MAX_REASONS;
        all.truncate(MAX_REASONS);
        all.push(format!("... and {more} more (see the report file)"));
    }
    all
}
