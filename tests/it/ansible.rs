//! `ansible/` in every bundle: the playbook, the inventory example and their README, as rendered
//! (ASCII, LF, the installer's SHA-256, the order of the tasks, the PowerShell it sends), as
//! snapshots, and checked by Ansible itself where it is installed (`ansible-playbook
//! --syntax-check`, `ansible-lint`; `.ci/run` installs both). Reports the playbook fetches back
//! are read by `certbundle report` (`tests/fixtures/ansible`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::powershell::parse_errors;
use crate::common::*;
use crate::render_snapshots::{rendered, text};

const PLAYBOOK: &str = "ansible/install-certificates.yml";
const INVENTORY: &str = "ansible/inventory.example.yml";
const README: &str = "ansible/README.md";
const FILES: [&str; 3] = [PLAYBOOK, INVENTORY, README];

/// The bundle of the render snapshots (committed certificates: the hashes never change).
fn bundle() -> certbundle::render::Rendered {
    rendered(&[
        fixture("roots/DigiCert_Assured_ID_Root_CA.pem"),
        fixture("roots/ISRG_Root_X2.pem"),
        fixture("generated/sha1-root.pem"),
        fixture("generated/sha1-intermediate.pem"),
    ])
}

/// The modules the playbook's tasks call, in order (`ansible.builtin.stat`, ...).
fn modules(playbook: &str) -> Vec<&str> {
    playbook
        .lines()
        .filter_map(|l| {
            let t = l.trim();
            let name = t.strip_suffix(':')?;
            (name.starts_with("ansible.") && name.split('.').count() == 3 && !name.contains(' '))
                .then_some(name)
        })
        .collect()
}

/// The PowerShell script of the win_powershell task (the `script: |` block, dedented).
fn wrapper(playbook: &str) -> String {
    let lines: Vec<&str> = playbook.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == "script: |")
        .expect("the win_powershell task has a script block");
    let indent = |l: &str| l.len() - l.trim_start().len();
    let outer = indent(lines[start]);
    let body: Vec<&str> = lines[start + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || indent(l) > outer)
        .copied()
        .collect();
    let inner = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent(l))
        .min()
        .unwrap();
    body.iter()
        .map(|l| l.get(inner..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_files_are_ascii_with_lf_and_keep_no_template_syntax_of_ours() {
    let r = bundle();
    for file in FILES {
        let bytes = &r.files[file];
        assert!(bytes.is_ascii(), "{file} is not ASCII");
        assert!(!bytes.contains(&b'\r'), "{file} has a CR");
        assert!(
            bytes.ends_with(b"\n"),
            "{file} does not end with a line end"
        );
        let t = text(&r, file);
        for ours in ["{% raw", "{%raw", "endraw", "{{ bundle", "{{ installer"] {
            assert!(!t.contains(ours), "{file} keeps {ours:?}");
        }
        // Every file is listed in SHA256SUMS.
        let sums = text(&r, "SHA256SUMS");
        assert!(
            sums.contains(&format!(
                "{}  {file}\n",
                certbundle::hex::sha256_lower(bytes)
            )),
            "{file}"
        );
    }
    // YAML documents, Ansible expressions kept for Ansible.
    assert!(text(&r, PLAYBOOK).starts_with("---\n"));
    assert!(text(&r, INVENTORY).starts_with("---\n"));
    assert!(text(&r, INVENTORY).contains("\"{{ vault_domain_password }}\""));
}

#[test]
fn the_playbook_carries_exactly_the_installers_sha256_and_runs_the_installer_beside_it() {
    let r = bundle();
    let playbook = text(&r, PLAYBOOK);
    let installer = certbundle::hex::sha256_upper(&r.files["Install-Certificates.ps1"]);
    assert_eq!(
        playbook
            .matches(&format!("certbundle_installer_sha256: '{installer}'\n"))
            .count(),
        1,
        "{playbook}"
    );
    // No other hash: every 64-digit hex run in the playbook is that one.
    let hex_runs: Vec<&str> = playbook
        .split(|c: char| !c.is_ascii_hexdigit())
        .filter(|w| w.len() >= 40)
        .collect();
    assert_eq!(hex_runs, [installer.as_str()]);
    assert!(playbook.contains(
        "certbundle_installer_local: \"{{ playbook_dir }}/../Install-Certificates.ps1\"\n"
    ));
    assert!(playbook.contains("certbundle_bundle_name: 'snapshot-certs-20261125'\n"));
    // Its README shows the same hash, for a check by hand.
    assert!(text(&r, README).contains(&format!("`{installer}`")));
    // Another bundle's installer (another certificate) gives another hash in its playbook.
    let other = rendered(&[fixture("roots/ISRG_Root_X1.pem")]);
    let other_installer = certbundle::hex::sha256_upper(&other.files["Install-Certificates.ps1"]);
    assert_ne!(other_installer, installer);
    assert!(text(&other, PLAYBOOK).contains(&other_installer));
}

#[test]
fn nothing_runs_on_a_host_before_the_copy_there_is_checked() {
    let playbook = text(&bundle(), PLAYBOOK);
    assert_eq!(
        modules(&playbook),
        [
            // The control node: the installer, then (with certbundle_expected_digest) SHA256SUMS.
            "ansible.builtin.stat",
            "ansible.builtin.assert",
            "ansible.builtin.stat",
            "ansible.builtin.assert",
            // The host: folder, copy, hash there, stop on a mismatch; only then run.
            "ansible.windows.win_tempfile",
            "ansible.windows.win_copy",
            "ansible.windows.win_stat",
            "ansible.builtin.assert",
            "ansible.windows.win_powershell",
            "ansible.windows.win_find",
            "ansible.builtin.assert",
            "ansible.builtin.fetch",
            "ansible.builtin.slurp",
            "ansible.builtin.set_fact",
            "ansible.windows.win_file",
            "ansible.builtin.debug",
            "ansible.builtin.fail",
            "ansible.builtin.fail",
        ]
    );
    let at = |needle: &str| {
        playbook
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} missing"))
    };
    // The two checks compare with the carried hash, and both come before the one run.
    let local =
        at("certbundle_local_installer.stat.checksum | upper == certbundle_installer_sha256");
    let remote =
        at("certbundle_remote_installer.stat.checksum | upper == certbundle_installer_sha256");
    let run = at("ansible.windows.win_powershell:");
    assert!(local < remote && remote < run);
    assert!(at("checksum_algorithm: sha256") < local);
    // The control-node checks run once, there, before anything reaches a host.
    let first_host_task = at("ansible.windows.win_tempfile:");
    assert_eq!(
        playbook[..first_host_task]
            .matches("delegate_to: localhost")
            .count(),
        3
    );
    assert_eq!(playbook.matches("delegate_to:").count(), 3);
    // Nothing else runs commands on the host.
    for other in [
        "win_shell",
        "win_command",
        "ansible.builtin.raw",
        "ansible.builtin.script",
        "become",
    ] {
        assert!(!playbook.contains(other), "{other}");
    }
    // The folder is removed whatever happened (always), also in check mode.
    let always = at("      always:\n");
    assert!(always > at("ansible.builtin.set_fact:"));
    assert!(playbook[always..].starts_with(
        "      always:\n        - name: Remove the working folders\n          ansible.windows.win_file:\n"
    ));
    // Both: the temporary one and the one the script made.
    assert!(playbook[always..].contains(
        "loop: \"{{ [certbundle_tmp.path | default(''), certbundle_run.result.work | default('')] | select | list }}\""
    ));
}

#[test]
fn check_mode_runs_the_installer_with_check_only_and_fetches_the_report() {
    let playbook = text(&bundle(), PLAYBOOK);
    let ps = wrapper(&playbook);
    // win_powershell runs a script in check mode only when it declares SupportsShouldProcess.
    assert!(
        ps.starts_with("[CmdletBinding(SupportsShouldProcess = $true)]\nparam ("),
        "{ps}"
    );
    assert!(ps.contains("} elseif ($Ansible.CheckMode) {\n    $arguments += '-CheckOnly'\n}"));
    assert!(ps.contains("'-ExecutionPolicy', 'Bypass', '-File', $copy, '-ReportDir', $reports)"));
    assert!(ps.contains("$Ansible.Result = @{ exit_code = $LASTEXITCODE; work = $work }"));
    // Never -ExpectedDigest: without SHA256SUMS beside it the installer would refuse to run.
    assert!(!ps.contains("ExpectedDigest"));
    assert_eq!(parse_errors(&ps), Vec::<String>::new(), "{ps}");
    // What must work in check mode is told so: the folder, the copy, the fetch, the clean-up.
    assert_eq!(playbook.matches("check_mode: false").count(), 4);
    for module in [
        "ansible.windows.win_tempfile:",
        "ansible.windows.win_copy:",
        "ansible.builtin.fetch:",
        "ansible.windows.win_file:",
    ] {
        let task = &playbook[playbook.find(module).unwrap()..];
        let task = &task[..task.find("\n        - name:").unwrap_or(task.len())];
        assert!(task.contains("check_mode: false"), "{module}");
    }
    // The report comes back flat into the bundle's reports folder, both files.
    assert!(playbook.contains(
        "certbundle_reports_local: \"{{ certbundle_report_dir | default(playbook_dir ~ '/../reports') }}\""
    ));
    assert!(playbook.contains("dest: \"{{ certbundle_reports_local }}/\"\n            flat: true"));
    assert!(playbook.contains("regex_replace('[.]json$', '.txt')"));
    // The verdicts that pass, in each mode.
    assert!(playbook.contains(
        "{{ (['would-uninstall'] if ansible_check_mode else ['uninstalled']) if certbundle_uninstalling\n      else (['compliant'] if ansible_check_mode else ['compliant', 'fixed']) }}"
    ));
}

#[test]
fn the_script_runs_the_bytes_it_checked_from_a_new_folder_only_administrators_can_change() {
    let playbook = text(&bundle(), PLAYBOOK);
    let ps = wrapper(&playbook);
    assert_eq!(parse_errors(&ps), Vec::<String>::new(), "{ps}");
    let at = |needle: &str| {
        assert_eq!(ps.matches(needle).count(), 1, "{needle} in {ps}");
        ps.find(needle).unwrap()
    };
    // The copy win_copy left in %TEMP% is read once, and never used again.
    let read = at("$bytes = [System.IO.File]::ReadAllBytes($Installer)");
    assert_eq!(ps.matches("$Installer").count(), 2, "{ps}");
    let hash = at("$sha.ComputeHash($bytes)");
    let refuse = at("if ($actual -ne $Sha256) {");
    // The folder: protected, Administrators and SYSTEM only, owned by Administrators, made with
    // that access list, in the system's Temp under a new GUID, and looked at once made.
    let protect = at("$security.SetAccessRuleProtection($true, $false)");
    at("foreach ($sid in @('S-1-5-32-544', 'S-1-5-18')) {");
    at("'FullControl', $inherit, $none, $allow");
    assert_eq!(ps.matches("AddAccessRule").count(), 1, "{ps}");
    assert!(
        !ps.contains("S-1-5-32-545") && !ps.contains("S-1-1-0"),
        "{ps}"
    );
    let owner = at(
        "$security.SetOwner((New-Object -TypeName System.Security.Principal.SecurityIdentifier -ArgumentList 'S-1-5-32-544'))",
    );
    let name = at(
        "$work = Join-Path $env:SystemRoot ('Temp\\certbundle.' + [System.Guid]::NewGuid().ToString('N'))",
    );
    let create = at("[void][System.IO.Directory]::CreateDirectory($work, $security)");
    let verify = at(
        "if ($link -or -not $acl.AreAccessRulesProtected -or $owner -ne 'S-1-5-32-544' -or $inside.Count -gt 0) {",
    );
    // Exactly the bytes checked, written into it, and that copy run, its report written there.
    let write = at("[System.IO.File]::WriteAllBytes($copy, $bytes)");
    at("$copy = Join-Path $work 'Install-Certificates.ps1'");
    // As Install.cmd starts it: the system's modules, in System32.
    let modules = at("$env:PSModulePath = Join-Path $system32 'WindowsPowerShell\\v1.0\\Modules'");
    let location = at("Set-Location -LiteralPath $system32");
    let run = at("& $powershell @arguments");
    assert!(read < hash && hash < refuse && refuse < protect, "{ps}");
    assert!(
        protect < owner && owner < name && name < create && create < verify,
        "{ps}"
    );
    assert!(
        verify < write && write < modules && modules < location && location < run,
        "{ps}"
    );
    // The report is looked for there (the folder the script returns), not in the temporary one.
    assert!(playbook.contains("paths: \"{{ certbundle_run.result.work }}\\\\reports\""));
    assert!(!playbook.contains("certbundle_tmp.path }}\\\\reports"));
    // The host passes only with exit code 0, in the mode's exit codes, and the report's mode.
    assert!(playbook.contains(
        "when: certbundle_report.verdict not in certbundle_passing_verdicts or certbundle_run.result.exit_code != 0\n"
    ));
    assert!(playbook.contains("or certbundle_run.result.exit_code not in certbundle_exit_codes\n"));
    assert!(playbook.contains("or certbundle_report.mode != certbundle_mode\n"));
    assert!(playbook.contains(
        "certbundle_exit_codes: \"{{ [0, 1, 2, 3, 4] if certbundle_mode == 'check-only' else [0, 1, 2, 3] }}\""
    ));
}

#[test]
fn snapshots_of_the_three_files() {
    let r = bundle();
    insta::assert_snapshot!("install-certificates.yml", text(&r, PLAYBOOK));
    insta::assert_snapshot!("inventory.example.yml", text(&r, INVENTORY));
    insta::assert_snapshot!("ansible-README.md", text(&r, README));
}

/// A bundle written by the binary, as an administrator gets it.
fn built_bundle(tmp: &Path) -> PathBuf {
    let input = good_input(tmp);
    build_bundle(tmp, &input, "ansible-certs").0
}

/// A command of the Ansible tools with its state kept in `tmp` (not in the user's home).
fn ansible_command(tool: &str, tmp: &Path, cwd: &Path) -> Command {
    let home = tmp.join("ansible-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = Command::new(tool);
    cmd.current_dir(cwd)
        .env("ANSIBLE_HOME", &home)
        .env("ANSIBLE_LOCAL_TEMP", home.join("tmp"))
        .env("XDG_CACHE_HOME", tmp.join("cache"))
        .env("ANSIBLE_LINT_SKIP_SCHEMA_UPDATE", "1")
        .env("ANSIBLE_NOCOLOR", "1")
        .env("NO_COLOR", "1")
        .env_remove("ANSIBLE_CONFIG");
    cmd
}

fn run(tool: &str, mut cmd: Command) -> (bool, String) {
    match cmd.output() {
        Ok(out) => (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        ),
        Err(e) => {
            tool_missing(tool, &e.to_string());
            unreachable!()
        }
    }
}

fn syntax_check(tmp: &Path, bundle: &Path, playbook: &str) -> (bool, String) {
    let mut cmd = ansible_command("ansible-playbook", tmp, bundle);
    cmd.args(["--syntax-check", "-i", INVENTORY, playbook]);
    run("ansible-playbook", cmd)
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn ansible_playbook_syntax_check_passes_on_a_built_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = built_bundle(tmp.path());
    let (ok, out) = syntax_check(tmp.path(), &bundle, PLAYBOOK);
    assert!(ok, "{out}");
    assert!(
        out.contains("playbook: ansible/install-certificates.yml"),
        "{out}"
    );
    // It resolves every module (the ansible.windows collection is there), and would say so.
    let playbook = std::fs::read_to_string(bundle.join(PLAYBOOK)).unwrap();
    write(
        &bundle,
        "ansible/broken.yml",
        playbook.replace("ansible.windows.win_stat:", "ansible.windows.win_stats:"),
    );
    let (ok, out) = syntax_check(tmp.path(), &bundle, "ansible/broken.yml");
    assert!(!ok && out.contains("ansible.windows.win_stats"), "{out}");
}

#[test]
#[cfg_attr(
    not(has_ansible_lint),
    ignore = "needs ansible-lint on PATH (.ci/run installs it into a virtual environment)"
)]
fn ansible_lint_passes_the_production_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = built_bundle(tmp.path());
    let lint = |bundle: &Path| {
        let mut cmd = ansible_command("ansible-lint", tmp.path(), bundle);
        cmd.args([
            "--offline",
            "--profile",
            "production",
            "--nocolor",
            PLAYBOOK,
            INVENTORY,
        ]);
        run("ansible-lint", cmd)
    };
    let (ok, out) = lint(&bundle);
    assert!(ok, "{out}");
    assert!(
        out.contains("Profile 'production' was required, and it passed"),
        "{out}"
    );
    // A module named without its collection fails the profile: the lint really ran.
    let playbook = std::fs::read_to_string(bundle.join(PLAYBOOK)).unwrap();
    write(
        &bundle,
        PLAYBOOK,
        playbook.replace("ansible.windows.win_stat:", "win_stat:"),
    );
    let (ok, out) = lint(&bundle);
    assert!(!ok && out.contains("fqcn"), "{out}");
}

const FIXTURES: &str = "tests/fixtures/ansible";

#[test]
fn certbundle_report_reads_the_reports_the_playbook_fetches() {
    let assert = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", FIXTURES, "--json"])
        .assert()
        .code(1);
    let out = &assert.get_output().stdout;
    assert_no_duplicate_keys(out);
    let json = strict_json(out);
    let hosts: Vec<(&str, &str, &str)> = json["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["host"].as_str().unwrap(),
                h["mode"].as_str().unwrap(),
                h["status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        hosts,
        [
            ("SRV-APEX02", "check-only", "still-missing"),
            ("SRV-FILE03", "install", "still-missing"),
            ("WS-0101", "install", "fixed"),
        ]
    );
    // The text reports beside them are not reports to read, nor files to complain about.
    assert_eq!(json["skipped"].as_array().unwrap().len(), 0, "{json}");
    // Each is the installer's own report, of the private folder it ran in, without a digest.
    for name in ["WS-0101_20261128T090006Z", "SRV-APEX02_20261128T090005Z"] {
        let report = strict_json(std::fs::read(fixture(&format!("ansible/{name}.json"))).unwrap());
        assert!(report["bundle"]["digest"].is_null());
        assert_eq!(report["integrity"]["launcher_checked"], false);
        assert!(
            report["report_dir"]
                .as_str()
                .unwrap()
                .starts_with("C:\\Windows\\Temp\\certbundle.")
        );
        assert!(
            std::fs::read(fixture(&format!("ansible/{name}.txt")))
                .unwrap()
                .starts_with(b"\xEF\xBB\xBF")
        );
    }
}

#[test]
fn without_a_digest_the_reports_match_their_bundle_by_name_and_build_time() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    // The fixtures' bundle: apex-one-certs-20261125, built 2026-11-25T00:00:00Z (EPOCH).
    let (bundle, _, _) = build_bundle(tmp.path(), &input, "apex-one-certs-20261125");
    let assert = certbundle()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", FIXTURES, "--json", "--bundle"])
        .arg(&bundle)
        .assert()
        .code(1);
    let json = strict_json(&assert.get_output().stdout);
    for h in json["hosts"].as_array().unwrap() {
        assert_eq!(h["bundle_match"], "no-digest", "{h}");
    }
}

/// One run of the bundle's playbook on this machine, against the stand-in `ansible.windows`
/// (`tests/doubles/ansible`, `ansible_connection: local`): its exit code, its output, the
/// installer arguments its script would have used (one list per run it would have started), and
/// the reports it brought into the bundle.
struct PlaybookRun {
    ok: bool,
    out: String,
    runs: Vec<Vec<String>>,
    reports: Vec<String>,
}

/// The playbook stopped on the control node: it failed saying nothing was sent, ran nothing
/// and fetched nothing, and never made a working folder on a host.
fn nothing_was_sent(r: &PlaybookRun) {
    assert!(
        !r.ok && r.out.contains("Nothing was sent to any host"),
        "{}",
        r.out
    );
    assert!(r.runs.is_empty() && r.reports.is_empty());
    assert!(
        !r.out.contains("Make a private working folder"),
        "{}",
        r.out
    );
}

/// Runs the playbook of `bundle` with the stand-in installer answering as `report` (a fixture
/// of tests/fixtures/ansible, turned into the run's mode). `env` adds variables for the stand-ins.
fn run_playbook(
    tmp: &Path,
    bundle: &Path,
    report: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> PlaybookRun {
    let work = tempfile::tempdir_in(tmp).unwrap();
    let collections = work.path().join("collections");
    copy_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doubles/ansible"),
        &collections,
    );
    let temp = work.path().join("host-temp");
    std::fs::create_dir_all(&temp).unwrap();
    let system_temp = work.path().join("host-windows/Temp");
    std::fs::create_dir_all(&system_temp).unwrap();
    let inventory = write(
        work.path(),
        "inventory.yml",
        "windows:\n  hosts:\n    winfake:\n      ansible_connection: local\n      \
         ansible_python_interpreter: \"{{ ansible_playbook_python }}\"\n",
    );
    let log = work.path().join("installer-runs.jsonl");
    let reports = bundle.join("reports");
    for entry in std::fs::read_dir(&reports).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let mut cmd = ansible_command("ansible-playbook", work.path(), bundle);
    cmd.arg("-i")
        .arg(&inventory)
        .arg(PLAYBOOK)
        .args(args)
        .env("ANSIBLE_COLLECTIONS_PATH", &collections)
        .env("ANSIBLE_COLLECTIONS_SCAN_SYS_PATH", "false")
        .env("CERTBUNDLE_FAKE_TEMP", &temp)
        .env(
            "CERTBUNDLE_FAKE_SYSTEMROOT",
            work.path().join("host-windows"),
        )
        .env("CERTBUNDLE_FAKE_LOG", &log)
        .env(
            "CERTBUNDLE_FAKE_REPORT",
            fixture(&format!("ansible/{report}")),
        )
        .envs(env.iter().copied());
    let (ok, out) = run("ansible-playbook", cmd);
    let runs = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // The host's folders are removed however the run ended.
    assert_eq!(listing(&temp), Vec::<String>::new(), "{out}");
    assert_eq!(listing(&system_temp), Vec::<String>::new(), "{out}");
    PlaybookRun {
        ok,
        out,
        runs,
        reports: listing(&reports),
    }
}

/// A bundle named like the fixtures' (the playbook accepts only reports of its own bundle), and
/// its digest.
fn stand_in_bundle(tmp: &Path) -> (PathBuf, String) {
    let input = good_input(tmp);
    let (bundle, _, digest) = build_bundle(tmp, &input, "apex-one-certs-20261125");
    (bundle, digest)
}

const FIXED: &str = "WS-0101_20261128T090006Z.json";

fn both(stem: &str) -> Vec<String> {
    vec![format!("{stem}.json"), format!("{stem}.txt")]
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn against_a_stand_in_host_install_and_check_mode_run_the_installer_and_fetch_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, _) = stand_in_bundle(tmp.path());
    // Install: the installer runs once, with the private folder's reports folder, no -CheckOnly;
    // both reports come back; the host changed (certificates installed).
    let r = run_playbook(tmp.path(), &bundle, FIXED, &[], &[]);
    assert!(r.ok, "{}", r.out);
    assert_eq!(r.runs.len(), 1, "{}", r.out);
    // The copy it runs and its reports are in one new folder of the system's Temp, not in %TEMP%.
    let [file_flag, copy, dir_flag, reports] = &r.runs[0][..] else {
        panic!("{:?}", r.runs)
    };
    assert_eq!(
        (file_flag.as_str(), dir_flag.as_str()),
        ("-File", "-ReportDir")
    );
    let work = Path::new(copy).parent().unwrap();
    assert_eq!(work.parent().unwrap().file_name().unwrap(), "Temp");
    assert!(
        work.parent()
            .unwrap()
            .parent()
            .unwrap()
            .ends_with("host-windows")
    );
    let name = work.file_name().unwrap().to_str().unwrap();
    assert!(
        name.len() == 43
            && name.starts_with("certbundle.")
            && name[11..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}"
    );
    assert_eq!(Path::new(reports), work.join("reports"));
    assert_eq!(r.reports, both("WS-0101_20261128T090006Z"));
    assert!(
        r.out.contains("WS-0101: fixed (mode install, exit code 0)"),
        "{}",
        r.out
    );
    assert!(
        r.out.contains("changed=1") && r.out.contains("failed=0"),
        "{}",
        r.out
    );

    // --check: -CheckOnly; the report still comes back; missing certificates fail the host.
    let r = run_playbook(tmp.path(), &bundle, FIXED, &["--check"], &[]);
    assert!(!r.ok, "{}", r.out);
    assert_eq!(r.runs.len(), 1);
    assert_eq!(&r.runs[0][4..], ["-CheckOnly"]);
    assert_eq!(r.reports, both("WS-0101_20261128T090006Z"));
    assert!(
        r.out.contains("WS-0101: not-compliant (exit code 4)"),
        "{}",
        r.out
    );
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn against_a_stand_in_host_a_blocked_certificate_fails_and_uninstall_passes_its_options() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, _) = stand_in_bundle(tmp.path());
    // A blocked certificate: the host fails with the installer's messages.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        "SRV-FILE03_20261128T090007Z.json",
        &[],
        &[],
    );
    assert!(!r.ok);
    assert!(
        r.out.contains("SRV-FILE03: not-compliant (exit code 1)")
            && r.out.contains("BLOCKED: VeriSign Class 3"),
        "{}",
        r.out
    );
    assert_eq!(r.reports, both("SRV-FILE03_20261128T090007Z"));

    // -Uninstall, and -Uninstall -WhatIf in check mode; the other option reaches the installer.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[
            "--check",
            "-e",
            "certbundle_uninstall=true",
            "-e",
            "certbundle_skip_product_check=true",
        ],
        &[],
    );
    assert!(r.ok, "{}", r.out);
    assert_eq!(
        &r.runs[0][4..],
        ["-Uninstall", "-WhatIf", "-SkipProductCheck"]
    );
    assert!(r.out.contains("WS-0101: would-uninstall"), "{}", r.out);
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn against_a_stand_in_host_the_expected_digest_is_checked_before_anything_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, digest) = stand_in_bundle(tmp.path());
    // The digest, given with a space: checked on the control node, then the run goes on.
    let spaced = format!("{} {}", &digest[..32], &digest[32..]);
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &["-e", &format!("certbundle_expected_digest='{spaced}'")],
        &[],
    );
    assert!(r.ok, "{}", r.out);
    assert_eq!(r.runs.len(), 1);

    // Another digest: nothing reaches the host.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[
            "-e",
            &format!("certbundle_expected_digest={}", "0".repeat(64)),
        ],
        &[],
    );
    nothing_was_sent(&r);
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn against_a_stand_in_host_a_changed_installer_never_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, _) = stand_in_bundle(tmp.path());
    // A copy changed on the host: stopped before anything runs there; the folder is removed.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[],
        &[("CERTBUNDLE_FAKE_CORRUPT_COPY", "1")],
    );
    assert!(
        !r.ok && r.out.contains("nothing was run there"),
        "{}",
        r.out
    );
    assert!(r.runs.is_empty() && r.reports.is_empty());

    // A copy changed after win_stat checked it: the script reads it once, finds it changed and
    // runs nothing.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[],
        &[("CERTBUNDLE_FAKE_TAMPER", "1")],
    );
    assert!(
        !r.ok && r.out.contains("The installer copy changed: not run."),
        "{}",
        r.out
    );
    assert!(r.runs.is_empty() && r.reports.is_empty());

    // An installer beside the playbook that is not the one it was built with: nothing is sent.
    let installer = bundle.join("Install-Certificates.ps1");
    let mut changed = std::fs::read(&installer).unwrap();
    changed.extend_from_slice(b"\r\n");
    std::fs::write(&installer, changed).unwrap();
    let r = run_playbook(tmp.path(), &bundle, FIXED, &[], &[]);
    nothing_was_sent(&r);
}

#[test]
#[cfg_attr(
    not(has_ansible),
    ignore = "needs ansible-playbook on PATH (.ci/run installs ansible into a virtual environment)"
)]
fn against_a_stand_in_host_only_exit_code_0_passes_whatever_the_report_says() {
    let tmp = tempfile::tempdir().unwrap();
    let (bundle, _) = stand_in_bundle(tmp.path());
    // A report that says "fixed" with the exit code 1 the installer returned: fails.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[],
        &[("CERTBUNDLE_FAKE_EXIT_CODE", "1")],
    );
    assert!(!r.ok, "{}", r.out);
    assert!(r.out.contains("WS-0101: fixed (exit code 1)."), "{}", r.out);
    // Exit code 4 is -CheckOnly's: in an install it is not this run's.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        FIXED,
        &[],
        &[("CERTBUNDLE_FAKE_EXIT_CODE", "4")],
    );
    assert!(!r.ok, "{}", r.out);
    assert!(
        r.out.contains("is not this run's")
            && r.out.contains("in this mode it returns one of 0, 1, 2, 3)"),
        "{}",
        r.out
    );
    // A check-only report where an install ran: not this run's.
    let r = run_playbook(
        tmp.path(),
        &bundle,
        "SRV-APEX02_20261128T090005Z.json",
        &[],
        &[("CERTBUNDLE_FAKE_MODE", "check-only")],
    );
    assert!(!r.ok, "{}", r.out);
    assert!(
        r.out.contains("mode check-only (this is install)"),
        "{}",
        r.out
    );
}
