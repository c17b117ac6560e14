//! The only ways data enters a generated script (DESIGN.md, "Safety rules for generated scripts").
//!
//! Every filter returns a *safe* value; the script templates' formatter refuses anything else, so a
//! value printed without one of these filters is a render error, never an injection.
//!
//! - `ps`: a PowerShell single-quoted literal: every character PowerShell takes for a single quote
//!   (U+0027, U+2018, U+2019, U+201A, U+201B) is doubled; control characters are refused.
//! - `ps_hex`: a single-quoted literal of hex digits (thumbprints, hashes), upper-cased.
//! - `b64`: a single-quoted literal holding the base64 of the text's UTF-8 bytes (for any text
//!   taken from a certificate; decoded at run time).
//! - `der_b64`: a single-quoted literal holding the base64 of bytes given as hex (certificates).
//! - `comment`: text reduced to `[A-Za-z0-9._-]` for a `#` comment or `rem` line.
//! - `cmd`: a `.cmd` token: only `[A-Za-z0-9._-]` and `\` (bundle file names, store names).
//! - `cmd_hex`: hex digits for a `.cmd` file, upper-cased.
//! - `yaml`: a YAML single-quoted scalar (`'` doubled) of printable ASCII, for the Ansible files
//!   (`*.yml.j2`); control characters, other characters and Jinja's openers (`{{`, `{%`, `{#`,
//!   which Ansible would evaluate) are refused.
//! - `yaml_hex`: a YAML single-quoted scalar of hex digits (hashes), upper-cased.
//!
//! The YAML filters return a [`YamlScalar`], not a safe string: a `.yml` template prints nothing
//! else (numbers aside), and the other templates print no `YamlScalar`.

use std::sync::Arc;

use minijinja::value::{Object, ObjectRepr};
use minijinja::{Error, ErrorKind, Value};

/// The characters PowerShell's tokenizer treats as a single quote (CharTraits.IsSingleQuote).
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

fn refuse(filter: &str, why: String) -> Error {
    Error::new(
        ErrorKind::InvalidOperation,
        format!("filter {filter}: {why}"),
    )
}

/// Text as a PowerShell single-quoted literal; `Err` for text with control characters (a line
/// break would end a comment or a statement around it).
pub fn ps_literal(text: &str) -> Result<String, String> {
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return Err(format!(
            "control character U+{:04X} cannot go into a PowerShell literal",
            c as u32
        ));
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    Ok(out)
}

fn hex(filter: &str, text: &str) -> Result<String, Error> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refuse(filter, format!("{text:?} is not hex")));
    }
    Ok(text.to_ascii_uppercase())
}

/// `ps` filter.
pub(crate) fn ps(text: String) -> Result<Value, Error> {
    ps_literal(&text)
        .map(Value::from_safe_string)
        .map_err(|why| refuse("ps", why))
}

/// `ps_hex` filter.
pub(crate) fn ps_hex(text: String) -> Result<Value, Error> {
    Ok(Value::from_safe_string(format!(
        "'{}'",
        hex("ps_hex", &text)?
    )))
}

/// `b64` filter.
pub(crate) fn b64(text: String) -> Value {
    Value::from_safe_string(format!(
        "'{}'",
        data_encoding::BASE64.encode(text.as_bytes())
    ))
}

/// `der_b64` filter.
pub(crate) fn der_b64(hex_text: String) -> Result<Value, Error> {
    // Decoding checks the digits (either case); no upper-cased copy of a whole certificate first.
    let bytes = match data_encoding::HEXUPPER_PERMISSIVE.decode(hex_text.as_bytes()) {
        Ok(bytes) if !bytes.is_empty() => bytes,
        Ok(_) => return Err(refuse("der_b64", "the value is empty".into())),
        Err(e) => {
            let why = format!(
                "the value is not hex digits in pairs ({e}, of {})",
                hex_text.len()
            );
            return Err(refuse("der_b64", why));
        }
    };
    let mut out = String::with_capacity(data_encoding::BASE64.encode_len(bytes.len()) + 2);
    out.push('\'');
    data_encoding::BASE64.encode_append(&bytes, &mut out);
    out.push('\'');
    Ok(Value::from_safe_string(out))
}

/// `comment` filter.
pub(crate) fn comment(text: String) -> Value {
    let mut out = String::new();
    for c in text.chars().take(120) {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            c
        } else {
            '_'
        };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    Value::from_safe_string(out)
}

/// `cmd` filter.
pub(crate) fn cmd(text: String) -> Result<Value, Error> {
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '\\'))
    {
        return Err(refuse(
            "cmd",
            format!("{text:?} has characters that are not safe in a .cmd file"),
        ));
    }
    Ok(Value::from_safe_string(text))
}

/// `cmd_hex` filter.
pub(crate) fn cmd_hex(text: String) -> Result<Value, Error> {
    Ok(Value::from_safe_string(hex("cmd_hex", &text)?))
}

/// Text made by a YAML filter: the only value a `.yml` template prints (besides numbers).
#[derive(Debug)]
pub(crate) struct YamlScalar(String);

impl YamlScalar {
    /// The scalar as it goes into the file, quotes included.
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl Object for YamlScalar {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text as a YAML single-quoted scalar: printable ASCII only (the Ansible files are ASCII), every
/// `'` doubled. Jinja's openers are refused: Ansible evaluates `{{ ... }}` in playbook values.
pub fn yaml_literal(text: &str) -> Result<String, String> {
    if let Some(c) = text.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(if c.is_control() {
            format!(
                "control character U+{:04X} cannot go into a YAML scalar",
                c as u32
            )
        } else {
            format!(
                "{c:?} (U+{:04X}) is not ASCII, and the Ansible files are ASCII",
                c as u32
            )
        });
    }
    if let Some(opener) = ["{{", "{%", "{#"].iter().find(|o| text.contains(**o)) {
        return Err(format!(
            "{text:?} holds {opener:?}, which Ansible would evaluate as a template"
        ));
    }
    Ok(format!("'{}'", text.replace('\'', "''")))
}

/// `yaml` filter.
pub(crate) fn yaml(text: String) -> Result<Value, Error> {
    yaml_literal(&text)
        .map(|s| Value::from_object(YamlScalar(s)))
        .map_err(|why| refuse("yaml", why))
}

/// `yaml_hex` filter.
pub(crate) fn yaml_hex(text: String) -> Result<Value, Error> {
    Ok(Value::from_object(YamlScalar(format!(
        "'{}'",
        hex("yaml_hex", &text)?
    ))))
}

/// The formatter of every certbundle template. In the script templates (auto-escape `PowerShell`,
/// `cmd`) only safe strings (what the script filters make) and numbers print; in the YAML ones
/// (`YAML`) only a [`YamlScalar`] and numbers; anything else is a render error. Other templates
/// (README.txt, the fleet page) escape as minijinja does.
pub(crate) fn formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    match state.auto_escape() {
        minijinja::AutoEscape::Custom(kind) => {
            let number = value.kind() == minijinja::value::ValueKind::Number;
            let scalar = value.downcast_object_ref::<YamlScalar>();
            // Written straight to the output: no copy of a whole embedded certificate.
            let written = match scalar {
                Some(scalar) if *kind == "YAML" => Some(out.write_str(scalar.as_str())),
                _ if number || (*kind != "YAML" && value.is_safe()) => Some(write!(out, "{value}")),
                _ => None,
            };
            if let Some(written) = written {
                written.map_err(|_| Error::new(ErrorKind::WriteFailure, "write failed"))
            } else {
                Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "a value reached a {kind} template without a certbundle filter for it ({})",
                        if *kind == "YAML" {
                            "yaml, yaml_hex"
                        } else {
                            "ps, ps_hex, b64, der_b64, comment, cmd, cmd_hex; yaml and yaml_hex are for .yml templates"
                        }
                    ),
                ))
            }
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Replaces minijinja's `safe`: in certbundle templates nothing is marked safe by hand.
pub(crate) fn no_safe(_: Value) -> Result<Value, Error> {
    Err(refuse("safe", "not available in certbundle templates; use ps, ps_hex, b64, der_b64, comment, cmd, cmd_hex, yaml or yaml_hex".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_double_every_single_quote_kind_and_refuse_controls() {
        assert_eq!(ps_literal("O'Brien").unwrap(), "'O''Brien'");
        assert_eq!(
            ps_literal("\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}").unwrap(),
            "'\u{2019}\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}\u{2019}'"
        );
        assert_eq!(ps_literal("$(calc) `n #>").unwrap(), "'$(calc) `n #>'");
        assert!(ps_literal("a\nb").is_err());
        assert!(ps_literal("a\u{85}b").is_err());
        assert!(ps_literal("a\u{2028}b").is_err());
    }

    #[test]
    fn other_filters() {
        assert_eq!(ps_hex("ab12".into()).unwrap().as_str(), Some("'AB12'"));
        assert!(ps_hex("ab'".into()).is_err());
        assert_eq!(b64("é".into()).as_str(), Some("'w6k='"));
        assert_eq!(
            der_b64("3003020105".into()).unwrap().as_str(),
            Some("'MAMCAQU='")
        );
        assert_eq!(
            der_b64("30030201aB".into()).unwrap().as_str(),
            Some("'MAMCAas='")
        );
        for (bad, why) in [
            ("", "empty"),
            ("300", "(invalid length at 2, of 3)"),
            ("3g", "(invalid symbol at 1, of 2)"),
            ("30 03", "(invalid length at 4, of 5)"),
            ("'30'", "(invalid symbol at 0, of 4)"),
        ] {
            let e = der_b64(bad.into()).unwrap_err().to_string();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
        assert_eq!(
            comment("Evil #> \r\n Root".into()).as_str(),
            Some("Evil_Root")
        );
        assert!(cmd("certs\\Root\\A_1.cer".into()).is_ok());
        assert!(cmd("a&b".into()).is_err());
        assert!(cmd("%PATH%".into()).is_err());
        assert!(cmd_hex("0g".into()).is_err());
    }

    fn scalar(v: Value) -> String {
        v.downcast_object_ref::<YamlScalar>()
            .expect("a YAML filter returns a YamlScalar")
            .as_str()
            .to_string()
    }

    #[test]
    fn yaml_scalars_double_quotes_and_refuse_controls_non_ascii_and_jinja() {
        assert_eq!(yaml_literal("O'Brien").unwrap(), "'O''Brien'");
        assert_eq!(yaml_literal("").unwrap(), "''");
        assert_eq!(
            yaml_literal("a: b # c \\ \"d\" - [e] {f} &g *h !i %j @k `l").unwrap(),
            "'a: b # c \\ \"d\" - [e] {f} &g *h !i %j @k `l'"
        );
        assert_eq!(yaml_literal("''").unwrap(), "''''''");
        for bad in ["a\nb", "a\rb", "a\tb", "a\u{7f}", "a\u{85}b"] {
            assert!(
                yaml_literal(bad).unwrap_err().contains("control"),
                "{bad:?}"
            );
        }
        for bad in [
            "caf\u{e9}",
            "\u{2019}",
            "\u{feff}x",
            "\u{202e}",
            "a\u{2028}b",
        ] {
            assert!(
                yaml_literal(bad).unwrap_err().contains("not ASCII"),
                "{bad:?}"
            );
        }
        for bad in ["{{ lookup('pipe', 'id') }}", "a{%b", "{#x"] {
            assert!(
                yaml_literal(bad).unwrap_err().contains("template"),
                "{bad:?}"
            );
        }
        assert_eq!(scalar(yaml("x'y".into()).unwrap()), "'x''y'");
        assert!(yaml("\u{1b}[2J".into()).is_err());
        assert_eq!(scalar(yaml_hex("ab12".into()).unwrap()), "'AB12'");
        assert!(yaml_hex("".into()).is_err());
        assert!(yaml_hex("ab'".into()).is_err());
        // Not a safe string: the script templates' formatter refuses it.
        assert!(!yaml("x".into()).unwrap().is_safe());
    }

    #[test]
    fn yaml_templates_print_only_yaml_filters_and_scripts_never_do() {
        let mut env = crate::render::environment(&crate::render::Templates::embedded()).unwrap();
        let cases = [
            (
                "a.yml.j2",
                "x: {{ name|yaml }} # {{ n }}",
                Ok("x: 'O''Brien' # 3"),
            ),
            ("b.yml.j2", "x: {{ hash|yaml_hex }}", Ok("x: 'AB12'")),
            (
                "c.yml.j2",
                "x: {{ name }}",
                Err("without a certbundle filter for it (yaml, yaml_hex)"),
            ),
            (
                "d.yml.j2",
                "x: {{ name|ps }}",
                Err("without a certbundle filter for it (yaml, yaml_hex)"),
            ),
            ("e.yml.j2", "x: {{ name|comment }}", Err("(yaml, yaml_hex)")),
            (
                "f.yml.j2",
                "x: {{ 'a' ~ name|yaml }}",
                Err("(yaml, yaml_hex)"),
            ),
            ("g.yml.j2", "x: {{ flag }}", Err("(yaml, yaml_hex)")),
            (
                "h.yml.j2",
                "x: {{ evil|yaml }}",
                Err("Ansible would evaluate"),
            ),
            (
                "i.ps1.j2",
                "$x = {{ name|yaml }}",
                Err("yaml and yaml_hex are for .yml templates"),
            ),
            (
                "j.cmd.j2",
                "set x={{ hash|yaml_hex }}",
                Err("yaml and yaml_hex are for .yml templates"),
            ),
            ("k.md.j2", "{{ name|yaml }}", Ok("'O''Brien'")),
        ];
        for (name, source, _) in &cases {
            env.add_template_owned(*name, *source).unwrap();
        }
        let ctx = minijinja::context! {
            name => "O'Brien", hash => "ab12", n => 3, flag => true, evil => "{{ lookup('pipe', 'id') }}"
        };
        for (name, _, want) in cases {
            let got = env.get_template(name).unwrap().render(&ctx);
            match (want, got) {
                (Ok(want), Ok(got)) => assert_eq!(got, want, "{name}"),
                (Err(want), Err(e)) => assert!(e.to_string().contains(want), "{name}: {e}"),
                (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
            }
        }
    }
}
