//! Test hierarchies generated at test time with rcgen (keys never leave memory), and helpers to
//! drive the real binary.
#![allow(dead_code)]

pub mod der;
pub mod pe;
pub mod powershell;
pub mod tsa;
pub mod wine;
pub mod wine_case;
pub mod winexe;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SignatureAlgorithm,
};

/// The instant every test evaluates validity at.
pub const NOW: &str = "2026-12-01T00:00:00Z";
/// A fixed SOURCE_DATE_EPOCH (2026-11-25T00:00:00Z).
pub const EPOCH: &str = "1795564800";

/// A generated CA: its certificate and the key that signs for it.
pub struct Ca {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub der: Vec<u8>,
}

impl Ca {
    pub fn pem(&self) -> String {
        pem::encode(&pem::Pem::new("CERTIFICATE", self.der.clone()))
    }

    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
}

pub fn ymd(y: i32, m: u8, d: u8) -> time::OffsetDateTime {
    rcgen::date_time_ymd(y, m, d)
}

/// CA parameters valid 2020-2040 with keyCertSign.
pub fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "certbundle tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p.not_before = ymd(2020, 1, 1);
    p.not_after = ymd(2040, 1, 1);
    p.use_authority_key_identifier_extension = true;
    p
}

pub fn ec_key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

pub fn ec384_key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap()
}

/// An RSA key (generated once per size and process: RSA key generation is slow).
pub fn rsa_key(bits: usize) -> KeyPair {
    static KEYS: OnceLock<std::sync::Mutex<std::collections::BTreeMap<usize, Vec<u8>>>> =
        OnceLock::new();
    let keys = KEYS.get_or_init(Default::default);
    let der = keys
        .lock()
        .unwrap()
        .entry(bits)
        .or_insert_with(|| {
            use rsa::pkcs8::EncodePrivateKey;
            let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, bits).unwrap();
            key.to_pkcs8_der().unwrap().as_bytes().to_vec()
        })
        .clone();
    let alg: &'static SignatureAlgorithm = &rcgen::PKCS_RSA_SHA256;
    KeyPair::from_pkcs8_der_and_sign_algo(&der.as_slice().into(), alg).unwrap()
}

/// A self-signed root.
pub fn root_with(params: CertificateParams, key: KeyPair) -> Ca {
    let der = params.self_signed(&key).unwrap().der().to_vec();
    Ca { params, key, der }
}

pub fn root(cn: &str) -> Ca {
    root_with(ca_params(cn), ec_key())
}

/// A certificate for `params` and `key`, signed by `issuer`.
pub fn issued_with(params: CertificateParams, key: KeyPair, issuer: &Ca) -> Ca {
    let der = params
        .signed_by(&key, &issuer.issuer())
        .unwrap()
        .der()
        .to_vec();
    Ca { params, key, der }
}

pub fn intermediate(cn: &str, issuer: &Ca) -> Ca {
    let mut p = ca_params(cn);
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::CodeSigning,
        ExtendedKeyUsagePurpose::TimeStamping,
    ];
    issued_with(p, ec_key(), issuer)
}

pub fn leaf(cn: &str, issuer: &Ca) -> Ca {
    let mut p = ca_params(cn);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::CodeSigning];
    issued_with(p, ec_key(), issuer)
}

/// The DER with its signature's last byte changed: still parses, no longer verifies.
pub fn corrupt_signature(der: &[u8]) -> Vec<u8> {
    let mut bad = der.to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 0x5a;
    bad
}

pub fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Every subcommand of the clap definitions (no `help`: clap adds it when the command is built)
/// with its long options, in the order `--help` lists them.
pub fn subcommands() -> Vec<(String, Vec<String>)> {
    use clap::CommandFactory;
    certbundle::cli::Cli::command()
        .get_subcommands()
        .map(|c| {
            let longs = c
                .get_arguments()
                .filter_map(|a| a.get_long())
                .map(str::to_string)
                .collect();
            (c.get_name().to_string(), longs)
        })
        .collect()
}

/// The binary, with a clean environment for deterministic output.
pub fn certbundle() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("certbundle").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH").env("NO_COLOR", "1");
    cmd
}

/// What `cmd` printed on stdout (UTF-8), once it succeeded.
pub fn success_stdout(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).expect("UTF-8 on stdout")
}

/// Every path under `dir` (hidden ones included), relative, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    if !dir.exists() {
        return Vec::new();
    }
    let mut all: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            e.unwrap()
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    all.sort();
    all
}

/// A folder with a valid root -> intermediate pair, in PEM and DER.
pub fn good_input(dir: &Path) -> PathBuf {
    let input = dir.join("input");
    let root = root("Good Root");
    let inter = intermediate("Good Intermediate", &root);
    write(&input, "root.pem", root.pem());
    write(&input, "intermediate.cer", &inter.der);
    input
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A certs-only PKCS#7 SignedData holding `certs` (what `openssl crl2pkcs7 -nocrl` writes).
pub fn pkcs7(certs: &[&[u8]]) -> Vec<u8> {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        let len = content.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = (len as u32).to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (4 - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
        out.extend_from_slice(content);
        out
    }
    let oid_signed = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
    ];
    let oid_data = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
    ];
    let mut signed = vec![0x02, 0x01, 0x01]; // version
    signed.extend(tlv(0x31, &[])); // digestAlgorithms
    signed.extend(tlv(0x30, &oid_data)); // encapContentInfo
    signed.extend(tlv(0xa0, &certs.concat())); // [0] certificates
    signed.extend(tlv(0x31, &[])); // signerInfos
    let content = [oid_signed.to_vec(), tlv(0xa0, &tlv(0x30, &signed))].concat();
    tlv(0x30, &content)
}

/// Builds a bundle named `name` from `input` with profile none, reproducibly; returns its
/// folder, zip and digest.
pub fn build_bundle(dir: &Path, input: &Path, name: &str) -> (PathBuf, PathBuf, String) {
    let out = dir.join("out");
    let assert = certbundle()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args([
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--json",
            "--name",
            name,
            "-o",
        ])
        .arg(&out)
        .arg(input)
        .assert()
        .success();
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let digest = json["outcome"]["digest"].as_str().unwrap().to_string();
    (out.join(name), out.join(format!("{name}.zip")), digest)
}

/// A test that needs `tool` cannot find it: it fails, saying why. Tests that need a tool are
/// marked `#[cfg_attr(not(has_<tool>), ignore = "needs <tool> ...")]`, so that they show as
/// ignored where the tool is missing (build.rs looks for it on PATH); they reach this only when
/// build.rs saw the tool but the test cannot run it, or when `CERTBUNDLE_REQUIRE_TOOLS` (`.ci/run`
/// lists there every tool it found) names a tool that is missing. Either way a test never passes
/// without having run.
pub fn tool_missing(tool: &str, why: &str) {
    let required = std::env::var("CERTBUNDLE_REQUIRE_TOOLS").unwrap_or_default();
    if required.split_whitespace().any(|t| t == tool) {
        panic!(
            "{tool} is required (CERTBUNDLE_REQUIRE_TOOLS={required:?}) but the test cannot find it: {why}"
        );
    }
    panic!(
        "{tool} was on PATH when the tests were built but the test cannot run it: {why} \
         (after installing or removing a tool, `cargo test` rebuilds and marks the test ignored or not)"
    );
}

/// Panics when any object in `json` repeats a key. serde_json keeps the last silently; Windows
/// PowerShell's `ConvertFrom-Json` rejects the whole document, and administrators read our JSON
/// with it.
pub fn assert_no_duplicate_keys(json: &[u8]) {
    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    struct Strict;
    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(StrictVisitor)
        }
    }
    struct StrictVisitor;
    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Strict;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, _: bool) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_str<E>(self, _: &str) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_unit<E>(self) -> Result<Strict, E> {
            Ok(Strict)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
            while seq.next_element::<Strict>()?.is_some() {}
            Ok(Strict)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
            let mut keys = std::collections::BTreeSet::new();
            while let Some(key) = map.next_key::<String>()? {
                if !keys.insert(key.clone()) {
                    return Err(serde::de::Error::custom(format!("duplicate key {key:?}")));
                }
                map.next_value::<Strict>()?;
            }
            Ok(Strict)
        }
    }
    let mut de = serde_json::Deserializer::from_slice(json);
    if let Err(e) = Strict::deserialize(&mut de) {
        panic!("JSON output is not strict: {e}");
    }
}

/// JSON the tool wrote, checked for repeated keys ([`assert_no_duplicate_keys`]) and parsed.
pub fn strict_json(bytes: impl AsRef<[u8]>) -> serde_json::Value {
    assert_no_duplicate_keys(bytes.as_ref());
    serde_json::from_slice(bytes.as_ref()).unwrap()
}

/// The subject key identifier of a certificate (rcgen writes one into every certificate).
pub fn ski_bytes(der: &[u8]) -> Vec<u8> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).unwrap();
    cert.extensions()
        .iter()
        .find_map(|e| match e.parsed_extension() {
            x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(k) => Some(k.0.to_vec()),
            _ => None,
        })
        .unwrap()
}

/// `n` distinct certificates from one: the same bytes with the last four (inside the signature
/// value) numbered. They parse; their signatures no longer verify.
pub fn numbered_copies(der: &[u8], n: u32) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| {
            let mut copy = der.to_vec();
            let len = copy.len();
            copy[len - 4..].copy_from_slice(&i.to_be_bytes());
            copy
        })
        .collect()
}

/// A PE file in `dir` with one certificate-table entry per signature, each carrying `certs` and
/// naming `signer` (by key identifier), built by hand (`super::der`), so the tests that use it
/// need no osslsigncode. The signature bytes are not a real signature: `extract` reads what a
/// file carries and never checks it.
pub fn hand_signed(dir: &Path, name: &str, signatures: &[(&[&Ca], &Ca)]) -> PathBuf {
    let entries: Vec<Vec<u8>> = signatures
        .iter()
        .map(|(certs, signer)| {
            let ders: Vec<Vec<u8>> = certs.iter().map(|c| c.der.clone()).collect();
            let ski = ski_bytes(&signer.der);
            der::signed_data(&ders, der::signer_info(&ski, &[], &[]))
        })
        .collect();
    write(dir, name, pe::with_certificate_table(&entries))
}

/// Copies the folder `from`, with everything in it, to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
