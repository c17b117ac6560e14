//! certbundle side by side with what a user would do instead, in one run on one machine
//! (README "How fast", CONTRIBUTING "Benchmarks"):
//! - `build` of the Mozilla roots in Debian's ca-certificates against an openssl + sha256sum +
//!   zip pipeline (parse each file, check the root's self-signature, convert to DER, hash, pack)
//!   and against the floor, `sha256sum` + `zip` of the same DER files;
//! - `build`, `verify` and `inspect` of generated hierarchies at two sizes, a doubling apart,
//!   `inspect` also at a large size, `verify` against `sha256sum -c` over the same files;
//! - `report` over installer reports and `extract` from a large signed file (against
//!   `osslsigncode extract-signature` + `openssl pkcs7 -print_certs`), each at two sizes.
//!
//! Every command runs as its own process, certbundle's optimised build included (the one
//! `cargo bench` makes: its `failpoints` feature is on, as for every target that uses the
//! dev-dependencies, and inert, as `CERTBUNDLE_FAILPOINT` is removed from every measured
//! process); each run's exit code and certificate (or host, or report) counts are checked
//! before its time counts. CPU time is user + system of the process and of every process it
//! waited for, peak memory its largest resident set; the fastest of the rounds counts (the
//! others carry noise from the rest of the machine), the largest peak memory.
//!
//! `cargo bench --bench compare` runs the full sizes; `-- --quick` the small ones CI runs;
//! `-- --check` exits 1 when a certbundle command grows more than [`MAX_GROWTH`] per doubling,
//! a run uses more memory than the sizes allow ([`Sizes::max_peak_mib`]), `extract` reads more
//! of a signed file than its signature, or a comparison could not run (a tool missing), unless
//! `-- --allow-skip` says that may be. Ratios within one run only: absolute times differ
//! between machines and are never checked. Linux only (`wait4`, `ru_maxrss` in KiB).

// Elsewhere only a stub `main` is built.
#![cfg_attr(not(target_os = "linux"), allow(dead_code, unused_imports))]

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/it/common/pe.rs"]
mod pe;

mod common;

/// The largest growth of a certbundle command's CPU time per doubling of its input that
/// `--check` accepts: linear is 2, the n log n of sorting a little more.
const MAX_GROWTH: f64 = 2.5;
/// The largest growth of `extract`'s CPU time as the signed file doubles: it reads only the
/// headers and the signature, so its time stays flat.
const EXTRACT_MAX_GROWTH: f64 = 1.5;
/// The targets, printed beside what was measured: `build` of the Mozilla roots within this
/// factor of the floor's CPU time, `verify` within this factor of `sha256sum -c`'s.
const BUILD_TARGET: f64 = 3.0;
const VERIFY_TARGET: f64 = 5.0;

/// Where Debian's ca-certificates keeps the Mozilla roots, one PEM file each.
const MOZILLA: &str = "/usr/share/ca-certificates/mozilla";
/// Validity is judged at this instant, so the generated hierarchies never expire.
const NOW: &str = "2026-12-01T00:00:00Z";

/// How large each input is.
struct Sizes {
    /// Certificates in a hierarchy for `build` and `verify` (and `inspect`); the second is twice
    /// the first.
    scale: [usize; 2],
    /// Certificates for the large `inspect`.
    inspect: [usize; 2],
    /// Installer reports (four runs of each host).
    reports: [usize; 2],
    /// The signed file for `extract`, in MiB.
    extract_mib: [usize; 2],
    rounds: usize,
    /// The largest peak memory (resident set) of any certbundle run that `--check` accepts.
    max_peak_mib: f64,
}

/// Rounds for the commands over the Mozilla roots, whatever the sizes.
const MOZILLA_ROUNDS: usize = 15;

/// 2,000 certificates is the cap (`limits::MAX_CERTIFICATES`).
const FULL: Sizes = Sizes {
    scale: [1_000, 2_000],
    inspect: [5_000, 10_000],
    reports: [5_000, 10_000],
    extract_mib: [64, 128],
    // As many as the quick sizes: with three, one disturbed round could put a doubling over
    // the bound (measured: `build` 2.0x in one run, 2.7x in the next).
    rounds: 5,
    max_peak_mib: 160.0,
};
const QUICK: Sizes = Sizes {
    scale: [500, 1_000],
    inspect: [1_250, 2_500],
    reports: [1_000, 2_000],
    extract_mib: [8, 16],
    rounds: 5,
    max_peak_mib: 64.0,
};

/// What one process cost.
#[derive(Clone, Copy)]
struct Cost {
    wall: Duration,
    cpu: Duration,
    peak_kib: u64,
}

/// A command's best cost over the rounds.
#[derive(Clone, Copy)]
struct Measured {
    cost: Cost,
}

impl Measured {
    fn cpu(&self) -> f64 {
        self.cost.cpu.as_secs_f64()
    }

    fn peak_mib(&self) -> f64 {
        self.cost.peak_kib as f64 / 1024.0
    }

    /// This cost less `other`'s times (a shell's own start, say); the peak memory stays.
    fn less(&self, other: &Measured) -> Measured {
        Measured {
            cost: Cost {
                wall: self.cost.wall.saturating_sub(other.cost.wall),
                cpu: self.cost.cpu.saturating_sub(other.cost.cpu),
                peak_kib: self.cost.peak_kib,
            },
        }
    }
}

/// A command line to measure, what it must exit with, and how to tell it did the whole job.
struct Job<'a> {
    program: PathBuf,
    args: Vec<String>,
    /// The folder it runs in; the benchmark's own when `None`.
    cwd: Option<PathBuf>,
    exit: i32,
    /// Reads what the run printed (and wrote) and says what is wrong, if anything.
    check: &'a dyn Fn(&str) -> Result<(), String>,
    /// Runs before each round, untimed: removes what the previous round wrote.
    prepare: &'a dyn Fn(),
    /// Run once, not [`Harness::rounds`] times: it takes seconds, and a round's noise is small
    /// against that.
    once: bool,
}

struct Harness {
    launcher: Launcher,
    dir: tempfile::TempDir,
    exe: PathBuf,
    rounds: usize,
    max_peak_mib: f64,
    /// Problems `--check` fails on.
    failures: Vec<String>,
    /// Comparisons that could not run (a tool missing), and why.
    skipped: Vec<String>,
}

/// Set in the environment of the launcher: a copy of this benchmark, started before it
/// allocates anything, that starts every measured process.
const LAUNCHER: &str = "CERTBUNDLE_BENCH_LAUNCHER";

/// Runs `program` with `args` (in `cwd`, when given) in its own process and waits for it with
/// `wait4`, which returns the resource use of the process and of every child it waited for.
/// The exit code, or `Err("signal N")` when a signal ended it.
///
/// Only the launcher calls this. Linux counts into a new process's peak memory the pages of
/// the process that started it, as they were when it started the program: started from the
/// benchmark, which holds the inputs it generated (a 128 MiB file), every process would seem
/// to need as much. Started from the launcher, each peak includes only the launcher's few MiB.
// wait4 reaps the child, which std's Child does not know.
#[cfg(target_os = "linux")]
#[allow(clippy::zombie_processes)]
fn run_once(
    program: &Path,
    args: &[String],
    cwd: Option<&Path>,
    stdout: &Path,
) -> (Result<i32, String>, Cost) {
    let out = File::create(stdout).unwrap();
    let mut command = Command::new(program);
    command
        .args(args)
        .env_remove(LAUNCHER)
        .env_remove("CERTBUNDLE_FAILPOINT")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::inherit());
    if let Some(cwd) = cwd {
        command.current_dir(cwd);
    }
    let start = Instant::now();
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", program.display()));
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data that wait4 fills in; the pid is our own child, not yet waited
    // for (std's Child does not wait on drop).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let ended = if libc::WIFEXITED(status) {
        Ok(libc::WEXITSTATUS(status))
    } else {
        Err(format!("signal {}", libc::WTERMSIG(status)))
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    let cost = Cost {
        wall,
        cpu: time(usage.ru_utime) + time(usage.ru_stime),
        // Linux reports it in KiB.
        peak_kib: usage.ru_maxrss as u64,
    };
    (ended, cost)
}

/// One job for the launcher, a line of JSON.
#[derive(serde::Serialize, serde::Deserialize)]
struct Order {
    program: PathBuf,
    args: Vec<String>,
    cwd: Option<PathBuf>,
    stdout: PathBuf,
}

/// The launcher's loop: reads one [`Order`] a line, runs it, answers
/// `<"exit" N or "signal" N> <wall ns> <CPU ns> <peak KiB>`.
#[cfg(target_os = "linux")]
fn launcher() -> ! {
    let mut answers = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let order: Order = serde_json::from_str(&line.unwrap()).unwrap();
        let (ended, cost) = run_once(
            &order.program,
            &order.args,
            order.cwd.as_deref(),
            &order.stdout,
        );
        let ended = ended.map_or_else(|signal| signal, |code| format!("exit {code}"));
        writeln!(
            answers,
            "{ended} {} {} {}",
            cost.wall.as_nanos(),
            cost.cpu.as_nanos(),
            cost.peak_kib
        )
        .unwrap();
        answers.flush().unwrap();
    }
    std::process::exit(0)
}

/// The benchmark's end of the launcher.
struct Launcher {
    child: std::process::Child,
    jobs: std::process::ChildStdin,
    answers: std::io::BufReader<std::process::ChildStdout>,
}

impl Launcher {
    fn start() -> Self {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(LAUNCHER, "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the launcher starts");
        Launcher {
            jobs: child.stdin.take().unwrap(),
            answers: std::io::BufReader::new(child.stdout.take().unwrap()),
            child,
        }
    }

    /// Ends the launcher: no more jobs.
    fn stop(self) {
        let Launcher {
            mut child, jobs, ..
        } = self;
        drop(jobs);
        let status = child.wait().unwrap();
        assert!(status.success(), "the launcher failed: {status}");
    }

    /// Runs the job; its exit code, or `Err("signal N")`.
    fn run(&mut self, job: &Job, stdout: &Path) -> (Result<i32, String>, Cost) {
        let order = Order {
            program: job.program.clone(),
            args: job.args.clone(),
            cwd: job.cwd.clone(),
            stdout: stdout.to_path_buf(),
        };
        writeln!(self.jobs, "{}", serde_json::to_string(&order).unwrap()).unwrap();
        let mut answer = String::new();
        self.answers.read_line(&mut answer).unwrap();
        let fields: Vec<&str> = answer.split_whitespace().collect();
        assert_eq!(fields.len(), 5, "the launcher stopped: {answer:?}");
        let number = |i: usize| fields[i].parse::<u64>().unwrap();
        let cost = Cost {
            wall: Duration::from_nanos(number(2)),
            cpu: Duration::from_nanos(number(3)),
            peak_kib: number(4),
        };
        let ended = match fields[0] {
            "exit" => Ok(fields[1].parse().unwrap()),
            _ => Err(format!("{} {}", fields[0], fields[1])),
        };
        (ended, cost)
    }
}

impl Harness {
    /// Each job's best cost over the rounds, the jobs taking turns within each round (so that a
    /// change in the rest of the machine's load falls on all of them alike); every run must exit
    /// as expected and pass its check.
    fn measure_all(&mut self, jobs: &[(String, &Job)]) -> Vec<Measured> {
        self.measure_rounds(jobs, self.rounds)
    }

    /// [`Harness::measure_all`] over `rounds` rounds.
    fn measure_rounds(&mut self, jobs: &[(String, &Job)], rounds: usize) -> Vec<Measured> {
        let stdout = self.dir.path().join("stdout");
        let mut best: Vec<Option<Cost>> = vec![None; jobs.len()];
        for round in 0..rounds {
            // Every other round in reverse order: none of them always runs first.
            let mut order: Vec<usize> = (0..jobs.len()).collect();
            if round % 2 == 1 {
                order.reverse();
            }
            for i in order {
                let ((label, job), best) = (&jobs[i], &mut best[i]);
                if job.once && round > 0 {
                    continue;
                }
                (job.prepare)();
                let (ended, cost) = self.launcher.run(job, &stdout);
                let printed = std::fs::read_to_string(&stdout).unwrap_or_default();
                assert_eq!(
                    ended,
                    Ok(job.exit),
                    "{label}: {} {} ended with {ended:?}, expected exit {}:\n{printed}",
                    job.program.display(),
                    job.args.join(" "),
                    job.exit
                );
                if let Err(why) = (job.check)(&printed) {
                    panic!("{label}: {why}");
                }
                *best = Some(best.map_or(cost, |b| Cost {
                    wall: b.wall.min(cost.wall),
                    cpu: b.cpu.min(cost.cpu),
                    peak_kib: b.peak_kib.max(cost.peak_kib),
                }));
            }
        }
        jobs.iter()
            .zip(best)
            .map(|((label, _), best)| {
                let m = Measured {
                    cost: best.unwrap(),
                };
                eprintln!(
                    "  {label}: {:.1} ms CPU, {:.1} ms wall, {:.1} MiB",
                    m.cpu() * 1000.0,
                    m.cost.wall.as_secs_f64() * 1000.0,
                    m.peak_mib()
                );
                m
            })
            .collect()
    }

    fn measure(&mut self, label: &str, job: &Job) -> Measured {
        self.measure_all(&[(label.to_string(), job)])[0]
    }

    /// Checks a certbundle run's peak memory against [`Sizes::max_peak_mib`].
    fn check_peak(&mut self, label: &str, m: &Measured) {
        if m.peak_mib() > self.max_peak_mib {
            self.failures.push(format!(
                "{label}: peak memory {:.1} MiB, over the bound of {} MiB",
                m.peak_mib(),
                self.max_peak_mib
            ));
        }
    }

    /// A certbundle command and what a user would run instead, taking turns.
    fn side_by_side(&mut self, ours: (&str, &Job), theirs: (&str, &Job)) -> [Measured; 2] {
        let m = self.measure_all(&[
            (ours.0.to_string(), ours.1),
            (theirs.0.to_string(), theirs.1),
        ]);
        self.check_peak(ours.0, &m[0]);
        [m[0], m[1]]
    }

    /// A certbundle command on two inputs, the second twice the first (`sizes`, in `unit`): the
    /// growth per doubling of its CPU time is checked against [`MAX_GROWTH`].
    fn doubling(
        &mut self,
        what: &str,
        unit: &'static str,
        sizes: [usize; 2],
        jobs: [&Job; 2],
    ) -> Grown {
        let labels = sizes.map(|n| format!("{what} {n} {unit}"));
        let m = self.measure_all(&[(labels[0].clone(), jobs[0]), (labels[1].clone(), jobs[1])]);
        for (label, m) in labels.iter().zip(&m) {
            self.check_peak(label, m);
        }
        let growth = m[1].cpu() / m[0].cpu();
        // A NaN (no CPU time at all) fails too.
        if growth.is_nan() || growth > MAX_GROWTH {
            self.failures.push(format!(
                "{what}: CPU time grows {growth:.2}x per doubling, over {MAX_GROWTH}x"
            ));
        }
        Grown {
            what: what.into(),
            sizes,
            unit,
            small: m[0],
            large: m[1],
            growth,
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn certbundle_job<'a>(
        &self,
        args: &[&str],
        exit: i32,
        check: &'a dyn Fn(&str) -> Result<(), String>,
        prepare: &'a dyn Fn(),
    ) -> Job<'a> {
        Job {
            program: self.exe.clone(),
            args: args.iter().map(|a| a.to_string()).collect(),
            cwd: None,
            exit,
            check,
            prepare,
            once: false,
        }
    }
}

fn nothing() {}

fn remove(path: &Path) {
    if path.is_dir() {
        std::fs::remove_dir_all(path).unwrap();
    } else if path.exists() {
        std::fs::remove_file(path).unwrap();
    }
}

/// The JSON a certbundle command printed.
fn json(printed: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(printed).map_err(|e| format!("not JSON ({e}): {printed}"))
}

/// Checks that `--json` output holds `n` items at `pointer` (an array, or a count).
fn count_at(printed: &str, pointer: &str, n: usize) -> Result<(), String> {
    counts_at(printed, &[(pointer, n)])
}

/// Checks that `--json` output holds, at each pointer, that many items (an array, or a count).
fn counts_at(printed: &str, expected: &[(&str, usize)]) -> Result<(), String> {
    let value = json(printed)?;
    for &(pointer, n) in expected {
        let found = match value.pointer(pointer) {
            Some(serde_json::Value::Array(items)) => items.len(),
            Some(v) => v.as_u64().map_or(usize::MAX, |c| c as usize),
            None => return Err(format!("no {pointer} in the output")),
        };
        if found != n {
            return Err(format!("{pointer} is {found}, expected {n}"));
        }
    }
    Ok(())
}

/// Files in `folder` whose name ends with `suffix`.
fn files_ending(folder: &Path, suffix: &str) -> usize {
    std::fs::read_dir(folder).map_or(0, |entries| {
        entries
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(suffix))
            })
            .count()
    })
}

/// Entries in a zip file, or why it cannot be read.
fn zip_entries(path: &Path) -> Result<usize, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(archive.len())
}

fn tool(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    })
}

fn bash_job<'a>(
    bash: &'a Path,
    script: &str,
    args: &[&Path],
    check: &'a dyn Fn(&str) -> Result<(), String>,
    prepare: &'a dyn Fn(),
) -> Job<'a> {
    let mut all = vec!["-c".to_string(), script.to_string(), "bench".to_string()];
    all.extend(args.iter().map(|a| a.display().to_string()));
    Job {
        program: bash.to_path_buf(),
        args: all,
        cwd: None,
        exit: 0,
        check,
        prepare,
        once: false,
    }
}

/// What a user would do instead of `certbundle build`: for each PEM file, read it, check the
/// root's self-signature, convert it to DER; then hash and pack.
const PIPELINE: &str = r#"set -euo pipefail
src=$1 out=$2
mkdir -p "$out/der"
for f in "$src"/*.crt; do
  name=$(basename "$f" .crt)
  openssl x509 -in "$f" -noout -subject -issuer -dates -fingerprint -sha256 >/dev/null
  openssl verify -no_check_time -check_ss_sig -CAfile "$f" "$f" >/dev/null
  openssl x509 -in "$f" -outform DER -out "$out/der/$name.cer"
done
cd "$out/der"
sha256sum -- *.cer > SHA256SUMS
zip -q -X ../bundle.zip -- *.cer SHA256SUMS
"#;

/// The floor: hash and pack DER files that are already there.
const FLOOR: &str = r#"set -euo pipefail
cd "$1"
sha256sum -- *.cer > SHA256SUMS
zip -q -X ../floor.zip -- *.cer SHA256SUMS
"#;

/// What a user would do instead of `certbundle extract`: cut the signature out, print its
/// certificates.
const EXTRACT: &str = r#"set -euo pipefail
osslsigncode extract-signature -in "$1" -out "$2/signature.p7" >/dev/null
openssl pkcs7 -inform DER -in "$2/signature.p7" -print_certs
"#;

/// One line of the comparison table.
struct Compared {
    what: String,
    certbundle: Measured,
    other_label: String,
    other: Measured,
    target: Option<f64>,
}

/// One line of the growth table.
struct Grown {
    what: String,
    sizes: [usize; 2],
    unit: &'static str,
    small: Measured,
    large: Measured,
    growth: f64,
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("benches/compare.rs runs on Linux only (wait4, ru_maxrss in KiB)");
}

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    if std::env::var_os(LAUNCHER).is_some() {
        launcher();
    }
    let mut quick = false;
    let mut check = false;
    let mut allow_skip = false;
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--quick" => quick = true,
            "--check" => check = true,
            "--allow-skip" => allow_skip = true,
            // cargo bench passes --bench to every benchmark.
            "--bench" => {}
            other => {
                eprintln!(
                    "usage: cargo bench --bench compare -- [--quick] [--check [--allow-skip]] (not {other})"
                );
                return std::process::ExitCode::from(2);
            }
        }
    }
    // First, while this process is small: see run_once.
    let launcher = Launcher::start();
    let sizes = if quick { QUICK } else { FULL };
    let mut h = Harness {
        launcher,
        dir: tempfile::tempdir().expect("a temporary folder"),
        exe: PathBuf::from(env!("CARGO_BIN_EXE_certbundle")),
        rounds: sizes.rounds,
        max_peak_mib: sizes.max_peak_mib,
        failures: Vec::new(),
        skipped: Vec::new(),
    };
    eprintln!(
        "certbundle {} in {}, {} rounds each ({MOZILLA_ROUNDS} over the Mozilla roots)",
        h.exe.display(),
        h.dir.path().display(),
        h.rounds
    );
    let mut compared = Vec::new();
    let mut grown = Vec::new();
    mozilla(&mut h, &mut compared);
    scale(&mut h, &sizes, &mut compared, &mut grown);
    reports(&mut h, &sizes, &mut grown);
    extract(&mut h, &sizes, &mut compared, &mut grown);
    print!("{}", tables(&compared, &grown, &sizes, quick));
    let Harness {
        launcher,
        failures,
        skipped,
        ..
    } = h;
    launcher.stop();
    for s in &skipped {
        println!("skipped: {s}");
    }
    for f in &failures {
        println!("over the bound: {f}");
    }
    let skips_fail = !allow_skip && !skipped.is_empty();
    if check && (!failures.is_empty() || skips_fail) {
        eprintln!(
            "error: {} bound(s) exceeded, {} comparison(s) skipped",
            failures.len(),
            skipped.len()
        );
        // Returned, not exited: the temporary folder is removed on the way out.
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}

/// `build` of the Mozilla roots against the pipeline and the floor.
fn mozilla(h: &mut Harness, compared: &mut Vec<Compared>) {
    let missing: Vec<&str> = ["bash", "openssl", "sha256sum", "zip"]
        .into_iter()
        .filter(|t| tool(t).is_none())
        .collect();
    if !Path::new(MOZILLA).is_dir() || !missing.is_empty() {
        h.skipped.push(format!(
            "build of the Mozilla roots: needs {MOZILLA} (Debian's ca-certificates) and {}",
            if missing.is_empty() {
                "nothing else".into()
            } else {
                missing.join(", ")
            }
        ));
        return;
    }
    // A copy beside everything else, so every command reads from the same file system.
    let src = h.path("mozilla");
    std::fs::create_dir_all(&src).unwrap();
    for entry in std::fs::read_dir(MOZILLA).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "crt") {
            std::fs::copy(&path, src.join(path.file_name().unwrap())).unwrap();
        }
    }
    let n = files_ending(&src, ".crt");
    eprintln!("build of the {n} Mozilla roots");
    let out = h.path("mozilla-out");
    let check = |printed: &str| count_at(printed, "/certificates", n);
    let prepare = || remove(&out);
    let job = h.certbundle_job(
        &[
            "build",
            "--profile",
            "none",
            "--allow-expired",
            "--name",
            "mozilla",
            "--json",
            "-o",
            out.to_str().unwrap(),
            src.to_str().unwrap(),
        ],
        0,
        &check,
        &prepare,
    );
    let bash = tool("bash").unwrap();
    let piped = h.path("pipeline");
    let der = piped.join("der");
    let check = |_: &str| {
        let found = files_ending(&der, ".cer");
        let packed = zip_entries(&piped.join("bundle.zip"))?;
        if found == n && packed == n + 1 {
            Ok(())
        } else {
            Err(format!(
                "{found} DER files and {packed} zip entries, expected {n} and {}",
                n + 1
            ))
        }
    };
    let prepare = || remove(&piped);
    let pipeline = h.measure(
        "openssl pipeline",
        &Job {
            once: true,
            ..bash_job(&bash, PIPELINE, &[&src, &piped], &check, &prepare)
        },
    );
    let floor_in = h.path("floor");
    std::fs::create_dir_all(&floor_in).unwrap();
    for entry in std::fs::read_dir(&der).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "cer") {
            std::fs::copy(&path, floor_in.join(path.file_name().unwrap())).unwrap();
        }
    }
    let floor_zip = h.path("floor.zip");
    let check = |_: &str| match zip_entries(&floor_zip)? {
        packed if packed == n + 1 => Ok(()),
        packed => Err(format!("{packed} zip entries, expected {}", n + 1)),
    };
    let prepare = || {
        remove(&floor_zip);
        remove(&floor_in.join("SHA256SUMS"));
    };
    // Reading and checking alone, nothing written: how much of build's time that is.
    let s = src.to_str().unwrap();
    let read = |printed: &str| count_at(printed, "/certificates", n);
    let inspect = h.certbundle_job(
        &["inspect", "--allow-expired", "--json", s],
        0,
        &read,
        &nothing,
    );
    let floor_job = bash_job(&bash, FLOOR, &[&floor_in], &check, &prepare);
    // A user's shell is already running: the floor's time is less bash's own start.
    let ok = |_: &str| Ok(());
    let shell = bash_job(&bash, ":", &[], &ok, &nothing);
    // Runs of tens of milliseconds, which a moment's load elsewhere on the machine changes by a
    // third: more rounds, so that the fastest is each command's own cost (about 2 s in all).
    let m = h.measure_rounds(
        &[
            ("certbundle build".into(), &job),
            ("certbundle inspect".into(), &inspect),
            ("sha256sum + zip".into(), &floor_job),
            ("bash -c :".into(), &shell),
        ],
        MOZILLA_ROUNDS,
    );
    h.check_peak("certbundle build", &m[0]);
    h.check_peak("certbundle inspect", &m[1]);
    let [build, inspected, floor] = [m[0], m[1], m[2].less(&m[3])];
    compared.push(Compared {
        what: format!("`build` of the {n} Mozilla roots"),
        certbundle: build,
        other_label: "`sha256sum` + `zip` of the DER files (the floor)".into(),
        other: floor,
        target: Some(BUILD_TARGET),
    });
    compared.push(Compared {
        what: format!("`inspect` of the {n} Mozilla roots (read and check, write nothing)"),
        certbundle: inspected,
        other_label: "`sha256sum` + `zip` of the DER files (the floor)".into(),
        other: floor,
        target: None,
    });
    compared.push(Compared {
        what: format!("`build` of the {n} Mozilla roots"),
        certbundle: build,
        other_label: "openssl + sha256sum + zip pipeline".into(),
        other: pipeline,
        target: None,
    });
}

/// `build`, `verify` and `inspect` of generated hierarchies; `verify` against `sha256sum -c`.
fn scale(h: &mut Harness, sizes: &Sizes, compared: &mut Vec<Compared>, grown: &mut Vec<Grown>) {
    let unit = "certificates";
    let [small, large] = sizes.scale;
    eprintln!("{small} and {large} generated certificates");
    let inputs = sizes.scale.map(|n| common::hierarchy(h.dir.path(), n));
    let outs = sizes.scale.map(|n| h.path(&format!("out-{n}")));
    let names = sizes.scale.map(|n| format!("scale-{n}"));
    let bundles = [outs[0].join(&names[0]), outs[1].join(&names[1])];
    let checks = sizes
        .scale
        .map(|n| move |printed: &str| count_at(printed, "/certificates", n));
    let prepares = outs.each_ref().map(|out| move || remove(out));
    let build = |i: usize| {
        let (o, input) = (outs[i].to_str().unwrap(), inputs[i].to_str().unwrap());
        h.certbundle_job(
            &[
                "build",
                "--profile",
                "none",
                "--now",
                NOW,
                "--name",
                &names[i],
                "--json",
                "-o",
                o,
                input,
            ],
            0,
            &checks[i],
            &prepares[i],
        )
    };
    let jobs = [build(0), build(1)];
    grown.push(h.doubling("`build`", unit, sizes.scale, [&jobs[0], &jobs[1]]));
    let verify = |i: usize| {
        h.certbundle_job(
            &["verify", "--json", bundles[i].to_str().unwrap()],
            0,
            &checks[i],
            &nothing,
        )
    };
    let verify_jobs = [verify(0), verify(1)];
    grown.push(h.doubling(
        "`verify` (folder)",
        unit,
        sizes.scale,
        [&verify_jobs[0], &verify_jobs[1]],
    ));
    grown.push(inspect_doubling(h, sizes.scale, &inputs));
    match tool("sha256sum") {
        Some(sha256sum) => {
            let listed = std::fs::read_to_string(bundles[1].join("SHA256SUMS"))
                .unwrap()
                .lines()
                .count();
            let check =
                |printed: &str| match printed.lines().filter(|l| l.ends_with(": OK")).count() {
                    ok if ok == listed && listed > large => Ok(()),
                    ok => Err(format!("{ok} files OK, expected {listed}")),
                };
            let [verified_large, sums] = h.side_by_side(
                (&format!("verify {large}"), &verify_jobs[1]),
                (
                    &format!("sha256sum -c {large}"),
                    &Job {
                        program: sha256sum,
                        args: vec!["-c".into(), "SHA256SUMS".into()],
                        cwd: Some(bundles[1].clone()),
                        exit: 0,
                        check: &check,
                        prepare: &nothing,
                        once: false,
                    },
                ),
            );
            compared.push(Compared {
                what: format!("`verify` of a bundle of {} certificates", thousands(large)),
                certbundle: verified_large,
                other_label: "`sha256sum -c SHA256SUMS` in the same folder".into(),
                other: sums,
                target: Some(VERIFY_TARGET),
            });
        }
        None => h
            .skipped
            .push("verify against sha256sum -c: needs sha256sum".into()),
    }
    for path in inputs.iter().chain(&outs) {
        remove(path);
    }
    let [small, large] = sizes.inspect;
    eprintln!("{small} and {large} generated certificates");
    let inputs = sizes.inspect.map(|n| common::hierarchy(h.dir.path(), n));
    grown.push(inspect_doubling(h, sizes.inspect, &inputs));
    for path in &inputs {
        remove(path);
    }
}

/// `inspect` of the hierarchies `inputs` of `sizes` certificates.
fn inspect_doubling(h: &mut Harness, sizes: [usize; 2], inputs: &[PathBuf; 2]) -> Grown {
    let checks = sizes.map(|n| move |printed: &str| count_at(printed, "/certificates", n));
    let jobs = [0, 1].map(|i| {
        let input = inputs[i].to_str().unwrap();
        let args = ["inspect", "--json", "--now", NOW, input];
        h.certbundle_job(&args, 0, &checks[i], &nothing)
    });
    h.doubling("`inspect`", "certificates", sizes, [&jobs[0], &jobs[1]])
}

/// `report` over a folder of installer reports, four runs of each host.
fn reports(h: &mut Harness, sizes: &Sizes, grown: &mut Vec<Grown>) {
    eprintln!(
        "{} and {} installer reports",
        sizes.reports[0], sizes.reports[1]
    );
    let folders = sizes.reports.map(|n| h.path(&format!("reports-{n}")));
    let hosts = sizes.reports.map(|n| n / 4);
    for (folder, hosts) in folders.iter().zip(hosts) {
        common::reports(folder, hosts, 4, 20);
    }
    // Every report read, none skipped: the time counts only for the whole job.
    let checks = sizes.reports.map(|n| {
        move |printed: &str| {
            counts_at(
                printed,
                &[
                    ("/summary/hosts", n / 4),
                    ("/summary/reports", n),
                    ("/summary/skipped", 0),
                    ("/summary/unreadable_reports", 0),
                ],
            )
        }
    });
    // Exit 1: every seventh run is not compliant.
    let report = |i: usize| {
        h.certbundle_job(
            &["report", "--json", folders[i].to_str().unwrap()],
            1,
            &checks[i],
            &nothing,
        )
    };
    let jobs = [report(0), report(1)];
    grown.push(h.doubling("`report`", "reports", sizes.reports, [&jobs[0], &jobs[1]]));
    for folder in &folders {
        remove(folder);
    }
}

/// A code-signing hierarchy for osslsigncode: the signer's chain (signer, intermediate) and
/// key as PEM files in `dir`.
fn signer(dir: &Path) -> (PathBuf, PathBuf) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
        KeyUsagePurpose,
    };
    let params = |cn: &str, ca: bool| {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = rcgen::DistinguishedName::new();
        p.distinguished_name.push(DnType::CommonName, cn);
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2040, 1, 1);
        if ca {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        } else {
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
        }
        p
    };
    let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let (root_key, inter_key, leaf_key) = (key(), key(), key());
    let root_params = params("Bench Signing Root", true);
    let root_issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    let inter_params = params("Bench Signing Intermediate", true);
    let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
    let inter_issuer = rcgen::Issuer::from_params(&inter_params, &inter_key);
    let leaf = params("Bench Signer", false)
        .signed_by(&leaf_key, &inter_issuer)
        .unwrap();
    let chain = dir.join("chain.pem");
    std::fs::write(&chain, [leaf.pem(), inter.pem()].concat()).unwrap();
    let key_file = dir.join("signer.key");
    std::fs::write(&key_file, leaf_key.serialize_pem()).unwrap();
    (chain, key_file)
}

/// `extract` from a large signed file, against osslsigncode + openssl.
fn extract(h: &mut Harness, sizes: &Sizes, compared: &mut Vec<Compared>, grown: &mut Vec<Grown>) {
    let (Some(ossl), Some(bash), Some(_)) = (tool("osslsigncode"), tool("bash"), tool("openssl"))
    else {
        h.skipped
            .push("extract: needs osslsigncode, bash and openssl".into());
        return;
    };
    eprintln!(
        "signed files of {} and {} MiB",
        sizes.extract_mib[0], sizes.extract_mib[1]
    );
    let (chain, key) = signer(h.dir.path());
    let signed = sizes.extract_mib.map(|mib| {
        let unsigned = h.path("unsigned.exe");
        std::fs::write(&unsigned, pe::minimal_pe_sized(true, mib << 20)).unwrap();
        let signed = h.path(&format!("signed-{mib}.exe"));
        let status = Command::new(&ossl)
            .args(["sign", "-h", "sha256", "-certs"])
            .arg(&chain)
            .arg("-key")
            .arg(&key)
            .arg("-in")
            .arg(&unsigned)
            .arg("-out")
            .arg(&signed)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "osslsigncode could not sign the benchmark's file"
        );
        remove(&unsigned);
        signed
    });
    let check = |printed: &str| count_at(printed, "/files/0/signatures/0/chain", 2);
    let ours = |i: usize| {
        h.certbundle_job(
            &[
                "extract",
                "--profile",
                "none",
                "--json",
                signed[i].to_str().unwrap(),
            ],
            0,
            &check,
            &nothing,
        )
    };
    let jobs = [ours(0), ours(1)];
    let row = h.doubling("`extract`", "MiB", sizes.extract_mib, [&jobs[0], &jobs[1]]);
    // It reads the headers and the signature, never the whole file: its time stays flat as the
    // file doubles, and it never holds as much memory as the smaller file.
    if row.growth.is_nan() || row.growth > EXTRACT_MAX_GROWTH {
        h.failures.push(format!(
            "`extract`: CPU time grows {:.2}x as the file doubles, over {EXTRACT_MAX_GROWTH}x: does it read the whole file?",
            row.growth
        ));
    }
    if row.large.peak_mib() >= sizes.extract_mib[0] as f64 {
        h.failures.push(format!(
            "`extract`: peak memory {:.1} MiB for a {} MiB file: does it hold the file?",
            row.large.peak_mib(),
            sizes.extract_mib[1]
        ));
    }
    let cut = h.path("cut");
    let check = |printed: &str| match printed.matches("-----BEGIN CERTIFICATE-----").count() {
        2 => Ok(()),
        found => Err(format!("{found} certificates printed, expected 2")),
    };
    let prepare = || {
        remove(&cut);
        std::fs::create_dir_all(&cut).unwrap();
    };
    let [ours_large, theirs] = h.side_by_side(
        (&format!("extract {} MiB", sizes.extract_mib[1]), &jobs[1]),
        (
            &format!("osslsigncode + openssl {} MiB", sizes.extract_mib[1]),
            &bash_job(&bash, EXTRACT, &[&signed[1], &cut], &check, &prepare),
        ),
    );
    compared.push(Compared {
        what: format!(
            "`extract` from a signed file of {} MiB",
            sizes.extract_mib[1]
        ),
        certbundle: ours_large,
        other_label: "`osslsigncode extract-signature` + `openssl pkcs7 -print_certs`".into(),
        other: theirs,
        target: None,
    });
    grown.push(row);
    for path in &signed {
        remove(path);
    }
}

/// `a / b` as a factor: `4.56x`, or `1/114` when `a` is far below `b`.
fn ratio(a: f64, b: f64) -> String {
    let r = a / b;
    if r >= 0.1 {
        format!("{r:.2}x")
    } else {
        format!("1/{:.0}", 1.0 / r)
    }
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The two tables, in Markdown, as README.md carries them: ratios and memory, no absolute times.
fn tables(compared: &[Compared], grown: &[Grown], sizes: &Sizes, quick: bool) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "\n{} sizes. certbundle compared (CPU time: user + system, children included):\n",
        if quick { "Quick" } else { "Full" }
    );
    t.push_str("| certbundle | compared with | CPU ratio | wall ratio | peak memory | target |\n");
    t.push_str("|---|---|---|---|---|---|\n");
    for c in compared {
        let cpu = c.certbundle.cpu() / c.other.cpu();
        let target = c.target.map_or(String::new(), |limit| {
            format!(
                "within {limit}x: {}",
                if cpu <= limit { "met" } else { "**not met**" }
            )
        });
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} | {:.0} MiB vs {:.0} MiB | {target} |",
            c.what,
            c.other_label,
            ratio(c.certbundle.cpu(), c.other.cpu()),
            ratio(
                c.certbundle.cost.wall.as_secs_f64(),
                c.other.cost.wall.as_secs_f64()
            ),
            c.certbundle.peak_mib(),
            c.other.peak_mib(),
        );
    }
    let _ = writeln!(
        t,
        "\nGrowth per doubling of the input (CPU time; at most {MAX_GROWTH}x, peak memory at most {} MiB):\n",
        sizes.max_peak_mib
    );
    t.push_str("| command | input | growth | peak memory |\n|---|---|---|---|\n");
    for g in grown {
        let _ = writeln!(
            t,
            "| {} | {} → {} {} | {:.2}x | {:.0} → {:.0} MiB |",
            g.what,
            thousands(g.sizes[0]),
            thousands(g.sizes[1]),
            g.unit,
            g.growth,
            g.small.peak_mib(),
            g.large.peak_mib()
        );
    }
    t
}
