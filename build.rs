//! Tells the tests which outside tools and data this machine has, as `cfg`s, so that a test that
//! needs a missing one shows as ignored (with the reason) instead of passing without running.
//!
//! A tool's cfg (`has_openssl`, `has_wine`, ...) is set when the tool is on `PATH`, or when
//! `CERTBUNDLE_REQUIRE_TOOLS` names it (`.ci/run` lists there every tool it found): then the test
//! runs, finds the tool missing and fails. A data cfg (`has_real_signed_files`,
//! `has_catalog_certs`) is set when the folder, kept outside the repository, is there. Nothing
//! here changes the program: only tests read these cfgs.

use std::path::{Path, PathBuf};

/// cfg name, and the names the tool may have on `PATH` (any one will do).
const TOOLS: &[(&str, &[&str])] = &[
    ("has_openssl", &["openssl"]),
    ("has_sha256sum", &["sha256sum"]),
    ("has_osslsigncode", &["osslsigncode"]),
    ("has_wine", &["wine"]),
    ("has_mingw", &["x86_64-w64-mingw32-gcc"]),
    ("has_pwsh", &["pwsh"]),
    // Ansible checks the generated playbook: `--syntax-check`, and ansible-lint.
    ("has_ansible", &["ansible-playbook"]),
    ("has_ansible_lint", &["ansible-lint"]),
    (
        "has_chromium",
        &[
            "chromium",
            "chromium-browser",
            "google-chrome",
            "google-chrome-stable",
        ],
    ),
];

/// cfg name, and the folder (relative to this crate) whose presence sets it.
const DATA: &[(&str, &str)] = &[
    ("has_real_signed_files", "../shared/realworld/signed"),
    ("has_catalog_certs", "../shared/catalog/certs"),
];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CERTBUNDLE_REQUIRE_TOOLS");
    let required = std::env::var("CERTBUNDLE_REQUIRE_TOOLS").unwrap_or_default();
    let required: Vec<&str> = required.split_whitespace().collect();
    for (cfg, names) in TOOLS {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        // chromium goes by several names; CERTBUNDLE_REQUIRE_TOOLS says "chromium".
        if names.iter().any(|n| on_path(n)) || required.contains(&names[0]) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
    let crate_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    for (cfg, folder) in DATA {
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        let path = crate_dir.join(folder);
        if path.is_dir() {
            // Watched only while it exists: a missing path would rerun this script, and rebuild
            // the crate, on every build. Data added later takes `touch build.rs`.
            println!("cargo::rerun-if-changed={}", path.display());
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}

/// Whether an executable file called `name` is in a folder of `PATH`.
fn on_path(name: &str) -> bool {
    let Some(paths) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&paths).any(|dir| {
        [name.to_string(), format!("{name}.exe")]
            .iter()
            .any(|file| is_executable(&dir.join(file)))
    })
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
