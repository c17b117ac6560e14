//! `certbundle report` over 10,000 installer reports (2,500 hosts, four runs each, 20
//! certificates per report), read from a folder, checked, and summarised in all four outputs.
//!
//! Run: `cargo bench --bench report`. It prints timings; it asserts nothing about speed (the
//! target, "well under a few seconds on a 2-core machine", is for people to compare).

use std::time::{Duration, Instant};

use certbundle::commands::{self, FleetFormat, FleetRequest, Outcome, Request};
use certbundle::output::{self, Style};

mod common;

const HOSTS: usize = 2_500;
const RUNS: usize = 4;
const CERTIFICATES: usize = 20;
const ROUNDS: usize = 5;

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let reports = dir.path().join("reports");
    let bytes = common::reports(&reports, HOSTS, RUNS, CERTIFICATES);
    println!(
        "{} reports, {:.1} MiB, {HOSTS} hosts",
        HOSTS * RUNS,
        bytes as f64 / 1024.0 / 1024.0
    );
    for (label, format, html) in [
        ("table", FleetFormat::Human, false),
        ("json", FleetFormat::Json, false),
        ("csv", FleetFormat::Csv, false),
        ("table + html", FleetFormat::Human, true),
    ] {
        let request = Request::Fleet(FleetRequest {
            paths: vec![reports.clone()],
            bundle: None,
            format,
            html: html.then(|| dir.path().join("fleet.html")),
            expect: None,
        });
        let style = Style {
            json: request.json(),
            csv: request.csv(),
            color: false,
        };
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                let outcome = commands::run(&request, &mut |_| {}).expect("the reports read");
                let text = output::outcome(&outcome, &style);
                let elapsed = start.elapsed();
                let Outcome::Fleet(fleet) = &outcome else {
                    unreachable!()
                };
                assert_eq!(fleet.fleet.summary.hosts, HOSTS);
                assert!(!text.is_empty());
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "{label:>14}: median {:>7.1} ms, best {:>7.1} ms over {ROUNDS} runs",
            times[ROUNDS / 2].as_secs_f64() * 1000.0,
            times[0].as_secs_f64() * 1000.0
        );
    }
}
