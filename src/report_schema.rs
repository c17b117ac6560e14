//! The installer's report, `certbundle-report/1`: the one definition of its fields.
//!
//! `Install-Certificates.ps1` writes these keys (its template receives [`keys`] and refuses any
//! other), `docs/report-schema.md` documents them (a test compares), and `certbundle report` reads
//! them. Pure data: no filesystem, never prints.

use std::collections::BTreeSet;

/// The schema identifier written into every report.
pub const SCHEMA: &str = "certbundle-report/1";

/// One key of one JSON object of the report.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The object it belongs to (`report` is the top level; arrays are named by their items).
    pub object: &'static str,
    /// The key.
    pub key: &'static str,
    /// JSON type.
    pub kind: &'static str,
    /// What it means.
    pub meaning: &'static str,
}

const fn f(
    object: &'static str,
    key: &'static str,
    kind: &'static str,
    meaning: &'static str,
) -> Field {
    Field {
        object,
        key,
        kind,
        meaning,
    }
}

/// Every field, grouped by object, in the order the installer writes them.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    f("report", "schema", "string", "always `certbundle-report/1`"),
    f("report", "generator", "generator", "the certbundle that built the bundle"),
    f("report", "bundle", "bundle", "which bundle ran"),
    f("report", "host", "host", "where it ran"),
    f("report", "mode", "string", "`install`, `check-only`, `what-if` or `uninstall`"),
    f("report", "started", "string", "UTC start time, `yyyy-MM-ddTHH:mm:ssZ`"),
    f("report", "finished", "string", "UTC end time"),
    f("report", "integrity", "integrity or null", "the integrity check (null when the run stopped before it)"),
    f("report", "policy", "policy or null", "the automatic root update policy (null when the run stopped before it)"),
    f("report", "conflicts", "array of conflict", "bundle certificates found in Untrusted Certificates"),
    f("report", "certificates", "array of certificate", "one entry per bundle certificate"),
    f("report", "products", "products or null", "the OfficeScan / Apex One signature check (null when the run stopped before it)"),
    f("report", "report_dir", "string", "the folder this report was written to"),
    f("report", "report_dir_fallback", "bool", "true when the wanted folder could not be written and `%ProgramData%\\certbundle\\reports` was used"),
    f("report", "verdict", "string", "`compliant`, `fixed`, `not-compliant`, `integrity-failure`, `not-elevated`, `unsupported-host`, `uninstalled`, `would-uninstall` or `error`"),
    f("report", "exit_code", "number", "the script's exit code (0-4)"),
    f("report", "messages", "array of string", "notes and errors, in order"),
    f("generator", "name", "string", "`certbundle`"),
    f("generator", "version", "string", "its version"),
    f("bundle", "name", "string", "bundle name"),
    f("bundle", "created", "string", "when the bundle was built (UTC)"),
    f("bundle", "profile", "string", "the profile it was built for (the profile's own name)"),
    f("bundle", "profile_source", "string", "where that profile came from: `built-in`, `file <file name>` (a profile file) or `none`"),
    f("bundle", "digest", "string or null", "SHA-256 of SHA256SUMS in the bundle folder, lower-case hex; null when there was none"),
    f("host", "name", "string", "computer name"),
    f("host", "machine_guid", "string or null", "`HKLM\\SOFTWARE\\Microsoft\\Cryptography` `MachineGuid` (lower case), which tells apart computers of the same name; null when it could not be read"),
    f("host", "domain", "string or null", "the domain the computer is joined to, or its workgroup; null when it could not be read"),
    f("host", "os_version", "string", "Windows version, e.g. `6.1.7601` for Windows 7 SP1"),
    f("host", "powershell_version", "string", "PowerShell version"),
    f("host", "clr_version", "string", ".NET runtime version"),
    f("host", "os_64bit", "bool", "64-bit Windows"),
    f("host", "process_64bit", "bool", "64-bit PowerShell"),
    f("host", "elevated", "bool", "ran as administrator"),
    f("host", "user", "string", "`DOMAIN\\user` it ran as"),
    f("host", "language_mode", "string", "PowerShell language mode (`FullLanguage` expected)"),
    f("integrity", "result", "string", "`ok`, `failed` or `not-checked`"),
    f("integrity", "sums_found", "bool", "SHA256SUMS was in the bundle folder"),
    f("integrity", "files_checked", "number", "files checked against SHA256SUMS by the script (0 when Install.cmd started it: Install.cmd checked the files it runs or installs)"),
    f("integrity", "problems", "array of string", "what did not match"),
    f("integrity", "expected_digest", "string", "`matched` (the SHA-256 of SHA256SUMS was the digest given with `-ExpectedDigest`: the checks are anchored outside the bundle), `not-matched` (it was not, or SHA256SUMS was missing: nothing changed) or `not-given` (nothing outside the bundle anchored the checks)"),
    f("integrity", "launcher_checked", "bool", "true when the script ran with -BundleDir, which only Install.cmd passes, after checking a copy of the script and of every certificate file against the hashes it carries; false when the script was started directly and checked itself while running (which catches damage, not tampering)"),
    f("policy", "disable_root_auto_update", "number or null", "`DisableRootAutoUpdate` (1 = automatic root update turned off), null when not set"),
    f("policy", "only_enterprise_roots", "bool or null", "Group Policy lets the computer trust only enterprise root CAs (`ProtectedRoots` `Flags` 0x8): roots added locally are ignored, and the run is not compliant; null when not set"),
    f("policy", "registry_key", "string", "where it was read"),
    f("policy", "gpo_setting", "string", "the Group Policy setting that controls it"),
    f("conflict", "sha1", "string", "thumbprint"),
    f("conflict", "name", "string", "certificate name"),
    f("conflict", "store", "string", "`LocalMachine\\Disallowed` or `CurrentUser\\Disallowed`"),
    f("certificate", "file", "string", "path in the bundle"),
    f("certificate", "store", "string", "`Root` or `CA` (LocalMachine)"),
    f("certificate", "role", "string", "`root` or `intermediate`"),
    f("certificate", "name", "string", "certificate name"),
    f("certificate", "sha1", "string", "thumbprint"),
    f("certificate", "sha256", "string", "SHA-256 of the certificate"),
    f("certificate", "not_after", "string", "end of validity (UTC)"),
    f("certificate", "before", "string or null", "`present`, `present-authroot` (in Third-Party Root Certification Authorities), `missing` or `disallowed`; null when the run stopped before step 4"),
    f("certificate", "action", "string or null", "`none`, `installed`, `would-install`, `blocked`, `failed`, `removed`, `would-remove`, `kept` or `not-present`; null when the run stopped before step 4"),
    f("certificate", "after", "string or null", "`present` or `missing`; null when the run stopped before step 5"),
    f("certificate", "chain", "string", "`ok`, `failed` or `not-checked`: does its chain build offline"),
    f("certificate", "chain_status", "array of string", "chain status flags that made it fail"),
    f("certificate", "error", "string or null", "what went wrong for this certificate"),
    f("products", "result", "string", "`skipped`, `absent` or `checked`"),
    f("products", "agent_path", "string or null", "OfficeScan / Apex One agent folder"),
    f("products", "binaries", "array of binary", "signature status of its main programs"),
    f("binary", "file", "string", "full path"),
    f("binary", "status", "string", "Get-AuthenticodeSignature status: `Valid`, `UnknownError`, `NotSigned`, `HashMismatch`, `NotTrusted`, ..."),
    f("binary", "status_message", "string", "Windows' explanation"),
    f("binary", "signer", "string or null", "signer certificate subject"),
];

/// Every key name the report uses (what the installer may write).
pub fn keys() -> BTreeSet<&'static str> {
    FIELDS.iter().map(|f| f.key).collect()
}

/// Each object with its keys, in the order the installer writes them.
pub fn object_keys() -> Vec<(&'static str, Vec<&'static str>)> {
    objects()
        .into_iter()
        .map(|object| {
            let keys = FIELDS
                .iter()
                .filter(|f| f.object == object)
                .map(|f| f.key)
                .collect();
            (object, keys)
        })
        .collect()
}

/// The fields of one object, in order.
pub fn fields_of(object: &str) -> impl Iterator<Item = &'static Field> + '_ {
    FIELDS.iter().filter(move |f| f.object == object)
}

/// The objects of the report, in order of first appearance.
pub fn objects() -> Vec<&'static str> {
    let mut seen = Vec::new();
    for f in FIELDS {
        if !seen.contains(&f.object) {
            seen.push(f.object);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_object_repeats_a_key_and_every_object_type_is_defined() {
        let mut pairs = BTreeSet::new();
        for f in FIELDS {
            assert!(
                pairs.insert((f.object, f.key)),
                "{}.{} twice",
                f.object,
                f.key
            );
        }
        let objects = objects();
        for f in FIELDS {
            let item = f
                .kind
                .trim_start_matches("array of ")
                .trim_end_matches(" or null");
            if !matches!(
                item,
                "string" | "number" | "bool" | "string or null" | "number or null"
            ) {
                assert!(
                    objects.contains(&item),
                    "{}.{} refers to undefined {item}",
                    f.object,
                    f.key
                );
            }
        }
    }
}
