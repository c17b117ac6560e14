//! `Install.cmd -Deploy`: the launcher checks the bundle exactly as for an install, then runs the
//! checked copy of Deploy-Certificates.ps1 (which sends the installer to other computers) instead
//! of Install-Certificates.ps1. No administrator rights are needed here, and there is never a
//! certutil fallback (it would install on this computer, not on the others). The doubles'
//! powershell writes the status file for any script, so Deploy's exit code is the one the test
//! asks for (`CB_PS_STATUS`).

use super::{
    Case, ELEVATED, added, assert_cleaned_up, checked_copy_arguments, hashed, hashed_copies,
    lock_calls, powershell_file, records, sha256_of, with_wine, work_folder,
};
use crate::common::wine::{Call, Run, windows_path};
use crate::common::*;

/// The one `powershell -File` call.
fn file_call(run: &Run) -> Call {
    powershell_file(run).expect("PowerShell ran a script");
    run.of("powershell")
        .find(|c| c.args.iter().any(|a| a == "-File"))
        .cloned()
        .unwrap()
}

/// What Install.cmd puts before `-File`: -NonInteractive unless PowerShell must ask for a password.
fn before_file(interactive: bool) -> Vec<&'static str> {
    if interactive {
        vec!["-NoLogo", "-NoProfile", "-ExecutionPolicy", "Bypass"]
    } else {
        vec![
            "-NoLogo",
            "-NoProfile",
            "-NonInteractive",
            "-ExecutionPolicy",
            "Bypass",
        ]
    }
}

/// The arguments after the script and before the double's hash, from the user's own on (after
/// -BundleDir and -StatusFile).
fn users_arguments(run: &Run) -> Vec<String> {
    let (_, args) = powershell_file(run).unwrap();
    assert_eq!(args[0], "-BundleDir", "{args:?}");
    assert_eq!(args[2], "-StatusFile", "{args:?}");
    args[4..args.len() - 1].to_vec()
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn deploy_runs_the_checked_copy_of_deploy_certificates_once_not_elevated() {
    with_wine(|wine| {
        let case = Case::new();
        let parent = case.folder.parent().unwrap().to_path_buf();
        write(&parent.join("host lists"), "hosts.txt", "srv-app01\r\n");
        // Relative paths are made absolute where they were typed (the bundle folder); any order,
        // any case.
        let line = format!(
            "Install.cmd -computerlistfile \"..\\host lists\\hosts.txt\" -Deploy -ComputerName \"srv1,srv2\" -ThrottleLimit 8 -TimeoutSeconds 00300 -CheckOnly -ExpectedDigest {} -ReportDir \"..\\site reports\\\"",
            case.digest
        );
        let run = case.run(wine, &line, &[("CB_PS_STATUS", "0")]);
        assert_eq!(run.code, 0, "{}", run.output);
        let work = work_folder(&run);
        let call = file_call(&run);
        let at = call.args.iter().position(|a| a == "-File").unwrap();
        assert_eq!(call.args[..at], before_file(false));
        assert_eq!(
            checked_copy_arguments(&run, &case, "Deploy-Certificates.ps1"),
            [
                "-ComputerName".to_string(),
                "srv1,srv2".to_string(),
                "-ThrottleLimit".to_string(),
                "8".to_string(),
                "-TimeoutSeconds".to_string(),
                "00300".to_string(),
                "-CheckOnly".to_string(),
                "-ExpectedDigest".to_string(),
                case.digest.clone(),
                "-ComputerListFile".to_string(),
                format!("{}\\host lists\\hosts.txt", windows_path(&parent)),
                "-ReportDir".to_string(),
                format!("{}\\site reports\\.", windows_path(&parent)),
            ]
        );
        // Every file was hashed as a copy in the private folder, Deploy-Certificates.ps1 among
        // them, after SHA256SUMS and Install.cmd were checked against the digest.
        assert_eq!(hashed(&run), hashed_copies(&work, &case.folder));
        // Not elevated: the private folder of an account without administrator rights. (The
        // other tests here run -Deploy not elevated and without -CheckOnly or -WhatIf.)
        assert!(run.of("fsutil").count() > 0, "elevation was not asked");
        let locks: Vec<Vec<String>> = run.of("icacls").map(|c| c.args.clone()).collect();
        assert_eq!(locks, lock_calls(&work, false));
        let local = windows_path(&case.scratch().join("local"));
        assert!(work.starts_with(&format!("{local}\\certbundle-")), "{work}");
        // Nothing installed here, nothing recorded, the installer never run here.
        assert!(!run.any_arg("-addstore"));
        assert!(records(&run).is_empty());
        assert!(!run.of("powershell").any(|c| {
            c.args
                .iter()
                .any(|a| a.ends_with("Install-Certificates.ps1"))
        }));
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?} ran in {}",
                call.cwd
            );
        }
        run.says("exit code 0 (every computer is compliant)");
        assert_cleaned_up(wine, &run);
    })
}

/// Each of Install.cmd's four command lines for Deploy (with or without a list file and a
/// reports folder), and -Credential: PowerShell may then ask for the password, so no
/// -NonInteractive.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn the_deploy_arguments_reach_powershell_quoted_and_a_credential_may_prompt() {
    with_wine(|wine| {
        let case = Case::new();
        let folder = windows_path(&case.folder);
        for (line, interactive, expected) in [
            (
                "Install.cmd -Deploy -ComputerName srv1 -Credential \"CORP\\cert admin\" -WhatIf -Verbose",
                true,
                vec![
                    "-ComputerName".to_string(),
                    "srv1".to_string(),
                    "-Credential".to_string(),
                    "CORP\\cert admin".to_string(),
                    "-WhatIf".to_string(),
                    "-Verbose".to_string(),
                ],
            ),
            (
                "Install.cmd -DEPLOY -reportdir reports2 -computername \"fe80::1,ws-0300.corp.example,WS_7.\" -credential admin@corp.example",
                true,
                vec![
                    "-ComputerName".to_string(),
                    "fe80::1,ws-0300.corp.example,WS_7.".to_string(),
                    "-Credential".to_string(),
                    "admin@corp.example".to_string(),
                    "-ReportDir".to_string(),
                    format!("{folder}\\reports2"),
                ],
            ),
            (
                "Install.cmd -ComputerListFile hosts.txt -Deploy",
                false,
                vec![
                    "-ComputerListFile".to_string(),
                    format!("{folder}\\hosts.txt"),
                ],
            ),
        ] {
            let run = case.run(wine, line, &[("CB_PS_STATUS", "0")]);
            assert_eq!(run.code, 0, "{line}: {}", run.output);
            let call = file_call(&run);
            let at = call.args.iter().position(|a| a == "-File").unwrap();
            assert_eq!(call.args[..at], before_file(interactive), "{line}");
            assert!(
                call.args[at + 1].ends_with("\\copy\\Deploy-Certificates.ps1"),
                "{line}: {call:?}"
            );
            assert_eq!(users_arguments(&run), expected, "{line}");
            // The probe itself never waits for input.
            assert!(
                run.of("powershell")
                    .filter(|c| c.args.iter().any(|a| a == "-Command"))
                    .all(|c| c.args.iter().any(|a| a == "-NonInteractive"))
            );
            assert!(!run.any_arg("-addstore"), "{line}");
            assert_cleaned_up(wine, &run);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn deploy_arguments_out_of_place_or_malformed_stop_before_anything_runs() {
    with_wine(|wine| {
        let case = Case::new();
        let deploy_only = "with -Deploy (installing on other computers)";
        let takes = "Install.cmd takes";
        let name = "-ComputerName takes names";
        let user = "-Credential takes a user name";
        let number = "take a number: digits only";
        for (line, says) in [
            // Deploy's own arguments without -Deploy.
            ("Install.cmd -ComputerName srv1", deploy_only),
            (
                "Install.cmd -CheckOnly -ComputerListFile hosts.txt",
                deploy_only,
            ),
            ("Install.cmd -Credential CORP\\admin", deploy_only),
            ("Install.cmd -ThrottleLimit 4", deploy_only),
            ("Install.cmd -TimeoutSeconds 60", deploy_only),
            // The installer's own with -Deploy.
            (
                "Install.cmd -Deploy -ComputerName srv1 -Uninstall",
                "do not go with -Deploy",
            ),
            (
                "Install.cmd -SkipProductCheck -Deploy -ComputerName srv1",
                "do not go with -Deploy",
            ),
            // No computers.
            ("Install.cmd -Deploy", "-Deploy needs the computers"),
            (
                "Install.cmd -Deploy -CheckOnly -Credential CORP\\admin",
                "-Deploy needs the computers",
            ),
            // Names: only letters, digits and . _ - : % , (an unquoted list is split by cmd.exe).
            ("Install.cmd -Deploy -ComputerName \"srv1;srv2\"", name),
            ("Install.cmd -Deploy -ComputerName \"srv1 srv2\"", name),
            (
                "Install.cmd -Deploy -ComputerName \"srv1&echo INJECTED\"",
                name,
            ),
            ("Install.cmd -Deploy -ComputerName \"srv1/x\"", name),
            ("Install.cmd -Deploy -ComputerName \";srv1\"", name),
            ("Install.cmd -Deploy -ComputerName -CheckOnly", name),
            ("Install.cmd -Deploy -ComputerName \"\"", name),
            ("Install.cmd -Deploy -ComputerName", name),
            ("Install.cmd -Deploy -ComputerName srv1,srv2", takes),
            ("Install.cmd -Deploy -ComputerName a -ComputerName b", takes),
            // User names: letters, digits, . _ - @ \ and spaces, not ending in a backslash.
            (
                "Install.cmd -Deploy -ComputerName a -Credential \"CORP\\adm$\"",
                user,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -Credential \"CORP\\\"",
                user,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -Credential \"a&b\"",
                user,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -Credential \"a;b\"",
                user,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -Credential \"  \"",
                user,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -Credential -WhatIf",
                user,
            ),
            // Numbers: digits only, at most five.
            (
                "Install.cmd -Deploy -ComputerName a -ThrottleLimit 1x",
                number,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -ThrottleLimit -5",
                number,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -ThrottleLimit \";5\"",
                number,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -TimeoutSeconds 123456",
                number,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -TimeoutSeconds \"\"",
                number,
            ),
            (
                "Install.cmd -Deploy -ComputerName a -TimeoutSeconds",
                number,
            ),
            // A list file: a value, no wildcard.
            ("Install.cmd -Deploy -ComputerListFile -CheckOnly", takes),
            ("Install.cmd -Deploy -ComputerListFile *.txt", takes),
            (
                "Install.cmd -Deploy -ComputerListFile \"hosts?.txt\"",
                takes,
            ),
        ] {
            let run = case.run(wine, line, &[ELEVATED]);
            assert_eq!(run.code, 3, "{line}: {}", run.output);
            assert!(run.output.contains(says), "{line}: {}", run.output);
            assert!(
                run.output.contains("exit code 3 (could not start, nothing"),
                "{line}: {}",
                run.output
            );
            assert!(
                !run.output
                    .lines()
                    .any(|l| l.trim_start().starts_with("INJECTED")),
                "{line}: {}",
                run.output
            );
            assert!(run.calls.is_empty(), "{line}: {:#?}", run.calls);
        }
    })
}

/// Where PowerShell does not start or may not run scripts, Deploy cannot run: exit 3, never
/// Install-Certutil.cmd (which would install here, not there), -CheckOnly or not. (PowerShell
/// missing takes the same way, through the same label; the shared Wine prefix cannot lose its
/// powershell.exe for one test, and it maps Sysnative too.)
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn without_powershell_deploy_stops_and_never_falls_back_to_certutil() {
    with_wine(|wine| {
        let case = Case::new();
        for (line, env, first) in [
            (
                "Install.cmd -Deploy -ComputerName srv1",
                vec![("CB_PS_PROBE", "none")],
                "Windows PowerShell did not start.",
            ),
            (
                "Install.cmd -Deploy -ComputerName srv1 -CheckOnly",
                vec![
                    ELEVATED,
                    ("CB_PS_PROBE", "ConstrainedLanguage Undefined Undefined"),
                ],
                "PowerShell cannot run this unsigned script here",
            ),
            (
                "Install.cmd -Deploy -ComputerListFile hosts.txt -WhatIf",
                vec![
                    ELEVATED,
                    ("CB_PS_PROBE", "FullLanguage AllSigned Undefined"),
                ],
                "PowerShell cannot run this unsigned script here",
            ),
        ] {
            let run = case.run(wine, line, &env);
            assert_eq!(run.code, 3, "{line} {env:?}: {}", run.output);
            assert!(run.output.contains(first), "{line} {env:?}: {}", run.output);
            assert!(
                run.output.contains(
                    "Deploy-Certificates.ps1 needs Windows PowerShell that can run scripts on this computer"
                ),
                "{line} {env:?}: {}",
                run.output
            );
            run.says("Use Install.cmd on each computer");
            run.says("exit code 3 (could not start, nothing sent anywhere)");
            run.never_says("Using Install-Certutil.cmd");
            run.never_says("run Install-Certutil.cmd");
            assert!(powershell_file(&run).is_none(), "{line} {env:?}");
            assert!(added(&run).is_empty() && !run.any_arg("-addstore"));
            assert!(!run.any_arg("-store"), "certutil checked stores here");
            assert!(records(&run).is_empty());
            // Only Install.cmd's own private folder: no copy of Install-Certutil.cmd started.
            let folders: std::collections::BTreeSet<&str> =
                run.of("icacls").map(|c| c.args[0].as_str()).collect();
            assert_eq!(folders.len(), 1, "{:#?}", run.calls);
            assert_cleaned_up(wine, &run);
        }
    })
}

/// Deploy's status file is the result (0 all compliant, 1 some not, 2 integrity, 3 could not
/// start); no status at all means PowerShell refused the script: exit 3, no fallback.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn deploys_status_is_the_exit_code() {
    with_wine(|wine| {
        let case = Case::new();
        let line = "Install.cmd -Deploy -ComputerName \"srv1,srv2\"";
        for (status, exit, code, meaning) in [
            ("0", "1", 0, "every computer is compliant"),
            (
                "1",
                "0",
                1,
                "some computer is not compliant or was not reached",
            ),
            ("2", "0", 2, "integrity failure, nothing sent anywhere"),
            ("3", "0", 3, "could not start, nothing sent anywhere"),
            // The script died before it finished.
            ("running", "0", 1, "some computer is not compliant"),
        ] {
            let run = case.run(
                wine,
                line,
                &[("CB_PS_STATUS", status), ("CB_PS_EXIT", exit)],
            );
            assert_eq!(run.code, code, "status {status}: {}", run.output);
            assert!(
                run.output.contains(&format!(
                    "Install.cmd finished with exit code {code} ({meaning}"
                )),
                "status {status}: {}",
                run.output
            );
            assert!(!run.any_arg("-addstore"));
        }
        let run = case.run(wine, line, &[("CB_PS_STATUS", "running")]);
        run.says("Deploy-Certificates.ps1 stopped before it finished");
        // PowerShell started but did not run the script (no status): exit 3, no fallback.
        let run = case.run(wine, line, &[("CB_PS_STATUS", "none")]);
        assert_eq!(run.code, 3, "{}", run.output);
        run.says("PowerShell did not run Deploy-Certificates.ps1");
        run.says("Nothing was sent anywhere. Where PowerShell cannot run it, use Install.cmd on each computer.",
        );
        run.never_says("Using Install-Certutil.cmd");
        run.never_says("run Install-Certutil.cmd");
        assert!(!run.any_arg("-addstore"));
        assert_eq!(
            run.of("powershell")
                .filter(|c| c.args.iter().any(|a| a == "-File"))
                .count(),
            1
        );
        assert_cleaned_up(wine, &run);
    })
}

/// Deploy-Certificates.ps1 is checked like every file Install.cmd runs: changed, it stops
/// everything before PowerShell starts; a stick that changes it after the check changes nothing
/// that runs; a wrong digest stops it too.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn deploy_runs_only_a_checked_copy() {
    with_wine(|wine| {
        let line = "Install.cmd -Deploy -ComputerName srv1";
        // Changed on the stick before the run.
        let case = Case::new();
        let mut script = std::fs::read(case.file("Deploy-Certificates.ps1")).unwrap();
        script.extend_from_slice(b"\r\n");
        std::fs::write(case.file("Deploy-Certificates.ps1"), script).unwrap();
        let run = case.run(wine, line, &[]);
        assert_eq!(run.code, 2, "{}", run.output);
        run.says("CHANGED   Deploy-Certificates.ps1");
        run.says("exit code 2 (integrity failure, nothing sent anywhere)");
        assert_eq!(run.of("powershell").count(), 0);
        assert_cleaned_up(wine, &run);

        // Changed on the stick once it has been hashed: the checked copy runs.
        let case = Case::new();
        let original = sha256_of(&case.file("Deploy-Certificates.ps1"));
        let evil = write(case.tmp.path(), "evil.ps1", "Start-Process calc\r\n");
        let run = case.run(
            wine,
            line,
            &[
                ("CB_SWAP_FROM", &windows_path(&evil)),
                (
                    "CB_SWAP_TO",
                    &windows_path(&case.file("Deploy-Certificates.ps1")),
                ),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(
            sha256_of(&case.file("Deploy-Certificates.ps1")),
            sha256_of(&evil),
            "no swap happened"
        );
        let (_, args) = powershell_file(&run).unwrap();
        assert_eq!(args.last().unwrap(), &format!("sha256={original}"));

        // A wrong digest.
        let case = Case::new();
        let run = case.run(
            wine,
            &format!("{line} -ExpectedDigest {}", "0".repeat(64)),
            &[],
        );
        assert_eq!(run.code, 2, "{}", run.output);
        run.says("is not the one you gave");
        assert_eq!(run.of("powershell").count(), 0);
        assert_cleaned_up(wine, &run);
    })
}
