//! `certbundle extract`: minimal PE files generated here and signed by osslsigncode with test
//! hierarchies (SHA-256, dual-signed with -nest, RFC 3161 timestamps from osslsigncode's own
//! test TSA, legacy countersignatures from `common::tsa`); stand-ins for real Microsoft-signed
//! files, and those files where a checkout has them beside it; malformed files; `build --from-signed`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common;
use crate::common::hand_signed;
use crate::common::pe::{minimal_pe, security_directory};
use crate::common::*;
use predicates::prelude::*;
use rcgen::{ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose};

/// osslsigncode; a test that calls this is ignored where build.rs did not find it, and fails
/// when it cannot run it (`.ci/run` installs it).
fn osslsigncode() -> Option<&'static str> {
    let found = Command::new("osslsigncode")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stdout.is_empty());
    if !found {
        tool_missing("osslsigncode", ".ci/run installs it from Debian");
    }
    found.then_some("osslsigncode")
}

/// A code-signing leaf (or, with `timestamping`, a TSA leaf) issued by `issuer`.
fn signer(cn: &str, issuer: &Ca, timestamping: bool) -> Ca {
    let mut p = ca_params(cn);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if timestamping {
        // OpenSSL accepts a TSA certificate only with a *critical* timeStamping EKU.
        let mut eku = rcgen::CustomExtension::from_oid_content(
            &[2, 5, 29, 37],
            vec![
                0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08,
            ],
        );
        eku.set_criticality(true);
        p.custom_extensions = vec![eku];
    } else {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    }
    issued_with(p, rsa_key(2048), issuer)
}

/// A root, an intermediate under it, and a signer under that.
struct Hierarchy {
    root: Ca,
    inter: Ca,
    leaf: Ca,
}

fn hierarchy(name: &str, timestamping: bool) -> Hierarchy {
    // Each CA its own key (rsa_key() hands out one key per size; the signers share it).
    let root = root_with(ca_params(&format!("{name} Root")), ec384_key());
    let inter = issued_with(ca_params(&format!("{name} Intermediate")), ec_key(), &root);
    let leaf = signer(&format!("{name} Signer"), &inter, timestamping);
    Hierarchy { root, inter, leaf }
}

impl Hierarchy {
    /// The signer's chain (leaf, intermediate) and key as PEM files in `dir`.
    fn files(&self, dir: &Path, name: &str) -> (PathBuf, PathBuf) {
        let chain = write(
            dir,
            &format!("{name}-chain.pem"),
            [self.leaf.pem(), self.inter.pem()].concat(),
        );
        let key = write(dir, &format!("{name}.key"), self.leaf.key.serialize_pem());
        (chain, key)
    }
}

/// Signs `input` into `output`; `extra` are further osslsigncode options.
fn sign(tool: &str, h: &Hierarchy, dir: &Path, input: &Path, output: &Path, extra: &[&str]) {
    let (chain, key) = h.files(
        dir,
        &format!("{}", output.file_name().unwrap().to_string_lossy()),
    );
    let result = Command::new(tool)
        .arg("sign")
        .arg("-certs")
        .arg(&chain)
        .arg("-key")
        .arg(&key)
        .args(extra)
        .arg("-in")
        .arg(input)
        .arg("-out")
        .arg(output)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "osslsigncode failed: {}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
}

fn extract_json(args: &[&std::ffi::OsStr], code: i32) -> serde_json::Value {
    let assert = certbundle()
        .arg("extract")
        .args(args)
        .arg("--json")
        .assert()
        .code(code);
    strict_json(&assert.get_output().stdout)
}

fn sha1s(chain: &serde_json::Value) -> Vec<String> {
    chain
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha1"].as_str().unwrap().to_string())
        .collect()
}

fn sha1(ca: &Ca) -> String {
    certbundle::hex::sha1_upper(&ca.der)
}

fn ski(ca: &Ca) -> String {
    certbundle::hex::upper(&ski_bytes(&ca.der))
}

#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn a_sha256_signature_gives_its_chain_and_names_the_root_it_lacks() {
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Ext", false);
    for bits64 in [true, false] {
        let unsigned = write(tmp.path(), "app.exe", minimal_pe(bits64));
        let signed = tmp.path().join(format!("signed-{bits64}.exe"));
        sign(tool, &h, tmp.path(), &unsigned, &signed, &["-h", "sha256"]);
        let json = extract_json(
            &[signed.as_os_str(), "--profile".as_ref(), "none".as_ref()],
            0,
        );
        let file = &json["files"][0];
        assert_eq!(file["format"], if bits64 { "PE32+" } else { "PE32" });
        let signature = &file["signatures"][0];
        assert_eq!(signature["kind"], "signature");
        assert_eq!(signature["digest_algorithm"], "SHA-256");
        assert_eq!(sha1s(&signature["chain"]), [sha1(&h.leaf), sha1(&h.inter)]);
        assert_eq!(signature["missing_issuer"]["name"], "Ext Root");
        assert_eq!(signature["missing_issuer"]["key_id"], ski(&h.root).as_str());
        assert!(signature["timestamps"].as_array().unwrap().is_empty());
        assert!(signature["nested"].as_array().unwrap().is_empty());
        assert!(file["error"].is_null());
    }
    // -o writes the intermediate only; --include-leaf adds the signer.
    let signed = tmp.path().join("signed-true.exe");
    let out = tmp.path().join("out");
    certbundle()
        .args(["extract", "--profile", "none", "-o"])
        .arg(&out)
        .arg(&signed)
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote 1 certificate(s)"))
        .stdout(predicate::str::contains("Next: certbundle build"));
    let name = format!("Ext_Intermediate_{}.cer", &sha1(&h.inter)[..8]);
    assert_eq!(listing(&out), std::slice::from_ref(&name));
    assert_eq!(std::fs::read(out.join(&name)).unwrap(), h.inter.der);
    certbundle()
        .args(["extract", "--profile", "none", "--include-leaf", "-o"])
        .arg(&out)
        .arg(&signed)
        .assert()
        .success()
        .stdout(predicate::str::contains("Wrote 1 certificate(s)"))
        .stdout(predicate::str::contains("(1 already there)"));
    assert_eq!(listing(&out).len(), 2);
}

#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn dual_signing_and_timestamps_are_all_read() {
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let sha1_chain = hierarchy("Old", false);
    let sha2_chain = hierarchy("New", false);
    let tsa = hierarchy("TSA", true);
    let unsigned = write(tmp.path(), "app.exe", minimal_pe(true));
    let first = tmp.path().join("first.exe");
    let (tsa_chain, tsa_key) = tsa.files(tmp.path(), "tsa");
    let tsa_args = [
        "-TSA-certs",
        tsa_chain.to_str().unwrap(),
        "-TSA-key",
        tsa_key.to_str().unwrap(),
        "-TSA-time",
        "1795564800",
    ];
    sign(
        tool,
        &sha1_chain,
        tmp.path(),
        &unsigned,
        &first,
        &[&["-h", "sha1"][..], &tsa_args].concat(),
    );
    let both = tmp.path().join("both.exe");
    sign(
        tool,
        &sha2_chain,
        tmp.path(),
        &first,
        &both,
        &[&["-nest", "-h", "sha256"][..], &tsa_args].concat(),
    );
    let json = extract_json(
        &[both.as_os_str(), "--profile".as_ref(), "none".as_ref()],
        0,
    );
    let outer = &json["files"][0]["signatures"][0];
    assert_eq!(outer["digest_algorithm"], "SHA-1");
    assert_eq!(
        sha1s(&outer["chain"]),
        [sha1(&sha1_chain.leaf), sha1(&sha1_chain.inter)]
    );
    let nested = &outer["nested"][0];
    assert_eq!(nested["kind"], "nested");
    assert_eq!(nested["digest_algorithm"], "SHA-256");
    assert_eq!(
        sha1s(&nested["chain"]),
        [sha1(&sha2_chain.leaf), sha1(&sha2_chain.inter)]
    );
    assert_eq!(nested["missing_issuer"]["name"], "New Root");
    for signature in [outer, nested] {
        let ts = &signature["timestamps"][0];
        assert_eq!(ts["kind"], "timestamp", "{signature}");
        assert_eq!(ts["signing_time"], "2026-11-25T00:00:00Z");
        assert_eq!(sha1s(&ts["chain"]), [sha1(&tsa.leaf), sha1(&tsa.inter)]);
        assert_eq!(ts["missing_issuer"]["name"], "TSA Root");
    }
    // Every certificate of the file, each once.
    let mut all: Vec<String> = json["files"][0]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha1"].as_str().unwrap().to_string())
        .collect();
    all.sort();
    let mut expected = [
        &sha1_chain.leaf,
        &sha1_chain.inter,
        &sha2_chain.leaf,
        &sha2_chain.inter,
        &tsa.leaf,
        &tsa.inter,
    ]
    .map(sha1)
    .to_vec();
    expected.sort();
    assert_eq!(all, expected);
}

/// The SHA-1 of every certificate named `name` that `extract --json` shows, file by file.
fn sha1s_named<'j>(json: &'j serde_json::Value, name: &str) -> Vec<&'j str> {
    json["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["certificates"].as_array().unwrap())
        .filter(|c| c["name"] == name)
        .map(|c| c["sha1"].as_str().unwrap())
        .collect()
}

/// The CA certificates each real file embeds (listed in the README beside the files, which stay
/// out of the repository).
const REAL: &[(&str, &[&str])] = &[
    (
        "sigcheck.exe",
        &[
            "F252E794FE438E35ACE6E53762C0A234A2C52135",
            "3CAF9BA2DB5570CAF76942FF99101B993888E257",
            "2AA752FE64C49ABE82913C463529CF10FF2F04EE",
            "375FCB825C3DC3752A02E34EB70993B4997191EF",
        ],
    ),
    (
        "whois.exe",
        &[
            "F252E794FE438E35ACE6E53762C0A234A2C52135",
            "2AA752FE64C49ABE82913C463529CF10FF2F04EE",
        ],
    ),
    (
        "pciide.sys",
        &[
            "375FCB825C3DC3752A02E34EB70993B4997191EF",
            "5DF0D7571B0780783960C68B78571FFD7EDAF021",
        ],
    ),
    (
        "DXCore.dll",
        &[
            "36056A5662DCADECF82CC14C8B80EC5E0BCC59A6",
            "580A6F4CC4E4B669B9EBDC1B2B3E087B80D0678D",
        ],
    ),
];

#[test]
#[cfg_attr(
    not(has_real_signed_files),
    ignore = "needs ../shared/realworld/signed (kept out of the repository; the signed stand-ins cover it)"
)]
fn real_microsoft_signatures_give_exactly_their_ca_certificates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realworld/signed");
    let tmp = tempfile::tempdir().unwrap();
    for (file, expected) in REAL {
        let out = tmp.path().join(file);
        let json = extract_json(
            &[
                dir.join(file).as_os_str(),
                "--profile".as_ref(),
                "none".as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
            ],
            0,
        );
        let mut found: Vec<String> = json["files"][0]["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ca"] == true)
            .map(|c| c["sha1"].as_str().unwrap().to_string())
            .collect();
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(found, expected, "{file}");
        // What -o wrote is exactly those, as DER.
        let mut written: Vec<String> = json["written"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["sha1"].as_str().unwrap().to_string())
            .collect();
        written.sort();
        assert_eq!(written, expected, "{file}");
        for w in json["written"].as_array().unwrap() {
            let der = std::fs::read(w["file"].as_str().unwrap()).unwrap();
            assert_eq!(
                certbundle::hex::sha1_upper(&der),
                w["sha1"].as_str().unwrap()
            );
        }
    }
    // sigcheck: a SHA-1 signature with a legacy countersignature, and a nested SHA-256 one
    // with an RFC 3161 token; whois: an RFC 3161 token whose certificate set also holds a v1
    // attribute certificate (the choice a strict CMS decoder rejects).
    let json = extract_json(
        &[
            dir.join("sigcheck.exe").as_os_str(),
            dir.join("whois.exe").as_os_str(),
            "--profile".as_ref(),
            "none".as_ref(),
        ],
        0,
    );
    let sigcheck = &json["files"][0]["signatures"][0];
    assert_eq!(sigcheck["digest_algorithm"], "SHA-1");
    assert_eq!(sigcheck["timestamps"][0]["kind"], "countersignature");
    assert_eq!(
        sigcheck["timestamps"][0]["signing_time"],
        "2017-11-16T22:05:36Z"
    );
    assert_eq!(sigcheck["nested"][0]["digest_algorithm"], "SHA-256");
    assert_eq!(sigcheck["nested"][0]["timestamps"][0]["kind"], "timestamp");
    let whois = &json["files"][1]["signatures"][0];
    assert_eq!(whois["timestamps"][0]["kind"], "timestamp");
    assert_eq!(
        whois["timestamps"][0]["signing_time"],
        "2019-12-11T08:40:17Z"
    );
    assert_eq!(
        whois["missing_issuer"]["name"],
        "Microsoft Root Certificate Authority 2011"
    );
    // The two "Microsoft Time-Stamp PCA 2010": same name, another key, both found.
    let json = extract_json(
        &[
            dir.join("DXCore.dll").as_os_str(),
            dir.join("whois.exe").as_os_str(),
            "--profile".as_ref(),
            "none".as_ref(),
        ],
        0,
    );
    let pca2010 = sha1s_named(&json, "Microsoft Time-Stamp PCA 2010");
    assert_eq!(pca2010.len(), 2);
    assert_ne!(pca2010[0], pca2010[1]);
}

/// A timestamping hierarchy whose CA is called `pca`: called twice, two CAs of one name and
/// two keys, as when a CA is re-issued (the two "Microsoft Time-Stamp PCA 2010").
fn reissued_tsa(pca: &str) -> Hierarchy {
    let root = root_with(ca_params("Stand-in Root 2010"), ec384_key());
    let inter = issued_with(ca_params(pca), ec_key(), &root);
    let leaf = signer("Stand-in Time-Stamp Service", &inter, true);
    Hierarchy { root, inter, leaf }
}

/// `first`, then osslsigncode's options for an RFC 3161 token from its own test TSA, signing as
/// `tsa`.
fn rfc3161_args(first: &[&str], tsa: &Hierarchy, dir: &Path, name: &str) -> Vec<String> {
    let (chain, key) = tsa.files(dir, name);
    let mut args: Vec<String> = first.iter().map(|a| a.to_string()).collect();
    args.extend(["-TSA-certs".into(), chain.to_str().unwrap().into()]);
    args.extend(["-TSA-key".into(), key.to_str().unwrap().into()]);
    args.extend(["-TSA-time".into(), "1795564800".into()]);
    args
}

/// Stand-ins for the real signed files, made here with osslsigncode, so that CI covers what the
/// real ones cover where they are absent: a SHA-1 signature with a legacy countersignature whose
/// certificates sit in the outer set and a nested SHA-256 one with an RFC 3161 token (for
/// sigcheck.exe); an RFC 3161 token carrying its own certificates (whois.exe); a driver with a
/// legacy countersignature (pciide.sys); a DLL timestamped by a re-issued CA of the same name
/// and a new key (DXCore.dll). Leaves are never among the CA certificates; no root is embedded.
#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn signed_stand_ins_cover_what_the_real_files_cover() {
    use crate::common::pe::{Image, minimal_pe_of};
    use crate::common::tsa::with_legacy_tsa;
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let old_code = hierarchy("Stand-in SHA-1 Code", false);
    let code = hierarchy("Stand-in Code", false);
    let legacy = hierarchy("Stand-in Legacy TSA", true);
    let old_pca = reissued_tsa("Stand-in Time-Stamp PCA");
    let new_pca = reissued_tsa("Stand-in Time-Stamp PCA");
    let legacy_chain = [&legacy.leaf, &legacy.inter];
    let unsigned = |name: &str, bits64: bool, image: Image| {
        write(
            dir,
            &format!("unsigned-{name}"),
            minimal_pe_of(bits64, image),
        )
    };
    fn strs(args: &[String]) -> Vec<&str> {
        args.iter().map(String::as_str).collect()
    }
    let sigcheck = dir.join("sigcheck.exe");
    let pciide = dir.join("pciide.sys");
    with_legacy_tsa(&legacy.leaf, &legacy_chain, "261125000000Z", |url| {
        let first = dir.join("sigcheck-first.exe");
        let program = unsigned("sigcheck.exe", false, Image::Program);
        sign(
            tool,
            &old_code,
            dir,
            &program,
            &first,
            &["-h", "sha1", "-t", url],
        );
        let driver = unsigned("pciide.sys", true, Image::Driver);
        sign(
            tool,
            &old_code,
            dir,
            &driver,
            &pciide,
            &["-h", "sha1", "-t", url],
        );
        let nest = rfc3161_args(&["-nest", "-h", "sha256"], &old_pca, dir, "n");
        sign(tool, &code, dir, &first, &sigcheck, &strs(&nest));
    });
    let whois = dir.join("whois.exe");
    let token = rfc3161_args(&["-h", "sha256"], &old_pca, dir, "w");
    let program = unsigned("whois.exe", false, Image::Program);
    sign(tool, &code, dir, &program, &whois, &strs(&token));
    let dxcore = dir.join("DXCore.dll");
    let token = rfc3161_args(&["-h", "sha256"], &new_pca, dir, "d");
    let library = unsigned("DXCore.dll", true, Image::Library);
    sign(tool, &code, dir, &library, &dxcore, &strs(&token));
    let files: [(&Path, Vec<&Ca>); 4] = [
        (
            &sigcheck,
            vec![&old_code.inter, &code.inter, &legacy.inter, &old_pca.inter],
        ),
        (&whois, vec![&code.inter, &old_pca.inter]),
        (&pciide, vec![&old_code.inter, &legacy.inter]),
        (&dxcore, vec![&code.inter, &new_pca.inter]),
    ];
    for (file, expected) in &files {
        let out = dir.join("out").join(file.file_name().unwrap());
        let json = extract_json(
            &[
                file.as_os_str(),
                "--profile".as_ref(),
                "none".as_ref(),
                "-o".as_ref(),
                out.as_os_str(),
            ],
            0,
        );
        assert!(json["files"][0]["error"].is_null(), "{json}");
        let mut found: Vec<String> = json["files"][0]["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["ca"] == true)
            .map(|c| c["sha1"].as_str().unwrap().to_string())
            .collect();
        found.sort();
        let mut expected: Vec<String> = expected.iter().map(|c| sha1(c)).collect();
        expected.sort();
        assert_eq!(found, expected, "{}", file.display());
        let mut written: Vec<String> = json["written"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["sha1"].as_str().unwrap().to_string())
            .collect();
        written.sort();
        assert_eq!(written, expected, "{}", file.display());
        for w in json["written"].as_array().unwrap() {
            let der = std::fs::read(w["file"].as_str().unwrap()).unwrap();
            assert_eq!(
                certbundle::hex::sha1_upper(&der),
                w["sha1"].as_str().unwrap()
            );
        }
    }
    // sigcheck: SHA-1 with a legacy countersignature, whose chain comes from the outer set, and
    // a nested SHA-256 signature with an RFC 3161 token; the driver's countersignature too.
    let json = extract_json(
        &[
            sigcheck.as_os_str(),
            pciide.as_os_str(),
            whois.as_os_str(),
            "--profile".as_ref(),
            "none".as_ref(),
        ],
        0,
    );
    for (at, format) in [(0, "PE32"), (1, "PE32+")] {
        let file = &json["files"][at];
        assert_eq!(file["format"], format);
        let signature = &file["signatures"][0];
        assert_eq!(signature["digest_algorithm"], "SHA-1");
        let ts = &signature["timestamps"][0];
        assert_eq!(ts["kind"], "countersignature", "{signature}");
        assert_eq!(ts["signing_time"], "2026-11-25T00:00:00Z");
        assert_eq!(
            sha1s(&ts["chain"]),
            [sha1(&legacy.leaf), sha1(&legacy.inter)]
        );
        assert_eq!(ts["missing_issuer"]["name"], "Stand-in Legacy TSA Root");
    }
    let nested = &json["files"][0]["signatures"][0]["nested"][0];
    assert_eq!(nested["digest_algorithm"], "SHA-256");
    assert_eq!(nested["timestamps"][0]["kind"], "timestamp");
    // whois: an RFC 3161 token with its own certificates; the root the signature lacks.
    let signature = &json["files"][2]["signatures"][0];
    assert_eq!(signature["timestamps"][0]["kind"], "timestamp");
    assert_eq!(
        signature["timestamps"][0]["signing_time"],
        "2026-11-25T00:00:00Z"
    );
    assert_eq!(
        sha1s(&signature["timestamps"][0]["chain"]),
        [sha1(&old_pca.leaf), sha1(&old_pca.inter)]
    );
    assert_eq!(signature["missing_issuer"]["name"], "Stand-in Code Root");
    // The two "Stand-in Time-Stamp PCA": same name, another key, both found.
    let json = extract_json(
        &[
            dxcore.as_os_str(),
            whois.as_os_str(),
            "--profile".as_ref(),
            "none".as_ref(),
        ],
        0,
    );
    let pca = sha1s_named(&json, "Stand-in Time-Stamp PCA");
    assert_eq!(pca, [sha1(&new_pca.inter), sha1(&old_pca.inter)]);
}

#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn malformed_files_get_their_own_error_and_the_others_still_report() {
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Bad", false);
    let unsigned = write(tmp.path(), "unsigned.exe", minimal_pe(true));
    let good = tmp.path().join("good.exe");
    sign(tool, &h, tmp.path(), &unsigned, &good, &["-h", "sha256"]);
    let signed = std::fs::read(&good).unwrap();
    let dir = security_directory(true);
    let table_at = u32::from_le_bytes(signed[dir..dir + 4].try_into().unwrap()) as usize;
    // The certificate table's offset points past the end of the file.
    let mut past_end = signed.clone();
    past_end[dir..dir + 4].copy_from_slice(&(signed.len() as u32 + 100).to_le_bytes());
    // The first entry declares more bytes than the table holds.
    let mut overflow = signed.clone();
    overflow[table_at..table_at + 4].copy_from_slice(&0x7fff_fff0u32.to_le_bytes());
    // The entry's content is not PKCS#7.
    let mut garbage = signed.clone();
    for b in &mut garbage[table_at + 8..table_at + 40] {
        *b = 0x5a;
    }
    // Cut in the middle of the table.
    let truncated = signed[..table_at + 20].to_vec();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "unsigned.exe",
            minimal_pe(true),
            "not signed: the file has no certificate table",
        ),
        ("past-end.exe", past_end, "lies outside the file"),
        ("overflow.exe", overflow, "(length overflow)"),
        ("garbage.exe", garbage, "signature 1 is malformed"),
        ("truncated.exe", truncated, "lies outside the file"),
        (
            "notes.txt",
            b"just some text, not a program".to_vec(),
            "not a Windows PE file (no MZ header)",
        ),
        ("empty.dll", Vec::new(), "not a Windows PE file"),
    ];
    let mut args: Vec<PathBuf> = vec![good.clone()];
    for (name, bytes, _) in &cases {
        args.push(write(tmp.path(), name, bytes));
    }
    let mut cmd_args: Vec<&std::ffi::OsStr> = args.iter().map(|p| p.as_os_str()).collect();
    cmd_args.extend([
        std::ffi::OsStr::new("--profile"),
        std::ffi::OsStr::new("none"),
    ]);
    let json = extract_json(&cmd_args, 1);
    let files = json["files"].as_array().unwrap();
    assert_eq!(files.len(), cases.len() + 1);
    assert!(files[0]["error"].is_null());
    assert_eq!(sha1s(&files[0]["signatures"][0]["chain"]).len(), 2);
    for (file, (name, _, message)) in files[1..].iter().zip(&cases) {
        let error = file["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{name}: no error"));
        assert!(error.contains(message), "{name}: {error}");
        assert!(file["signatures"].is_null());
    }
    // The human output names each file with its error.
    certbundle()
        .arg("extract")
        .args(&args)
        .args(["--profile", "none"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "past-end.exe  error: the certificate table (offset",
        ))
        .stdout(predicate::str::contains(
            "notes.txt  error: not a Windows PE file (no MZ header)",
        ));
    // A file that does not exist is a usage error (exit 2), before anything is read.
    certbundle()
        .args(["extract", "--profile", "none"])
        .arg(tmp.path().join("nowhere.exe"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nowhere.exe: cannot read"));
}

#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn mutated_signed_files_never_crash_the_reader() {
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Fuzz", false);
    let tsa = hierarchy("FuzzTSA", true);
    let unsigned = write(tmp.path(), "app.exe", minimal_pe(false));
    let signed = tmp.path().join("signed.exe");
    let (tsa_chain, tsa_key) = tsa.files(tmp.path(), "tsa");
    sign(
        tool,
        &h,
        tmp.path(),
        &unsigned,
        &signed,
        &[
            "-h",
            "sha256",
            "-TSA-certs",
            tsa_chain.to_str().unwrap(),
            "-TSA-key",
            tsa_key.to_str().unwrap(),
            "-TSA-time",
            "1795564800",
        ],
    );
    let original = std::fs::read(&signed).unwrap();
    // A deterministic walk over byte positions and values (the cargo-fuzz target in fuzz/ does
    // this at scale): any result is fine, a panic is not.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2_000 {
        let mut bytes = original.clone();
        for _ in 0..(next() % 8 + 1) {
            let at = (next() as usize) % bytes.len();
            bytes[at] = next() as u8;
        }
        if next() % 16 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        let len = bytes.len() as u64;
        let _ = certbundle::signed::extract_from(std::io::Cursor::new(bytes), len, Path::new("x"));
    }
}

#[test]
#[cfg_attr(not(has_osslsigncode), ignore = "needs osslsigncode on PATH")]
fn build_from_signed_takes_the_ca_certificates_and_says_what_is_missing() {
    let Some(tool) = osslsigncode() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("FS", false);
    let unsigned = write(tmp.path(), "app.exe", minimal_pe(true));
    let signed = tmp.path().join("agent.exe");
    sign(tool, &h, tmp.path(), &unsigned, &signed, &["-h", "sha256"]);
    let root_file = write(tmp.path(), "in/root.pem", h.root.pem());
    let manifest = |dir: &Path| -> serde_json::Value {
        strict_json(std::fs::read(dir.join("manifest.json")).unwrap())
    };
    let sha1s_in = |m: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = m["certificates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["sha1"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    // With the root given: intermediate and root, never the signer.
    let out = tmp.path().join("out1");
    certbundle()
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--name",
            "b",
            "-o",
        ])
        .arg(&out)
        .arg(&root_file)
        .arg("--from-signed")
        .arg(&signed)
        .assert()
        .success()
        .stdout(predicate::str::contains("issuer-missing").not());
    let mut expected = vec![sha1(&h.inter), sha1(&h.root)];
    expected.sort();
    assert_eq!(sha1s_in(&manifest(&out.join("b"))), expected);
    // Without it, the intermediate's issuer is missing; a profile that knows a certificate of
    // that name says where to get it.
    let profile = write(
        tmp.path(),
        "site.toml",
        format!(
            "schema = \"certbundle-profile/1\"\nname = \"site\"\ntitle = \"t\"\n\n\
[[certificate]]\nname = \"FS Intermediate\"\nsha256 = \"{}\"\nsha1 = \"{}\"\nstore = \"CA\"\nrole = \"intermediate\"\nneed = \"recommended\"\npurpose = [\"sha2-signing\"]\nevidence = \"inferred\"\n\n\
[[certificate]]\nname = \"FS Root\"\nsha256 = \"{}\"\nsha1 = \"{}\"\nstore = \"Root\"\nrole = \"root\"\nneed = \"required\"\npurpose = [\"sha2-signing\"]\nevidence = \"inferred\"\nurls = [\"http://pki.example/fs-root.crt\"]\n",
            certbundle::hex::sha256_upper(&h.inter.der),
            sha1(&h.inter),
            certbundle::hex::sha256_upper(&h.root.der),
            sha1(&h.root),
        ),
    );
    let out = tmp.path().join("out2");
    certbundle()
        .args([
            "build",
            "--now",
            NOW,
            "--name",
            "b",
            "--allow-missing",
            "--profile",
        ])
        .arg(&profile)
        .arg("-o")
        .arg(&out)
        .arg("--from-signed")
        .arg(&signed)
        .assert()
        .success()
        .stdout(predicate::str::contains("issuer-missing"))
        .stdout(predicate::str::contains(format!(
            "profile site pins \"FS Root\" (SHA-1 {}): add it, from http://pki.example/fs-root.crt",
            sha1(&h.root)
        )));
    assert_eq!(sha1s_in(&manifest(&out.join("b"))), [sha1(&h.inter)]);
    // Under apex-one the intermediate is not pinned: refused unless allowed, loudly.
    let out = tmp.path().join("out3");
    certbundle()
        .args(["build", "--now", NOW, "--name", "b", "-o"])
        .arg(&out)
        .arg("--from-signed")
        .arg(&signed)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error     unpinned"))
        .stdout(predicate::str::contains("agent.exe"));
    assert!(listing(&out).is_empty());
    certbundle()
        .args([
            "build",
            "--now",
            NOW,
            "--name",
            "b",
            "--allow-unpinned",
            "-o",
        ])
        .arg(&out)
        .arg("--from-signed")
        .arg(&signed)
        .assert()
        .success();
    // A file that is not a signed binary stops the build, naming it.
    let unsigned_copy = write(tmp.path(), "plain.exe", minimal_pe(true));
    certbundle()
        .args(["build", "--profile", "none", "--now", NOW, "-o"])
        .arg(tmp.path().join("out4"))
        .arg("--from-signed")
        .arg(&signed)
        .arg(&unsigned_copy)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("plain.exe: not signed"));
    assert!(!tmp.path().join("out4").exists());
}

/// One pin of [`site_profile`]: name, pinned certificate, pinned SHA-1 if not its own, shipped
/// file, URL.
type Pin<'a> = (
    &'a str,
    &'a Ca,
    Option<String>,
    Option<&'a str>,
    Option<&'a str>,
);

/// A profile file pinning these.
fn site_profile(dir: &Path, pins: &[Pin]) -> PathBuf {
    let mut text =
        String::from("schema = \"certbundle-profile/1\"\nname = \"site\"\ntitle = \"t\"\n\n");
    for (name, ca, other_sha1, file, url) in pins {
        let (_, cert) = x509_parser::parse_x509_certificate(&ca.der).unwrap();
        let root = cert.subject() == cert.issuer();
        text.push_str(&format!(
            "[[certificate]]\nname = \"{name}\"\nsha256 = \"{}\"\nsha1 = \"{}\"\nstore = \"{}\"\nrole = \"{}\"\n\
need = \"recommended\"\npurpose = [\"sha2-signing\"]\nevidence = \"inferred\"\n",
            certbundle::hex::sha256_upper(&ca.der),
            other_sha1.clone().unwrap_or_else(|| sha1(ca)),
            if root { "Root" } else { "CA" },
            if root { "root" } else { "intermediate" },
        ));
        if let Some(file) = file {
            write(dir, file, &ca.der);
            text.push_str(&format!("file = \"{file}\"\n"));
        }
        if let Some(url) = url {
            text.push_str(&format!("urls = [\"{url}\"]\n"));
        }
        text.push('\n');
    }
    write(dir, "site.toml", text)
}

#[test]
fn profile_marks_say_what_is_pinned_shipped_half_pinned_and_where_to_get_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let shipped = hierarchy("Ship", false);
    let named = hierarchy("Named", false);
    let loose = hierarchy("Loose", false);
    let profile = site_profile(
        tmp.path(),
        &[
            ("Ship Intermediate", &shipped.inter, None, None, None),
            (
                "Ship Root",
                &shipped.root,
                None,
                Some("ship-root.cer"),
                None,
            ),
            (
                "Named Root",
                &named.root,
                None,
                None,
                Some("http://pki.example/named-root.crt"),
            ),
            // The profile's SHA-1 for this one is wrong: half a pin.
            (
                "Named Intermediate",
                &named.inter,
                Some("00".repeat(20)),
                None,
                None,
            ),
        ],
    );
    let file = hand_signed(
        tmp.path(),
        "three.exe",
        &[
            (&[&shipped.leaf, &shipped.inter], &shipped.leaf),
            (&[&named.leaf, &named.inter], &named.leaf),
            (&[&loose.leaf, &loose.inter], &loose.leaf),
        ],
    );
    let json = extract_json(
        &[file.as_os_str(), "--profile".as_ref(), profile.as_os_str()],
        0,
    );
    let signatures = json["files"][0]["signatures"].as_array().unwrap();
    assert_eq!(signatures.len(), 3);
    // 1: intermediate pinned, root shipped with the profile.
    assert_eq!(signatures[0]["chain"][1]["pinned"], "Ship Intermediate");
    assert_eq!(
        signatures[0]["missing_issuer"]["shipped"],
        format!("Ship Root (SHA-1 {})", sha1(&shipped.root)).as_str()
    );
    assert!(
        signatures[0]["missing_issuer"]["pinned_as"]
            .as_str()
            .unwrap()
            .starts_with("Ship Root")
    );
    // 2: intermediate half pinned; root pinned by name with where to download it.
    assert!(signatures[1]["chain"][1]["pinned"].is_null());
    assert_eq!(
        signatures[1]["chain"][1]["half_pinned"],
        "Named Intermediate"
    );
    assert!(signatures[1]["missing_issuer"]["shipped"].is_null());
    assert_eq!(
        signatures[1]["missing_issuer"]["pinned_as"],
        format!(
            "Named Root (SHA-1 {}), download: http://pki.example/named-root.crt",
            sha1(&named.root)
        )
        .as_str()
    );
    // 3: nothing known.
    assert!(signatures[2]["chain"][1]["pinned"].is_null());
    assert!(signatures[2]["chain"][1]["half_pinned"].is_null());
    assert!(signatures[2]["missing_issuer"]["shipped"].is_null());
    assert!(signatures[2]["missing_issuer"]["pinned_as"].is_null());
    // The same, as a person reads it.
    let text = certbundle()
        .env("NO_COLOR", "1")
        .arg("extract")
        .arg(&file)
        .arg("--profile")
        .arg(&profile)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    let line_of = |needle: &str| -> &str {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"))
    };
    assert!(line_of(&sha1(&shipped.inter)).ends_with("Ship Intermediate  pinned by site"));
    assert!(text.contains(&format!(
        "      ships with profile site: Ship Root (SHA-1 {})",
        sha1(&shipped.root)
    )));
    assert!(line_of(&sha1(&named.inter)).contains(
        "profile site pins Named Intermediate with one fingerprint that differs: check the profile and this certificate"
    ));
    assert!(text.contains(&format!(
        "      profile site pins a certificate of that name: Named Root (SHA-1 {}), download: http://pki.example/named-root.crt",
        sha1(&named.root)
    )));
    assert!(line_of(&sha1(&loose.inter)).ends_with("Loose Intermediate  not in profile site"));
    assert!(text.contains(
        "      not in profile site: the target machines must already trust it, or add it"
    ));
    // The signer is never marked.
    assert!(line_of(&sha1(&loose.leaf)).ends_with("Loose Signer"));
}

#[test]
fn the_next_line_names_the_flags_the_build_needs_and_that_build_succeeds() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Next", false);
    let file = hand_signed(tmp.path(), "app.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let root = write(tmp.path(), "root/next-root.pem", h.root.pem());
    let out = tmp.path().join("from-app");
    let next = |now: &str| -> String {
        let output = certbundle()
            .env("NO_COLOR", "1")
            .args(["extract", "--now", now, "-o"])
            .arg(&out)
            .arg(&file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(output).unwrap()
    };
    let next = |now: &str| -> (String, String) {
        let text = next(now);
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("Next: "))
            .unwrap()
            .to_string();
        (line, text)
    };
    // In 2030 the intermediate is valid but not pinned by apex-one.
    let (line, text) = next("2030-01-01T00:00:00Z");
    assert!(
        line.starts_with(&format!(
            "certbundle build --now 2030-01-01T00:00:00Z --allow-unpinned {}   (1 of them",
            out.display()
        )),
        "{line}"
    );
    assert!(!line.contains("--allow-expired"), "{line}");
    assert!(!text.contains("expired 2040"), "{text}");
    // In 2041 it has expired (the test CAs end 2040-01-01): the line says so, the tree too.
    let (line, text) = next("2041-01-01T00:00:00Z");
    assert!(
        line.starts_with(&format!(
            "certbundle build --now 2041-01-01T00:00:00Z --allow-unpinned --allow-expired {}   (",
            out.display()
        )),
        "{line}"
    );
    assert!(
        text.lines().any(|l| l.contains(&sha1(&h.inter))
            && l.ends_with("not in profile apex-one  expired 2040-01-01")),
        "{text}"
    );
    assert!(
        line.contains(
            "1 expired: they still validate signatures time-stamped while they were valid"
        )
    );
    // The line, run as printed (plus the root, which the file does not carry), builds.
    let command: Vec<&str> = line
        .split("   (")
        .next()
        .unwrap()
        .split(' ')
        .skip(1)
        .collect();
    certbundle()
        .args(&command)
        .arg(&root)
        .arg("-o")
        .arg(tmp.path().join("bundle"))
        .assert()
        .success();
}

#[test]
fn output_folders_keep_what_they_hold_and_say_what_else_a_build_would_take() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Keep", false);
    let file = hand_signed(tmp.path(), "app.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let out = tmp.path().join("out");
    // --include-leaf writes the signer too, marked for removal before a build.
    let text = certbundle()
        .env("NO_COLOR", "1")
        .args(["extract", "--profile", "none", "--include-leaf", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    let leaf_name = format!("Keep_Signer_{}.cer", &sha1(&h.leaf)[..8]);
    let inter_name = format!("Keep_Intermediate_{}.cer", &sha1(&h.inter)[..8]);
    let mut both = vec![inter_name.clone(), leaf_name.clone()];
    both.sort();
    assert_eq!(listing(&out), both);
    assert_eq!(std::fs::read(out.join(&leaf_name)).unwrap(), h.leaf.der);
    assert!(
        text.contains(&format!(
            "{leaf_name}  (a signer's own certificate: remove it before building)"
        )),
        "{text}"
    );
    assert!(text.contains(
        "first remove the 1 signer certificate(s) --include-leaf wrote: build refuses them"
    ));
    // A later run without --include-leaf: the leaf is another file the build would take.
    let extra = write(&out, "other.pem", h.root.pem());
    let text = certbundle()
        .env("NO_COLOR", "1")
        .args(["extract", "--profile", "none", "-o"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("Wrote 0 certificate(s)"), "{text}");
    assert!(
        text.contains(
            "also holds 2 other certificate file(s), which a build of the folder takes too:"
        ),
        "{text}"
    );
    assert!(text.contains(&out.join(&leaf_name).display().to_string()));
    assert!(text.contains(&extra.display().to_string()));
    // A different file under both names the certificate could take: never replaced.
    let clash = tempfile::tempdir().unwrap();
    let short = clash.path().join(&inter_name);
    let full = clash
        .path()
        .join(format!("Keep_Intermediate_{}.cer", sha1(&h.inter)));
    std::fs::write(&short, b"someone else's file").unwrap();
    std::fs::write(&full, b"someone else's other file").unwrap();
    certbundle()
        .args(["extract", "--profile", "none", "-o"])
        .arg(clash.path())
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "{}: already exists and is not the certificate with SHA-1 {}",
            full.display(),
            sha1(&h.inter)
        )))
        .stderr(predicate::str::contains(
            "move that file away, or give -o a new folder",
        ));
    assert_eq!(std::fs::read(&short).unwrap(), b"someone else's file");
    assert_eq!(std::fs::read(&full).unwrap(), b"someone else's other file");
}

#[test]
fn build_from_signed_says_what_it_took_nothing_from_and_where_input_goes() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Note", false);
    // Signed, but only the signer's own certificate inside.
    let bare = hand_signed(tmp.path(), "bare.exe", &[(&[&h.leaf], &h.leaf)]);
    let full = hand_signed(tmp.path(), "full.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let root = write(tmp.path(), "in/root.pem", h.root.pem());
    certbundle()
        .env("NO_COLOR", "1")
        .args(["build", "--profile", "none", "--now", NOW, "--no-zip", "-o"])
        .arg(tmp.path().join("out"))
        .arg(&root)
        .arg("--from-signed")
        .arg(&bare)
        .arg(&full)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "signed, but carries no CA certificate: nothing taken from it",
        ));
    // INPUT after --from-signed is taken as a signed file: the hint says where it goes.
    certbundle()
        .args(["build", "--profile", "none", "--now", NOW, "-o"])
        .arg(tmp.path().join("out2"))
        .arg("--from-signed")
        .arg(&full)
        .arg(root.parent().unwrap())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a folder, not a file"))
        .stderr(predicate::str::contains(
            "put certificate files and folders (INPUT) before --from-signed",
        ));
    assert!(!tmp.path().join("out2").exists());
}

#[test]
fn unreadable_files_get_a_hint_each_in_text_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Hint", false);
    let good = hand_signed(tmp.path(), "good.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let text_file = write(tmp.path(), "notes.txt", "hello");
    let unsigned = write(tmp.path(), "unsigned.exe", minimal_pe(false));
    let output = certbundle()
        .env("NO_COLOR", "1")
        .args(["extract", "--profile", "none"])
        .arg(&text_file)
        .arg(tmp.path())
        .arg(&unsigned)
        .arg(&good)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    for (file, message, hint) in [
        (
            &text_file,
            "not a Windows PE file (no MZ header)",
            "give the signed program file itself",
        ),
        (
            &tmp.path().to_path_buf(),
            "a folder, not a file",
            "give the signed program file itself",
        ),
        (
            &unsigned,
            "not signed: the file has no certificate table",
            "security catalog",
        ),
    ] {
        let at = text
            .find(&format!("{}  error: {message}", file.display()))
            .unwrap_or_else(|| panic!("{message} for {} in\n{text}", file.display()));
        let next = text[at..].lines().nth(1).unwrap();
        assert!(
            next.starts_with("  hint: ") && next.contains(hint),
            "{next}"
        );
    }
    assert!(text.contains("good.exe  PE32, 1 signature(s), 2 certificate(s) embedded"));
    let json = extract_json(
        &[
            text_file.as_os_str(),
            good.as_os_str(),
            "--profile".as_ref(),
            "none".as_ref(),
        ],
        1,
    );
    assert_eq!(
        json["files"][0]["error"],
        "not a Windows PE file (no MZ header)"
    );
    assert!(
        json["files"][0]["hint"]
            .as_str()
            .unwrap()
            .contains(".exe, .dll, .sys")
    );
    assert!(json["files"][1]["error"].is_null());
    assert!(json["files"][1]["hint"].is_null());
    assert_eq!(
        json["files"][1]["file"],
        good.display().to_string().as_str()
    );
}

#[test]
fn a_look_alike_stops_the_next_line_and_build_agrees() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Look", false);
    let other = hierarchy("Other", false);
    // The profile pins "Look Intermediate" with another certificate's fingerprints (as after a
    // re-issue under the same name), and requires a root it does not ship.
    let profile = site_profile(
        tmp.path(),
        &[
            ("Look Intermediate", &other.inter, None, None, None),
            ("Other Root", &other.root, None, None, None),
        ],
    );
    let text = std::fs::read_to_string(&profile).unwrap().replacen(
        "need = \"recommended\"",
        "need = \"required\"",
        2,
    );
    std::fs::write(&profile, text).unwrap();
    let file = hand_signed(tmp.path(), "app.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let extract = |profile: &Path, out: &Path| -> String {
        let stdout = certbundle()
            .env("NO_COLOR", "1")
            .arg("extract")
            .arg("--profile")
            .arg(profile)
            .arg("-o")
            .arg(out)
            .arg(&file)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(stdout).unwrap()
    };
    let out = tmp.path().join("o");
    let text = extract(&profile, &out);
    assert!(
        text.contains(&format!(
            "{}  Look Intermediate  looks like the pinned Look Intermediate (SHA-1 {}) but is not that certificate: build refuses it",
            sha1(&h.inter),
            sha1(&other.inter)
        )),
        "{text}"
    );
    assert!(
        text.contains("Next: no build yet: 1 certificate(s) written look like, or match only half of, a pin of profile site"),
        "{text}"
    );
    // What build says of the same folder.
    certbundle()
        .args(["build", "--allow-unpinned", "--profile"])
        .arg(&profile)
        .arg("-o")
        .arg(tmp.path().join("b"))
        .arg(&out)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("never install a look-alike"));
    // Without the look-alike pin, the Next line names the required root neither shipped nor
    // written.
    let profile = site_profile(tmp.path(), &[("Other Root", &other.root, None, None, None)]);
    let text = std::fs::read_to_string(&profile)
        .unwrap()
        .replace("need = \"recommended\"", "need = \"required\"");
    std::fs::write(&profile, text).unwrap();
    let text = extract(&profile, &tmp.path().join("o2"));
    assert!(
        text.contains(
            "profile site also requires \"Other Root\", neither shipped nor written: certbundle fetch it into the folder first, or add --allow-missing"
        ),
        "{text}"
    );
}

#[test]
fn build_from_signed_takes_a_bounded_number_of_ca_certificates_per_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root_with(ca_params("Many Root"), ec_key());
    // 70 distinct CA certificates.
    let certs = numbered_copies(&root.der, 70);
    let file = write(
        tmp.path(),
        "many.exe",
        common::pe::with_certificate_table(&[common::der::signed_data(
            &certs,
            common::der::signer_info(b"k", &[], &[]),
        )]),
    );
    certbundle()
        .env("NO_COLOR", "1")
        .args(["build", "--profile", "none", "--now", NOW, "-o"])
        .arg(tmp.path().join("out"))
        .arg("--from-signed")
        .arg(&file)
        .assert()
        .stdout(predicate::str::contains(
            "carries 70 CA certificates: only the first 64 are taken",
        ))
        .stdout(predicate::str::contains(
            "Read 1 file(s): 64 certificate(s)",
        ));
}

#[test]
fn json_carries_the_next_step_the_text_prints() {
    let tmp = tempfile::tempdir().unwrap();
    let h = hierarchy("Json Next", false);
    let file = hand_signed(tmp.path(), "app.exe", &[(&[&h.leaf, &h.inter], &h.leaf)]);
    let out = tmp.path().join("from-app");
    let run = |json: bool| {
        let mut cmd = certbundle();
        cmd.env("NO_COLOR", "1")
            .args(["extract", "--now", "2041-01-01T00:00:00Z", "-o"])
            .arg(&out)
            .arg(&file);
        if json {
            cmd.arg("--json");
        }
        cmd.assert().success().get_output().stdout.clone()
    };
    let json = strict_json(run(true));
    let next = &json["next"];
    assert_eq!(next["action"], "build", "{next}");
    let args: Vec<&str> = next["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let folder = out.display().to_string();
    assert_eq!(
        args,
        [
            "build",
            "--now",
            "2041-01-01T00:00:00Z",
            "--allow-unpinned",
            "--allow-expired",
            folder.as_str()
        ]
    );
    let notes: Vec<&str> = next["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    // The text prints the same step: the same words, the same notes.
    let text = String::from_utf8(run(false)).unwrap();
    let line = text.lines().find_map(|l| l.strip_prefix("Next: ")).unwrap();
    assert_eq!(
        line,
        format!("certbundle {}   ({})", args.join(" "), notes.join("; "))
    );
    // Without -o nothing is written, and there is no next step.
    let json = certbundle()
        .args(["extract", "--json"])
        .arg(&file)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(strict_json(json)["next"].is_null());
}
