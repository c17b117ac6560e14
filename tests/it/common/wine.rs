//! Running the generated `.cmd` files under Wine's own `cmd.exe`, with test doubles for the
//! Windows tools they call (tests/doubles/double.c: certutil, findstr, icacls, whoami, fsutil,
//! net, reg and powershell; Wine's own are stubs or, for findstr /r, match nothing).
//!
//! One Wine prefix, made once under Cargo's target tmp dir and reused, holds the doubles in its
//! `system32`. Each run gets its own log file and certificate stores (environment variables the
//! doubles read), so tests may run in parallel.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The tools doubled, as `system32` file names; `powershell.exe` lives in
/// `WindowsPowerShell\v1.0`.
const DOUBLES: [&str; 8] = [
    "certutil.exe",
    "findstr.exe",
    "icacls.exe",
    "whoami.exe",
    "fsutil.exe",
    "net.exe",
    "reg.exe",
    "powershell.exe",
];

/// The compiler for the doubles (Debian's gcc-mingw-w64-x86-64).
pub const MINGW: &str = "x86_64-w64-mingw32-gcc";

/// A Wine prefix with the doubles installed.
pub struct Wine {
    prefix: PathBuf,
    /// The folder behind drive `R:` (mapped once, before any run: Wine reacts to a drive that
    /// changes under running programs by failing to start them).
    drive_r: PathBuf,
}

/// What a run did.
#[derive(Debug)]
pub struct Run {
    /// The exit status of `wine cmd /c ...`: the batch file's `exit /b` code.
    pub code: i32,
    /// Standard output and error, together (CRLF turned into LF).
    pub output: String,
    /// Every call the doubles logged, in order.
    pub calls: Vec<Call>,
}

/// One logged call of a double: its tool name, the folder it ran in, and its arguments (as the
/// program received them), then what the double added (a hash, "found", ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub tool: String,
    pub cwd: String,
    pub args: Vec<String>,
}

impl Run {
    /// The run printed `text` (the whole output is shown when not).
    pub fn says(&self, text: &str) {
        assert!(
            self.output.contains(text),
            "{text:?} not in:\n{}",
            self.output
        );
    }

    /// The run never printed `text`.
    pub fn never_says(&self, text: &str) {
        assert!(!self.output.contains(text), "{text:?} in:\n{}", self.output);
    }

    /// The calls of one tool.
    pub fn of<'a>(&'a self, tool: &'a str) -> impl Iterator<Item = &'a Call> + 'a {
        self.calls.iter().filter(move |c| c.tool == tool)
    }

    /// Whether any call of any tool had `arg` among its arguments.
    pub fn any_arg(&self, arg: &str) -> bool {
        self.calls.iter().any(|c| c.args.iter().any(|a| a == arg))
    }
}

impl Call {
    /// The argument after `flag`.
    pub fn after(&self, flag: &str) -> Option<&str> {
        let at = self
            .args
            .iter()
            .position(|a| a.eq_ignore_ascii_case(flag))?;
        self.args.get(at + 1).map(String::as_str)
    }
}

/// One of the few places for a Wine run, held while it lives (the scripts' runs and certbundle.exe's share them).
pub struct Slot;

static SLOTS: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
static FREED: std::sync::Condvar = std::sync::Condvar::new();

impl Slot {
    pub fn take() -> Slot {
        let mut busy = SLOTS.lock().unwrap_or_else(|e| e.into_inner());
        while *busy >= 2 {
            busy = FREED.wait(busy).unwrap_or_else(|e| e.into_inner());
        }
        *busy += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        *SLOTS.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
        FREED.notify_one();
    }
}

/// The prefix, or why there is none (the tool that is missing, and what happened).
pub fn wine() -> Result<&'static Wine, (&'static str, String)> {
    static WINE: OnceLock<Result<Wine, (&'static str, String)>> = OnceLock::new();
    WINE.get_or_init(setup).as_ref().map_err(Clone::clone)
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

fn setup() -> Result<Wine, (&'static str, String)> {
    if !runs("wine", "--version") {
        return Err((
            "wine",
            "`wine --version` did not run (Debian: apt-get install wine wine64)".into(),
        ));
    }
    if !runs(MINGW, "--version") {
        return Err((
            MINGW,
            format!(
                "`{MINGW} --version` did not run (Debian: apt-get install gcc-mingw-w64-x86-64)"
            ),
        ));
    }
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/doubles/double.c");
    let exe = tmp.join(format!("double-{}.exe", std::process::id()));
    let out = Command::new(MINGW)
        .args(["-municode", "-O2", "-Wall", "-o"])
        .arg(&exe)
        .arg(&source)
        .arg("-ladvapi32")
        .output()
        .map_err(|e| (MINGW, e.to_string()))?;
    if !out.status.success() {
        panic!(
            "the test doubles do not compile:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let prefix = tmp.join("wine-prefix");
    if !prefix.join("drive_c/windows/system32/cmd.exe").exists() {
        // Made aside and renamed into place, so that a parallel test process never sees half a
        // prefix (the one that loses the race throws its copy away).
        let building = tmp.join(format!("wine-prefix.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&building);
        let boot = Command::new("wine")
            .args(["wineboot", "--init"])
            .env("WINEPREFIX", &building)
            .env("WINEDEBUG", "-all")
            // No offer to download Mono or Gecko (nothing here needs them).
            .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
            .env_remove("DISPLAY")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| ("wine", e.to_string()))?;
        let _ = Command::new("wineserver")
            .arg("-w")
            .env("WINEPREFIX", &building)
            .status();
        if !boot.status.success() || !building.join("drive_c/windows/system32").is_dir() {
            return Err((
                "wine",
                format!(
                    "wineboot --init failed: {}",
                    String::from_utf8_lossy(&boot.stderr)
                ),
            ));
        }
        if std::fs::rename(&building, &prefix).is_err() {
            let _ = std::fs::remove_dir_all(&building);
        }
    }
    let system32 = prefix.join("drive_c/windows/system32");
    for name in DOUBLES {
        let target = if name == "powershell.exe" {
            system32.join("WindowsPowerShell/v1.0").join(name)
        } else {
            system32.join(name)
        };
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let staged = target.with_extension(format!("new{}", std::process::id()));
        std::fs::copy(&exe, &staged).unwrap();
        std::fs::rename(&staged, &target).unwrap();
    }
    let _ = std::fs::remove_file(&exe);
    // The scripts name %SystemRoot%\System32 and %SystemRoot%\Temp; the prefix's folders are
    // `system32` and `temp`. Wine finds a name whose case differs by reading the whole folder,
    // and under load that lookup now and then fails (measured: a run in three had cmd say "Can't
    // recognize" for a double that was there, into the file the script sent its errors to). Links
    // with the scripts' spelling make every lookup exact (none in ten runs since).
    for (alias, folder) in [("System32", "system32"), ("Temp", "temp")] {
        let link = prefix.join("drive_c/windows").join(alias);
        if std::fs::symlink_metadata(&link).is_err() {
            let _ = std::os::unix::fs::symlink(folder, &link);
        }
    }
    // Runs get a %TEMP% of their own; clear what older runs (or older versions of this harness)
    // left in the prefix's.
    if let Ok(users) = std::fs::read_dir(prefix.join("drive_c/users")) {
        for user in users.flatten() {
            if let Ok(entries) = std::fs::read_dir(user.path().join("Temp")) {
                for e in entries.flatten() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    if name.starts_with("certbundle-") || name.starts_with("CMD") {
                        let _ = std::fs::remove_dir_all(e.path());
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
        }
    }
    // One server for every run of this process (it stays a minute after the last one).
    let _ = Command::new("wineserver")
        .arg("-p60")
        .env("WINEPREFIX", &prefix)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status();
    let drive_r = tmp.join("wine-drive-r");
    std::fs::create_dir_all(&drive_r).unwrap();
    let link = prefix.join("dosdevices/r:");
    if std::fs::read_link(&link).ok().as_deref() != Some(drive_r.as_path()) {
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&drive_r, &link).unwrap();
    }
    let wine = Wine { prefix, drive_r };
    // The doubles must be what runs: Wine prefers its own programs unless told otherwise.
    let probe = tempfile::tempdir().unwrap();
    let run = wine.run(
        probe.path(),
        "\"%SystemRoot%\\System32\\certutil.exe\" -hashfile \"%SystemRoot%\\win.ini\" SHA256",
        &[],
        probe.path(),
    );
    assert!(
        run.of("certutil").count() == 1 && run.code == 0,
        "the certutil double did not answer in the Wine prefix: {run:#?}"
    );
    Ok(wine)
}

/// The Windows path of a Linux path (Wine's `Z:` drive is `/`).
pub fn windows_path(path: &Path) -> String {
    format!("Z:{}", path.display()).replace('/', "\\")
}

impl Wine {
    /// The prefix folder (`WINEPREFIX`).
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The Linux folder behind drive `R:` of the prefix.
    pub fn drive_r(&self) -> &Path {
        &self.drive_r
    }

    /// The Linux path of a Windows path on `C:` or `Z:`, each part found as Windows finds it
    /// (whatever its case; Wine's prefix writes `windows\temp` in lower case).
    pub fn linux_path(&self, windows: &str) -> PathBuf {
        let mut path = match windows[..2].to_ascii_uppercase().as_str() {
            "C:" => self.prefix.join("drive_c"),
            "Z:" => PathBuf::from("/"),
            other => panic!("no Linux path for drive {other}"),
        };
        for part in windows[2..].split('\\').filter(|p| !p.is_empty()) {
            let found = std::fs::read_dir(&path).ok().and_then(|entries| {
                entries
                    .flatten()
                    .map(|e| e.file_name())
                    .find(|n| n.to_string_lossy().eq_ignore_ascii_case(part))
            });
            path.push(found.unwrap_or_else(|| part.into()));
        }
        path
    }

    /// Runs `line` as typed at a Command Prompt in the folder `cwd` (the bundle folder, as on a
    /// double-click), with a %TEMP% and %LOCALAPPDATA% of its own, the doubles' log and stores in `scratch`, and `env`
    /// for the doubles. Times out after two minutes (a run waiting for input, or looping).
    pub fn run(&self, cwd: &Path, line: &str, env: &[(&str, &str)], scratch: &Path) -> Run {
        // At most two runs at a time: under more load Wine now and then fails to start a
        // program ("Application could not be started"), which would read as a script's failure.
        let _slot = Slot::take();
        let log = scratch.join("calls.log");
        let _ = std::fs::remove_file(&log);
        let temp = scratch.join("temp");
        std::fs::create_dir_all(&temp).unwrap();
        // Wine sets %TEMP% and %LOCALAPPDATA% from its registry, whatever the environment says: a
        // batch file sets them (the installer's private folders go under %LOCALAPPDATA%).
        // A test may name another %LOCALAPPDATA% (a Windows path) in `env`.
        let local = match env.iter().find(|(k, _)| *k == "LOCALAPPDATA") {
            Some((_, v)) => self.linux_path(v),
            None => scratch.join("local"),
        };
        std::fs::create_dir_all(&local).unwrap();
        let wrapper = scratch.join("run.cmd");
        // Wine sets USERNAME from its own account too: a test that runs as SYSTEM names it.
        let user = env
            .iter()
            .find(|(k, _)| *k == "USERNAME")
            .map(|(_, v)| format!("set \"USERNAME={v}\"\r\n"))
            .unwrap_or_default();
        let script = format!(
            "@echo off\r\nset \"TEMP={temp}\"\r\nset \"TMP={temp}\"\r\nset \"LOCALAPPDATA={local}\"\r\n{user}cd /d \"{cwd}\"\r\n{line}\r\n",
            temp = windows_path(&temp),
            local = windows_path(&local),
            cwd = windows_path(cwd),
        );
        std::fs::write(&wrapper, script).unwrap();
        let console = scratch.join("console.txt");
        // Output into a file, not a pipe: a wineserver started by this run would inherit a pipe
        // and hold it open (the run would seem to last until the server exits).
        let file = std::fs::File::create(&console).unwrap();
        let mut cmd = Command::new("wine");
        cmd.current_dir(scratch)
            .arg("cmd")
            .arg("/c")
            // By name, from the scratch folder: a path with `&` after /c would be two commands.
            .arg("run.cmd")
            .env("WINEPREFIX", &self.prefix)
            .env("WINEDEBUG", "-all")
            .env(
                "WINEDLLOVERRIDES",
                DOUBLES
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
                    + "=n",
            )
            .env_remove("DISPLAY")
            .env("CERTBUNDLE_NOPAUSE", "1")
            .env("CB_LOG", windows_path(&log))
            .env("CB_STORES", windows_path(&scratch.join("stores")))
            .stdin(std::process::Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("wine runs");
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(120) {
                let _ = child.kill();
                panic!(
                    "{line:?} did not finish within two minutes:\n{}",
                    std::fs::read_to_string(&console).unwrap_or_default()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let output =
            String::from_utf8_lossy(&std::fs::read(&console).unwrap()).replace("\r\n", "\n");
        let calls = std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .map(|l| {
                let mut parts = l.split('\t').map(str::to_string);
                Call {
                    tool: parts.next().unwrap_or_default(),
                    cwd: parts.next().unwrap_or_default(),
                    args: parts.collect(),
                }
            })
            .collect();
        // A line cmd could not read is a script bug (or a Wine difference to look at), never
        // something to pass over.
        assert!(
            !output.contains("Can't recognize"),
            "{line:?}: cmd could not read a line:\n{output}"
        );
        Run {
            code: status.code().unwrap_or(-1),
            output,
            calls,
        }
    }
}
