//! SECURITY.md stays true: every test it names exists, and every claim section (a `###` section)
//! names a test or says "not tested".
//!
//! A reference is written in backticks as `tests/it/<file>.rs::<test>`,
//! `src/<file>.rs::tests::<test>` or `src/<folder>/tests.rs::<test>`. It holds when the file exists and has a `fn <test>` that is
//! a test (marked `#[test]`, or made by a test macro such as `wine_test!`); for `::tests::`, that
//! `fn` must come after the file's `mod tests`.

use std::path::Path;

use regex::Regex;

/// Every test reference of `text`: (file, what follows `::`).
fn references(text: &str) -> Vec<(&str, &str)> {
    let form = Regex::new(r"`((?:tests/it|src)/[A-Za-z0-9_/]+\.rs)::([A-Za-z0-9_:]+)`").unwrap();
    form.captures_iter(text)
        .map(|c| {
            let (_, [file, rest]) = c.extract();
            (file, rest)
        })
        .collect()
}

/// Whether the `fn` at line `at` of `lines` is a test: walking up over comments and attributes
/// (and their continuation lines) reaches `#[test]` or the opening of a test macro.
fn is_test(lines: &[&str], at: usize) -> bool {
    for line in lines[..at].iter().rev() {
        let line = line.trim();
        if line.starts_with("//") {
            continue;
        }
        if line.starts_with("#[test]") || line.ends_with("! {") {
            return true;
        }
        if line.is_empty() || line.ends_with(['{', '}', ';']) {
            return false;
        }
    }
    false
}

/// Whether `source` has a test `fn name`, after its `mod tests` line when `in_tests_module`.
fn has_test(source: &str, name: &str, in_tests_module: bool) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    let from = if in_tests_module {
        match lines
            .iter()
            .position(|l| l.trim_start().starts_with("mod tests"))
        {
            Some(at) => at + 1,
            None => return false,
        }
    } else {
        0
    };
    let signature = format!("fn {name}");
    (from..lines.len()).any(|i| {
        lines[i]
            .trim_start()
            .strip_prefix(&signature)
            .is_some_and(|rest| rest.starts_with(['(', '<']))
            && is_test(&lines, i)
    })
}

/// What is wrong with one reference, if anything, with files read under `root`.
fn check_reference(root: &Path, file: &str, rest: &str) -> Option<String> {
    let shown = format!("`{file}::{rest}`");
    let (name, in_tests_module) = if file.starts_with("tests/it/") || file.ends_with("/tests.rs") {
        (rest, false)
    } else {
        match rest.strip_prefix("tests::") {
            Some(name) => (name, true),
            None => {
                return Some(format!(
                    "{shown}: a test in src/ is named src/<file>.rs::tests::<test>"
                ));
            }
        }
    };
    if name.contains(':') {
        return Some(format!("{shown}: not of the form file::test"));
    }
    let Ok(source) = std::fs::read_to_string(root.join(file)) else {
        return Some(format!("{shown}: no such file"));
    };
    if has_test(&source, name, in_tests_module) {
        None
    } else if in_tests_module {
        Some(format!("{shown}: no test fn {name} in its mod tests"))
    } else {
        Some(format!("{shown}: no test fn {name} in {file}"))
    }
}

/// Everything wrong with `text` as SECURITY.md, its references read under `root`.
fn problems(text: &str, root: &Path) -> Vec<String> {
    let mut found: Vec<String> = references(text)
        .into_iter()
        .filter_map(|(file, rest)| check_reference(root, file, rest))
        .collect();
    // Claim sections: from a `### ` heading to the next heading of any level.
    let mut sections: Vec<(&str, String)> = Vec::new();
    let mut in_claim = false;
    for line in text.lines() {
        if line.starts_with('#') {
            in_claim = false;
            if let Some(heading) = line.strip_prefix("### ") {
                sections.push((heading, String::new()));
                in_claim = true;
            }
        } else if in_claim {
            let body = &mut sections.last_mut().expect("a claim section").1;
            body.push_str(line);
            body.push('\n');
        }
    }
    for (heading, body) in sections {
        if references(&body).is_empty() && !body.to_lowercase().contains("not tested") {
            found.push(format!(
                "section {heading:?} names no test and does not say \"not tested\""
            ));
        }
    }
    found
}

#[test]
fn every_test_security_md_names_exists_and_every_claim_names_one() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("SECURITY.md")).expect("SECURITY.md");
    assert!(
        references(&text).len() >= 50,
        "SECURITY.md names fewer tests than expected: is the reference form still the one this test reads?"
    );
    let found = problems(&text, root);
    assert!(found.is_empty(), "SECURITY.md:\n{}", found.join("\n"));
}

#[test]
fn a_renamed_or_missing_test_and_a_claim_without_one_are_caught() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("tests/it")).unwrap();
    std::fs::create_dir_all(root.join("src/part")).unwrap();
    let it = "fn helper() {}\n\n/// Says so.\n#[test]\n#[cfg_attr(\n    not(x),\n    ignore = \"y\"\n)]\nfn old_name() {}\n\nmade_test! {\n    fn by_macro() {}\n}\n";
    std::fs::write(root.join("tests/it/x.rs"), it).unwrap();
    std::fs::write(
        root.join("src/y.rs"),
        "fn outside() {}\n\n#[cfg(test)]\nmod tests {\n    fn helper() {}\n\n    #[test]\n    fn inner() {}\n}\n",
    )
    .unwrap();
    std::fs::write(root.join("src/part/tests.rs"), "#[test]\nfn whole() {}\n").unwrap();
    let text = "# Security\n\nIntro, no claim.\n\n## Defended\n\n### Claim A\n\n\
        Shown by `tests/it/x.rs::old_name`, `tests/it/x.rs::by_macro`,\n\
        `src/y.rs::tests::inner` and `src/part/tests.rs::whole`.\n\n\
        ### Claim B\n\nNot tested: something.\n\n## Not defended\n\nNothing named.\n";
    assert_eq!(problems(text, root), Vec::<String>::new());

    // The test is renamed: its reference no longer holds.
    std::fs::write(
        root.join("tests/it/x.rs"),
        it.replace("fn old_name", "fn new_name"),
    )
    .unwrap();
    assert_eq!(
        problems(text, root),
        vec!["`tests/it/x.rs::old_name`: no test fn old_name in tests/it/x.rs"]
    );

    // Helpers, a fn outside the test module, missing files and other forms are no tests.
    let bad = "### Claim\n\n`tests/it/x.rs::helper` `src/y.rs::tests::outside` \
        `src/y.rs::tests::helper` `src/y.rs::inner` `tests/it/gone.rs::new_name` \
        `tests/it/x.rs::a::new_name`\n\n### Bare claim\n\nTrust us.\n";
    assert_eq!(
        problems(bad, root),
        vec![
            "`tests/it/x.rs::helper`: no test fn helper in tests/it/x.rs",
            "`src/y.rs::tests::outside`: no test fn outside in its mod tests",
            "`src/y.rs::tests::helper`: no test fn helper in its mod tests",
            "`src/y.rs::inner`: a test in src/ is named src/<file>.rs::tests::<test>",
            "`tests/it/gone.rs::new_name`: no such file",
            "`tests/it/x.rs::a::new_name`: not of the form file::test",
            "section \"Bare claim\" names no test and does not say \"not tested\"",
        ]
    );
}

/// "certbundle never runs the file" (SECURITY.md, `extract`), and never runs anything else: no
/// code in `src/` outside its tests starts a process.
#[test]
fn certbundle_starts_no_process() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    // std::process::Command (also in a `use std::process::{...}` list), or the OS calls behind it.
    let starts =
        Regex::new(r"process::(\{[^}]*)?\bCommand\b|CreateProcess|ShellExecute|\bexecv").unwrap();
    for line in [
        "std::process::Command::new(\"cmd\")",
        "use std::process::{Stdio, Command};",
    ] {
        assert!(starts.is_match(line), "{line}");
    }
    assert!(!starts.is_match("std::process::exit(code)"));
    let mut read = 0;
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") || path.file_name().unwrap() == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        // A file's unit tests come last, after `#[cfg(test)]`.
        let code = text.split("#[cfg(test)]").next().unwrap();
        read += 1;
        for (i, line) in code.lines().enumerate() {
            let line = line.trim_start();
            assert!(
                line.starts_with("//") || !starts.is_match(line),
                "{}:{}: starts a process: {line}",
                path.display(),
                i + 1
            );
        }
    }
    assert!(read > 50, "only {read} source files read");
}
