//! One function per rule verification applies to a certificate: each decides whether its finding
//! applies and owns the finding's words (as cargo-deny's diagnostics do). `summarize` in the
//! parent module computes the facts once and applies the rules in a fixed order.

use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;

use super::{Code, EXPIRES_SOON_DAYS, Policy, Severity};
use crate::chain::describe::{self, KeyKind};
use crate::chain::{Found, Role, Signature};
use crate::profile::{Need, Pin};

/// What a rule says, before it is tied to an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Note {
    pub(crate) code: Code,
    pub(crate) severity: Severity,
    pub(crate) message: String,
}

fn note(code: Code, severity: Severity, message: impl Into<String>) -> Option<Note> {
    Some(Note {
        code,
        severity,
        message: message.into(),
    })
}

/// The facts about one certificate that the rules read, decided once.
pub(super) struct Facts<'a> {
    pub(crate) cert: &'a X509Certificate<'a>,
    pub(crate) role: Role,
    pub(crate) sha256: &'a str,
    pub(crate) sha1: &'a str,
    /// The pin matching its fingerprints, whatever role the pin gives.
    pub(crate) pinned_as: Option<&'a Pin>,
    /// The same pin when it also pins it as what it is.
    pub(crate) pin: Option<&'a Pin>,
    pub(crate) policy: &'a Policy,
}

/// `not-ca` for a leaf; `no-cert-sign` for a CA whose keyUsage forbids signing certificates.
pub(super) fn ca_use(f: &Facts, basic_ca: Option<bool>) -> Option<Note> {
    if f.role == Role::Leaf {
        return note(
            Code::NotCa,
            Severity::Error,
            match basic_ca {
                Some(false) => {
                    "basicConstraints marks it as an end-entity (not a CA) certificate; only CA certificates belong in a bundle"
                }
                _ => {
                    "no basicConstraints extension marks it as a CA (only a v1 self-signed root may lack one); only CA certificates belong in a bundle"
                }
            },
        );
    }
    match f.cert.key_usage() {
        Ok(Some(ku)) if !ku.value.key_cert_sign() => note(
            Code::NoCertSign,
            Severity::Error,
            "keyUsage is present without keyCertSign: Windows will not accept it as an issuer",
        ),
        _ => None,
    }
}

/// `bad-signature` when the algorithm inside the signed part differs from the one outside.
pub(super) fn altered_algorithm(f: &Facts) -> Option<Note> {
    let cert = f.cert;
    (cert.signature_algorithm != cert.tbs_certificate.signature).then(|| Note {
        code: Code::BadSignature,
        severity: Severity::Error,
        message: format!(
            "the signature algorithm inside the signed part ({}) differs from the one outside it ({}): the certificate was altered",
            describe::signature_algorithm(&cert.tbs_certificate.signature.algorithm),
            describe::signature_algorithm(&cert.signature_algorithm.algorithm)
        ),
    })
}

/// A root's self-signature: `bad-signature` (a warning when pinned: Windows never checks it) or
/// `unverifiable-signature`.
pub(super) fn self_signature(f: &Facts, outcome: Option<&Signature>) -> Option<Note> {
    match outcome {
        Some(Signature::Invalid) if f.pin.is_some() => note(
            Code::BadSignature,
            Severity::Warning,
            "its self-signature does not verify with its own key; it is pinned by fingerprint, and Windows does not check a root's self-signature",
        ),
        Some(Signature::Invalid) => note(
            Code::BadSignature,
            Severity::Error,
            "its self-signature does not verify with its own key: the certificate was altered or is not what it claims",
        ),
        Some(Signature::Unverifiable(why)) => note(
            Code::UnverifiableSignature,
            Severity::Warning,
            format!("self-signature not checked: {why}"),
        ),
        _ => None,
    }
}

/// What the issuer search says about a certificate that is not a root: `unverifiable-signature`,
/// `bad-signature` (naming the issuer tried) or, for an intermediate, `issuer-missing`.
/// `tried_sha1` is the SHA-1 of the first candidate whose key did not sign it.
pub(super) fn issuer(
    f: &Facts,
    search: Option<&Found>,
    names_key: bool,
    tried_sha1: Option<&str>,
) -> Option<Note> {
    let issuer_name = describe::name(f.cert.issuer());
    match search {
        Some(Found::Unverifiable(_, why)) => note(
            Code::UnverifiableSignature,
            Severity::Warning,
            format!("signature not checked against its issuer: {why}"),
        ),
        Some(Found::BadSignature(..)) => note(
            Code::BadSignature,
            Severity::Error,
            format!(
                "its signature does not verify with the key of its issuer \"{issuer_name}\" (SHA-1 {}) in the set{}",
                tried_sha1.unwrap_or_default(),
                if names_key {
                    ""
                } else {
                    " (it does not say which key signed it: if another CA of that name issued it, give that one instead)"
                }
            ),
        ),
        Some(Found::Missing) | None if f.role == Role::Intermediate => note(
            Code::IssuerMissing,
            Severity::Warning,
            format!(
                "its issuer \"{issuer_name}\" is not in the set: the target machines must already trust it{}",
                issuer_download(f).unwrap_or_default()
            ),
        ),
        _ => None,
    }
}

/// Where to get a missing issuer, when the profile knows a certificate of that name.
fn issuer_download(f: &Facts) -> Option<String> {
    let profile = f.policy.profile.as_ref()?;
    let short = describe::display_name(f.cert.issuer()).unwrap_or_default();
    profile.pins_named(&short).first().map(|pin| {
        format!(
            "; profile {} pins \"{}\" (SHA-1 {}): add it{}",
            profile.name,
            pin.name,
            pin.thumbprint(),
            pin.urls
                .first()
                .map(|u| format!(", from {u}"))
                .unwrap_or_default()
        )
    })
}

/// `not-yet-valid`, `expired` (a warning when pinned or allowed) or `expires-soon`.
pub(super) fn validity(f: &Facts) -> Option<Note> {
    let date = |t: OffsetDateTime| t.date().to_string();
    let now = f.policy.now;
    let not_before = f.cert.validity().not_before.to_datetime();
    let not_after = f.cert.validity().not_after.to_datetime();
    if now < not_before {
        note(
            Code::NotYetValid,
            Severity::Error,
            format!("not valid before {}", date(not_before)),
        )
    } else if now > not_after {
        // Expired CAs still validate signatures time-stamped while they were valid.
        let (severity, tail) = if f.pin.is_some() {
            (
                Severity::Warning,
                " (pinned by the profile: it still validates older time-stamped signatures)",
            )
        } else if f.policy.allow_expired {
            (Severity::Warning, " (allowed by --allow-expired)")
        } else {
            (Severity::Error, "")
        };
        note(
            Code::Expired,
            severity,
            format!("expired on {}{tail}", date(not_after)),
        )
    } else if not_after - now < time::Duration::days(EXPIRES_SOON_DAYS) {
        let days = (not_after - now).whole_days();
        note(
            Code::ExpiresSoon,
            Severity::Warning,
            format!("expires on {} (in {days} days)", date(not_after)),
        )
    } else {
        None
    }
}

/// `unpinned` for a certificate the profile does not pin as what it is: an error, a warning
/// with `--allow-unpinned`, and always an error for a look-alike or a pin it contradicts.
pub(super) fn unpinned(f: &Facts) -> Option<Note> {
    let profile = f.policy.profile.as_ref()?;
    if f.pin.is_some() {
        return None;
    }
    match imitation(f) {
        Some(mut message) => {
            if f.policy.allow_unpinned {
                message.push_str(" (--allow-unpinned does not cover this)");
            }
            note(Code::Unpinned, Severity::Error, message)
        }
        None if f.policy.allow_unpinned => note(
            Code::Unpinned,
            Severity::Warning,
            format!(
                "not in profile {} (allowed by --allow-unpinned)",
                profile.name
            ),
        ),
        None => note(
            Code::Unpinned,
            Severity::Error,
            format!("not in profile {}", profile.name),
        ),
    }
}

/// What `--allow-unpinned` can never let through: a certificate that imitates a pinned one, or
/// one the profile vouches for in a way the certificate contradicts.
fn imitation(f: &Facts) -> Option<String> {
    let profile = f.policy.profile.as_ref()?;
    if let Some(p) = f.pinned_as {
        return Some(format!(
            "not in profile {} as what it is: the profile pins it as {} \"{}\", but it is {} {}",
            profile.name,
            if p.role == Role::Root {
                "the root"
            } else {
                "the intermediate"
            },
            p.name,
            if f.role == Role::Intermediate {
                "an"
            } else {
                "a"
            },
            f.role.as_str()
        ));
    }
    if let Some(p) = profile.half_pin_for(f.sha256, f.sha1) {
        return Some(format!(
            "profile {} contradicts itself: \"{}\" matches only one of the two fingerprints the pin gives; fix the profile",
            profile.name, p.name
        ));
    }
    let name = describe::display_name(f.cert.subject()).unwrap_or_default();
    profile.pins_named(&name).first().map(|pinned| {
        format!(
            "not in profile {}: it looks like the pinned \"{}\" (SHA-1 {}) but is not that certificate; never install a look-alike",
            profile.name,
            pinned.name,
            pinned.thumbprint()
        )
    })
}

/// `weak-key`: an RSA key under 2048 bits.
pub(super) fn weak_key(key: &KeyKind) -> Option<Note> {
    match key {
        KeyKind::Rsa(bits) if *bits < 2048 => note(
            Code::WeakKey,
            Severity::Warning,
            format!("RSA key of {bits} bits (under 2048)"),
        ),
        _ => None,
    }
}

/// `weak-signature`: a certificate other than a root signed with a weak hash.
pub(super) fn weak_signature(f: &Facts, algorithm: &str) -> Option<Note> {
    (f.role != Role::Root && describe::is_weak_signature(&f.cert.signature_algorithm.algorithm))
        .then(|| Note {
            code: Code::WeakSignature,
            severity: Severity::Warning,
            message: format!("signed with {algorithm}, a weak hash"),
        })
}

/// `wrong-purpose`: an intermediate whose extendedKeyUsage allows neither code signing nor time
/// stamping.
pub(super) fn wrong_purpose(f: &Facts) -> Option<Note> {
    if f.role != Role::Intermediate {
        return None;
    }
    match f.cert.extended_key_usage() {
        Ok(Some(eku)) if !(eku.value.any || eku.value.code_signing || eku.value.time_stamping) => {
            note(
                Code::WrongPurpose,
                Severity::Warning,
                "extendedKeyUsage allows neither code signing nor time stamping: Windows cannot use it to validate a code signature",
            )
        }
        _ => None,
    }
}

/// `missing-required` (an error unless `--allow-missing`) or `missing-recommended` for a pin no
/// input supplied; the message says where to get it.
pub(super) fn missing(pin: &Pin, policy: &Policy) -> Note {
    let source = match pin.urls.first() {
        Some(url) => format!("download {url} (certbundle fetch checks it against the pin)"),
        None => {
            "no official download URL is known: take it from a signed file that embeds it".into()
        }
    };
    let fingerprints = match (&pin.sha1, &pin.sha256) {
        (Some(sha1), _) => format!("SHA-1 {sha1}"),
        (None, Some(sha256)) => format!("SHA-256 {sha256}"),
        (None, None) => String::new(),
    };
    match pin.need {
        Need::Required => Note {
            code: Code::MissingRequired,
            severity: if policy.allow_missing {
                Severity::Warning
            } else {
                Severity::Error
            },
            message: format!(
                "required {} \"{}\" ({fingerprints}) was not supplied{}: {source}",
                pin.role,
                pin.name,
                if policy.allow_missing {
                    " (allowed by --allow-missing)"
                } else {
                    ""
                }
            ),
        },
        Need::Recommended => Note {
            code: Code::MissingRecommended,
            severity: Severity::Warning,
            message: format!(
                "recommended {} \"{}\" ({fingerprints}) not supplied (signatures normally embed it): {source}",
                pin.role, pin.name
            ),
        },
    }
}
