//! What the tests of the generated `.cmd` files share (install_cmd.rs, publish_domain.rs): a
//! bundle to run them in, with a folder of its own for the doubles' log and stores, and checks
//! of what a run left behind. The Wine prefix and the runs themselves are in `wine.rs`.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use super::wine::{Run, Wine};
use super::*;

/// The prefix. Tests are ignored where build.rs found no Wine or MinGW; a prefix that cannot be
/// made fails the test, saying why.
fn wine() -> Option<&'static Wine> {
    match super::wine::wine() {
        Ok(w) => Some(w),
        Err((tool, why)) => {
            tool_missing(tool, &why);
            None
        }
    }
}

/// Runs a test's body with the prefix, once more from the start when the first attempt fails.
///
/// Wine now and then fails under load in ways no script can cause: a lookup of a program that is
/// there fails (`cmd` says "Can't recognize" into wherever the script sent that program's errors;
/// tests/it/common/wine.rs removes the cause it found), or a whole run prints nothing (seen once in
/// about twenty runs of this file, cause unknown). Each attempt builds its own bundle, stores and
/// folders, and the scripts are deterministic under the doubles, so a defect fails both attempts;
/// the first failure is printed and kept in `target/tmp/wine-retries.log`, so a retry is never
/// silent.
pub fn with_wine(body: impl Fn(&'static Wine)) {
    let Some(wine) = wine() else { return };
    let first = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| body(wine)));
    let Err(failure) = first else { return };
    let why = failure
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| failure.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let note = format!("{test}: first attempt failed, running it again:\n{why}\n\n");
    eprint!("{note}");
    let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-retries.log");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        use std::io::Write;
        let _ = f.write_all(note.as_bytes());
    }
    body(wine);
}

/// A bundle of a root and an intermediate under `parent`; its folder and digest.
pub fn bundle(parent: &Path) -> (PathBuf, String) {
    std::fs::create_dir_all(parent).unwrap();
    let (folder, _, digest) = build_bundle(parent, &good_input(parent), "site-certs");
    (folder, digest)
}

/// The certificate files of a bundle, relative with `\`, in the installer's order (roots first).
pub fn cer_files(folder: &Path) -> Vec<String> {
    let mut files: Vec<String> = listing(folder)
        .into_iter()
        .filter(|f| f.ends_with(".cer"))
        .map(|f| f.replace('/', "\\"))
        .collect();
    files.sort_by_key(|f| (!f.starts_with("certs\\Root\\"), f.clone()));
    files
}

/// The files `certutil -hashfile` was asked about, in order.
pub fn hashed(run: &Run) -> Vec<&str> {
    run.of("certutil")
        .filter(|c| c.args[0] == "-hashfile")
        .map(|c| c.args[1].as_str())
        .collect()
}

/// The thumbprint of a bundle certificate file.
pub fn thumbprint(folder: &Path, file: &str) -> String {
    certbundle::hex::sha1_upper(&std::fs::read(folder.join(file.replace('\\', "/"))).unwrap())
}

/// The private folder a run made (from the icacls calls that locked it).
pub fn work_folder(run: &Run) -> String {
    let folders: std::collections::BTreeSet<&str> =
        run.of("icacls").map(|c| c.args[0].as_str()).collect();
    assert_eq!(
        folders.len(),
        1,
        "one private folder: {:#?}\n{}",
        run.calls,
        run.output
    );
    folders.into_iter().next().unwrap().to_string()
}

/// The icacls calls that lock a private folder: SYSTEM and Administrators, the running account
/// too when it is not elevated (its unelevated processes must not change an elevated run's
/// copies), Administrators as owner when elevated.
pub fn lock_calls(work: &str, elevated: bool) -> Vec<Vec<String>> {
    let mut grant: Vec<String> = [
        work,
        "/inheritance:r",
        "/grant:r",
        "*S-1-5-18:(OI)(CI)F",
        "*S-1-5-32-544:(OI)(CI)F",
    ]
    .map(String::from)
    .to_vec();
    if !elevated {
        grant.push("*S-1-5-21-1004336348-1177238915-682003330-1001:(OI)(CI)F".into());
        return vec![grant];
    }
    let owner = [work, "/setowner", "*S-1-5-32-544"]
        .map(String::from)
        .to_vec();
    vec![grant, owner]
}

pub const ELEVATED: (&str, &str) = ("CB_ELEVATED", "1");

pub struct Case {
    pub tmp: tempfile::TempDir,
    pub folder: PathBuf,
    pub digest: String,
}

impl Case {
    pub fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let (folder, digest) = bundle(&tmp.path().join("stick"));
        Case {
            tmp,
            folder,
            digest,
        }
    }

    pub fn scratch(&self) -> PathBuf {
        let s = self.tmp.path().join("scratch");
        std::fs::create_dir_all(&s).unwrap();
        s
    }

    /// `line` typed at a Command Prompt in the bundle folder.
    pub fn run(&self, wine: &Wine, line: &str, env: &[(&str, &str)]) -> Run {
        wine.run(&self.folder, line, env, &self.scratch())
    }

    pub fn file(&self, rel: &str) -> PathBuf {
        self.folder.join(rel.replace('\\', "/"))
    }

    /// Puts a certificate into a store of the doubles (`Machine`, `User`, or `System`: SYSTEM's own).
    pub fn put_in_store(&self, location: &str, store: &str, file: &str) {
        let thumb = thumbprint(&self.folder, file);
        write(
            &self.scratch().join("stores").join(location).join(store),
            &thumb,
            std::fs::read(self.file(file)).unwrap(),
        );
    }
}

/// Every private folder is gone after the run.
pub fn assert_cleaned_up(wine: &Wine, run: &Run) {
    let work = work_folder(run);
    assert!(
        work.contains("\\certbundle-"),
        "private folder {work} is not one of ours"
    );
    let path = wine.linux_path(&work);
    assert!(
        path.parent().unwrap().is_dir(),
        "{work}: its parent is not where the test looks"
    );
    assert!(!path.exists(), "{work} is still there after the run");
}

pub fn sha256_of(path: &Path) -> String {
    certbundle::hex::sha256_lower(&std::fs::read(path).unwrap())
}
