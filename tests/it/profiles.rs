//! Pinned profiles: the shipped ones load and every shipped root matches its pin; matching is by
//! fingerprint (a look-alike is refused); missing and unpinned certificates are reported loudly;
//! `profiles` shows them; `fetch` keeps only downloads that match their pins.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use crate::common::*;
use certbundle::profile::{Need, Profile, SHIPPED};
use predicates::prelude::*;
use rcgen::DnType;

#[test]
fn every_shipped_profile_loads_and_every_shipped_file_matches_its_pin() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("certs");
    let sources = std::fs::read_to_string(root.join("SOURCES.md")).unwrap();
    let mut on_disk = Vec::new();
    for name in Profile::built_in_names() {
        let profile = Profile::built_in(name).unwrap();
        for entry in std::fs::read_dir(root.join(name)).unwrap() {
            let path = entry.unwrap().path();
            let file = path.file_name().unwrap().to_str().unwrap().to_string();
            let items = certbundle::load::from_paths(std::slice::from_ref(&path))
                .unwrap()
                .items;
            assert_eq!(items.len(), 1, "{file}: one certificate per file");
            let der = &items[0].der;
            let (sha256, sha1) = (
                certbundle::hex::sha256_upper(der),
                certbundle::hex::sha1_upper(der),
            );
            let pin = profile
                .pin_for(&sha256, &sha1)
                .unwrap_or_else(|| panic!("{name}/{file} has no pin in profile {name}"));
            assert_eq!(
                pin.file.as_deref(),
                Some(file.as_str()),
                "{name}/{file}: the pin does not name this file"
            );
            assert_eq!(pin.need, Need::Required);
            assert!(
                sources.contains(&format!("| {name} | `{file}` |")) && sources.contains(&sha256),
                "{name}/{file} not in SOURCES.md"
            );
            let embedded = SHIPPED
                .iter()
                .find(|(p, f, _)| *p == name && *f == file)
                .unwrap_or_else(|| panic!("{name}/{file} is not embedded"));
            assert_eq!(embedded.2, std::fs::read(&path).unwrap().as_slice());
            on_disk.push((name.to_string(), file));
        }
        // Every pin that names a file has it.
        for pin in profile.certificates.iter().filter(|p| p.file.is_some()) {
            assert!(
                root.join(name).join(pin.file.as_ref().unwrap()).is_file(),
                "{name}: {} missing",
                pin.name
            );
        }
    }
    assert_eq!(
        on_disk.len(),
        SHIPPED.len(),
        "SHIPPED lists a file that is not on disk"
    );
}

#[test]
fn the_default_build_needs_no_input_and_its_bundle_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let stdout = certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--json", "-o"])
        .arg(&out)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = strict_json(&stdout);
    let certs = json["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 7);
    assert!(
        certs
            .iter()
            .all(|c| c["pinned"] == true && c["role"] == "root")
    );
    let missing: Vec<&str> = json["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(missing, vec!["missing-recommended"; 10]);
    let bundle = out.join("apex-one-certs-20261125");
    let manifest: serde_json::Value =
        strict_json(std::fs::read(bundle.join("manifest.json")).unwrap());
    assert_eq!(manifest["profile"], "apex-one");
    assert_eq!(manifest["missing"].as_array().unwrap().len(), 10);
    let g5 = manifest["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["sha1"] == "4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5")
        .unwrap();
    assert_eq!(
        (g5["pinned"].as_bool(), g5["evidence"].as_str()),
        (Some(true), Some("vendor-listed"))
    );
    certbundle().arg("verify").arg(&bundle).assert().success();
    certbundle()
        .arg("verify")
        .arg(out.join("apex-one-certs-20261125.zip"))
        .assert()
        .success();
}

#[test]
fn a_look_alike_of_verisign_g5_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let mut p = ca_params("x");
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CountryName, "US");
    p.distinguished_name
        .push(DnType::OrganizationName, "VeriSign, Inc.");
    p.distinguished_name
        .push(DnType::OrganizationalUnitName, "VeriSign Trust Network");
    p.distinguished_name.push(
        DnType::OrganizationalUnitName,
        "(c) 2006 VeriSign, Inc. - For authorized use only",
    );
    p.distinguished_name.push(
        DnType::CommonName,
        "VeriSign Class 3 Public Primary Certification Authority - G5",
    );
    p.use_authority_key_identifier_extension = false;
    let fake = root_with(p, rsa_key(2048));
    let file = write(tmp.path(), "g5.pem", fake.pem());
    let out = tmp.path().join("out");
    certbundle()
        .args(["build", "--profile", "apex-one", "--now", NOW, "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("unpinned"))
        .stdout(predicate::str::contains("g5.pem"))
        .stdout(predicate::str::contains("looks like the pinned \"VeriSign Class 3 Public Primary Certification Authority - G5\" (SHA-1 4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5) but is not that certificate"));
    assert!(listing(&out).is_empty());
    // inspect says the same, naming the pin it imitates.
    certbundle()
        .args(["inspect", "--profile", "apex-one", "--now", NOW])
        .arg(&file)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("looks like the pinned"));
}

/// A profile file pinning the given certificates: (name, der, need, urls).
fn profile_file(dir: &Path, pins: &[(&str, &[u8], &str, Vec<String>)]) -> PathBuf {
    let mut text = String::from(
        "schema = \"certbundle-profile/1\"\nname = \"site\"\ntitle = \"Test site\"\n\n",
    );
    for (name, der, need, urls) in pins {
        let role = if *need == "required" {
            ("Root", "root")
        } else {
            ("CA", "intermediate")
        };
        let urls = urls
            .iter()
            .map(|u| format!("\"{u}\""))
            .collect::<Vec<_>>()
            .join(", ");
        text.push_str(&format!(
            "[[certificate]]\nname = \"{name}\"\nsha256 = \"{}\"\nsha1 = \"{}\"\nstore = \"{}\"\nrole = \"{}\"\nneed = \"{need}\"\npurpose = [\"sha2-signing\"]\nevidence = \"inferred\"\nurls = [{urls}]\n\n",
            certbundle::hex::sha256_upper(der),
            certbundle::hex::sha1_upper(der),
            role.0,
            role.1
        ));
    }
    write(dir, "site.toml", text)
}

#[test]
fn missing_required_is_an_error_unless_allowed_and_then_it_is_said_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let required = root("Site Root");
    let present = root("Site Other Root");
    let profile = profile_file(
        tmp.path(),
        &[
            (
                "Site Root",
                &required.der,
                "required",
                vec!["http://ca.example/site-root.crt".into()],
            ),
            ("Site Other Root", &present.der, "required", vec![]),
        ],
    );
    let input = write(tmp.path(), "in/other.pem", present.pem());
    let out = tmp.path().join("out");
    let run = |extra: &[&str]| {
        let mut cmd = certbundle();
        cmd.args(["build", "--now", NOW, "--name", "b", "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out)
            .arg(&input)
            .args(extra);
        cmd.assert()
    };
    run(&[])
        .code(1)
        .stdout(predicate::str::contains("missing-required"))
        .stdout(predicate::str::contains(format!(
            "required root \"Site Root\" (SHA-1 {})",
            certbundle::hex::sha1_upper(&required.der)
        )))
        .stdout(predicate::str::contains("http://ca.example/site-root.crt"));
    assert!(listing(&out).is_empty());
    run(&["--allow-missing"])
        .success()
        .stdout(predicate::str::contains(
            "--allow-missing: 1 required certificate(s) of the profile are not in the bundle",
        ));
    let readme = std::fs::read_to_string(out.join("b/README.txt")).unwrap();
    assert!(
        readme.contains("NOT IN THIS BUNDLE")
            && readme.contains("Site Root (required")
            && readme.contains("built with --allow-missing"),
        "{readme}"
    );
    assert!(readme.contains("Official download: http://ca.example/site-root.crt"));
    let manifest: serde_json::Value =
        strict_json(std::fs::read(out.join("b/manifest.json")).unwrap());
    assert_eq!(manifest["options"]["allow_missing"], true);
    assert_eq!(manifest["missing"][0]["name"], "Site Root");
    assert_eq!(manifest["missing"][0]["need"], "required");
    assert_eq!(manifest["profile"], "site");
}

#[test]
fn missing_recommended_is_a_warning_listed_in_the_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root("Rec Root");
    let inter = intermediate("Rec Intermediate", &root);
    let profile = profile_file(
        tmp.path(),
        &[
            ("Rec Root", &root.der, "required", vec![]),
            ("Rec Intermediate", &inter.der, "recommended", vec![]),
        ],
    );
    let input = write(tmp.path(), "in/root.pem", root.pem());
    let out = tmp.path().join("out");
    certbundle()
        .args(["build", "--now", NOW, "--name", "b", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains("warning   missing-recommended"))
        .stdout(predicate::str::contains(
            "no official download URL is known",
        ));
    let readme = std::fs::read_to_string(out.join("b/README.txt")).unwrap();
    assert!(readme.contains("Rec Intermediate (recommended"), "{readme}");
    let manifest: serde_json::Value =
        strict_json(std::fs::read(out.join("b/manifest.json")).unwrap());
    assert_eq!(manifest["missing"][0]["need"], "recommended");
    assert_eq!(manifest["options"]["allow_missing"], false);
}

#[test]
fn unpinned_is_an_error_unless_allowed_and_then_it_is_said_everywhere() {
    let tmp = tempfile::tempdir().unwrap();
    let pinned = root("Pin Root");
    let stranger = root("Stranger Root");
    let profile = profile_file(tmp.path(), &[("Pin Root", &pinned.der, "required", vec![])]);
    let a = write(tmp.path(), "in/pinned.pem", pinned.pem());
    let b = write(tmp.path(), "in/stranger.pem", stranger.pem());
    let out = tmp.path().join("out");
    let run = |extra: &[&str]| {
        let mut cmd = certbundle();
        cmd.args(["build", "--now", NOW, "--name", "b", "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out)
            .arg(&a)
            .arg(&b)
            .args(extra);
        cmd.assert()
    };
    run(&[])
        .code(1)
        .stdout(predicate::str::contains("error     unpinned"))
        .stdout(predicate::str::contains("stranger.pem"));
    assert!(listing(&out).is_empty());
    run(&["--allow-unpinned"])
        .success()
        .stdout(predicate::str::contains(
            "--allow-unpinned: 1 certificate(s) not in the profile go into the bundle",
        ));
    let readme = std::fs::read_to_string(out.join("b/README.txt")).unwrap();
    assert!(
        readme.contains("NOT PINNED: built with --allow-unpinned")
            && readme.contains("- Stranger Root"),
        "{readme}"
    );
    let manifest: serde_json::Value =
        strict_json(std::fs::read(out.join("b/manifest.json")).unwrap());
    assert_eq!(manifest["options"]["allow_unpinned"], true);
    let stranger_entry = manifest["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["subject"].as_str().unwrap().contains("Stranger"))
        .unwrap();
    assert_eq!(stranger_entry["pinned"], false);
    assert_eq!(stranger_entry["findings"][0]["code"], "unpinned");
}

#[test]
fn profiles_lists_and_shows_and_bad_profile_files_name_the_line() {
    certbundle()
        .arg("profiles")
        .assert()
        .success()
        .stdout(predicate::str::contains("apex-one (default)"))
        .stdout(predicate::str::contains("apex-central"));
    certbundle()
        .args(["profiles", "apex-one"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Root   required     vendor-listed  2036-07-16  yes      4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5  VeriSign Class 3 Public Primary Certification Authority - G5"))
        .stdout(predicate::str::contains("candidate"))
        .stdout(predicate::str::contains("inferred"));
    // How sure the profile is of each entry is shown, not only its one-word evidence.
    certbundle()
        .args(["profiles", "apex-central"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\nNotes\n  VeriSign Class 3 Public Primary Certification Authority - G5\n    evidence: verbatim"))
        .stdout(predicate::str::contains(
            "  Symantec Class 3 SHA256 Code Signing CA\n    evidence: INFERRED from the OfficeScan chain",
        ))
        .stdout(predicate::str::contains("    download: AIA of issued leaf certs"));
    let json: serde_json::Value = strict_json(
        &certbundle()
            .args(["profiles", "apex-one", "--json"])
            .assert()
            .success()
            .get_output()
            .stdout,
    );
    assert_eq!(json["certificates"].as_array().unwrap().len(), 17);
    assert_eq!(
        json["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["shipped"] == true)
            .count(),
        7
    );
    let tmp = tempfile::tempdir().unwrap();
    // A field missing: the table's line; a bad value: its own line.
    let incomplete = write(
        tmp.path(),
        "incomplete.toml",
        "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = \"t\"\n\n[[certificate]]\nname = \"A\"\n",
    );
    certbundle()
        .arg("profiles")
        .arg(&incomplete)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("incomplete.toml:5: missing field `sha256`")
                .or(predicate::str::contains("incomplete.toml:5: missing field")),
        )
        .stderr(predicate::str::contains("hint:"));
    let bad = write(
        tmp.path(),
        "bad.toml",
        "schema = \"certbundle-profile/1\"\nname = \"x\"\ntitle = \"t\"\n\n[[certificate]]\nname = \"A\"\nsha256 = \"nothex\"\nstore = \"Root\"\nrole = \"root\"\nneed = \"required\"\npurpose = []\nevidence = \"inferred\"\n",
    );
    certbundle()
        .args(["build", "--profile"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:7: certificate \"A\": sha256 must be 64 hex digits",
        ));
}

/// A one-thread HTTP server on 127.0.0.1 serving `routes` (path -> response bytes, or None for a
/// connection that is accepted and never answered).
fn serve(routes: Vec<(&'static str, Option<Vec<u8>>)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 2048];
            let n = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let path = line.split(' ').nth(1).unwrap_or("/").to_string();
            match routes.iter().find(|(p, _)| *p == path) {
                Some((_, Some(body))) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = stream.write_all(body);
                }
                Some((_, None)) => {
                    // Never answer: keep the connection open past the client's timeout.
                    std::thread::spawn(move || {
                        std::thread::sleep(std::time::Duration::from_secs(30));
                        drop(stream);
                    });
                }
                None => {
                    let _ = stream.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    );
                }
            }
        }
    });
    base
}

/// `certbundle fetch` talking to the loopback server directly, whatever proxy this machine has.
fn fetch_without_proxy() -> assert_cmd::Command {
    let mut cmd = certbundle();
    for var in certbundle::fetch::PROXY_VARIABLES {
        cmd.env_remove(var);
    }
    cmd.arg("fetch");
    cmd
}

#[test]
fn fetch_keeps_only_what_matches_its_pin() {
    let tmp = tempfile::tempdir().unwrap();
    let r1 = root("Fetch DER Root");
    let r2 = root("Fetch PEM Root");
    let inter = intermediate("Fetch Intermediate", &r1);
    let impostor = intermediate("Fetch Intermediate", &r2); // same name, another key
    let missing = root("Fetch 404 Root");
    let big = root("Fetch Big Root");
    let slow = root("Fetch Slow Root");
    let base = serve(vec![
        ("/der.cer", Some(r1.der.clone())),
        ("/pem.crt", Some(r2.pem().into_bytes())),
        ("/inter.cer", Some(impostor.der.clone())),
        ("/big.cer", Some(vec![0x30; 2 * 1024 * 1024])),
        ("/slow.cer", None),
    ]);
    let profile = profile_file(
        tmp.path(),
        &[
            (
                "Fetch DER Root",
                &r1.der,
                "required",
                vec![format!("{base}/der.cer")],
            ),
            (
                "Fetch PEM Root",
                &r2.der,
                "required",
                vec![format!("{base}/pem.crt")],
            ),
            (
                "Fetch Intermediate",
                &inter.der,
                "recommended",
                vec![format!("{base}/inter.cer")],
            ),
            (
                "Fetch 404 Root",
                &missing.der,
                "recommended",
                vec![format!("{base}/gone.cer")],
            ),
            (
                "Fetch Big Root",
                &big.der,
                "recommended",
                vec![format!("{base}/big.cer")],
            ),
            (
                "Fetch Slow Root",
                &slow.der,
                "recommended",
                vec![format!("{base}/slow.cer")],
            ),
            ("Fetch No URL", &[0x30, 0x00], "recommended", vec![]),
        ],
    );
    let out = tmp.path().join("fetched");
    let fetch = || {
        let mut cmd = fetch_without_proxy();
        cmd.args(["--timeout", "2", "--json", "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out);
        cmd.assert()
    };
    let assert = fetch().code(1);
    let output = assert.get_output();
    let json: serde_json::Value = strict_json(&output.stdout);
    let status: Vec<(String, String)> = json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        status,
        vec![
            ("Fetch DER Root".to_string(), "fetched".to_string()),
            ("Fetch PEM Root".into(), "fetched".into()),
            ("Fetch Intermediate".into(), "pin-mismatch".into()),
            ("Fetch 404 Root".into(), "unreachable".into()),
            ("Fetch Big Root".into(), "unreachable".into()),
            ("Fetch Slow Root".into(), "unreachable".into()),
            ("Fetch No URL".into(), "no-url".into()),
        ]
    );
    let details: Vec<String> = json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["detail"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(details[2].contains("not the pinned one"), "{details:?}");
    assert!(details[3].contains("HTTP 404"), "{details:?}");
    assert!(details[4].contains("not a certificate"), "{details:?}");
    assert!(details[5].contains("timed out"), "{details:?}");
    // A progress line per certificate on stderr.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("  ")).count(),
        7,
        "{stderr}"
    );
    assert!(stderr.contains("PIN MISMATCH (discarded)"));
    // Only the two good ones were written, as DER, named like bundle files; the impostor was not.
    let files = listing(&out);
    assert_eq!(files.len(), 2, "{files:?}");
    for (file, der) in files.iter().zip([&r1.der, &r2.der]) {
        assert!(
            file.ends_with(&format!("_{}.cer", &certbundle::hex::sha1_upper(der)[..8])),
            "{file}"
        );
        assert_eq!(&std::fs::read(out.join(file)).unwrap(), der);
    }
    // A second run finds them there.
    let again: serde_json::Value = strict_json(&fetch().code(1).get_output().stdout);
    assert_eq!(again["certificates"][0]["status"], "already-there");
    assert_eq!(again["certificates"][1]["status"], "already-there");
}

/// Reference copies of the catalog's certificates live outside the repository.
#[test]
#[cfg_attr(
    not(has_catalog_certs),
    ignore = "needs ../shared/catalog/certs (kept out of the repository)"
)]
fn the_real_intermediates_of_the_catalog_complete_the_apex_one_bundle() {
    let catalog = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/catalog/certs");
    let profile = Profile::built_in("apex-one").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    std::fs::create_dir_all(&input).unwrap();
    let mut copied = 0;
    for entry in std::fs::read_dir(&catalog).unwrap() {
        let path = entry.unwrap().path();
        let items = certbundle::load::from_paths(std::slice::from_ref(&path))
            .unwrap()
            .items;
        let der = &items[0].der;
        if let Some(pin) = profile.pin_for(
            &certbundle::hex::sha256_upper(der),
            &certbundle::hex::sha1_upper(der),
        ) && pin.role == certbundle::verify::Role::Intermediate
        {
            std::fs::copy(&path, input.join(path.file_name().unwrap())).unwrap();
            copied += 1;
        }
    }
    assert_eq!(copied, 10, "the catalog holds every apex-one intermediate");
    let out = tmp.path().join("out");
    let stdout = certbundle()
        .args(["build", "--now", NOW, "--json", "--name", "full", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = strict_json(&stdout);
    assert_eq!(json["certificates"].as_array().unwrap().len(), 17);
    assert!(json["missing"].as_array().unwrap().is_empty());
    // The G4 cross-certificate shares the root's name and is an intermediate.
    let g4: Vec<&serde_json::Value> = json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "DigiCert Trusted Root G4")
        .collect();
    let mut roles: Vec<&str> = g4.iter().map(|c| c["role"].as_str().unwrap()).collect();
    roles.sort();
    assert_eq!(roles, ["intermediate", "root"]);
    certbundle()
        .arg("verify")
        .arg(out.join("full"))
        .assert()
        .success();
}

#[test]
fn a_pin_whose_two_fingerprints_disagree_matches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let good = root("Split Root");
    let other = root("Other Root");
    let profile = profile_file(tmp.path(), &[("Split Root", &good.der, "required", vec![])]);
    // The SHA-1 people read belongs to another certificate than the SHA-256 that is checked.
    let text = std::fs::read_to_string(&profile).unwrap().replace(
        &certbundle::hex::sha1_upper(&good.der),
        &certbundle::hex::sha1_upper(&other.der),
    );
    std::fs::write(&profile, text).unwrap();
    let input = write(tmp.path(), "in/root.pem", good.pem());
    let out = tmp.path().join("out");
    for extra in [&[][..], &["--allow-unpinned", "--allow-missing"][..]] {
        certbundle()
            .args(["build", "--now", NOW, "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out)
            .arg(&input)
            .args(extra)
            .assert()
            .code(1)
            .stdout(predicate::str::contains("error     unpinned"))
            .stdout(predicate::str::contains(
                "\"Split Root\" matches only one of the two fingerprints the pin gives; fix the profile",
            ));
        assert!(listing(&out).is_empty());
    }
}

#[test]
fn a_root_pinned_as_an_intermediate_is_refused_even_when_unpinned_is_allowed() {
    let tmp = tempfile::tempdir().unwrap();
    let r = root("Role Root");
    // profile_file pins "recommended" entries as CA/intermediate.
    let profile = profile_file(tmp.path(), &[("Role Root", &r.der, "recommended", vec![])]);
    let input = write(tmp.path(), "in/root.pem", r.pem());
    let out = tmp.path().join("out");
    for extra in [&[][..], &["--allow-unpinned"][..]] {
        certbundle()
            .args(["build", "--now", NOW, "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out)
            .arg(&input)
            .args(extra)
            .assert()
            .code(1)
            .stdout(predicate::str::contains(
                "the profile pins it as the intermediate \"Role Root\", but it is a root",
            ));
        assert!(listing(&out).is_empty());
    }
}

#[test]
fn a_look_alike_stays_an_error_with_allow_unpinned() {
    let tmp = tempfile::tempdir().unwrap();
    let real = root("Twin Root");
    let twin = root("Twin Root"); // same name, another key
    let profile = profile_file(tmp.path(), &[("Twin Root", &real.der, "required", vec![])]);
    let input = write(tmp.path(), "in/twin.pem", twin.pem());
    let out = tmp.path().join("out");
    certbundle()
        .args([
            "build",
            "--now",
            NOW,
            "--allow-unpinned",
            "--allow-missing",
            "--profile",
        ])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error     unpinned"))
        .stdout(predicate::str::contains(
            "looks like the pinned \"Twin Root\"",
        ))
        .stdout(predicate::str::contains(
            "(--allow-unpinned does not cover this)",
        ));
    assert!(listing(&out).is_empty());
}

#[test]
fn a_profile_file_named_like_a_built_in_one_says_where_it_came_from() {
    let tmp = tempfile::tempdir().unwrap();
    let r = root("Own Root");
    let profile = profile_file(tmp.path(), &[("Own Root", &r.der, "required", vec![])]);
    let text = std::fs::read_to_string(&profile)
        .unwrap()
        .replace("name = \"site\"", "name = \"apex-one\"");
    let profile = write(tmp.path(), "apex-one.toml", text);
    let input = write(tmp.path(), "in/root.pem", r.pem());
    let out = tmp.path().join("out");
    certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--name", "b", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Profile: apex-one (from the profile file apex-one.toml, not a built-in one).",
        ));
    let manifest: serde_json::Value =
        strict_json(std::fs::read(out.join("b/manifest.json")).unwrap());
    assert_eq!(manifest["profile"], "apex-one");
    assert_eq!(manifest["profile_source"], "file apex-one.toml");
    // The installer says it too, on screen and in its report.
    let ps = std::fs::read_to_string(out.join("b/Install-Certificates.ps1")).unwrap();
    assert!(ps.contains("$BundleProfileSource = 'file apex-one.toml'"));
    // Without --name, the bundle is named after the profile's own name, not the file's.
    let renamed = write(
        tmp.path(),
        "apex-one-copy.toml",
        std::fs::read_to_string(&profile)
            .unwrap()
            .replace("name = \"apex-one\"", "name = \"site-b\""),
    );
    certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--profile"])
        .arg(&renamed)
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .assert()
        .success();
    assert!(out.join("site-b-certs-20261125/manifest.json").is_file());
    let readme = std::fs::read_to_string(out.join("b/README.txt")).unwrap();
    assert!(
        readme.contains(
            "Profile: apex-one (from the profile file apex-one.toml, not a built-in one)."
        ),
        "{readme}"
    );
    // The built-in profile says so.
    let built_in = tmp.path().join("built-in");
    certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["build", "--now", NOW, "--name", "b", "-o"])
        .arg(&built_in)
        .assert()
        .success();
    let manifest: serde_json::Value =
        strict_json(std::fs::read(built_in.join("b/manifest.json")).unwrap());
    assert_eq!(manifest["profile_source"], "built-in");
    let readme = std::fs::read_to_string(built_in.join("b/README.txt")).unwrap();
    assert!(
        readme.contains("Profile: apex-one (built into certbundle)."),
        "{readme}"
    );
}

#[test]
fn a_url_serving_another_certificate_fails_fetch_even_when_the_next_url_is_good() {
    let tmp = tempfile::tempdir().unwrap();
    let good = root("Two URL Root");
    let wrong = root("Two URL Root");
    let base = serve(vec![
        ("/wrong.cer", Some(wrong.der.clone())),
        ("/good.cer", Some(good.der.clone())),
    ]);
    let profile = profile_file(
        tmp.path(),
        &[(
            "Two URL Root",
            &good.der,
            "required",
            vec![format!("{base}/wrong.cer"), format!("{base}/good.cer")],
        )],
    );
    let out = tmp.path().join("fetched");
    let assert = fetch_without_proxy()
        .args(["--timeout", "5", "--json", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let json: serde_json::Value = strict_json(&assert.get_output().stdout);
    let entry = &json["certificates"][0];
    assert_eq!(entry["status"], "fetched");
    assert_eq!(entry["url"], format!("{base}/good.cer"));
    let mismatch = entry["mismatch"].as_str().unwrap();
    assert!(
        mismatch.starts_with(&format!(
            "{base}/wrong.cer served a certificate with SHA-256 {}",
            certbundle::hex::sha256_upper(&wrong.der)
        )),
        "{mismatch}"
    );
    // The good one is kept; the human output warns about the other URL.
    assert_eq!(listing(&out).len(), 1);
    fetch_without_proxy()
        .args(["--timeout", "5", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(tmp.path().join("again"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("wrong.cer"))
        .stdout(predicate::str::contains("Next:").not());
}

#[test]
fn fetch_goes_through_an_http_proxy_with_plain_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let r = root("Proxied Root");
    // A fake proxy: it records the request line and answers with the certificate.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let body = r.der.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 2048];
            let n = stream.read(&mut request).unwrap_or(0);
            let line = String::from_utf8_lossy(&request[..n])
                .lines()
                .next()
                .unwrap_or("")
                .to_string();
            let _ = tx.send(line);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(&body);
        }
    });
    // The host does not exist: only the proxy can answer.
    let url = "http://ca.invalid/proxied.cer";
    let profile = profile_file(
        tmp.path(),
        &[("Proxied Root", &r.der, "required", vec![url.into()])],
    );
    let out = tmp.path().join("fetched");
    certbundle()
        .env("HTTP_PROXY", &proxy)
        .env("http_proxy", &proxy)
        .env_remove("NO_PROXY")
        .env_remove("no_proxy")
        .args(["fetch", "--timeout", "5", "--json", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("\"status\": \"fetched\""));
    let line = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
    assert_eq!(line, format!("GET {url} HTTP/1.1"));
    assert_eq!(listing(&out).len(), 1);
}

#[test]
fn fetch_blames_the_profile_not_the_network_when_a_pin_contradicts_itself() {
    let tmp = tempfile::tempdir().unwrap();
    let good = root("Half Root");
    let other = root("Other Half Root");
    let base = serve(vec![("/half.cer", Some(good.der.clone()))]);
    let profile = profile_file(
        tmp.path(),
        &[(
            "Half Root",
            &good.der,
            "required",
            vec![format!("{base}/half.cer")],
        )],
    );
    let text = std::fs::read_to_string(&profile).unwrap().replace(
        &certbundle::hex::sha1_upper(&good.der),
        &certbundle::hex::sha1_upper(&other.der),
    );
    std::fs::write(&profile, text).unwrap();
    let out = tmp.path().join("fetched");
    let assert = fetch_without_proxy()
        .args(["--timeout", "5", "--json", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1);
    let json: serde_json::Value = strict_json(&assert.get_output().stdout);
    assert_eq!(json["certificates"][0]["status"], "profile-error");
    assert!(json["certificates"][0]["mismatch"].is_null());
    assert!(
        json["certificates"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("the profile contradicts itself; fix the profile")
    );
    assert!(listing(&out).is_empty());
    fetch_without_proxy()
        .args(["--timeout", "5", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("PROFILE ERROR:"))
        .stdout(predicate::str::contains("between you and the CA").not());
}

#[test]
fn fetch_removes_a_stale_file_that_does_not_match_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let wanted = root("Stale Root");
    let base = serve(vec![]);
    let profile = profile_file(
        tmp.path(),
        &[(
            "Stale Root",
            &wanted.der,
            "recommended",
            vec![format!("{base}/gone.cer")],
        )],
    );
    let out = tmp.path().join("fetched");
    // What an earlier run (or a person) left under the name fetch writes.
    let name = format!(
        "Stale_Root_{}.cer",
        &certbundle::hex::sha1_upper(&wanted.der)[..8]
    );
    let stale = write(&out, &name, root("Someone Else").der);
    let assert = fetch_without_proxy()
        .args(["--timeout", "5", "--json", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let json: serde_json::Value = strict_json(&assert.get_output().stdout);
    let detail = json["certificates"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("removed") && detail.contains(&name),
        "{detail}"
    );
    assert!(detail.contains("HTTP 404"), "{detail}");
    assert_eq!(json["certificates"][0]["status"], "unreachable");
    assert!(!stale.exists());
}

#[test]
fn fetch_says_the_next_build_in_text_and_json_and_none_after_a_mismatch() {
    let tmp = tempfile::tempdir().unwrap();
    let good = root("Next Root");
    let other = root("Next Other");
    let base = serve(vec![
        ("/good.cer", Some(good.der.clone())),
        ("/other.cer", Some(root("Impostor").der)),
    ]);
    let profile = |urls: &[&str]| {
        let dir = tmp.path().join(urls.join("").replace('/', "_"));
        std::fs::create_dir_all(&dir).unwrap();
        profile_file(
            &dir,
            &[
                (
                    "Next Root",
                    &good.der,
                    "required",
                    vec![format!("{base}{}", urls[0])],
                ),
                (
                    "Next Other",
                    &other.der,
                    "recommended",
                    urls[1..].iter().map(|u| format!("{base}{u}")).collect(),
                ),
            ],
        )
    };
    let run = |profile: &Path, json: bool| {
        let mut cmd = fetch_without_proxy();
        cmd.args(["--timeout", "5", "--profile"])
            .arg(profile)
            .arg("-o")
            .arg(tmp.path().join("fetched"));
        if json {
            cmd.arg("--json");
        }
        cmd.assert()
    };
    // Fetched cleanly: the build of the folder, with the profile file.
    let clean = profile(&["/good.cer"]);
    let json: serde_json::Value = strict_json(&run(&clean, true).success().get_output().stdout);
    let folder = tmp.path().join("fetched").display().to_string();
    assert_eq!(json["next"]["action"], "build");
    assert_eq!(
        json["next"]["args"],
        serde_json::json!(["build", "--profile", clean.display().to_string(), folder])
    );
    let text = String::from_utf8(run(&clean, false).success().get_output().stdout.clone()).unwrap();
    let next = text.lines().find(|l| l.starts_with("Next: ")).unwrap();
    assert!(
        next.starts_with("Next: certbundle build --profile "),
        "{next}"
    );
    assert!(
        next.ends_with("   (the shipped roots come by themselves)"),
        "{next}"
    );
    // A URL served another certificate: no step to copy blindly, in either form.
    let tampered = profile(&["/good.cer", "/other.cer"]);
    let json: serde_json::Value = strict_json(&run(&tampered, true).code(1).get_output().stdout);
    assert!(json["next"].is_null(), "{json}");
    let text =
        String::from_utf8(run(&tampered, false).code(1).get_output().stdout.clone()).unwrap();
    assert!(!text.contains("Next: "), "{text}");
}

#[test]
fn a_proxy_variable_that_is_not_a_url_stops_fetch() {
    let tmp = tempfile::tempdir().unwrap();
    let r = root("Proxy Var Root");
    let profile = profile_file(
        tmp.path(),
        &[(
            "Proxy Var Root",
            &r.der,
            "required",
            vec!["http://ca.invalid/r.cer".into()],
        )],
    );
    fetch_without_proxy()
        .env("HTTP_PROXY", "http://[::1")
        .args(["--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(tmp.path().join("fetched"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "HTTP_PROXY=http://[::1 is not a proxy URL",
        ))
        .stderr(predicate::str::contains("hint:"));
    // Nothing was created.
    assert!(!tmp.path().join("fetched").exists());
}

/// A crash at any write of `fetch -o` (issue 16; see `crash.rs`): stopped after each of its
/// file-system changes in turn, it leaves only whole certificates that match their pins, and the
/// next run succeeds.
#[test]
fn fetch_stopped_at_any_write_leaves_only_whole_pinned_certificates() {
    use std::os::unix::process::ExitStatusExt;
    let tmp = tempfile::tempdir().unwrap();
    let r1 = root("Crash Fetch Root");
    let inter = intermediate("Crash Fetch Intermediate", &r1);
    let base = serve(vec![
        ("/root.cer", Some(r1.der.clone())),
        ("/inter.crt", Some(inter.pem().into_bytes())),
    ]);
    let profile = profile_file(
        tmp.path(),
        &[
            (
                "Crash Fetch Root",
                &r1.der,
                "required",
                vec![format!("{base}/root.cer")],
            ),
            (
                "Crash Fetch Intermediate",
                &inter.der,
                "recommended",
                vec![format!("{base}/inter.crt")],
            ),
        ],
    );
    let out = tmp.path().join("fetched");
    let fetch = |k: Option<u64>| {
        let mut cmd = fetch_without_proxy();
        cmd.args(["--timeout", "5", "--profile"])
            .arg(&profile)
            .arg("-o")
            .arg(&out);
        if let Some(k) = k {
            cmd.env("CERTBUNDLE_FAILPOINT", k.to_string());
        }
        cmd.output().unwrap()
    };
    let whole = [r1.der.clone(), inter.der.clone()];
    let mut k = 1;
    loop {
        let _ = std::fs::remove_dir_all(&out);
        let stopped = fetch(Some(k));
        if stopped.status.success() {
            break;
        }
        assert_eq!(stopped.status.signal(), Some(6), "k={k}: {stopped:?}");
        for name in listing(&out).iter().filter(|n| !n.starts_with('.')) {
            let bytes = std::fs::read(out.join(name)).unwrap();
            assert!(
                whole.contains(&bytes),
                "k={k}: {name} is not a whole pinned certificate"
            );
        }
        let next = fetch(None);
        assert!(next.status.success(), "k={k}: {next:?}");
        k += 1;
        assert!(k < 100, "fetch never finished");
    }
    assert!(k > 3, "{k}");
}
