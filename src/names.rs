//! Names that reach a file system or a screen: safe file names for any FAT32/exFAT/NTFS stick,
//! bundle names, and certificate text made harmless for terminals and text files.

/// Longest name part taken from a certificate (the thumbprint suffix comes on top).
pub const MAX_NAME_PART: usize = 40;

/// Longest bundle name accepted with `--name`.
const MAX_BUNDLE_NAME: usize = 64;

const RESERVED: [&str; 4] = ["CON", "PRN", "AUX", "NUL"];

/// Reduces any text to `[A-Za-z0-9_-]`: other characters (dots included, so the only dot in a
/// bundle file name is the extension's) become `_`, runs of `_` collapse, edges are trimmed, and
/// the result is at most [`MAX_NAME_PART`] characters. Empty results become `Certificate`.
pub fn file_part(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '-' {
            c
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    let trimmed: String = out
        .trim_matches(|c| c == '_' || c == '-')
        .chars()
        .take(MAX_NAME_PART)
        .collect();
    let trimmed = trimmed.trim_end_matches(['_', '-']).to_string();
    if trimmed.is_empty() {
        "Certificate".into()
    } else {
        trimmed
    }
}

/// Whether `stem` (the part before the first dot) is a Windows reserved device name.
pub fn is_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    RESERVED.contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit())
}

/// A path as the user typed it, in the platform's form: on Windows, where `/` and `\\` both
/// separate, every `/` becomes `\\`, so that paths certbundle prints (folders it walked, files it
/// wrote) use one separator. A verbatim path (`\\?\\...`, where `/` is an ordinary character) and
/// every path elsewhere are left as they are.
pub fn native(path: std::path::PathBuf) -> std::path::PathBuf {
    #[cfg(windows)]
    {
        use std::os::windows::ffi::{OsStrExt, OsStringExt};
        let wide: Vec<u16> = path.as_os_str().encode_wide().collect();
        let verbatim = [b'\\', b'\\', b'?', b'\\'].map(u16::from);
        if !wide.starts_with(&verbatim) {
            let slash = u16::from(b'/');
            let converted: Vec<u16> = wide
                .into_iter()
                .map(|c| if c == slash { u16::from(b'\\') } else { c })
                .collect();
            return std::ffi::OsString::from_wide(&converted).into();
        }
    }
    path
}

/// Folders Windows keeps at the root of every drive, a USB stick's included, that only the system
/// may read: a walk of `E:\\` passes them over instead of failing on them.
pub fn is_windows_system_folder(name: &str) -> bool {
    ["System Volume Information", "$RECYCLE.BIN"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(name))
}

/// Checks a bundle name given with `--name`; the error says what is wrong.
pub fn check_bundle_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_BUNDLE_NAME {
        return Err(format!("must be 1 to {MAX_BUNDLE_NAME} characters long"));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "contains {c:?}; only letters A-Z a-z, digits, '.', '_' and '-' are safe on every USB stick"
        ));
    }
    if name.starts_with(['.', '-']) || name.ends_with('.') {
        return Err("must not start with '.' or '-' or end with '.'".into());
    }
    if is_reserved(name) {
        return Err("is a reserved device name on Windows".into());
    }
    Ok(())
}

/// Upper case as Windows compares computer names (its invariant casing): one character for one
/// (so `ß` stays `ß`, never `SS`), and `İ` (U+0130), `ı` (U+0131) and `ſ` (U+017F) left as they
/// are (Rust's own casing maps the last two to `I` and `S`). The one place names are folded.
pub(crate) fn windows_upper(name: &str) -> String {
    name.chars()
        .map(|c| {
            if matches!(c, '\u{130}' | '\u{131}' | '\u{17F}') {
                return c;
            }
            let mut u = c.to_uppercase();
            match (u.next(), u.next()) {
                (Some(u), None) => u,
                _ => c,
            }
        })
        .collect()
}

/// Text from a certificate made safe to show: control characters, and the bidirectional and
/// invisible formatting characters that can make text read differently than it is, are replaced
/// by `\u{XXXX}` escapes. Everything else is kept.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_deceptive(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Control characters, and format or filler characters that are invisible or reorder text:
/// bidirectional controls, zero-width characters, line/paragraph separators, soft hyphen,
/// variation selectors, tag characters, Hangul fillers.
fn is_deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c as u32,
            0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180F
            | 0x200B..=0x200F | 0x2028..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
            | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFFB | 0x1D173..=0x1D17A | 0xE0000..=0xE0FFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_part_keeps_only_safe_characters() {
        assert_eq!(
            file_part("VeriSign Class 3 Public Primary Certification Authority - G5"),
            "VeriSign_Class_3_Public_Primary_Certific"
        );
        assert_eq!(file_part("DigiCert, Inc."), "DigiCert_Inc");
        assert_eq!(file_part("../../etc/passwd"), "etc_passwd");
        assert_eq!(file_part("Ünïcödé ★"), "n_c_d");
        assert_eq!(file_part("★★★"), "Certificate");
        assert_eq!(file_part("CON.txt"), "CON_txt");
    }

    #[test]
    fn reserved_device_names() {
        for name in ["CON", "con.txt", "NUL", "COM1", "lpt9.zip", "AUX"] {
            assert!(is_reserved(name), "{name}");
        }
        for name in ["CONSOLE", "COM10", "apex-one", "CON_1234"] {
            assert!(!is_reserved(name), "{name}");
        }
    }

    #[test]
    fn bundle_names() {
        assert!(check_bundle_name("apex-one-certs-20261125").is_ok());
        assert!(check_bundle_name("site_A.v2").is_ok());
        for bad in [
            "",
            ".hidden",
            "-x",
            "a/b",
            "a\\b",
            "x.",
            "NUL",
            "a b",
            "é",
            &"x".repeat(65),
        ] {
            assert!(check_bundle_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn printable_escapes_controls_and_bidi() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{001B}[31mb");
        assert_eq!(printable("x\u{202E}y\n"), "x\\u{202E}y\\u{000A}");
        assert_eq!(printable("Zürich ✓"), "Zürich ✓");
        assert_eq!(
            printable("a\u{2028}b\u{AD}c\u{E0041}\u{3164}"),
            "a\\u{2028}b\\u{00AD}c\\u{E0041}\\u{3164}"
        );
    }

    #[test]
    fn names_are_folded_as_windows_does() {
        assert_eq!(windows_upper("ws-1 straße"), "WS-1 STRAßE");
        assert_eq!(windows_upper("münchen"), "MÜNCHEN");
        // Windows' invariant casing leaves these three alone; Rust maps ı to I and ſ to S.
        assert_eq!(windows_upper("ıſİ"), "ıſİ");
        assert_ne!(windows_upper("wın"), windows_upper("WIN"));
        assert_ne!(windows_upper("ſrv"), windows_upper("SRV"));
    }
}
