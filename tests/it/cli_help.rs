//! The help text is documentation: snapshot it so every change is a reviewed diff.

use crate::common::{certbundle, success_stdout};

fn help(args: &[&str]) -> String {
    success_stdout(certbundle().args(args).env("COLUMNS", "100"))
}

#[test]
fn help_texts() {
    insta::assert_snapshot!("help", help(&["--help"]));
    insta::assert_snapshot!("build_help", help(&["build", "--help"]));
    insta::assert_snapshot!("inspect_help", help(&["inspect", "--help"]));
    insta::assert_snapshot!("verify_help", help(&["verify", "--help"]));
    insta::assert_snapshot!("extract_help", help(&["extract", "--help"]));
    insta::assert_snapshot!("fetch_help", help(&["fetch", "--help"]));
    insta::assert_snapshot!("report_help", help(&["report", "--help"]));
    insta::assert_snapshot!("profiles_help", help(&["profiles", "--help"]));
    insta::assert_snapshot!("completions_help", help(&["completions", "--help"]));
    insta::assert_snapshot!("man_help", help(&["man", "--help"]));
}

#[test]
fn unknown_arguments_are_usage_errors() {
    certbundle()
        .args(["build", "--frobnicate"])
        .assert()
        .code(2);
    certbundle().arg("explode").assert().code(2);
}
