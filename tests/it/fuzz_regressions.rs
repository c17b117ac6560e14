//! The fuzz targets' inputs, run as tests (CONTRIBUTING.md, Fuzzing): every committed seed in
//! `fuzz/corpus/` passes its reader's first check (else the fuzzer starts from nothing), and every
//! input a fuzzer crashed a reader with is kept here, fed through the same entry point.

use std::path::PathBuf;

use certbundle::load::Content;

/// Every file in `folder` (relative to the crate) / `target`: name and bytes, sorted.
fn files_in(folder: &str, target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(folder)
        .join(target);
    let mut found: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    found.sort();
    found
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let found = files_in("fuzz/corpus", target);
    assert!(!found.is_empty(), "no seeds in fuzz/corpus/{target}");
    for (name, bytes) in &found {
        assert!(bytes.len() <= 10_000, "{target}/{name}: seeds stay small");
    }
    found
}

#[test]
fn certificate_seeds_are_certificates() {
    for (name, bytes) in seeds("load") {
        assert!(
            matches!(certbundle::load::classify(&bytes), Content::Certificates(ref c) if !c.is_empty()),
            "load/{name}"
        );
    }
    for (name, bytes) in seeds("pkcs7") {
        let certs = certbundle::load::pkcs7_certificates(&bytes).unwrap();
        assert!(!certs.is_empty(), "pkcs7/{name}");
    }
}

#[test]
fn bundle_zip_seeds_are_read_and_audited() {
    for (name, bytes) in seeds("bundle_zip") {
        // Cut from a real bundle: the audit misses the files left out, but the reader takes it.
        let problems = certbundle::fuzzing::bundle_zip(&bytes)
            .unwrap_or_else(|e| panic!("bundle_zip/{name}: {e}"));
        assert!(problems > 0, "bundle_zip/{name}: files are missing");
    }
    assert!(certbundle::fuzzing::bundle_zip(b"not a zip").is_err());
}

#[test]
fn report_seeds_are_reports_and_the_truncated_one_says_so() {
    for (name, bytes) in seeds("report") {
        let read = certbundle::fuzzing::report(&bytes);
        if name.contains("truncated") {
            assert!(read.unwrap_err().contains("truncated"), "report/{name}");
        } else {
            read.unwrap_or_else(|e| panic!("report/{name}: {e}"));
        }
    }
}

#[test]
fn profile_template_and_quoting_seeds_pass() {
    for (name, bytes) in seeds("profile") {
        let text = String::from_utf8(bytes).unwrap();
        certbundle::profile::Profile::parse(&name, &text)
            .unwrap_or_else(|e| panic!("profile/{name}: {e}"));
    }
    for (name, bytes) in seeds("template") {
        let (&pick, file) = bytes.split_first().unwrap();
        certbundle::fuzzing::template(pick, file)
            .unwrap_or_else(|e| panic!("template/{name}: {e}"));
    }
    for (name, bytes) in seeds("ps_literal") {
        let text = String::from_utf8(bytes).unwrap();
        let quoted = certbundle::render::filters::ps_literal(&text);
        assert_eq!(quoted.is_err(), text.contains('\t'), "ps_literal/{name}");
    }
}

#[test]
fn extract_seeds_are_signed_files_with_their_chains() {
    // Minimal PE files signed by osslsigncode with a test hierarchy (root, intermediate, signer;
    // see cli_extract.rs): one SHA-256 signature on a PE32+, and on a PE32 a SHA-1 signature with
    // a SHA-256 one nested in it.
    for (name, bytes) in seeds("extract") {
        let len = bytes.len() as u64;
        let read = certbundle::signed::extract_from(
            std::io::Cursor::new(bytes),
            len,
            std::path::Path::new(&name),
        )
        .unwrap_or_else(|e| panic!("extract/{name}: {e}"));
        assert!(
            read.problems.is_empty(),
            "extract/{name}: {:?}",
            read.problems
        );
        let signature = &read.signatures[0];
        assert_eq!(
            signature.chain.len(),
            2,
            "extract/{name}: signer and intermediate"
        );
        assert!(
            signature.missing_issuer.is_some(),
            "extract/{name}: the root is not in the file"
        );
        let nested = name.contains("nested");
        assert_eq!(
            signature.nested.len(),
            usize::from(nested),
            "extract/{name}"
        );
    }
}

/// Inputs a fuzz target crashed a reader with, one folder per target in `tests/fixtures/fuzz/`.
fn crashes(target: &str) -> Vec<(String, Vec<u8>)> {
    files_in("tests/fixtures/fuzz", target)
}

/// `load`, 2026-12-02: a PEM header with binary text after it (no complete block) sent
/// `classify` into the same text again for ever (a stack overflow, the process killed).
#[test]
fn load_binary_beside_a_broken_pem_block_is_refused_not_a_stack_overflow() {
    let found = crashes("load");
    assert!(!found.is_empty());
    for (name, bytes) in found {
        assert!(
            matches!(
                certbundle::load::classify(&bytes),
                Content::NotACertificate(_) | Content::Nothing { .. }
            ),
            "load/{name}"
        );
    }
}

/// The same recursion, one level per structure: certificates end to end (each read, then what
/// follows it looked at for keys) went as deep as the file is long.
#[test]
fn thousands_of_certificates_end_to_end_are_refused_not_a_stack_overflow() {
    let der = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples/certs/DigiCert_High_Assurance_EV_Root_CA.cer"),
    )
    .unwrap();
    let few = der.repeat(3);
    assert!(matches!(
        certbundle::load::classify(&few),
        Content::Certificates(_)
    ));
    let many = der.repeat(5000);
    assert!(matches!(
        certbundle::load::classify(&many),
        Content::NotACertificate(why) if why.contains("one after another")
    ));
}
