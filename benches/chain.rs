//! Chain building at scale: `build` of 500 / 1,000 / 1,999 generated intermediates under one root
//! (with the root, 2,000 is the cap of `limits::MAX_CERTIFICATES`; load -> verify -> plan ->
//! render -> write), `verify` of each bundle written, and `inspect` of 10,000 certificate files,
//! through the same library path as the command line.
//!
//! Run: `cargo bench --bench chain`. It prints the best of three times and the ratio per
//! doubling; it asserts nothing about speed (the targets, for people to compare: build and
//! verify of 2,000 under 1 s each, inspect of 10,000 under 3 s, at most 2.5x per doubling).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use certbundle::cli::{Cli, Environment};
use certbundle::commands::{self, Outcome};
use clap::Parser;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

const NOW: &str = "2026-12-01T00:00:00Z";
const SIZES: [usize; 3] = [500, 1_000, 1_999];
const INSPECTED: usize = 10_000;
/// Runs of each command; the fastest counts.
const ROUNDS: usize = 3;

fn params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "certbundle bench");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.not_before = rcgen::date_time_ymd(2020, 1, 1);
    p.not_after = rcgen::date_time_ymd(2040, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

/// A folder holding one root and `n` intermediates it issued, one DER file each.
fn hierarchy(dir: &Path, n: usize) -> PathBuf {
    let folder = dir.join(format!("input-{n}"));
    std::fs::create_dir_all(&folder).unwrap();
    let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let root_key = key();
    let root_params = params("Bench Root");
    let root = root_params.self_signed(&root_key).unwrap();
    std::fs::write(folder.join("root.cer"), root.der()).unwrap();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    for i in 0..n {
        let cert = params(&format!("Bench Intermediate {i:05}"))
            .signed_by(&key(), &issuer)
            .unwrap();
        std::fs::write(folder.join(format!("i{i:05}.cer")), cert.der()).unwrap();
    }
    folder
}

/// Runs one command line through the library, as `main` does, and how long it took.
fn run(args: &[&str]) -> (Duration, Result<Outcome, String>) {
    let env = Environment {
        now: time::OffsetDateTime::now_utc(),
        source_date_epoch: None,
    };
    let start = Instant::now();
    let cli = Cli::try_parse_from(std::iter::once("certbundle").chain(args.iter().copied()))
        .expect("valid arguments");
    let outcome = cli
        .to_request(&env)
        .and_then(|request| commands::run(&request, &mut |_| {}))
        .map_err(|e| e.to_string());
    (start.elapsed(), outcome)
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn ratios(times: &[Duration]) -> String {
    times
        .windows(2)
        .map(|w| format!("{:.2}x", w[1].as_secs_f64() / w[0].as_secs_f64()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fastest of [`ROUNDS`] runs (the others are noise from the rest of the machine), and
/// what the last one said.
fn best_of(args: &[&str]) -> (Duration, String) {
    let mut best = Duration::MAX;
    let mut said = String::new();
    for _ in 0..ROUNDS {
        let (took, outcome) = run(args);
        best = best.min(took);
        said = match outcome {
            Ok(_) => "ok".into(),
            Err(e) => e,
        };
    }
    (best, said)
}

fn main() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut builds = Vec::new();
    let mut verifies = Vec::new();
    for n in SIZES {
        let input = hierarchy(dir.path(), n);
        let out = dir.path().join(format!("out-{n}"));
        let name = format!("bench-{n}");
        // Folder and zip, as the command line writes them; --force replaces the previous round's.
        let (took, said) = best_of(&[
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--force",
            "--name",
            &name,
            "-o",
            out.to_str().unwrap(),
            input.to_str().unwrap(),
        ]);
        println!("build  {n:>5} intermediates: {} ({said})", seconds(took));
        builds.push(took);
        let zip = out.join(format!("{name}.zip"));
        let (took, said) = best_of(&["verify", zip.to_str().unwrap()]);
        println!("verify {n:>5} intermediates: {} ({said})", seconds(took));
        verifies.push(took);
    }
    println!("build  per doubling: {}", ratios(&builds));
    println!("verify per doubling: {}", ratios(&verifies));
    let input = hierarchy(dir.path(), INSPECTED - 1);
    let (took, said) = best_of(&["inspect", input.to_str().unwrap(), "--now", NOW]);
    println!("inspect {INSPECTED} files: {} ({said})", seconds(took));
}
