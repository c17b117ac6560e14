//! One installer report as `certbundle report` reads it: UTF-8 or UTF-16 (with or without a BOM),
//! JSON checked against the report schema, then the fleet view's row or the reason it is skipped.
//! Must never panic or hang, whatever a stick holds (truncated files included).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certbundle::fuzzing::report(data);
});
