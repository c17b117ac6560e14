//! Rendering: a plan -> every file of the bundle as bytes, then `SHA256SUMS` over them and the
//! bundle digest. Templates are embedded (see [`Templates`]), may be overridden one by one, and are
//! fed one `Serialize` context through strict minijinja. In the script templates (`*.ps1.j2`,
//! `*.cmd.j2`) a value can only be printed through one of the [`filters`], and in the Ansible
//! YAML templates (`*.yml.j2`) only through `yaml` or `yaml_hex`: anything else is a render
//! error. Pure: no filesystem, never prints.

mod encoding;
pub mod filters;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use encoding::{Encoding, encode};

use crate::layout;
use crate::names;
use crate::plan::{self, Plan};

/// A template and the bundle file it becomes.
#[derive(Debug, Clone, Copy)]
struct BundleTemplate {
    /// Template name, as in `templates/`.
    template: &'static str,
    /// Path of the rendered file inside the bundle.
    output: &'static str,
    /// Its encoding.
    encoding: Encoding,
    /// When it is rendered: some carry the SHA-256 of files rendered before them.
    stage: Stage,
}

/// The order files are rendered in. Each stage may carry hashes of the stages before it; none
/// carries its own or a later one's, so the order is never circular.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    /// Needs no other file.
    First,
    /// The deployer: carries the installer's SHA-256 (`installer_sha256`), checks the text it
    /// read against it before sending it anywhere. So do the Ansible playbook and its README.
    Deployer,
    /// The launcher: rendered after every other file, with the SHA-256 of each file it runs or
    /// installs (`checked_files`, see [`LAUNCHER_RUNS`]).
    Launcher,
}

/// The scripts the launcher (`Install.cmd`) may start. With every certificate file they are what
/// it carries the SHA-256 of, copies into its private folder and checks before anything runs.
/// None of them holds the launcher's own hash, so the order is not circular.
pub const LAUNCHER_RUNS: &[&str] = &[
    layout::INSTALLER,
    layout::CERTUTIL_INSTALLER,
    layout::DEPLOY,
];

/// The rendered files of every bundle.
const BUNDLE_TEMPLATES: &[BundleTemplate] = &[
    BundleTemplate {
        template: "README.txt.j2",
        output: "README.txt",
        encoding: Encoding::Utf8BomCrlf,
        stage: Stage::First,
    },
    BundleTemplate {
        template: "Install-Certificates.ps1.j2",
        output: layout::INSTALLER,
        encoding: Encoding::AsciiCrlf,
        stage: Stage::First,
    },
    BundleTemplate {
        template: "Install-Certutil.cmd.j2",
        output: layout::CERTUTIL_INSTALLER,
        encoding: Encoding::AsciiCrlf,
        stage: Stage::First,
    },
    BundleTemplate {
        template: "Publish-Domain.cmd.j2",
        output: layout::PUBLISH,
        encoding: Encoding::AsciiCrlf,
        stage: Stage::First,
    },
    BundleTemplate {
        template: "ansible/install-certificates.yml.j2",
        output: layout::ANSIBLE_PLAYBOOK,
        encoding: Encoding::AsciiLf,
        stage: Stage::Deployer,
    },
    BundleTemplate {
        template: "ansible/inventory.example.yml.j2",
        output: "ansible/inventory.example.yml",
        encoding: Encoding::AsciiLf,
        stage: Stage::First,
    },
    BundleTemplate {
        template: "ansible/README.md.j2",
        output: "ansible/README.md",
        encoding: Encoding::AsciiLf,
        stage: Stage::Deployer,
    },
    BundleTemplate {
        template: "Deploy-Certificates.ps1.j2",
        output: layout::DEPLOY,
        encoding: Encoding::AsciiCrlf,
        stage: Stage::Deployer,
    },
    BundleTemplate {
        template: "Install.cmd.j2",
        output: layout::LAUNCHER,
        encoding: Encoding::AsciiCrlf,
        stage: Stage::Launcher,
    },
];

/// The folders every bundle has, even when empty.
const BUNDLE_DIRS: &[&str] = &["ansible", "certs", "certs/CA", "certs/Root", "reports"];

/// Template sources by name.
#[derive(Debug, Clone)]
pub struct Templates {
    sources: BTreeMap<&'static str, String>,
}

impl Templates {
    /// The templates built into the binary from `templates/`.
    pub fn embedded() -> Self {
        let sources = BTreeMap::from([
            (
                "README.txt.j2",
                include_str!("../../templates/README.txt.j2").to_string(),
            ),
            (
                "Install-Certificates.ps1.j2",
                include_str!("../../templates/Install-Certificates.ps1.j2").to_string(),
            ),
            (
                "Deploy-Certificates.ps1.j2",
                include_str!("../../templates/Deploy-Certificates.ps1.j2").to_string(),
            ),
            (
                "Install.cmd.j2",
                include_str!("../../templates/Install.cmd.j2").to_string(),
            ),
            (
                "Publish-Domain.cmd.j2",
                include_str!("../../templates/Publish-Domain.cmd.j2").to_string(),
            ),
            (
                "ansible/install-certificates.yml.j2",
                include_str!("../../templates/ansible/install-certificates.yml.j2").to_string(),
            ),
            (
                "ansible/inventory.example.yml.j2",
                include_str!("../../templates/ansible/inventory.example.yml.j2").to_string(),
            ),
            (
                "ansible/README.md.j2",
                include_str!("../../templates/ansible/README.md.j2").to_string(),
            ),
            (
                "Install-Certutil.cmd.j2",
                include_str!("../../templates/Install-Certutil.cmd.j2").to_string(),
            ),
            (
                "common.ps1.j2",
                include_str!("../../templates/common.ps1.j2").to_string(),
            ),
            (
                "private-folder.cmd.j2",
                include_str!("../../templates/private-folder.cmd.j2").to_string(),
            ),
        ]);
        Templates { sources }
    }

    /// The names of the templates, sorted.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.sources.keys().copied().collect()
    }

    /// The embedded templates with some replaced (`build --templates DIR`): file name -> source.
    /// A name that is not a certbundle template is an error, so a typo cannot go unnoticed.
    pub(crate) fn with_overrides(overrides: BTreeMap<String, String>) -> Result<Self, RenderError> {
        let mut templates = Self::embedded();
        for (name, source) in overrides {
            let Some((known, _)) = templates.sources.iter().find(|(k, _)| **k == name) else {
                return Err(RenderError::UnknownTemplate {
                    name,
                    known: templates
                        .sources
                        .keys()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            let known = *known;
            templates.sources.insert(known, source);
        }
        Ok(templates)
    }
}

/// A template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// `--templates DIR` holds a file that is no certbundle template.
    #[error("{name} is not a certbundle template (the templates are: {known})")]
    UnknownTemplate {
        /// The file name.
        name: String,
        /// The known names.
        known: String,
    },
    /// minijinja refused the template or its data.
    #[error("template {template}: {source}")]
    Template {
        /// Template name.
        template: String,
        /// minijinja's error (with line).
        source: minijinja::Error,
    },
    /// A file that must be ASCII came out with other characters.
    #[error(
        "template {template}: rendered text contains {found:?}, but {output} must be pure ASCII"
    )]
    NotAscii {
        /// Template name.
        template: String,
        /// Output file.
        output: String,
        /// The first offending character.
        found: char,
    },
}

impl RenderError {
    /// What to do about it.
    pub(crate) fn hint(&self) -> String {
        match self {
            RenderError::UnknownTemplate { .. } => {
                "name override files exactly like the templates in certbundle's templates/ folder".into()
            }
            _ => "if you gave --templates, fix that template; otherwise report this with the command line that caused it".into(),
        }
    }
}

/// Every file of a bundle, in memory, sorted by path.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Bundle name (the top folder).
    pub(crate) name: String,
    /// Path (`/`-separated, relative to the bundle folder) -> bytes. Includes `SHA256SUMS`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Folders, including empty ones.
    pub(crate) dirs: BTreeSet<String>,
    /// SHA-256 of `SHA256SUMS`, lower-case hex.
    pub digest: String,
}

/// Renders every file of the bundle.
pub fn all(plan: &Plan, templates: &Templates) -> Result<Rendered, RenderError> {
    let mut files = Files::default();
    for entry in &plan.entries {
        files.add(entry.path.clone(), entry.cert.der.clone());
    }
    let manifest = plan::manifest(plan);
    let mut json = serde_json::to_vec_pretty(&manifest).expect("the manifest always serialises");
    json.push(b'\n');
    files.add("manifest.json".to_string(), json);

    let env = environment(templates)?;
    let context = Context::new(plan);
    // Converted once, not once per stage or template: the certificates are most of it. Each
    // stage adds what it learnt of the files rendered before it.
    let base = minijinja::Value::from(minijinja::value::Serde(&context));
    let mut learnt = Learnt::default();
    for stage in [Stage::First, Stage::Deployer, Stage::Launcher] {
        match stage {
            Stage::First => {}
            Stage::Deployer => {
                learnt.installer_sha256 = files.sha256[layout::INSTALLER].to_ascii_uppercase();
            }
            Stage::Launcher => {
                learnt.checked_files = checked_files(&files, &context.certificates);
                learnt.sums_size = sha256sums_size(
                    files.bytes.keys().map(String::as_str).chain(
                        BUNDLE_TEMPLATES
                            .iter()
                            .filter(|t| t.stage == Stage::Launcher)
                            .map(|t| t.output),
                    ),
                );
            }
        }
        let learnt_value = minijinja::Value::from(minijinja::value::Serde(&learnt));
        // Each name is in one of the two: which would win a clash (the last map) never matters.
        debug_assert!(
            learnt_value
                .try_iter()
                .into_iter()
                .flatten()
                .all(|key| base.get_item(&key).is_ok_and(|v| v.is_undefined())),
            "a name both in Context and in Learnt"
        );
        let value = minijinja::value::merge_maps([base.clone(), learnt_value]);
        for t in BUNDLE_TEMPLATES.iter().filter(|t| t.stage == stage) {
            files.add(t.output.to_string(), render_one(&env, t, &value)?);
        }
    }

    let sums = sha256sums(&files);
    debug_assert_eq!(
        sums.len(),
        learnt.sums_size,
        "the launcher carries another size"
    );
    files.add("SHA256SUMS".to_string(), sums.into_bytes());
    let digest = files.sha256["SHA256SUMS"].clone();
    let dirs = BUNDLE_DIRS.iter().map(|d| d.to_string()).collect();
    Ok(Rendered {
        name: plan.spec.name.clone(),
        files: files.bytes,
        dirs,
        digest,
    })
}

fn render_one(
    env: &minijinja::Environment<'static>,
    t: &BundleTemplate,
    context: &minijinja::Value,
) -> Result<Vec<u8>, RenderError> {
    let text = env
        .get_template(t.template)
        .and_then(|tpl| tpl.render(context))
        .map_err(|source| RenderError::Template {
            template: t.template.into(),
            source,
        })?;
    encode(&text, t)
}

/// What the launcher checks: the scripts it may start, then every certificate file (roots
/// first), each with the SHA-256 of its rendered bytes.
fn checked_files(files: &Files, certificates: &[CertificateInfo]) -> Vec<CheckedFile> {
    LAUNCHER_RUNS
        .iter()
        .map(|name| name.to_string())
        .chain(certificates.iter().map(|c| c.file.clone()))
        .map(|file| {
            let path = file.replace('\\', "/");
            CheckedFile {
                sha256: files.sha256[&path].to_ascii_uppercase(),
                size: files.bytes[&path].len(),
                file,
            }
        })
        .collect()
}

/// The size of `SHA256SUMS` for these paths: every line is as long as its path allows, so the
/// launcher can carry it before `SHA256SUMS` (which lists the launcher) exists.
fn sha256sums_size<'a>(paths: impl Iterator<Item = &'a str>) -> usize {
    paths
        .filter(|p| *p != "SHA256SUMS")
        .map(|p| 64 + 2 + p.len() + 1)
        .sum()
}

/// The bundle's files as they are rendered, each hashed once, when it is added.
#[derive(Default)]
struct Files {
    /// Path (`/`-separated) -> bytes.
    bytes: BTreeMap<String, Vec<u8>>,
    /// Path -> SHA-256 of its bytes, lower-case hex.
    sha256: BTreeMap<String, String>,
}

impl Files {
    fn add(&mut self, path: String, bytes: Vec<u8>) {
        self.sha256
            .insert(path.clone(), crate::hex::sha256_lower(&bytes));
        self.bytes.insert(path, bytes);
    }
}

/// `<sha256>  <path>` per file, sorted by path, LF line ends: what `sha256sum -c` reads.
fn sha256sums(files: &Files) -> String {
    files
        .sha256
        .iter()
        .filter(|(path, _)| path.as_str() != "SHA256SUMS")
        .map(|(path, sha256)| format!("{sha256}  {path}\n"))
        .collect()
}

/// A template environment as every certbundle template expects: undefined values are errors,
/// block tags take their line with them, files keep their last newline.
pub(crate) fn strict_environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .expect("default delimiters are valid"),
    );
    env
}

/// Compiles the embedded templates with `name` replaced by `source`, as `build --templates`
/// does before rendering (only [`crate::fuzzing::template`] calls it).
pub(crate) fn check_override(name: String, source: String) -> Result<(), RenderError> {
    let templates = Templates::with_overrides(BTreeMap::from([(name, source)]))?;
    environment(&templates).map(drop)
}

fn environment(templates: &Templates) -> Result<minijinja::Environment<'static>, RenderError> {
    use minijinja::AutoEscape;
    let mut env = strict_environment();
    // Script templates print nothing that did not pass through one of our filters.
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".ps1.j2") {
            AutoEscape::Custom("PowerShell".into())
        } else if name.ends_with(".cmd.j2") {
            AutoEscape::Custom("cmd".into())
        } else if name.ends_with(".yml.j2") {
            AutoEscape::Custom("YAML".into())
        } else {
            AutoEscape::None
        }
    });
    env.set_formatter(filters::formatter);
    env.add_filter("printable", |s: String| names::printable(&s));
    env.add_filter("ps", filters::ps);
    env.add_filter("ps_hex", filters::ps_hex);
    env.add_filter("b64", filters::b64);
    env.add_filter("der_b64", filters::der_b64);
    env.add_filter("comment", filters::comment);
    env.add_filter("cmd", filters::cmd);
    env.add_filter("cmd_hex", filters::cmd_hex);
    env.add_filter("yaml", filters::yaml);
    env.add_filter("yaml_hex", filters::yaml_hex);
    env.add_filter("safe", filters::no_safe);
    for (name, source) in &templates.sources {
        env.add_template_owned(*name, source.clone())
            .map_err(|source| RenderError::Template {
                template: name.to_string(),
                source,
            })?;
    }
    Ok(env)
}

/// What every template sees, with [`Learnt`] merged in. Text from certificates is raw here:
/// templates must pass it through a filter (`printable` in README.txt; `b64`, `ps_hex`, `der_b64`, `comment` in scripts).
#[derive(Debug, Serialize)]
struct Context {
    bundle: BundleInfo,
    certificates: Vec<CertificateInfo>,
    /// Profile certificates not in the bundle.
    missing: Vec<MissingInfo>,
    /// Names of bundle certificates the profile does not pin (with a profile and --allow-unpinned).
    unpinned: Vec<String>,
    roots: usize,
    intermediates: usize,
    report: ReportInfo,
    /// The scripts the launcher may start ([`LAUNCHER_RUNS`]), for README.txt.
    launcher_runs: &'static [&'static str],
    /// The largest bundle file anything reads ([`crate::limits::MAX_ENTRY_SIZE`]).
    max_bundle_file: u64,
    /// The largest report `certbundle report` reads ([`crate::limits::MAX_REPORT_SIZE`]): the
    /// deployer saves none larger.
    max_report_size: u64,
    /// The verdicts the installer writes (the deployer saves no returned report with another).
    installer_verdicts: Vec<&'static str>,
}

/// What templates see besides [`Context`]: what was learnt of the files rendered in earlier
/// stages (empty before).
#[derive(Debug, Default, Serialize)]
struct Learnt {
    /// For the deployer and the launcher: the SHA-256 of the installer, upper-case hex.
    installer_sha256: String,
    /// Only for the launcher, rendered last: each file it runs or installs with its SHA-256.
    checked_files: Vec<CheckedFile>,
    /// Only for the launcher: the size of `SHA256SUMS`.
    sums_size: usize,
}

#[derive(Debug, Serialize)]
struct CheckedFile {
    /// Path with Windows separators.
    file: String,
    /// Upper-case hex.
    sha256: String,
    /// Bytes.
    size: usize,
}

#[derive(Debug, Serialize)]
struct BundleInfo {
    name: String,
    created: String,
    created_utc: String,
    profile: String,
    generator: String,
    version: String,
    /// `built-in`, `file <name>` or `none`.
    profile_source: String,
    allow_expired: bool,
    allow_unpinned: bool,
    allow_missing: bool,
}

#[derive(Debug, Serialize)]
struct MissingInfo {
    /// Raw profile text: only through a filter.
    name: String,
    thumbprint: String,
    need: &'static str,
    evidence: &'static str,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
struct ReportInfo {
    schema: &'static str,
    objects: Vec<ReportObject>,
}

#[derive(Debug, Serialize)]
struct ReportObject {
    name: &'static str,
    keys: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct CertificateInfo {
    /// Path with Windows separators, e.g. `certs\Root\X_1234ABCD.cer`.
    file: String,
    /// `Root` or `CA`.
    store: &'static str,
    /// The store as the Certificates console names it.
    store_label: &'static str,
    /// `root` or `intermediate`.
    role: &'static str,
    /// Raw certificate text: only through a filter.
    name: String,
    sha1: String,
    sha256: String,
    /// Bytes of the DER file.
    size: usize,
    not_after: String,
    not_after_utc: String,
    /// The certificate, upper-case hex: only through `der_b64`.
    der_hex: String,
    warnings: Vec<String>,
    /// What the profile says it is for, when pinned.
    purpose: Option<String>,
    /// The application policies its chain is checked against (OIDs, fixed strings).
    policies: Vec<&'static str>,
    /// How sure the profile is that it is needed, when pinned.
    evidence: Option<&'static str>,
    pinned: bool,
}

fn utc(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .expect("a fixed format always formats")
}

impl Context {
    fn new(plan: &Plan) -> Self {
        // Roots first: the order an administrator installs them in.
        let mut entries: Vec<&crate::plan::Entry> = plan.entries.iter().collect();
        entries.sort_by_key(|e| (e.store(), e.path.as_str()));
        let certificates: Vec<CertificateInfo> = entries
            .into_iter()
            .map(|e| {
                let store = e.store();
                CertificateInfo {
                    file: e.path.replace('/', "\\"),
                    store: store.as_str(),
                    store_label: match store {
                        crate::verify::Store::Root => "Trusted Root Certification Authorities",
                        crate::verify::Store::CA => "Intermediate Certification Authorities",
                    },
                    role: e.cert.role.as_str(),
                    name: e.cert.name.clone(),
                    sha1: e.cert.sha1.clone(),
                    sha256: e.cert.sha256.clone(),
                    size: e.cert.der.len(),
                    not_after: e.cert.not_after.date().to_string(),
                    not_after_utc: utc(e.cert.not_after),
                    der_hex: crate::hex::upper(&e.cert.der),
                    warnings: e
                        .cert
                        .findings
                        .iter()
                        .map(|f| format!("{}: {}", f.code.as_str(), f.message))
                        .collect(),
                    purpose: e.cert.purpose.clone(),
                    policies: crate::profile::application_policies(&e.cert.purposes),
                    evidence: e.cert.evidence,
                    pinned: e.cert.pinned,
                }
            })
            .collect();
        let roots = certificates.iter().filter(|c| c.store == "Root").count();
        Context {
            bundle: BundleInfo {
                name: plan.spec.name.clone(),
                created: plan
                    .spec
                    .created
                    .format(time::macros::format_description!(
                        "[year]-[month]-[day] [hour]:[minute] UTC"
                    ))
                    .expect("a fixed format always formats"),
                created_utc: utc(plan.spec.created),
                profile: plan.spec.profile.clone(),
                generator: format!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")),
                version: env!("CARGO_PKG_VERSION").to_string(),
                profile_source: plan.spec.profile_source.clone(),
                allow_expired: plan.spec.allow_expired,
                allow_unpinned: plan.spec.allow_unpinned,
                allow_missing: plan.spec.allow_missing,
            },
            missing: plan
                .missing
                .iter()
                .map(|p| MissingInfo {
                    name: p.name.clone(),
                    thumbprint: p.thumbprint().to_string(),
                    need: match p.need {
                        crate::profile::Need::Required => "required",
                        crate::profile::Need::Recommended => "recommended",
                    },
                    evidence: p.evidence.as_str(),
                    url: p.urls.first().cloned(),
                })
                .collect(),
            unpinned: if plan.spec.profile_source == "none" {
                Vec::new()
            } else {
                plan.entries
                    .iter()
                    .filter(|e| !e.cert.pinned)
                    .map(|e| format!("{} (SHA-1 {})", e.cert.name, e.cert.sha1))
                    .collect()
            },
            intermediates: certificates.len() - roots,
            roots,
            certificates,
            launcher_runs: LAUNCHER_RUNS,
            max_bundle_file: crate::limits::MAX_ENTRY_SIZE,
            max_report_size: crate::limits::MAX_REPORT_SIZE,
            installer_verdicts: <crate::fleet::report::Verdict as strum::IntoEnumIterator>::iter()
                .filter(|v| *v != crate::fleet::report::Verdict::Unreachable)
                .map(<&'static str>::from)
                .collect(),
            report: ReportInfo {
                schema: crate::report_schema::SCHEMA,
                objects: crate::report_schema::object_keys()
                    .into_iter()
                    .map(|(name, keys)| ReportObject { name, keys })
                    .collect(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_skip_themselves_and_are_sorted_with_two_spaces() {
        let mut files = Files::default();
        for (path, bytes) in [("b/x", &b"x"[..]), ("SHA256SUMS", b"old"), ("a", b"")] {
            files.add(path.to_string(), bytes.to_vec());
        }
        assert_eq!(
            sha256sums(&files),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  a\n\
             2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  b/x\n"
        );
    }

    #[test]
    fn every_embedded_template_compiles_and_every_bundle_template_exists() {
        let templates = Templates::embedded();
        environment(&templates).unwrap();
        for t in BUNDLE_TEMPLATES {
            assert!(
                templates.sources.contains_key(t.template),
                "{} is not embedded",
                t.template
            );
        }
    }
}
