//! Install.cmd and Install-Certutil.cmd run, not only read: Wine's own `cmd.exe` runs the
//! generated files of a real bundle, with test doubles for the Windows tools they call
//! (tests/doubles/double.c; tests/common/wine.rs). What the doubles simplify is said there.
//!
//! What Wine's `cmd` does differently from Windows is not tested here: it expands `%` again in
//! the value of an expanded variable and has no `!var:a=b!` substitution, so folder names with
//! `%` stay a review item (the scripts never pass a path through `call` or a second command
//! line, which is what makes them safe on Windows).

mod common;

use std::path::{Path, PathBuf};

use common::wine::{Call, Run, Wine, windows_path};
use common::*;

/// The prefix, or the reason the test cannot run (said, or a failure when CI requires Wine).
fn wine() -> Option<&'static Wine> {
    match common::wine::wine() {
        Ok(w) => Some(w),
        Err((tool, why)) => {
            tool_missing(tool, &why);
            None
        }
    }
}

/// A bundle of a root and an intermediate under `parent`; its folder and digest.
fn bundle(parent: &Path) -> (PathBuf, String) {
    std::fs::create_dir_all(parent).unwrap();
    let (folder, _, digest) = build_bundle(parent, &good_input(parent), "site-certs");
    (folder, digest)
}

/// The certificate files of a bundle, relative with `\`, in the installer's order (roots first).
fn cer_files(folder: &Path) -> Vec<String> {
    let mut files: Vec<String> = listing(folder)
        .into_iter()
        .filter(|f| f.ends_with(".cer"))
        .map(|f| f.replace('/', "\\"))
        .collect();
    files.sort_by_key(|f| (!f.starts_with("certs\\Root\\"), f.clone()));
    files
}

/// The private folder a run made (from the icacls call that locked it).
fn work_folder(run: &Run) -> String {
    let icacls: Vec<&Call> = run.of("icacls").collect();
    assert_eq!(
        icacls.len(),
        1,
        "one private folder: {:#?}\n{}",
        run.calls,
        run.output
    );
    icacls[0].args[0].clone()
}

fn elevated() -> Vec<(&'static str, &'static str)> {
    vec![("CB_ELEVATED", "1")]
}

struct Case {
    tmp: tempfile::TempDir,
    folder: PathBuf,
    digest: String,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let (folder, digest) = bundle(&tmp.path().join("stick"));
        Case {
            tmp,
            folder,
            digest,
        }
    }

    fn scratch(&self) -> PathBuf {
        let s = self.tmp.path().join("scratch");
        std::fs::create_dir_all(&s).unwrap();
        s
    }

    fn run(&self, wine: &Wine, program: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
        wine.run(&self.folder, program, args, env, &self.scratch())
    }

    fn file(&self, rel: &str) -> PathBuf {
        self.folder.join(rel.replace('\\', "/"))
    }
}

/// Every private folder is gone, and nothing but the doubles' own calls were made from it.
fn assert_cleaned_up(wine: &Wine, run: &Run) {
    let work = work_folder(run);
    assert!(
        work.contains("\\certbundle-"),
        "private folder {work} is not one of ours"
    );
    assert!(
        !wine.linux_path(&work).exists(),
        "{work} is still there after the run"
    );
}

/// The one `powershell -File` call: script path and the arguments after it.
fn powershell_file(run: &Run) -> Option<(String, Vec<String>)> {
    let files: Vec<&Call> = run
        .of("powershell")
        .filter(|c| c.args.iter().any(|a| a == "-File"))
        .collect();
    assert!(
        files.len() <= 1,
        "PowerShell ran the script twice: {files:#?}"
    );
    files.first().map(|c| {
        let at = c.args.iter().position(|a| a == "-File").unwrap();
        (c.args[at + 1].clone(), c.args[at + 2..].to_vec())
    })
}

#[test]
fn an_untouched_bundle_runs_the_checked_copy_of_the_script_once_with_the_users_arguments() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    // Relative to where it was typed (the bundle folder here), and with a trailing backslash.
    let report_dir = "..\\site reports\\";
    let run = case.run(
        wine,
        "Install.cmd",
        &[
            "-CheckOnly",
            "-SkipProductCheck",
            "-ReportDir",
            report_dir,
            "-ExpectedDigest",
            &case.digest,
        ],
        &[("CB_PS_STATUS", "4")],
    );
    assert_eq!(run.code, 4, "{}", run.output);
    let work = work_folder(&run);
    let (script, args) = powershell_file(&run).expect("PowerShell ran the script");
    assert_eq!(script, format!("{work}\\copy\\Install-Certificates.ps1"));
    // The copy that ran is the bundle's script, byte for byte.
    let ps1 = std::fs::read(case.file("Install-Certificates.ps1")).unwrap();
    let ran = run
        .of("powershell")
        .find(|c| c.args.iter().any(|a| a == "-File"))
        .unwrap();
    assert_eq!(
        ran.args.last().unwrap(),
        &format!("sha256={}", certbundle::hex::sha256_lower(&ps1))
    );
    assert_eq!(
        args[..args.len() - 1],
        [
            "-BundleDir".to_string(),
            format!("{}\\.", windows_path(&case.folder)),
            "-StatusFile".to_string(),
            format!("{work}\\copy\\status.txt"),
            "-CheckOnly".to_string(),
            "-SkipProductCheck".to_string(),
            "-ExpectedDigest".to_string(),
            case.digest.clone(),
            "-ReportDir".to_string(),
            format!(
                "{}\\site reports\\.",
                windows_path(case.folder.parent().unwrap())
            ),
        ]
    );
    // Every file was hashed as a copy in the private folder, never on the stick.
    let hashed: Vec<&str> = run
        .of("certutil")
        .filter(|c| c.args[0] == "-hashfile")
        .map(|c| c.args[1].as_str())
        .collect();
    let mut expected = vec![
        format!("{work}\\copy\\SHA256SUMS"),
        format!("{work}\\copy\\Install.cmd"),
        format!("{work}\\copy\\Install-Certificates.ps1"),
        format!("{work}\\copy\\Install-Certutil.cmd"),
    ];
    expected.extend(
        cer_files(&case.folder)
            .iter()
            .map(|f| format!("{work}\\copy\\{f}")),
    );
    assert_eq!(hashed, expected);
    // The folder was locked to SYSTEM, Administrators and the running account, by SID.
    let icacls = run.of("icacls").next().unwrap();
    assert_eq!(
        icacls.args[1..],
        [
            "/inheritance:r",
            "/grant:r",
            "*S-1-5-18:(OI)(CI)F",
            "*S-1-5-32-544:(OI)(CI)F",
            "*S-1-5-21-1004336348-1177238915-682003330-1001:(OI)(CI)F",
        ]
    );
    assert!(
        run.output
            .contains("SHA256SUMS: its SHA-256 is the -ExpectedDigest you gave")
    );
    assert!(run.output.contains("matches its line in SHA256SUMS"));
    assert!(
        run.output
            .contains("exit code 4 (not compliant, nothing changed)")
    );
    assert_cleaned_up(wine, &run);
}

#[test]
fn without_a_digest_the_checks_still_run_and_say_nothing_anchored_them() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    let run = case.run(wine, "Install.cmd", &[], &elevated());
    assert_eq!(run.code, 0, "{}", run.output);
    assert!(
        run.output
            .contains(&format!("Bundle digest: {}", case.digest))
    );
    assert!(
        run.output
            .contains("No -ExpectedDigest: nothing outside the bundle anchored these checks")
    );
    assert_eq!(
        run.of("certutil")
            .filter(|c| c.args[0] == "-hashfile")
            .count(),
        // SHA256SUMS (for the digest shown), the two scripts, the certificates.
        1 + 2 + cer_files(&case.folder).len()
    );
    let (_, args) = powershell_file(&run).unwrap();
    assert!(!args.iter().any(|a| a == "-ExpectedDigest"));
    assert_cleaned_up(wine, &run);
}

/// A change to any file Install.cmd runs or installs, or a missing one: exit 2, the file named,
/// PowerShell never starts (not even to probe), nothing installed.
#[test]
fn a_changed_or_missing_file_stops_before_powershell_starts() {
    let Some(wine) = wine() else { return };
    for (file, change) in [
        ("Install-Certificates.ps1", "change"),
        ("Install-Certutil.cmd", "change"),
        ("a certificate", "change"),
        ("Install-Certificates.ps1", "delete"),
        ("a certificate", "delete"),
    ] {
        let case = Case::new();
        let cer = cer_files(&case.folder)[0].clone();
        let file = if file == "a certificate" {
            cer.as_str()
        } else {
            file
        };
        let path = case.file(file);
        if change == "delete" {
            std::fs::remove_file(&path).unwrap();
        } else {
            let mut bytes = std::fs::read(&path).unwrap();
            bytes.extend_from_slice(b"\r\n");
            std::fs::write(&path, bytes).unwrap();
        }
        let run = case.run(wine, "Install.cmd", &[], &elevated());
        assert_eq!(run.code, 2, "{file} {change}: {}", run.output);
        let word = if change == "delete" {
            "MISSING"
        } else {
            "CHANGED"
        };
        assert!(
            run.output.contains(&format!("{word}   {file}")),
            "{file} {change} not named: {}",
            run.output
        );
        assert!(run.output.contains("INTEGRITY FAILURE"));
        assert_eq!(
            run.of("powershell").count(),
            0,
            "{file} {change}: PowerShell started"
        );
        assert_eq!(run.of("reg").count(), 0);
        assert!(
            !run.calls
                .iter()
                .any(|c| c.args.iter().any(|a| a == "-addstore"))
        );
        assert_cleaned_up(wine, &run);
    }
}

#[test]
fn the_digest_anchors_sha256sums_and_install_cmd_itself() {
    let Some(wine) = wine() else { return };
    // A wrong digest.
    let case = Case::new();
    let wrong = "0".repeat(64);
    let run = case.run(
        wine,
        "Install.cmd",
        &["-ExpectedDigest", &wrong],
        &elevated(),
    );
    assert_eq!(run.code, 2, "{}", run.output);
    assert!(run.output.contains("is not the one you gave"));
    assert_eq!(run.of("powershell").count(), 0);
    assert_cleaned_up(wine, &run);

    // SHA256SUMS deleted: with a digest, exit 2.
    std::fs::remove_file(case.file("SHA256SUMS")).unwrap();
    let run = case.run(
        wine,
        "Install.cmd",
        &["-ExpectedDigest", &case.digest],
        &elevated(),
    );
    assert_eq!(run.code, 2, "{}", run.output);
    assert!(run.output.contains("SHA256SUMS is missing"));
    assert_eq!(run.of("powershell").count(), 0);
    assert_cleaned_up(wine, &run);

    // Deleting SHA256SUMS switches no check off: without a digest a changed certificate still
    // stops everything.
    let cer = cer_files(&case.folder)[0].clone();
    std::fs::write(case.file(&cer), b"not the certificate").unwrap();
    let run = case.run(wine, "Install.cmd", &[], &elevated());
    assert_eq!(run.code, 2, "{}", run.output);
    assert!(run.output.contains(&format!("CHANGED   {cer}")));
    assert_eq!(run.of("powershell").count(), 0);

    // Install.cmd changed (a line added that the digest cannot know about): exit 2.
    let case = Case::new();
    let mut launcher = std::fs::read(case.file("Install.cmd")).unwrap();
    launcher.extend_from_slice(b"rem changed\r\n");
    std::fs::write(case.file("Install.cmd"), launcher).unwrap();
    let run = case.run(
        wine,
        "Install.cmd",
        &["-ExpectedDigest", &case.digest],
        &elevated(),
    );
    assert_eq!(run.code, 2, "{}", run.output);
    assert!(
        run.output.contains("does not match its line in SHA256SUMS"),
        "{}",
        run.output
    );
    assert_eq!(run.of("powershell").count(), 0);
    assert_cleaned_up(wine, &run);

    // Digits in pairs (as older certutil prints them, and as they may be read out) are fine.
    let case = Case::new();
    let spaced: String = case
        .digest
        .as_bytes()
        .chunks(2)
        .map(|p| std::str::from_utf8(p).unwrap())
        .collect::<Vec<_>>()
        .join(" ");
    let run = case.run(
        wine,
        "Install.cmd",
        &["-ExpectedDigest", &spaced.to_uppercase()],
        &[("CB_ELEVATED", "1"), ("CB_CERTUTIL_SPACED", "1")],
    );
    assert_eq!(run.code, 0, "{}", run.output);
    let (_, args) = powershell_file(&run).unwrap();
    assert_eq!(
        args.iter()
            .position(|a| a == "-ExpectedDigest")
            .map(|i| &args[i + 1]),
        Some(&case.digest.to_uppercase())
    );
}

/// PowerShell missing (or blocked): Install-Certutil.cmd's checked copy installs checked copies,
/// even when the stick returns other bytes once a file has been hashed.
#[test]
fn the_certutil_fallback_installs_only_checked_copies() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    let cers = cer_files(&case.folder);
    let originals: Vec<Vec<u8>> = cers
        .iter()
        .map(|f| std::fs::read(case.file(f)).unwrap())
        .collect();
    let evil = root("Evil Root").der;
    let evil_file = write(case.tmp.path(), "evil.cer", &evil);
    let swap_to = windows_path(&case.file(&cers[0]));
    let swap_from = windows_path(&evil_file);
    let run = case.run(
        wine,
        "Install.cmd",
        &[],
        &[
            ("CB_ELEVATED", "1"),
            ("CB_PS_PROBE", "none"),
            ("CB_SWAP_FROM", &swap_from),
            ("CB_SWAP_TO", &swap_to),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.output);
    // The stick really did change under the run.
    assert_eq!(std::fs::read(case.file(&cers[0])).unwrap(), evil);
    assert!(run.output.contains("Using Install-Certutil.cmd"));
    assert!(powershell_file(&run).is_none());
    // Two private folders: Install.cmd's, then the one of the copy of Install-Certutil.cmd.
    let folders: Vec<String> = run.of("icacls").map(|c| c.args[0].clone()).collect();
    assert_eq!(folders.len(), 2, "{:#?}", run.calls);
    let added: Vec<&Call> = run
        .of("certutil")
        .filter(|c| c.args.iter().any(|a| a == "-addstore"))
        .collect();
    assert_eq!(added.len(), cers.len());
    for (call, (file, original)) in added.iter().zip(cers.iter().zip(&originals)) {
        assert_eq!(
            call.args[..3],
            [
                "-f",
                "-addstore",
                if file.contains("\\Root\\") {
                    "Root"
                } else {
                    "CA"
                }
            ]
        );
        assert_eq!(
            call.args[3],
            format!("{}\\copy\\{file}", folders[1]),
            "installed from elsewhere"
        );
        assert_eq!(
            call.args[4],
            format!("sha256={}", certbundle::hex::sha256_lower(original)),
            "{file}: not the checked bytes"
        );
    }
    // Recorded for -Uninstall, and nothing evil in any store.
    assert_eq!(run.of("reg").count(), cers.len());
    let stores = case.scratch().join("stores/Machine");
    let evil_thumb = certbundle::hex::sha1_upper(&evil).to_ascii_lowercase();
    assert!(!listing(&stores).iter().any(|f| f.contains(&evil_thumb)));
    assert_eq!(
        listing(&stores).iter().filter(|f| f.contains('/')).count(),
        cers.len()
    );
    for folder in &folders {
        assert!(!wine.linux_path(folder).exists(), "{folder} left behind");
    }
}

#[test]
fn install_certutil_cmd_on_its_own_copies_checks_and_installs_only_copies() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    let cers = cer_files(&case.folder);
    // /check changes nothing and finds both missing.
    let run = case.run(wine, "Install-Certutil.cmd", &["/check"], &[]);
    assert_eq!(run.code, 4, "{}", run.output);
    assert!(
        !run.calls
            .iter()
            .any(|c| c.args.iter().any(|a| a == "-addstore"))
    );
    assert_cleaned_up(wine, &run);
    // Not as administrator: refused before anything.
    let run = case.run(wine, "Install-Certutil.cmd", &[], &[]);
    assert_eq!(run.code, 3, "{}", run.output);
    assert_eq!(run.of("certutil").count(), 0);
    // Installs the copies in its own private folder.
    let run = case.run(wine, "Install-Certutil.cmd", &[], &elevated());
    assert_eq!(run.code, 0, "{}", run.output);
    let work = work_folder(&run);
    for file in &cers {
        assert!(
            run.of("certutil")
                .any(|c| c.args[..2] == ["-f", "-addstore"]
                    && c.args[3] == format!("{work}\\copy\\{file}")),
            "{file} not installed from the copy: {:#?}",
            run.calls
        );
    }
    assert_cleaned_up(wine, &run);
    // A second run finds them present and changes nothing.
    let run = case.run(wine, "Install-Certutil.cmd", &[], &elevated());
    assert_eq!(run.code, 0, "{}", run.output);
    assert!(
        !run.calls
            .iter()
            .any(|c| c.args.iter().any(|a| a == "-addstore"))
    );
    // A changed certificate: exit 2, nothing installed.
    let case = Case::new();
    let cers = cer_files(&case.folder);
    std::fs::write(case.file(&cers[1]), b"changed").unwrap();
    let run = case.run(wine, "Install-Certutil.cmd", &[], &elevated());
    assert_eq!(run.code, 2, "{}", run.output);
    assert!(run.output.contains(&format!("CHANGED   {}", cers[1])));
    assert!(
        !run.calls
            .iter()
            .any(|c| c.args.iter().any(|a| a == "-addstore"))
    );
    assert_cleaned_up(wine, &run);
}

#[test]
fn no_private_folder_no_run() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    for (env, says, locked) in [
        // icacls fails.
        (
            ("CB_ICACLS_EXIT", "5"),
            "icacls.exe could not restrict",
            true,
        ),
        // whoami gives no SID: the folder is not even made.
        (
            ("CB_WHOAMI_SID", "Administrators"),
            "whoami.exe did not say",
            false,
        ),
    ] {
        let run = case.run(wine, "Install.cmd", &[], &[("CB_ELEVATED", "1"), env]);
        assert_eq!(run.code, 3, "{env:?}: {}", run.output);
        assert!(run.output.contains(says), "{env:?}: {}", run.output);
        assert!(run.output.contains("Nothing was changed."), "{env:?}");
        assert_eq!(run.of("powershell").count(), 0, "{env:?}");
        assert_eq!(run.of("certutil").count(), 0, "{env:?}");
        if locked {
            assert_cleaned_up(wine, &run);
        } else {
            assert_eq!(run.of("icacls").count(), 0, "{env:?}");
        }
    }
    // Someone got something into the folder before its access was restricted (a name cmd's
    // "for /f" would skip by default, or the name of the folder for the copies): stop, and
    // delete nothing of theirs (as administrator, a link among it could lead anywhere).
    for planted in [";status.txt", "copy"] {
        let run = case.run(
            wine,
            "Install.cmd",
            &[],
            &[("CB_ELEVATED", "1"), ("CB_ICACLS_PLANT", planted)],
        );
        assert_eq!(run.code, 3, "{planted}: {}", run.output);
        assert!(
            run.output.contains("Something else was created in"),
            "{}",
            run.output
        );
        assert!(
            run.output.contains("in place: something else is in it"),
            "{}",
            run.output
        );
        assert_eq!(run.of("powershell").count(), 0);
        assert_eq!(run.of("certutil").count(), 0);
        let work = wine.linux_path(&work_folder(&run));
        let mut left = listing(&work);
        left.retain(|f| f != "copy" || planted == "copy");
        assert_eq!(left, [planted], "only what was planted is left");
        std::fs::remove_dir_all(&work).unwrap();
    }
}

#[test]
fn paths_that_break_quoting_reach_powershell_intact() {
    let Some(wine) = wine() else { return };
    let tmp = tempfile::tempdir().unwrap();
    // Characters cmd treats specially outside quotes, or call would expand again.
    let stick = tmp.path().join("USB stick (E) & co ^1 !x! it's");
    let (folder, digest) = bundle(&stick);
    let scratch = tmp.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let run = wine.run(
        &folder,
        "Install.cmd",
        &["-ExpectedDigest", &digest],
        &elevated(),
        &scratch,
    );
    assert_eq!(run.code, 0, "{}", run.output);
    let (_, args) = powershell_file(&run).unwrap();
    assert_eq!(args[1], format!("{}\\.", windows_path(&folder)));
    // And the certutil fallback from there.
    let run = wine.run(
        &folder,
        "Install.cmd",
        &[],
        &[("CB_ELEVATED", "1"), ("CB_PS_PROBE", "none")],
        &scratch,
    );
    assert_eq!(run.code, 0, "{}", run.output);
    assert_eq!(
        run.of("certutil")
            .filter(|c| c.args.iter().any(|a| a == "-addstore"))
            .count(),
        cer_files(&folder).len()
    );

    // A bundle at the root of a drive: "%~dp0" is "R:\", which must not end an argument as
    // "R:\"" (PowerShell would read an escaped quote).
    let drive = wine
        .linux_path("C:\\")
        .parent()
        .unwrap()
        .join("dosdevices/r:");
    let _ = std::fs::remove_file(&drive);
    std::os::unix::fs::symlink(&folder, &drive).unwrap();
    let run = wine.run(&folder, "R:\\Install.cmd", &["-CheckOnly"], &[], &scratch);
    let _ = std::fs::remove_file(&drive);
    assert_eq!(run.code, 0, "{}", run.output);
    let (_, args) = powershell_file(&run).unwrap();
    assert_eq!(args[..2], ["-BundleDir", "R:\\."]);
}

#[test]
fn what_install_cmd_refuses_before_anything_runs() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    // for /f skips lines that start with ';': such a digest must not pass as hex.
    let semicolon = format!(";{}", "a".repeat(63));
    for (args, env, code, says) in [
        (vec!["/check"], elevated(), 3, "Install.cmd takes"),
        (vec!["", "-CheckOnly"], elevated(), 3, "Install.cmd takes"),
        (
            vec!["-ReportDir", "-CheckOnly"],
            elevated(),
            3,
            "Install.cmd takes",
        ),
        (vec!["-ReportDir"], elevated(), 3, "Install.cmd takes"),
        (
            vec!["-ExpectedDigest", "12ab"],
            elevated(),
            3,
            "64 hexadecimal digits",
        ),
        (
            vec!["-ExpectedDigest", &semicolon],
            elevated(),
            3,
            "64 hexadecimal digits",
        ),
        (
            vec!["-ExpectedDigest", &"g".repeat(64)],
            elevated(),
            3,
            "64 hexadecimal digits",
        ),
        (
            vec!["-Confirm"],
            elevated(),
            3,
            "-Confirm cannot work through it",
        ),
        (vec![], vec![], 3, "needs administrator rights"),
    ] {
        let run = case.run(wine, "Install.cmd", &args, &env);
        assert_eq!(run.code, code, "{args:?}: {}", run.output);
        assert!(run.output.contains(says), "{args:?}: {}", run.output);
        assert_eq!(run.of("certutil").count(), 0, "{args:?}");
        assert_eq!(run.of("powershell").count(), 0, "{args:?}");
        assert_eq!(run.of("icacls").count(), 0, "{args:?}");
    }
}

#[test]
fn the_scripts_word_is_taken_over_the_exit_code_and_a_refusal_never_falls_back() {
    let Some(wine) = wine() else { return };
    let case = Case::new();
    // PowerShell 2.0 can lose the exit code: the status file decides.
    let run = case.run(
        wine,
        "Install.cmd",
        &[],
        &[
            ("CB_ELEVATED", "1"),
            ("CB_PS_STATUS", "1"),
            ("CB_PS_EXIT", "0"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.output);
    // PowerShell works but refused the script (no status): exit 3, no certutil fallback.
    let run = case.run(
        wine,
        "Install.cmd",
        &[],
        &[("CB_ELEVATED", "1"), ("CB_PS_STATUS", "none")],
    );
    assert_eq!(run.code, 3, "{}", run.output);
    assert!(
        run.output
            .contains("PowerShell did not run Install-Certificates.ps1")
    );
    assert!(
        !run.calls
            .iter()
            .any(|c| c.args.iter().any(|a| a == "-addstore"))
    );
    assert_cleaned_up(wine, &run);
    // Group Policy forces AllSigned: the certutil fallback, which cannot uninstall.
    let run = case.run(
        wine,
        "Install.cmd",
        &["-Uninstall"],
        &[
            ("CB_ELEVATED", "1"),
            ("CB_PS_PROBE", "FullLanguage AllSigned Undefined"),
        ],
    );
    assert_eq!(run.code, 3, "{}", run.output);
    assert!(run.output.contains("-Uninstall needs PowerShell"));
    assert!(powershell_file(&run).is_none());
    assert_cleaned_up(wine, &run);
}
