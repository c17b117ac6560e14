//! Publish-Domain.cmd runs, not only read: Wine's own `cmd.exe` runs the generated file of a real
//! bundle with the test doubles (tests/doubles/double.c: its certutil logs `-dspublish` and
//! publishes nowhere). What it must never do: publish before a person typed YES (or gave /yes),
//! publish a file that is not the bundle's, publish anything as NTAuthCA, or lose a failure.
//!
//! Typed answers reach `set /p` through a file redirected to the script's input, as from a
//! Command Prompt; without one the run's input is empty (no console).

use std::path::PathBuf;

use crate::common::wine::{Run, Wine, windows_path};
use crate::common::wine_case::{
    Case, ELEVATED, assert_cleaned_up, cer_files, hashed, lock_calls, sha256_of, thumbprint,
    with_wine, work_folder,
};
use crate::common::*;

const QUESTION: &str = "Publish these 2 certificate(s) to Active Directory? Type YES to continue:";

/// The `certutil -dspublish` calls: (kind, file, SHA-256 of the file as it was published).
fn published(run: &Run) -> Vec<(String, String, String)> {
    run.of("certutil")
        .filter(|c| c.args.iter().any(|a| a.eq_ignore_ascii_case("-dspublish")))
        .map(|c| {
            assert_eq!(c.args.len(), 5, "{c:?}");
            assert_eq!(c.args[..2], ["-f", "-dspublish"], "{c:?}");
            let hash = c.args[4].trim_start_matches("sha256=").to_string();
            (c.args[3].clone(), c.args[2].clone(), hash)
        })
        .collect()
}

/// No call of any tool named the NTAuth store, in any spelling.
fn never_ntauth(run: &Run) {
    for call in &run.calls {
        assert!(
            !call
                .args
                .iter()
                .any(|a| a.to_ascii_lowercase().contains("ntauth")),
            "{call:?}"
        );
    }
}

/// What `/yes` must publish from the private folder `work`: each root as RootCA, each
/// intermediate as SubCA, with the bytes the bundle has.
fn expected(case: &Case, work: &str) -> Vec<(String, String, String)> {
    cer_files(&case.folder)
        .into_iter()
        .map(|f| {
            let kind = if f.starts_with("certs\\Root\\") {
                "RootCA"
            } else {
                "SubCA"
            };
            (
                kind.to_string(),
                format!("{work}\\copy\\{f}"),
                sha256_of(&case.file(&f)),
            )
        })
        .collect()
}

/// A file holding what a person types, for `< file` on the command line.
fn answer(case: &Case, name: &str, typed: &str) -> PathBuf {
    write(&case.tmp.path().join("answers"), name, typed)
}

/// `Publish-Domain.cmd ARGS < answer`, as typed at a Command Prompt in the bundle folder.
fn run_answering(case: &Case, wine: &Wine, args: &str, typed: &str, env: &[(&str, &str)]) -> Run {
    let file = answer(case, "answer.txt", typed);
    let line = format!("Publish-Domain.cmd{args} < \"{}\"", windows_path(&file));
    case.run(wine, &line, env)
}

/// Each certificate as the script names it: kind (in a column of 6), thumbprint and file, in the
/// bundle's order (roots first), read from the bundle as it is now.
fn rows(case: &Case) -> Vec<String> {
    cer_files(&case.folder)
        .into_iter()
        .map(|f| {
            let kind = if f.starts_with("certs\\Root\\") {
                "RootCA"
            } else {
                "SubCA "
            };
            format!("{kind}  {}  {f}", thumbprint(&case.folder, &f))
        })
        .collect()
}

/// The run listed what it publishes, every certificate on a line of its own.
fn listed(rows: &[String], run: &Run) {
    for row in rows {
        let line = format!("\n  {row}\n");
        assert!(
            run.output.contains(&line),
            "{line:?} not in:\n{}",
            run.output
        );
    }
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn yes_publishes_each_checked_copy_roots_as_rootca_intermediates_as_subca_never_ntauthca() {
    with_wine(|wine| {
        let case = Case::new();
        let cers = cer_files(&case.folder);
        // The stick changes under the run after every hash: the copies are what is published.
        let evil = write(case.tmp.path(), "evil.cer", root("Evil Root").der);
        let want = expected(&case, "WORK");
        let rows = rows(&case);
        let run = case.run(
            wine,
            "Publish-Domain.cmd /yes",
            &[
                ELEVATED,
                ("CB_SWAP_FROM", &windows_path(&evil)),
                ("CB_SWAP_TO", &windows_path(&case.file(&cers[0]))),
            ],
        );
        assert_eq!(run.code, 0, "{}", run.output);
        let work = work_folder(&run);
        assert_eq!(sha256_of(&case.file(&cers[0])), sha256_of(&evil));
        // The bytes the bundle had, from the copies in the private folder.
        let want: Vec<(String, String, String)> = want
            .into_iter()
            .map(|(kind, file, hash)| (kind, file.replacen("WORK", &work, 1), hash))
            .collect();
        assert_eq!(published(&run), want);
        never_ntauth(&run);
        // Every copy was hashed once, in the private folder, before anything was published.
        assert_eq!(
            hashed(&run),
            cers.iter()
                .map(|f| format!("{work}\\copy\\{f}"))
                .collect::<Vec<_>>()
        );
        let last_hash = run
            .calls
            .iter()
            .rposition(|c| c.args.first().is_some_and(|a| a == "-hashfile"))
            .unwrap();
        let first_publish = run
            .calls
            .iter()
            .position(|c| c.args.iter().any(|a| a == "-dspublish"))
            .unwrap();
        assert!(last_hash < first_publish, "{:#?}", run.calls);
        // Elevated: the folder is locked to SYSTEM and Administrators, in %SystemRoot%\Temp.
        let locks: Vec<Vec<String>> = run.of("icacls").map(|c| c.args.clone()).collect();
        assert_eq!(locks, lock_calls(&work, true));
        assert!(work.starts_with("C:\\windows\\Temp\\certbundle-"), "{work}");
        for call in &run.calls {
            assert!(
                call.cwd.eq_ignore_ascii_case("C:\\windows\\system32"),
                "{call:?} ran in {}",
                call.cwd
            );
        }
        // It said what it publishes, asked nothing, and said how it went.
        listed(&rows, &run);
        assert!(!run.output.contains("Type YES"), "{}", run.output);
        for row in &rows {
            let line = format!("\n  PUBLISHED {row}\n");
            assert!(run.output.contains(&line), "{line:?}: {}", run.output);
        }
        assert!(run.output.contains("RESULT: PUBLISHED."), "{}", run.output);
        assert!(run.output.contains("finished with exit code 0"));
        assert_cleaned_up(wine, &run);
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn nothing_is_published_until_yes_is_typed() {
    with_wine(|wine| {
        let case = Case::new();
        // No console input at all (the run's input is empty), or an empty line.
        for (what, run) in [
            (
                "no input",
                case.run(wine, "Publish-Domain.cmd", &[ELEVATED]),
            ),
            (
                "empty input",
                run_answering(&case, wine, "", "", &[ELEVATED]),
            ),
            (
                "an empty line",
                run_answering(&case, wine, "", "\n", &[ELEVATED]),
            ),
        ] {
            assert_eq!(run.code, 3, "{what}: {}", run.output);
            assert!(run.output.contains(QUESTION), "{what}: {}", run.output);
            assert!(run.output.contains("No answer"), "{what}: {}", run.output);
            assert!(published(&run).is_empty(), "{what}");
            listed(&rows(&case), &run);
            assert_cleaned_up(wine, &run);
        }
        // Anything but YES declines, whatever it holds.
        for typed in [
            "no",
            "yes",
            "Yes",
            "YES ",
            " YES",
            "\"YES\"",
            "YES\" & echo INJECTED & \"",
            "x\" == \"x\" goto publish_all & rem",
            "%MODE%!ANSWER!",
        ] {
            let run = run_answering(&case, wine, "", &format!("{typed}\n"), &[ELEVATED]);
            assert_eq!(run.code, 3, "{typed:?}: {}", run.output);
            assert!(
                run.output
                    .contains("You did not type YES. Nothing was published."),
                "{typed:?}: {}",
                run.output
            );
            assert!(!run.output.contains("INJECTED\n"), "{}", run.output);
            assert!(published(&run).is_empty(), "{typed:?}");
            assert_cleaned_up(wine, &run);
        }
        // YES publishes, after the list and the question.
        let run = run_answering(&case, wine, "", "YES\n", &[ELEVATED]);
        assert_eq!(run.code, 0, "{}", run.output);
        let work = work_folder(&run);
        assert_eq!(published(&run), expected(&case, &work));
        never_ntauth(&run);
        let question = run.output.find(QUESTION).unwrap();
        let publishing = run.output.find("Publishing the checked copies").unwrap();
        assert!(question < publishing, "{}", run.output);
        listed(&rows(&case), &run);
        assert_cleaned_up(wine, &run);
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn list_checks_and_lists_without_asking_or_publishing_even_not_elevated() {
    with_wine(|wine| {
        let case = Case::new();
        for env in [vec![], vec![ELEVATED]] {
            // Even with YES waiting in the input.
            let run = run_answering(&case, wine, " /LIST", "YES\n", &env);
            assert_eq!(run.code, 0, "{env:?}: {}", run.output);
            listed(&rows(&case), &run);
            assert!(!run.output.contains("Type YES"), "{}", run.output);
            assert!(run.output.contains("/list: nothing was published."));
            assert!(published(&run).is_empty());
            let work = work_folder(&run);
            assert_eq!(
                hashed(&run),
                cer_files(&case.folder)
                    .iter()
                    .map(|f| format!("{work}\\copy\\{f}"))
                    .collect::<Vec<_>>()
            );
            if env.is_empty() {
                // Not elevated: in the account's own %LOCALAPPDATA%, its SID allowed too.
                let local = windows_path(&case.scratch().join("local"));
                assert!(work.starts_with(&format!("{local}\\certbundle-")), "{work}");
                let locks: Vec<Vec<String>> = run.of("icacls").map(|c| c.args.clone()).collect();
                assert_eq!(locks, lock_calls(&work, false));
            }
            assert_cleaned_up(wine, &run);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_changed_or_missing_certificate_publishes_nothing() {
    with_wine(|wine| {
        for (which, change) in [
            (0, "append"),
            (1, "append"),
            (0, "flip"),
            (1, "flip"),
            (0, "delete"),
            (1, "delete"),
        ] {
            let case = Case::new();
            let cer = cer_files(&case.folder)[which].clone();
            let path = case.file(&cer);
            let mut bytes = std::fs::read(&path).unwrap();
            match change {
                "append" => bytes.push(0),
                // Same size: only the hash of the copy can tell.
                "flip" => *bytes.last_mut().unwrap() ^= 1,
                _ => {}
            }
            if change == "delete" {
                std::fs::remove_file(&path).unwrap();
            } else {
                std::fs::write(&path, bytes).unwrap();
            }
            for (line, typed) in [
                ("Publish-Domain.cmd /yes", ""),
                ("Publish-Domain.cmd", "YES"),
            ] {
                let run = if typed.is_empty() {
                    case.run(wine, line, &[ELEVATED])
                } else {
                    run_answering(&case, wine, "", "YES\n", &[ELEVATED])
                };
                let what = format!("{cer} {change}, {line}");
                assert_eq!(run.code, 2, "{what}: {}", run.output);
                let word = if change == "delete" {
                    "MISSING"
                } else {
                    "CHANGED"
                };
                assert!(
                    run.output.contains(&format!("{word}   {cer}")),
                    "{what}: {}",
                    run.output
                );
                assert!(run.output.contains("INTEGRITY FAILURE"), "{what}");
                assert!(published(&run).is_empty(), "{what}");
                assert!(!run.any_arg("-dspublish"), "{what}");
                assert!(!run.output.contains("Type YES"), "{what}: asked");
                assert_cleaned_up(wine, &run);
            }
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_failed_publish_is_named_and_the_others_are_still_published() {
    with_wine(|wine| {
        let case = Case::new();
        let cers = cer_files(&case.folder);
        for failing in [0, 1] {
            let name = cers[failing].rsplit('\\').next().unwrap().to_string();
            let run = case.run(
                wine,
                "Publish-Domain.cmd /yes",
                &[ELEVATED, ("CB_DSPUBLISH_FAIL", &name)],
            );
            assert_eq!(run.code, 1, "{name}: {}", run.output);
            let work = work_folder(&run);
            // Every certificate was tried, the failing one too.
            assert_eq!(published(&run), expected(&case, &work), "{name}");
            let rows = rows(&case);
            let failed = format!(
                "\n  FAILED    {}  (certutil exit code -2147016552)\n",
                rows[failing]
            );
            assert!(run.output.contains(&failed), "{failed:?}: {}", run.output);
            assert!(run.output.contains("ERROR_DS_INSUFF_ACCESS_RIGHTS"));
            let ok = format!("\n  PUBLISHED {}\n", rows[1 - failing]);
            assert!(run.output.contains(&ok), "{ok:?}: {}", run.output);
            assert!(run.output.contains("RESULT: NOT ALL PUBLISHED."));
            assert!(
                run.output
                    .contains("exit code 1 (some certificate could not be published)")
            );
            never_ntauth(&run);
            assert_cleaned_up(wine, &run);
        }
    })
}

#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn not_elevated_or_other_arguments_run_nothing() {
    with_wine(|wine| {
        let case = Case::new();
        let not_elevated = [("CB_ELEVATED", "0")];
        let mut runs = vec![
            (
                "not elevated",
                case.run(wine, "Publish-Domain.cmd", &not_elevated),
            ),
            (
                "not elevated, YES typed",
                run_answering(&case, wine, "", "YES\n", &not_elevated),
            ),
            (
                "not elevated, /yes",
                case.run(wine, "Publish-Domain.cmd /yes", &not_elevated),
            ),
        ];
        for line in [
            "Publish-Domain.cmd /bogus",
            "Publish-Domain.cmd /?",
            "Publish-Domain.cmd yes",
            "Publish-Domain.cmd -yes",
            "Publish-Domain.cmd /y",
            "Publish-Domain.cmd \"\"",
            "Publish-Domain.cmd \"\" /yes",
            "Publish-Domain.cmd /yes \"\"",
            "Publish-Domain.cmd /yes /list",
            "Publish-Domain.cmd /list /yes",
            "Publish-Domain.cmd /yes extra",
        ] {
            runs.push((line, case.run(wine, line, &[ELEVATED])));
        }
        for (what, run) in runs {
            assert_eq!(run.code, 3, "{what}: {}", run.output);
            assert!(run.output.contains("Nothing was published."), "{what}");
            // Nothing ran at all: no hash, no folder, no publish.
            assert_eq!(run.of("certutil").count(), 0, "{what}: {:#?}", run.calls);
            assert_eq!(run.of("icacls").count(), 0, "{what}");
            assert!(!run.output.contains("Type YES"), "{what}");
            if what.starts_with("not elevated") {
                assert!(run.output.contains("Run as administrator"), "{what}");
                assert!(run.output.contains("Enterprise Admins"), "{what}");
            } else {
                assert!(run.output.contains("takes nothing"), "{what}");
            }
        }
    })
}

/// Once the first stage has handed over, Publish-Domain.cmd on the stick can change at will:
/// the checks, the list, the question and the publishing run from the copy in the private folder
/// (cmd.exe would otherwise read on in the new file, at the offset it had reached, with
/// Enterprise Admin rights, while the question waits).
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn publish_domain_cmd_changed_on_the_stick_after_the_hand_over_changes_nothing() {
    with_wine(|wine| {
        let case = Case::new();
        let original = std::fs::read(case.file("Publish-Domain.cmd")).unwrap();
        let evil: String = (0..400)
            .map(|_| "@echo EVIL-MARKER\r\n@\"%SystemRoot%\\System32\\reg.exe\" add EVIL\r\n")
            .collect();
        let evil = write(case.tmp.path(), "evil.cmd", evil);
        // The first hash is of the first certificate's copy, after the hand over.
        for (args, typed) in [("", "YES\n"), (" /yes", "")] {
            std::fs::write(case.file("Publish-Domain.cmd"), &original).unwrap();
            let run = run_answering(
                &case,
                wine,
                args,
                typed,
                &[
                    ELEVATED,
                    ("CB_SWAP_FROM", &windows_path(&evil)),
                    (
                        "CB_SWAP_TO",
                        &windows_path(&case.file("Publish-Domain.cmd")),
                    ),
                    ("CB_SWAP_AFTER", "1"),
                ],
            );
            assert_eq!(
                sha256_of(&case.file("Publish-Domain.cmd")),
                sha256_of(&evil),
                "{args}: no swap happened"
            );
            assert_eq!(run.code, 0, "{args}: {}", run.output);
            assert!(!run.output.contains("EVIL-MARKER"), "{}", run.output);
            assert_eq!(run.of("reg").count(), 0, "{:#?}", run.calls);
            let work = work_folder(&run);
            assert_eq!(published(&run), expected(&case, &work), "{args}");
            never_ntauth(&run);
            listed(&rows(&case), &run);
            assert_eq!(run.output.contains(QUESTION), args.is_empty(), "{args}");
            assert!(run.output.contains("RESULT: PUBLISHED."), "{}", run.output);
            assert!(
                run.output
                    .contains("Publish-Domain.cmd finished with exit code 0"),
                "{}",
                run.output
            );
            assert_cleaned_up(wine, &run);
        }
    })
}

/// The second stage is recognised by the folder it runs from, never by the variable alone: set
/// by hand (or left over) it stops everything.
#[test]
#[cfg_attr(
    not(all(has_wine, has_mingw)),
    ignore = "needs wine and x86_64-w64-mingw32-gcc"
)]
fn a_second_stage_outside_its_private_folder_stops() {
    with_wine(|wine| {
        let case = Case::new();
        let here = windows_path(&case.folder);
        let elsewhere = "C:\\elsewhere";
        // The variable alone, or with the rest of a second stage's settings naming a folder the
        // script is not in.
        for env in [
            vec![ELEVATED, ("CERTBUNDLE_STAGE", here.as_str())],
            vec![ELEVATED, ("CERTBUNDLE_STAGE", elsewhere)],
            vec![
                ELEVATED,
                ("CERTBUNDLE_STAGE", elsewhere),
                ("STAGE", elsewhere),
                ("WORK", here.as_str()),
                ("MODE", "yes"),
            ],
        ] {
            let run = case.run(wine, "Publish-Domain.cmd /yes", &env);
            assert_eq!(run.code, 3, "{env:?}: {}", run.output);
            assert!(run.output.contains("second stage"), "{}", run.output);
            assert!(run.output.contains("Nothing was published."));
            assert!(run.calls.is_empty(), "{:?}", run.calls);
        }
    })
}
