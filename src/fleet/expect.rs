//! `report --expect FILE`: the hosts that should have reported, one name a line (the format
//! `Deploy-Certificates.ps1 -ComputerListFile` reads), and which reports they match.
//!
//! A line matches a report, case-insensitively, when its first DNS label equals the report's
//! computer name (both cut to the 15 characters of a NetBIOS name), or when the whole line equals
//! the report's DNS host name (`host.name` + `.` + `host.domain` when the domain is a DNS domain,
//! not `workgroup X`; or `host.name` itself when it holds a dot, as a report written for a host
//! that could not be reached does). An IP address line matches only a report that lists that
//! address; installer reports list none, so only an `unreachable` report written for a host
//! listed by that address can. docs/fleet-report.md says the same.
//!
//! [`read`] touches the filesystem; the rest is pure. Never prints.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::net::IpAddr;
use std::path::Path;

use super::{FleetError, Host};
use crate::names::windows_upper as upper;

/// The most a host list can be (a million hosts of 15 characters fit several times).
const MAX_LIST_SIZE: u64 = 64 * 1024 * 1024;

/// NetBIOS computer names are at most this many characters.
const NETBIOS_LEN: usize = 15;

/// One host of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Expected {
    /// The name as written (comment and spaces around it removed).
    pub(crate) name: String,
    /// Its line, from 1.
    pub(crate) line: usize,
}

/// The `--expect` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HostList {
    /// The file, as given.
    pub(crate) file: String,
    /// Its hosts in file order; a name listed again (in any case) is kept once.
    pub(crate) hosts: Vec<Expected>,
}

/// Reads the list at `path`.
pub(crate) fn read(path: &Path) -> Result<HostList, FleetError> {
    let file = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_LIST_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| FleetError::BadHostList {
            at: file.clone(),
            why: format!("cannot be read: {e}"),
            fix: "give the host list as a text file: one host name a line, # starts a comment",
        })?;
    if bytes.len() as u64 > MAX_LIST_SIZE {
        return Err(FleetError::BadHostList {
            at: file,
            why: format!("over {} MiB", MAX_LIST_SIZE / 1024 / 1024),
            fix: "give the host list as a text file: one host name a line, # starts a comment",
        });
    }
    parse(&file, &bytes)
}

/// Windows-1252 0x80 to 0x9F (0x81, 0x8D, 0x8F, 0x90 and 0x9D are unassigned: Windows gives the
/// C1 control of that number, which a list then refuses as not text).
const CP1252_80_9F: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// Windows-1252 (Notepad's "ANSI" on western Windows, which `Get-Content` reads): Latin-1 but
/// for 0x80 to 0x9F.
fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_80_9F[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

/// UTF-16 text, or the line (from 1) of its first error and why.
fn utf16(bytes: &[u8], from: fn([u8; 2]) -> u16) -> Result<String, (usize, String)> {
    let units = bytes.chunks_exact(2).map(|c| from([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut line = 1;
    for c in char::decode_utf16(units) {
        match c {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                text.push(c);
            }
            Err(e) => {
                let why = format!(
                    "not valid UTF-16 text (U+{:04X} alone)",
                    e.unpaired_surrogate()
                );
                return Err((line, why));
            }
        }
    }
    if bytes.len() % 2 != 0 {
        let why = "UTF-16 text with an odd number of bytes (truncated?)".to_string();
        return Err((line, why));
    }
    Ok(text)
}

/// The text of a list: UTF-8 after a BOM, UTF-16 after its BOM, else UTF-8 when it is valid and
/// Windows-1252 when not. An error gives its line (from 1) and why.
fn decode(bytes: &[u8]) -> Result<String, (usize, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        std::str::from_utf8(rest).map(str::to_string).map_err(|e| {
            let valid = e.valid_up_to();
            let line = rest[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            (line, format!("not UTF-8 text (byte {})", valid + 3))
        })
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else {
        Ok(std::str::from_utf8(bytes).map_or_else(|_| windows_1252(bytes), str::to_string))
    }
}

/// The list in `bytes` (UTF-8 with or without BOM, UTF-16 with BOM, or Windows-1252 without): one host name a line,
/// `#` starts a comment to the end of its line, spaces around a name and blank lines ignored.
pub(crate) fn parse(file: &str, bytes: &[u8]) -> Result<HostList, FleetError> {
    let not_text = |line: usize, why: String| FleetError::BadHostList {
        at: format!("{file}:{line}"),
        why,
        fix: "save the host list as plain text (UTF-8 or UTF-16, as Notepad does): one host name a line",
    };
    let text = decode(bytes).map_err(|(line, why)| not_text(line, format!("not text: {why}")))?;
    let mut hosts: Vec<Expected> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        if let Some(c) = raw
            .chars()
            .find(|c| c.is_control() && *c != '\t' && *c != '\r')
        {
            return Err(not_text(
                line,
                format!("not text: control character U+{:04X}", u32::from(c)),
            ));
        }
        let name = raw.split('#').next().unwrap_or_default().trim();
        if name.is_empty() {
            continue;
        }
        if name.contains(|c: char| c.is_whitespace() || c == ',' || c == ';') {
            return Err(FleetError::BadHostList {
                at: format!("{file}:{line}"),
                why: format!(
                    "\"{}\" is not one host name (it holds a space, a comma or a semicolon)",
                    crate::names::printable(name)
                ),
                fix: "write one host name a line (put a comment after #)",
            });
        }
        // A host listed twice (with a final dot, an address spelled another way) counts once.
        let keys = line_keys(name);
        if seen.insert((keys.ip, keys.dns)) {
            hosts.push(Expected {
                name: name.to_string(),
                line,
            });
        }
    }
    Ok(HostList {
        file: file.to_string(),
        hosts,
    })
}

/// The first `NETBIOS_LEN` characters of the first DNS label, upper case.
fn netbios(name: &str) -> String {
    upper(name.split('.').next().unwrap_or_default())
        .chars()
        .take(NETBIOS_LEN)
        .collect()
}

/// How a line or a report can be matched.
#[derive(Debug, Default, PartialEq, Eq)]
struct Keys {
    /// The address, when the name is one.
    ip: Option<IpAddr>,
    /// The NetBIOS computer name (upper case, at most 15 characters).
    netbios: Option<String>,
    /// The whole DNS host name, upper case, without a final dot.
    dns: Option<String>,
}

/// The keys of a line of the list.
fn line_keys(line: &str) -> Keys {
    let line = line.strip_suffix('.').unwrap_or(line);
    if let Ok(ip) = line.parse::<IpAddr>() {
        return Keys {
            ip: Some(ip),
            ..Keys::default()
        };
    }
    Keys {
        ip: None,
        netbios: Some(netbios(line)),
        dns: Some(upper(line)),
    }
}

/// The keys of a host's row: read as a line of the list (a report written for a host that could
/// not be reached carries the name as listed), except that a bare computer name's DNS host name
/// is its name and its `domain`, when the report gives a DNS domain.
fn host_keys(h: &Host) -> Keys {
    let name = h.host.trim();
    let mut keys = line_keys(name);
    let bare = name.strip_suffix('.').unwrap_or(name);
    if keys.ip.is_none() && !bare.contains('.') {
        keys.dns = h
            .domain
            .as_deref()
            .map(str::trim)
            .filter(|d| {
                // "workgroup NAME" holds a space: it is no DNS domain.
                !d.is_empty() && !d.contains(char::is_whitespace)
            })
            .map(|d| upper(&format!("{bare}.{d}")));
    }
    keys
}

/// Marks each row expected or not (a note on those that are not) and adds a `no-report` row for
/// each line no row matches. Returns how many rows are not expected. Each row's keys are made
/// once and indexed: lines times rows are never compared.
pub(crate) fn apply(hosts: &mut Vec<Host>, list: &HostList) -> usize {
    let mut by_ip: BTreeMap<IpAddr, Vec<usize>> = BTreeMap::new();
    let mut by_netbios: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut by_dns: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, h) in hosts.iter().enumerate() {
        let keys = host_keys(h);
        if let Some(ip) = keys.ip {
            by_ip.entry(ip).or_default().push(i);
        }
        if let Some(n) = keys.netbios {
            by_netbios.entry(n).or_default().push(i);
        }
        if let Some(d) = keys.dns {
            by_dns.entry(d).or_default().push(i);
        }
    }
    let mut matched = vec![false; hosts.len()];
    let mut missing = Vec::new();
    for expected in &list.hosts {
        let keys = line_keys(&expected.name);
        let rows = [
            keys.ip.and_then(|ip| by_ip.get(&ip)),
            keys.netbios.and_then(|n| by_netbios.get(&n)),
            keys.dns.and_then(|d| by_dns.get(&d)),
        ];
        let mut any = false;
        for &i in rows.into_iter().flatten().flatten() {
            matched[i] = true;
            any = true;
        }
        if !any {
            missing.push(super::host::no_report(
                &expected.name,
                format!("{}:{}", list.file, expected.line),
            ));
        }
    }
    let mut not_expected = 0;
    for (h, matched) in hosts.iter_mut().zip(matched) {
        h.expected = Some(matched);
        if !matched {
            not_expected += 1;
            h.notes.push(format!(
                "not expected: no line of {} names this host",
                list.file
            ));
        }
    }
    hosts.extend(missing);
    not_expected
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &HostList) -> Vec<(&str, usize)> {
        list.hosts
            .iter()
            .map(|h| (h.name.as_str(), h.line))
            .collect()
    }

    fn bad(bytes: &[u8]) -> String {
        parse("hosts.txt", bytes).unwrap_err().to_string()
    }

    #[test]
    fn comments_blank_lines_spaces_and_repeats_are_ignored() {
        let list = parse(
            "hosts.txt",
            b"# site A\r\n\r\nWS-0117\r\n  srv-db02.corp.example.  # the database\n\tws-0117\n10.0.0.5\n#\n",
        )
        .unwrap();
        assert_eq!(
            names(&list),
            vec![
                ("WS-0117", 3),
                ("srv-db02.corp.example.", 4),
                ("10.0.0.5", 6)
            ]
        );
    }

    #[test]
    fn a_final_dot_or_another_spelling_of_an_address_is_the_same_host() {
        let list = parse(
            "hosts.txt",
            b"ws-0300
WS-0300.
10.0.0.9
10.0.0.9.
::1
0:0:0:0:0:0:0:1
",
        )
        .unwrap();
        assert_eq!(
            names(&list),
            vec![("ws-0300", 1), ("10.0.0.9", 3), ("::1", 5)]
        );
    }

    #[test]
    fn utf16_and_a_bom_are_read() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "ÅLESUND-01\r\nWS-1\r\n".encode_utf16() {
            utf16.extend(unit.to_le_bytes());
        }
        let list = parse("h", &utf16).unwrap();
        assert_eq!(names(&list), vec![("ÅLESUND-01", 1), ("WS-1", 2)]);
        let list = parse("h", b"\xEF\xBB\xBFWS-1\n").unwrap();
        assert_eq!(names(&list), vec![("WS-1", 1)]);
    }

    #[test]
    fn a_list_that_is_not_utf8_is_windows_1252() {
        // Notepad's "ANSI": Ø, é, the euro sign and a curly quote in a comment.
        let list = parse("h", b"\xD8RSTA-PC1\r\nb\xE9b\xE9 # \x80 \x92\r\n").unwrap();
        assert_eq!(names(&list), vec![("ØRSTA-PC1", 1), ("bébé", 2)]);
        // An unassigned byte is a C1 control: not text, on its line.
        assert!(bad(b"WS-1\n\xE9\x81\n").starts_with("hosts.txt:2: not text: control"));
    }

    #[test]
    fn a_utf16_error_names_its_line() {
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "WS-1\r\nWS-2\r\n".encode_utf16().chain([0xD800, 0x41]) {
            utf16.extend(unit.to_le_bytes());
        }
        assert!(bad(&utf16).starts_with("hosts.txt:3: not text: not valid UTF-16"));
        utf16.truncate(utf16.len() - 4);
        utf16.push(b'x');
        assert!(bad(&utf16).starts_with("hosts.txt:3: not text: UTF-16 text with an odd"));
    }

    #[test]
    fn a_bad_list_names_its_line() {
        assert_eq!(
            bad(b"WS-1\nWS 2\n"),
            "hosts.txt:2: \"WS 2\" is not one host name (it holds a space, a comma or a semicolon)"
        );
        assert!(bad(b"WS-1,WS-2\n").starts_with("hosts.txt:1: "));
        assert!(bad(b"\xEF\xBB\xBFWS-1\n\nWS-\xFF\n").starts_with("hosts.txt:3: not text"));
        assert!(bad(b"WS-1\nWS\x002\n").starts_with("hosts.txt:2: not text: control"));
    }

    fn host(name: &str, domain: Option<&str>) -> Host {
        let mut h = super::super::host::no_report(name, String::new());
        h.domain = domain.map(str::to_string);
        h
    }

    fn run(lines: &str, hosts: Vec<Host>) -> (Vec<(String, Option<bool>, bool)>, usize) {
        let list = parse("hosts.txt", lines.as_bytes()).unwrap();
        let mut hosts = hosts;
        let not_expected = apply(&mut hosts, &list);
        let rows = hosts
            .iter()
            .map(|h| (h.host.clone(), h.expected, h.file.is_empty()))
            .collect();
        (rows, not_expected)
    }

    /// Whether `line` matches a report of `name` in `domain`.
    fn matches(line: &str, name: &str, domain: Option<&str>) -> bool {
        let (rows, _) = run(line, vec![host(name, domain)]);
        rows[0].1 == Some(true)
    }

    #[test]
    fn the_first_label_matches_the_computer_name_in_any_case() {
        assert!(matches("ws-0117", "WS-0117", Some("CORP")));
        assert!(matches("ws-0117.other.example", "WS-0117", None));
        assert!(matches("münchen-pc01", "MÜNCHEN-PC01", None));
        assert!(!matches("ws-01170", "WS-0117", None));
        assert!(!matches("ws", "WS-0117", None));
        // Windows leaves ı and ſ alone: they are not I and S.
        assert!(!matches("wın-1", "WIN-1", None));
        assert!(!matches("ſrv-1", "SRV-1", None));
    }

    #[test]
    fn names_are_compared_at_most_15_characters() {
        // Windows cuts a longer name to 15 characters for NetBIOS; the report carries that.
        assert!(matches("accounting-server-01", "ACCOUNTING-SERV", None));
        assert!(matches(
            "accounting-server-01.corp.example",
            "ACCOUNTING-SERV",
            None
        ));
        assert!(matches("ACCOUNTING-SERV", "accounting-server-01", None));
        assert!(!matches("accounting-ser", "ACCOUNTING-SERV", None));
    }

    #[test]
    fn the_whole_line_matches_the_dns_host_name() {
        assert!(!matches(
            "sql.corp.example",
            "SRV-SQL01",
            Some("corp.example")
        ));
        assert!(matches(
            "srv-sql01.CORP.example",
            "SRV-SQL01",
            Some("corp.example")
        ));
        assert!(matches(
            "srv-sql01.corp.example.",
            "SRV-SQL01",
            Some("corp.example")
        ));
        // A report written for a host that could not be reached carries the name as listed.
        assert!(matches(
            "SRV-DB02.corp.example",
            "srv-db02.corp.example",
            None
        ));
        // A DNS alias whose first label is not the computer name matches only the DNS name.
        assert!(matches("db.corp.example", "db.corp.example", None));
        assert!(!matches(
            "db.corp.example",
            "SRV-DB02",
            Some("corp.example")
        ));
    }

    #[test]
    fn a_workgroup_is_not_a_dns_domain() {
        // By its first label, not as a DNS name.
        assert!(matches("db.site", "DB", Some("workgroup SITE")));
        let keys = host_keys(&host("DB", Some("workgroup SITE")));
        assert_eq!(keys.dns, None);
        let keys = host_keys(&host("DB", Some("corp.example")));
        assert_eq!(keys.dns.as_deref(), Some("DB.CORP.EXAMPLE"));
        // A DNS domain that merely starts with the word is one.
        let keys = host_keys(&host("DB", Some("workgroups.example")));
        assert_eq!(keys.dns.as_deref(), Some("DB.WORKGROUPS.EXAMPLE"));
    }

    #[test]
    fn an_address_matches_only_a_report_listing_it() {
        assert!(!matches("10.0.0.5", "WS-0117", Some("CORP")));
        assert!(!matches("10.0.0.5", "10", None));
        assert!(matches("10.0.0.5", "10.0.0.5", None));
        assert!(matches("fe80::1", "FE80::1", None));
        // A report named by address is no computer called "10".
        assert!(!matches("10", "10.0.0.5", None));
        // A final dot does not make an address a DNS name.
        assert!(!matches("10.0.0.9.", "10", None));
        assert!(matches("10.0.0.5.", "10.0.0.5", None));
        assert!(matches("10.0.0.5", "10.0.0.5.", None));
        assert!(!matches("10", "10.0.0.9.", None));
    }

    #[test]
    fn missing_hosts_are_rows_and_unlisted_ones_are_noted() {
        let (rows, not_expected) =
            run("WS-1\nWS-2\n", vec![host("ws-1", None), host("WS-9", None)]);
        assert_eq!(not_expected, 1);
        assert_eq!(
            rows,
            vec![
                ("ws-1".into(), Some(true), true),
                ("WS-9".into(), Some(false), true),
                ("WS-2".into(), Some(true), false),
            ]
        );
    }
}
