//! Writing a rendered bundle: the zip in memory first, then a staging folder, then renames. Single
//! files outside a bundle (`extract -o`, `fetch`, `report --html`) go the same way
//! ([`write_file_atomically`]): the crate has one atomic writer.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use time::OffsetDateTime;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use super::BundleError;
use crate::failpoint::changed;
use crate::limits::MAX_ENTRY_SIZE;
use crate::manifest;
use crate::render::Rendered;

/// Where and how to write.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The folder that receives `<name>/` and `<name>.zip`.
    pub(crate) dir: PathBuf,
    /// Replace an existing bundle of the same name.
    pub(crate) force: bool,
    /// Timestamp given to every file and zip entry.
    pub(crate) mtime: OffsetDateTime,
}

/// What was written.
#[derive(Debug, Clone)]
pub(crate) struct Written {
    /// The bundle folder.
    pub(crate) folder: PathBuf,
    /// The zip, when one was written.
    pub(crate) zip: Option<PathBuf>,
    /// Earlier bundle files that were replaced (`--force`).
    pub(crate) replaced: Vec<PathBuf>,
    /// The staging folder, when it could not be removed after the bundle was in place.
    pub(crate) leftover: Option<PathBuf>,
}

/// The zip of a rendered bundle: every folder and file under one top folder `<name>/`, sorted,
/// with fixed timestamps and permissions, so equal inputs give equal bytes.
///
/// Every file is stored, not compressed: the zip carries the bundle to the stick and is about
/// the size of the folder (about 300 KB for a product's few certificates, the scripts being
/// most of it; 1.2 MB for the 142 Mozilla roots). Deflate would halve the zip, but cost `build`
/// a tenth of its time even at the fastest level; DER hardly shrinks (CONTRIBUTING.md,
/// "Benchmarks").
pub(crate) fn pack(rendered: &Rendered, mtime: OffsetDateTime) -> Vec<u8> {
    let base = SimpleFileOptions::default()
        .last_modified_time(dos_time(mtime))
        .system(System::Unix)
        .compression_method(CompressionMethod::Stored);
    // A path in the zip; a file has its bytes, a folder has none.
    let mut entries: Vec<(String, Option<&[u8]>)> = vec![(format!("{}/", rendered.name), None)];
    entries.extend(
        rendered
            .dirs
            .iter()
            .map(|d| (format!("{}/{d}/", rendered.name), None)),
    );
    entries.extend(
        rendered
            .files
            .iter()
            .map(|(p, b)| (format!("{}/{p}", rendered.name), Some(b.as_slice()))),
    );
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    // Sized for the files and a header of each entry (both local and central, at most a few
    // hundred bytes with its path), so the zip never grows by copying itself.
    let size = rendered.files.values().map(Vec::len).sum::<usize>() + (entries.len() + 1) * 512;
    let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
    for (path, file) in entries {
        let written = match file {
            None => zip.add_directory(path, base.unix_permissions(0o755)),
            Some(bytes) => zip
                .start_file(path, base.unix_permissions(0o644))
                .and_then(|()| zip.write_all(bytes).map_err(Into::into)),
        };
        written.expect("writing to memory cannot fail");
    }
    zip.finish()
        .expect("writing to memory cannot fail")
        .into_inner()
}

/// The zip timestamp for `t` (zip time starts in 1980; earlier instants are clamped).
fn dos_time(t: OffsetDateTime) -> DateTime {
    let t = t.to_offset(time::UtcOffset::UTC);
    DateTime::from_date_and_time(
        t.year().clamp(1980, 2107) as u16,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

/// Writes the folder (and the zip, when given) into `target.dir`, atomically.
pub(crate) fn write(
    rendered: &Rendered,
    zip: Option<&[u8]>,
    target: &Target,
) -> Result<Written, BundleError> {
    let folder = target.dir.join(&rendered.name);
    let zip_path = target.dir.join(format!("{}.zip", rendered.name));
    if let Some(stale) = Staging::existing(&target.dir, &rendered.name) {
        return Err(BundleError::Interrupted { path: stale });
    }
    let mut replace = Vec::new();
    if exists(&folder) {
        replaceable_folder(&folder, target.force)?;
        replace.push(folder.clone());
    }
    // An old zip of the same name is replaced (or refused) even with --no-zip: left beside a new
    // folder it would be a stale copy waiting to be carried to the site.
    if exists(&zip_path) {
        replaceable_zip(&zip_path, &rendered.name, target.force)?;
        replace.push(zip_path.clone());
    }
    changed(fs::create_dir_all(&target.dir))
        .map_err(BundleError::io("create folder", &target.dir))?;
    let staging = Staging::create(&target.dir, &rendered.name)?;
    let staged_folder = staging.path.join(&rendered.name);
    write_tree(&staged_folder, rendered, target.mtime)?;
    let staged_zip = staging.path.join(format!("{}.zip", rendered.name));
    if let Some(bytes) = zip {
        write_file(&staged_zip, bytes, Some(target.mtime))?;
    }

    let old = staging.path.join("replaced");
    if !replace.is_empty() {
        changed(fs::create_dir(&old)).map_err(BundleError::io("create folder", &old))?;
    }
    let mut moved: Vec<(PathBuf, PathBuf)> = Vec::new();
    for (i, path) in replace.iter().enumerate() {
        let aside = old.join(i.to_string());
        if let Err(e) = rename("move aside", path, &aside, path) {
            if !restore(&moved) {
                return Err(staging.keep());
            }
            return Err(e);
        }
        moved.push((aside, path.clone()));
    }
    let mut placed: Vec<PathBuf> = Vec::new();
    let mut moves = vec![(staged_folder, folder.clone())];
    if zip.is_some() {
        moves.push((staged_zip, zip_path.clone()));
    }
    for (from, to) in moves {
        if let Err(e) = rename("move into place", &from, &to, &to) {
            let removed = placed
                .iter()
                .all(|p| retrying(|| remove(p), held, std::thread::sleep).is_ok());
            // What could not be undone stays in the staging folder, which is kept and named.
            if !removed || !restore(&moved) {
                return Err(staging.keep());
            }
            return Err(e);
        }
        placed.push(to);
    }
    // The renames reach the disk (a stick) before the replaced bundle goes.
    sync_folder(&target.dir);
    let leftover = staging.finish(); // removes what was replaced
    Ok(Written {
        folder,
        zip: zip.map(|_| zip_path),
        replaced: replace,
        leftover,
    })
}

/// Pauses between tries of a move that another program blocks, about 2.5 s in all: an antivirus
/// scanning a file just written lets go within moments; an open Explorer window does not.
const MOVE_PAUSES_MS: [u64; 6] = [50, 100, 200, 400, 800, 1000];

/// `fs::rename`, tried again while another program holds `from` or `to` ([`held`]); an error
/// that remains is [`BundleError::InUse`] when it is of that kind, else [`BundleError::Io`]. A
/// folder or a read-only file in the way is said at once (Windows gives those the same error
/// as a file another program holds).
fn rename(action: &'static str, from: &Path, to: &Path, shown: &Path) -> Result<(), BundleError> {
    if let Some(why) = in_the_way(from, to) {
        return Err(BundleError::io(action, shown)(std::io::Error::other(why)));
    }
    retrying(|| changed(fs::rename(from, to)), held, std::thread::sleep).map_err(|source| {
        if held(&source) {
            BundleError::InUse {
                action,
                path: shown.into(),
                source,
            }
        } else {
            BundleError::io(action, shown)(source)
        }
    })
}

/// Runs `op` until it succeeds, fails otherwise than `transient` says, or the pauses run out.
fn retrying(
    mut op: impl FnMut() -> std::io::Result<()>,
    transient: impl Fn(&std::io::Error) -> bool,
    mut pause: impl FnMut(std::time::Duration),
) -> std::io::Result<()> {
    let mut pauses = MOVE_PAUSES_MS.iter();
    loop {
        match op() {
            Err(e) if transient(&e) => match pauses.next() {
                Some(ms) => pause(std::time::Duration::from_millis(*ms)),
                None => return Err(e),
            },
            done => return done,
        }
    }
}

/// Whether Windows refused a move because another program has the file or folder (or one inside
/// it) open: ERROR_ACCESS_DENIED (5, what a folder open in Explorer gives), ERROR_SHARING_VIOLATION
/// (32), ERROR_LOCK_VIOLATION (33). Elsewhere an open file never blocks a rename.
fn held(e: &std::io::Error) -> bool {
    cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 33))
}

/// What makes `to` impossible to replace with `from` whoever holds it: a folder where a file goes
/// (or the other way round), or a read-only file.
fn in_the_way(from: &Path, to: &Path) -> Option<&'static str> {
    let to = fs::symlink_metadata(to).ok()?;
    let from_is_dir = fs::symlink_metadata(from).is_ok_and(|m| m.is_dir());
    if to.is_dir() && !from_is_dir {
        Some("a folder of that name is in the way")
    } else if !to.is_dir() && from_is_dir {
        Some("a file of that name is in the way")
    } else if cfg!(windows) && to.permissions().readonly() {
        Some("it is read-only")
    } else {
        None
    }
}

fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

fn remove(path: &Path) -> std::io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        changed(fs::remove_dir_all(path))
    } else {
        changed(fs::remove_file(path))
    }
}

/// Moves what was moved aside back; false when something could not go back (it is still aside).
fn restore(moved: &[(PathBuf, PathBuf)]) -> bool {
    let mut all = true;
    for (aside, original) in moved {
        // Every one is tried, whatever happened to the one before.
        all &= rename("move back", aside, original, original).is_ok();
    }
    all
}

/// An existing folder may be replaced only with --force, only when it is a bundle, and only
/// when it holds no installer reports.
fn replaceable_folder(folder: &Path, force: bool) -> Result<(), BundleError> {
    if !force {
        return Err(BundleError::BundleExists {
            path: folder.into(),
        });
    }
    let not_a_bundle = |why: &str| BundleError::NotABundle {
        path: folder.into(),
        why: why.into(),
    };
    if !fs::symlink_metadata(folder)
        .map(|m| m.is_dir())
        .unwrap_or(false)
    {
        return Err(not_a_bundle("not a folder"));
    }
    let mut manifest = Vec::new();
    fs::File::open(folder.join("manifest.json"))
        .and_then(|f| f.take(MAX_ENTRY_SIZE + 1).read_to_end(&mut manifest))
        .map_err(|_| not_a_bundle("no manifest.json"))?;
    if manifest.len() as u64 > MAX_ENTRY_SIZE {
        return Err(not_a_bundle(
            "manifest.json is larger than any bundle file can be",
        ));
    }
    if !manifest::is_manifest(&manifest) {
        return Err(not_a_bundle("manifest.json is not a certbundle manifest"));
    }
    let mut reports = 0;
    for entry in walkdir::WalkDir::new(folder.join("reports")) {
        match entry {
            Ok(e) if !e.file_type().is_dir() => reports += 1,
            Ok(_) => {}
            Err(e)
                if e.depth() == 0
                    && e.io_error()
                        .is_some_and(|io| io.kind() == std::io::ErrorKind::NotFound) => {}
            Err(e) => {
                let path = e
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| folder.join("reports"));
                let source = e
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("folder loop"));
                return Err(BundleError::Io {
                    action: "check for installer reports in",
                    path,
                    source,
                });
            }
        }
    }
    if reports > 0 {
        return Err(BundleError::HoldsReports {
            path: folder.into(),
            count: reports,
        });
    }
    Ok(())
}

fn replaceable_zip(path: &Path, name: &str, force: bool) -> Result<(), BundleError> {
    if !force {
        return Err(BundleError::BundleExists { path: path.into() });
    }
    let not_a_bundle = |why: &str| BundleError::NotABundle {
        path: path.into(),
        why: why.into(),
    };
    let file = fs::File::open(path).map_err(|_| not_a_bundle("cannot be opened"))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|_| not_a_bundle("not a zip file"))?;
    let reports_prefix = format!("{name}/reports/");
    let reports = archive
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with(&reports_prefix) && !n.ends_with('/'))
        .count();
    let mut manifest = Vec::new();
    let read = archive
        .by_name(&format!("{name}/manifest.json"))
        .map_err(|_| not_a_bundle("no manifest.json under its top folder"))
        .and_then(|f| {
            f.take(MAX_ENTRY_SIZE + 1)
                .read_to_end(&mut manifest)
                .map_err(|_| not_a_bundle("manifest.json cannot be read"))
        });
    read?;
    if manifest.len() as u64 > MAX_ENTRY_SIZE {
        return Err(not_a_bundle(
            "manifest.json is larger than any bundle file can be",
        ));
    }
    if !manifest::is_manifest(&manifest) {
        return Err(not_a_bundle("manifest.json is not a certbundle manifest"));
    }
    if reports > 0 {
        return Err(BundleError::HoldsReports {
            path: path.into(),
            count: reports,
        });
    }
    Ok(())
}

/// A hidden folder beside the target, removed with everything in it when dropped.
struct Staging {
    path: PathBuf,
    armed: bool,
}

impl Staging {
    const MARK: &'static str = ".certbundle-tmp-";

    /// A staging folder of an earlier build of `name` in `dir`, if one is left.
    fn existing(dir: &Path, name: &str) -> Option<PathBuf> {
        let prefix = format!(".{name}{}", Self::MARK);
        let mut found: Vec<PathBuf> = fs::read_dir(dir)
            .ok()?
            .filter_map(Result::ok)
            // Any case: on Windows and on a stick `.Site` and `.site` are one name.
            .filter(|e| {
                let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                name.starts_with(&prefix.to_ascii_lowercase())
            })
            .map(|e| e.path())
            .collect();
        found.sort();
        found.into_iter().next()
    }

    /// Keeps the folder (a replace could not be undone: it holds what is left) and says where.
    fn keep(mut self) -> BundleError {
        self.armed = false;
        BundleError::NotUndone {
            path: self.path.clone(),
        }
    }

    /// Removes the folder; returns it when that failed (the caller says so).
    fn finish(mut self) -> Option<PathBuf> {
        self.armed = false;
        let failed = changed(fs::remove_dir_all(&self.path)).is_err() && self.path.exists();
        failed.then(|| self.path.clone())
    }

    fn create(dir: &Path, name: &str) -> Result<Self, BundleError> {
        let pid = std::process::id();
        for attempt in 0..100 {
            let path = dir.join(format!(".{name}{}{pid}-{attempt}", Self::MARK));
            match changed(fs::create_dir(&path)) {
                Ok(()) => return Ok(Staging { path, armed: true }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(BundleError::io("create staging folder", path)(e)),
            }
        }
        Err(BundleError::Io {
            action: "create staging folder",
            path: dir.into(),
            source: std::io::Error::other("too many stale staging folders"),
        })
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.armed {
            let _ = changed(fs::remove_dir_all(&self.path));
        }
    }
}

fn write_tree(root: &Path, rendered: &Rendered, mtime: OffsetDateTime) -> Result<(), BundleError> {
    changed(fs::create_dir(root)).map_err(BundleError::io("create folder", root))?;
    // Each folder is made once, not again for every file in it.
    let mut made = std::collections::BTreeSet::from([root.to_path_buf()]);
    let folders = rendered.dirs.iter().map(|d| root.join(d));
    let parents = rendered
        .files
        .keys()
        .filter_map(|rel| root.join(rel).parent().map(Path::to_path_buf));
    for path in folders.chain(parents) {
        if !made.contains(&path) {
            changed(fs::create_dir_all(&path)).map_err(BundleError::io("create folder", &path))?;
            made.insert(path);
        }
    }
    for (rel, bytes) in &rendered.files {
        write_file(&root.join(rel), bytes, Some(mtime))?;
    }
    // Folders last, deepest first, so writing files into them does not change their times again.
    let mut dirs: Vec<PathBuf> = rendered.dirs.iter().map(|d| root.join(d)).collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    dirs.push(root.to_path_buf());
    for dir in dirs {
        set_dir_attributes(&dir, mtime);
    }
    Ok(())
}

/// Makes a folder certbundle writes into (`extract -o`, `fetch -o`), with its parents.
pub(crate) fn make_folder(dir: &Path) -> Result<(), BundleError> {
    changed(fs::create_dir_all(dir)).map_err(BundleError::io("create", dir))
}

/// Writes `bytes` to `path` through a staging folder beside it, so that a half-written file never
/// carries the final name; an existing file of that name is replaced. The file keeps the time it
/// was written at and the permissions the user's umask gives. An error names `path`, never the
/// hidden staging folder.
pub(crate) fn write_file_atomically(path: &Path, bytes: &[u8]) -> Result<(), BundleError> {
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    changed(fs::create_dir_all(dir)).map_err(BundleError::io("create folder", dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let in_path = |e: BundleError| match e {
        BundleError::Io { source, .. } => BundleError::io("write", path)(source),
        other => other,
    };
    let staging = Staging::create(dir, &name).map_err(in_path)?;
    let staged = staging.path.join(&name);
    write_file(&staged, bytes, None).map_err(in_path)?;
    rename("write", &staged, path, path)?;
    sync_folder(dir);
    let _ = staging.finish(); // best effort: an empty hidden folder at worst
    Ok(())
}

/// Writes one new file (never through a link or over a file someone put there first), synced.
/// A bundle file (`bundle_time` given) gets that time and fixed permissions, so that rebuilds are
/// identical; any other file keeps the time it was written at and the user's umask.
fn write_file(
    path: &Path,
    bytes: &[u8],
    bundle_time: Option<OffsetDateTime>,
) -> Result<(), BundleError> {
    let mut file = changed(
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path),
    )
    .map_err(BundleError::io("create file", path))?;
    changed(file.write_all(bytes)).map_err(BundleError::io("write file", path))?;
    file.sync_all()
        .map_err(BundleError::io("write file", path))?;
    if let Some(mtime) = bundle_time {
        let _ = changed(file.set_modified(SystemTime::from(mtime)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            changed(file.set_permissions(fs::Permissions::from_mode(0o644)))
                .map_err(BundleError::io("set permissions", path))?;
        }
    }
    Ok(())
}

/// Flushes a folder's entries (the names renamed into it) to the disk, where the platform can;
/// files are flushed as they are written. Windows writes removable drives through by default
/// ("Quick removal"). Best effort: a failure here changes nothing already written.
fn sync_folder(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Fixed permissions and time for a folder, where the platform allows (best effort on Windows).
fn set_dir_attributes(dir: &Path, mtime: OffsetDateTime) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = changed(fs::set_permissions(dir, fs::Permissions::from_mode(0o755)));
    }
    if let Ok(handle) = fs::File::open(dir) {
        let _ = changed(handle.set_modified(SystemTime::from(mtime)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zip_stores_every_file_as_it_is_under_the_top_folder_sorted_with_fixed_modes_and_time() {
        let text = "Write-Host 'x'\r\n".repeat(2000);
        let rendered = Rendered {
            name: "b".into(),
            files: [
                ("certs/Root/R_AB.cer".to_string(), vec![0x30, 0x82, 1, 2]),
                ("Install.ps1".to_string(), text.clone().into_bytes()),
            ]
            .into(),
            dirs: ["certs".to_string(), "certs/Root".to_string()].into(),
            digest: String::new(),
        };
        let at = OffsetDateTime::from_unix_timestamp(1_764_000_000).unwrap();
        let bytes = pack(&rendered, at);
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let names: Vec<_> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "b/",
                "b/Install.ps1",
                "b/certs/",
                "b/certs/Root/",
                "b/certs/Root/R_AB.cer"
            ]
        );
        for i in 0..archive.len() {
            let entry = archive.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let mode = if entry.is_dir() { 0o40755 } else { 0o100644 };
            assert_eq!(entry.unix_mode(), Some(mode), "{name}");
            let t = entry.last_modified().unwrap();
            let when = (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            );
            assert_eq!(when, (2025, 11, 24, 16, 0, 0), "{name}");
        }
        for (path, want) in &rendered.files {
            let mut entry = archive.by_name(&format!("b/{path}")).unwrap();
            assert_eq!(entry.compression(), CompressionMethod::Stored, "{path}");
            assert_eq!(entry.compressed_size(), want.len() as u64, "{path}");
            let mut got = Vec::new();
            entry.read_to_end(&mut got).unwrap();
            assert_eq!(&got, want, "{path}");
        }
        // Stored: the text is in the zip as it is, byte for byte.
        assert!(bytes.windows(text.len()).any(|w| w == text.as_bytes()));
    }

    #[test]
    fn a_single_file_is_written_whole_replaces_the_old_one_and_leaves_no_staging_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sub/a.cer");
        write_file_atomically(&path, b"one").unwrap();
        write_file_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let left: Vec<_> = fs::read_dir(tmp.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, ["a.cer"]);
    }

    #[test]
    fn a_folder_where_a_file_goes_is_said_at_once() {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("page.html");
        fs::create_dir(&folder).unwrap();
        let e = write_file_atomically(&folder, b"<p>")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            format!(
                "{}: cannot write: a folder of that name is in the way",
                folder.display()
            )
        );
        assert!(folder.is_dir());
    }

    #[test]
    fn a_file_that_cannot_be_written_is_named_not_the_staging_folder() {
        let tmp = tempfile::tempdir().unwrap();
        // The folder is a file: nothing can be made in it.
        let blocker = tmp.path().join("blocker");
        fs::write(&blocker, b"x").unwrap();
        let path = blocker.join("a.cer");
        let e = write_file_atomically(&path, b"one")
            .unwrap_err()
            .to_string();
        assert!(!e.contains("certbundle-tmp"), "{e}");
        assert!(e.starts_with(&blocker.display().to_string()), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_single_file_follows_the_umask_and_a_bundle_file_does_not() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let single = tmp.path().join("single.html");
        write_file_atomically(&single, b"<p>").unwrap();
        let bundle_file = tmp.path().join("bundle.cer");
        write_file(&bundle_file, b"der", Some(OffsetDateTime::UNIX_EPOCH)).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&bundle_file), 0o644);
        // What a fresh file gets under this process's umask.
        let probe = tmp.path().join("probe");
        fs::File::create(&probe).unwrap();
        assert_eq!(mode(&single), mode(&probe));
    }

    #[test]
    fn a_blocked_move_is_tried_again_for_a_while_and_only_when_blocked() {
        use std::io::{Error, ErrorKind};
        let blocked = |e: &Error| e.kind() == ErrorKind::ResourceBusy;
        // Blocked twice, then free: done, after two pauses.
        let (mut tries, mut paused) = (0, Vec::new());
        let done = retrying(
            || {
                tries += 1;
                if tries < 3 {
                    Err(Error::from(ErrorKind::ResourceBusy))
                } else {
                    Ok(())
                }
            },
            blocked,
            |d| paused.push(d.as_millis()),
        );
        assert!(done.is_ok());
        assert_eq!((tries, paused), (3, vec![50, 100]));
        // Blocked for good: every pause, then the error (about 2.5 s in all).
        let (mut tries, mut paused) = (0, Vec::new());
        let done = retrying(
            || {
                tries += 1;
                Err(Error::from(ErrorKind::ResourceBusy))
            },
            blocked,
            |d| paused.push(d.as_millis()),
        );
        assert_eq!(done.unwrap_err().kind(), ErrorKind::ResourceBusy);
        assert_eq!(tries, MOVE_PAUSES_MS.len() + 1);
        assert_eq!(paused.iter().sum::<u128>(), 2550);
        // Any other error: at once.
        let mut tries = 0;
        let done = retrying(
            || {
                tries += 1;
                Err(Error::from(ErrorKind::NotFound))
            },
            blocked,
            |_| panic!("no pause for an error that is not a block"),
        );
        assert_eq!((done.unwrap_err().kind(), tries), (ErrorKind::NotFound, 1));
    }

    #[test]
    fn a_file_already_at_the_staged_name_is_never_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let there = tmp.path().join("there");
        fs::write(&there, b"theirs").unwrap();
        assert!(write_file(&there, b"ours", None).is_err());
        assert_eq!(fs::read(&there).unwrap(), b"theirs");
    }
}
