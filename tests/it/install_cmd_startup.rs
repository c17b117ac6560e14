//! `Install.cmd -Startup`: unattended at every startup (a Group Policy startup script or a
//! scheduled task, as SYSTEM). It never pauses. Before any private folder, copy or hash, one
//! Windows PowerShell runs a check whose whole text is in Install.cmd (the certificates'
//! thumbprints): exit 42 means every certificate is in its store and none is in Untrusted
//! Certificates, and Install.cmd then ends with exit code 0 at once. Anything else (something
//! missing or blocked, PowerShell missing, failing or losing its exit code) is the full checked
//! run, exactly as without -Startup. The doubles' powershell answers that check from the
//! doubles' stores (tests/doubles/double.c, `startup_check`).
//!
//! The counts of external programs in docs/administrators.md and README.txt come from
//! `a_compliant_host_starts_two_programs_instead_of_twenty`.

use super::{
    Case, ELEVATED, added, assert_cleaned_up, cer_files, checked_copy_arguments, hashed,
    hashed_copies, powershell_file, thumbprint, with_wine, work_folder,
};
use crate::common::powershell::{lint, parse_errors};
use crate::common::wine::{Call, Run};
use crate::installer::{render_bundle, text};

/// A run as Group Policy starts a startup script: SYSTEM (a computer account's name ends in $),
/// which is elevated.
const SYSTEM: [(&str, &str); 2] = [ELEVATED, ("USERNAME", "SRV01$")];

/// What README.txt gives as the startup script's parameters.
fn startup_line(case: &Case) -> String {
    format!(
        "Install.cmd -Startup -ExpectedDigest {} -ReportDir \\\\server\\reports$",
        case.digest
    )
}

/// Puts the case's root into `root_store` (of the computer) and, unless `None`, its
/// intermediate into the computer's CA store.
fn stores(case: &Case, root_store: &str, intermediate: bool) {
    let cers = cer_files(&case.folder);
    case.put_in_store("Machine", root_store, &cers[0]);
    if intermediate {
        case.put_in_store("Machine", "CA", &cers[1]);
    }
}

/// The store check: the first PowerShell, with `-Command`, and the doubles' verdict.
fn startup_check(run: &Run) -> &Call {
    let call = run
        .of("powershell")
        .next()
        .unwrap_or_else(|| panic!("PowerShell never started: {:#?}\n{}", run.calls, run.output));
    assert_eq!(
        call.args[..4],
        ["-NoLogo", "-NoProfile", "-NonInteractive", "-Command"],
        "{call:?}"
    );
    assert!(
        call.args[4].starts_with("$r = 1; try {"),
        "not the store check: {call:?}"
    );
    assert_eq!(call.args.len(), 6, "{call:?}");
    call
}

/// The list of certificates in the store check's text: `R` or `C`, then the thumbprint.
fn listed(command: &str) -> String {
    let at = command.find("foreach ($e in '").unwrap() + "foreach ($e in '".len();
    let end = command[at..].find('\'').unwrap();
    command[at..at + end].to_string()
}

/// Today's run as SYSTEM on a host that has everything, and the same with -Startup: the counts
/// docs/administrators.md and README.txt give. Every external program a run starts is one of the
/// doubles (each logs its call), except the `cmd.exe` that runs the second stage from the
/// private folder; cmd's own commands (copy, mkdir, dir, del, rmdir) start nothing.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_compliant_host_starts_two_programs_instead_of_twenty() {
    with_wine(|wine| {
        let case = Case::new();
        stores(&case, "Root", true);
        let n = cer_files(&case.folder).len();
        assert_eq!(n, 2);

        // Without -Startup: the full checked run, every time.
        let line = format!(
            "Install.cmd -ExpectedDigest {} -ReportDir \\\\server\\reports$",
            case.digest
        );
        let full = case.run(wine, &line, &[SYSTEM[0], SYSTEM[1], ("CB_PS_STATUS", "0")]);
        assert_eq!(full.code, 0, "{}", full.output);
        let count = |run: &Run, tool: &str| run.of(tool).count();
        // Elevation, the private folder's lock and owner, SHA256SUMS and Install.cmd against the
        // digest and then the three scripts and every certificate (certutil -hashfile and
        // findstr each), the PowerShell probe and the installer.
        assert_eq!(count(&full, "fsutil"), 1);
        assert_eq!(count(&full, "icacls"), 2);
        assert_eq!(count(&full, "certutil"), 5 + n);
        assert_eq!(count(&full, "findstr"), 5 + n);
        assert_eq!(count(&full, "powershell"), 2);
        assert_eq!(full.calls.len(), 15 + 2 * n, "{:#?}", full.calls);
        // 16 + 2 per certificate with the second stage's cmd.exe: 20 here, 30 for the seven
        // certificates of the built-in apex-one bundle.
        assert_eq!(full.calls.len() + 1, 20);

        // With -Startup: whether elevated (fsutil), then the one store check. Nothing else: no
        // private folder, no copy, no hash, no probe, no installer, no report.
        let run = case.run(wine, &startup_line(&case), &SYSTEM);
        assert_eq!(run.code, 0, "{}", run.output);
        let tools: Vec<&str> = run.calls.iter().map(|c| c.tool.as_str()).collect();
        assert_eq!(tools, ["fsutil", "powershell"], "{:#?}", run.calls);
        assert_eq!(run.calls[0].args, ["dirty", "query", "C:"]);
        let check = startup_check(&run);
        assert_eq!(check.args[5], "compliant");
        let cers = cer_files(&case.folder);
        assert_eq!(
            listed(&check.args[4]),
            format!(
                "R{},C{}",
                thumbprint(&case.folder, &cers[0]),
                thumbprint(&case.folder, &cers[1])
            )
        );
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?} ran in {}",
                call.cwd
            );
        }
        run.says("already compliant, nothing to do. No report");
        run.says("Install.cmd finished with exit code 0 (already compliant, nothing to do).");
        run.never_says("checking copies");

        // A root among the Third-Party Root Certification Authorities counts, as for the
        // installer.
        let case = Case::new();
        stores(&case, "AuthRoot", true);
        let run = case.run(wine, &startup_line(&case), &SYSTEM);
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(run.calls.len(), 2, "{:#?}", run.calls);
        assert_eq!(startup_check(&run).args[5], "compliant");

        // Group Policy trusting only enterprise roots (ProtectedRoots Flags 0x8) leaves AuthRoot
        // out, nothing else: every root in Root itself is still compliant.
        let case = Case::new();
        stores(&case, "Root", true);
        let policy = [SYSTEM[0], SYSTEM[1], ("CB_ONLY_ENTERPRISE_ROOTS", "1")];
        let run = case.run(wine, &startup_line(&case), &policy);
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(run.calls.len(), 2, "{:#?}", run.calls);
        assert_eq!(startup_check(&run).args[5], "compliant");
        run.says("already compliant, nothing to do");
    })
}

/// Whatever the check does not positively say is compliant is the full checked run, with the
/// user's -ExpectedDigest and -ReportDir: a certificate missing, in Untrusted Certificates (the
/// computer's, or SYSTEM's own), a root only in AuthRoot when Group Policy trusts only enterprise
/// roots (AuthRoot is then not trusted), PowerShell that fails or loses the exit code (0 is never
/// "compliant").
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn anything_missing_blocked_or_unknown_is_the_full_checked_run() {
    with_wine(|wine| {
        for (what, root_store, intermediate, blocked, env, status) in [
            ("intermediate missing", "Root", false, None, None, "0"),
            (
                "root in Untrusted Certificates",
                "Root",
                true,
                Some(("Machine", 0)),
                None,
                "1",
            ),
            (
                "intermediate in SYSTEM's Untrusted Certificates",
                "Root",
                true,
                Some(("System", 1)),
                None,
                "1",
            ),
            (
                "root only in AuthRoot, Group Policy trusting only enterprise roots",
                "AuthRoot",
                true,
                None,
                Some(("CB_ONLY_ENTERPRISE_ROOTS", "1")),
                "1",
            ),
            (
                "exit code lost (PowerShell 2.0)",
                "Root",
                false,
                None,
                Some(("CB_PS_COMMAND_EXIT", "0")),
                "0",
            ),
            (
                "PowerShell failed",
                "Root",
                true,
                None,
                Some(("CB_PS_COMMAND_EXIT", "1")),
                "0",
            ),
        ] {
            let case = Case::new();
            stores(&case, root_store, intermediate);
            let cers = cer_files(&case.folder);
            if let Some((location, which)) = blocked {
                case.put_in_store(location, "Disallowed", &cers[which]);
            }
            let mut vars = vec![SYSTEM[0], SYSTEM[1], ("CB_PS_STATUS", status)];
            vars.extend(env);
            let run = case.run(wine, &startup_line(&case), &vars);
            assert_eq!(
                run.code,
                status.parse::<i32>().unwrap(),
                "{what}: {}",
                run.output
            );
            let verdict = &startup_check(&run).args[5];
            let all_there = intermediate
                && blocked.is_none()
                && !(root_store == "AuthRoot"
                    && matches!(env, Some(("CB_ONLY_ENTERPRISE_ROOTS", _))));
            assert_eq!(verdict == "compliant", all_there, "{what}: {verdict}");
            run.says("running in full");
            // The full run, as without -Startup: every file copied and hashed in the private
            // folder (SHA256SUMS and Install.cmd against the digest first), then the checked
            // copy of the installer with the user's arguments.
            let work = work_folder(&run);
            assert_eq!(hashed(&run), hashed_copies(&work, &case.folder), "{what}");
            assert_eq!(
                checked_copy_arguments(&run, &case, "Install-Certificates.ps1"),
                [
                    "-ExpectedDigest".to_string(),
                    case.digest.clone(),
                    "-ReportDir".to_string(),
                    "\\\\server\\reports$".to_string(),
                ],
                "{what}"
            );
            run.never_says("already compliant");
            assert_cleaned_up(wine, &run);
        }

        // PowerShell does not start: the store check cannot tell, the full run falls back to
        // the checked copy of Install-Certutil.cmd, which installs what is missing.
        let case = Case::new();
        stores(&case, "Root", false);
        let cers = cer_files(&case.folder);
        let run = case.run(
            wine,
            &startup_line(&case),
            &[SYSTEM[0], SYSTEM[1], ("CB_PS_PROBE", "none")],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        assert_eq!(startup_check(&run).args[5], "not started");
        run.says("running in full");
        run.says("Using Install-Certutil.cmd");
        assert!(powershell_file(&run).is_none());
        let adds = added(&run);
        assert_eq!(adds.len(), 1, "{adds:?}");
        assert!(adds[0].1.ends_with(&cers[1]), "{adds:?}");
    })
}

/// -Startup never waits for a key, whoever runs it and however it ends; without it a run in an
/// interactive session does (so the test can see a pause).
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn startup_never_pauses() {
    with_wine(|wine| {
        let case = Case::new();
        stores(&case, "Root", true);
        // The harness sets CERTBUNDLE_NOPAUSE=1; an interactive session under a named account.
        let interactive = [ELEVATED, ("SESSIONNAME", "Console")];
        let unset = "set \"CERTBUNDLE_NOPAUSE=\"\r\n";
        let run = case.run(wine, &format!("{unset}Install.cmd"), &interactive);
        assert_eq!(run.code, 0, "{}", run.output);
        run.says("Press any key");
        let run = case.run(wine, &format!("{unset}Install.cmd -Startup"), &interactive);
        assert_eq!(run.code, 0, "{}", run.output);
        run.says("already compliant");
        run.never_says("Press any key");
        // The full run too, from its second stage.
        let case = Case::new();
        stores(&case, "Root", false);
        let run = case.run(wine, &format!("{unset}Install.cmd -Startup"), &interactive);
        assert_eq!(run.code, 0, "{}", run.output);
        run.says("running in full");
        assert!(powershell_file(&run).is_some());
        run.never_says("Press any key");
    })
}

/// -Startup installs on this computer: nothing that only checks, removes, or works elsewhere
/// goes with it, and without administrator rights it stops before PowerShell starts.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn startup_refuses_what_does_not_go_with_it() {
    with_wine(|wine| {
        let case = Case::new();
        let with = "it does not go with";
        for (line, expect) in [
            ("Install.cmd -Startup -Deploy -ComputerName srv1", with),
            (
                "Install.cmd -Deploy -ComputerListFile hosts.txt -Startup",
                with,
            ),
            ("Install.cmd -Startup -Uninstall", with),
            ("Install.cmd -CheckOnly -Startup", with),
            ("Install.cmd -Startup -WhatIf", with),
            (
                "Install.cmd -Startup -ComputerName srv1",
                "go only\nwith -Deploy",
            ),
            ("Install.cmd -Startup -ReportDir", "Install.cmd takes"),
            ("Install.cmd -Startup /check", "Install.cmd takes"),
        ] {
            let run = case.run(wine, line, &SYSTEM);
            assert_eq!(run.code, 3, "{line}: {}", run.output);
            assert!(run.output.contains(expect), "{line}: {}", run.output);
            run.says("Install.cmd -Startup  -ExpectedDigest DIGEST");
            run.says("exit code 3 (could not start, nothing");
            assert!(run.calls.is_empty(), "{line}: {:#?}", run.calls);
        }
        // Not elevated (a scheduled task under an account without "Run with highest
        // privileges"): exit 3 even on a compliant host, so that the mistake shows at once.
        stores(&case, "Root", true);
        let run = case.run(wine, &startup_line(&case), &[("USERNAME", "admin")]);
        assert_eq!(run.code, 3, "{}", run.output);
        run.says("This installer needs administrator rights.");
        let tools: Vec<&str> = run.calls.iter().map(|c| c.tool.as_str()).collect();
        assert_eq!(tools, ["fsutil", "net"], "{:#?}", run.calls);
    })
}

/// A report share given as a UNC path (`\\server\reports$`, a hidden share) reaches the installer
/// as typed: `for %%d in (...) do %%~fd` keeps it, the `$` is no special character, a trailing
/// backslash gets its dot. (Under Wine: Windows' own `%~f` of a UNC path is not tested here, nor
/// whether the computer account can write there.)
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_unc_report_folder_reaches_the_installer_as_typed() {
    with_wine(|wine| {
        let case = Case::new();
        for (typed, passed) in [
            ("\\\\server\\reports$", "\\\\server\\reports$"),
            ("\"\\\\server\\reports$\\\"", "\\\\server\\reports$\\."),
            (
                "\"\\\\srv-files.corp.example\\cert reports$\\site 1\"",
                "\\\\srv-files.corp.example\\cert reports$\\site 1",
            ),
        ] {
            let run = case.run(
                wine,
                &format!("Install.cmd -Startup -ReportDir {typed}"),
                &SYSTEM,
            );
            assert_eq!(run.code, 0, "{typed}: {}", run.output);
            run.says("running in full");
            assert_eq!(
                checked_copy_arguments(&run, &case, "Install-Certificates.ps1"),
                ["-ReportDir", passed],
                "{typed}"
            );
        }
        let run = case.run(
            wine,
            "Install.cmd -Startup -ReportDir \\\\server\\reports$\\*",
            &SYSTEM,
        );
        assert_eq!(run.code, 3, "{}", run.output);
        assert!(run.calls.is_empty());
    })
}

/// The store check as rendered: one PowerShell per 100 certificates, each command a single
/// line cmd.exe can read (well under 8191 characters), whose text has no character cmd.exe
/// would expand or end the quotes with, parses as PowerShell 2.0, lists exactly the bundle's
/// certificates (roots as R, intermediates as C), each once, and only an exit code of 42 counts.
#[test]
fn the_store_check_lists_every_certificate_and_parses() {
    let root = crate::common::root("Check Root");
    let inter = crate::common::intermediate("Check Intermediate", &root);
    let many: Vec<Vec<u8>> = (0..201)
        .map(|i| crate::common::root(&format!("Check Root {i:03}")).der)
        .collect();
    for (ders, checks) in [
        (vec![root.der.clone()], 1),
        (vec![root.der.clone(), inter.der.clone()], 1),
        (many, 3),
    ] {
        let r = render_bundle(&ders);
        let install = text(&r, "Install.cmd");
        let lines: Vec<&str> = install.split("\r\n").collect();
        let prefix = "\"%PSEXE%\" -NoLogo -NoProfile -NonInteractive -Command \"$r = 1; try {";
        let suffix = "\" <nul >nul 2>&1";
        let mut all = Vec::new();
        let mut found = 0;
        for (i, line) in lines.iter().enumerate() {
            if !line.starts_with(prefix) {
                continue;
            }
            found += 1;
            assert!(line.len() < 7000, "{} characters", line.len());
            assert_eq!(
                lines[i + 1],
                "if not \"%ERRORLEVEL%\"==\"42\" goto startup_full"
            );
            let command = line
                .strip_prefix("\"%PSEXE%\" -NoLogo -NoProfile -NonInteractive -Command \"")
                .and_then(|l| l.strip_suffix(suffix))
                .unwrap_or_else(|| panic!("{line}"));
            for c in ['"', '%', '!', '^', '\r', '\n'] {
                assert!(!command.contains(c), "{c:?} in {command}");
            }
            assert_eq!(parse_errors(command), Vec::<String>::new(), "{command}");
            assert_eq!(lint(command), vec![], "{command}");
            assert!(command.ends_with("if ($ok) { $r = 42 } } catch { $r = 1 }; exit $r"));
            // The doubles read only the list: what the code around it must look at is checked
            // here, as text. The stores the installer looks at, read-only; Untrusted
            // Certificates, the computer's and SYSTEM's own (its Group Policy ones too); the
            // policy that lets the computer trust only enterprise roots, which leaves AuthRoot
            // out of what counts for a root (and fails nothing by itself).
            for must in [
                "foreach ($n in @('Root', 'AuthRoot', 'CA', 'Disallowed'))",
                "$x.Open([System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly)",
                "if ($e.StartsWith('R')) { $in = @($s['Root'].Certificates.Find($f, $t, $false)).Count; if ($a) { $in = $in + @($s['AuthRoot'].Certificates.Find($f, $t, $false)).Count } } else { $in = @($s['CA'].Certificates.Find($f, $t, $false)).Count }; if ($in -eq 0) { $ok = $false }",
                "if (@($s['Disallowed'].Certificates.Find($f, $t, $false)).Count -ne 0) { $ok = $false }",
                "foreach ($p in @('Software\\Microsoft', 'Software\\Policies\\Microsoft')) { $d = [Microsoft.Win32.Registry]::Users.OpenSubKey('S-1-5-18\\' + $p + '\\SystemCertificates\\Disallowed\\Certificates\\' + $t)",
                "OpenSubKey('SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\ProtectedRoots')",
                "$ok = $true; $a = $true; $k = ",
                "(([int]$v) -band 8) -ne 0) { $a = $false } };",
                "$r = 1; try { $ErrorActionPreference = 'Stop';",
            ] {
                assert_eq!(command.matches(must).count(), 1, "{must}");
            }
            assert_eq!(command.matches("$r = 42").count(), 1);
            // Only a certificate missing or distrusted fails the check: not the policy.
            assert_eq!(command.matches("$ok = $false").count(), 3, "{command}");
            assert_eq!(
                command.matches("Open(").count(),
                1,
                "a store opened for writing?"
            );
            all.extend(listed(command).split(',').map(String::from));
        }
        assert_eq!(found, checks);
        let cert_files = r.files.keys().filter(|k| k.starts_with("certs/")).count();
        assert_eq!(cert_files, ders.len());
        // Each once (in Install.cmd's order, roots first; the manifest's may differ).
        let manifest: serde_json::Value =
            serde_json::from_slice(&r.files["manifest.json"]).unwrap();
        let expected: Vec<String> = manifest["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let kind = if c["store"] == "Root" { "R" } else { "C" };
                format!("{kind}{}", c["sha1"].as_str().unwrap().to_ascii_uppercase())
            })
            .collect();
        let mut sorted = all.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), all.len(), "a certificate listed twice");
        let mut expected = expected;
        expected.sort();
        assert_eq!(sorted, expected);
    }
}

/// README.txt, section 6: the Group Policy steps with the parameters, the counts the Wine test
/// measures, the report share's permissions, Fast Startup, and the scheduled task from a local
/// copy outside a domain.
#[test]
fn readme_txt_says_how_to_run_it_at_every_startup() {
    let root = crate::common::root("Readme Root");
    let inter = crate::common::intermediate("Readme Intermediate", &root);
    let r = render_bundle(&[root.der.clone(), inter.der.clone()]);
    let readme = text(&r, "README.txt");
    let at = readme
        .find("6. AT EVERY STARTUP (STARTUP SCRIPT OR SCHEDULED TASK)")
        .unwrap();
    let end = at + readme[at..].find("7. ANSIBLE").unwrap();
    let section = readme[at..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for must in [
        "Computer Configuration > Policies > Windows Settings > Scripts (Startup/Shutdown) > double-click Startup > Add",
        "Script Name: \\\\corp.example\\NETLOGON\\certbundle\\test-certs\\Install.cmd",
        "Script Parameters: -Startup -ExpectedDigest <digest> -ReportDir \\\\server\\reports$",
        // The counts measured in a_compliant_host_starts_two_programs_instead_of_twenty.
        "That starts 2 programs (fsutil.exe,",
        "16 programs plus 2 per certificate: 20 for this bundle",
        "the report of the run that installed the certificates stays",
        "Specify maximum wait time for Group Policy scripts",
        "Run startup scripts asynchronously",
        "Fast Startup is on",
        "after every restart",
        "\"*S-1-3-0:(OI)(CI)(IO)F\" \"CORP\\Domain Computers:(WD,RA,X,S)\"",
        "Domain Computers: Change",
        "SYSTEM reaches network shares only anonymously",
        "schtasks /create /tn \"certbundle test-certs\" /tr \"C:\\ProgramData\\certbundle\\test-certs\\Install.cmd -Startup -ExpectedDigest <digest>\" /ru SYSTEM /sc onstart /rl highest /f",
        "icacls C:\\ProgramData\\certbundle /setowner \"*S-1-5-32-544\" /t",
        // A laptop on battery would never run the task.
        "-AllowStartIfOnBatteries -DontStopIfGoingOnBatteries",
        // Over the network: NETLOGON, hardened.
        "RequireMutualAuthentication=1, RequireIntegrity=1",
    ] {
        assert!(section.contains(must), "{must:?} not in:\n{section}");
    }
    assert!(!readme.contains("placeholder: issue 14, section 3"));
    // The task's /tr stays within the 261 characters schtasks takes, for the longest name a
    // bundle may have.
    let tr =
        "C:\\ProgramData\\certbundle\\test-certs\\Install.cmd -Startup -ExpectedDigest ".len() + 64;
    let longest = (1..200)
        .take_while(|n| certbundle::names::check_bundle_name(&"a".repeat(*n)).is_ok())
        .last()
        .unwrap();
    assert!(tr - "test-certs".len() + longest <= 261, "{longest}");
}
