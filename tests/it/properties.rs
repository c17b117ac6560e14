//! Property tests: the loader and verifier never panic on any input, and names are always safe.

use crate::common;
use certbundle::load::{Content, Item, Origin, classify, pkcs7_certificates};
use certbundle::names;
use certbundle::verify::{Policy, check};
use proptest::prelude::*;

fn real_der() -> Vec<u8> {
    pem::parse(std::fs::read(common::fixture("roots/ISRG_Root_X2.pem")).unwrap())
        .unwrap()
        .into_contents()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn classify_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = classify(&bytes);
        let _ = pkcs7_certificates(&bytes);
    }

    #[test]
    fn armoured_garbage_is_never_taken_for_a_key_unless_labelled(body in "[A-Za-z0-9+/=\n]{0,400}", label in "(CERTIFICATE|PKCS7|X509 CRL|FOO)") {
        let text = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        prop_assert!(!matches!(classify(text.as_bytes()), Content::PrivateKey(_)));
    }

    #[test]
    fn mutated_certificates_never_panic_the_verifier(at in 0usize..1000, value in any::<u8>(), cut in 0usize..1000) {
        let mut der = real_der();
        let at = at % der.len();
        der[at] = value;
        der.truncate(der.len() - cut % 8);
        let item = Item { origin: Origin { path: "m.cer".into(), position: None }, der, defect: None };
        let checked = check(&[item], &Policy::unpinned(time::OffsetDateTime::UNIX_EPOCH, false));
        prop_assert_eq!(checked.certificates.len() + checked.rejected.len(), 1);
    }

    #[test]
    fn bundle_file_names_are_always_safe(text in "\\PC{0,80}", sha in "[0-9A-F]{8}") {
        let part = names::file_part(&text);
        prop_assert!(!part.is_empty() && part.chars().count() <= names::MAX_NAME_PART);
        prop_assert!(part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'));
        let file = format!("{part}_{sha}.cer");
        prop_assert!(!names::is_reserved(&file));
        prop_assert!(names::check_bundle_name(&file).is_ok(), "{}", file);
    }

    #[test]
    fn printable_leaves_no_control_or_bidi_characters(text in "\\PC*|[\\x00-\\x1f\\x7f\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}a-z]{0,40}") {
        let shown = names::printable(&text);
        let deceptive = |c: char| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
        prop_assert!(!shown.chars().any(deceptive), "{:?}", shown);
    }
}
