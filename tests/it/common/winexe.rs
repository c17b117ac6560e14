//! certbundle.exe, the Windows build, run under Wine over the same inputs as the Linux binary.
//!
//! The executable is the release build that `.ci/run` makes once (and `.ci/dist` packs):
//! `cargo build --release --locked --target x86_64-pc-windows-gnu --bin certbundle`. The harness
//! runs that same command (a no-op when it is up to date, a build on a developer's laptop), copies
//! the executable into a folder of its own under Cargo's target tmp dir and puts the test shim
//! `bcryptprimitives.dll` (tests/doubles/bcryptprimitives.c: Wine 8 has no such DLL) beside the
//! copy, never beside the build. Runs use the Wine prefix of `common::wine`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use super::wine::{self, MINGW, Slot, windows_path};

/// The Windows target triple.
pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// The build command's arguments (after `cargo`): the one `.ci/run` and `.ci/dist` run.
pub const BUILD: [&str; 8] = [
    "build",
    "--release",
    "--locked",
    "--target",
    TARGET,
    "--bin",
    "certbundle",
    "--quiet",
];

/// The built executable beside its test shim, in a Wine prefix.
pub struct WinExe {
    /// The copy that runs, with `bcryptprimitives.dll` beside it.
    exe: PathBuf,
    prefix: PathBuf,
}

/// What one run of either binary did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Cargo's target folder (the parent of its tmp folder).
pub fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target tmp dir is in the target dir")
        .to_path_buf()
}

/// The executable, built and ready under Wine, or why not (the tool that is missing, and what
/// happened).
pub fn winexe() -> Result<&'static WinExe, (&'static str, String)> {
    static EXE: OnceLock<Result<WinExe, (&'static str, String)>> = OnceLock::new();
    EXE.get_or_init(setup).as_ref().map_err(Clone::clone)
}

/// The executable or the test's failure: a missing tool fails the test through
/// `common::tool_missing` (tests are marked ignored where build.rs saw no Wine, MinGW or target).
pub fn require() -> &'static WinExe {
    match winexe() {
        Ok(exe) => exe,
        Err((tool, why)) => {
            super::tool_missing(tool, &why);
            unreachable!()
        }
    }
}

/// Held while a test builds, cleans or reads a release build (`dist` cleans and rebuilds it).
pub static BUILD_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The release build of certbundle.exe (built now when it is missing or out of date), or why not.
pub fn built() -> Result<&'static Path, (&'static str, String)> {
    static BUILT: OnceLock<Result<PathBuf, (&'static str, String)>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let _builds = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
            build()
        })
        .as_deref()
        .map_err(Clone::clone)
}

/// The bytes of the release build, read while no test rebuilds it.
pub fn read_built() -> Vec<u8> {
    let path = require_built();
    let _builds = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// [`built`] or the test's failure (see [`require`]).
pub fn require_built() -> &'static Path {
    match built() {
        Ok(exe) => exe,
        Err((tool, why)) => {
            super::tool_missing(tool, &why);
            unreachable!()
        }
    }
}

fn build() -> Result<PathBuf, (&'static str, String)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = target_dir();
    let out = Command::new(&cargo)
        .args(BUILD)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", &target_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ("cargo", e.to_string()))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        if stderr.contains("target may not be installed")
            || stderr.contains("can't find crate for `std`")
        {
            return Err((TARGET, format!("rustup target add {TARGET}: {stderr}")));
        }
        if stderr.contains(MINGW) {
            return Err((MINGW, stderr));
        }
        panic!("cargo {} failed:\n{stderr}", BUILD.join(" "));
    }
    Ok(target_dir.join(TARGET).join("release/certbundle.exe"))
}

fn setup() -> Result<WinExe, (&'static str, String)> {
    built()?;
    let prefix = wine::wine()?.prefix().to_path_buf();
    let bytes = read_built();
    // A folder per build (named by its SHA-256), made aside and renamed into place; older ones go.
    let digest: String = sha2_hex(&bytes)[..16].to_string();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join(format!("winexe-{digest}"));
    if !dir.join("hold.exe").is_file() {
        let staging = tmp.join(format!("winexe-{digest}.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).unwrap();
        std::fs::write(staging.join("certbundle.exe"), &bytes).unwrap();
        let shim = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doubles/bcryptprimitives.c");
        let out = Command::new(MINGW)
            .args(["-shared", "-O2", "-Wall", "-o"])
            .arg(staging.join("bcryptprimitives.dll"))
            .arg(&shim)
            .arg("-ladvapi32")
            .output()
            .map_err(|e| (MINGW, e.to_string()))?;
        assert!(
            out.status.success(),
            "the bcryptprimitives.dll shim does not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let hold = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doubles/hold.c");
        let out = Command::new(MINGW)
            .args(["-municode", "-O2", "-Wall", "-o"])
            .arg(staging.join("hold.exe"))
            .arg(&hold)
            .output()
            .map_err(|e| (MINGW, e.to_string()))?;
        assert!(
            out.status.success(),
            "hold.exe does not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if std::fs::rename(&staging, &dir).is_err() {
            let _ = std::fs::remove_dir_all(&staging); // another test process was first
        }
    }
    if let Ok(entries) = std::fs::read_dir(&tmp) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("winexe-") && e.path() != dir && !name.contains('.') {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(WinExe {
        exe: dir.join("certbundle.exe"),
        prefix,
    })
}

fn sha2_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Waits for `child`, at most `limit`; panics (killing it) after.
fn wait(mut child: std::process::Child, limit: Duration, what: &str) -> i32 {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code().unwrap_or(-1);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl WinExe {
    /// Runs `certbundle.exe args` in the folder `cwd` with `env` added to a clean environment
    /// (no SOURCE_DATE_EPOCH, NO_COLOR set unless `env` says otherwise).
    pub fn run(&self, cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
        let _slot = Slot::take();
        let scratch = tempfile::tempdir().unwrap();
        let (out, err) = (scratch.path().join("out"), scratch.path().join("err"));
        // Files, not pipes: a wineserver started by this run would hold a pipe open.
        let mut cmd = Command::new("wine");
        cmd.arg(windows_path(&self.exe))
            .args(args)
            .current_dir(cwd)
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env_remove("DISPLAY")
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(&err).unwrap());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("wine runs");
        let code = wait(
            child,
            Duration::from_secs(180),
            &format!("certbundle.exe {args:?}"),
        );
        let text = |p: &Path| String::from_utf8(std::fs::read(p).unwrap()).expect("UTF-8 output");
        Output {
            code,
            stdout: text(&out),
            stderr: text(&err),
        }
    }
}

/// A Windows program holding a file or folder open (tests/doubles/hold.c), as Explorer or an
/// editor would: others may read it, not rename it. Let go after its time, or when dropped.
pub struct Holder {
    child: std::process::Child,
}

impl WinExe {
    /// Holds `path` open for `millis`; returns once it is held.
    pub fn hold(&self, path: &Path, millis: u64) -> Holder {
        let scratch = tempfile::tempdir().unwrap();
        let ready = scratch.path().join("ready");
        let child = Command::new("wine")
            .arg(windows_path(&self.exe.with_file_name("hold.exe")))
            .arg(windows_path(path))
            .arg(millis.to_string())
            .arg(windows_path(&ready))
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("wine runs");
        let mut holder = Holder { child };
        let started = Instant::now();
        while !ready.exists() {
            if let Some(status) = holder.child.try_wait().unwrap() {
                panic!("hold.exe could not open {}: {status}", path.display());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "hold.exe did not open {} within a minute",
                path.display()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
        holder
    }
}

impl Holder {
    /// Waits until it has let go.
    pub fn wait(mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs the Linux binary (the one `cargo test` built) the same way.
pub fn run_linux(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_certbundle"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 output"),
    }
}

/// Every file and folder under `dir`: relative path with `/` → bytes (`None` for a folder).
pub type Tree = BTreeMap<String, Option<Vec<u8>>>;

pub fn tree(dir: &Path) -> Tree {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// What a run changed under `dir`: entries added or changed (removed ones map to a marker).
fn changes(before: &Tree, after: &Tree) -> Tree {
    let mut changed: Tree = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for k in before.keys().filter(|k| !after.contains_key(*k)) {
        changed.insert(k.clone(), Some(b"<removed>".to_vec()));
    }
    changed
}

/// Puts `dir` back as `before` says.
pub fn restore(dir: &Path, before: &Tree) {
    let after = tree(dir);
    // Deepest first, so a folder is empty when it goes.
    for k in after.keys().rev().filter(|k| !before.contains_key(*k)) {
        let path = dir.join(k);
        let _ = std::fs::remove_file(&path).or_else(|_| std::fs::remove_dir_all(&path));
    }
    for (k, v) in before {
        let path = dir.join(k);
        match v {
            None => std::fs::create_dir_all(&path).unwrap(),
            Some(bytes) if after.get(k) != Some(v) => {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, bytes).unwrap();
            }
            Some(_) => {}
        }
    }
}

/// The two binaries' runs over the same folder, with paths normalised, and what each wrote.
#[derive(Debug)]
pub struct Pair {
    pub linux: Output,
    pub windows: Output,
    /// What the Linux run wrote (relative path → bytes).
    pub linux_wrote: Tree,
    pub windows_wrote: Tree,
    /// The Windows run's output as printed (not normalised).
    pub windows_raw: Output,
}

impl Pair {
    /// Same exit code, same output once paths are normalised, same files written (byte for byte).
    pub fn assert_same(&self) {
        self.assert_same_with_paths_in(&[]);
    }

    /// [`Pair::assert_same`], but the written files named in `paths` (HTML pages) may print paths
    /// with the platform's separator: they are compared with every separator read as `/`.
    pub fn assert_same_with_paths_in(&self, paths: &[&str]) {
        for text in [&self.windows_raw.stdout, &self.windows_raw.stderr] {
            assert!(
                !text.contains("\\\\?\\"),
                "a \\\\?\\ path was printed:\n{text}"
            );
        }
        assert_eq!(
            self.linux.code, self.windows.code,
            "exit codes differ: {self:#?}"
        );
        assert_eq!(self.linux.stdout, self.windows.stdout, "stdout differs");
        assert_eq!(self.linux.stderr, self.windows.stderr, "stderr differs");
        let names = |t: &Tree| t.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            names(&self.linux_wrote),
            names(&self.windows_wrote),
            "different files written"
        );
        for (k, v) in &self.linux_wrote {
            let (linux, windows) = (v.clone(), self.windows_wrote[k].clone());
            let same = if paths.contains(&k.as_str()) {
                let text = |b: Option<Vec<u8>>| {
                    String::from_utf8(b.unwrap_or_default())
                        .unwrap()
                        .replace("&#x2f;", "/")
                        .replace('\\', "/")
                };
                text(linux) == text(windows)
            } else {
                linux == windows
            };
            assert!(same, "{k} differs between the Linux and the Windows run");
        }
    }
}

/// Runs the Linux binary, then (with `dir` put back as it was) certbundle.exe, in `dir` with
/// `args` and `env`.
pub fn both(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Pair {
    let exe = require();
    let before = tree(dir);
    let linux = run_linux(dir, args, env);
    let linux_wrote = changes(&before, &tree(dir));
    restore(dir, &before);
    assert_eq!(tree(dir), before, "the folder could not be put back");
    let windows_raw = exe.run(dir, args, env);
    let windows_wrote = changes(&before, &tree(dir));
    Pair {
        linux: normalise(&linux, dir),
        windows: normalise(&windows_raw, dir),
        linux_wrote,
        windows_wrote,
        windows_raw,
    }
}

/// Output with `dir` written `<DIR>` and every path separator as `/`: a Linux path, its Windows
/// form (`Z:\...`), and that form escaped in JSON all read the same.
pub fn normalise(output: &Output, dir: &Path) -> Output {
    let win = windows_path(dir);
    // The system's wording of an I/O error differs ("File not found." on Windows); its number not.
    static OS_ERROR: OnceLock<regex::Regex> = OnceLock::new();
    let os_error =
        OS_ERROR.get_or_init(|| regex::Regex::new(r"[^:\n]*\(os error (\d+)\)").unwrap());
    let fix = |text: &str| {
        let text = os_error.replace_all(text, " (os error $1)");
        text.replace(&win.replace('\\', "\\\\"), "<DIR>")
            .replace(&win, "<DIR>")
            .replace(&dir.display().to_string(), "<DIR>")
            .replace("\\\\", "/")
            .replace('\\', "/")
    };
    Output {
        code: output.code,
        stdout: fix(&output.stdout),
        stderr: fix(&output.stderr),
    }
}
