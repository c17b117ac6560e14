//! A `--templates` file: the first byte picks which template it replaces, the rest is the file.
//! Read as text and compiled with the embedded templates, as `build` does before rendering. Must
//! never panic or hang. (Rendering is not fuzzed: a template is the user's own program, and may
//! loop as long as it likes.)
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&pick, file)) = data.split_first() {
        let _ = certbundle::fuzzing::template(pick, file);
    }
});
