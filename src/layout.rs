//! What a bundle looks like on disk: the names of its files and folders, and how a certificate's
//! file is named. Pure: no filesystem, never prints. `plan` places certificates with it, `bundle`
//! reads bundles back with it, and `extract` names the certificates it writes the same way.

use crate::names;

/// The checksum file: `<sha256>  <path>` for every other file of the bundle.
pub(crate) const SUMS: &str = "SHA256SUMS";

/// The machine-readable description of the bundle.
pub(crate) const MANIFEST: &str = "manifest.json";

/// The installer: run on each host (by `Install.cmd`, or sent over remoting by `DEPLOY`).
pub(crate) const INSTALLER: &str = "Install-Certificates.ps1";

/// The remoting deployer: run on one workstation, it sends `INSTALLER` to many hosts.
pub(crate) const DEPLOY: &str = "Deploy-Certificates.ps1";

/// The certutil-only installer `Install.cmd` falls back to.
pub(crate) const CERTUTIL_INSTALLER: &str = "Install-Certutil.cmd";

/// The launcher: verifies copies of the scripts and certificate files, then runs them.
pub(crate) const LAUNCHER: &str = "Install.cmd";

/// Publishes the bundle's certificates to Active Directory (`certutil -dspublish`) after checking
/// copies of them.
pub(crate) const PUBLISH: &str = "Publish-Domain.cmd";

/// The Ansible playbook that runs the checked installer on Windows hosts.
pub(crate) const ANSIBLE_PLAYBOOK: &str = "ansible/install-certificates.yml";

/// Every script of a bundle and what it is for: `manifest.json` lists them (`scripts`).
pub(crate) const SCRIPTS: &[(&str, &str)] = &[
    (
        LAUNCHER,
        "run as administrator on each host: verifies the files it starts, then starts the installer; with -Deploy, the deployer",
    ),
    (
        INSTALLER,
        "installs the certificates on this host, checks the result, writes a report",
    ),
    (
        CERTUTIL_INSTALLER,
        "certutil-only fallback Install.cmd uses where PowerShell cannot run the installer",
    ),
    (
        DEPLOY,
        "run on one workstation: sends the installer to many hosts over PowerShell remoting and writes a report per host",
    ),
    (
        PUBLISH,
        "run once by an Enterprise Admin: publishes the certificates to Active Directory (certutil -dspublish), which fills every domain member's enterprise stores",
    ),
    (
        ANSIBLE_PLAYBOOK,
        "run from an Ansible control node: copies the installer to each Windows host, checks it there, runs it and fetches its report",
    ),
];

/// Files every bundle lists in [`SUMS`].
pub(crate) const REQUIRED_FILES: &[&str] = &[
    INSTALLER,
    CERTUTIL_INSTALLER,
    DEPLOY,
    LAUNCHER,
    PUBLISH,
    ANSIBLE_PLAYBOOK,
    "README.txt",
    MANIFEST,
];

/// The folder that holds the certificates, one folder per store below it.
const CERTS_FOLDER: &str = "certs";

/// The folder where installers write their reports: the site's, never part of the bundle.
const REPORTS_FOLDER: &str = "reports";

/// Whether a path inside a bundle (`/`-separated, relative to the bundle folder) is under
/// [`REPORTS_FOLDER`] (or is that folder).
pub(crate) fn is_report_path(rel: &str) -> bool {
    rel.strip_prefix(REPORTS_FOLDER)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Whether a path inside a bundle (`/`-separated, relative to the bundle folder) is a file under
/// [`CERTS_FOLDER`].
pub(crate) fn is_cert_path(rel: &str) -> bool {
    rel.strip_prefix(CERTS_FOLDER)
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|rest| !rest.is_empty())
}

/// The store folder a certificate file is in (`certs/<store>/<file>` gives `<store>`).
pub(crate) fn cert_store_folder(rel: &str) -> Option<&str> {
    rel.strip_prefix(CERTS_FOLDER)?
        .strip_prefix('/')?
        .split_once('/')
        .map(|(store, _)| store)
}

/// How many characters of the SHA-1 thumbprint a certificate's file name carries unless another
/// file needs more to be told apart.
pub(crate) const SHORT_THUMBPRINT: usize = 8;

/// A certificate's file name, `<Name>_<SHA1>.cer`: its name made safe for a file name
/// ([`names::file_part`]) and the first `digits` characters of its SHA-1 thumbprint (all of it
/// when `digits` is larger).
pub(crate) fn cert_file_name(name: &str, sha1: &str, digits: usize) -> String {
    let sha1 = sha1.get(..digits).unwrap_or(sha1);
    format!("{}_{sha1}.cer", names::file_part(name))
}

/// Where a certificate file goes inside the bundle: `certs/<store>/<file name>`.
pub(crate) fn cert_path(store: &str, file_name: &str) -> String {
    format!("{CERTS_FOLDER}/{store}/{file_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_report_paths() {
        assert_eq!(
            cert_file_name("My Root", "ABCDEF0123456789", 8),
            "My_Root_ABCDEF01.cer"
        );
        assert_eq!(cert_file_name("R", "ABCD", 40), "R_ABCD.cer");
        assert_eq!(cert_path("Root", "R_ABCD.cer"), "certs/Root/R_ABCD.cer");
        assert!(is_report_path("reports"));
        assert!(is_report_path("reports/WS_20261126T080004Z.json"));
        assert!(!is_report_path("reportsx/a"));
        assert!(!is_report_path("certs/reports/a"));
        assert!(is_cert_path("certs/Root/R_ABCD.cer"));
        assert!(!is_cert_path("certs"));
        assert!(!is_cert_path("certs/"));
        assert!(!is_cert_path("certsX/Root/R_ABCD.cer"));
        assert!(!is_cert_path("README.txt"));
        assert_eq!(cert_store_folder("certs/Root/R_ABCD.cer"), Some("Root"));
        assert_eq!(cert_store_folder("certs/R_ABCD.cer"), None);
        assert_eq!(cert_store_folder("README.txt"), None);
    }
}
