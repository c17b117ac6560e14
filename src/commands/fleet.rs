//! `certbundle report`: the installers' reports from the stick as one row per host.

use std::path::PathBuf;

use serde::Serialize;

use super::FleetRequest;
use crate::Error;
use crate::fleet::{self, Fleet, Skipped, read, report};

/// What `report` found.
#[derive(Debug, Clone, Serialize)]
pub struct FleetReport {
    /// The fleet view.
    #[serde(flatten)]
    pub fleet: Fleet,
    /// The HTML page written with `--html`.
    pub html: Option<PathBuf>,
}

/// Runs report: read, parse, summarise, and write the HTML page when asked.
pub fn run(req: &FleetRequest) -> Result<FleetReport, Error> {
    let sources = read::sources(&req.paths)?;
    let reference = match (&req.bundle, sources.bundles.as_slice()) {
        (Some(bundle), _) => Some(read::reference(bundle)?),
        // One bundle given as PATH: its reports are compared with it.
        (None, [only]) => read::reference(only).ok(),
        _ => None,
    };
    let mut skipped = sources.skipped;
    let mut reports = Vec::new();
    let parsed = parse_all(&sources.files);
    for (source, parsed) in sources.files.into_iter().zip(parsed) {
        match parsed {
            Ok(parsed) => reports.push((source.file, parsed)),
            Err(reason) => skipped.push(Skipped {
                file: source.file,
                reason,
            }),
        }
    }
    if reports.is_empty() {
        return Err(nothing_read(&req.paths, &skipped));
    }
    let fleet = fleet::summarise(reports, skipped, reference);
    if let Some(path) = &req.html {
        crate::fetch::write_atomically(path, fleet::html::render(&fleet).as_bytes()).map_err(
            |source| {
                crate::load::LoadErrors(vec![crate::load::LoadError::Unreadable {
                    path: path.clone(),
                    source,
                }])
            },
        )?;
    }
    Ok(FleetReport {
        fleet,
        html: req.html.clone(),
    })
}

/// Parses every source, on as many threads as the machine has cores; results in input order.
fn parse_all(sources: &[read::Source]) -> Vec<Result<report::Parsed, String>> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let chunk = sources.len().div_ceil(threads).max(64);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|s| report::parse(&s.bytes))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("parsing never panics"))
            .collect()
    })
}

fn nothing_read(paths: &[PathBuf], skipped: &[Skipped]) -> Error {
    let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let mut message = format!(
        "no certbundle report could be read from {} ({} file(s) skipped)",
        shown.join(", "),
        skipped.len()
    );
    let mut sorted: Vec<&Skipped> = skipped.iter().collect();
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
