//! Snapshots of the rendered bundle files for a fixed input (real roots and committed generated
//! certificates, so thumbprints never change): every change to README.txt or manifest.json is a
//! reviewed diff.

use crate::common::*;
use certbundle::{load, plan, render, verify};
use time::format_description::well_known::Rfc3339;

pub(crate) fn rendered(inputs: &[std::path::PathBuf]) -> render::Rendered {
    let loaded = load::from_paths(inputs).unwrap();
    let now = time::OffsetDateTime::parse(NOW, &Rfc3339).unwrap();
    let checked = verify::check(&loaded.items, &verify::Policy::unpinned(now, false));
    let spec = plan::Spec {
        name: "snapshot-certs-20261125".into(),
        created: time::OffsetDateTime::from_unix_timestamp(EPOCH.parse().unwrap()).unwrap(),
        profile: "none".into(),
        profile_source: "none".into(),
        allow_expired: false,
        allow_unpinned: false,
        allow_missing: false,
        custom_templates: vec![],
    };
    let plan = plan::bundle(&checked, spec).unwrap();
    render::all(&plan, &render::Templates::embedded()).unwrap()
}

pub(crate) fn text(r: &render::Rendered, path: &str) -> String {
    String::from_utf8(r.files[path].clone()).unwrap()
}

#[test]
fn readme_manifest_and_sums_snapshots() {
    let r = rendered(&[
        fixture("roots/DigiCert_Assured_ID_Root_CA.pem"),
        fixture("roots/ISRG_Root_X2.pem"),
        fixture("generated/sha1-root.pem"),
        fixture("generated/sha1-intermediate.pem"),
    ]);
    let readme = text(&r, "README.txt");
    assert!(readme.starts_with('\u{feff}'));
    insta::assert_snapshot!(
        "README.txt",
        readme.trim_start_matches('\u{feff}').replace("\r\n", "\n")
    );
    insta::assert_snapshot!("manifest.json", text(&r, "manifest.json"));
    // The scripts, every line of them: a change to what runs as Administrator is a reviewed diff.
    // (Stored with LF; the encoding tests check the CRLF bytes.)
    for script in [
        "Install-Certificates.ps1",
        "Deploy-Certificates.ps1",
        "Install.cmd",
        "Install-Certutil.cmd",
        "Publish-Domain.cmd",
    ] {
        insta::assert_snapshot!(script, text(&r, script).replace("\r\n", "\n"));
    }
    insta::assert_snapshot!("SHA256SUMS", text(&r, "SHA256SUMS"));
    assert_eq!(
        r.digest,
        certbundle::hex::sha256_lower(&r.files["SHA256SUMS"])
    );
}

#[test]
fn hostile_certificate_text_is_neutralised_in_readme() {
    let tmp = tempfile::tempdir().unwrap();
    let evil = root("Evil\u{1b}[2J\r\ncertutil -delstore Root *\u{202e}");
    let file = write(tmp.path(), "evil.pem", evil.pem());
    let r = rendered(&[file]);
    let readme = text(&r, "README.txt");
    assert!(
        !readme.contains('\u{1b}') && !readme.contains('\u{202e}'),
        "{readme}"
    );
    assert!(
        !readme.contains("\r\ncertutil -delstore Root *"),
        "a subject must not inject lines: {readme}"
    );
    assert!(
        readme.contains("Evil\\u{001B}[2J\\u{000D}\\u{000A}certutil -delstore Root *\\u{202E}"),
        "{readme}"
    );
    // File names carry only the safe characters.
    let cert = r
        .files
        .keys()
        .find(|k| k.starts_with("certs/Root/"))
        .unwrap();
    assert!(
        cert.trim_start_matches("certs/Root/")
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
        "{cert}"
    );
}
