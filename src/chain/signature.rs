//! Checking a certificate's signature with a candidate issuer's key, within what the verifier
//! behind x509-parser (aws-lc-rs) can check.

use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::public_key::PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::describe;

/// The outcome of checking one signature with one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Signature {
    /// The key signed it.
    Valid,
    /// The key did not sign it.
    Invalid,
    /// The algorithm or key cannot be checked here, and why.
    Unverifiable(String),
}

/// Checks `cert`'s signature with `signer`'s key.
pub(crate) fn check(cert: &X509Certificate, signer: &SubjectPublicKeyInfo) -> Signature {
    let algorithm = describe::signature_algorithm(&cert.signature_algorithm.algorithm);
    if let Some(why) = unusual_key_form(signer) {
        return Signature::Unverifiable(format!("{algorithm} with {why}"));
    }
    if let Ok(PublicKey::RSA(rsa)) = signer.parsed() {
        // aws-lc-rs (behind x509-parser) takes RSA keys of 2048-8192 bits (1024 with SHA-1
        // and, through its legacy algorithms, SHA-256/512) and exponents below 2^33: outside
        // that, a failure would say nothing about the signature.
        let bits = rsa.key_size();
        let exponent = rsa
            .exponent
            .iter()
            .try_fold(0u64, |e, b| e.checked_mul(256)?.checked_add(u64::from(*b)));
        if exponent.is_none_or(|e| e >= 1 << 33) {
            return Signature::Unverifiable(format!(
                "{algorithm} with an RSA key whose public exponent is too large"
            ));
        }
        if (1024..2048).contains(&bits) {
            let legacy: Option<&'static dyn aws_lc_rs::signature::VerificationAlgorithm> =
                match algorithm.as_str() {
                    "sha256WithRSAEncryption" => {
                        Some(&aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY)
                    }
                    "sha512WithRSAEncryption" => {
                        Some(&aws_lc_rs::signature::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY)
                    }
                    _ => None,
                };
            if let Some(legacy) = legacy {
                let key = aws_lc_rs::signature::UnparsedPublicKey::new(
                    legacy,
                    &signer.subject_public_key.data,
                );
                return match key.verify(cert.tbs_certificate.as_ref(), &cert.signature_value.data) {
                    Ok(()) => Signature::Valid,
                    Err(_) => Signature::Invalid,
                };
            }
        }
        let minimum = if algorithm == "sha1WithRSAEncryption" {
            1024
        } else {
            2048
        };
        if !(minimum..=8192).contains(&bits) {
            return Signature::Unverifiable(format!(
                "{algorithm} with an RSA-{bits} key cannot be checked here"
            ));
        }
    }
    match cert.verify_signature(Some(signer)) {
        Ok(()) => Signature::Valid,
        Err(X509Error::SignatureUnsupportedAlgorithm) => Signature::Unverifiable(format!(
            "{algorithm} with a {} key cannot be checked here",
            describe::key(signer)
        )),
        Err(_) => Signature::Invalid,
    }
}

/// Why the signer's key bits are not in the plain form, if they are not: a key x509-parser reads
/// (an RSA key is its RSAPublicKey), an EC key an uncompressed point of its curve's size, an
/// Ed25519 key its 32 bytes. aws-lc-rs would also take a compressed point, or a whole
/// SubjectPublicKeyInfo nested there; ring, which checked these before, took neither, and a
/// certificate whose key only such a reader understands is not one to vouch for.
fn unusual_key_form(signer: &SubjectPublicKeyInfo) -> Option<String> {
    let bits = signer.subject_public_key.data.as_ref();
    let kind = describe::key(signer);
    if signer.parsed().is_err() {
        return Some(format!(
            "a {kind} key that cannot be read cannot be checked here"
        ));
    }
    match kind {
        describe::KeyKind::Ec(curve) => {
            let coordinate = match curve.as_str() {
                "P-256" => 32,
                "P-384" => 48,
                "P-521" => 66,
                _ => return None,
            };
            (bits.first() != Some(&0x04) || bits.len() != 1 + 2 * coordinate).then(|| {
                format!(
                    "an EC {curve} key that is not an uncompressed point cannot be checked here"
                )
            })
        }
        describe::KeyKind::Other(name) if name == "Ed25519" => (bits.len() != 32).then(|| {
            format!(
                "an Ed25519 key of {} bytes cannot be checked here",
                bits.len()
            )
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use x509_parser::prelude::{FromDer, X509Certificate};
    use x509_parser::x509::SubjectPublicKeyInfo;

    use super::{Signature, check};

    /// `spki` with `bits` where its key belongs.
    fn with_key_bits<'a>(
        spki: &SubjectPublicKeyInfo<'a>,
        bits: &'a [u8],
    ) -> SubjectPublicKeyInfo<'a> {
        let mut changed = spki.clone();
        changed.subject_public_key.data = Cow::Borrowed(bits);
        changed
    }

    fn unverifiable(result: Signature, why: &str) {
        match result {
            Signature::Unverifiable(said) => assert!(said.contains(why), "{said}"),
            other => panic!("{other:?}, expected unverifiable: {why}"),
        }
    }

    #[test]
    fn a_key_in_a_form_only_aws_lc_rs_reads_is_unverifiable() {
        // Real roots verify with their own keys; with the key's whole SubjectPublicKeyInfo nested
        // where the key belongs, aws-lc-rs would still read it, ring did not.
        for (pem_text, why) in [
            (
                include_str!("../../tests/fixtures/roots/ISRG_Root_X1.pem"),
                "key that cannot be read",
            ),
            (
                include_str!("../../tests/fixtures/roots/ISRG_Root_X2.pem"),
                "EC P-384 key that is not an uncompressed point",
            ),
        ] {
            let der = pem::parse(pem_text).unwrap().into_contents();
            let (_, cert) = X509Certificate::from_der(&der).unwrap();
            let spki = cert.public_key();
            assert_eq!(check(&cert, spki), Signature::Valid);
            unverifiable(check(&cert, &with_key_bits(spki, spki.raw)), why);
        }
        // An Ed25519 key is its 32 bytes.
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
        let issued = rcgen::CertificateParams::new(Vec::<String>::new())
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let (_, cert) = X509Certificate::from_der(issued.der()).unwrap();
        let spki = cert.public_key();
        assert_eq!(check(&cert, spki), Signature::Valid);
        let longer = [spki.subject_public_key.data.as_ref(), &[0]].concat();
        unverifiable(
            check(&cert, &with_key_bits(spki, &longer)),
            "an Ed25519 key of 33 bytes",
        );
    }
}
