//! How a rendered text file becomes bytes on disk: line ends, byte-order mark, and the ASCII
//! rule for scripts.

use super::{BundleTemplate, RenderError};

/// How a rendered text file is encoded on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    /// UTF-8 with a byte-order mark and CRLF line ends (Notepad on every Windows version).
    Utf8BomCrlf,
    /// Pure ASCII with CRLF line ends, no BOM (scripts): anything else is a render error.
    AsciiCrlf,
    /// Pure ASCII with LF line ends (Ansible's YAML and its README, read on the control node).
    AsciiLf,
}

/// The bytes of `text` as `t`'s file: its line ends made CRLF (LF for [`Encoding::AsciiLf`]),
/// with the byte-order mark it takes; `Err` names the first character an ASCII file cannot hold
/// (for LF files, also a carriage return that does not end a line).
pub(super) fn encode(text: &str, t: &BundleTemplate) -> Result<Vec<u8>, RenderError> {
    let lf = t.encoding == Encoding::AsciiLf;
    // The first character the file cannot hold: not ASCII, or (LF files) a carriage return that
    // does not end a line.
    let found = match t.encoding {
        Encoding::Utf8BomCrlf => None,
        _ if text.is_ascii() && !(lf && text.contains('\r')) => None,
        _ => text
            .char_indices()
            .find(|&(i, c)| {
                !c.is_ascii() || (lf && c == '\r' && text.as_bytes().get(i + 1) != Some(&b'\n'))
            })
            .map(|(_, c)| c),
    };
    if let Some(found) = found {
        return Err(RenderError::NotAscii {
            template: t.template.into(),
            output: t.output.into(),
            found,
        });
    }
    let (bom, eol): (&[u8], &[u8]) = match t.encoding {
        Encoding::Utf8BomCrlf => ("\u{feff}".as_bytes(), b"\r\n"),
        Encoding::AsciiCrlf => (b"", b"\r\n"),
        Encoding::AsciiLf => (b"", b"\n"),
    };
    let mut out = Vec::with_capacity(bom.len() + text.len() + text.len() / 32);
    out.extend_from_slice(bom);
    let bytes = text.as_bytes();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes) {
        let line = &bytes[start..end];
        out.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
        out.extend_from_slice(eol);
        start = end + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{BUNDLE_TEMPLATES, Stage};

    #[test]
    fn encodings_are_crlf_with_or_without_bom_and_ascii_is_enforced() {
        let readme = BUNDLE_TEMPLATES[0];
        assert_eq!(
            encode("a\nb\r\nc\n", &readme).unwrap(),
            b"\xEF\xBB\xBFa\r\nb\r\nc\r\n"
        );
        let script = BundleTemplate {
            template: "x.j2",
            output: "x.ps1",
            encoding: Encoding::AsciiCrlf,
            stage: Stage::First,
        };
        assert_eq!(encode("a\nb", &script).unwrap(), b"a\r\nb");
        assert!(matches!(
            encode("caf\u{e9}", &script),
            Err(RenderError::NotAscii {
                found: '\u{e9}',
                ..
            })
        ));
        assert!(matches!(
            encode("\u{2019}", &script),
            Err(RenderError::NotAscii { .. })
        ));
        // A lone carriage return stays in a CRLF file; "\r\r\n" is a CR, then a line end.
        assert_eq!(encode("a\rb\r\r\nc", &script).unwrap(), b"a\rb\r\r\nc");
        assert_eq!(encode("", &script).unwrap(), b"");
        assert_eq!(encode("\n\n", &readme).unwrap(), b"\xEF\xBB\xBF\r\n\r\n");
        let yaml = BundleTemplate {
            encoding: Encoding::AsciiLf,
            ..script
        };
        assert_eq!(encode("a\r\nb\nc\n", &yaml).unwrap(), b"a\nb\nc\n");
        // LF files carry no carriage return at all: a lone one is refused, even before a line end.
        for text in ["a\rb", "a\r\r\nb", "a\r"] {
            assert!(
                matches!(
                    encode(text, &yaml),
                    Err(RenderError::NotAscii { found: '\r', .. })
                ),
                "{text:?}"
            );
        }
        assert!(matches!(
            encode("\u{e9}\r", &yaml),
            Err(RenderError::NotAscii {
                found: '\u{e9}',
                ..
            })
        ));
    }

    proptest::proptest! {
        /// The one-pass encoder gives what the obvious replace-twice does, for text made of the
        /// characters that matter (CR, LF, ASCII, one non-ASCII character).
        #[test]
        fn encoding_matches_replacing_line_ends(text in "[\r\na\u{e9}]{0,12}") {
            let crlf = text.replace("\r\n", "\n").replace('\n', "\r\n");
            let lf = text.replace("\r\n", "\n");
            let templates =
                [BUNDLE_TEMPLATES[0], ascii(Encoding::AsciiCrlf), ascii(Encoding::AsciiLf)];
            for template in templates {
                // Ok(bytes), or Err(the first character the file cannot hold).
                let expected = match template.encoding {
                    Encoding::Utf8BomCrlf => Ok(format!("\u{feff}{crlf}")),
                    Encoding::AsciiCrlf => crlf
                        .chars()
                        .find(|c| !c.is_ascii())
                        .map_or(Ok(crlf.clone()), Err),
                    Encoding::AsciiLf => lf
                        .chars()
                        .find(|c| !c.is_ascii() || *c == '\r')
                        .map_or(Ok(lf.clone()), Err),
                };
                let actual = encode(&text, &template).map_err(|e| match e {
                    RenderError::NotAscii { found, .. } => found,
                    other => panic!("{other}"),
                });
                proptest::prop_assert_eq!(actual, expected.map(String::into_bytes));
            }
        }
    }

    fn ascii(encoding: Encoding) -> BundleTemplate {
        BundleTemplate {
            template: "x.j2",
            output: "x",
            encoding,
            stage: Stage::First,
        }
    }
}
