//! Reading a bundle back, folder or zip, into memory: names, kinds and sizes are checked before
//! any content is read or trusted, and nothing is extracted to disk. Files under `reports/` are
//! listed by name, never read, and never count toward the bundle's limits ([`crate::limits`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{BundleError, Problem, ProblemCode};
use crate::layout::is_report_path;
use crate::limits::{
    MAX_ENTRIES, MAX_ENTRY_SIZE, MAX_REPORTS, MAX_TOTAL_SIZE, MAX_ZIP_ENTRIES, MAX_ZIP_SIZE,
};

/// Whether a bundle was read from a folder or a zip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr, strum::EnumIter)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Form {
    /// A folder.
    Folder,
    /// A zip file.
    Zip,
}

/// A bundle read into memory.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// What was read.
    source: PathBuf,
    /// Folder or zip.
    pub(crate) form: Form,
    /// Files by path relative to the bundle folder, `/`-separated (`reports/` excepted).
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    /// Files under `reports/`, relative, in path order: listed, never read.
    pub(crate) reports: Vec<String>,
    /// Folders, relative.
    dirs: BTreeSet<String>,
    /// Entries refused as unsafe. For a zip, any refusal means nothing was read at all.
    pub(crate) refused: Vec<Problem>,
}

/// Which files' contents to read.
#[derive(Debug, Clone, Copy)]
enum Wanted<'a> {
    /// Every file (`reports/` excepted).
    All,
    /// Only these, relative to the bundle folder.
    Only(&'a [&'a str]),
}

impl Wanted<'_> {
    fn contains(self, rel: &str) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Only(names) => names.contains(&rel),
        }
    }
}

/// Reads a bundle folder or zip.
pub(crate) fn read(path: &Path) -> Result<Tree, BundleError> {
    read_wanted(path, Wanted::All)
}

/// Reads only the named files of a bundle folder or zip (relative paths such as
/// `manifest.json`). A zip gets every check [`read`] makes, on every entry's name, kind and
/// size, but no other entry's content is read; a folder's other files are not looked at. A
/// named file that is not there is absent from [`Tree::files`].
pub(crate) fn read_only(path: &Path, names: &[&str]) -> Result<Tree, BundleError> {
    read_wanted(path, Wanted::Only(names))
}

/// Reads a bundle zip held in memory, with every check [`read`] makes on a zip file; `name` is
/// the path shown in errors. Only the fuzz target `bundle_zip` uses it (see CONTRIBUTING.md,
/// Fuzzing): certbundle itself always reads bundles from disk.
pub(crate) fn read_zip_bytes(name: &Path, bytes: &[u8]) -> Result<Tree, BundleError> {
    let mut tree = Tree {
        source: name.into(),
        form: Form::Zip,
        files: BTreeMap::new(),
        reports: Vec::new(),
        dirs: BTreeSet::new(),
        refused: Vec::new(),
    };
    if let Some(problem) = zip_too_large(bytes.len() as u64) {
        tree.refused.push(problem);
        return Ok(tree);
    }
    read_zip_from(tree, std::io::Cursor::new(bytes), Wanted::All)
}

fn read_wanted(path: &Path, wanted: Wanted) -> Result<Tree, BundleError> {
    let meta = fs::metadata(path).map_err(BundleError::io("read", path))?;
    let tree = Tree {
        source: path.into(),
        form: Form::Folder,
        files: BTreeMap::new(),
        reports: Vec::new(),
        dirs: BTreeSet::new(),
        refused: Vec::new(),
    };
    match wanted {
        _ if meta.is_file() => read_zip(
            Tree {
                form: Form::Zip,
                ..tree
            },
            meta.len(),
            wanted,
        ),
        _ if !meta.is_dir() => Err(BundleError::Unrecognised {
            path: path.into(),
            reason: "not a file or folder".into(),
        }),
        Wanted::All => read_folder(tree),
        Wanted::Only(names) => read_folder_files(tree, names),
    }
}

fn refused(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        code: ProblemCode::UnsafeEntry,
        path: path.into(),
        message: message.into(),
    }
}

fn too_many_entries(count: usize) -> String {
    format!(
        "{count} entries, more than any bundle has (at most {MAX_ENTRIES}, reports/ not counted)"
    )
}

fn too_many_reports(count: usize) -> String {
    format!("{count} entries under reports/, more than {MAX_REPORTS}")
}

fn walk_error(root: &Path, e: walkdir::Error) -> BundleError {
    let path = e
        .path()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.into());
    BundleError::Io {
        action: "read",
        path,
        source: e
            .into_io_error()
            .unwrap_or_else(|| std::io::Error::other("folder loop")),
    }
}

fn read_folder(mut tree: Tree) -> Result<Tree, BundleError> {
    let root = tree.source.clone();
    let mut total = 0u64;
    let (mut entries, mut report_entries) = (0usize, 0usize);
    for entry in walkdir::WalkDir::new(&root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let entry = entry.map_err(|e| walk_error(&root, e))?;
        let rel = entry.path().strip_prefix(&root).unwrap_or(entry.path());
        let Some(rel) = rel
            .to_str()
            .map(|s| s.replace(std::path::MAIN_SEPARATOR, "/"))
        else {
            tree.refused.push(refused(
                &rel.to_string_lossy(),
                "file name is not valid Unicode",
            ));
            continue;
        };
        let kind = entry.file_type();
        let report = is_report_path(&rel);
        if report {
            report_entries += 1;
            if report_entries > MAX_REPORTS {
                tree.refused
                    .push(refused("reports", too_many_reports(report_entries)));
                return Ok(tree);
            }
        } else {
            entries += 1;
            if entries > MAX_ENTRIES {
                tree.refused.push(refused("", too_many_entries(entries)));
                return Ok(tree);
            }
        }
        if kind.is_dir() {
            tree.dirs.insert(rel);
        } else if kind.is_symlink() {
            tree.refused.push(refused(
                &rel,
                "symbolic link: a bundle holds only plain files",
            ));
        } else if !kind.is_file() {
            tree.refused.push(refused(&rel, "not a plain file"));
        } else if report {
            tree.reports.push(rel);
        } else {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            total += size;
            if size > MAX_ENTRY_SIZE {
                tree.refused.push(refused(
                    &rel,
                    format!("{size} bytes: larger than any bundle file can be"),
                ));
                continue;
            }
            if total > MAX_TOTAL_SIZE {
                tree.refused.push(refused(
                    &rel,
                    format!("the files up to this one add up to more than any bundle can be ({MAX_TOTAL_SIZE} bytes)"),
                ));
                continue;
            }
            let bytes = read_bounded(entry.path())?;
            tree.files.insert(rel, bytes);
        }
    }
    Ok(tree)
}

/// A file's bytes, at most [`MAX_ENTRY_SIZE`] + 1.
fn read_bounded(path: &Path) -> Result<Vec<u8>, BundleError> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_ENTRY_SIZE + 1).read_to_end(&mut bytes))
        .map_err(BundleError::io("read", path))?;
    Ok(bytes)
}

/// The named files of a folder, each a plain file within the size limit.
fn read_folder_files(mut tree: Tree, names: &[&str]) -> Result<Tree, BundleError> {
    for name in names {
        let path = tree.source.join(name);
        let meta = match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(BundleError::io("read", &path)(e)),
            Ok(meta) => meta,
        };
        if meta.is_symlink() {
            tree.refused.push(refused(
                name,
                "symbolic link: a bundle holds only plain files",
            ));
        } else if !meta.is_file() {
            tree.refused.push(refused(name, "not a plain file"));
        } else if meta.len() > MAX_ENTRY_SIZE {
            tree.refused.push(refused(
                name,
                format!("{} bytes: larger than any bundle file can be", meta.len()),
            ));
        } else {
            let bytes = read_bounded(&path)?;
            tree.files.insert(name.to_string(), bytes);
        }
    }
    Ok(tree)
}

/// Checks one entry name; `None` when it is safe.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.contains('\\') {
        return Some("backslash in the name (Windows would read it as a folder separator)");
    }
    if name.starts_with('/') || name.as_bytes().get(1) == Some(&b':') {
        return Some("absolute path");
    }
    if name.chars().any(|c| c.is_control()) {
        return Some("control character in the name");
    }
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    for part in trimmed.split('/') {
        match part {
            ".." => return Some("'..' in the path would leave the bundle folder"),
            "." | "" => return Some("empty or '.' path component"),
            _ => {}
        }
    }
    None
}

/// An entry that passed the first pass, to be read (or listed) in the second.
struct ZipEntry {
    index: usize,
    name: String,
    is_dir: bool,
    report: bool,
}

/// The refusal of a zip of `size` bytes, when it is larger than any bundle zip can be.
fn zip_too_large(size: u64) -> Option<Problem> {
    (size > MAX_ZIP_SIZE).then(|| {
        refused(
            "",
            format!("the zip is {size} bytes, larger than any bundle can be"),
        )
    })
}

fn read_zip(mut tree: Tree, size: u64, wanted: Wanted) -> Result<Tree, BundleError> {
    let path = tree.source.clone();
    if let Some(problem) = zip_too_large(size) {
        tree.refused.push(problem);
        return Ok(tree);
    }
    let file = fs::File::open(&path).map_err(BundleError::io("read", &path))?;
    read_zip_from(tree, file, wanted)
}

/// [`read_zip`] once the zip is open: `zip` is read from its start.
fn read_zip_from<R: Read + std::io::Seek>(
    mut tree: Tree,
    mut zip: R,
    wanted: Wanted,
) -> Result<Tree, BundleError> {
    let path = tree.source.clone();
    let unrecognised = |reason: String| BundleError::Unrecognised {
        path: path.clone(),
        reason,
    };
    let mut magic = Vec::new();
    (&mut zip)
        .take(2)
        .read_to_end(&mut magic)
        .map_err(BundleError::io("read", &path))?;
    if magic != b"PK" {
        return Err(unrecognised("not a zip file".into()));
    }
    let stored = match super::zipcheck::stored_names(&mut zip, MAX_ZIP_ENTRIES) {
        Ok(names) => names,
        Err(why) => {
            tree.refused.push(refused("", why));
            return Ok(tree);
        }
    };
    let mut archive =
        zip::ZipArchive::new(zip).map_err(|e| unrecognised(format!("not a readable zip: {e}")))?;
    let mut read_names: Vec<Vec<u8>> = (0..archive.len())
        .map(|i| archive.by_index_raw(i).map(|e| e.name_raw().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| unrecognised(format!("an entry cannot be read: {e}")))?;
    let mut stored_sorted = stored;
    stored_sorted.sort();
    read_names.sort();
    if read_names != stored_sorted {
        tree.refused.push(refused(
            "",
            "the zip reader sees other entries than the zip stores",
        ));
        return Ok(tree);
    }
    let entries = zip_entries(&mut archive, &mut tree).map_err(unrecognised)?;
    if !tree.refused.is_empty() {
        return Ok(tree);
    }
    read_zip_contents(&mut archive, entries, wanted, &mut tree);
    if !tree.refused.is_empty() {
        tree.files.clear();
        tree.reports.clear();
    }
    Ok(tree)
}

/// Pass 1: names, kinds and declared sizes only. Refusals go into `tree`; `Err` is a zip the
/// reader cannot walk.
fn zip_entries<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    tree: &mut Tree,
) -> Result<Vec<ZipEntry>, String> {
    let mut names = Vec::with_capacity(archive.len());
    let mut tops = BTreeSet::new();
    let (mut total, mut counted, mut reports) = (0u64, 0usize, 0usize);
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| format!("entry {i} cannot be read: {e}"))?;
        let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let shown = crate::names::printable(&raw);
        let report = raw
            .split_once('/')
            .is_some_and(|(_, rel)| is_report_path(rel.trim_end_matches('/')));
        // The zip's top folder is the bundle itself, not one of its entries (as for a folder).
        let top_folder = entry.is_dir() && !raw.trim_end_matches('/').contains('/');
        if report {
            reports += 1;
        } else if !top_folder {
            counted += 1;
            total = total.saturating_add(entry.size());
        }
        let problem = if let Some(why) = unsafe_name(&raw) {
            Some(why.to_string())
        } else if entry.is_symlink() {
            Some("symbolic link".into())
        } else if entry.encrypted() {
            Some("encrypted entry".into())
        } else if !report && entry.size() > MAX_ENTRY_SIZE {
            Some(format!(
                "declares {} bytes, larger than any bundle file can be",
                entry.size()
            ))
        } else if !report && total > MAX_TOTAL_SIZE {
            Some("entries add up to more than any bundle can be".into())
        } else {
            None
        };
        match problem {
            Some(why) => tree.refused.push(refused(&shown, why)),
            None => {
                tops.insert(raw.split('/').next().unwrap_or("").to_string());
                names.push(ZipEntry {
                    index: i,
                    is_dir: entry.is_dir(),
                    name: raw,
                    report,
                });
            }
        }
    }
    if counted > MAX_ENTRIES {
        tree.refused.push(refused("", too_many_entries(counted)));
    }
    if reports > MAX_REPORTS {
        tree.refused.push(refused("", too_many_reports(reports)));
    }
    if tops.len() > 1 {
        tree.refused.push(refused(
            "",
            format!(
                "entries under {} top folders; a bundle zip has exactly one",
                tops.len()
            ),
        ));
    }
    Ok(names)
}

/// Pass 2: contents of the wanted files, bounded whatever the headers declared; reports listed.
fn read_zip_contents<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    entries: Vec<ZipEntry>,
    wanted: Wanted,
    tree: &mut Tree,
) {
    for ZipEntry {
        index,
        name,
        is_dir,
        report,
    } in entries
    {
        let rel = name
            .split_once('/')
            .map(|(_, r)| r)
            .unwrap_or("")
            .trim_end_matches('/')
            .to_string();
        if is_dir {
            if !rel.is_empty() {
                tree.dirs.insert(rel);
            }
            continue;
        }
        if rel.is_empty() {
            tree.refused
                .push(refused(&name, "a file outside the top folder"));
            continue;
        }
        let mut parent = rel.as_str();
        while let Some((p, _)) = parent.rsplit_once('/') {
            tree.dirs.insert(p.to_string());
            parent = p;
        }
        if report {
            tree.reports.push(rel);
            continue;
        }
        if !wanted.contains(&rel) {
            continue;
        }
        let mut bytes = Vec::new();
        let read = archive
            .by_index(index)
            .map_err(|e| e.to_string())
            .and_then(|f| {
                f.take(MAX_ENTRY_SIZE + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| e.to_string())
            });
        match read {
            Err(e) => tree
                .refused
                .push(refused(&name, format!("cannot be read: {e}"))),
            Ok(_) if bytes.len() as u64 > MAX_ENTRY_SIZE => tree
                .refused
                .push(refused(&name, "holds more data than its header declares")),
            Ok(_) => {
                tree.files.insert(rel, bytes);
            }
        }
    }
    tree.reports.sort();
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn unsafe_names() {
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "C:/x",
            "a\\b",
            "a//b",
            "./a",
            "a/\u{1b}x",
        ] {
            assert!(unsafe_name(bad).is_some(), "{bad:?}");
        }
        for good in ["b/", "b/SHA256SUMS", "b/certs/Root/X_1.cer", "b/reports/"] {
            assert!(unsafe_name(good).is_none(), "{good:?}");
        }
    }
}
