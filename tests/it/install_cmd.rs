//! Install.cmd and Install-Certutil.cmd run, not only read: Wine's own `cmd.exe` runs the
//! generated files of a real bundle, with test doubles for the Windows tools they call
//! (tests/doubles/double.c, whose header says where each double is simpler than the real tool;
//! tests/it/common/wine.rs runs them). Each run is a line typed at a Command Prompt in the bundle
//! folder, with a %TEMP% of its own.
//!
//! What Wine's `cmd` does differently from Windows is not tested here: it expands `%` again in
//! the value of an expanded variable and has no `!var:a=b!` substitution, so folder names with
//! `%` stay a review item (the scripts never pass a path through `call` or a second command
//! line, which is what makes them safe on Windows).

use std::path::Path;

use crate::common::wine::{Call, Run, windows_path};
pub(crate) use crate::common::wine_case::{
    Case, ELEVATED, assert_cleaned_up, bundle, cer_files, hashed, lock_calls, sha256_of,
    thumbprint, with_wine, work_folder,
};
use crate::common::*;

/// `Install.cmd -Deploy`, in a file of its own so each stays readable; `cargo test --test it
/// install_cmd::` runs both.
#[path = "install_cmd_deploy.rs"]
mod deploy;

#[path = "install_cmd_startup.rs"]
mod startup;

/// What a run that gets as far as running a script hashes: `SHA256SUMS` and `Install.cmd` (with
/// `-ExpectedDigest`), then every file the launcher runs or installs, each as its copy in the
/// private folder `work`.
fn hashed_copies(work: &str, folder: &Path) -> Vec<String> {
    ["SHA256SUMS", "Install.cmd"]
        .iter()
        .copied()
        .chain(certbundle::render::LAUNCHER_RUNS.iter().copied())
        .map(String::from)
        .chain(cer_files(folder))
        .map(|f| format!("{work}\\copy\\{f}"))
        .collect()
}

/// The one `powershell -File` call: script path and the arguments after it (the double's hash
/// of the script last).
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

/// The arguments the one script PowerShell ran got after `-BundleDir <bundle>\. -StatusFile
/// <private folder>\status.txt`, once it is checked that the script was the checked copy of
/// `script` in the private folder, byte for byte.
fn checked_copy_arguments(run: &Run, case: &Case, script: &str) -> Vec<String> {
    let work = work_folder(run);
    let (ran, args) = powershell_file(run).expect("PowerShell ran a script");
    assert_eq!(ran, format!("{work}\\copy\\{script}"));
    assert_eq!(
        args.last().unwrap(),
        &format!("sha256={}", sha256_of(&case.file(script)))
    );
    assert_eq!(
        args[..4],
        [
            "-BundleDir".to_string(),
            format!("{}\\.", windows_path(&case.folder)),
            "-StatusFile".to_string(),
            format!("{work}\\copy\\status.txt"),
        ]
    );
    args[4..args.len() - 1].to_vec()
}

/// The `certutil -addstore` calls: (store, file, SHA-256 of what was added).
fn added(run: &Run) -> Vec<(String, String, String)> {
    run.of("certutil")
        .filter(|c| c.args.iter().any(|a| a == "-addstore"))
        .map(|c| {
            assert_eq!(c.args[..2], ["-f", "-addstore"], "{c:?}");
            let hash = c.args[4].trim_start_matches("sha256=").to_string();
            (c.args[2].clone(), c.args[3].clone(), hash)
        })
        .collect()
}

/// The install records written (`reg add`; `reg query` only looks).
fn records(run: &Run) -> Vec<&Call> {
    run.of("reg")
        .filter(|c| {
            c.args
                .first()
                .is_some_and(|a| a.eq_ignore_ascii_case("add"))
        })
        .collect()
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn an_untouched_bundle_runs_the_checked_copy_of_the_script_once_with_the_users_arguments() {
    with_wine(|wine| {
        let case = Case::new();
        // The folder relative to where it was typed (the bundle folder), with a trailing backslash.
        let line = format!(
            "Install.cmd -CheckOnly -SkipProductCheck -ReportDir \"..\\site reports\\\" -ExpectedDigest {}",
            case.digest
        );
        let run = case.run(wine, &line, &[("CB_PS_STATUS", "4")]);
        assert_eq!(run.code, 4, "{}", run.output);
        let work = work_folder(&run);
        assert_eq!(
            checked_copy_arguments(&run, &case, "Install-Certificates.ps1"),
            [
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
        assert_eq!(hashed(&run), hashed_copies(&work, &case.folder));
        // Not elevated (-CheckOnly): the folder was locked to SYSTEM, Administrators and the
        // running account, by SID; elevated, to SYSTEM and Administrators, owned by Administrators.
        // It is in the account's own %LOCALAPPDATA%.
        let locks: Vec<Vec<String>> = run.of("icacls").map(|c| c.args.clone()).collect();
        assert_eq!(locks, lock_calls(&work, false));
        let local = windows_path(&case.scratch().join("local"));
        assert!(work.starts_with(&format!("{local}\\certbundle-")), "{work}");
        let elevated = case.run(wine, "Install.cmd", &[ELEVATED]);
        let locks: Vec<Vec<String>> = elevated.of("icacls").map(|c| c.args.clone()).collect();
        assert_eq!(locks, lock_calls(&work_folder(&elevated), true));
        // Elevated, in %SystemRoot%\Temp (the account's own unelevated processes could rename a
        // folder in its %LOCALAPPDATA%), and without asking whoami.
        assert!(
            work_folder(&elevated).starts_with("C:\\windows\\Temp\\certbundle-"),
            "{}",
            work_folder(&elevated)
        );
        assert_eq!(elevated.of("whoami").count(), 0);
        // Every program started in System32, never in the bundle folder (a DLL there could load).
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?} ran in {}",
                call.cwd
            );
        }
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
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_users_switches_reach_powershell() {
    with_wine(|wine| {
        let case = Case::new();
        for (line, switches) in [
            ("Install.cmd -WhatIf", vec!["-WhatIf"]),
            (
                "Install.cmd -Uninstall -Verbose",
                vec!["-Uninstall", "-Verbose"],
            ),
            (
                "Install.cmd -uninstall -whatif",
                vec!["-WhatIf", "-Uninstall"],
            ),
        ] {
            let run = case.run(wine, line, &[ELEVATED]);
            assert_eq!(run.code, 0, "{line}: {}", run.output);
            let (_, args) = powershell_file(&run).unwrap();
            assert_eq!(args[4..args.len() - 1], switches, "{line}");
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn without_a_digest_the_checks_still_run_and_say_nothing_anchored_them() {
    with_wine(|wine| {
        let case = Case::new();
        let run = case.run(wine, "Install.cmd", &[ELEVATED]);
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
            // SHA256SUMS (for the digest shown), the three scripts, the certificates.
            1 + 3 + cer_files(&case.folder).len()
        );
        let (_, args) = powershell_file(&run).unwrap();
        assert!(!args.iter().any(|a| a == "-ExpectedDigest"));
        assert_cleaned_up(wine, &run);
    })
}

/// A change to any file Install.cmd runs or installs, or a missing one: exit 2, the file named,
/// PowerShell never starts (not even to probe), nothing installed.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_changed_or_missing_file_stops_before_powershell_starts() {
    with_wine(|wine| {
        for (file, change) in [
            ("Install-Certificates.ps1", "change"),
            ("Install-Certutil.cmd", "change"),
            ("Deploy-Certificates.ps1", "change"),
            ("a certificate", "change"),
            ("Install-Certificates.ps1", "delete"),
            ("Install-Certutil.cmd", "delete"),
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
            let run = case.run(wine, "Install.cmd", &[ELEVATED]);
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
            assert_eq!(records(&run).len(), 0);
            assert!(!run.any_arg("-addstore"));
            assert_cleaned_up(wine, &run);
        }
    })
}

/// What is not a plain file of the bundle's size is never copied, let alone hashed: a folder (or
/// a link, which Wine cannot show; on Windows `%~a` marks it) in place of a file, or a file of
/// another size (which could be huge).
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_folder_or_a_file_of_another_size_is_never_copied() {
    with_wine(|wine| {
        let case = Case::new();
        let cer = cer_files(&case.folder)[0].clone();
        std::fs::remove_file(case.file(&cer)).unwrap();
        write(&case.file(&cer), "inside.cer", b"0");
        let mut script = std::fs::read(case.file("Install-Certificates.ps1")).unwrap();
        script.extend_from_slice(b"# one more line\r\n");
        std::fs::write(case.file("Install-Certificates.ps1"), script).unwrap();
        let run = case.run(wine, "Install.cmd", &[ELEVATED]);
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(
            run.output
                .contains(&format!("NOT FILE  {cer}: a link or a folder")),
            "{}",
            run.output
        );
        assert!(
            run.output.contains("CHANGED   Install-Certificates.ps1"),
            "{}",
            run.output
        );
        let hashed: Vec<&str> = run
            .of("certutil")
            .filter(|c| c.args[0] == "-hashfile")
            .map(|c| c.args[1].as_str())
            .collect();
        assert!(
            !hashed
                .iter()
                .any(|h| h.ends_with("\\Install-Certificates.ps1") || h.ends_with(cer.as_str())),
            "{hashed:?}"
        );
        assert_eq!(run.of("powershell").count(), 0);
        assert_cleaned_up(wine, &run);
    })
}

/// Once the first stage has handed over, Install.cmd on the stick can change at will: the rest
/// runs from the copy in the private folder (cmd.exe would otherwise read on in the new file).
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn install_cmd_changed_on_the_stick_after_the_hand_over_changes_nothing() {
    with_wine(|wine| {
        let case = Case::new();
        let evil: String = (0..400)
            .map(|_| "@echo EVIL-MARKER\r\n@\"%SystemRoot%\\System32\\reg.exe\" add EVIL\r\n")
            .collect();
        let evil = write(case.tmp.path(), "evil.cmd", evil);
        // Hashes: SHA256SUMS and the copy of Install.cmd (first stage), then the script (second).
        let run = case.run(
            wine,
            &format!("Install.cmd -ExpectedDigest {}", case.digest),
            &[
                ELEVATED,
                ("CB_SWAP_FROM", &windows_path(&evil)),
                ("CB_SWAP_TO", &windows_path(&case.file("Install.cmd"))),
                ("CB_SWAP_AFTER", "3"),
            ],
        );
        assert_eq!(
            sha256_of(&case.file("Install.cmd")),
            sha256_of(&evil),
            "no swap happened"
        );
        assert_eq!(run.code, 0, "{}", run.output);
        assert!(!run.output.contains("EVIL-MARKER"), "{}", run.output);
        assert_eq!(records(&run).len(), 0);
        assert!(powershell_file(&run).is_some());
        assert!(run.output.contains("Install.cmd finished with exit code 0"));
        assert_cleaned_up(wine, &run);
    })
}

/// certutil's answer counts only when it is a whole SHA-256 and certutil says it succeeded.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_hash_certutil_garbles_or_fails_is_no_match() {
    with_wine(|wine| {
        let case = Case::new();
        for env in [
            ("CB_CERTUTIL_SHORT", "1"),
            ("CB_CERTUTIL_HASH_EXIT", "-2146893792"),
        ] {
            let run = case.run(wine, "Install.cmd", &[ELEVATED, env]);
            assert_eq!(run.code, 2, "{env:?}: {}", run.output);
            assert!(
                run.output.contains(
                    "ERROR     Install-Certificates.ps1: certutil -hashfile gave no SHA-256"
                ),
                "{env:?}: {}",
                run.output
            );
            assert_eq!(run.of("powershell").count(), 0, "{env:?}");
            assert_cleaned_up(wine, &run);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_digest_anchors_sha256sums_and_install_cmd_itself() {
    with_wine(|wine| {
        // A wrong digest.
        let case = Case::new();
        let wrong = "0".repeat(64);
        let run = case.run(
            wine,
            &format!("Install.cmd -ExpectedDigest {wrong}"),
            &[ELEVATED],
        );
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(run.output.contains("is not the one you gave"));
        assert_eq!(run.of("powershell").count(), 0);
        assert_cleaned_up(wine, &run);

        // SHA256SUMS deleted: with a digest, exit 2.
        std::fs::remove_file(case.file("SHA256SUMS")).unwrap();
        let with_digest = format!("Install.cmd -ExpectedDigest {}", case.digest);
        let run = case.run(wine, &with_digest, &[ELEVATED]);
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(run.output.contains("SHA256SUMS is missing"));
        assert_eq!(run.of("powershell").count(), 0);
        assert_cleaned_up(wine, &run);

        // Deleting SHA256SUMS switches no check off: without a digest a changed certificate still
        // stops everything.
        let cer = cer_files(&case.folder)[0].clone();
        std::fs::write(case.file(&cer), b"not the certificate").unwrap();
        let run = case.run(wine, "Install.cmd", &[ELEVATED]);
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(run.output.contains(&format!("CHANGED   {cer}")));
        assert_eq!(run.of("powershell").count(), 0);

        // Install.cmd changed (a line added that the digest cannot know about): exit 2.
        let case = Case::new();
        let mut launcher = std::fs::read(case.file("Install.cmd")).unwrap();
        launcher.extend_from_slice(b"rem changed\r\n");
        std::fs::write(case.file("Install.cmd"), launcher).unwrap();
        let with_digest = format!("Install.cmd -ExpectedDigest {}", case.digest);
        let run = case.run(wine, &with_digest, &[ELEVATED]);
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
            &format!("Install.cmd -ExpectedDigest \"{}\"", spaced.to_uppercase()),
            &[ELEVATED, ("CB_CERTUTIL_SPACED", "1")],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        let (_, args) = powershell_file(&run).unwrap();
        assert_eq!(
            args.iter()
                .position(|a| a == "-ExpectedDigest")
                .map(|i| &args[i + 1]),
            Some(&case.digest.to_uppercase())
        );
    })
}

/// A stick (or share) that returns other bytes once a file has been hashed changes nothing
/// that runs: what PowerShell runs is the checked copy.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_stick_that_changes_after_hashing_changes_nothing_powershell_runs() {
    with_wine(|wine| {
        let case = Case::new();
        let original = sha256_of(&case.file("Install-Certificates.ps1"));
        let evil = write(case.tmp.path(), "evil.ps1", "Start-Process calc\r\n");
        let run = case.run(
            wine,
            "Install.cmd",
            &[
                ELEVATED,
                ("CB_SWAP_FROM", &windows_path(&evil)),
                (
                    "CB_SWAP_TO",
                    &windows_path(&case.file("Install-Certificates.ps1")),
                ),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(
            sha256_of(&case.file("Install-Certificates.ps1")),
            sha256_of(&evil),
            "no swap happened"
        );
        let (_, args) = powershell_file(&run).unwrap();
        assert_eq!(args.last().unwrap(), &format!("sha256={original}"));
    })
}

/// PowerShell missing (or blocked): Install-Certutil.cmd's checked copy installs checked copies,
/// even when the stick returns other bytes once a file has been hashed.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_certutil_fallback_installs_only_checked_copies() {
    with_wine(|wine| {
        let case = Case::new();
        let cers = cer_files(&case.folder);
        let originals: Vec<String> = cers.iter().map(|f| sha256_of(&case.file(f))).collect();
        let thumbprints: Vec<String> = cers.iter().map(|f| thumbprint(&case.folder, f)).collect();
        let evil = root("Evil Root").der;
        let evil_file = write(case.tmp.path(), "evil.cer", &evil);
        let run = case.run(
            wine,
            "Install.cmd",
            &[
                ELEVATED,
                ("CB_PS_PROBE", "none"),
                ("CB_SWAP_FROM", &windows_path(&evil_file)),
                ("CB_SWAP_TO", &windows_path(&case.file(&cers[0]))),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        // The stick really did change under the run.
        assert_eq!(std::fs::read(case.file(&cers[0])).unwrap(), evil);
        assert!(run.output.contains("Using Install-Certutil.cmd"));
        assert!(powershell_file(&run).is_none());
        // Two private folders: Install.cmd's, then the one of the copy of Install-Certutil.cmd.
        let mut folders: Vec<String> = run.of("icacls").map(|c| c.args[0].clone()).collect();
        folders.dedup();
        assert_eq!(folders.len(), 2, "{:#?}", run.calls);
        let added = added(&run);
        assert_eq!(added.len(), cers.len());
        for ((store, file, hash), (cer, original)) in added.iter().zip(cers.iter().zip(&originals))
        {
            let want = if cer.contains("\\Root\\") {
                "Root"
            } else {
                "CA"
            };
            assert_eq!(store, want);
            assert_eq!(
                file,
                &format!("{}\\copy\\{cer}", folders[1]),
                "installed from elsewhere"
            );
            assert_eq!(hash, original, "{cer}: not the checked bytes");
        }
        // Recorded for -Uninstall in the 64-bit view of HKLM, and nothing evil in any store.
        let records: Vec<&Call> = records(&run);
        assert_eq!(records.len(), cers.len());
        for ((record, cer), thumb) in records.iter().zip(&cers).zip(&thumbprints) {
            let store = if cer.contains("\\Root\\") {
                "Root"
            } else {
                "CA"
            };
            assert_eq!(
                record.args,
                [
                    "add",
                    "HKLM\\SOFTWARE\\certbundle\\Installed\\site-certs",
                    "/v",
                    thumb,
                    "/t",
                    "REG_SZ",
                    "/d",
                    &format!("{store} certutil"),
                    "/f",
                    "/reg:64",
                ]
            );
        }
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
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?}"
            );
        }
    })
}

/// The fallback is taken exactly when PowerShell cannot run the script, and its result is the
/// launcher's result.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_launcher_falls_back_only_when_powershell_cannot_run_the_script() {
    with_wine(|wine| {
        let case = Case::new();
        for (probe, falls_back) in [
            ("FullLanguage Undefined Undefined", false),
            // Group Policy's machine setting decides when it is set: RemoteSigned lets Bypass run it.
            ("FullLanguage RemoteSigned AllSigned", false),
            ("FullLanguage Unrestricted Undefined", false),
            ("FullLanguage AllSigned Undefined", true),
            ("FullLanguage Restricted Undefined", true),
            ("FullLanguage Undefined AllSigned", true),
            ("FullLanguage Undefined Restricted", true),
            ("ConstrainedLanguage Undefined Undefined", true),
            ("none", true),
        ] {
            let run = case.run(wine, "Install.cmd", &[ELEVATED, ("CB_PS_PROBE", probe)]);
            assert_eq!(run.code, 0, "{probe}: {}", run.output);
            assert_eq!(
                powershell_file(&run).is_none(),
                falls_back,
                "{probe}: {}",
                run.output
            );
            assert_eq!(
                run.output.contains("Using Install-Certutil.cmd"),
                falls_back,
                "{probe}"
            );
            // The stores of this case are shared by its runs: the first fallback installs, the
            // later ones find everything present.
            assert!(added(&run).len() <= cer_files(&case.folder).len());
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn through_the_fallback_check_only_changes_nothing_and_a_failure_is_the_result() {
    with_wine(|wine| {
        let case = Case::new();
        let blocked = [
            ELEVATED,
            ("CB_PS_PROBE", "FullLanguage AllSigned Undefined"),
        ];
        for switch in ["-CheckOnly", "-WhatIf"] {
            let run = case.run(wine, &format!("Install.cmd {switch}"), &blocked);
            assert_eq!(run.code, 4, "{switch}: {}", run.output);
            assert!(!run.any_arg("-addstore"), "{switch} installed something");
            assert_eq!(records(&run).len(), 0);
            assert!(run.output.contains("MISSING"), "{}", run.output);
        }
        // certutil cannot add: the launcher says so with exit code 1, not 0.
        let run = case.run(
            wine,
            "Install.cmd",
            &[blocked[0], blocked[1], ("CB_ADDSTORE_FAIL", "1")],
        );
        assert_eq!(run.code, 1, "{}", run.output);
        assert!(run.output.contains("FAILED"), "{}", run.output);
        assert!(
            run.output.contains("RESULT: NOT COMPLIANT"),
            "{}",
            run.output
        );
        assert_eq!(records(&run).len(), 0, "a failed install was recorded");
        // Added but not recorded (reg add fails): -Uninstall would keep it, so it has failed.
        let case = Case::new();
        let run = case.run(
            wine,
            "Install.cmd",
            &[blocked[0], blocked[1], ("CB_REG_FAIL", "1")],
        );
        assert_eq!(run.code, 1, "{}", run.output);
        assert_eq!(added(&run).len(), 2, "{:?}", added(&run));
        assert_eq!(records(&run).len(), 2);
        assert_eq!(
            run.output
                .matches("(installed, not recorded: -Uninstall will keep it)")
                .count(),
            2,
            "{}",
            run.output
        );
        assert!(
            run.output.contains("RESULT: NOT COMPLIANT"),
            "{}",
            run.output
        );
    })
}

/// The computer's Untrusted Certificates win over the bundle; the running account's own are only
/// said (the services run as SYSTEM); a root already among the third-party roots, or a
/// certificate already in its store, is left as it is.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_fallback_never_installs_over_untrusted_and_keeps_what_is_there() {
    with_wine(|wine| {
        let blocked = [ELEVATED, ("CB_PS_PROBE", "none")];
        // What SYSTEM sees blocks: the computer's store, SYSTEM's own, and the running account's
        // own when that account is SYSTEM (a machine account's name ends in $).
        for (location, account) in [
            ("Machine", None),
            ("System", None),
            ("User", Some(("USERNAME", "SRV01$"))),
        ] {
            let case = Case::new();
            let cers = cer_files(&case.folder);
            let thumb = thumbprint(&case.folder, &cers[1]);
            case.put_in_store(location, "Disallowed", &cers[1]);
            let env: Vec<(&str, &str)> = blocked.iter().copied().chain(account).collect();
            let run = case.run(wine, "Install.cmd", &env);
            assert_eq!(run.code, 1, "{location}: {}", run.output);
            assert!(
                run.output.contains(&format!("BLOCKED   CA  {thumb}")),
                "{location}: {}",
                run.output
            );
            let adds = added(&run);
            assert_eq!(adds.len(), 1, "{location}: {adds:?}");
            assert!(adds[0].1.ends_with(&cers[0]));
        }

        // Another account's own Untrusted Certificates are said, not blocking.
        let case = Case::new();
        let cers = cer_files(&case.folder);
        let thumb = thumbprint(&case.folder, &cers[1]);
        case.put_in_store("User", "Disallowed", &cers[1]);
        let run = case.run(wine, "Install.cmd", &blocked);
        assert_eq!(run.code, 0, "{}", run.output);
        assert!(!run.output.contains("BLOCKED"), "{}", run.output);
        assert!(
            run.output.contains(&format!(
                "NOTE      {thumb} is in Untrusted Certificates of the account running this, not of the computer: not blocking."
            )),
            "{}",
            run.output
        );
        assert_eq!(added(&run).len(), 2, "{:?}", added(&run));

        let case = Case::new();
        let cers = cer_files(&case.folder);
        case.put_in_store("Machine", "AuthRoot", &cers[0]);
        case.put_in_store("Machine", "CA", &cers[1]);
        let run = case.run(wine, "Install.cmd", &blocked);
        assert_eq!(run.code, 0, "{}", run.output);
        assert!(added(&run).is_empty(), "{:?}", added(&run));
        for (store, cer) in [("Root", &cers[0]), ("CA", &cers[1])] {
            let line = format!(
                "OK        {store}  {}  {cer}",
                thumbprint(&case.folder, cer)
            );
            assert!(run.output.contains(&line), "{line}: {}", run.output);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn install_certutil_cmd_on_its_own_copies_checks_and_installs_only_copies() {
    with_wine(|wine| {
        let case = Case::new();
        let cers = cer_files(&case.folder);
        // /check changes nothing and finds both missing.
        let run = case.run(wine, "Install-Certutil.cmd /check", &[]);
        assert_eq!(run.code, 4, "{}", run.output);
        assert!(!run.any_arg("-addstore"));
        assert_cleaned_up(wine, &run);
        // Not as administrator, or with other arguments: refused before anything.
        for (line, env) in [
            ("Install-Certutil.cmd", vec![]),
            ("Install-Certutil.cmd /bogus", vec![ELEVATED]),
            ("Install-Certutil.cmd /?", vec![ELEVATED]),
            ("Install-Certutil.cmd \"\" /check", vec![ELEVATED]),
            ("Install-Certutil.cmd /check extra", vec![ELEVATED]),
        ] {
            let run = case.run(wine, line, &env);
            assert_eq!(run.code, 3, "{line}: {}", run.output);
            assert_eq!(run.of("certutil").count(), 0, "{line}");
            assert_eq!(run.of("icacls").count(), 0, "{line}");
        }
        // Installs the copies in its own private folder, even when the stick changes under it.
        let original = sha256_of(&case.file(&cers[0]));
        std::fs::copy(case.file(&cers[0]), case.tmp.path().join("original.cer")).unwrap();
        let evil = write(case.tmp.path(), "evil.cer", root("Evil Root").der);
        let run = case.run(
            wine,
            "Install-Certutil.cmd",
            &[
                ELEVATED,
                ("CB_SWAP_FROM", &windows_path(&evil)),
                ("CB_SWAP_TO", &windows_path(&case.file(&cers[0]))),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        let work = work_folder(&run);
        let added = added(&run);
        assert_eq!(
            added.iter().map(|a| a.1.clone()).collect::<Vec<_>>(),
            cers.iter()
                .map(|f| format!("{work}\\copy\\{f}"))
                .collect::<Vec<_>>()
        );
        assert_eq!(added[0].2, original, "the stick's new bytes were installed");
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?}"
            );
        }
        assert_cleaned_up(wine, &run);
        // A second run (the stick as it was) finds them present and changes nothing.
        std::fs::copy(case.tmp.path().join("original.cer"), case.file(&cers[0])).unwrap();
        let run = case.run(wine, "Install-Certutil.cmd", &[ELEVATED]);
        assert_eq!(run.code, 0, "{}", run.output);
        assert!(!run.any_arg("-addstore"));
        // A changed certificate: exit 2, nothing installed.
        let case = Case::new();
        let cers = cer_files(&case.folder);
        std::fs::write(case.file(&cers[1]), b"changed").unwrap();
        let run = case.run(wine, "Install-Certutil.cmd", &[ELEVATED]);
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(run.output.contains(&format!("CHANGED   {}", cers[1])));
        assert!(!run.any_arg("-addstore"));
        assert_cleaned_up(wine, &run);
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn no_private_folder_no_run() {
    with_wine(|wine| {
        let case = Case::new();
        for (line, env, says, locked) in [
            // icacls fails.
            (
                "Install.cmd",
                [ELEVATED, ("CB_ICACLS_EXIT", "5")],
                "icacls.exe could not restrict",
                true,
            ),
            // Not elevated, the account's SID is needed; whoami gives none: no folder is made.
            (
                "Install.cmd -CheckOnly",
                [("CB_ELEVATED", "0"), ("CB_WHOAMI_SID", "Administrators")],
                "whoami.exe did not say",
                false,
            ),
        ] {
            let run = case.run(wine, line, &env);
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
        // "for /f" would skip by default, a folder, or the name of the folder for the copies): stop,
        // and delete nothing of theirs (as administrator, a link among it could lead anywhere).
        for planted in [";status.txt", "sub\\", "copy"] {
            let run = case.run(
                wine,
                "Install.cmd",
                &[ELEVATED, ("CB_ICACLS_PLANT", planted)],
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
            assert_eq!(
                left,
                [planted.trim_end_matches('\\')],
                "only what was planted is left"
            );
            std::fs::remove_dir_all(&work).unwrap();
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn what_is_not_the_bundles_is_refused_before_it_is_read() {
    with_wine(|wine| {
        // SHA256SUMS of another size: without a digest a note, with one an integrity failure.
        let case = Case::new();
        let mut sums = std::fs::read(case.file("SHA256SUMS")).unwrap();
        sums.extend_from_slice(
            b"0000000000000000000000000000000000000000000000000000000000000000  x\n",
        );
        std::fs::write(case.file("SHA256SUMS"), sums).unwrap();
        let run = case.run(wine, "Install.cmd", &[ELEVATED]);
        assert_eq!(run.code, 0, "{}", run.output);
        assert!(
            run.output.contains("CHANGED   SHA256SUMS"),
            "{}",
            run.output
        );
        assert!(
            run.output.contains("there is no bundle digest to show"),
            "{}",
            run.output
        );
        let with_digest = format!("Install.cmd -ExpectedDigest {}", case.digest);
        let run = case.run(wine, &with_digest, &[ELEVATED]);
        assert_eq!(run.code, 2, "{}", run.output);
        assert!(
            run.output.contains("or is not the bundle's"),
            "{}",
            run.output
        );
        assert!(
            !run.calls
                .iter()
                .any(|c| c.args.iter().any(|a| a.ends_with("SHA256SUMS")))
        );
        assert_cleaned_up(wine, &run);
        // A file where the bundle has a folder: nothing under it is read.
        let case = Case::new();
        std::fs::remove_dir_all(case.file("certs/CA")).unwrap();
        std::fs::write(case.file("certs/CA"), b"not a folder").unwrap();
        for line in ["Install.cmd", "Install-Certutil.cmd"] {
            let run = case.run(wine, line, &[ELEVATED]);
            assert_eq!(run.code, 2, "{line}: {}", run.output);
            assert!(
                run.output.contains("NOT FOLDER certs\\CA"),
                "{line}: {}",
                run.output
            );
            assert!(
                !run.of("certutil").any(|c| c.args[0] == "-hashfile"),
                "{line}: something was hashed"
            );
            assert_eq!(run.of("powershell").count(), 0);
        }
    })
}

/// The second stage is recognised by the folder it runs from, never by the variable alone.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_second_stage_outside_its_private_folder_stops() {
    with_wine(|wine| {
        let case = Case::new();
        let stage = windows_path(&case.folder);
        for value in [stage.clone(), "C:\\elsewhere".to_string()] {
            let run = case.run(
                wine,
                "Install.cmd",
                &[ELEVATED, ("CERTBUNDLE_STAGE", &value)],
            );
            assert_eq!(run.code, 3, "{value}: {}", run.output);
            assert!(run.output.contains("second stage"), "{}", run.output);
            assert!(run.calls.is_empty(), "{:?}", run.calls);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn paths_that_break_quoting_reach_powershell_intact() {
    with_wine(|wine| {
        let tmp = tempfile::tempdir().unwrap();
        // Characters cmd treats specially outside quotes, or call would expand again.
        let stick = tmp.path().join("USB stick (E) & co ^1 !x! it's");
        let (folder, digest) = bundle(&stick);
        let scratch = tmp.path().join("scratch");
        std::fs::create_dir_all(&scratch).unwrap();
        let line = format!("Install.cmd -ExpectedDigest {digest}");
        let run = wine.run(&folder, &line, &[ELEVATED], &scratch);
        assert_eq!(run.code, 0, "{}", run.output);
        let (_, args) = powershell_file(&run).unwrap();
        assert_eq!(args[1], format!("{}\\.", windows_path(&folder)));
        // And the certutil fallback from there.
        let run = wine.run(
            &folder,
            "Install.cmd",
            &[ELEVATED, ("CB_PS_PROBE", "none")],
            &scratch,
        );
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(added(&run).len(), cer_files(&folder).len());

        // A bundle at the root of a drive: "%~dp0" is "R:\", which must not end an argument as
        // "R:\"" (PowerShell would read an escaped quote). R: is the harness's, mapped once.
        let root = wine.drive_r();
        for entry in std::fs::read_dir(root).unwrap().flatten() {
            let path = entry.path();
            let _ = std::fs::remove_dir_all(&path);
            let _ = std::fs::remove_file(&path);
        }
        for file in listing(&folder) {
            let from = folder.join(&file);
            if from.is_dir() {
                std::fs::create_dir_all(root.join(&file)).unwrap();
            } else {
                std::fs::copy(&from, root.join(&file)).unwrap();
            }
        }
        let run = wine.run(root, "R:\\Install.cmd -CheckOnly", &[], &scratch);
        assert_eq!(run.code, 0, "{}", run.output);
        let (_, args) = powershell_file(&run).unwrap();
        assert_eq!(args[..2], ["-BundleDir", "R:\\."]);
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn what_install_cmd_refuses_before_anything_runs() {
    with_wine(|wine| {
        let case = Case::new();
        // for /f skips lines that start with ';': such a digest must not pass as hex.
        let semicolon = format!("Install.cmd -ExpectedDigest \";{}\"", "a".repeat(63));
        for (line, env, says) in [
            ("Install.cmd /check", vec![ELEVATED], "Install.cmd takes"),
            ("Install.cmd /?", vec![ELEVATED], "Install.cmd takes"),
            (
                "Install.cmd \"\" -CheckOnly",
                vec![ELEVATED],
                "Install.cmd takes",
            ),
            (
                "Install.cmd -ReportDir -CheckOnly",
                vec![ELEVATED],
                "Install.cmd takes",
            ),
            (
                "Install.cmd -ReportDir",
                vec![ELEVATED],
                "Install.cmd takes",
            ),
            (
                "Install.cmd -ExpectedDigest 12ab",
                vec![ELEVATED],
                "64 hexadecimal digits",
            ),
            (semicolon.as_str(), vec![ELEVATED], "64 hexadecimal digits"),
            (
                "Install.cmd -Confirm",
                vec![ELEVATED],
                "-Confirm cannot work through it",
            ),
            ("Install.cmd", vec![], "needs administrator rights"),
        ] {
            let run = case.run(wine, line, &env);
            assert_eq!(run.code, 3, "{line}: {}", run.output);
            assert!(run.output.contains(says), "{line}: {}", run.output);
            assert!(
                run.output
                    .contains("exit code 3 (could not start, nothing changed)"),
                "{line}"
            );
            assert_eq!(run.of("certutil").count(), 0, "{line}");
            assert_eq!(run.of("powershell").count(), 0, "{line}");
            assert_eq!(run.of("icacls").count(), 0, "{line}");
            // Only the refusal for rights asks whether they are there.
            assert_eq!(
                run.of("fsutil").count(),
                usize::from(env.is_empty()),
                "{line}"
            );
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_scripts_word_is_taken_over_the_exit_code_and_a_refusal_never_falls_back() {
    with_wine(|wine| {
        let case = Case::new();
        // PowerShell 2.0 can lose the exit code: the status file decides.
        for (status, exit, code) in [
            ("1", "0", 1),
            ("2", "0", 2),
            ("3", "1", 3),
            ("4", "0", 4),
            ("0", "1", 0),
            // The script died before it finished.
            ("running", "0", 1),
        ] {
            let run = case.run(
                wine,
                "Install.cmd",
                &[ELEVATED, ("CB_PS_STATUS", status), ("CB_PS_EXIT", exit)],
            );
            assert_eq!(run.code, code, "status {status}: {}", run.output);
        }
        // PowerShell works but refused the script (no status): exit 3, no certutil fallback.
        let run = case.run(wine, "Install.cmd", &[ELEVATED, ("CB_PS_STATUS", "none")]);
        assert_eq!(run.code, 3, "{}", run.output);
        assert!(
            run.output
                .contains("PowerShell did not run Install-Certificates.ps1")
        );
        assert!(!run.any_arg("-addstore"));
        assert_cleaned_up(wine, &run);
        // Group Policy forces AllSigned: the certutil fallback, which cannot uninstall.
        let run = case.run(
            wine,
            "Install.cmd -Uninstall",
            &[
                ELEVATED,
                ("CB_PS_PROBE", "FullLanguage AllSigned Undefined"),
            ],
        );
        assert_eq!(run.code, 3, "{}", run.output);
        assert!(run.output.contains("-Uninstall needs PowerShell"));
        assert!(powershell_file(&run).is_none());
        assert_cleaned_up(wine, &run);
    })
}

/// Every path the scripts print (the private folder under %LOCALAPPDATA%, with %TEMP% beside it)
/// is printed inside quotes: an `&` in it is text, never a second command.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn printed_paths_are_text_even_with_an_ampersand() {
    with_wine(|wine| {
        let tmp = tempfile::tempdir().unwrap();
        let (folder, _) = bundle(&tmp.path().join("stick"));
        // %TEMP% stays plain: Wine's own for /f runs its command through a file in %TEMP% and
        // breaks on an `&` there (Windows reads a pipe).
        let scratch = tmp.path().join("scratch");
        std::fs::create_dir_all(&scratch).unwrap();
        let local = windows_path(&tmp.path().join("a & echo INJECTED"));
        let run = wine.run(
            &folder,
            "Install.cmd -CheckOnly",
            &[("LOCALAPPDATA", &local)],
            &scratch,
        );
        assert!(
            run.output.contains(&format!(
                "checking copies of 5 file(s) in \"{local}\\certbundle-"
            )),
            "{}",
            run.output
        );
        assert!(
            !run.output
                .lines()
                .any(|l| l.trim_start().starts_with("INJECTED")),
            "{}",
            run.output
        );
        let (file, _) = powershell_file(&run).expect("PowerShell started");
        assert!(file.starts_with(&format!("{local}\\certbundle-")), "{file}");
        assert_cleaned_up(wine, &run);
    })
}
