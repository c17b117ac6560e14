//! `certbundle report`: the installers' reports from the stick as one row per host.

use std::path::PathBuf;

use serde::Serialize;

use super::FleetRequest;
use crate::Error;
use crate::fleet::{self, Fleet, UnusedFile, read, reference, report};

/// What `report` found.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    /// The fleet view.
    #[serde(flatten)]
    pub fleet: Fleet,
    /// The HTML page written with `--html`.
    pub(crate) html: Option<PathBuf>,
}

/// Runs report: list, then read, parse and sum up each report (on every core, one report per
/// core in memory at a time), summarise, and write the HTML page when asked.
pub(crate) fn run(req: &FleetRequest) -> Result<FleetReport, Error> {
    let listing = read::list(&req.paths)?;
    let mut skipped = listing.skipped;
    let reference = match (&req.bundle, listing.bundles.as_slice()) {
        (Some(bundle), _) => Some(reference::read(bundle)?),
        // One bundle given as PATH: its reports are compared with it.
        (None, [only]) => match reference::read(only) {
            Ok(reference) => Some(reference),
            Err(e) => {
                skipped.push(UnusedFile {
                    file: only.display().to_string(),
                    reason: format!("not used to compare reports with: {e}"),
                    report_like: false,
                });
                None
            }
        },
        _ => None,
    };
    let expect = req.expect.as_deref().map(fleet::expect::read).transpose()?;
    let mut rows = Vec::new();
    for outcome in read_all(&listing.candidates, reference.as_ref()) {
        match outcome {
            Ok(row) => rows.push(row),
            Err(skip) => skipped.push(skip),
        }
    }
    if rows.is_empty() {
        return Err(nothing_read(&req.paths, &skipped));
    }
    let fleet = fleet::summarise(rows, skipped, reference, expect.as_ref());
    if let Some(path) = &req.html {
        crate::bundle::write_file_atomically(path, fleet::html::render(&fleet).as_bytes())?;
    }
    Ok(FleetReport {
        fleet,
        html: req.html.clone(),
    })
}

/// Reads and sums up every candidate, on as many threads as the machine has cores; results in
/// input order. Each thread holds one report's bytes at a time.
fn read_all(
    candidates: &[read::Candidate],
    reference: Option<&fleet::Reference>,
) -> Vec<Result<fleet::Host, UnusedFile>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = candidates.len().div_ceil(threads).max(64);
    std::thread::scope(|scope| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut reader = read::Reader::default();
                    part.iter()
                        .map(|c| {
                            let bytes = reader
                                .read(&c.location)
                                .map_err(|why| UnusedFile::new(c.file.clone(), why))?;
                            let parsed = report::parse(&bytes)
                                .map_err(|why| UnusedFile::unusable(c.file.clone(), why, &bytes))?;
                            Ok(fleet::host_row(c.file.clone(), parsed, reference))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("reading reports never panics"))
            .collect()
    })
}

fn nothing_read(paths: &[PathBuf], skipped: &[UnusedFile]) -> Error {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut message = format!(
        "no certbundle report could be read from {} ({} file(s) skipped)",
        shown.join(", "),
        skipped.len()
    );
    let mut sorted: Vec<&UnusedFile> = skipped.iter().collect();
    sorted.sort_by(|a, b| a.file.cmp(&b.file));
    for s in sorted.iter().take(10) {
        message.push_str(&format!(
            "\n  {}: {}",
            crate::names::printable(&s.file),
            crate::names::printable(&s.reason)
        ));
    }
    if sorted.len() > 10 {
        message.push_str(&format!("\n  ... and {} more", sorted.len() - 10));
    }
    Error::usage(
        message,
        "give the stick's bundle folder or its reports\\ folder: the installer writes <COMPUTER>_<time>.json there \
(or under %ProgramData%\\certbundle\\reports when the stick was read-only)",
    )
}
