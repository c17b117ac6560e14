//! Where the reports are: files, folders (walked for `*.json`), and zips (every `*.json` entry),
//! a bundle's own `manifest.json` excepted. Listing reads no content; [`Reader::read`] reads
//! one report at a time, bounded, so memory stays small whatever the stick holds. Nothing is
//! extracted to disk.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::UnusedFile;
use crate::limits::{MAX_REPORT_SIZE, MAX_REPORTS, MAX_REPORTS_TOTAL, MAX_ZIP_SIZE};
use crate::load::{LoadError, LoadErrors};

/// Where one candidate report is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A file.
    File(PathBuf),
    /// Entry `index` of a zip.
    ZipEntry {
        /// The zip.
        zip: PathBuf,
        /// The entry's index.
        index: usize,
    },
}

/// One candidate report: where it is, and how it is shown.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// Where to read it.
    pub(crate) location: Location,
    /// Path, or `zip!/entry`.
    pub(crate) file: String,
}

/// What the paths hold.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Candidate reports, in path order.
    pub(crate) candidates: Vec<Candidate>,
    /// Files that will not be read, and why.
    pub(crate) skipped: Vec<UnusedFile>,
    /// Bundle folders and zips among the paths (a zip only when it holds exactly one bundle).
    pub(crate) bundles: Vec<PathBuf>,
}

impl Listing {
    fn skip(&mut self, file: String, reason: impl Into<String>) {
        self.skipped.push(UnusedFile::new(file, reason.into()));
    }
}

/// Lists every candidate under `paths`. A path that does not exist is an error (exit 2); a file
/// that cannot be looked at is skipped with its reason. Each file is listed once, however it is
/// reached.
pub(crate) fn list(paths: &[PathBuf]) -> Result<Listing, LoadErrors> {
    let mut out = Listing::default();
    let mut missing = Vec::new();
    let mut declared = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Err(source) => missing.push(LoadError::Unreadable {
                path: path.clone(),
                source,
            }),
            Ok(meta) if meta.is_dir() => folder(path, &mut out, &mut declared),
            Ok(_) if is_zip(path) => zip(path, &mut out, &mut declared),
            Ok(meta) => {
                out.candidates.push(Candidate {
                    location: Location::File(path.clone()),
                    file: path.display().to_string(),
                });
                declared.push(meta.len());
            }
        }
    }
    if !missing.is_empty() {
        return Err(LoadErrors(missing));
    }
    // The same file named twice (a folder and a file in it): once.
    let mut seen = std::collections::BTreeSet::new();
    let mut total = 0u64;
    let mut kept = Vec::new();
    for (candidate, size) in std::mem::take(&mut out.candidates)
        .into_iter()
        .zip(declared)
    {
        let identity = match &candidate.location {
            Location::File(p) => fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
            Location::ZipEntry { zip, index } => fs::canonicalize(zip)
                .unwrap_or_else(|_| zip.clone())
                .join(format!("!{index}")),
        };
        if !seen.insert(identity) {
            continue;
        }
        total = total.saturating_add(size.min(MAX_REPORT_SIZE + 1));
        if total > MAX_REPORTS_TOTAL {
            out.skip(
                candidate.file,
                format!(
                    "not read: the reports given add up to more than {} MiB; give fewer at a time",
                    MAX_REPORTS_TOTAL / 1024 / 1024
                ),
            );
        } else {
            kept.push(candidate);
        }
    }
    out.candidates = kept;
    Ok(out)
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

fn folder(dir: &Path, out: &mut Listing, declared: &mut Vec<u64>) {
    if is_bundle_folder(dir) {
        out.bundles.push(dir.to_path_buf());
    }
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            // Hidden files and folders (.git, a build's staging folder, macOS's ._ files), and
            // the system's folders at the root of a stick.
            let name = e.file_name().to_string_lossy();
            e.depth() == 0
                || !(name.starts_with('.') || crate::names::is_windows_system_folder(&name))
        });
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().unwrap_or(dir).display().to_string();
                out.skip(file, format!("cannot be read: {e}"));
                continue;
            }
        };
        if !is_json(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let shown = entry.path().display().to_string();
        if entry.file_type().is_symlink() {
            out.skip(shown, "a link: not followed");
        } else if entry.file_type().is_file() {
            // A bundle keeps its manifest to itself.
            if entry.file_name() == "manifest.json"
                && entry.path().parent().is_some_and(is_bundle_folder)
            {
                continue;
            }
            declared.push(entry.metadata().map(|m| m.len()).unwrap_or(0));
            out.candidates.push(Candidate {
                location: Location::File(entry.path().to_path_buf()),
                file: shown,
            });
        }
    }
}

fn zip(path: &Path, out: &mut Listing, declared: &mut Vec<u64>) {
    let shown = path.display().to_string();
    let size = fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_ZIP_SIZE {
        return out.skip(
            shown,
            format!("a zip over {} MiB", MAX_ZIP_SIZE / 1024 / 1024),
        );
    }
    let archive = fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()));
    let archive = match archive {
        Ok(a) => a,
        Err(e) => return out.skip(shown, format!("not a readable zip: {e}")),
    };
    if archive.len() > MAX_REPORTS {
        return out.skip(shown, format!("more than {MAX_REPORTS} entries in one zip"));
    }
    let names: BTreeMap<String, usize> = (0..archive.len())
        .filter_map(|i| Some((archive.name_for_index(i)?.ok()?.to_string(), i)))
        .collect();
    // Bundles inside: top folders with manifest.json and SHA256SUMS. Their manifests are not
    // reports; everything else that is JSON may be.
    let tops: Vec<&str> = names
        .keys()
        .filter_map(|n| {
            let (top, rest) = n.split_once('/')?;
            (rest == "manifest.json" && names.contains_key(&format!("{top}/SHA256SUMS")))
                .then_some(top)
        })
        .collect();
    if tops.len() == 1 {
        out.bundles.push(path.to_path_buf());
    }
    let manifests: Vec<String> = tops.iter().map(|t| format!("{t}/manifest.json")).collect();
    let mut archive = archive;
    for (name, index) in &names {
        if !is_json(name) || name.ends_with('/') || manifests.contains(name) {
            continue;
        }
        // Hidden entries, as in folders (macOS adds __MACOSX/._x.json to zips it makes).
        if name
            .split('/')
            .any(|part| part.starts_with('.') || part == "__MACOSX")
        {
            continue;
        }
        let file = format!("{shown}!/{}", crate::names::printable(name));
        declared.push(archive.by_index_raw(*index).map(|e| e.size()).unwrap_or(0));
        out.candidates.push(Candidate {
            location: Location::ZipEntry {
                zip: path.to_path_buf(),
                index: *index,
            },
            file,
        });
    }
}

/// Reads candidates one at a time, keeping zips open between entries.
#[derive(Default)]
pub(crate) struct Reader {
    zips: BTreeMap<PathBuf, zip::ZipArchive<fs::File>>,
}

impl Reader {
    /// The bytes of one candidate, at most [`MAX_REPORT_SIZE`]; the error is the reason to skip.
    pub(crate) fn read(&mut self, location: &Location) -> Result<Vec<u8>, String> {
        let mut bytes = Vec::new();
        match location {
            Location::File(path) => {
                fs::File::open(path)
                    .and_then(|f| f.take(MAX_REPORT_SIZE + 1).read_to_end(&mut bytes))
                    .map_err(|e| format!("cannot be read: {e}"))?;
            }
            Location::ZipEntry { zip, index } => {
                if !self.zips.contains_key(zip) {
                    let archive = fs::File::open(zip)
                        .map_err(|e| e.to_string())
                        .and_then(|f| zip::ZipArchive::new(f).map_err(|e| e.to_string()))
                        .map_err(|e| format!("cannot be read from the zip: {e}"))?;
                    self.zips.insert(zip.clone(), archive);
                }
                let archive = self.zips.get_mut(zip).expect("just opened");
                archive
                    .by_index(*index)
                    .map_err(|e| e.to_string())
                    .and_then(|entry| {
                        entry
                            .take(MAX_REPORT_SIZE + 1)
                            .read_to_end(&mut bytes)
                            .map_err(|e| e.to_string())
                    })
                    .map_err(|e| format!("cannot be read from the zip: {e}"))?;
            }
        }
        if bytes.len() as u64 > MAX_REPORT_SIZE {
            return Err(format!(
                "over the {} MiB a report can be",
                MAX_REPORT_SIZE / 1024 / 1024
            ));
        }
        Ok(bytes)
    }
}
