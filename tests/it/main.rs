//! Every integration test, in one test binary: the crate and the dev-dependencies are linked once
//! instead of once per file. Each module was its own `tests/<name>.rs` before; run one of them
//! with `cargo test --test it cli_build::`, one test with `cargo test --test it cli_build::<name>`.
//! Helpers shared by the modules are in `common/`; data in `tests/fixtures` and `tests/doubles`.
//! proptest keeps a module's regression seeds in `tests/proptest-regressions/<module>.txt` (its
//! rule for a file beside a `main.rs`), not beside the module.

mod common;

mod ansible;
mod cli_build;
mod cli_build_refusals;
mod cli_completions;
mod cli_extract;
mod cli_help;
mod cli_inspect;
mod cli_man;
mod cli_report;
mod cli_verify;
mod crash;
mod deploy;
mod deploy_pwsh;
mod dist;
mod extract_limits;
mod fuzz_regressions;
mod install_cmd;
mod installer;
mod limits;
mod profiles;
mod properties;
mod publish_domain;
mod readme;
mod render_snapshots;
mod security_md;
mod sizes;
mod verify_findings;
mod windows_exe;
