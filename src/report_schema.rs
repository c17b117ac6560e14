//! The installer's report, `certbundle-report/1`: the one definition of its fields.
//!
//! `Install-Certificates.ps1` writes these keys (its template receives [`object_keys`] and
//! refuses any other), `docs/report-schema.md` documents them and what each means (a test
//! compares), and `certbundle report` reads them. Pure data: no filesystem, never prints.

/// The schema identifier written into every report.
pub const SCHEMA: &str = "certbundle-report/1";

/// One key of one JSON object of the report.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The object it belongs to (`report` is the top level; arrays are named by their items).
    pub object: &'static str,
    /// The key.
    pub key: &'static str,
    /// JSON type; `... or absent` for a key reports of older installers do not have.
    pub(crate) kind: &'static str,
}

const fn f(object: &'static str, key: &'static str, kind: &'static str) -> Field {
    Field { object, key, kind }
}

/// Every field, grouped by object, in the order the installer writes them.
#[rustfmt::skip]
pub const FIELDS: &[Field] = &[
    f("report", "schema", "string"),
    f("report", "generator", "generator"),
    f("report", "bundle", "bundle"),
    f("report", "host", "host"),
    f("report", "mode", "string"),
    f("report", "started", "string"),
    f("report", "finished", "string"),
    f("report", "integrity", "integrity or null"),
    f("report", "policy", "policy or null"),
    f("report", "conflicts", "array of conflict"),
    f("report", "certificates", "array of certificate"),
    f("report", "products", "products or null"),
    f("report", "report_dir", "string"),
    f("report", "report_dir_fallback", "bool"),
    f("report", "verdict", "string"),
    f("report", "exit_code", "number"),
    f("report", "messages", "array of string"),
    f("generator", "name", "string"),
    f("generator", "version", "string"),
    f("bundle", "name", "string"),
    f("bundle", "created", "string"),
    f("bundle", "profile", "string"),
    f("bundle", "profile_source", "string"),
    f("bundle", "digest", "string or null"),
    f("host", "name", "string"),
    f("host", "machine_guid", "string or null"),
    f("host", "domain", "string or null"),
    f("host", "os_version", "string"),
    f("host", "powershell_version", "string"),
    f("host", "clr_version", "string"),
    f("host", "os_64bit", "bool"),
    f("host", "process_64bit", "bool"),
    f("host", "elevated", "bool"),
    f("host", "user", "string"),
    f("host", "language_mode", "string"),
    f("integrity", "result", "string"),
    f("integrity", "sums_found", "bool"),
    f("integrity", "files_checked", "number"),
    f("integrity", "problems", "array of string"),
    f("integrity", "expected_digest", "string"),
    f("integrity", "launcher_checked", "bool"),
    f("policy", "disable_root_auto_update", "number or null"),
    f("policy", "only_enterprise_roots", "bool or null"),
    f("policy", "registry_key", "string"),
    f("policy", "gpo_setting", "string"),
    f("conflict", "sha1", "string"),
    f("conflict", "name", "string"),
    f("conflict", "store", "string"),
    f("certificate", "file", "string"),
    f("certificate", "store", "string"),
    f("certificate", "role", "string"),
    f("certificate", "name", "string"),
    f("certificate", "sha1", "string"),
    f("certificate", "sha256", "string"),
    f("certificate", "not_after", "string"),
    f("certificate", "before", "string or null"),
    f("certificate", "action", "string or null"),
    f("certificate", "after", "string or null"),
    f("certificate", "found_in", "array of string or absent"),
    f("certificate", "chain", "string"),
    f("certificate", "chain_status", "array of string"),
    f("certificate", "error", "string or null"),
    f("products", "result", "string"),
    f("products", "agent_path", "string or null"),
    f("products", "binaries", "array of binary"),
    f("binary", "file", "string"),
    f("binary", "status", "string"),
    f("binary", "status_message", "string"),
    f("binary", "signer", "string or null"),
];

/// Each object with its keys, in the order the installer writes them.
pub(crate) fn object_keys() -> Vec<(&'static str, Vec<&'static str>)> {
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
pub(crate) fn fields_of(object: &str) -> impl Iterator<Item = &'static Field> + '_ {
    FIELDS.iter().filter(move |f| f.object == object)
}

/// The objects of the report, in order of first appearance.
fn objects() -> Vec<&'static str> {
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
    use std::collections::BTreeSet;

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
                .trim_end_matches(" or absent")
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
