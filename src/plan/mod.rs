//! Planning: verified certificates + the bundle's spec -> where every certificate goes and what
//! the manifest says. Pure: no filesystem, no clock, never prints. Refuses while any error finding
//! remains, so nothing downstream can write a bundle that failed verification.

use std::collections::BTreeSet;

use time::OffsetDateTime;

use crate::layout;
use crate::limits::MAX_CERTIFICATES;
use crate::manifest::{
    Generator, MANIFEST_SCHEMA, Manifest, ManifestCertificate, ManifestFinding, ManifestScript,
    MissingCertificate, Options,
};
use crate::verify::{CertSummary, Checked, Severity, Store};

/// What the user asked the bundle to be.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Bundle name: the folder, the zip's stem and its top folder.
    pub name: String,
    /// Creation time written into the bundle (`SOURCE_DATE_EPOCH`, else the clock).
    pub created: OffsetDateTime,
    /// Profile name: the profile's own `name`, or `none`.
    pub profile: String,
    /// Where the profile came from: `built-in`, `file <file name>`, or `none`.
    pub profile_source: String,
    /// `--allow-expired` was given.
    pub allow_expired: bool,
    /// `--allow-unpinned` was given.
    pub allow_unpinned: bool,
    /// `--allow-missing` was given.
    pub allow_missing: bool,
    /// Templates replaced with `--templates` (file names), recorded in the manifest.
    pub custom_templates: Vec<String>,
}

/// One certificate's place in the bundle.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Path inside the bundle, `/`-separated: `certs/Root/<Name>_<SHA1-8>.cer`.
    pub(crate) path: String,
    /// The certificate.
    pub(crate) cert: CertSummary,
}

impl Entry {
    /// The store it goes into (entries are never leaves).
    pub(crate) fn store(&self) -> Store {
        self.cert.store.unwrap_or(Store::CA)
    }
}

/// The whole bundle, decided.
#[derive(Debug, Clone)]
pub struct Plan {
    /// What was asked.
    pub(crate) spec: Spec,
    /// Certificates sorted by path.
    pub(crate) entries: Vec<Entry>,
    /// Profile certificates not in the bundle (listed in the manifest and README.txt).
    pub(crate) missing: Vec<crate::profile::Pin>,
}

/// Why the build cannot go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Findings of severity error remain.
    #[error("{0} error finding(s): no bundle written")]
    Errors(usize),
    /// Nothing to put in a bundle.
    #[error("no certificates to bundle")]
    Empty,
    /// More certificates than one bundle can hold ([`crate::limits::MAX_CERTIFICATES`]).
    #[error("{count} certificates to bundle, more than the {max} one bundle can hold")]
    TooManyCertificates {
        /// Certificates that would go into the bundle.
        count: usize,
        /// The limit.
        max: usize,
    },
}

/// Decides the bundle, or refuses when verification left errors, nothing to install, or more
/// than [`MAX_CERTIFICATES`].
pub fn bundle(checked: &Checked, spec: Spec) -> Result<Plan, Refused> {
    let errors = checked.count(Severity::Error);
    if errors > 0 {
        return Err(Refused::Errors(errors));
    }
    if checked.certificates.is_empty() {
        return Err(Refused::Empty);
    }
    if checked.certificates.len() > MAX_CERTIFICATES {
        return Err(Refused::TooManyCertificates {
            count: checked.certificates.len(),
            max: MAX_CERTIFICATES,
        });
    }
    let mut certs: Vec<&CertSummary> = checked.certificates.iter().collect();
    certs.sort_by(|a, b| (a.store, &a.name, &a.sha1).cmp(&(b.store, &b.name, &b.sha1)));
    let mut taken = BTreeSet::new();
    let mut entries: Vec<Entry> = certs
        .into_iter()
        .map(|cert| Entry {
            path: unique_path(cert, &mut taken),
            cert: cert.clone(),
        })
        .collect();
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan {
        spec,
        entries,
        missing: checked.missing_pins.clone(),
    })
}

/// `certs/<Store>/<Name>_<SHA1 first 8>.cer`, with more of the thumbprint when two certificates
/// would otherwise share a name (compared case-insensitively, as Windows does).
fn unique_path(cert: &CertSummary, taken: &mut BTreeSet<String>) -> String {
    let store = cert.store.unwrap_or(Store::CA).as_str();
    for digits in [layout::SHORT_THUMBPRINT, 16, 40] {
        let path = layout::cert_path(
            store,
            &layout::cert_file_name(&cert.name, &cert.sha1, digits),
        );
        if taken.insert(path.to_ascii_lowercase()) {
            return path;
        }
    }
    unreachable!(
        "two distinct certificates never share a full SHA-1 in one store: they were deduplicated by SHA-256"
    )
}

/// The manifest for a plan.
pub(crate) fn manifest(plan: &Plan) -> Manifest {
    Manifest {
        schema: MANIFEST_SCHEMA.into(),
        generator: Generator {
            name: env!("CARGO_PKG_NAME").into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        bundle: plan.spec.name.clone(),
        created: plan.spec.created,
        profile: plan.spec.profile.clone(),
        profile_source: plan.spec.profile_source.clone(),
        options: Options {
            allow_expired: plan.spec.allow_expired,
            allow_unpinned: plan.spec.allow_unpinned,
            allow_missing: plan.spec.allow_missing,
            custom_templates: plan.spec.custom_templates.clone(),
        },
        certificates: plan
            .entries
            .iter()
            .map(|e| ManifestCertificate {
                file: e.path.clone(),
                store: e.store(),
                role: e.cert.role,
                subject: e.cert.subject.clone(),
                issuer: e.cert.issuer.clone(),
                serial: e.cert.serial.clone(),
                not_before: e.cert.not_before,
                not_after: e.cert.not_after,
                sha1: e.cert.sha1.clone(),
                sha256: e.cert.sha256.clone(),
                pinned: e.cert.pinned,
                purpose: e.cert.purpose.clone(),
                evidence: e.cert.evidence.map(String::from),
                findings: e
                    .cert
                    .findings
                    .iter()
                    .map(|f| ManifestFinding {
                        code: f.code,
                        severity: f.severity,
                        message: f.message.clone(),
                    })
                    .collect(),
            })
            .collect(),
        missing: plan
            .missing
            .iter()
            .map(|p| MissingCertificate {
                name: p.name.clone(),
                sha1: p.sha1.clone(),
                sha256: p.sha256.clone(),
                need: p.need,
                evidence: p.evidence,
                urls: p.urls.clone(),
            })
            .collect(),
        scripts: crate::layout::SCRIPTS
            .iter()
            .map(|(file, purpose)| ManifestScript {
                file: (*file).into(),
                purpose: (*purpose).into(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::Origin;
    use crate::verify::Code;
    use crate::verify::{CertSummary, Role};

    fn summary(name: &str, sha1: &str, role: Role) -> CertSummary {
        CertSummary {
            der: vec![0x30],
            file: Origin {
                path: "x".into(),
                position: None,
            },
            name: name.into(),
            subject: format!("CN={name}"),
            issuer: format!("CN={name}"),
            serial: "01".into(),
            not_before: OffsetDateTime::UNIX_EPOCH,
            not_after: OffsetDateTime::UNIX_EPOCH,
            sha1: sha1.into(),
            sha256: format!("{sha1}{sha1}"),
            role,
            store: role.store(),
            ca: true,
            self_signed: role == Role::Root,
            version: 3,
            key: "EC P-256".into(),
            signature_algorithm: "ecdsa-with-SHA256".into(),
            issuer_sha256: None,
            pinned: false,
            purpose: None,
            purposes: vec![],
            evidence: None,
            findings: vec![],
        }
    }

    fn spec() -> Spec {
        Spec {
            name: "b".into(),
            created: OffsetDateTime::UNIX_EPOCH,
            profile: "none".into(),
            profile_source: "none".into(),
            allow_expired: false,
            allow_unpinned: false,
            allow_missing: false,
            custom_templates: vec![],
        }
    }

    #[test]
    fn names_grow_until_unique_even_when_only_case_differs() {
        let a = "ABCDEF0123456789ABCDEF0123456789ABCDEF01";
        let b = "ABCDEF0123456789FFFFFFFFFFFFFFFFFFFFFFFF";
        let c = "ABCDEF0123456789ABCDEF0123456789ABCDEF02";
        let checked = Checked {
            certificates: vec![
                summary("Same", a, Role::Root),
                summary("Same", b, Role::Root),
                summary("same", c, Role::Root),
                summary("Same", a, Role::Intermediate),
            ],
            rejected: vec![],
            ..Default::default()
        };
        let plan = bundle(&checked, spec()).unwrap();
        let paths: Vec<&str> = plan.entries.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec![
                "certs/CA/Same_ABCDEF01.cer",
                "certs/Root/Same_ABCDEF01.cer",
                "certs/Root/Same_ABCDEF0123456789.cer",
                "certs/Root/same_ABCDEF0123456789ABCDEF0123456789ABCDEF02.cer",
            ]
        );
    }

    #[test]
    fn refuses_errors_and_empty_sets() {
        let mut leaf = summary("Leaf", "AA", Role::Leaf);
        leaf.findings.push(crate::verify::Finding {
            code: Code::NotCa,
            severity: Severity::Error,
            file: "x".into(),
            message: "m".into(),
        });
        let checked = Checked {
            certificates: vec![leaf],
            rejected: vec![],
            ..Default::default()
        };
        assert_eq!(bundle(&checked, spec()).unwrap_err(), Refused::Errors(1));
        assert_eq!(
            bundle(&Checked::default(), spec()).unwrap_err(),
            Refused::Empty
        );
    }

    #[test]
    fn refuses_more_certificates_than_a_bundle_holds() {
        let many = |n: usize| Checked {
            certificates: (0..n)
                .map(|i| summary(&format!("R{i}"), &format!("{i:040X}"), Role::Root))
                .collect(),
            rejected: vec![],
            ..Default::default()
        };
        let plan = bundle(&many(MAX_CERTIFICATES), spec()).unwrap();
        assert_eq!(plan.entries.len(), MAX_CERTIFICATES);
        assert_eq!(
            bundle(&many(MAX_CERTIFICATES + 1), spec()).unwrap_err(),
            Refused::TooManyCertificates {
                count: MAX_CERTIFICATES + 1,
                max: MAX_CERTIFICATES
            }
        );
    }
}
