//! Unit tests of the fleet summary.

use super::*;
use crate::fleet::host::{Problem, row as host_row};
use crate::fleet::report::{self, CheckedReport, InstallReport, Mode, Verdict, sample};

fn summed(runs: Vec<(String, CheckedReport)>, reference: Option<Reference>) -> Fleet {
    let rows = runs
        .into_iter()
        .map(|(file, p)| host_row(file, p, reference.as_ref()))
        .collect();
    summarise(rows, vec![], reference, None)
}

fn parsed(r: InstallReport) -> CheckedReport {
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
fn an_unreachable_host_is_not_compliant_and_says_why_and_joins_its_computer_name() {
    let mut r = clean(
        "srv-db02.corp.example",
        "2026-11-27T00:00:00Z",
        Verdict::Unreachable,
    );
    r.certificates.clear();
    r.messages = vec!["Access is denied.".into()];
    let fleet = summed(vec![("u".into(), parsed(r.clone()))], None);
    assert_eq!(fleet.hosts[0].status, HostStatus::Unreachable);
    assert!(!fleet.hosts[0].compliant && !fleet.ok());
    assert_eq!(
        fleet.hosts[0].reasons,
        vec!["Access is denied.".to_string()]
    );
    // After a run that looked at the stores, that run decides; this one is a later run.
    // It joins that row only when listed by the bare computer name.
    r.host.name = "srv-db02".into();
    let fleet = summed(
        vec![
            ("u".into(), parsed(r)),
            (
                "c".into(),
                parsed(clean(
                    "SRV-DB02",
                    "2026-11-26T00:00:00Z",
                    Verdict::Compliant,
                )),
            ),
        ],
        None,
    );
    assert_eq!(fleet.hosts.len(), 1);
    assert_eq!(fleet.hosts[0].status, HostStatus::Compliant);
    assert!(
        fleet.hosts[0]
            .later
            .as_deref()
            .unwrap()
            .ends_with("unreachable: Access is denied.")
    );
}

fn unreachable(name: &str, finished: &str) -> InstallReport {
    let mut r = clean(name, finished, Verdict::Unreachable);
    r.certificates.clear();
    r.messages = vec![format!("Connecting to remote server {name} failed")];
    r
}

fn rows(fleet: &Fleet) -> Vec<(&str, HostStatus)> {
    let mut rows: Vec<(&str, HostStatus)> = fleet
        .hosts
        .iter()
        .map(|h| (h.host.as_str(), h.status))
        .collect();
    rows.sort_unstable();
    rows
}

#[test]
fn different_forms_of_a_name_are_never_one_row() {
    let at = "2026-11-27T09:00:00Z";
    // Two DNS names with one first label: two hosts, even when they end at the same time.
    let fleet = summed(
        vec![
            ("a".into(), parsed(unreachable("web.a.example", at))),
            ("b".into(), parsed(unreachable("web.b.example", at))),
        ],
        None,
    );
    assert_eq!(fleet.hosts.len(), 2);
    assert!(fleet.skipped.is_empty());
    // A compliant WS-0302 is not the ws-0302 of another domain that was never reached.
    let fleet = summed(
        vec![
            (
                "c".into(),
                parsed(clean("WS-0302", "2026-11-26T00:00:00Z", Verdict::Compliant)),
            ),
            ("u".into(), parsed(unreachable("ws-0302.site.example", at))),
        ],
        None,
    );
    assert_eq!(
        rows(&fleet),
        vec![
            ("WS-0302", HostStatus::Compliant),
            ("ws-0302.site.example", HostStatus::Unreachable)
        ]
    );
    assert!(!fleet.ok());
    // A name longer than 15 characters is not cut: its own row, as a DNS name would be.
    let fleet = summed(
        vec![
            (
                "c".into(),
                parsed(clean(
                    "ACCOUNTING-SERV",
                    "2026-11-26T00:00:00Z",
                    Verdict::Compliant,
                )),
            ),
            ("u".into(), parsed(unreachable("accounting-server-01", at))),
            ("v".into(), parsed(unreachable("accounting-serv.", at))),
        ],
        None,
    );
    assert_eq!(fleet.hosts.len(), 2, "{:#?}", rows(&fleet));
    // An address, with or without a final dot, is one name and never a computer "10".
    let fleet = summed(
        vec![
            (
                "c".into(),
                parsed(clean("10", "2026-11-26T00:00:00Z", Verdict::Compliant)),
            ),
            ("u".into(), parsed(unreachable("10.0.0.9.", at))),
            (
                "v".into(),
                parsed(unreachable("10.0.0.9", "2026-11-27T10:00:00Z")),
            ),
        ],
        None,
    );
    assert_eq!(fleet.hosts.len(), 2, "{:#?}", rows(&fleet));
    assert_eq!(host_key("10.0.0.9."), "10.0.0.9");
    assert_eq!(host_key("ws-1.corp.example."), "WS-1.CORP.EXAMPLE");
}

#[test]
fn an_unreachable_run_of_another_bundle_decides() {
    let ok = clean("WS-3", "2026-11-26T00:00:00Z", Verdict::Compliant);
    let mut pushed = unreachable("ws-3", "2026-11-27T09:00:00Z");
    pushed.bundle.digest = Some("1".repeat(64));
    pushed.bundle.name = "apex-one-certs-20261127".into();
    let fleet = summed(
        vec![
            ("a".into(), parsed(ok.clone())),
            ("b".into(), parsed(pushed.clone())),
        ],
        None,
    );
    assert_eq!(fleet.hosts.len(), 1);
    assert_eq!(fleet.hosts[0].status, HostStatus::Unreachable);
    assert_eq!(fleet.hosts[0].later, None);
    assert!(!fleet.ok());
    // The same bundle: the run that looked at the stores still decides, the reason noted.
    pushed.bundle = ok.bundle.clone();
    let fleet = summed(
        vec![("a".into(), parsed(ok)), ("b".into(), parsed(pushed))],
        None,
    );
    assert_eq!(fleet.hosts[0].status, HostStatus::Compliant);
    assert_eq!(
        fleet.hosts[0].later.as_deref(),
        Some(
            "a later run (2026-11-27 09:00:00 UTC, install) unreachable: Connecting to remote server ws-3 failed"
        )
    );
}

#[test]
fn a_failed_push_of_another_bundle_never_outweighs_a_run_of_the_reference() {
    let reference = Reference {
        path: "b".into(),
        name: "apex-one-certs-20261125".into(),
        created: "2026-11-25T00:00:00Z".into(),
        digest: "0".repeat(64),
    };
    let ok = clean("WS-4", "2026-11-26T00:00:00Z", Verdict::Compliant);
    let mut pushed = unreachable("ws-4", "2026-11-27T09:00:00Z");
    pushed.bundle.digest = Some("1".repeat(64));
    pushed.bundle.name = "other-certs-20261127".into();
    let fleet = summed(
        vec![("a".into(), parsed(ok)), ("b".into(), parsed(pushed))],
        Some(reference),
    );
    assert_eq!(fleet.hosts.len(), 1);
    assert_eq!(fleet.hosts[0].status, HostStatus::Compliant);
    assert!(fleet.hosts[0].compliant);
    assert!(
        fleet.hosts[0]
            .later
            .as_deref()
            .is_some_and(|l| l.contains("unreachable")),
        "{:?}",
        fleet.hosts[0].later
    );
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
    let fleet = summarise(rows, vec![], None, None);
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
    assert_ne!(host_key("wın-1"), host_key("WIN-1"));
    assert_ne!(host_key("ſrv-1"), host_key("SRV-1"));
    // An offset is turned into UTC for display and ordering.
    let mut r = clean("WS-6", "2026-11-26T23:30:00-10:00", Verdict::Compliant);
    r.started = "2026-11-26T23:29:00-10:00".into();
    let fleet = summed(vec![("a".into(), parsed(r))], None);
    assert_eq!(
        fleet.hosts[0].last_run.as_deref(),
        Some("2026-11-27T09:30:00Z")
    );
}

#[test]
fn an_unreadable_report_keeps_the_fleet_from_passing() {
    let rows = vec![host_row(
        "a".into(),
        parsed(clean("WS-5", "2026-11-26T08:00:00Z", Verdict::Compliant)),
        None,
    )];
    let broken = UnusedFile::unusable(
        "WS-4_20261126T080004Z.json".into(),
        "truncated".into(),
        b"{",
    );
    let foreign = UnusedFile::unusable("package.json".into(), "not a report".into(), b"{}");
    let declared = UnusedFile::unusable(
        "odd-name.json".into(),
        "truncated".into(),
        b"{\"schema\": \"certbundle-report/1\", \"ho",
    );
    assert!(broken.report_like && declared.report_like && !foreign.report_like);
    let fleet = summarise(rows.clone(), vec![foreign.clone()], None, None);
    assert!(fleet.ok());
    let fleet = summarise(rows, vec![foreign, broken], None, None);
    assert_eq!(fleet.summary.unreadable_reports, 1);
    assert!(!fleet.ok());
}
