//! A property of the `ps` filter's quoting, `render::filters::ps_literal`: for any text it either
//! refuses (the text has a control character) or gives exactly one PowerShell single-quoted
//! literal that PowerShell reads back as the text, with nothing after it.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// What PowerShell makes of a single-quoted literal at the start of `literal`: its value and how
/// many characters it spans. PowerShell takes any of these five as the quote, and two of them in
/// a row (any two) as one, the second kept. (Copied from tests/it/common/powershell.rs.)
fn read_single_quoted(literal: &str) -> Option<(String, usize)> {
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

fuzz_target!(|text: &str| {
    match certbundle::render::filters::ps_literal(text) {
        Ok(literal) => {
            let (value, used) = read_single_quoted(&literal)
                .unwrap_or_else(|| panic!("{literal:?} is not a single-quoted literal"));
            assert_eq!(value, text, "{literal:?} reads back as another text");
            assert_eq!(
                used,
                literal.chars().count(),
                "{literal:?} holds more than one literal"
            );
        }
        Err(_) => assert!(
            text.chars()
                .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')),
            "{text:?} refused without a control character"
        ),
    }
});
