//! The generated installer scripts, checked statically and strictly (we cannot run Windows here):
//! they parse, use nothing newer than PowerShell 2.0, are ASCII with CRLF, carry certificate text
//! only as base64, reference only files that exist, and write exactly the documented report keys.

use std::collections::BTreeSet;

use crate::common;
use crate::common::powershell::{lint, parse, parse_errors, read_single_quoted};
use crate::common::*;
use certbundle::load::{Item, Origin};
use certbundle::{plan, render, report_schema, verify};
use proptest::prelude::*;
use time::format_description::well_known::Rfc3339;

/// Renders a bundle of the given certificates in memory (load and write are tested elsewhere).
pub(crate) fn render_bundle(ders: &[Vec<u8>]) -> render::Rendered {
    let items: Vec<Item> = ders
        .iter()
        .enumerate()
        .map(|(i, der)| Item {
            origin: Origin {
                path: format!("c{i}.cer").into(),
                position: None,
            },
            der: der.clone(),
            defect: None,
        })
        .collect();
    let now = time::OffsetDateTime::parse(NOW, &Rfc3339).unwrap();
    let checked = verify::check(&items, &verify::Policy::unpinned(now, false));
    let spec = plan::Spec {
        name: "test-certs".into(),
        created: time::OffsetDateTime::from_unix_timestamp(EPOCH.parse().unwrap()).unwrap(),
        profile: "none".into(),
        profile_source: "none".into(),
        allow_expired: false,
        allow_unpinned: false,
        allow_missing: false,
        custom_templates: vec![],
    };
    let plan = plan::bundle(&checked, spec).unwrap_or_else(|e| panic!("{e}: {checked:#?}"));
    render::all(&plan, &render::Templates::embedded()).unwrap()
}

pub(crate) fn text(r: &render::Rendered, path: &str) -> String {
    String::from_utf8(r.files[path].clone()).unwrap()
}

/// The lines of a script that do something: no comments, no `echo` (a check of what a script
/// does must not be satisfied by a line that only talks about it).
pub(crate) fn code(r: &render::Rendered, path: &str) -> String {
    let text = text(r, path);
    let text = match text.find("[CmdletBinding") {
        Some(at) if path.ends_with(".ps1") => text[at..].to_string(),
        _ => text,
    };
    let ps = path.ends_with(".ps1");
    text.split("\r\n")
        .filter(|l| {
            let l = l.trim_start().to_ascii_lowercase();
            let comment = if ps {
                l.starts_with('#')
            } else {
                l == "rem" || l.starts_with("rem ") || l.starts_with("::")
            };
            !(comment || (!ps && l.starts_with("echo")))
        })
        .collect::<Vec<_>>()
        .join("\r\n")
}

const SCRIPTS: [&str; 5] = [
    "Install-Certificates.ps1",
    "Deploy-Certificates.ps1",
    "Install.cmd",
    "Install-Certutil.cmd",
    "Publish-Domain.cmd",
];

/// The PowerShell scripts of a bundle.
const PS_SCRIPTS: [&str; 2] = ["Install-Certificates.ps1", "Deploy-Certificates.ps1"];

/// Everything the issue demands of every generated script.
fn assert_scripts_sound(r: &render::Rendered) {
    for name in SCRIPTS {
        let bytes = &r.files[name];
        assert!(bytes.is_ascii(), "{name} is not pure ASCII");
        assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "{name} has a BOM");
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(
            !text.replace("\r\n", "").contains('\n') && !text.replace("\r\n", "").contains('\r'),
            "{name} has a bare LF or CR"
        );
        assert!(text.ends_with("\r\n"));
    }
    for name in PS_SCRIPTS {
        let ps = text(r, name);
        assert_eq!(
            parse_errors(&ps),
            Vec::<String>::new(),
            "{name} does not parse"
        );
        assert_eq!(
            lint(&ps),
            vec![],
            "{name} uses something newer than PowerShell 2.0"
        );
    }
}

#[test]
fn scripts_for_one_two_and_200_certificates_parse_and_pass_the_lint() {
    let root = root("One Root");
    let inter = intermediate("One Intermediate", &root);
    for ders in [
        vec![root.der.clone()],
        vec![root.der.clone(), inter.der.clone()],
    ] {
        let r = render_bundle(&ders);
        assert_scripts_sound(&r);
        let ps = text(&r, "Install-Certificates.ps1");
        assert_eq!(ps.matches("[void]$list.Add(@{").count(), ders.len());
    }
    let many: Vec<Vec<u8>> = (0..200)
        .map(|i| common::root(&format!("Many Root {i:03}")).der)
        .collect();
    let r = render_bundle(&many);
    assert_scripts_sound(&r);
    assert_eq!(
        text(&r, "Install-Certificates.ps1")
            .matches("[void]$list.Add(@{")
            .count(),
        200
    );
    assert_eq!(
        text(&r, "Install-Certutil.cmd")
            .matches("call :install ")
            .count(),
        200
    );
    let publish = text(&r, "Publish-Domain.cmd");
    assert_eq!(publish.matches("call :dspublish ").count(), 200);
    assert!(publish.contains("Publish these 200 certificate(s) to Active Directory?"));
}

const HOSTILE: [&str; 8] = [
    "\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}",
    "'; Remove-Item C:\\ -Recurse; '",
    "$(calc) ${env:PATH} @(calc)",
    "tick ` back`ntick `$x",
    "comment #> Start-Process calc <#",
    "two\r\nlines & del /q C:\\*.* | calc ^ %PATH% !x!",
    "bidi \u{202e}exe.cer\u{202c} \u{2066}x\u{2069}",
    "\u{201c}smart\u{201d} \u{2014}dash\u{2013} \u{201a}low\u{201b}",
];

#[test]
fn hostile_subjects_reach_the_scripts_only_as_base64() {
    let ders: Vec<Vec<u8>> = HOSTILE
        .iter()
        .map(|name| {
            let mut p = ca_params(name);
            p.use_authority_key_identifier_extension = false;
            root_with(p, ec_key()).der
        })
        .collect();
    let r = render_bundle(&ders);
    assert_scripts_sound(&r);
    let ps = text(&r, "Install-Certificates.ps1");
    for script in SCRIPTS {
        // Outside comments (checked below), no trace of the names.
        let code: String = text(&r, script)
            .lines()
            .filter(|l| {
                !l.trim_start().starts_with('#')
                    && !l.trim_start().to_ascii_lowercase().starts_with("rem")
            })
            .collect();
        // (Bundle file names keep the safe characters of a name: needles hold unsafe ones.)
        for needle in [
            "Remove-Item C:",
            "$(calc)",
            "#> Start",
            "del /q",
            "%PATH%",
            "\u{201c}smart",
            "\u{202e}",
        ] {
            assert!(
                !code.contains(needle),
                "{script} carries certificate text {needle:?}"
            );
        }
    }
    // Every name is there, as base64 of its (display-safe) UTF-8 text.
    for name in HOSTILE {
        let b64 = data_encoding::BASE64.encode(certbundle::names::printable(name).as_bytes());
        assert!(
            ps.contains(&format!("(ConvertFrom-Base64Text '{b64}')")),
            "{name:?} not embedded"
        );
    }
    // Comment lines carry only safe file-name characters.
    for line in ps
        .lines()
        .filter(|l| l.trim_start().starts_with("# Root: "))
    {
        let name = line.trim_start().trim_start_matches("# Root: ");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
            "{line:?}"
        );
    }
}

#[test]
fn every_lint_rule_fires_on_a_known_bad_sample() {
    let samples: &[(&str, &str)] = &[
        ("L1", "if (1 -in @(1)) { }"),
        ("L1", "if (1 -notin @(1)) { }"),
        ("L2", "$h = [ordered]@{ a = 1 }"),
        ("L3", "$o = [pscustomobject]@{ a = 1 }"),
        ("L4", "1 | ForEach-Object { $PSItem }"),
        ("L5", "$p = $PSScriptRoot"),
        ("L5", "$p = $PSCommandPath"),
        ("L6", "ConvertTo-Json $x"),
        ("L6", "Invoke-WebRequest http://x"),
        ("L6", "Unblock-File x"),
        ("L7", "Get-FileHash x"),
        ("L8", "$x.Where({ $_ })"),
        ("L8", "$x.ForEach({ $_ })"),
        ("L9", "class Foo { }"),
        ("L9", "enum E { A }"),
        ("L9", "$y = [Foo]::new()"),
        ("L9", "using namespace System"),
        (
            "L10",
            "Import-Certificate -FilePath x -CertStoreLocation Cert:\\LocalMachine\\Root",
        ),
        ("L11", "Set-Content -Path a -Encoding utf8NoBOM -Value b"),
        ("L11", "Get-Content x -Encoding Byte"),
        ("L11", "Get-Content x -AsByteStream"),
        ("L12", "Set-StrictMode -Version Latest"),
        ("L12", "Set-StrictMode -Version 3.0"),
        ("L13", "$s = \"a`e[0m\""),
        ("L13", "$s = \"`u{263A}\""),
        ("L14", "a && b"),
        ("L14", "a || b"),
        ("L14", "$a = $b ?? $c"),
        ("L14", "$t = $x ? 1 : 2"),
        ("L15", "Get-Item x -ErrorAction Ignore"),
        ("L16", "Get-Process | Where-Object Name -eq 'x'"),
        ("L16", "Get-ChildItem . -File"),
        ("L16", "Get-Content x -Raw"),
        ("L17", "function f { param([Parameter(Mandatory)]$z) }"),
        ("L18", "$v = $using:x"),
        ("L19", "[string]::IsNullOrWhiteSpace('')"),
        ("L19", "[Environment]::Is64BitOperatingSystem"),
        (
            "L19",
            "$k = [Microsoft.Win32.RegistryKey]::OpenBaseKey('LocalMachine', [Microsoft.Win32.RegistryView]::Registry64)",
        ),
        ("L19", "$store.Dispose()"),
        ("L19", "[System.IO.Path]::Combine('a', 'b', 'c')"),
        ("L20", "$c.Import($bytes)"),
        ("L21", "Get-WmiObject Win32_OperatingSystem"),
        ("L22", "Add-Type -TypeDefinition 'public class X {}'"),
        ("L24", "$n = $x.Count"),
        ("L25", "$m = (Get-ChildItem x).Name"),
    ];
    let mut fired = BTreeSet::new();
    for (rule, code) in samples {
        let hits = lint(code);
        assert!(
            hits.iter().any(|h| h.rule == *rule),
            "{rule} did not fire on {code:?}: {hits:?}"
        );
        fired.insert(*rule);
    }
    let expected: BTreeSet<&str> = (1..=25)
        .filter(|n| *n != 23)
        .map(|n| format!("L{n}"))
        .map(|s| &*s.leak())
        .collect();
    assert_eq!(fired, expected, "a rule has no known-bad sample");
    // The good forms the installer uses do not fire.
    for code in [
        "$n = @($x).Count",
        "if ($null -ne $x) { }",
        "Set-StrictMode -Version 2.0",
        "$s = 'a`e'",
        "Get-Process | Where-Object { $_.Name -eq 'x' }",
        "function f { param([Parameter(Mandatory = $true)]$z) }",
        "$store.Close()",
        "$len = $line.Length",
    ] {
        assert_eq!(lint(code), vec![], "{code:?} flagged");
    }
    // L23 is about bytes, not syntax: the ASCII check of assert_scripts_sound.
    assert!(!"$s = \u{2018}x\u{2019}".is_ascii());
}

#[test]
fn escaping_hand_written_cases() {
    use certbundle::render::filters::ps_literal;
    for text in [
        "\u{2019}; Remove-Item C:\\ -Recurse; \u{2019}",
        "$(calc)",
        "back`tick`",
        "#>",
        "\u{202e}bidi\u{202c}",
        "'''",
        "\u{2018}\u{2019}\u{201a}\u{201b}'",
        "",
    ] {
        let literal = ps_literal(text).unwrap();
        assert_eq!(
            read_single_quoted(&literal),
            Some((text.to_string(), literal.chars().count())),
            "{text:?}"
        );
        // The lone literal parses as one string in tree-sitter too (ASCII quotes only: the grammar
        // does not know the curly ones, which is why the scripts are pure ASCII).
        if literal.is_ascii() {
            assert_eq!(
                parse_errors(&format!("$x = {literal}")),
                Vec::<String>::new()
            );
        }
    }
    for bad in [
        "a\nb",
        "a\rb",
        "nul\0",
        "esc\u{1b}",
        "nel\u{85}",
        "ls\u{2028}",
    ] {
        assert!(ps_literal(bad).is_err(), "{bad:?} accepted");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn escaped_literals_read_back_exactly_and_never_end_early(text in "\\PC*", quotes in proptest::collection::vec(prop_oneof![Just('\''), Just('\u{2018}'), Just('\u{2019}'), Just('\u{201A}'), Just('\u{201B}')], 0..6)) {
        // U+2028/U+2029 are refused like control characters (line breaks elsewhere).
        let text: String = text.chars().filter(|c| !matches!(c, '\u{2028}' | '\u{2029}')).chain(quotes).collect();
        let literal = certbundle::render::filters::ps_literal(&text).unwrap();
        prop_assert_eq!(read_single_quoted(&literal), Some((text.clone(), literal.chars().count())));
    }

    #[test]
    fn text_with_control_characters_is_refused(before in "\\PC{0,10}", control in "[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}]", after in "\\PC{0,10}") {
        let text = format!("{before}{control}{after}");
        prop_assert!(certbundle::render::filters::ps_literal(&text).is_err());
    }
}

/// `(verb, file, hash)` for every `call :<verb> <file> [<hash>]` line of a `.cmd` file.
fn calls<'a>(script: &'a str, verb: &str) -> Vec<(&'a str, Option<&'a str>)> {
    let prefix = format!("call :{verb} ");
    script
        .lines()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .map(|rest| {
            let mut words = rest.split(' ');
            (words.next().unwrap(), words.next())
        })
        .collect()
}

#[test]
fn cmd_files_reference_only_files_that_exist_and_carry_no_certificate_text() {
    let root = root("Ref Root");
    let inter = intermediate("Ref Intermediate", &root);
    let r = render_bundle(&[root.der.clone(), inter.der.clone()]);
    let certutil = code(&r, "Install-Certutil.cmd");
    let install = code(&r, "Install.cmd");
    let publish = code(&r, "Publish-Domain.cmd");
    let certs: Vec<String> = r
        .files
        .keys()
        .filter(|k| k.starts_with("certs/"))
        .cloned()
        .collect();
    let set = |names: Vec<&str>| {
        names
            .into_iter()
            .map(|n| n.replace('\\', "/"))
            .collect::<BTreeSet<_>>()
    };
    // Install-Certutil.cmd copies, checks and installs exactly the certificate files.
    let cert_set: BTreeSet<String> = certs.iter().cloned().collect();
    for verb in ["copy_in", "check_copy", "install"] {
        assert_eq!(
            set(calls(&certutil, verb).into_iter().map(|c| c.0).collect()),
            cert_set,
            "Install-Certutil.cmd :{verb}"
        );
    }
    // Install.cmd copies and checks the scripts it may start and every certificate file, with
    // the SHA-256 of the rendered bytes: nothing else, nothing read from SHA256SUMS.
    let mut launched: BTreeSet<String> = render::LAUNCHER_RUNS
        .iter()
        .map(|s| s.to_string())
        .collect();
    launched.extend(cert_set.iter().cloned());
    // (SHA256SUMS too is copied, to check it against -ExpectedDigest.) Each is copied only at
    // the size it has in the bundle, which the launcher carries: SHA256SUMS' too, known before
    // SHA256SUMS exists.
    let mut copied = launched.clone();
    copied.insert("SHA256SUMS".into());
    let copy_in = calls(&install, "copy_in");
    assert_eq!(set(copy_in.iter().map(|c| c.0).collect()), copied);
    for (file, size) in copy_in {
        let bytes = &r.files[&file.replace('\\', "/")];
        assert_eq!(size, Some(bytes.len().to_string().as_str()), "{file}");
    }
    for script in [&certutil, &publish] {
        for (file, size) in calls(script, "copy_in") {
            let bytes = &r.files[&file.replace('\\', "/")];
            assert_eq!(size, Some(bytes.len().to_string().as_str()), "{file}");
        }
    }
    // Publish-Domain.cmd copies, checks and publishes exactly the certificate files, each copy
    // checked against the SHA-256 of its bytes; roots as RootCA, intermediates as SubCA, from the
    // private folder, and nothing as NTAuthCA (not even in a line that only talks).
    for verb in ["copy_in", "check_copy", "dspublish"] {
        assert_eq!(
            set(calls(&publish, verb).into_iter().map(|c| c.0).collect()),
            cert_set,
            "Publish-Domain.cmd :{verb}"
        );
    }
    for (file, hash) in calls(&publish, "check_copy") {
        let bytes = &r.files[&file.replace('\\', "/")];
        assert_eq!(
            hash,
            Some(certbundle::hex::sha256_upper(bytes).as_str()),
            "{file}"
        );
    }
    for (file, kind) in calls(&publish, "dspublish") {
        let want = if file.starts_with("certs\\Root\\") {
            "RootCA"
        } else {
            "SubCA"
        };
        assert_eq!(kind, Some(want), "{file}");
    }
    assert!(publish.contains("\"%CERTUTIL%\" -f -dspublish \"%STAGE%\\%F%\" %KIND%\r\n"));
    assert!(publish.contains("set \"CERTUTIL=%SYS32%\\certutil.exe\""));
    assert!(!publish.to_ascii_lowercase().contains("ntauth"));
    assert!(
        !text(&r, "Publish-Domain.cmd")
            .lines()
            .filter(|l| !l.trim_start().to_ascii_lowercase().starts_with("rem"))
            .any(|l| l.to_ascii_lowercase().contains("ntauth")),
        "NTAuth outside a comment of Publish-Domain.cmd"
    );
    let checked = calls(&install, "check_copy");
    assert_eq!(set(checked.iter().map(|c| c.0).collect()), launched);
    for (file, hash) in checked {
        let bytes = &r.files[&file.replace('\\', "/")];
        assert_eq!(
            hash,
            Some(certbundle::hex::sha256_upper(bytes).as_str()),
            "{file}"
        );
    }
    // Not circular: no file the launcher checks (nor SHA256SUMS' reader, the .ps1) holds the
    // launcher's own hash; SHA256SUMS does, and the digest anchors it.
    let own = certbundle::hex::sha256_lower(&r.files["Install.cmd"]);
    for (path, bytes) in &r.files {
        let holds = String::from_utf8_lossy(bytes)
            .to_ascii_lowercase()
            .contains(&own);
        assert_eq!(holds, path == "SHA256SUMS", "{path} and Install.cmd's hash");
    }
    // Only the checked copies run: the .ps1 and Install-Certutil.cmd from the private folder,
    // certutil -addstore on copies.
    assert!(install.contains("-File \"%STAGE%\\Install-Certificates.ps1\" -BundleDir \"%HERE%.\""));
    assert!(install.contains("pushd \"%STAGE%\"\r\n"));
    assert!(install.contains(
        "\r\n\"%SYS32%\\cmd.exe\" /d /v:off /c .\\Install-Certutil.cmd%CERTUTILARG%\r\n"
    ));
    assert!(certutil.contains("-addstore %STORE% \"%STAGE%\\%F%\""));
    for script in [&install, &certutil, &publish] {
        assert!(
            !script.contains("%HERE%Install-Certificates.ps1\" -"),
            "runs the .ps1 from the medium"
        );
        assert!(script.contains("\"%SYS32%\\certutil.exe\" -hashfile \"%HASHFILE%\" SHA256"));
        assert!(script.contains("/inheritance:r /grant:r \"*S-1-5-18:(OI)(CI)F\" \"*S-1-5-32-544:(OI)(CI)F\" \"*%ME%:(OI)(CI)F\""));
    }
    // Each certificate's hashes go in as hex; its name does not appear at all.
    for der in [&root.der, &inter.der] {
        assert!(certutil.contains(&certbundle::hex::sha256_upper(der)));
        assert!(certutil.contains(&certbundle::hex::sha1_upper(der)));
        assert!(install.contains(&certbundle::hex::sha256_upper(der)));
        assert!(publish.contains(&certbundle::hex::sha256_upper(der)));
        assert!(publish.contains(&certbundle::hex::sha1_upper(der)));
    }
    for name in ["Install.cmd", "Install-Certutil.cmd", "Publish-Domain.cmd"] {
        let whole = text(&r, name);
        assert!(
            !whole.contains("Ref Root") && !whole.contains("Ref Intermediate"),
            "{name}"
        );
    }
    for script in [&certutil, &install, &publish] {
        let code: Vec<&str> = script
            .lines()
            .filter(|l| !l.trim_start().to_ascii_lowercase().starts_with("rem"))
            .collect();
        // The exit code checks survive certutil's negative HRESULTs: "if errorlevel N" (N or
        // more) only where the same line also catches a negative code.
        for line in &code {
            let lower = line.to_ascii_lowercase();
            assert!(
                !lower.contains("if errorlevel") || lower.contains("if not errorlevel 0"),
                "{line}"
            );
        }
        // "call" expands % and ^ in its arguments again: it only ever takes a label and words
        // of the safe file-name characters, never a path or a variable.
        for line in &code {
            let lower = line.trim_start().to_ascii_lowercase();
            for (at, _) in lower.match_indices("call ") {
                if at > 0 && !lower[..at].ends_with(' ') && !lower[..at].ends_with(')') {
                    continue;
                }
                let rest = &line.trim_start()[at + 5..];
                assert!(
                    rest.starts_with(':'),
                    "call of something else than a label: {line:?}"
                );
                assert!(
                    rest[1..]
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-\\ ".contains(c)),
                    "call with more than safe words: {line:?}"
                );
            }
        }
    }
    // System tools by full path only: the bundle folder is the current folder on a double-click.
    for script in [&certutil, &install, &publish] {
        for line in script.lines() {
            let lower = line.trim_start().to_ascii_lowercase();
            if lower.starts_with("rem") || lower.starts_with("echo") {
                continue;
            }
            for tool in [
                "certutil",
                "fsutil",
                "net",
                "findstr",
                "powershell",
                "icacls",
                "whoami",
                "reg",
            ] {
                for (at, _) in lower.match_indices(tool) {
                    let before = lower[..at].chars().last();
                    let after = lower[at + tool.len()..]
                        .trim_start_matches(".exe")
                        .chars()
                        .next();
                    let command = !before.is_some_and(|c| {
                        c.is_ascii_alphanumeric() || c == '\\' || c == '%' || c == '_' || c == '-'
                    }) && after.is_none_or(|c| c.is_whitespace());
                    assert!(!command, "{tool} called by bare name in {line:?}");
                }
            }
        }
    }
}

/// Every `Add-JsonMember <object> '<key>' <value>` in the script as (object type, key): the type
/// is the one the variable was last created with (`$x = New-JsonObject '<type>'`) before it.
pub(crate) fn written_report_keys(ps: &str) -> BTreeSet<(String, String)> {
    let tree = parse(ps);
    let mut keys = BTreeSet::new();
    let mut stack = vec![tree.root_node()];
    while let Some(n) = stack.pop() {
        let mut cursor = n.walk();
        stack.extend(n.children(&mut cursor));
        if n.kind() == "command"
            && n.child_by_field_name("command_name")
                .is_some_and(|c| &ps[c.byte_range()] == "Add-JsonMember")
        {
            let elements = n.child_by_field_name("command_elements").unwrap();
            let mut c = elements.walk();
            let args: Vec<&str> = elements
                .named_children(&mut c)
                .filter(|a| a.kind() != "command_argument_sep")
                .map(|a| &ps[a.byte_range()])
                .collect();
            let (var, key) = (args[0], args[1]);
            assert!(
                key.starts_with('\'') && key.ends_with('\''),
                "report key {key} is not a literal"
            );
            let created = format!("{var} = New-JsonObject '");
            let at = ps[..n.start_byte()]
                .rfind(&created)
                .unwrap_or_else(|| panic!("{var} is not created with New-JsonObject before {key}"));
            let rest = &ps[at + created.len()..];
            let object = &rest[..rest.find('\'').unwrap()];
            keys.insert((object.to_string(), key.trim_matches('\'').to_string()));
        }
    }
    keys
}

#[test]
fn the_report_keys_written_are_exactly_the_documented_ones() {
    let r = render_bundle(&[root("Keys Root").der]);
    let ps = text(&r, "Install-Certificates.ps1");
    // What the installer writes, object by object, is what `certbundle report` reads.
    assert_eq!(
        written_report_keys(&ps),
        certbundle::fleet::report::accepted_keys()
    );
    // The script refuses any other key at run time: its table is the schema's.
    let start = ps.find("$ReportObjects = @{").unwrap();
    let table = &ps[start..start + ps[start..].find("\r\n}").unwrap()];
    let mut listed = BTreeSet::new();
    let mut object = String::new();
    for line in table.lines().skip(1) {
        let line = line.trim();
        if let Some(name) = line.strip_suffix(" = @(") {
            object = name.trim_matches('\'').to_string();
        } else if line.starts_with('\'') {
            listed.insert((
                object.clone(),
                line.trim_end_matches(',').trim_matches('\'').to_string(),
            ));
        }
    }
    let schema: BTreeSet<(String, String)> = report_schema::FIELDS
        .iter()
        .map(|f| (f.object.to_string(), f.key.to_string()))
        .collect();
    assert_eq!(listed, schema);
    assert!(ps.contains(&format!("$ReportSchema = '{}'", report_schema::SCHEMA)));
    // docs/report-schema.md documents every (object, key), and nothing else.
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/report-schema.md"
    ))
    .unwrap();
    let rows: BTreeSet<(String, String)> = doc
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 3
                && cells[2].starts_with('`')
                && !cells[1].is_empty()
                && cells[1] != "object")
                .then(|| (cells[1].to_string(), cells[2].trim_matches('`').to_string()))
        })
        .collect();
    let fields: BTreeSet<(String, String)> = report_schema::FIELDS
        .iter()
        .map(|f| (f.object.to_string(), f.key.to_string()))
        .collect();
    assert_eq!(
        rows, fields,
        "docs/report-schema.md and report_schema::FIELDS differ"
    );
}

#[test]
fn the_installer_embeds_and_checks_what_design_requires() {
    let root = root("Req Root");
    let r = render_bundle(std::slice::from_ref(&root.der));
    let ps = text(&r, "Install-Certificates.ps1");
    let b64 = data_encoding::BASE64.encode(&root.der);
    assert!(ps.contains(&format!("'Der' = '{b64}'")), "DER not embedded");
    assert!(ps.contains(&format!(
        "'Sha256' = '{}'",
        certbundle::hex::sha256_upper(&root.der)
    )));
    assert!(ps.contains(&format!(
        "'Sha1' = '{}'",
        certbundle::hex::sha1_upper(&root.der)
    )));
    let ps_code = code(&r, "Install-Certificates.ps1");
    for must in [
        "[CmdletBinding(SupportsShouldProcess = $true",
        "[switch]$CheckOnly",
        "[switch]$Uninstall",
        "[string]$ReportDir",
        "[switch]$SkipProductCheck",
        "SHA256CryptoServiceProvider",
        "'AuthRoot'",
        "'Disallowed' 'LocalMachine'",
        "'Disallowed' 'CurrentUser'",
        "DisableRootAutoUpdate",
        "X509RevocationMode]::NoCheck",
        "Get-AuthenticodeSignature",
        "'SOFTWARE\\Wow6432Node\\TrendMicro\\PC-cillinNTCorp\\CurrentVersion'",
        "certbundle\\reports",
        "exit $script:ExitCode",
        ".PARAMETER CheckOnly",
        ".PARAMETER Uninstall",
        ".PARAMETER ReportDir",
        ".PARAMETER SkipProductCheck",
        ".PARAMETER ExpectedDigest",
        ".PARAMETER StatusFile",
        ".PARAMETER BundleDir",
        "[string]$BundleDir",
        ".PARAMETER WhatIf",
        ".PARAMETER Confirm",
        "[string]$ExpectedDigest",
        "ValueFromRemainingArguments = $true",
        "LanguageMode",
        "GetUnresolvedProviderPathFromPSPath",
        ".EXAMPLE",
    ] {
        // Help text lives in the comment block; everything else must be code.
        let within = if must.starts_with(".PARAMETER") || must == ".EXAMPLE" {
            &ps
        } else {
            &ps_code
        };
        assert!(
            within.contains(must),
            "Install-Certificates.ps1 lacks {must:?}"
        );
    }
    assert!(
        !ps.contains("Open-Store 'Disallowed' 'LocalMachine' $true"),
        "Disallowed must never be opened for writing"
    );
    assert_eq!(
        ps.matches("\r\nexit ").count(),
        1,
        "one explicit exit at the end"
    );
    let install = code(&r, "Install.cmd");
    for must in [
        "Sysnative",
        "-ExecutionPolicy Bypass -File \"%STAGE%\\Install-Certificates.ps1\"",
        "-StatusFile",
        "Install-Certutil.cmd",
        "MachinePolicy",
        "LanguageMode",
        "exit /b %RC%",
        "goto bad_arguments",
        "mkdir \"%CANDIDATE%\"",
        "mkdir \"%WORK%\\copy\"",
        "-ExpectedDigest %DIGEST%",
    ] {
        assert!(install.contains(must), "Install.cmd lacks {must:?}");
    }
}

/// The code of one function of the `.ps1` (from `function NAME {` to the next function).
pub(crate) fn function(ps_code: &str, name: &str) -> String {
    let start = ps_code
        .find(&format!("function {name} {{"))
        .unwrap_or_else(|| panic!("no function {name}"));
    let rest = &ps_code[start + 1..];
    let end = rest.find("\r\nfunction ").map_or(rest.len(), |e| e + 1);
    ps_code[start..start + end].to_string()
}

/// Where `needle` is in `hay`, which must hold it exactly once.
pub(crate) fn once(hay: &str, needle: &str) -> usize {
    assert_eq!(hay.matches(needle).count(), 1, "{needle:?} once in:\n{hay}");
    hay.find(needle).unwrap()
}

/// What PowerShell cannot run here, shown by the rendered code: only the computer's Untrusted
/// Certificates block; -Uninstall deletes exactly the bundle's registry copy, and its record only
/// after that copy is gone; an unwritable status file stops the run before anything changes; a
/// certificate added but not recorded has failed.
#[test]
fn conflicts_uninstall_status_and_record_follow_the_rules() {
    let r = render_bundle(&[root("Rule Root").der]);
    let ps = code(&r, "Install-Certificates.ps1");

    let conflicts = function(&ps, "Test-Conflicts");
    let machine = once(
        &conflicts,
        "if (Test-InStore $Stores['LocalMachine\\Disallowed'] $entry['Sha1']) {",
    );
    let system = once(&conflicts, "(Test-InSystemDisallowed $entry['Sha1'])");
    let blocked = once(&conflicts, "$entry['Blocked'] = $true");
    let user = once(
        &conflicts,
        "} elseif (Test-InStore $Stores['CurrentUser\\Disallowed'] $entry['Sha1']) {",
    );
    assert!(
        machine < system && system < blocked && blocked < user,
        "{conflicts}"
    );
    assert!(conflicts[user..].contains("not blocking"), "{conflicts}");
    let system_store = function(&ps, "Test-InSystemDisallowed");
    for key in [
        "'S-1-5-18\\Software\\Microsoft\\SystemCertificates\\Disallowed\\Certificates\\'",
        "'S-1-5-18\\Software\\Policies\\Microsoft\\SystemCertificates\\Disallowed\\Certificates\\'",
    ] {
        assert!(system_store.contains(key), "{system_store}");
    }
    assert!(
        system_store.contains("[Microsoft.Win32.Registry]::Users.OpenSubKey($path + $Thumbprint)")
    );

    let uninstall = function(&ps, "Invoke-Uninstall");
    assert!(!uninstall.contains(".Remove("), "{uninstall}");
    assert!(
        !uninstall.contains("'LocalMachine\\AuthRoot'"),
        "a root also in AuthRoot must still lose the bundle's copy:\n{uninstall}"
    );
    let remove = once(&uninstall, "Remove-OwnCopy $entry");
    let gone = once(&uninstall, "if (Test-OwnCopy $entry) { throw");
    let forget = uninstall
        .match_indices("Remove-InstallRecord $entry['Sha1']")
        .map(|(at, _)| at)
        .collect::<Vec<_>>();
    assert!(
        remove < gone && forget.iter().any(|&f| f > gone),
        "{uninstall}"
    );
    assert!(
        forget.iter().all(|&f| f < remove || f > gone),
        "{uninstall}"
    );
    let path = function(&ps, "Get-OwnCopyPath");
    assert!(
        path.contains("'SOFTWARE\\Microsoft\\SystemCertificates\\' + $Entry['Store'].ToUpperInvariant() + '\\Certificates\\' + $Entry['Sha1']"),
        "{path}"
    );
    assert!(!path.contains("Policies"), "{path}");

    let running = once(&ps, "if (-not (Write-StatusFile 'running')) {");
    let stop = ps[running..].find("exit 3").expect("exit 3") + running;
    let start = once(&ps, "\r\n    Invoke-Installer\r\n");
    assert!(
        running < stop && stop < start,
        "status file before anything"
    );
    let status = function(&ps, "Write-StatusFile");
    assert!(status.contains("return $false"), "{status}");

    let install = function(&ps, "Invoke-Install");
    let add = once(&install, "$store.Add($entry['Cert'])");
    let record = once(&install, "Add-InstallRecord $entry['Sha1'] $entry['Store']");
    let installed = once(&install, "$entry['Action'] = 'installed'");
    assert!(add < record && record < installed, "{install}");
    assert!(
        install[record..].contains("'installed, not recorded: '"),
        "{install}"
    );
    assert!(
        ps.contains("-or $entry['Blocked'] -or $entry['Action'] -eq 'failed')"),
        "a failed record counts against compliance"
    );

    // An unpaired surrogate becomes U+FFFD; a pair stays two escapes of one character.
    let json = function(&ps, "ConvertTo-JsonString");
    let surrogate = once(&json, "if ($c -ge 0xD800 -and $c -le 0xDFFF) {");
    let pair = once(
        &json,
        "if ($c -le 0xDBFF -and $next -ge 0xDC00 -and $next -le 0xDFFF) {",
    );
    let replaced = once(&json, "[void]$sb.Append('\\ufffd')");
    let other = once(&json, "elseif ($c -lt 32 -or $c -gt 126)");
    assert!(
        surrogate < pair && pair < replaced && replaced < other,
        "{json}"
    );

    // The ProgramData folder: made with its access list in one step and only when absent, never
    // re-ACLed; owned by Administrators, SYSTEM or the running account (object creator); looked
    // at again right before each write.
    assert!(!ps.contains("Set-Acl") && !ps.contains("SetAccessControl"));
    let save = function(&ps, "Save-Reports");
    once(
        &save,
        "if (-not (Test-Entry $base)) { New-ProtectedFolder $base }",
    );
    let writes: Vec<usize> = save
        .match_indices("Write-NewFile ")
        .map(|(at, _)| at)
        .collect();
    assert_eq!(writes.len(), 2, "{save}");
    for at in writes {
        let before = save[..at].trim_end();
        assert!(
            before.ends_with("Assert-WritableFolder $attempt $shared"),
            "no check right before a write:\n{save}"
        );
    }
    let assert_folder = function(&ps, "Assert-WritableFolder");
    assert!(
        assert_folder.contains("(Test-Link $Path) -or ($Shared -and -not (Test-SafeFolder $Path))")
    );
    let safe = function(&ps, "Test-SafeFolder");
    assert!(safe.contains("$trusted = @($AdminSids) + @([System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value)"));
    assert!(safe.contains("if ($trusted -notcontains $owner) { return $false }"));
    assert!(safe.contains("ReparsePoint"));
    // The report tells computers of one name apart: MachineGuid from the 64-bit registry view
    // (a 32-bit PowerShell asks reg.exe, PowerShell 2.0 having no registry view).
    let guid = function(&ps, "Get-MachineGuid");
    assert!(guid.contains("Get-RegistryValue64 'SOFTWARE\\Microsoft\\Cryptography' 'MachineGuid'"));
    let view = function(&ps, "Get-RegistryValue64");
    let redirected = once(&view, "if (-not $script:Process64 -and $script:Host64) {");
    let reg = once(&view, "& $reg query ('HKLM\\' + $Path) /v $Name /reg:64");
    assert!(redirected < reg, "{view}");
    once(
        &ps,
        "Add-JsonMember $hostInfo 'machine_guid' (Get-MachineGuid)",
    );
    once(&ps, "Add-JsonMember $hostInfo 'domain' (Get-HostDomain)");
    // Chains: one build per application policy (never both in one), passing when one does;
    // NotTimeValid tolerated only for expired bundle certificates, never for a NotBefore to
    // come (the clock); no chain for a certificate that is not there; trusting only enterprise
    // roots blocks compliance.
    assert_eq!(
        ps.matches("'Policies' = @('1.3.6.1.5.5.7.3.3', '1.3.6.1.5.5.7.3.8')")
            .count(),
        1,
        "a certificate without a profile purpose is checked for either policy"
    );
    let chain = function(&ps, "Test-Chain");
    let each = once(&chain, "foreach ($policy in $Entry['Policies']) {");
    let add = once(&chain, "ApplicationPolicy.Add(");
    let build = once(&chain, "[void]$chain.Build($Entry['Cert'])");
    let pass = once(
        &chain,
        "if (@($problems).Count -eq 0) { return ,$problems }",
    );
    assert!(each < add && add < build && build < pass, "{chain}");
    assert!(chain.contains("if ($c.NotBefore -gt $now) { $expiredOk = $false; $early = $c }"));
    assert!(
        chain.contains(
            "-not $BundleThumbprints.ContainsKey($c.Thumbprint)) { $expiredOk = $false }"
        )
    );
    assert!(chain.contains("if ($expiredOk -and ($flag -eq 'NotTimeValid'"));
    assert!(chain.contains("check this computer''s clock."));
    let result = function(&ps, "Test-Result");
    let absent = once(&result, "if ($entry['After'] -ne 'present') { continue }");
    assert!(
        absent < once(&result, "Test-Chain $entry $thumbprints"),
        "{result}"
    );
    let only = function(&ps, "Get-OnlyEnterpriseRoots");
    assert!(
        only.contains("'SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\ProtectedRoots'")
    );
    assert!(only.contains("-band 0x8"));
    once(
        &ps,
        "Add-JsonMember $script:Policy 'only_enterprise_roots' $script:OnlyEnterpriseRoots",
    );
    // ProtectedRoots Flags 0x8 only leaves AuthRoot out of LocalMachine\Root: it fails nothing
    // by itself, and a copy in AuthRoot then counts neither before nor after the run (the root
    // is installed into the computer's own store).
    assert!(
        !ps.lines()
            .any(|l| l.contains("OnlyEnterpriseRoots") && l.contains("$bad")),
        "the policy alone must not make the run not compliant"
    );
    let authroot = "Test-InStore $Stores['LocalMachine\\AuthRoot'] $entry['Sha1']";
    let guarded = format!("-not $script:OnlyEnterpriseRoots -and ({authroot})");
    assert_eq!(ps.matches(authroot).count(), 2, "{ps}");
    let install = function(&ps, "Invoke-Install");
    let before = once(
        &install,
        &format!("if ($entry['Store'] -eq 'Root' -and {guarded}) {{"),
    );
    assert!(before < once(&install, "$entry['Before'] = 'present-authroot'"));
    once(
        &result,
        &format!("}} elseif ($entry['Store'] -eq 'Root' -and {guarded}) {{"),
    );
    let conflicts = function(&ps, "Test-Conflicts");
    assert!(conflicts.contains("Certificate Path Validation Settings"));
    assert!(
        conflicts.contains(
            "is installed into the computer''s own Trusted Root Certification Authorities"
        ),
        "{conflicts}"
    );
    assert!(!conflicts.contains("are ignored"), "{conflicts}");

    let create = function(&ps, "New-ProtectedFolder");
    assert!(create.contains("CreateDirectory($Path, $security)"));
}

/// README.txt and Get-Help say only what is true: a direct run needs -ExecutionPolicy Bypass
/// (a plain .\Install-Certificates.ps1 is refused under the default policy); -ReportDir without
/// a trailing backslash; both fallback report folders; when Install.cmd pauses and
/// CERTBUNDLE_NOPAUSE; quotes for a digest typed in pairs.
#[test]
fn readme_txt_and_get_help_say_how_to_run_it() {
    let r = render_bundle(&[root("Help Root").der]);
    let readme = text(&r, "README.txt");
    let ps = text(&r, "Install-Certificates.ps1");
    let direct =
        "powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\\Install-Certificates.ps1";
    for (name, doc) in [("README.txt", &readme), ("Get-Help", &ps)] {
        assert!(doc.contains(direct), "{name}");
        // Every line that runs the script directly goes through powershell.exe -File.
        for line in doc.lines() {
            let l = line.trim();
            let rest = l.strip_prefix(".\\Install-Certificates.ps1");
            if rest.is_some_and(|r| r.is_empty() || r.starts_with(" -")) {
                panic!("{name} suggests a plain run: {l}");
            }
        }
        assert!(doc.contains("%ProgramData%\\certbundle\\reports"), "{name}");
        assert!(
            doc.contains("%LOCALAPPDATA%\\certbundle\\reports"),
            "{name}"
        );
        let flat = doc.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("\"D:\\reports\", not \"D:\\reports\\\""),
            "{name}"
        );
    }
    assert!(readme.contains("CERTBUNDLE_NOPAUSE=1"));
    assert!(readme.contains("unless it runs as SYSTEM or CERTBUNDLE_NOPAUSE=1 is set"));
    // On a computer's store, certutil -delstore may take another copy; on an Active Directory
    // object (section 5's undo, "ldap:///...") it removes what was published.
    assert!(
        !readme
            .replace("certutil.exe -delstore \"ldap:///", "")
            .contains("certutil.exe -delstore"),
        "certutil -delstore may take another copy"
    );
    assert!(readme.contains("-ExpectedDigest \"ab cd ...\""));
    assert!(
        !readme.contains("every file again"),
        "no check is repeated: {readme}"
    );
}

/// A Group Policy, enterprise (Active Directory) or Windows Update copy counts as present, and
/// the report says which physical stores hold each certificate, read from the registry keys
/// Windows keeps them in (issue 14: a Group Policy copy is confirmed with -CheckOnly).
#[test]
fn the_report_says_which_physical_stores_hold_each_certificate() {
    let r = render_bundle(&[root("Stores Root").der]);
    let ps = code(&r, "Install-Certificates.ps1");
    let stores = function(&ps, "Get-PhysicalStores");
    for (place, key) in [
        (
            "local-machine",
            r"'SOFTWARE\Microsoft\SystemCertificates\' + $name",
        ),
        (
            "group-policy",
            r"'SOFTWARE\Policies\Microsoft\SystemCertificates\' + $name",
        ),
        (
            "enterprise",
            r"'SOFTWARE\Microsoft\EnterpriseCertificates\' + $name",
        ),
        (
            "third-party",
            r"'SOFTWARE\Microsoft\SystemCertificates\AuthRoot'",
        ),
    ] {
        once(&stores, &format!("@('{place}', {key})"));
    }
    assert!(stores.contains(r"OpenSubKey($place[1] + '\Certificates\' + $Entry['Sha1'])"));
    // Only roots can be in AuthRoot; every certificate is looked for after the run.
    assert!(stores.contains("if ($name -eq 'ROOT') { [void]$places.Add(@('third-party',"));
    let result = function(&ps, "Test-Result");
    let looked = once(&result, "$entry['FoundIn'] = Get-PhysicalStores $entry");
    assert!(looked < result.find("if ($script:Mode -eq 'uninstall') {").unwrap());
    once(&ps, "Add-JsonMember $item 'found_in' $entry['FoundIn']");
    // The logical store (all physical stores as one) decides what is present, as before.
    assert!(result.contains(
        "if (Test-InStore $Stores['LocalMachine\\' + $entry['Store']] $entry['Sha1']) {"
    ));
}

/// README.txt section 4: the Group Policy path, imported from a checked local copy, what the GPO
/// delivers listed with certutil -grouppolicy, and only the stores the bundle has.
#[test]
fn readme_txt_says_how_to_put_the_certificates_in_a_gpo() {
    let root = root("Gpo Root");
    let inter = intermediate("Gpo Intermediate", &root);
    for (ders, has_ca) in [
        (vec![root.der.clone()], false),
        (vec![root.der.clone(), inter.der.clone()], true),
    ] {
        let readme = text(&render_bundle(&ders), "README.txt");
        let at = readme.find("4. GROUP POLICY (DOMAIN, NO SCRIPT)").unwrap();
        let end = at + readme[at..].find("5. PUBLISH TO ACTIVE DIRECTORY").unwrap();
        let section = readme[at..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for must in [
            "Computer Configuration > Policies > Windows Settings > Security Settings > Public Key Policies > Trusted Root Certification Authorities",
            "first copy the certs folder to a folder on your computer that only you can change",
            "gpupdate /force",
            "%SystemRoot%\\System32\\certutil.exe -grouppolicy -store Root",
            "Install.cmd -CheckOnly",
            "group-policy, enterprise, local-machine, third-party",
        ] {
            assert!(section.contains(must), "{must:?} not in:\n{section}");
        }
        for ca in [
            "Public Key Policies > Intermediate Certification Authorities",
            "certutil.exe -grouppolicy -store CA",
        ] {
            assert_eq!(section.contains(ca), has_ca, "{ca}");
        }
    }
}
