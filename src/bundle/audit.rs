//! Auditing a bundle read into memory: every file against `SHA256SUMS`, the manifest against the
//! certificates, and no key material anywhere. Pure: no filesystem, never prints.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::Tree;
use crate::layout::{self, REQUIRED_FILES};
use crate::load::{self, Item, Origin};
use crate::manifest::{self, ManifestCertificate};
use crate::verify::{self, CertSummary, Policy};

/// What kind of problem a bundle has (kebab-case in JSON and in text).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum ProblemCode {
    /// A zip entry or folder entry that is refused before anything is read.
    UnsafeEntry,
    /// A file that should be there is not.
    MissingFile,
    /// A file that is in no list.
    ExtraFile,
    /// A file whose SHA-256 differs from `SHA256SUMS`.
    HashMismatch,
    /// `SHA256SUMS` cannot be read.
    BadSums,
    /// `manifest.json` cannot be read.
    BadManifest,
    /// The manifest and the certificates disagree.
    ManifestMismatch,
    /// A certificate file is not a valid certificate.
    BadCertificate,
    /// A file holds private key material.
    PrivateKey,
}

impl ProblemCode {
    /// The kebab-case code.
    pub(crate) fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One thing wrong with a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Problem {
    /// Stable code.
    pub(crate) code: ProblemCode,
    /// The file inside the bundle (empty for the bundle as a whole).
    pub(crate) path: String,
    /// One sentence.
    pub(crate) message: String,
}

/// The outcome of auditing a bundle.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Audit {
    /// SHA-256 of `SHA256SUMS`, lower-case hex, when there is one.
    pub(crate) digest: Option<String>,
    /// Files whose hash matched `SHA256SUMS`.
    pub(crate) files_ok: usize,
    /// Certificates described by the manifest and found intact.
    pub(crate) certificates: usize,
    /// Installer reports found under `reports/` (listed, never problems).
    pub(crate) reports: Vec<String>,
    /// Everything wrong, in path order.
    pub(crate) problems: Vec<Problem>,
}

impl Audit {
    /// True when nothing is wrong.
    pub(crate) fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn problem(code: ProblemCode, path: &str, message: impl Into<String>) -> Problem {
    Problem {
        code,
        path: path.into(),
        message: message.into(),
    }
}

/// Audits a bundle read by [`super::read`].
pub(crate) fn audit(tree: &Tree) -> Audit {
    let mut audit = Audit {
        digest: None,
        files_ok: 0,
        certificates: 0,
        reports: tree.reports.clone(),
        problems: tree.refused.clone(),
    };
    if !tree.refused.is_empty() {
        return audit; // nothing from an unsafe bundle is trusted, or even read
    }
    let Some(sums) = tree.files.get(layout::SUMS) else {
        audit.problems.push(problem(
            ProblemCode::MissingFile,
            "SHA256SUMS",
            "no SHA256SUMS: this is not a bundle, or it lost its checksums",
        ));
        return audit;
    };
    audit.digest = Some(crate::hex::sha256_lower(sums));
    let listed = check_sums(tree, sums, &mut audit);
    for required in REQUIRED_FILES {
        if !listed.contains(*required) && tree.files.contains_key(*required) {
            audit.problems.push(problem(
                ProblemCode::MissingFile,
                required,
                "not listed in SHA256SUMS",
            ));
        }
    }
    for (path, bytes) in &tree.files {
        if path != layout::SUMS && load::holds_private_key(bytes) {
            audit.problems.push(problem(
                ProblemCode::PrivateKey,
                path,
                "holds private key material: a bundle must never carry keys",
            ));
        }
    }
    check_manifest(tree, &mut audit);
    audit
        .problems
        .sort_by(|a, b| (&a.path, a.code).cmp(&(&b.path, b.code)));
    audit
}

/// Checks every line of `SHA256SUMS` and every file; returns the listed paths.
fn check_sums(tree: &Tree, sums: &[u8], audit: &mut Audit) -> BTreeSet<String> {
    let mut listed = BTreeSet::new();
    let text = String::from_utf8_lossy(sums);
    for (n, line) in text.lines().enumerate() {
        let Some((hash, path)) = parse_sums_line(line) else {
            audit.problems.push(problem(
                ProblemCode::BadSums,
                "SHA256SUMS",
                format!("line {} is not \"<sha256>  <path>\"", n + 1),
            ));
            continue;
        };
        if layout::is_report_path(path) {
            audit.problems.push(problem(
                ProblemCode::BadSums,
                "SHA256SUMS",
                format!(
                    "line {} lists {path}: reports/ is where installers write, never part of a bundle",
                    n + 1
                ),
            ));
            continue;
        }
        if !listed.insert(path.to_string()) {
            audit.problems.push(problem(
                ProblemCode::BadSums,
                "SHA256SUMS",
                format!("line {} lists {path} a second time", n + 1),
            ));
            continue;
        }
        match tree.files.get(path) {
            None => audit.problems.push(problem(
                ProblemCode::MissingFile,
                path,
                "listed in SHA256SUMS but not in the bundle",
            )),
            Some(bytes) => {
                let actual = crate::hex::sha256_lower(bytes);
                if actual.eq_ignore_ascii_case(hash) {
                    audit.files_ok += 1;
                } else {
                    audit.problems.push(problem(
                        ProblemCode::HashMismatch,
                        path,
                        format!(
                            "SHA-256 is {actual}, SHA256SUMS says {}",
                            hash.to_ascii_lowercase()
                        ),
                    ));
                }
            }
        }
    }
    for path in tree.files.keys() {
        if path != layout::SUMS && !listed.contains(path) {
            audit.problems.push(problem(
                ProblemCode::ExtraFile,
                path,
                "not listed in SHA256SUMS: added after the bundle was built",
            ));
        }
    }
    listed
}

/// `<64 hex>  <path>` (or `<64 hex> *<path>`), with a safe relative path.
fn parse_sums_line(line: &str) -> Option<(&str, &str)> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (hash, rest) = line.split_at_checked(64)?;
    if !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let path = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    let safe = !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && path.split('/').all(|p| !matches!(p, "" | "." | ".."));
    safe.then_some((hash, path))
}

fn check_manifest(tree: &Tree, audit: &mut Audit) {
    let Some(bytes) = tree.files.get(layout::MANIFEST) else {
        audit.problems.push(problem(
            ProblemCode::MissingFile,
            "manifest.json",
            "no manifest.json",
        ));
        return;
    };
    let manifest = match manifest::parse(bytes) {
        Ok(m) => m,
        Err(why) => {
            audit
                .problems
                .push(problem(ProblemCode::BadManifest, "manifest.json", why));
            return;
        }
    };
    for script in &manifest.scripts {
        if !tree.files.contains_key(&script.file) {
            audit.problems.push(problem(
                ProblemCode::MissingFile,
                &script.file,
                "manifest.json lists this script, but it is not in the bundle",
            ));
        }
    }
    let items: Vec<Item> = tree
        .files
        .iter()
        .filter(|(path, _)| layout::is_cert_path(path))
        .map(|(path, der)| Item {
            origin: Origin {
                path: path.into(),
                position: None,
            },
            der: der.clone(),
            defect: None,
        })
        .collect();
    // Only what the manifest describes matters here: not the clock, nor each certificate's
    // issuer (roles never depend on it; one signature check per certificate would be most of the
    // time `verify` takes).
    let policy = Policy {
        find_issuers: false,
        ..Policy::unpinned(time::OffsetDateTime::UNIX_EPOCH, true)
    };
    let checked = verify::check(&items, &policy);
    for f in &checked.rejected {
        audit.problems.push(problem(
            ProblemCode::BadCertificate,
            &f.file,
            f.message.clone(),
        ));
    }
    let by_file: BTreeMap<String, &CertSummary> = checked
        .certificates
        .iter()
        .map(|c| (c.file.to_string(), c))
        .collect();
    let mut described = BTreeSet::new();
    for m in &manifest.certificates {
        described.insert(m.file.clone());
        match by_file.get(&m.file) {
            None if checked.rejected.iter().any(|f| f.file == m.file) => {}
            None => audit.problems.push(problem(
                ProblemCode::ManifestMismatch,
                &m.file,
                "described in manifest.json but not in the bundle",
            )),
            Some(cert) => {
                let before = audit.problems.len();
                compare(m, cert, &mut audit.problems);
                if audit.problems.len() == before {
                    audit.certificates += 1;
                }
            }
        }
    }
    for cert in &checked.certificates {
        let file = cert.file.to_string();
        if !described.contains(&file) {
            audit.problems.push(problem(
                ProblemCode::ManifestMismatch,
                &file,
                "certificate not described in manifest.json",
            ));
        }
    }
}

fn compare(m: &ManifestCertificate, cert: &CertSummary, problems: &mut Vec<Problem>) {
    let mut differ = |field: &str, said: &str, actual: &str| {
        if said != actual {
            let (said, actual) = (
                crate::names::printable(said),
                crate::names::printable(actual),
            );
            problems.push(problem(
                ProblemCode::ManifestMismatch,
                &m.file,
                format!("manifest.json says {field} {said}, the certificate has {actual}"),
            ));
        }
    };
    let date = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let store = cert.store.map(|s| s.as_str()).unwrap_or("none");
    let folder = layout::cert_store_folder(&m.file).unwrap_or("");
    differ("sha256", &m.sha256.to_ascii_uppercase(), &cert.sha256);
    differ("sha1", &m.sha1.to_ascii_uppercase(), &cert.sha1);
    differ("subject", &m.subject, &cert.subject);
    differ("issuer", &m.issuer, &cert.issuer);
    differ("serial", &m.serial, &cert.serial);
    differ("not_before", &date(m.not_before), &date(cert.not_before));
    differ("not_after", &date(m.not_after), &date(cert.not_after));
    differ("role", m.role.as_str(), cert.role.as_str());
    differ("store", m.store.as_str(), store);
    differ("store (from its folder)", folder, store);
}

#[cfg(test)]
mod tests {
    use super::parse_sums_line;

    #[test]
    fn sums_lines() {
        let h = "a".repeat(64);
        assert_eq!(
            parse_sums_line(&format!("{h}  README.txt")),
            Some((h.as_str(), "README.txt"))
        );
        assert_eq!(
            parse_sums_line(&format!("{h} *certs/CA/x.cer")),
            Some((h.as_str(), "certs/CA/x.cer"))
        );
        assert_eq!(parse_sums_line(&format!("{h}  ../x")), None);
        assert_eq!(parse_sums_line(&format!("{h}  /etc/x")), None);
        assert_eq!(parse_sums_line(&format!("{h} x")), None);
        assert_eq!(parse_sums_line("zz  x"), None);
    }
}
