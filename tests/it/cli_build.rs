//! `certbundle build` end to end: layout, encodings, determinism, atomic replacement, and outputs
//! checked by verifiers we did not write (sha256sum, openssl) where they exist.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::process::Command as Process;

use crate::common::*;
use predicates::prelude::*;

fn build(input: &Path, out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--profile", "none", "--now", NOW, "-o"])
        .arg(out)
        .arg(input)
        .args(extra)
        .assert()
}

/// Every file under `dir` with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = if e.file_type().is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                b"<dir>".to_vec()
            };
            (rel, bytes)
        })
        .collect()
}

fn zip_names(path: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
        .collect()
}

#[test]
fn bundle_has_exactly_the_designed_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &[]).success();
    let name = "custom-certs-20261125";
    let root_file = listing(&out.join(name).join("certs/Root"));
    let ca_file = listing(&out.join(name).join("certs/CA"));
    assert_eq!(root_file.len(), 1);
    assert_eq!(ca_file.len(), 1);
    assert!(
        root_file[0].starts_with("Good_Root_") && root_file[0].ends_with(".cer"),
        "{root_file:?}"
    );
    assert!(ca_file[0].starts_with("Good_Intermediate_"), "{ca_file:?}");
    let expected_folder = vec![
        name.to_string(),
        format!("{name}.zip"),
        format!("{name}/Deploy-Certificates.ps1"),
        format!("{name}/Install-Certificates.ps1"),
        format!("{name}/Install-Certutil.cmd"),
        format!("{name}/Install.cmd"),
        format!("{name}/Publish-Domain.cmd"),
        format!("{name}/README.txt"),
        format!("{name}/SHA256SUMS"),
        format!("{name}/ansible"),
        format!("{name}/ansible/README.md"),
        format!("{name}/ansible/install-certificates.yml"),
        format!("{name}/ansible/inventory.example.yml"),
        format!("{name}/certs"),
        format!("{name}/certs/CA"),
        format!("{name}/certs/CA/{}", ca_file[0]),
        format!("{name}/certs/Root"),
        format!("{name}/certs/Root/{}", root_file[0]),
        format!("{name}/manifest.json"),
        format!("{name}/reports"),
    ];
    assert_eq!(
        listing(&out),
        expected_folder,
        "no staging folder or other file may remain"
    );

    let bundle = out.join(name);
    // DER on disk, thumbprint in the name.
    let root_der = std::fs::read(bundle.join("certs/Root").join(&root_file[0])).unwrap();
    assert_eq!(root_der[0], 0x30);
    let sha1 = certbundle::hex::sha1_upper(&root_der);
    assert!(root_file[0].ends_with(&format!("_{}.cer", &sha1[..8])));

    // SHA256SUMS: every file but itself, sorted, `/` separators, lower-case hex.
    let sums = std::fs::read_to_string(bundle.join("SHA256SUMS")).unwrap();
    let listed: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    assert_eq!(
        listed,
        vec![
            "Deploy-Certificates.ps1".to_string(),
            "Install-Certificates.ps1".into(),
            "Install-Certutil.cmd".into(),
            "Install.cmd".into(),
            "Publish-Domain.cmd".into(),
            "README.txt".into(),
            "ansible/README.md".into(),
            "ansible/install-certificates.yml".into(),
            "ansible/inventory.example.yml".into(),
            format!("certs/CA/{}", ca_file[0]),
            format!("certs/Root/{}", root_file[0]),
            "manifest.json".into()
        ]
    );

    // README.txt: UTF-8 with BOM, CRLF only.
    let readme = std::fs::read(bundle.join("README.txt")).unwrap();
    assert!(readme.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(readme[3..].to_vec()).unwrap();
    assert!(
        !text.replace("\r\n", "").contains('\n'),
        "bare LF in README.txt"
    );
    assert!(
        text.contains(&sha1)
            && text.contains("%SystemRoot%\\System32\\certutil.exe -hashfile SHA256SUMS SHA256")
    );
    assert!(text.contains("Good Root") && text.contains("Trusted Root Certification Authorities"));
    assert!(text.contains("Expires:     2040-01-01"));

    // manifest.json
    let manifest: serde_json::Value =
        strict_json(std::fs::read(bundle.join("manifest.json")).unwrap());
    assert_eq!(manifest["schema"], "certbundle-manifest/1");
    assert_eq!(manifest["created"], "2026-11-25T00:00:00Z");
    assert_eq!(manifest["profile"], "none");
    let certs = manifest["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 2);
    assert_eq!(certs[1]["store"], "Root");
    assert_eq!(certs[1]["role"], "root");
    assert_eq!(certs[1]["sha1"], sha1);
    assert_eq!(certs[1]["pinned"], false);
    for key in [
        "file",
        "store",
        "role",
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "sha1",
        "sha256",
        "pinned",
        "purpose",
        "findings",
    ] {
        assert!(
            certs[0].get(key).is_some(),
            "manifest certificate lacks {key}"
        );
    }

    // The zip: the same tree under one top folder, the empty reports/ included.
    let names = zip_names(&out.join(format!("{name}.zip")));
    assert!(names.iter().all(|n| n.starts_with(&format!("{name}/"))));
    for must in [
        "reports/",
        "SHA256SUMS",
        "README.txt",
        "manifest.json",
        "certs/Root/",
        "certs/CA/",
    ] {
        assert!(
            names.contains(&format!("{name}/{must}")),
            "zip lacks {must}: {names:?}"
        );
    }
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(out.join(format!("{name}.zip"))).unwrap())
            .unwrap();
    let mut zipped_sums = String::new();
    archive
        .by_name(&format!("{name}/SHA256SUMS"))
        .unwrap()
        .read_to_string(&mut zipped_sums)
        .unwrap();
    assert_eq!(zipped_sums, sums);
}

#[test]
fn build_prints_findings_digest_and_zip_hash_that_match_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    let output = build(&input, &out, &["--json"])
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = strict_json(&output);
    let outcome = &json["outcome"];
    assert_eq!(outcome["result"], "written");
    let sums = std::fs::read(out.join("custom-certs-20261125/SHA256SUMS")).unwrap();
    assert_eq!(outcome["digest"], certbundle::hex::sha256_lower(&sums));
    let zip = std::fs::read(out.join("custom-certs-20261125.zip")).unwrap();
    assert_eq!(outcome["zip_sha256"], certbundle::hex::sha256_lower(&zip));
    assert_eq!(json["certificates"].as_array().unwrap().len(), 2);

    let out2 = tmp.path().join("out2");
    build(&input, &out2, &[])
        .success()
        .stdout(predicate::str::contains(certbundle::hex::sha256_lower(
            &sums,
        )))
        .stdout(predicate::str::contains("No findings."))
        .stdout(predicate::str::contains("Good Intermediate"));
}

#[test]
fn two_builds_are_byte_identical_whatever_the_input_order() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root("Det Root");
    let inter = intermediate("Det Intermediate", &root);
    let a = write(tmp.path(), "a/root.pem", root.pem());
    let b = write(tmp.path(), "b/inter.cer", &inter.der);
    let run = |out: &str, first: &Path, second: &Path| {
        certbundle()
            .env("SOURCE_DATE_EPOCH", EPOCH)
            .args([
                "build",
                "--profile",
                "none",
                "--now",
                NOW,
                "--name",
                "same",
                "-o",
            ])
            .arg(tmp.path().join(out))
            .arg(first)
            .arg(second)
            .assert()
            .success();
        tmp.path().join(out)
    };
    let one = run("one", &a, &b);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let two = run("two", &b, &a);
    assert_eq!(
        std::fs::read(one.join("same.zip")).unwrap(),
        std::fs::read(two.join("same.zip")).unwrap()
    );
    assert_eq!(tree(&one.join("same")), tree(&two.join("same")));
    // Fixed timestamps on disk too.
    let mtime = std::fs::metadata(one.join("same/manifest.json"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        mtime,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(EPOCH.parse().unwrap())
    );
    // And the zip entries carry the same fixed time.
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(one.join("same.zip")).unwrap()).unwrap();
    let entry = archive.by_name("same/manifest.json").unwrap();
    let t = entry.last_modified().unwrap();
    assert_eq!(
        (t.year(), t.month(), t.day(), t.hour(), t.minute()),
        (2026, 11, 25, 0, 0)
    );
}

#[test]
#[cfg_attr(
    not(all(has_sha256sum, has_openssl)),
    ignore = "needs sha256sum and openssl on PATH (the independent checks)"
)]
fn sha256sum_and_openssl_accept_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &["--name", "tools"]).success();
    let bundle = out.join("tools");
    match Process::new("sha256sum")
        .arg("-c")
        .arg("SHA256SUMS")
        .current_dir(&bundle)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "sha256sum -c failed: {}",
            String::from_utf8_lossy(&o.stdout)
        ),
        Err(_) => tool_missing("sha256sum", "the independent check of SHA256SUMS"),
    }
    for cer in walkdir::WalkDir::new(bundle.join("certs"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
    {
        match Process::new("openssl")
            .args([
                "x509",
                "-inform",
                "der",
                "-noout",
                "-fingerprint",
                "-sha1",
                "-in",
            ])
            .arg(cer.path())
            .output()
        {
            Ok(o) => {
                assert!(
                    o.status.success(),
                    "openssl rejects {}",
                    cer.path().display()
                );
                let stdout = String::from_utf8_lossy(&o.stdout).replace(':', "");
                let der = std::fs::read(cer.path()).unwrap();
                assert!(
                    stdout.contains(&certbundle::hex::sha1_upper(&der)),
                    "{stdout}"
                );
            }
            Err(_) => {
                tool_missing("openssl", "the independent check of each certificate");
                break;
            }
        }
    }
}

#[test]
fn an_existing_bundle_is_replaced_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &["--name", "b"]).success();
    let before = tree(&out);
    build(&input, &out, &["--name", "b"])
        .code(2)
        .stderr(predicate::str::contains("already exists"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(tree(&out), before, "a refused build changed something");

    // With --force and another input, the new bundle replaces the old one completely.
    let other = tmp.path().join("other");
    write(&other, "r.pem", root("Other Root").pem());
    build(&other, &out, &["--name", "b", "--force"])
        .success()
        .stdout(predicate::str::contains("replaced"));
    let files = listing(&out.join("b/certs/Root"));
    assert_eq!(files.len(), 1);
    assert!(files[0].starts_with("Other_Root_"), "{files:?}");
    assert!(listing(&out.join("b/certs/CA")).is_empty());
    assert_eq!(
        listing(&out).iter().filter(|p| !p.contains('/')).count(),
        2,
        "{:?}",
        listing(&out)
    );
}

#[test]
fn force_never_replaces_reports_or_something_that_is_not_a_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &["--name", "b", "--no-zip"]).success();
    write(&out, "b/reports/HOST1_20261201T100000Z.json", "{}");
    let before = tree(&out);
    build(&input, &out, &["--name", "b", "--force", "--no-zip"])
        .code(2)
        .stderr(predicate::str::contains("installer report"))
        .stderr(predicate::str::contains("move the reports"));
    assert_eq!(tree(&out), before);

    write(&out, "Documents/letter.txt", "precious");
    let before = tree(&out);
    build(&input, &out, &["--name", "Documents", "--force"])
        .code(2)
        .stderr(predicate::str::contains("is not a certbundle bundle"));
    assert_eq!(tree(&out), before);
}

#[test]
fn no_zip_writes_only_the_folder_and_a_stale_zip_is_not_left_beside_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &["--name", "n", "--no-zip"]).success();
    assert!(out.join("n").is_dir() && !out.join("n.zip").exists());

    build(&input, &out, &["--name", "z"]).success();
    std::fs::remove_dir_all(out.join("z")).unwrap();
    // The zip alone would become stale beside a new folder: refused without --force.
    build(&input, &out, &["--name", "z", "--no-zip"])
        .code(2)
        .stderr(predicate::str::contains("z.zip"));
    build(&input, &out, &["--name", "z", "--no-zip", "--force"]).success();
    assert!(out.join("z").is_dir() && !out.join("z.zip").exists());
}

#[test]
fn io_failure_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let blocker = write(tmp.path(), "not-a-folder", "x");
    build(&input, &blocker, &[])
        .code(2)
        .stderr(predicate::str::contains("not-a-folder"));
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");
}

#[test]
fn walked_folders_list_skipped_files_and_never_follow_links_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    write(&input, "NOTES.md", "which certificates we need");
    write(&input, ".git/config", "[core]");
    let outside = write(
        tmp.path(),
        "elsewhere/outside.pem",
        root("Outside Root").pem(),
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&outside, input.join("link.pem")).unwrap();
    let out = tmp.path().join("out");
    let assert = build(&input, &out, &["--name", "w"]).success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(
        stdout.contains("NOTES.md: DER data that is not a certificate")
            || stdout.contains("NOTES.md: neither PEM text nor DER data"),
        "{stdout}"
    );
    assert!(
        stdout.contains(".git: hidden folder, not searched"),
        "{stdout}"
    );
    #[cfg(unix)]
    assert!(
        stdout.contains("link.pem: symbolic link leads outside"),
        "{stdout}"
    );
    assert!(!stdout.contains("Outside Root"), "{stdout}");
    assert_eq!(listing(&out.join("w/certs/Root")).len(), 1);
}

#[test]
fn pem_with_text_several_blocks_der_and_pkcs7_all_load() {
    let tmp = tempfile::tempdir().unwrap();
    let r1 = root("L One");
    let r2 = root("L Two");
    let r3 = root("L Three");
    let i3 = intermediate("L Three Sub", &r3);
    let dir = tmp.path().join("in");
    write(
        &dir,
        "chain.txt",
        format!(
            "Subject: L One\r\n{}\r\nand the second:\r\n{}\r\n",
            r1.pem(),
            r2.pem()
        ),
    );
    let p7b = pkcs7(&[&r3.der, &i3.der]);
    write(&dir, "three.p7b", &p7b);
    write(
        &dir,
        "three-pem.p7c",
        pem::encode(&pem::Pem::new("PKCS7", p7b.clone())),
    );
    let out = tmp.path().join("out");
    build(&dir, &out, &["--name", "l"])
        .success()
        .stdout(predicate::str::contains("duplicate"))
        .stdout(predicate::str::contains(
            "4 certificate(s): 3 root, 1 intermediate",
        ));
}

#[test]
fn an_interrupted_earlier_build_is_reported_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    // What a build killed between moving the old bundle aside and placing the new one leaves.
    write(
        &out,
        ".b.certbundle-tmp-4242-0/replaced/0/manifest.json",
        "{\"schema\": \"certbundle-manifest/1\"}",
    );
    let before = tree(&out);
    build(&input, &out, &["--name", "b", "--force"])
        .code(2)
        .stderr(predicate::str::contains("was interrupted"))
        .stderr(predicate::str::contains(
            ".b.certbundle-tmp-4242-0/replaced",
        ));
    assert_eq!(tree(&out), before);
    // Another bundle name is not affected.
    build(&input, &out, &["--name", "c"]).success();
}

#[cfg(unix)]
#[test]
fn unreadable_reports_are_never_assumed_absent() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let out = tmp.path().join("out");
    build(&input, &out, &["--name", "b", "--no-zip"]).success();
    let locked = out.join("b/reports/site1");
    write(&locked, "HOST_20261201T000000Z.json", "{}");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root can read anything: only a real permission failure makes this test meaningful.
    let readable = std::fs::read_dir(&locked).is_ok();
    let result = build(&input, &out, &["--name", "b", "--no-zip", "--force"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    if readable {
        result
            .code(2)
            .stderr(predicate::str::contains("installer report"));
    } else {
        result
            .code(2)
            .stderr(predicate::str::contains("check for installer reports"));
    }
    assert!(locked.join("HOST_20261201T000000Z.json").exists());
}

#[test]
fn v1_root_rsa_and_ecdsa_hierarchies_build_into_the_right_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("in");
    let rsa_root = root_with(ca_params("Mixed RSA Root"), rsa_key(2048));
    let ec_under_rsa = intermediate("Mixed EC Intermediate", &rsa_root);
    let ec_root = root_with(ca_params("Mixed P-384 Root"), ec384_key());
    let rsa_under_ec = issued_with(ca_params("Mixed RSA Intermediate"), rsa_key(2048), &ec_root);
    write(&dir, "rsa-root.pem", rsa_root.pem());
    write(&dir, "ec-under-rsa.cer", &ec_under_rsa.der);
    write(&dir, "ec-root.der", &ec_root.der);
    write(&dir, "rsa-under-ec.crt", rsa_under_ec.pem());
    std::fs::copy(fixture("generated/v1-root.pem"), dir.join("v1-root.pem")).unwrap();
    let out = tmp.path().join("out");
    build(&dir, &out, &["--name", "mixed"])
        .success()
        .stdout(predicate::str::contains("No findings."));
    let manifest: serde_json::Value =
        strict_json(std::fs::read(out.join("mixed/manifest.json")).unwrap());
    let stores: BTreeMap<String, String> = manifest["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["subject"].as_str().unwrap().to_string(),
                c["store"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        stores,
        BTreeMap::from([
            (
                "CN=Mixed EC Intermediate, O=certbundle tests".to_string(),
                "CA".to_string()
            ),
            (
                "CN=Mixed P-384 Root, O=certbundle tests".to_string(),
                "Root".to_string()
            ),
            (
                "CN=Mixed RSA Intermediate, O=certbundle tests".to_string(),
                "CA".to_string()
            ),
            (
                "CN=Mixed RSA Root, O=certbundle tests".to_string(),
                "Root".to_string()
            ),
            (
                "CN=Test V1 Root, O=certbundle tests".to_string(),
                "Root".to_string()
            ),
        ])
    );
    certbundle()
        .arg("verify")
        .arg(out.join("mixed.zip"))
        .assert()
        .success();
}

#[test]
fn templates_can_be_overridden_one_by_one_and_the_manifest_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let dir = tmp.path().join("tpl");
    write(
        &dir,
        "README.txt.j2",
        "Site A bundle {{ bundle.name }}: {% for c in certificates %}{{ c.name|printable }} {% endfor %}\n",
    );
    write(&dir, "notes.md", "not a template: ignored");
    let out = tmp.path().join("out");
    build(
        &input,
        &out,
        &["--name", "t", "--templates", dir.to_str().unwrap()],
    )
    .success();
    let readme = std::fs::read_to_string(out.join("t/README.txt")).unwrap();
    // (trim_blocks takes the newline after a block tag, as in every template.)
    assert_eq!(
        readme,
        "\u{feff}Site A bundle t: Good Root Good Intermediate "
    );
    let manifest = std::fs::read_to_string(out.join("t/manifest.json")).unwrap();
    assert!(
        manifest.contains("\"custom_templates\": [\n      \"README.txt.j2\"\n    ]"),
        "{manifest}"
    );
    // The other templates are the built-in ones.
    assert!(
        std::fs::read_to_string(out.join("t/Install.cmd"))
            .unwrap()
            .contains("Install-Certificates.ps1")
    );
}

#[test]
fn a_template_override_cannot_smuggle_data_into_a_script() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let cases = [
        (
            "Install-Certificates.ps1.j2",
            "Write-Host '{{ bundle.name }}'\n",
            "without a certbundle filter",
        ),
        (
            "Install-Certificates.ps1.j2",
            "Write-Host {{ bundle.name|safe }}\n",
            "not available in certbundle templates",
        ),
        (
            "Install.cmd.j2",
            "@echo {{ certificates[0].name }}\n",
            "without a certbundle filter",
        ),
        (
            "Install.cmd.j2",
            "@echo {{ certificates[0].name|cmd }}\n",
            "not safe in a .cmd file",
        ),
        (
            "Install-Certificates.ps1.j2",
            "# caf\u{e9}\n",
            "must be pure ASCII",
        ),
        ("Insta11.cmd.j2", "x", "is not a certbundle template"),
    ];
    for (name, body, what) in cases {
        let dir = tmp.path().join(format!("tpl-{}", what.len()));
        let _ = std::fs::remove_dir_all(&dir);
        write(&dir, name, body);
        let out = tmp.path().join("out");
        build(
            &input,
            &out,
            &["--name", "t", "--templates", dir.to_str().unwrap()],
        )
        .code(2)
        .stderr(predicate::str::contains(what));
        assert!(listing(&out).is_empty(), "{name}: something was written");
    }
}
