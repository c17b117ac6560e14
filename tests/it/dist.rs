//! `.ci/dist`, the release archives: two runs write the same bytes, `SHA256SUMS` checks them, each
//! archive holds exactly the expected files (the binaries as Cargo built them) with fixed times,
//! owners and modes, the Windows exe carries no link time, and `THIRD-PARTY-LICENSES.txt` names
//! every package `cargo tree` says the binary links. The archives are read with the `tar`,
//! `flate2` and `zip` crates, not with the Python that wrote them.
//!
//! `.ci/dist` is run once for all the tests here (twice, to compare): it finds the release builds
//! done after the first time, so a run takes seconds.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

const LINUX: &str = "x86_64-unknown-linux-gnu";
const WINDOWS: &str = "x86_64-pc-windows-gnu";
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Both runs of `.ci/dist`, and the entry time they used.
struct Dist {
    first: PathBuf,
    second: PathBuf,
    mtime: u64,
}

/// Runs `.ci/dist` into two fresh folders: once without SOURCE_DATE_EPOCH (it takes the last
/// commit's time), once with SOURCE_DATE_EPOCH set to that time. Same bytes expected. Between the
/// runs certbundle itself is cleaned from both release builds, so the second run compiles and
/// links it again from clean (with fresh import libraries for the Windows DLLs, which rustc makes
/// in a folder of a random name): the archives hold the rebuilt binaries. The dependencies are
/// not rebuilt (minutes more on two cores).
fn dist() -> &'static Dist {
    static DIST: OnceLock<Dist> = OnceLock::new();
    DIST.get_or_init(|| {
        // No other test reads a release build while it is cleaned and rebuilt.
        let _builds = crate::common::winexe::BUILD_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let commit_time = output(
            Command::new("git")
                .args(["log", "-1", "--format=%ct"])
                .current_dir(repo()),
        );
        let mtime: u64 = commit_time.trim().parse().unwrap();
        let runs = [("dist-run-1", None), ("dist-run-2", Some(mtime))];
        let [first, second] = runs.map(|(name, epoch)| {
            if epoch.is_some() {
                clean_certbundle();
            }
            let out = tmp.join(name);
            if out.exists() {
                std::fs::remove_dir_all(&out).unwrap();
            }
            let mut cmd = Command::new(repo().join(".ci/dist"));
            cmd.arg(&out).current_dir(repo());
            match epoch {
                Some(epoch) => cmd.env("SOURCE_DATE_EPOCH", epoch.to_string()),
                None => cmd.env_remove("SOURCE_DATE_EPOCH"),
            };
            output(&mut cmd);
            out
        });
        Dist {
            first,
            second,
            mtime,
        }
    })
}

/// Removes what the release builds hold of certbundle itself (the binary, its compiled crates,
/// its build script's output and Cargo's records of them), for both targets.
fn clean_certbundle() {
    let target_dir = crate::common::winexe::target_dir();
    for target in [LINUX, WINDOWS] {
        let release = target_dir.join(target).join("release");
        for name in ["certbundle", "certbundle.exe", "certbundle.d"] {
            let _ = std::fs::remove_file(release.join(name));
        }
        for folder in ["deps", ".fingerprint", "build"] {
            let Ok(entries) = std::fs::read_dir(release.join(folder)) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with("certbundle-") || name.starts_with("libcertbundle-") {
                    let path = e.path();
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
        assert!(!release.join("certbundle").exists() && !release.join("certbundle.exe").exists());
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `cmd`, panics with its messages unless it succeeds; its stdout.
fn output(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.current_dir(repo());
    cmd
}

fn archive_name(target: &str) -> String {
    let ext = if target == WINDOWS { "zip" } else { "tar.gz" };
    format!("certbundle-{VERSION}-{target}.{ext}")
}

fn sha256_hex(bytes: &[u8]) -> String {
    data_encoding::HEXLOWER.encode(&Sha256::digest(bytes))
}

/// Every file in `dir`, name -> bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            (name, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// An archive entry as read back: path, contents (None for a folder), mode.
#[derive(Debug)]
struct Entry {
    path: String,
    data: Option<Vec<u8>>,
    mode: u32,
}

/// The `.tar.gz`'s entries, in order; checks the gzip header, and each entry's time and owner.
fn tar_entries(bytes: &[u8], mtime: u64) -> Vec<Entry> {
    assert_eq!(bytes[..3], [0x1f, 0x8b, 8], "not a deflated gzip stream");
    assert_eq!(bytes[3] & 0x08, 0, "the gzip header carries a file name");
    assert_eq!(bytes[4..8], [0, 0, 0, 0], "the gzip header carries a time");
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut entries = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let header = entry.header();
        let path = entry.path().unwrap().to_string_lossy().into_owned();
        assert_eq!(header.mtime().unwrap(), mtime, "{path}: time");
        assert_eq!(header.uid().unwrap(), 0, "{path}: uid");
        assert_eq!(header.gid().unwrap(), 0, "{path}: gid");
        assert!(
            header.as_ustar().is_some(),
            "{path}: not a ustar (PAX) header"
        );
        let mode = header.mode().unwrap();
        let data = match header.entry_type() {
            tar::EntryType::Directory => None,
            tar::EntryType::Regular => {
                let mut data = Vec::new();
                entry.read_to_end(&mut data).unwrap();
                Some(data)
            }
            other => panic!("{path}: unexpected entry type {other:?}"),
        };
        let path = match data {
            None => format!("{}/", path.trim_end_matches('/')),
            Some(_) => path,
        };
        entries.push(Entry { path, data, mode });
    }
    entries
}

/// The `.zip`'s entries, in order; checks each entry's date (DOS dates count seconds in twos).
fn zip_entries(bytes: &[u8], mtime: u64) -> Vec<Entry> {
    let at = time::OffsetDateTime::from_unix_timestamp(mtime as i64).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut entries = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let path = file.name().unwrap().into_owned();
        let date = file.last_modified().unwrap();
        let got = (
            i32::from(date.year()),
            date.month(),
            date.day(),
            date.hour(),
            date.minute(),
            date.second(),
        );
        let want = (
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second() / 2 * 2,
        );
        assert_eq!(got, want, "{path}: date");
        let mode = file
            .unix_mode()
            .unwrap_or_else(|| panic!("{path}: no mode"));
        let data = if file.is_dir() {
            None
        } else {
            assert_eq!(
                file.compression(),
                zip::CompressionMethod::Deflated,
                "{path}"
            );
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            Some(data)
        };
        entries.push(Entry { path, data, mode });
    }
    entries
}

fn entries(target: &str) -> Vec<Entry> {
    let d = dist();
    let bytes = std::fs::read(d.first.join(archive_name(target))).unwrap();
    if target == WINDOWS {
        zip_entries(&bytes, d.mtime)
    } else {
        tar_entries(&bytes, d.mtime)
    }
}

fn entry<'a>(entries: &'a [Entry], path: &str) -> &'a [u8] {
    let found = entries.iter().find(|e| e.path.ends_with(path));
    found
        .and_then(|e| e.data.as_deref())
        .unwrap_or_else(|| panic!("no file {path}"))
}

/// Where Cargo put the release binary for `target`.
fn built_binary(target: &str) -> PathBuf {
    let meta = output(cargo().args(["metadata", "--no-deps", "--format-version", "1"]));
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let exe = if target == WINDOWS {
        "certbundle.exe"
    } else {
        "certbundle"
    };
    Path::new(meta["target_directory"].as_str().unwrap())
        .join(target)
        .join("release")
        .join(exe)
}

#[test]
#[cfg_attr(
    not(all(has_python3, has_windows_target, has_mingw, has_nasm)),
    ignore = "needs python3, the x86_64-pc-windows-gnu target (rustup), MinGW-w64 (x86_64-w64-mingw32-gcc) and nasm"
)]
fn two_runs_write_the_same_bytes_and_sha256sums_checks_them() {
    let d = dist();
    let first = files(&d.first);
    let names: BTreeSet<&str> = first.keys().map(String::as_str).collect();
    let (linux, windows) = (archive_name(LINUX), archive_name(WINDOWS));
    let want = BTreeSet::from(["SHA256SUMS", linux.as_str(), windows.as_str()]);
    assert_eq!(names, want, "the files .ci/dist wrote");
    assert!(
        first == files(&d.second),
        "the second run wrote other bytes"
    );
    // Nothing else beside the output folders either (the staging folders are gone).
    let leftovers: Vec<String> = std::fs::read_dir(d.first.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    let sums = String::from_utf8(first["SHA256SUMS"].clone()).unwrap();
    let mut want: Vec<String> = [&linux, &windows]
        .iter()
        .map(|name| format!("{}  {name}", sha256_hex(&first[name.as_str()])))
        .collect();
    // Sorted by file name.
    want.sort_by_key(|line| line.split_once("  ").map(|(_, name)| name.to_string()));
    assert_eq!(sums, format!("{}\n", want.join("\n")));
}

#[test]
#[cfg_attr(
    not(all(has_python3, has_windows_target, has_mingw, has_nasm)),
    ignore = "needs python3, the x86_64-pc-windows-gnu target (rustup), MinGW-w64 (x86_64-w64-mingw32-gcc) and nasm"
)]
fn each_archive_holds_the_expected_files_with_fixed_times_owners_and_modes() {
    for target in [LINUX, WINDOWS] {
        let exe = if target == WINDOWS {
            "certbundle.exe"
        } else {
            "certbundle"
        };
        let top = format!("certbundle-{VERSION}-{target}/");
        let want: Vec<String> = [
            "",
            "LICENSE-APACHE",
            "LICENSE-MIT",
            "README.md",
            "THIRD-PARTY-LICENSES.txt",
            exe,
            "certs/",
            "certs/SOURCES.md",
            "completions/",
            "completions/_certbundle",
            "completions/certbundle.bash",
            "completions/certbundle.fish",
            "completions/certbundle.ps1",
            "man/",
            "man/certbundle.1",
        ]
        .iter()
        .map(|p| format!("{top}{p}"))
        .collect();
        let entries = entries(target);
        let got: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(got, want, "{target}: entries, in order");
        for e in &entries {
            let want_mode = match &e.data {
                None => 0o755,
                Some(_) if e.path.ends_with(&format!("/{exe}")) => 0o755,
                Some(_) => 0o644,
            };
            assert_eq!(e.mode & 0o7777, want_mode, "{}: mode {:o}", e.path, e.mode);
            if target == WINDOWS {
                let kind = if e.data.is_none() { 0o040000 } else { 0o100000 };
                assert_eq!(e.mode & 0o170000, kind, "{}: file type", e.path);
            }
        }
        for doc in [
            "README.md",
            "LICENSE-MIT",
            "LICENSE-APACHE",
            "certs/SOURCES.md",
        ] {
            let repo_bytes = std::fs::read(repo().join(doc)).unwrap();
            assert!(
                entry(&entries, &format!("/{doc}")) == repo_bytes,
                "{target}: {doc} differs from the repository's"
            );
        }
        for generated in [
            "completions/_certbundle",
            "completions/certbundle.bash",
            "completions/certbundle.fish",
            "completions/certbundle.ps1",
            "man/certbundle.1",
        ] {
            assert!(
                !entry(&entries, &format!("/{generated}")).is_empty(),
                "{target}: {generated} is empty"
            );
        }
    }
    // The completions and the man page are the same text in both archives.
    let (linux, windows) = (entries(LINUX), entries(WINDOWS));
    for name in ["completions/certbundle.ps1", "man/certbundle.1"] {
        assert!(
            entry(&linux, name) == entry(&windows, name),
            "{name} differs between the archives"
        );
    }
}

#[test]
#[cfg_attr(
    not(all(has_python3, has_windows_target, has_mingw, has_nasm)),
    ignore = "needs python3, the x86_64-pc-windows-gnu target (rustup), MinGW-w64 (x86_64-w64-mingw32-gcc) and nasm"
)]
fn the_archived_binaries_are_the_release_builds_and_the_exe_carries_no_link_time() {
    for (target, exe) in [(LINUX, "/certbundle"), (WINDOWS, "/certbundle.exe")] {
        let entries = entries(target);
        let built = std::fs::read(built_binary(target)).unwrap();
        assert!(
            entry(&entries, exe) == built,
            "{target}: the archived binary is not the release build"
        );
    }
    let entries = entries(WINDOWS);
    let exe = entry(&entries, "/certbundle.exe");
    let pe = object::read::pe::PeFile64::parse(exe).unwrap();
    let stamp = pe
        .nt_headers()
        .file_header
        .time_date_stamp
        .get(object::LittleEndian);
    assert_eq!(
        stamp, 0,
        "the COFF header of certbundle.exe carries a link time"
    );
}

/// The packages `cargo tree` says the binary for `target` links (normal dependencies, no
/// proc-macros), certbundle itself left out.
fn linked_packages(target: &str) -> BTreeSet<(String, String)> {
    let tree = output(cargo().args([
        "tree",
        "--locked",
        "-e",
        "normal,no-proc-macro",
        "--target",
        target,
        "--prefix",
        "none",
        "--format",
        "{p}",
    ]));
    tree.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let name = words.next()?.to_string();
            let version = words.next()?.trim_start_matches('v').to_string();
            (name != "certbundle").then_some((name, version))
        })
        .collect()
}

/// The packages THIRD-PARTY-LICENSES.txt gives a section: `Package: <name> <version>` after a
/// rule of 80 `=`.
fn listed_packages(text: &str) -> BTreeSet<(String, String)> {
    let rule = "=".repeat(80);
    let lines: Vec<&str> = text.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0] == rule)
        .filter_map(|w| w[1].strip_prefix("Package: "))
        .map(|package| {
            let (name, version) = package.split_once(' ').unwrap();
            (name.to_string(), version.to_string())
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(all(has_python3, has_windows_target, has_mingw, has_nasm)),
    ignore = "needs python3, the x86_64-pc-windows-gnu target (rustup), MinGW-w64 (x86_64-w64-mingw32-gcc) and nasm"
)]
fn third_party_licences_name_every_package_the_binary_links() {
    let mut names = BTreeMap::new();
    for target in [LINUX, WINDOWS] {
        let entries = entries(target);
        let text =
            String::from_utf8(entry(&entries, "/THIRD-PARTY-LICENSES.txt").to_vec()).unwrap();
        let listed = listed_packages(&text);
        let linked = linked_packages(target);
        let missing: Vec<_> = linked.difference(&listed).collect();
        assert!(
            missing.is_empty(),
            "{target}: THIRD-PARTY-LICENSES.txt leaves out {missing:?}"
        );
        for name in [
            "rustls",
            "aws-lc-rs",
            "aws-lc-sys",
            "zip",
            "x509-parser",
            "clap",
        ] {
            assert!(
                listed.iter().any(|(n, _)| n == name),
                "{target}: {name} not listed"
            );
        }
        // Every section carries a licence text (all of today's packages ship one).
        assert!(
            !text.contains("This package ships no licence text."),
            "{target}: a package without licence text"
        );
        names.insert(
            target,
            listed.into_iter().map(|(n, _)| n).collect::<BTreeSet<_>>(),
        );
    }
    assert!(
        names[WINDOWS].contains("windows-sys"),
        "windows-sys not in the Windows list"
    );
    assert!(
        !names[LINUX].iter().any(|n| n.starts_with("windows")),
        "a windows crate in the Linux list: {:?}",
        names[LINUX]
    );
}
