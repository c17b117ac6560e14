//! The report files under the paths given: files, folders (walked for `*.json`), bundle folders
//! and zips (their `reports/` only). Bounded: no file, entry or zip is read past its limit, and
//! nothing is extracted to disk.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::{Reference, Skipped};
use crate::load::{LoadError, LoadErrors};

/// Largest report file read (a report of 200 certificates is about 150 KiB).
pub const MAX_REPORT_SIZE: u64 = 8 * 1024 * 1024;
/// Largest zip read.
pub const MAX_ZIP_SIZE: u64 = 512 * 1024 * 1024;
/// Most report files read from one zip.
pub const MAX_ZIP_ENTRIES: usize = 200_000;
/// Most bytes read in one run, all files together (10,000 reports are about 120 MiB).
pub const MAX_TOTAL: u64 = 1024 * 1024 * 1024;

/// One candidate report: where it is and its bytes.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path, or `zip!/entry`.
    pub file: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

/// What the paths held.
#[derive(Debug, Default)]
pub struct Sources {
    /// Candidate reports, in path order.
    pub files: Vec<Source>,
    /// Files that could not be read.
    pub skipped: Vec<Skipped>,
    /// Bundle folders and zips among the paths (their `reports/` were read).
    pub bundles: Vec<PathBuf>,
    /// Bytes read so far.
    total: u64,
}

impl Sources {
    /// Keeps a file's bytes, or skips it once [`MAX_TOTAL`] is reached.
    fn keep(&mut self, file: String, bytes: Vec<u8>) {
        self.total += bytes.len() as u64;
        if self.total > MAX_TOTAL {
            self.skipped.push(Skipped {
                file,
                reason: format!(
                    "not read: the reports given add up to more than {} MiB; give fewer at a time",
                    MAX_TOTAL / 1024 / 1024
                ),
            });
        } else {
            self.files.push(Source { file, bytes });
        }
    }
}

/// Reads every candidate under `paths`. A path that does not exist is an error (exit 2); a
/// file that cannot be read is skipped with its reason.
pub fn sources(paths: &[PathBuf]) -> Result<Sources, LoadErrors> {
    let mut out = Sources::default();
    let mut missing = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Err(source) => missing.push(LoadError::Unreadable {
                path: path.clone(),
                source,
            }),
            Ok(meta) if meta.is_dir() => folder(path, &mut out),
            Ok(_) if is_zip(path) => zip(path, &mut out),
            Ok(_) => file(path, path.display().to_string(), &mut out),
        }
    }
    if missing.is_empty() {
        Ok(out)
    } else {
        Err(LoadErrors(missing))
    }
}

/// Whether `dir` is a bundle folder (what `certbundle build` writes).
fn is_bundle_folder(dir: &Path) -> bool {
    dir.join("manifest.json").is_file() && dir.join("SHA256SUMS").is_file()
}

fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"PK\x03\x04")
}

fn is_json(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".json")
}

fn file(path: &Path, shown: String, out: &mut Sources) {
    let skip = |reason: String| Skipped {
        file: shown.clone(),
        reason,
    };
    let read = fs::File::open(path).and_then(|f| {
        let mut bytes = Vec::new();
        f.take(MAX_REPORT_SIZE + 1).read_to_end(&mut bytes)?;
        Ok(bytes)
    });
    match read {
        Err(e) => out.skipped.push(skip(format!("cannot be read: {e}"))),
        Ok(bytes) if bytes.len() as u64 > MAX_REPORT_SIZE => out.skipped.push(skip(format!(
            "over the {} MiB a report can be",
            MAX_REPORT_SIZE / 1024 / 1024
        ))),
        Ok(bytes) => out.keep(shown, bytes),
    }
}

fn folder(dir: &Path, out: &mut Sources) {
    let root = if is_bundle_folder(dir) {
        out.bundles.push(dir.to_path_buf());
        let reports = dir.join("reports");
        if !reports.is_dir() {
            return;
        }
        reports
    } else {
        dir.to_path_buf()
    };
    let walk = walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Hidden folders (.git, a build's staging folder) hold no reports.
            e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walk {
        match entry {
            Err(e) => out.skipped.push(Skipped {
                file: e.path().unwrap_or(&root).display().to_string(),
                reason: format!("cannot be read: {e}"),
            }),
            Ok(e) if e.file_type().is_file() && is_json(&e.file_name().to_string_lossy()) => {
                // A bundle found inside a folder keeps its manifest to itself.
                if e.file_name() == "manifest.json"
                    && e.path().parent().is_some_and(is_bundle_folder)
                {
                    continue;
                }
                file(e.path(), e.path().display().to_string(), out);
            }
            Ok(_) => {}
        }
    }
}

fn zip(path: &Path, out: &mut Sources) {
    let shown = path.display().to_string();
    let skip = |out: &mut Sources, file: String, reason: String| {
        out.skipped.push(Skipped { file, reason });
    };
    let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_ZIP_SIZE {
        return skip(
            out,
            shown,
            format!("a zip over {} MiB", MAX_ZIP_SIZE / 1024 / 1024),
        );
    }
    let archive = fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let mut archive = match archive {
        Ok(a) => a,
        Err(e) => return skip(out, shown, format!("not a readable zip: {e}")),
    };
    let names: Vec<String> = (0..archive.len())
        .filter_map(|i| archive.name_for_index(i)?.ok().map(|n| n.to_string()))
        .collect();
    // A bundle zip has one top folder with manifest.json and SHA256SUMS: only its reports/.
    let bundle_top = names.iter().find_map(|n| {
        let (top, rest) = n.split_once('/')?;
        (rest == "manifest.json" && names.contains(&format!("{top}/SHA256SUMS")))
            .then(|| top.to_string())
    });
    if bundle_top.is_some() {
        out.bundles.push(path.to_path_buf());
    }
    let mut wanted: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| {
            let name = archive.name_for_index(i)?.ok()?.to_string();
            let inside = match &bundle_top {
                Some(top) => name.starts_with(&format!("{top}/reports/")),
                None => true,
            };
            (inside && is_json(&name) && !name.ends_with('/')).then_some((i, name))
        })
        .collect();
    wanted.sort_by(|a, b| a.1.cmp(&b.1));
    if wanted.len() > MAX_ZIP_ENTRIES {
        return skip(
            out,
            shown,
            format!("more than {MAX_ZIP_ENTRIES} report files in one zip"),
        );
    }
    for (i, name) in wanted {
        let file = format!("{shown}!/{}", crate::names::printable(&name));
        let mut bytes = Vec::new();
        let read = archive
            .by_index(i)
            .map_err(|e| e.to_string())
            .and_then(|entry| {
                entry
                    .take(MAX_REPORT_SIZE + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| e.to_string())
            });
        match read {
            Err(e) => skip(out, file, format!("cannot be read from the zip: {e}")),
            Ok(_) if bytes.len() as u64 > MAX_REPORT_SIZE => skip(
                out,
                file,
                format!(
                    "over the {} MiB a report can be",
                    MAX_REPORT_SIZE / 1024 / 1024
                ),
            ),
            Ok(_) => out.keep(file, bytes),
        }
    }
}

/// The bundle at `path` (folder or zip) as a reference: its name and build time from
/// manifest.json, its digest from SHA256SUMS.
pub fn reference(path: &Path) -> Result<Reference, crate::Error> {
    let not_bundle = |why: &str| {
        crate::Error::usage(
            format!("{}: not a certbundle bundle ({why})", path.display()),
            "give the bundle folder or zip that `certbundle build` wrote (it holds manifest.json and SHA256SUMS)",
        )
    };
    let (sums, manifest) = if path.is_dir() {
        // Only the two files: a stick's bundle folder may hold thousands of reports.
        let read = |name: &str| {
            fs::File::open(path.join(name)).ok().and_then(|f| {
                let mut bytes = Vec::new();
                f.take(crate::bundle::MAX_ENTRY_SIZE)
                    .read_to_end(&mut bytes)
                    .ok()
                    .map(|_| bytes)
            })
        };
        (read("SHA256SUMS"), read("manifest.json"))
    } else {
        let mut tree = crate::bundle::read(path)?;
        (
            tree.files.remove("SHA256SUMS"),
            tree.files.remove("manifest.json"),
        )
    };
    let sums = sums.ok_or_else(|| not_bundle("no SHA256SUMS"))?;
    let manifest: serde_json::Value = manifest
        .and_then(|m| serde_json::from_slice(&m).ok())
        .ok_or_else(|| not_bundle("no readable manifest.json"))?;
    let field = |key: &str| {
        manifest[key]
            .as_str()
            .map(String::from)
            .ok_or_else(|| not_bundle(&format!("manifest.json has no \"{key}\"")))
    };
    Ok(Reference {
        path: path.display().to_string(),
        name: field("bundle")?,
        created: field("created")?,
        digest: crate::hex::sha256_lower(&sums),
    })
}
