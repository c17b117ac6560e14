//! Inputs the benchmarks generate: certificate hierarchies and installer reports.

// Each benchmark uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use certbundle::fleet::report::{Verdict, sample};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair, KeyUsagePurpose};

fn ca_params(cn: &str) -> CertificateParams {
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

/// A folder `input-<n>` in `dir` holding `n` certificates, one DER file each: a root and the
/// `n - 1` intermediates it issued (P-256 keys).
pub fn hierarchy(dir: &Path, n: usize) -> PathBuf {
    let folder = dir.join(format!("input-{n}"));
    std::fs::create_dir_all(&folder).unwrap();
    let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let root_key = key();
    let root_params = ca_params("Bench Root");
    let root = root_params.self_signed(&root_key).unwrap();
    std::fs::write(folder.join("root.cer"), root.der()).unwrap();
    let issuer = rcgen::Issuer::from_params(&root_params, &root_key);
    for i in 1..n {
        let cert = ca_params(&format!("Bench Intermediate {i:05}"))
            .signed_by(&key(), &issuer)
            .unwrap();
        std::fs::write(folder.join(format!("i{i:05}.cer")), cert.der()).unwrap();
    }
    folder
}

/// The installer reports of `hosts` hosts, `runs` runs each, `certificates` certificates per
/// report, written into `folder`; every seventh run is not compliant. Returns the bytes written.
pub fn reports(folder: &Path, hosts: usize, runs: usize, certificates: usize) -> usize {
    std::fs::create_dir_all(folder).unwrap();
    let mut bytes = 0;
    for host in 0..hosts {
        for run in 0..runs {
            let mut r = sample();
            r.host.name = format!("WS-{host:05}");
            r.finished = format!("2026-11-26T{:02}:{:02}:00Z", 8 + run, host % 60);
            r.verdict = if (host + run) % 7 == 0 {
                Verdict::NotCompliant
            } else {
                Verdict::Compliant
            };
            let template = r.certificates[0].clone();
            r.certificates = (0..certificates)
                .map(|i| {
                    let mut c = template.clone();
                    c.name = format!("Certificate {i}");
                    c.before = Some("present".into());
                    c.action = Some("none".into());
                    c.after = Some(if r.verdict == Verdict::NotCompliant && i == 0 {
                        "missing".into()
                    } else {
                        "present".into()
                    });
                    c.chain = "ok".into();
                    c
                })
                .collect();
            r.conflicts.clear();
            let text = serde_json::to_string_pretty(&r).unwrap();
            bytes += text.len();
            let name = format!("{}_{}.json", r.host.name, r.finished.replace(':', ""));
            std::fs::write(folder.join(name), text).unwrap();
        }
    }
    bytes
}
