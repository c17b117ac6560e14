//! A bundle zip in memory through the bundle reader `verify` uses: the central directory
//! cross-checked with the local headers and the zip crate, every entry's name, kind and size, then
//! the audit (SHA256SUMS, manifest, certificates). Must never panic, hang or allocate what the
//! headers declare instead of what is there.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certbundle::fuzzing::bundle_zip(data);
});
