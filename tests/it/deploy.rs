//! Deploy-Certificates.ps1 and the installer's remote mode, checked statically (PowerShell cannot
//! run here): what is sent, what is read and written, the one transport function, credentials,
//! timeouts, and that remote mode never prints, writes or exits. The run itself against a fake
//! transport is `deploy_pwsh`, which needs `pwsh`.

use std::collections::BTreeSet;

use crate::common::powershell::{parse, read_single_quoted};
use crate::common::*;
use crate::installer::{code, function, once, render_bundle, text, written_report_keys};
use certbundle::render;
use proptest::prelude::*;

const DEPLOY: &str = "Deploy-Certificates.ps1";
const INSTALLER: &str = "Install-Certificates.ps1";

fn bundle() -> render::Rendered {
    render_bundle(&[root("Deploy Root").der])
}

/// Every double-quoted string of a script that expands something (`$x`, `$(...)`).
fn expanding_strings(ps: &str) -> Vec<String> {
    let tree = parse(ps);
    let mut found = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
        if matches!(
            n.kind(),
            "expandable_string_literal" | "expandable_here_string_literal"
        ) && ps[n.byte_range()].contains('$')
        {
            found.push(ps[n.byte_range()].to_string());
        }
    }
    found
}

/// The parameters of a script's `param(...)` block, in order.
fn parameters(ps: &str) -> Vec<String> {
    let start = ps.find("\r\nparam(\r\n").unwrap();
    let end = start + ps[start..].find("\r\n)\r\n").unwrap();
    ps[start..end]
        .lines()
        .filter_map(|l| {
            // Past the attributes in front ([type], [Parameter(...)]), the variable declared.
            let mut rest = l.trim();
            while rest.starts_with('[') {
                let mut depth = 0;
                let close = rest.char_indices().find_map(|(i, c)| {
                    depth += match c {
                        '[' => 1,
                        ']' => -1,
                        _ => 0,
                    };
                    (depth == 0).then_some(i)
                })?;
                rest = rest[close + 1..].trim_start();
            }
            let name = rest.strip_prefix('$')?;
            Some(name.split([' ', ',']).next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn deploy_is_in_the_bundle_checked_by_the_launcher_and_carries_the_installer_hash() {
    let r = bundle();
    let installer_sha = certbundle::hex::sha256_upper(&r.files[INSTALLER]);
    let deploy = text(&r, DEPLOY);
    assert!(
        deploy.contains(&format!("$InstallerSha256 = '{installer_sha}'")),
        "Deploy must carry the SHA-256 of the installer it sends"
    );
    // SHA256SUMS lists it; Install.cmd copies and checks it before -Deploy can start it.
    let sums = text(&r, "SHA256SUMS");
    assert!(sums.contains(&format!(
        "{}  {DEPLOY}\n",
        certbundle::hex::sha256_lower(&r.files[DEPLOY])
    )));
    let launcher = text(&r, "Install.cmd");
    assert!(launcher.contains(&format!(
        "call :check_copy {DEPLOY} {}",
        certbundle::hex::sha256_upper(&r.files[DEPLOY])
    )));
    // manifest.json names it and what it is for.
    let manifest: serde_json::Value = strict_json(&r.files["manifest.json"]);
    let scripts: Vec<&str> = manifest["scripts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert!(scripts.contains(&DEPLOY), "{scripts:?}");
    for s in &scripts {
        assert!(
            r.files.contains_key(*s),
            "manifest lists {s}, not in the bundle"
        );
    }
}

#[test]
fn deploy_takes_the_documented_parameters_each_with_help() {
    let deploy = text(&bundle(), DEPLOY);
    assert_eq!(
        parameters(&deploy),
        [
            "ComputerName",
            "ComputerListFile",
            "Credential",
            "ThrottleLimit",
            "TimeoutSeconds",
            "CheckOnly",
            "WhatIf",
            "ExpectedDigest",
            "ReportDir",
            "BundleDir",
            "StatusFile",
            "Transport",
            "UnexpectedArguments",
        ]
    );
    for p in parameters(&deploy)
        .iter()
        .filter(|p| *p != "UnexpectedArguments")
    {
        assert!(
            deploy.contains(&format!(".PARAMETER {p}\r\n")),
            "no help for -{p}"
        );
    }
    assert!(deploy.contains("[int]$ThrottleLimit = 16,"));
    // -WhatIf is a plain switch (nothing here calls ShouldProcess, so -Confirm is refused),
    // passed on as a plain bool.
    assert!(deploy.contains("\r\n[CmdletBinding()]\r\nparam(\r\n"));
    assert!(deploy.contains("'WhatIf' = [bool]$WhatIf"));
    // PowerShell 2.0 to 4.0 turn a user name into a password prompt only with the type first.
    assert!(deploy.contains(
        "    [System.Management.Automation.PSCredential]\r\n    [System.Management.Automation.Credential()]\r\n    $Credential = [System.Management.Automation.PSCredential]::Empty,\r\n"
    ));
}

#[test]
fn the_installer_text_is_read_once_checked_and_sent_never_a_path() {
    let r = bundle();
    let deploy = code(&r, DEPLOY);
    // Read once, from the folder of this (checked) script, through the one bounded reader.
    once(&deploy, "Read-CheckedFile $InstallerFile");
    let test_bundle = function(&deploy, "Test-Bundle");
    let read = once(&test_bundle, "$bytes = Read-CheckedFile $InstallerFile");
    let hashed = once(&test_bundle, "$actual = Get-Sha256Hex $bytes");
    let pinned = once(&test_bundle, "if ($actual -ne $InstallerSha256)");
    let listed = once(
        &test_bundle,
        "if ($actual -ne (Get-ListedHash $sumsText $InstallerFile))",
    );
    let text_made = once(
        &test_bundle,
        "$script:InstallerText = [System.Text.Encoding]::ASCII.GetString($bytes)",
    );
    assert!(read < hashed && hashed < pinned && pinned < listed && listed < text_made);
    // With -ExpectedDigest the digest is compared before anything else is read.
    let digest = once(&test_bundle, "if ($script:Digest -ne $wanted)");
    assert!(digest < read);
    // The bytes become the text only when nothing was found wrong.
    assert!(test_bundle[..text_made].contains("if (@($problems).Count -eq 0) {"));
    // No other read of any file of the bundle, and never -FilePath (it re-reads the file).
    for reader in ["ReadAllText", "ReadAllBytes", "Get-Content", "-FilePath"] {
        let uses: Vec<&str> = deploy.lines().filter(|l| l.contains(reader)).collect();
        let allowed = match reader {
            "ReadAllBytes" => 2, // Read-CheckedFile, and the script's own bytes when started directly
            "ReadAllText" => 1,  // the host list
            _ => 0,
        };
        assert_eq!(uses.len(), allowed, "{reader}: {uses:#?}");
    }
    assert!(
        function(&deploy, "Read-CheckedFile").contains("Join-Path $ScriptDir $Name"),
        "checked files come from the script's own (private) folder"
    );
    // What is sent: the text and plain values, to the native 64-bit default endpoint.
    assert!(deploy.contains("Invoke-Fleet $names @($script:InstallerText, $params)"));
    assert!(deploy.contains(
        "$params = @{ 'RemoteDigest' = $script:Digest; 'CheckOnly' = [bool]$CheckOnly; 'WhatIf' = [bool]$WhatIf; 'Confirm' = $false }"
    ));
    assert!(deploy.contains("& ([scriptblock]::Create($Text)) @Params"));
    let transport = function(&deploy, "Start-HostRun");
    assert!(transport.contains("'ConfigurationName' = 'Microsoft.PowerShell'"));
    assert!(transport.contains("'AsJob' = $true"));
    assert!(transport.contains("'ArgumentList' = $Arguments"));
}

#[test]
fn one_transport_function_talks_to_other_computers_and_the_credential_goes_nowhere_else() {
    let deploy = code(&bundle(), DEPLOY);
    once(&deploy, "Invoke-Command");
    assert!(function(&deploy, "Start-HostRun").contains("return Invoke-Command @call"));
    // The transport is replaceable, and used through one variable.
    let fleet = function(&deploy, "Invoke-Fleet");
    assert!(fleet.contains("$start = $Transport"));
    assert!(fleet.contains("if ($null -eq $start) { $start = ${function:Start-HostRun} }"));
    once(&deploy, "& $start $name $RemoteScript $Arguments");
    // The credential: declared, and handed to the connection; nothing else touches it.
    let uses: Vec<&str> = deploy
        .lines()
        .filter(|l| l.contains("$Credential"))
        .map(str::trim)
        .collect();
    assert_eq!(
        uses,
        [
            "$Credential = [System.Management.Automation.PSCredential]::Empty,",
            "return ($null -ne $Credential -and $Credential -ne [System.Management.Automation.PSCredential]::Empty)",
            "if (Test-Credential) { $call['Credential'] = $Credential }",
        ]
    );
    for never in [
        "Export-Clixml",
        "ConvertFrom-SecureString",
        "GetNetworkCredential",
        "CredSSP",
        "Basic",
        "Start-Transcript",
    ] {
        assert!(!deploy.contains(never), "{never}");
    }
}

#[test]
fn each_host_is_timed_from_when_it_runs_and_stopped_for_real_after_its_report() {
    let deploy = code(&bundle(), DEPLOY);
    let fleet = function(&deploy, "Invoke-Fleet");
    let update = function(&deploy, "Update-HostRun");
    // Never Wait-Job (no per-host timeout); the state is the child job's, the run on the
    // computer (the parent says Running from the start).
    assert!(!deploy.contains("Wait-Job"));
    assert!(update.contains("$job = Get-HostJob $Run['Job']"));
    assert!(function(&deploy, "Get-HostJob").contains("$children = @($Job.ChildJobs)"));
    // The clock starts when the run is first seen Running there.
    assert!(update.contains(
        "if ($state -eq 'Running' -and $null -eq $Run['Running']) {\r\n        $Run['Running'] = $Now"
    ));
    let timeout = once(
        &update,
        "($Now - $Run['Running']).TotalSeconds -gt $TimeoutSeconds",
    );
    let after = &update[timeout..];
    let report = after.find("Save-Unreached").unwrap();
    let stop = after.find("Stop-HostRun $Run['Job']").unwrap();
    assert!(
        report < stop,
        "the timeout report is written before Stop-Job, which may block"
    );
    // Blocked (waiting for input nobody gives) ends the host too; at most ThrottleLimit at once.
    assert!(update.contains("if ($state -eq 'Blocked') {"));
    assert!(fleet.contains("@($active).Count -lt $ThrottleLimit"));
    // Stopping a run that does not answer takes at most the session's CancelTimeout; a computer
    // sends back no more than a report needs.
    let transport = function(&deploy, "Start-HostRun");
    assert!(transport.contains(
        "-CancelTimeout 10000 -MaximumReceivedObjectSize $MaxReceivedObject -MaximumReceivedDataSizePerCommand $MaxReceivedData"
    ));
    // Whatever goes wrong with one computer ends only that one.
    assert!(fleet.contains("$done = Update-HostRun $run $now\r\n                } catch {"));
    // Ctrl+C or an error: every run still going gets its report, then is stopped and removed.
    let fin = once(&fleet, "} finally {");
    let rest = &fleet[fin..];
    assert!(rest.find("Save-Unreached").unwrap() < rest.find("Stop-HostRun $run['Job']").unwrap());
    // A $WhatIfPreference of the session would make Stop-Job and Remove-Job only talk.
    for cmdlet in ["Stop-Job", "Remove-Job"] {
        for line in deploy.lines().filter(|l| l.contains(cmdlet)) {
            assert!(
                line.contains("-WhatIf:$false -Confirm:$false"),
                "{cmdlet} without -WhatIf:$false: {line}"
            );
        }
    }
    // A host whose transport fails gets its report and the loop goes on.
    assert!(
        fleet.contains("Save-Unreached $name 'unreachable' 5 $started $_.Exception.Message $null")
    );
    // Output is read from the child's own collections: Receive-Job would replay on this console
    // whatever the computer wrote to its host.
    assert!(!deploy.contains("Receive-Job"));
    let complete = function(&deploy, "Complete-HostRun");
    assert!(
        complete.contains("$output = @($job.Output)")
            && complete.contains("$errors = @($job.Error)")
    );
    // Reached but failed there is an error, not "unreachable": seen running, ended as a run
    // ends, or failed with anything but a connection error.
    assert!(complete.contains(
        "$reached = $Run['Ran'] -or ([string]$job.JobStateInfo.State -eq 'Completed') -or ($null -ne $cause -and -not $transport)"
    ));
    assert!(complete.contains(
        "($cause -is [System.Management.Automation.Remoting.PSRemotingTransportException])"
    ));
}

#[test]
fn what_remote_text_reaches_reports_and_the_console_passes_the_rules() {
    let r = bundle();
    for name in [DEPLOY, INSTALLER] {
        // Runtime values never stand in double quotes (and no double-quoted string expands).
        assert_eq!(
            expanding_strings(&text(&r, name)),
            Vec::<String>::new(),
            "{name}"
        );
    }
    let deploy = code(&r, DEPLOY);
    // Messages from other computers: one line, no control or bidi characters, bounded.
    let one_line = function(&deploy, "Get-OneLine");
    assert!(
        one_line.contains(
            r"-creplace '[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+', ' '"
        )
    );
    assert!(one_line.contains("$line.Length -gt 2000"));
    let complete = function(&deploy, "Complete-HostRun");
    let unreached = function(&deploy, "Save-Unreached");
    assert!(unreached.contains("$Reason = Get-OneLine $Reason"));
    assert!(complete.contains("$language = Get-OneLine $item.Substring(25)"));
    // Names reach file names only as [A-Za-z0-9._-], never as a DOS device name; a name from
    // a report only when it is the computer name it was listed by.
    let stem = function(&deploy, "Get-FileStem");
    assert!(stem.contains("$safe = $Name -creplace '[^A-Za-z0-9._-]', '_'"));
    assert!(
        stem.contains("-match '^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])$') { $safe = '_' + $safe }")
    );
    assert!(
        complete.contains(
            "if ($reported -cmatch '^[A-Za-z0-9_-]{1,15}\\z' -and $reported -eq $label) {"
        )
    );
    // A listed name is only letters, digits and . _ - : % (the property test below runs these
    // very patterns).
    assert!(function(&deploy, "Get-HostNames").contains("-cmatch '^[A-Za-z0-9_.:%-]{1,255}\\z'"));
    // A report is saved as received only when it is one of this run and not too large.
    assert!(complete.contains("$wrong = Test-ReturnedReport $json"));
    let returned = function(&deploy, "Test-ReturnedReport");
    for check in [
        "$Json.Length -gt $MaxReportSize",
        r"$Json -cmatch '[^\x09\x0a\x0d\x20-\x7e]'",
        r#"$Json.Contains('"digest": "' + $script:Digest + '"')"#,
        r#"$Json.Contains('"mode": "' + $script:Mode + '"')"#,
        "$KnownVerdicts -ccontains $matches[1]",
    ] {
        assert!(returned.contains(check), "{check}");
    }
    let verdicts: Vec<String> =
        <certbundle::fleet::report::Verdict as strum::IntoEnumIterator>::iter()
            .filter(|v| *v != certbundle::fleet::report::Verdict::Unreachable)
            .map(|v| format!("'{}'", <&str>::from(v)))
            .collect();
    assert!(deploy.contains(&format!("$KnownVerdicts = @({})", verdicts.join(", "))));
    assert!(deploy.contains(&format!(
        "$MaxReportSize = {}",
        certbundle::limits::MAX_REPORT_SIZE
    )));
}

#[test]
fn deploy_writes_reports_of_the_one_schema() {
    let r = bundle();
    let deploy = text(&r, DEPLOY);
    let written = written_report_keys(&deploy);
    // Every key of the objects it writes (the unreachable shape), and only documented ones.
    let accepted = certbundle::fleet::report::accepted_keys();
    assert!(
        written.is_subset(&accepted),
        "{:?}",
        written.difference(&accepted)
    );
    for object in ["report", "generator", "bundle", "host"] {
        let all: BTreeSet<_> = accepted
            .iter()
            .filter(|(o, _)| o == object)
            .cloned()
            .collect();
        let mine: BTreeSet<_> = written
            .iter()
            .filter(|(o, _)| o == object)
            .cloned()
            .collect();
        assert_eq!(mine, all, "{object}");
    }
    // The same JSON writer and key table as the installer: one include.
    let installer = text(&r, INSTALLER);
    let table = |ps: &str| {
        let start = ps.find("$ReportObjects = @{").unwrap();
        ps[start..start + ps[start..].find("\r\n}").unwrap()].to_string()
    };
    assert_eq!(table(&deploy), table(&installer));
    for f in [
        "ConvertTo-JsonString",
        "ConvertTo-JsonText",
        "Write-NewFile",
        "Get-Sha256Hex",
    ] {
        let body = |ps: &str| {
            let f = function(ps, f);
            f[..f.find("\r\n}\r\n").unwrap()].to_string()
        };
        assert_eq!(body(&deploy), body(&installer), "{f}");
    }
    // Unreachable: exit code 5; restricted PowerShell: unsupported-host, 3.
    assert!(deploy.contains("'unreachable' 5"));
    assert!(deploy.contains("'unsupported-host' 3"));
}

#[test]
fn remote_mode_never_prints_writes_or_exits() {
    let r = bundle();
    let ps = code(&r, INSTALLER);
    // Every console line goes through Write-Line, which prints only when not remote.
    let write_line = function(&ps, "Write-Line");
    assert!(write_line.contains(
        "if (-not $script:Remote) {\r\n        if ($Color) { Write-Host $Text -ForegroundColor $Color } else { Write-Host $Text }\r\n    }"
    ));
    // The language check answers in one line of output remotely, before its exit.
    let lang = once(
        &ps,
        "if ([string]$ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage') {",
    );
    let lang_block = &ps[lang..lang + ps[lang..].find("\r\n}\r\n").unwrap()];
    let remote = once(lang_block, "if ($RemoteDigest) {");
    let ret = lang_block[remote..].find("return").unwrap() + remote;
    let exit = lang_block.find("exit 3").unwrap();
    assert!(remote < ret && ret < exit);
    // At the end: the text and then the JSON report as the last output, and return before the
    // reports are saved, the status file written or exit reached.
    let tail = once(
        &ps,
        "if ($script:Remote) {\r\n    Write-Output ([string]::Join($CRLF, $script:TextLines.ToArray())",
    );
    let rest = &ps[tail..];
    let text_out = rest
        .find("Write-Output ([string]::Join($CRLF, $script:TextLines.ToArray())")
        .unwrap();
    let json_out = rest.find("Write-Output (New-Report '' $false)").unwrap();
    let ret = rest.find("    return\r\n}").unwrap();
    let save = rest.find("Save-Reports $result").unwrap();
    let exit = rest.find("exit $script:ExitCode").unwrap();
    assert!(text_out < json_out && json_out < ret && ret < save && save < exit);
    // No other exit than these three (language check, status file, the end); the status-file
    // one cannot be reached remotely (no -StatusFile there).
    assert_eq!(
        ps.matches("\r\n    exit ").count() + ps.matches("\r\nexit ").count(),
        3
    );
    let preflight = function(&ps, "Test-Preflight");
    assert!(preflight.contains(
        "if ($RemoteDigest -and ($ScriptPath -or $BundleDir -or $ReportDir -or $StatusFile)) {"
    ));
    // Remote only as text: the installer run as a file is never in remote mode.
    once(&ps, "$script:Remote = $RemoteDigest -and -not $ScriptPath");
    assert!(
        preflight
            .contains("if ($script:Remote -and -not ($RemoteDigest -match '^[0-9A-Fa-f]{64}$')) {")
    );
    // Remotely the digest is the one Deploy checked; no file of a bundle is looked for.
    let integrity = function(&ps, "Test-Integrity");
    let branch = once(
        &integrity,
        "if ($script:Remote) {\r\n        $script:Digest = $RemoteDigest.ToLowerInvariant()",
    );
    let sums = once(
        &integrity,
        "} elseif ($sumsPath -and (Test-Link $sumsPath)) {",
    );
    assert!(branch < sums, "remotely, SHA256SUMS is never looked for");
    assert!(integrity.contains("if ($wanted -and -not $sumsFound -and -not $script:Remote) {"));
    // Values put in the script by certbundle are literals that read back exactly.
    let deploy = text(&r, DEPLOY);
    let line = deploy
        .lines()
        .find(|l| l.starts_with("$BundleName = "))
        .unwrap();
    assert_eq!(
        read_single_quoted(&line["$BundleName = ".len()..])
            .unwrap()
            .0,
        "test-certs"
    );
}

/// The patterns Deploy-Certificates.ps1 applies to text from other computers and from the host
/// list, read from the rendered script (each the single-quoted literal after `marker`), as
/// PowerShell uses them: case-insensitive.
struct Filters {
    one_line: regex::Regex,
    text_report: regex::Regex,
    file_stem: regex::Regex,
    listed_name: regex::Regex,
    reported_name: regex::Regex,
}

/// The pattern after `marker`, which ends in the operator: `-match` and `-replace` ignore case
/// (and so match more than they seem to: `[A-Za-z]` takes the Kelvin sign), `-cmatch` and
/// `-creplace` do not.
fn pattern_after(ps: &str, marker: &str) -> regex::Regex {
    let at = once(ps, marker) + marker.len();
    let (literal, _) = read_single_quoted(&ps[at..]).unwrap();
    let operator = marker.trim_end().rsplit(' ').next().unwrap();
    regex::RegexBuilder::new(&literal)
        .case_insensitive(!operator.starts_with("-c"))
        .build()
        .unwrap_or_else(|e| panic!("{literal}: {e}"))
}

fn filters() -> &'static Filters {
    static FILTERS: std::sync::OnceLock<Filters> = std::sync::OnceLock::new();
    FILTERS.get_or_init(|| {
        let deploy = code(&bundle(), DEPLOY);
        Filters {
            one_line: pattern_after(&deploy, "$line = ([string]$Text) -creplace "),
            text_report: pattern_after(&deploy, "$text = ($text -creplace "),
            file_stem: pattern_after(&deploy, "$safe = $Name -creplace "),
            listed_name: pattern_after(&deploy, "if (-not ($name -cmatch "),
            reported_name: pattern_after(&deploy, "if ($reported -cmatch "),
        }
    })
}

/// What must never reach a console line, a report line or a file name from another computer.
fn deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Error messages and returned text reports: whatever a computer or Windows says reaches the
    /// console and reports as plain lines (one line for a reason), without control or
    /// bidirectional-formatting characters.
    #[test]
    fn text_from_other_computers_reaches_output_only_as_plain_lines(text in "\\PC*|[\\x00-\\x1f\\x7f-\\x9f\\u{200e}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a\"'`$() ]{0,40}") {
        let f = filters();
        let reason = f.one_line.replace_all(&text, " ");
        prop_assert!(!reason.chars().any(deceptive), "{:?}", reason);
        let report = f.text_report.replace_all(&text, " ");
        prop_assert!(!report.chars().any(|c| deceptive(c) && c != '\r' && c != '\n'), "{:?}", report);
    }

    /// Host names, listed or reported: a file name made of one is only A-Za-z0-9._-, and a name
    /// the list or a report may give holds nothing a console, a path or a command could take for
    /// more than a name.
    #[test]
    fn host_names_reach_file_names_and_output_only_as_names(name in "\\PC{0,20}|[A-Za-z0-9._:%\"'`$\n\r -]{0,20}") {
        let f = filters();
        let stem = f.file_stem.replace_all(&name, "_");
        prop_assert!(stem.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)), "{:?}", stem);
        let safe = |n: &str| n.chars().all(|c| c.is_ascii_alphanumeric() || "._:%-".contains(c));
        if f.listed_name.is_match(&name) {
            prop_assert!(safe(&name) && !name.is_empty(), "{:?}", name);
        }
        if f.reported_name.is_match(&name) {
            prop_assert!(safe(&name) && !name.contains(['.', ':', '%']), "{:?}", name);
        }
    }
}

/// Found by the property test: PowerShell's `-match` and `-replace` ignore case, and then
/// `[A-Za-z]` also takes the Kelvin sign (U+212A) and the long s (U+017F): the filters are
/// case-sensitive.
#[test]
fn letters_that_fold_to_ascii_are_not_letters_of_a_name() {
    let f = filters();
    for odd in ["\u{212a}", "\u{17f}", "srv-\u{212a}1"] {
        assert!(!f.listed_name.is_match(odd), "{odd:?}");
        assert!(!f.reported_name.is_match(odd), "{odd:?}");
        assert!(f.file_stem.replace_all(odd, "_").is_ascii(), "{odd:?}");
    }
}
