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
    // AWS-LC (behind aws-lc-rs) assembles its Windows code with NASM.
    ("has_nasm", &["nasm"]),
    ("has_pwsh", &["pwsh"]),
    // Python 3 runs .ci/dist, which writes the release archives.
    ("has_python3", &["python3"]),
    // Ansible checks the generated playbook: `--syntax-check`, and ansible-lint.
    ("has_ansible", &["ansible-playbook"]),
    ("has_ansible_lint", &["ansible-lint"]),
    // `certbundle completions`: zsh -n and fish --no-execute check the generated scripts.
    ("has_zsh", &["zsh"]),
    ("has_fish", &["fish"]),
    // `certbundle man`: groff reads the generated page with every warning on.
    ("has_groff", &["groff"]),
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

/// The Windows target (issue 15): its cfg is set when rustup installed the target's standard
/// library, or when `CERTBUNDLE_REQUIRE_TOOLS` names it.
const WINDOWS_TARGET: (&str, &str) = ("has_windows_target", "x86_64-pc-windows-gnu");

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
    let (cfg, target) = WINDOWS_TARGET;
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    if has_target(target) || required.contains(&target) {
        println!("cargo::rustc-cfg={cfg}");
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

/// Whether the standard library for `target` is installed in the sysroot of the compiler Cargo uses.
fn has_target(target: &str) -> bool {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
    else {
        return false;
    };
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    // rustup lists what it installed here; `rustup target add` rewrites it.
    let components = sysroot.join("lib/rustlib/components");
    if components.is_file() {
        println!("cargo::rerun-if-changed={}", components.display());
    }
    sysroot
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
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
