//! `certbundle completions SHELL`: each script offers every subcommand and long option of the clap
//! definitions, is valid for its shell (tree-sitter-powershell; `bash -n`, `zsh -n`,
//! `fish --no-execute`), completes when bash and fish run it, is ASCII, and is the same bytes on
//! every run and under any program name.

use std::collections::BTreeSet;
use std::process::Command;

use crate::common::powershell::parse_errors;
use crate::common::{certbundle, subcommands, success_stdout, write};

const SHELLS: [&str; 4] = ["bash", "zsh", "fish", "powershell"];

fn script(shell: &str) -> String {
    success_stdout(certbundle().args(["completions", shell]))
}

/// How `shell`'s script offers the subcommand `name` at the top level.
fn offers_command(shell: &str, script: &str, name: &str) -> bool {
    match shell {
        "bash" => bash_words(script).contains(name),
        "zsh" => script.contains(&format!("\n'{name}:")),
        "fish" => script.contains(&format!(
            "__fish_certbundle_needs_command\" -f -a \"{name}\""
        )),
        "powershell" => script.contains(&format!(
            "[CompletionResult]::new('{name}', '{name}', [CompletionResultType]::ParameterValue"
        )),
        _ => unreachable!(),
    }
}

/// How `shell`'s script offers the long option `--long`.
fn offers_option(shell: &str, script: &str, long: &str) -> bool {
    match shell {
        "bash" => bash_words(script).contains(format!("--{long}").as_str()),
        // `*--x` for an option that may repeat, `=[` for one that takes a value.
        "zsh" => ["'", "'*"].iter().any(|q| {
            script.contains(&format!("{q}--{long}[")) || script.contains(&format!("{q}--{long}=["))
        }),
        "fish" => script.contains(&format!(" -l {long} ")),
        "powershell" => script.contains(&format!("[CompletionResult]::new('--{long}', ")),
        _ => unreachable!(),
    }
}

/// Every word of the bash script's `opts="..."` lists.
fn bash_words(script: &str) -> BTreeSet<&str> {
    script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("opts=\""))
        .flat_map(|l| l.trim_end_matches('"').split_whitespace())
        .collect()
}

#[test]
fn every_script_offers_every_subcommand_and_long_option() {
    let subcommands = subcommands();
    let names: Vec<&str> = subcommands.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.contains(&"completions") && names.contains(&"man"),
        "{names:?}"
    );
    for shell in SHELLS {
        let script = script(shell);
        for (name, longs) in &subcommands {
            assert!(
                offers_command(shell, &script, name),
                "the {shell} script does not offer {name}"
            );
            for long in longs {
                assert!(
                    offers_option(shell, &script, long),
                    "the {shell} script does not offer {name} --{long}"
                );
            }
        }
    }
}

#[test]
fn the_powershell_script_parses_and_registers_for_certbundle() {
    let script = script("powershell");
    // clap_complete filters with `$completions.Where{ ... }` (PowerShell 4.0+: a method call
    // given one script block), which tree-sitter-powershell does not know: checked as the
    // pipeline it is equivalent to, so that anything else the grammar rejects still fails.
    let filter = "$completions.Where{ $_.CompletionText -like \"$wordToComplete*\" }";
    assert_eq!(script.matches(filter).count(), 1, "{script}");
    assert!(
        !parse_errors(&script).is_empty(),
        "the grammar learnt .Where{{}}: drop the rewrite"
    );
    let checked = script.replace(
        filter,
        "$completions | Where-Object { $_.CompletionText -like \"$wordToComplete*\" }",
    );
    assert_eq!(parse_errors(&checked), Vec::<String>::new());
    // PowerShell looks a native completer up by the name typed, its file name, and its file name
    // without extension: one registration covers certbundle, certbundle.exe and C:\x\certbundle.exe.
    assert!(
        script
            .contains("Register-ArgumentCompleter -Native -CommandName 'certbundle' -ScriptBlock"),
        "{script}"
    );
}

#[test]
fn scripts_are_ascii_and_the_same_every_run_whatever_the_program_is_called() {
    // A copy of the binary under the Windows name: argv[0] must not reach the scripts.
    let tmp = tempfile::tempdir().unwrap();
    let renamed = tmp.path().join("certbundle.exe");
    std::fs::copy(env!("CARGO_BIN_EXE_certbundle"), &renamed).unwrap();
    for shell in SHELLS {
        let first = script(shell);
        assert!(first.is_ascii(), "the {shell} script is not ASCII");
        assert!(!first.contains("certbundle.exe"), "{shell}");
        assert_eq!(first, script(shell), "{shell}: two runs differ");
        let out = Command::new(&renamed)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            first,
            "{shell}: the script depends on the program's file name"
        );
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_naming_the_shells() {
    let out = certbundle()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("invalid value 'tcsh'"), "{stderr}");
    assert!(
        stderr.contains("[possible values: bash, zsh, fish, powershell]"),
        "{stderr}"
    );
    certbundle().arg("completions").assert().code(2);
}

/// `bash -n`, then bash runs the completion function for `certbundle ` and
/// `certbundle completions `.
#[test]
fn the_bash_script_is_valid_and_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "certbundle.bash", script("bash"));
    let status = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    assert!(status.success(), "bash -n");
    let complete = |words: &str| {
        let code = format!(
            "source \"$1\"; COMP_WORDS=({words} ''); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); \
             _certbundle certbundle '' \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = Command::new("bash")
            .args(["-c", &code, "bash"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect::<BTreeSet<String>>()
    };
    let offered = complete("certbundle");
    for (name, _) in subcommands() {
        assert!(
            offered.contains(&name),
            "bash does not complete {name}: {offered:?}"
        );
    }
    let shells: BTreeSet<String> = complete("certbundle completions")
        .into_iter()
        .filter(|w| !w.starts_with('-'))
        .collect();
    assert_eq!(
        shells,
        SHELLS.iter().map(|s| s.to_string()).collect(),
        "bash completes `certbundle completions` with"
    );
}

#[test]
#[cfg_attr(not(has_zsh), ignore = "needs zsh on PATH (.ci/run installs it)")]
fn the_zsh_script_is_valid() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "_certbundle", script("zsh"));
    let out = Command::new("zsh").arg("-n").arg(&path).output().unwrap();
    assert!(out.status.success(), "zsh -n: {out:?}");
}

/// `fish --no-execute`, then fish completes `certbundle ` with every subcommand.
#[test]
#[cfg_attr(not(has_fish), ignore = "needs fish on PATH (.ci/run installs it)")]
fn the_fish_script_is_valid_and_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let path = write(tmp.path(), "certbundle.fish", script("fish"));
    let out = Command::new("fish")
        .arg("--no-execute")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "fish --no-execute: {out:?}");
    // Run where no file starts like a subcommand: fish offers file names too.
    let out = Command::new("fish")
        .current_dir(tmp.path())
        .args([
            "--no-config",
            "-c",
            "source $argv[1]; complete -C 'certbundle '",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let offered: BTreeSet<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect();
    for (name, _) in subcommands() {
        assert!(
            offered.contains(&name),
            "fish does not complete {name}: {offered:?}"
        );
    }
}
