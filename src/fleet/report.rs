//! One installer report (`certbundle-report/1`) from bytes: decoded however Windows saved it,
//! checked against [`crate::report_schema::FIELDS`] (the same definition the installer writes
//! from), then read into typed values. Anything else is a reason to skip the file, never a panic.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::report_schema::{self, FIELDS, SCHEMA};

/// What the run was asked to do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Mode {
    /// Install what is missing.
    Install,
    /// `-CheckOnly`.
    CheckOnly,
    /// `-WhatIf`.
    WhatIf,
    /// `-Uninstall`.
    Uninstall,
}

impl Mode {
    /// The word shown.
    pub(crate) fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The installer's verdict (docs/report-schema.md).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Verdict {
    /// Nothing needed installing.
    Compliant,
    /// Certificates were installed and now everything is in place.
    Fixed,
    /// Something is missing, blocked, failed or does not chain.
    NotCompliant,
    /// A file or embedded certificate did not match: nothing changed.
    IntegrityFailure,
    /// Not run as administrator.
    NotElevated,
    /// Too old a Windows, or PowerShell not in FullLanguage mode.
    UnsupportedHost,
    /// `-Uninstall` removed what the bundle had installed.
    Uninstalled,
    /// `-Uninstall -WhatIf`.
    WouldUninstall,
    /// Conflicting parameters, a failed removal or an unexpected error.
    Error,
    /// Written by the deploying machine, not the host: the host could not be reached (name not
    /// resolved, WinRM off, access denied, timeout); the reason is the first of `messages`.
    Unreachable,
}

/// `generator`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
struct Generator {
    name: String,
    version: String,
}

/// `bundle`: which bundle ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct BundleRef {
    pub(crate) name: String,
    pub(crate) created: String,
    profile: String,
    /// `built-in`, `file <name>` or `none`.
    profile_source: String,
    /// SHA-256 of SHA256SUMS, lower-case hex; none when the script ran without it.
    pub(crate) digest: Option<String>,
}

/// `host`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct HostInfo {
    pub name: String,
    pub(crate) machine_guid: Option<String>,
    pub(crate) domain: Option<String>,
    os_version: String,
    powershell_version: String,
    clr_version: String,
    os_64bit: bool,
    process_64bit: bool,
    elevated: bool,
    user: String,
    language_mode: String,
}

/// `integrity`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct Integrity {
    result: String,
    sums_found: bool,
    files_checked: u64,
    pub(crate) problems: Vec<String>,
    /// `matched`, `not-matched` or `not-given`.
    expected_digest: String,
    /// Install.cmd checked the script and the certificate files before starting the script.
    launcher_checked: bool,
}

/// `policy`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct Policy {
    pub(crate) disable_root_auto_update: Option<i64>,
    only_enterprise_roots: Option<bool>,
    registry_key: String,
    gpo_setting: String,
}

/// `conflict`: a bundle certificate in Untrusted Certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Conflict {
    pub(crate) sha1: String,
    pub(crate) name: String,
    pub(crate) store: String,
}

/// `certificate`: one bundle certificate on this host.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct Certificate {
    file: String,
    pub(crate) store: String,
    role: String,
    pub name: String,
    pub(crate) sha1: String,
    sha256: String,
    not_after: String,
    pub before: Option<String>,
    pub action: Option<String>,
    pub after: Option<String>,
    /// The physical stores of the computer that hold it (`local-machine`, `group-policy`,
    /// `enterprise`, `third-party`); absent from reports of installers before it existed.
    #[serde(default)]
    pub(crate) found_in: Vec<String>,
    pub chain: String,
    pub(crate) chain_status: Vec<String>,
    pub(crate) error: Option<String>,
}

/// `products`: the OfficeScan / Apex One signature check.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct Products {
    pub(crate) result: String,
    agent_path: Option<String>,
    pub(crate) binaries: Vec<Binary>,
}

/// `binary`: one program's Authenticode status.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub(crate) struct Binary {
    file: String,
    pub(crate) status: String,
    status_message: String,
    signer: Option<String>,
}

/// A whole report, as the installer writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[allow(missing_docs)]
pub struct InstallReport {
    schema: String,
    generator: Generator,
    pub(crate) bundle: BundleRef,
    pub host: HostInfo,
    pub(crate) mode: Mode,
    pub(crate) started: String,
    pub finished: String,
    pub(crate) integrity: Option<Integrity>,
    pub(crate) policy: Option<Policy>,
    pub conflicts: Vec<Conflict>,
    pub certificates: Vec<Certificate>,
    pub(crate) products: Option<Products>,
    report_dir: String,
    report_dir_fallback: bool,
    pub verdict: Verdict,
    exit_code: i64,
    pub(crate) messages: Vec<String>,
}

/// A report that was read, with when it finished (for ordering runs of one host).
#[derive(Debug, Clone)]
pub(crate) struct CheckedReport {
    /// The report.
    pub(crate) report: InstallReport,
    /// `finished`, parsed.
    pub(crate) finished: OffsetDateTime,
    /// What was read other than as written (said on the host's row).
    pub(crate) notes: Vec<String>,
}

/// The JSON text with every `\uXXXX` escape of an unpaired UTF-16 surrogate replaced by
/// `\ufffd`, and how many there were. NTFS allows unpaired surrogates in names, so they reach
/// paths and messages; an older installer wrote them as escapes, which strict JSON readers refuse.
/// Any other escape (`\\ud800` is a backslash and the letters `ud800`) is copied as it is.
fn replace_unpaired_surrogates(text: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let unit = |at: usize| -> Option<u16> {
        let escape = text.get(at..at + 6)?;
        let hex = escape.strip_prefix("\\u")?;
        u16::from_str_radix(hex, 16).ok()
    };
    if !text.contains("\\u") {
        return (text.into(), 0);
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut replaced = 0;
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        match unit(i) {
            Some(0xD800..=0xDBFF) if matches!(unit(i + 6), Some(0xDC00..=0xDFFF)) => i += 12,
            Some(0xD800..=0xDFFF) => {
                out.push_str(&text[copied..i]);
                out.push_str("\\ufffd");
                replaced += 1;
                i += 6;
                copied = i;
            }
            // Any other escape is two characters (or six, which the next steps walk over).
            _ => i += 2,
        }
    }
    if replaced == 0 {
        return (text.into(), 0);
    }
    out.push_str(&text[copied..]);
    (out.into(), replaced)
}

/// JSON as `serde_json` reads it, except that an object repeating a key is an error: serde_json
/// would keep the last copy silently, Windows PowerShell's `ConvertFrom-Json` refuses the file,
/// and a forged report could hide a second `host` or `verdict` behind the first.
fn strict_json(text: &str) -> Result<Value, serde_json::Error> {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    struct Strict(Value);
    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(StrictVisitor).map(Strict)
        }
    }
    struct StrictVisitor;
    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(Strict(item)) = seq.next_element()? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut object = serde_json::Map::new();
            while let Some(key) = map.next_key::<String>()? {
                let Strict(value) = map.next_value()?;
                if object.contains_key(&key) {
                    return Err(A::Error::custom(format!(
                        "the key \"{}\" appears twice in one object (a report never repeats a key)",
                        crate::names::printable(&key)
                    )));
                }
                object.insert(key, value);
            }
            Ok(Value::Object(object))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let Strict(value) = Strict::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// Reads one report; the error is the reason to skip the file, in words for the engineer.
pub(crate) fn parse(bytes: &[u8]) -> Result<CheckedReport, String> {
    let text = decode(bytes)?;
    if text.trim().is_empty() {
        return Err("empty file".into());
    }
    let (text, unpaired) = replace_unpaired_surrogates(&text);
    let mut notes = Vec::new();
    if unpaired > 0 {
        notes.push(format!(
            "the report holds {unpaired} unpaired UTF-16 surrogate(s) (a name Windows allows but no text can show): read as U+FFFD"
        ));
    }
    let value: Value = strict_json(&text).map_err(|e| match e.classify() {
        serde_json::error::Category::Eof => format!(
            "the JSON ends early at line {}: the file is truncated (was the stick removed while the report was written?)",
            e.line()
        ),
        _ => format!("broken JSON at line {}, column {}: {e}", e.line(), e.column()),
    })?;
    let Some(object) = value.as_object() else {
        return Err("not a certbundle report: JSON, but not an object".into());
    };
    match object.get("schema") {
        Some(Value::String(s)) if s == SCHEMA => {}
        Some(Value::String(s)) if s.starts_with("certbundle-report/") => {
            return Err(format!(
                "report schema \"{}\" is not one this certbundle reads ({SCHEMA}); use a newer certbundle",
                crate::names::printable(s)
            ));
        }
        Some(Value::String(s)) if s.starts_with("certbundle-manifest/") => {
            return Err("a bundle manifest, not an installer report".into());
        }
        Some(Value::String(s)) => {
            return Err(format!(
                "not a certbundle report (schema \"{}\")",
                crate::names::printable(s)
            ));
        }
        _ => return Err("not a certbundle report (no \"schema\" key)".into()),
    }
    check_shape("report", &value, "")?;
    let report: InstallReport =
        serde_json::from_value(value).map_err(|e| format!("unexpected value: {e}"))?;
    let finished = OffsetDateTime::parse(&report.finished, &Rfc3339).map_err(|_| {
        format!(
            "finished is not an RFC 3339 time (yyyy-MM-ddTHH:mm:ssZ): \"{}\"",
            crate::names::printable(&report.finished)
        )
    })?;
    if report.host.name.trim().is_empty() {
        return Err("the report names no host".into());
    }
    Ok(CheckedReport {
        report,
        finished,
        notes,
    })
}

/// Text from the bytes Windows tools write: UTF-8 with or without a BOM, or UTF-16 with a BOM
/// (what Notepad or `Out-File` make of a re-saved report).
pub(crate) fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |bytes: &[u8], from: fn([u8; 2]) -> u16| {
        if bytes.len() % 2 != 0 {
            return Err("UTF-16 text with an odd number of bytes (truncated?)".to_string());
        }
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| from([c[0], c[1]])).collect();
        String::from_utf16(&units).map_err(|_| "not valid UTF-16 text".to_string())
    };
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to() + 3))
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else {
        std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|e| format!("not UTF-8 text (byte {})", e.valid_up_to()))
    }
}

/// Checks `value` as the object `object` of the schema: every key present with its type (a kind
/// ending `or absent` may be missing: reports of installers older than the key). Keys the schema
/// does not know are ignored (a later certbundle may add some).
fn check_shape(object: &str, value: &Value, at: &str) -> Result<(), String> {
    let Some(map) = value.as_object() else {
        return Err(format!("{} is not an object", name_of(at, object)));
    };
    for field in report_schema::fields_of(object) {
        let path = if at.is_empty() {
            field.key.to_string()
        } else {
            format!("{at}.{}", field.key)
        };
        let (kind, may_be_absent) = match field.kind.strip_suffix(" or absent") {
            Some(kind) => (kind, true),
            None => (field.kind, false),
        };
        let Some(v) = map.get(field.key) else {
            if may_be_absent {
                continue;
            }
            return Err(format!("{path} is missing"));
        };
        check_kind(kind, v, &path)?;
    }
    Ok(())
}

fn name_of(at: &str, object: &str) -> String {
    if at.is_empty() {
        object.to_string()
    } else {
        at.to_string()
    }
}

/// Checks one value against a kind of the schema: `string`, `number`, `bool`, an object name,
/// `array of <kind>`, `<kind> or null`.
fn check_kind(kind: &str, v: &Value, path: &str) -> Result<(), String> {
    if let Some(inner) = kind.strip_suffix(" or null") {
        return if v.is_null() {
            Ok(())
        } else {
            check_kind(inner, v, path)
        };
    }
    if let Some(item) = kind.strip_prefix("array of ") {
        let Some(items) = v.as_array() else {
            return Err(format!("{path} is {}, not an array", type_name(v)));
        };
        for (i, x) in items.iter().enumerate() {
            check_kind(item, x, &format!("{path}[{i}]"))?;
        }
        return Ok(());
    }
    let ok = match kind {
        "string" => v.is_string(),
        "number" => v.is_i64() || v.is_u64(),
        "bool" => v.is_boolean(),
        object => return check_shape(object, v, path),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{path} is {}, not a {kind}", type_name(v)))
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Every `(object, key)` the typed reader reads: the keys of a fully filled-in report, each
/// named by the object the schema says it is in. Tests compare it with what the installer writes.
pub fn accepted_keys() -> std::collections::BTreeSet<(String, String)> {
    let value = serde_json::to_value(sample()).expect("a report serialises");
    let mut keys = std::collections::BTreeSet::new();
    collect_keys("report", &value, &mut keys);
    keys
}

fn collect_keys(
    object: &str,
    value: &Value,
    keys: &mut std::collections::BTreeSet<(String, String)>,
) {
    let Some(map) = value.as_object() else { return };
    for (key, v) in map {
        keys.insert((object.to_string(), key.clone()));
        let kind = FIELDS
            .iter()
            .find(|f| f.object == object && f.key == key)
            .map(|f| f.kind.trim_end_matches(" or null"))
            .unwrap_or("");
        match (kind.strip_prefix("array of "), v) {
            (Some(item), Value::Array(items)) => {
                for x in items {
                    collect_keys(item, x, keys);
                }
            }
            (None, Value::Object(_)) => collect_keys(kind, v, keys),
            _ => {}
        }
    }
}

/// A report with every optional part present (for [`accepted_keys`] and tests).
pub fn sample() -> InstallReport {
    InstallReport {
        schema: SCHEMA.into(),
        generator: Generator {
            name: "certbundle".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        bundle: BundleRef {
            name: "apex-one-certs-20261125".into(),
            created: "2026-11-25T00:00:00Z".into(),
            profile: "apex-one".into(),
            profile_source: "built-in".into(),
            digest: Some("0".repeat(64)),
        },
        host: HostInfo {
            name: "WS-0001".into(),
            machine_guid: Some("3f2504e0-4f89-11d3-9a0c-0305e82c3301".into()),
            domain: Some("CORP".into()),
            os_version: "6.1.7601".into(),
            powershell_version: "2.0".into(),
            clr_version: "2.0.50727.5485".into(),
            os_64bit: true,
            process_64bit: true,
            elevated: true,
            user: "SITE\\admin".into(),
            language_mode: "FullLanguage".into(),
        },
        mode: Mode::Install,
        started: "2026-11-26T09:00:00Z".into(),
        finished: "2026-11-26T09:00:05Z".into(),
        integrity: Some(Integrity {
            result: "ok".into(),
            sums_found: true,
            files_checked: 12,
            problems: vec![],
            expected_digest: "matched".into(),
            launcher_checked: true,
        }),
        policy: Some(Policy {
            disable_root_auto_update: Some(1),
            only_enterprise_roots: None,
            registry_key: "HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\AuthRoot"
                .into(),
            gpo_setting: "Turn off Automatic Root Certificates Update".into(),
        }),
        conflicts: vec![Conflict {
            sha1: "4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5".into(),
            name: "VeriSign Class 3 Public Primary Certification Authority - G5".into(),
            store: "LocalMachine\\Disallowed".into(),
        }],
        certificates: vec![Certificate {
            file: "certs\\Root\\VeriSign_Class_3_Public_Primary_Certification_4EB6D578.cer".into(),
            store: "Root".into(),
            role: "root".into(),
            name: "VeriSign Class 3 Public Primary Certification Authority - G5".into(),
            sha1: "4EB6D578499B1CCF5F581EAD56BE3D9B6744A5E5".into(),
            sha256: "9ACFAB7E43C8D880D06B262A94DEEEE4B4659989C3D0CAF19BAF6405E41AB7DF".into(),
            not_after: "2036-07-16T23:59:59Z".into(),
            before: Some("disallowed".into()),
            action: Some("blocked".into()),
            after: Some("present".into()),
            found_in: vec!["group-policy".into()],
            chain: "failed".into(),
            chain_status: vec!["NotTrusted".into()],
            error: Some("in Untrusted Certificates".into()),
        }],
        products: Some(Products {
            result: "checked".into(),
            agent_path: Some("C:\\Program Files (x86)\\Trend Micro\\Security Agent".into()),
            binaries: vec![Binary {
                file: "C:\\Program Files (x86)\\Trend Micro\\Security Agent\\TmListen.exe".into(),
                status: "Valid".into(),
                status_message: "Signature verified.".into(),
                signer: Some("CN=Trend Micro, Inc.".into()),
            }],
        }),
        report_dir: "E:\\apex-one-certs-20261125\\reports".into(),
        report_dir_fallback: false,
        verdict: Verdict::NotCompliant,
        exit_code: 1,
        messages: vec!["BLOCKED: ...".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(report: &InstallReport) -> String {
        serde_json::to_string_pretty(report).unwrap()
    }

    #[test]
    fn the_typed_reader_reads_exactly_the_schema() {
        let schema: std::collections::BTreeSet<(String, String)> = FIELDS
            .iter()
            .map(|f| (f.object.to_string(), f.key.to_string()))
            .collect();
        assert_eq!(accepted_keys(), schema);
        assert!(parse(text(&sample()).as_bytes()).is_ok());
    }

    #[test]
    fn a_repeated_key_is_refused_at_any_depth() {
        let good = text(&sample());
        // A decoy host object before the real one, and a repeated key inside it.
        let decoy = good.replacen("{", "{\n  \"host\": {\"name\": \"DECOY\"},", 1);
        let e = parse(decoy.as_bytes()).unwrap_err();
        assert!(e.contains("the key \"host\" appears twice"), "{e}");
        let inner = good.replacen("\"host\": {", "\"host\": {\"name\": \"A\", ", 1);
        assert!(
            parse(inner.as_bytes())
                .unwrap_err()
                .contains("\"name\" appears twice")
        );
        // Everything else reads as serde_json reads it.
        assert_eq!(
            strict_json(&good).unwrap(),
            serde_json::from_str::<Value>(&good).unwrap()
        );
    }

    #[test]
    fn boms_and_utf16_are_read() {
        let plain = text(&sample());
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(plain.as_bytes());
        assert!(parse(&bom).is_ok());
        let mut le = vec![0xFF, 0xFE];
        le.extend(plain.encode_utf16().flat_map(u16::to_le_bytes));
        assert!(parse(&le).is_ok());
        let mut be = vec![0xFE, 0xFF];
        be.extend(plain.encode_utf16().flat_map(u16::to_be_bytes));
        assert!(parse(&be).is_ok());
        assert_eq!(
            parse(&le[..le.len() - 1]).unwrap_err(),
            "UTF-16 text with an odd number of bytes (truncated?)"
        );
    }

    #[test]
    fn each_kind_of_bad_file_gets_its_reason() {
        let good = text(&sample());
        let cases: Vec<(String, &str)> = vec![
            (String::new(), "empty file"),
            (good[..good.len() / 2].to_string(), "the file is truncated"),
            ("{\"a\": }".into(), "broken JSON at line 1, column 7"),
            ("[1, 2]".into(), "JSON, but not an object"),
            ("{\"name\": \"x\"}".into(), "no \"schema\" key"),
            (
                "{\"schema\": \"certbundle-manifest/1\"}".into(),
                "a bundle manifest",
            ),
            (
                "{\"schema\": \"certbundle-report/2\"}".into(),
                "use a newer certbundle",
            ),
            ("{\"schema\": \"other/1\"}".into(), "schema \"other/1\""),
            (
                good.replace("\"elevated\": true", "\"elevated\": \"yes\""),
                "host.elevated is a string, not a bool",
            ),
            (
                good.replace("\"chain\": \"failed\",", ""),
                "certificates[0].chain is missing",
            ),
            (
                good.replace("\"verdict\": \"not-compliant\"", "\"verdict\": \"great\""),
                "unknown variant `great`",
            ),
            (
                good.replace(
                    "\"finished\": \"2026-11-26T09:00:05Z\"",
                    "\"finished\": \"yesterday\"",
                ),
                "finished is not an RFC 3339 time",
            ),
            (
                good.replace("\"name\": \"WS-0001\"", "\"name\": \" \""),
                "names no host",
            ),
        ];
        for (input, reason) in cases {
            let got = parse(input.as_bytes()).unwrap_err();
            assert!(got.contains(reason), "{got:?} does not say {reason:?}");
        }
        assert!(
            parse(b"\xff\x00garbage")
                .unwrap_err()
                .starts_with("not UTF-8 text")
        );
    }

    #[test]
    fn keys_the_schema_does_not_know_are_ignored() {
        let extra = text(&sample()).replacen('{', "{\n  \"later\": 1,", 1);
        assert!(parse(extra.as_bytes()).is_ok());
    }

    /// A report whose message holds `escape` (JSON text) as it would be written.
    fn with_message(escape: &str) -> String {
        let mut report = sample();
        report.messages = vec!["MARK".into()];
        text(&report).replace("MARK", escape)
    }

    #[test]
    fn an_unpaired_surrogate_is_read_as_a_replacement_character_with_a_note() {
        for (escape, read) in [
            ("C:\\\\x\\ud800y", "C:\\x\u{FFFD}y"),
            ("\\udfff", "\u{FFFD}"),
            ("\\ud800\\ud800", "\u{FFFD}\u{FFFD}"),
            ("\\udbff", "\u{FFFD}"),
        ] {
            let parsed =
                parse(with_message(escape).as_bytes()).unwrap_or_else(|e| panic!("{escape}: {e}"));
            assert_eq!(parsed.report.messages, vec![read.to_string()], "{escape}");
            assert_eq!(parsed.notes.len(), 1, "{escape}");
            assert!(parsed.notes[0].contains("unpaired UTF-16 surrogate"));
        }
        let twice = parse(with_message("\\ud800\\ud800").as_bytes()).unwrap();
        assert!(
            twice.notes[0].contains("holds 2 unpaired"),
            "{:?}",
            twice.notes
        );
    }

    #[test]
    fn escapes_that_are_not_unpaired_surrogates_are_read_as_written() {
        for (escape, read) in [
            // An escaped backslash, then the letters: no surrogate at all.
            ("\\\\ud800", "\\ud800"),
            ("\\\\\\\\ud800", "\\\\ud800"),
            // A pair is one character.
            ("\\ud83d\\ude00", "\u{1F600}"),
            ("\\u00e9\\u0041", "\u{E9}A"),
        ] {
            let parsed =
                parse(with_message(escape).as_bytes()).unwrap_or_else(|e| panic!("{escape}: {e}"));
            assert_eq!(parsed.report.messages, vec![read.to_string()], "{escape}");
            assert!(parsed.notes.is_empty(), "{escape}: {:?}", parsed.notes);
        }
    }
}
