//! A profile file (`--profile FILE`): UTF-8 text, then the TOML profile parser and its checks.
//! Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // As `load::profile_text` reads the file: text, or refused.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = certbundle::profile::Profile::parse("fuzz.toml", text);
    }
});
