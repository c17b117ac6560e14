//! The CMS / PKCS#7 reader on arbitrary BER, straight (no sniffing in front): the certificates of
//! a certs-only SignedData, or why there are none. Must never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = certbundle::load::pkcs7_certificates(data);
});
