//! Static checks for generated PowerShell: a tree-sitter parse, and a PowerShell 2.0 compatibility
//! lint over the parse tree (one numbered rule per construct newer than PowerShell 2.0; each rule
//! says which version brought it). We cannot run PowerShell here: these checks must be strict.
#![allow(dead_code)]

use tree_sitter::{Node, Parser, Tree};

pub fn parse(code: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("PowerShell grammar loads");
    parser
        .parse(code, None)
        .expect("tree-sitter returns a tree")
}

/// Every ERROR or MISSING node, as "line: text".
pub fn parse_errors(code: &str) -> Vec<String> {
    let tree = parse(code);
    let mut out = Vec::new();
    walk(tree.root_node(), &mut |n| {
        if n.is_error() || n.is_missing() {
            out.push(format!(
                "line {}: {} {:?}",
                n.start_position().row + 1,
                if n.is_missing() { "MISSING" } else { "ERROR" },
                text(n, code)
            ));
        }
    });
    out
}

fn walk<'a>(node: Node<'a>, f: &mut impl FnMut(Node<'a>)) {
    f(node);
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk(child, f);
    }
}

fn text<'a>(n: Node, code: &'a str) -> &'a str {
    &code[n.byte_range()]
}

/// A lint finding: the rule, the line, the offending text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: &'static str,
    pub line: usize,
    pub text: String,
}

const BANNED_COMMANDS: &[(&str, &str)] = &[
    ("convertto-json", "L6"),
    ("convertfrom-json", "L6"),
    ("invoke-webrequest", "L6"),
    ("invoke-restmethod", "L6"),
    ("get-ciminstance", "L6"),
    ("unblock-file", "L6"),
    ("get-filehash", "L7"),
    ("import-certificate", "L10"),
    ("export-certificate", "L10"),
    ("get-pfxdata", "L10"),
    ("get-wmiobject", "L21"),
    ("add-type", "L22"),
    ("using", "L9"),
];

const BANNED_MEMBERS: &[(&str, &str)] = &[
    ("where", "L8"),
    ("foreach", "L8"),
    ("new", "L9"),
    ("isnullorwhitespace", "L19"),
    ("is64bitoperatingsystem", "L19"),
    ("is64bitprocess", "L19"),
    ("openbasekey", "L19"),
    ("readlines", "L19"),
    ("hasflag", "L19"),
    ("dispose", "L19"),
    ("copyto", "L19"),
    ("import", "L20"),
];

/// The PowerShell 2.0 lint. Each rule names the construct and the version that brought it.
pub fn lint(code: &str) -> Vec<Hit> {
    let tree = parse(code);
    let mut hits = Vec::new();
    walk(tree.root_node(), &mut |n| {
        let t = text(n, code);
        let lower = t.to_ascii_lowercase();
        let mut hit = |rule: &'static str| {
            hits.push(Hit {
                rule,
                line: n.start_position().row + 1,
                text: t.chars().take(80).collect(),
            })
        };
        match n.kind() {
            // L1: -in / -notin (3.0)
            "comparison_operator"
                if matches!(
                    lower.as_str(),
                    "-in" | "-notin" | "-iin" | "-cin" | "-inotin" | "-cnotin"
                ) =>
            {
                hit("L1")
            }
            // L2 [ordered], L3 [pscustomobject] (3.0); L19 RegistryView (.NET 4)
            "type_identifier" => match lower.as_str() {
                "ordered" => hit("L2"),
                "pscustomobject" => hit("L3"),
                _ if lower.ends_with("registryview") => hit("L19"),
                _ => {}
            },
            // L4 $PSItem, L5 $PSScriptRoot / $PSCommandPath, L18 $using: (3.0)
            "variable" => {
                if lower == "$psitem" {
                    hit("L4")
                } else if lower == "$psscriptroot" || lower == "$pscommandpath" {
                    hit("L5")
                } else if lower.starts_with("$using:") {
                    hit("L18")
                }
            }
            "command_name" => {
                if let Some((_, rule)) = BANNED_COMMANDS.iter().find(|(c, _)| *c == lower) {
                    hit(rule);
                }
            }
            // L9 classes and enums (5.0)
            "class_statement" | "enum_statement" => hit("L9"),
            // L8 .Where()/.ForEach() (4.0), L9 ::new() (5.0), L19/L20 .NET 4+ or PS 7-breaking members
            "invokation_expression" => {
                if let Some(member) = member_name(n, code) {
                    if let Some((_, rule)) = BANNED_MEMBERS
                        .iter()
                        .find(|(m, _)| *m == member.to_ascii_lowercase())
                    {
                        hit(rule);
                    }
                }
                if lower.contains("path]::combine") && argument_count(n) > 2 {
                    hit("L19");
                }
            }
            "member_access" => {
                let member = member_name(n, code)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let object = n.named_child(0);
                // L24: .Count only on @(...): PowerShell 2.0 has no .Count on a scalar or $null.
                if member == "count"
                    && object.map(|o| innermost(o).kind()) != Some("array_expression")
                {
                    hit("L24");
                }
                // L25: member access on a command's output may enumerate a collection (3.0).
                if object.is_some_and(|o| {
                    o.kind() == "parenthesized_expression" && contains_kind(o, "command")
                }) {
                    hit("L25");
                }
                if BANNED_MEMBERS
                    .iter()
                    .any(|(m, r)| *m == member && *r == "L19")
                {
                    hit("L19");
                }
            }
            // L13: `e and `u{} escapes (6.0)
            "expandable_string_literal" | "expandable_here_string_literal"
                if lower.contains("`e") || lower.contains("`u{") =>
            {
                hit("L13")
            }
            // L14: pipeline chains && || (7.0); ?? ?. ?[ and ternaries do not even parse
            "pipeline_chain_tail" => hit("L14"),
            "ERROR" if t.contains('?') => hit("L14"),
            // .ForEach( / .Where( do not parse (foreach is a keyword to this grammar): L8 too
            "ERROR" => {
                let after: String = code[n.start_byte()..]
                    .chars()
                    .take(t.len() + 12)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if after.contains(".foreach(") || after.contains(".where(") {
                    hit("L8");
                }
            }
            // L17: [Parameter(Mandatory)] without = $true (3.0)
            "attribute" if lower.starts_with("[parameter(") => {
                let bare = (0..n.named_child_count())
                    .filter_map(|i| n.named_child(i))
                    .any(|c| {
                        c.kind() == "simple_name"
                            && text(c, code).eq_ignore_ascii_case("mandatory")
                            && c.next_sibling().is_none_or(|s| text(s, code) != "=")
                    })
                    || lower.replace(' ', "").contains("(mandatory)");
                if bare {
                    hit("L17");
                }
            }
            "command" => command_rules(n, code, &mut hit),
            _ => {}
        }
    });
    hits
}

/// Rules on a command and its parameters: L11, L12, L15, L16.
fn command_rules(n: Node, code: &str, hit: &mut impl FnMut(&'static str)) {
    let Some(name) = n.child_by_field_name("command_name") else {
        return;
    };
    let name = text(name, code).to_ascii_lowercase();
    let mut elements = Vec::new();
    if let Some(list) = n.child_by_field_name("command_elements") {
        let mut cursor = list.walk();
        for c in list.named_children(&mut cursor) {
            if c.kind() != "command_argument_sep" {
                elements.push((c.kind(), text(c, code).to_ascii_lowercase()));
            }
        }
    }
    let value_of = |param: &str| {
        elements
            .iter()
            .position(|(k, t)| *k == "command_parameter" && t.trim_end_matches(':') == param)
            .and_then(|i| elements.get(i + 1))
            .map(|(_, t)| t.trim_matches(|c| c == '\'' || c == '"').to_string())
    };
    let has = |param: &str| {
        elements
            .iter()
            .any(|(k, t)| *k == "command_parameter" && t == param)
    };
    // L11: encodings of PowerShell 6+ (and Byte, gone in 6+)
    if value_of("-encoding").is_some_and(|v| matches!(v.as_str(), "utf8nobom" | "utf8bom" | "byte"))
        || has("-asbytestream")
    {
        hit("L11");
    }
    // L12: only StrictMode 2.0 (or 1.0) means the same everywhere
    if name == "set-strictmode"
        && value_of("-version").is_some_and(|v| !matches!(v.as_str(), "2.0" | "2" | "1.0" | "1"))
    {
        hit("L12");
    }
    // L15: -ErrorAction Ignore (3.0)
    if value_of("-erroraction").is_some_and(|v| v == "ignore")
        || value_of("-ea").is_some_and(|v| v == "ignore")
    {
        hit("L15");
    }
    // L16: simplified Where-Object, Get-ChildItem -File/-Directory, Get-Content -Raw (3.0)
    if matches!(name.as_str(), "where-object" | "where" | "?")
        && elements
            .first()
            .is_some_and(|(_, t)| !t.starts_with('{') && !t.starts_with("-filterscript"))
    {
        hit("L16");
    }
    if matches!(name.as_str(), "get-childitem" | "gci" | "dir" | "ls")
        && (has("-file") || has("-directory"))
    {
        hit("L16");
    }
    if matches!(name.as_str(), "get-content" | "gc" | "cat" | "type") && has("-raw") {
        hit("L16");
    }
}

fn member_name(n: Node, code: &str) -> Option<String> {
    let mut cursor = n.walk();
    let names: Vec<Node> = n
        .children(&mut cursor)
        .filter(|c| c.kind() == "simple_name" || c.kind() == "member_name")
        .collect();
    names.last().map(|c| text(*c, code).to_string())
}

/// Arguments of a method call: top-level commas of its argument list, plus one.
fn argument_count(n: Node) -> usize {
    let mut cursor = n.walk();
    let Some(list) = n
        .children(&mut cursor)
        .find(|c| c.kind() == "argument_list")
    else {
        return 0;
    };
    let mut commas = 0;
    walk(list, &mut |c| {
        // Commas of nested calls sit under their own argument_list.
        if c.kind() == ","
            && c.parent().is_some_and(|p| {
                p.kind() == "argument_expression_list" && innermost_list(p) == list.id()
            })
        {
            commas += 1;
        }
    });
    commas + 1
}

fn innermost_list(mut n: Node) -> usize {
    while let Some(p) = n.parent() {
        if p.kind() == "argument_list" {
            return p.id();
        }
        n = p;
    }
    0
}

/// The node under single-child wrappers.
fn innermost(mut n: Node) -> Node {
    while n.named_child_count() == 1 && n.child_count() == 1 {
        n = n.named_child(0).unwrap();
    }
    n
}

fn contains_kind(n: Node, kind: &str) -> bool {
    let mut found = false;
    walk(n, &mut |c| found |= c.kind() == kind);
    found
}

/// The PowerShell rule for single-quoted literals (tokenizer.cs ScanStringLiteral; v2
/// StringTokenReader): any of the five single-quote characters ends the literal, unless the next
/// character is also one of them, in which case that second character is taken. Returns the value
/// and how many characters the literal spans, or None when it never ends.
pub fn read_single_quoted(literal: &str) -> Option<(String, usize)> {
    const QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
    let chars: Vec<char> = literal.chars().collect();
    if !chars.first().is_some_and(|c| QUOTES.contains(c)) {
        return None;
    }
    let mut value = String::new();
    let mut i = 1;
    while i < chars.len() {
        let c = chars[i];
        if QUOTES.contains(&c) {
            if chars.get(i + 1).is_some_and(|n| QUOTES.contains(n)) {
                value.push(chars[i + 1]);
                i += 2;
                continue;
            }
            return Some((value, i + 1));
        }
        value.push(c);
        i += 1;
    }
    None
}
