//! Certificate loading on arbitrary bytes: the content sniffing every input file goes through
//! (PEM blocks and the text around them, DER, PKCS#7 in DER or PEM, key material refused). It may
//! refuse anything; it must never panic, hang or use memory out of proportion to the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certbundle::load::classify(data);
});
