//! Reading a bundle back, folder or zip, into memory: names, kinds and sizes are checked before
//! any content is read or trusted, and nothing is extracted to disk.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{BundleError, Problem, ProblemCode};

/// Largest single file accepted in a bundle.
pub const MAX_ENTRY_SIZE: u64 = 16 * 1024 * 1024;
/// Largest total size of a bundle's files.
pub const MAX_TOTAL_SIZE: u64 = 64 * 1024 * 1024;
/// Most entries accepted in a bundle.
pub const MAX_ENTRIES: usize = 10_000;

/// What kind of bundle was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A folder.
    Folder,
    /// A zip file.
    Zip,
}

/// A bundle read into memory.
#[derive(Debug, Clone)]
pub struct Tree {
    /// What was read.
    pub source: PathBuf,
    /// Folder or zip.
    pub kind: Kind,
    /// Files by path relative to the bundle folder, `/`-separated.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Folders, relative.
    pub dirs: BTreeSet<String>,
    /// Entries refused as unsafe. For a zip, any refusal means nothing was read at all.
    pub refused: Vec<Problem>,
}

/// Reads a bundle folder or zip.
pub fn read(path: &Path) -> Result<Tree, BundleError> {
    let meta = fs::metadata(path).map_err(BundleError::io("read", path))?;
    if meta.is_dir() {
        read_folder(path)
    } else if meta.is_file() {
        read_zip(path, meta.len())
    } else {
        Err(BundleError::Unrecognised {
            path: path.into(),
            reason: "not a file or folder".into(),
        })
    }
}

fn refused(path: &str, message: impl Into<String>) -> Problem {
    Problem {
        code: ProblemCode::UnsafeEntry,
        path: path.into(),
        message: message.into(),
    }
}

fn read_folder(root: &Path) -> Result<Tree, BundleError> {
    let mut tree = Tree {
        source: root.into(),
        kind: Kind::Folder,
        files: BTreeMap::new(),
        dirs: BTreeSet::new(),
        refused: Vec::new(),
    };
    let mut total = 0u64;
    for entry in walkdir::WalkDir::new(root)
        .follow_links(false)
        .sort_by_file_name()
        .min_depth(1)
    {
        let entry = entry.map_err(|e| {
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
        })?;
        let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
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
        if kind.is_dir() {
            tree.dirs.insert(rel);
        } else if kind.is_symlink() {
            tree.refused.push(refused(
                &rel,
                "symbolic link: a bundle holds only plain files",
            ));
        } else if !kind.is_file() {
            tree.refused.push(refused(&rel, "not a plain file"));
        } else {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            total += size;
            if size > MAX_ENTRY_SIZE || total > MAX_TOTAL_SIZE || tree.files.len() >= MAX_ENTRIES {
                tree.refused.push(refused(
                    &rel,
                    format!("{size} bytes: larger than any bundle file can be"),
                ));
                continue;
            }
            let mut bytes = Vec::new();
            fs::File::open(entry.path())
                .and_then(|f| f.take(MAX_ENTRY_SIZE + 1).read_to_end(&mut bytes))
                .map_err(BundleError::io("read", entry.path()))?;
            tree.files.insert(rel, bytes);
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

fn read_zip(path: &Path, size: u64) -> Result<Tree, BundleError> {
    let mut tree = Tree {
        source: path.into(),
        kind: Kind::Zip,
        files: BTreeMap::new(),
        dirs: BTreeSet::new(),
        refused: Vec::new(),
    };
    if size > MAX_TOTAL_SIZE {
        tree.refused.push(refused(
            "",
            format!("the zip is {size} bytes, larger than any bundle can be"),
        ));
        return Ok(tree);
    }
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(MAX_TOTAL_SIZE + 1).read_to_end(&mut bytes))
        .map_err(BundleError::io("read", path))?;
    let unrecognised = |reason: String| BundleError::Unrecognised {
        path: path.into(),
        reason,
    };
    if !bytes.starts_with(b"PK") {
        return Err(unrecognised("not a zip file".into()));
    }
    let stored = match super::zipcheck::stored_names(&bytes, MAX_ENTRIES) {
        Ok(names) => names,
        Err(why) => {
            tree.refused.push(refused("", why));
            return Ok(tree);
        }
    };
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.as_slice()))
        .map_err(|e| unrecognised(format!("not a readable zip: {e}")))?;
    let mut read_names: Vec<Vec<u8>> = (0..archive.len())
        .map(|i| archive.by_index_raw(i).map(|e| e.name_raw().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|e| unrecognised(format!("an entry cannot be read: {e}")))?;
    let mut stored_sorted = stored.clone();
    stored_sorted.sort();
    read_names.sort();
    if read_names != stored_sorted {
        tree.refused.push(refused(
            "",
            "the zip reader sees other entries than the zip stores",
        ));
        return Ok(tree);
    }

    // Pass 1: names, kinds and declared sizes only.
    let mut names = Vec::with_capacity(archive.len());
    let mut tops = BTreeSet::new();
    let mut total = 0u64;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| unrecognised(format!("entry {i} cannot be read: {e}")))?;
        let raw = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let shown = crate::names::printable(&raw);
        total = total.saturating_add(entry.size());
        let problem = if let Some(why) = unsafe_name(&raw) {
            Some(why.to_string())
        } else if entry.is_symlink() {
            Some("symbolic link".into())
        } else if entry.encrypted() {
            Some("encrypted entry".into())
        } else if entry.size() > MAX_ENTRY_SIZE {
            Some(format!(
                "declares {} bytes, larger than any bundle file can be",
                entry.size()
            ))
        } else if total > MAX_TOTAL_SIZE {
            Some("entries add up to more than any bundle can be".into())
        } else {
            None
        };
        match problem {
            Some(why) => tree.refused.push(refused(&shown, why)),
            None => {
                tops.insert(raw.split('/').next().unwrap_or("").to_string());
                names.push((i, raw, entry.is_dir()));
            }
        }
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
    if !tree.refused.is_empty() {
        return Ok(tree);
    }

    // Pass 2: contents, bounded whatever the headers declared.
    for (i, name, is_dir) in names {
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
        let mut bytes = Vec::new();
        let read = archive
            .by_index(i)
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
                let mut parent = rel.as_str();
                while let Some((p, _)) = parent.rsplit_once('/') {
                    tree.dirs.insert(p.to_string());
                    parent = p;
                }
                tree.files.insert(rel, bytes);
            }
        }
    }
    if !tree.refused.is_empty() {
        tree.files.clear();
    }
    Ok(tree)
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
