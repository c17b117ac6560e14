//! The PE certificate table and Authenticode signature reader on arbitrary bytes: it may
//! refuse anything, it must never panic, hang or read outside the input.
//!
//! `fuzz/run extract 600` (see CONTRIBUTING.md, Fuzzing).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let _ = certbundle::signed::extract_from(
        std::io::Cursor::new(data),
        len,
        std::path::Path::new("fuzz.exe"),
    );
});
