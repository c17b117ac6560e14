//! Files `report` looked at and did not use, and whether each may be a host missing from the view.

use serde::Serialize;

/// A file that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct UnusedFile {
    /// Where it is (a path, or `zip!/entry`).
    pub(crate) file: String,
    /// Why it was skipped.
    pub(crate) reason: String,
    /// It is (or is named like) an installer report: a host may be missing from the view.
    pub(crate) report_like: bool,
}

impl UnusedFile {
    /// A file skipped before it was read: a report when it is named like one.
    pub(crate) fn new(file: String, reason: String) -> Self {
        let report_like = named_like_a_report(&file);
        UnusedFile {
            file,
            reason,
            report_like,
        }
    }

    /// A file read and found unusable: a report when it is named like one or says it is one.
    pub(crate) fn unusable(file: String, reason: String, bytes: &[u8]) -> Self {
        let declared = bytes
            .windows(b"certbundle-report/".len())
            .any(|w| w == b"certbundle-report/");
        let mut skipped = UnusedFile::new(file, reason);
        skipped.report_like |= declared;
        skipped
    }
}

/// Whether a file name is the installer's: `<COMPUTER>_<yyyyMMddTHHmmssZ>.json`, or with `-2`,
/// `-3`, ... when that name was taken (the installer never replaces a file).
fn named_like_a_report(file: &str) -> bool {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let Some(stem) = name
        .strip_suffix(".json")
        .or_else(|| name.strip_suffix(".JSON"))
    else {
        return false;
    };
    let stem = match stem.rsplit_once('-') {
        Some((before, n))
            if before.ends_with('Z') && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) =>
        {
            before
        }
        _ => stem,
    };
    let Some((host, time)) = stem.rsplit_once('_') else {
        return false;
    };
    let b = time.as_bytes();
    !host.is_empty()
        && b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::named_like_a_report;

    #[test]
    fn report_names_are_the_installers() {
        assert!(named_like_a_report(
            "E:\\reports\\WS_01_20261126T080004Z.json"
        ));
        assert!(named_like_a_report("r/MÜNCHEN_20261126T080004Z.json"));
        assert!(named_like_a_report("r/WS-01_20261126T080004Z-2.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T080004Z-.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T080004Z-x.json"));
        assert!(!named_like_a_report("r/package.json"));
        assert!(!named_like_a_report("r/WS-01_20261126T0800Z.json"));
    }
}
