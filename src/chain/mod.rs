//! Chains: what a certificate is (root, intermediate, leaf), whether it issued itself, and which
//! certificate of a set issued it. The one home of these rules: `verify` (a bundle's set) and
//! `signed` (the certificates a signature embeds) both build chains here.
//!
//! ```text
//! Identity::of      certificate          -> normalised subject and issuer name keys, key ids
//! IssuerIndex::new  identities of a set  -> the set indexed by subject name key
//! IssuerIndex::find certificate + a check of each candidate's key -> its issuer, or why not
//! ```
//!
//! Names compare by one rule (RFC 5280 7.1: case and runs of spaces do not count), each name is
//! normalised once, and issuers are looked up by name key, so a set of n certificates costs n
//! look-ups, not n² comparisons. Pure: no filesystem, no clock, never prints.

pub(crate) mod describe;
mod signature;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::ParsedExtension;
use x509_parser::x509::X509Name;

pub(crate) use signature::Signature;
pub(crate) use signature::check as check_signature;

/// Issuer candidates of the same name whose key is tried on one certificate (real sets hold one
/// or two: a re-issued CA).
const MAX_TRIED: usize = 8;

/// What a certificate is, decided from the certificate itself.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    /// Self-signed CA: a trust anchor.
    Root,
    /// CA issued by another CA (cross-certificates included).
    Intermediate,
    /// Not a CA: never belongs in a bundle.
    Leaf,
}

impl Role {
    /// The word printed for it (its serde name).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The LocalMachine store it is installed into.
    pub(crate) fn store(self) -> Option<Store> {
        match self {
            Role::Root => Some(Store::Root),
            Role::Intermediate => Some(Store::CA),
            Role::Leaf => None,
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A Windows LocalMachine certificate store.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum Store {
    /// Trusted Root Certification Authorities.
    Root,
    /// Intermediate Certification Authorities.
    CA,
}

impl Store {
    /// The store's name as Windows spells it (`Root`, `CA`; its serde name).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A distinguished name normalised for comparison: its RFC 4514 text, lower-case, runs of white
/// space folded to one space. Two names are the same when their keys are.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NameKey(String);

impl NameKey {
    /// The key of `name`.
    fn of(name: &X509Name) -> NameKey {
        NameKey(
            describe::name(name)
                .to_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// What chain building needs to know of one certificate, computed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    /// The subject's name key.
    pub(crate) subject: NameKey,
    /// The issuer's name key.
    pub(crate) issuer: NameKey,
    /// subjectKeyIdentifier.
    pub(crate) ski: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier.
    pub(crate) aki: Option<Vec<u8>>,
}

impl Identity {
    /// The identity of `cert`.
    pub(crate) fn of(cert: &X509Certificate) -> Identity {
        let (mut ski, mut aki) = (None, None);
        for ext in cert.extensions() {
            match ext.parsed_extension() {
                ParsedExtension::SubjectKeyIdentifier(k) => ski = Some(k.0.to_vec()),
                ParsedExtension::AuthorityKeyIdentifier(a) => {
                    aki = a.key_identifier.as_ref().map(|k| k.0.to_vec())
                }
                _ => {}
            }
        }
        Identity {
            subject: NameKey::of(cert.subject()),
            issuer: NameKey::of(cert.issuer()),
            ski,
            aki,
        }
    }

    /// Issued by itself: its authority key identifier is its own key's, or it names itself as
    /// issuer without saying which key signed it. (A key identifier, not a name, decides when
    /// both are there: one altered byte in a root's name must not turn it into an unchecked
    /// intermediate.) Whether the self-signature verifies is the caller's check.
    pub(crate) fn claims_self(&self) -> bool {
        match (&self.aki, &self.ski) {
            (Some(aki), Some(ski)) => aki == ski,
            (Some(_), None) => false,
            (None, _) => self.subject == self.issuer,
        }
    }

    /// Whether `issuer` may have issued this certificate: its subject is this one's issuer and,
    /// when both say, its key identifier is the one this certificate names.
    fn may_be_issued_by(&self, issuer: &Identity) -> bool {
        issuer.subject == self.issuer
            && match (&self.aki, &issuer.ski) {
                (Some(aki), Some(ski)) => aki == ski,
                _ => true,
            }
    }
}

/// What the search for a certificate's issuer within a set found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Found {
    /// The first candidate whose key verifies the signature.
    Verified(usize),
    /// No key verifies it; the first candidate whose key cannot be checked here, and why.
    Unverifiable(usize, String),
    /// Candidates were tried and none of their keys signed it: the first, and how many.
    BadSignature(usize, usize),
    /// No certificate of the issuer's name (and key identifier) is in the set.
    Missing,
}

impl Found {
    /// The issuer to follow: a verified one, else one whose key cannot be checked.
    pub(crate) fn issuer(&self) -> Option<usize> {
        match self {
            Found::Verified(j) | Found::Unverifiable(j, _) => Some(*j),
            Found::BadSignature(..) | Found::Missing => None,
        }
    }
}

/// A set of certificates indexed by subject name key.
#[derive(Debug, Clone, Default)]
pub(crate) struct IssuerIndex {
    by_subject: HashMap<NameKey, Vec<usize>>,
}

impl IssuerIndex {
    /// Indexes `set` (positions are the set's).
    pub(crate) fn new<'a>(set: impl IntoIterator<Item = &'a Identity>) -> IssuerIndex {
        let mut by_subject: HashMap<NameKey, Vec<usize>> = HashMap::new();
        for (i, id) in set.into_iter().enumerate() {
            by_subject.entry(id.subject.clone()).or_default().push(i);
        }
        IssuerIndex { by_subject }
    }

    /// Positions of the certificates that may have issued `cert` (by name and key identifier),
    /// in set order; `identity(j)` gives the identity at position `j`.
    pub(crate) fn candidates<'s, 'c: 's>(
        &'s self,
        cert: &'c Identity,
        identity: impl Fn(usize) -> &'c Identity + 's,
    ) -> impl Iterator<Item = usize> + 's {
        self.by_subject
            .get(&cert.issuer)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .copied()
            .filter(move |&j| cert.may_be_issued_by(identity(j)))
    }

    /// The issuer of `cert` among `candidates` (at most [`MAX_TRIED`] are tried): `check(j)`
    /// checks `cert`'s signature with the key of the certificate at `j`.
    pub(crate) fn find(
        candidates: impl IntoIterator<Item = usize>,
        mut check: impl FnMut(usize) -> Signature,
    ) -> Found {
        let mut unverifiable = None;
        let mut bad: Option<(usize, usize)> = None;
        for j in candidates.into_iter().take(MAX_TRIED) {
            match check(j) {
                Signature::Valid => return Found::Verified(j),
                Signature::Unverifiable(why) => {
                    unverifiable.get_or_insert((j, why));
                }
                Signature::Invalid => match &mut bad {
                    Some((_, count)) => *count += 1,
                    None => bad = Some((j, 1)),
                },
            }
        }
        match (unverifiable, bad) {
            (Some((j, why)), _) => Found::Unverifiable(j, why),
            (None, Some((j, count))) => Found::BadSignature(j, count),
            (None, None) => Found::Missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn strum_names_are_the_serde_names() {
        for role in Role::iter() {
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::from(role.as_str())
            );
        }
        for store in Store::iter() {
            assert_eq!(
                serde_json::to_value(store).unwrap(),
                serde_json::Value::from(store.as_str())
            );
        }
    }

    #[test]
    fn the_search_prefers_a_verified_key_then_an_uncheckable_one() {
        use Signature::*;
        let outcome =
            |results: Vec<Signature>| IssuerIndex::find(0..results.len(), |j| results[j].clone());
        assert_eq!(outcome(vec![]), Found::Missing);
        assert_eq!(outcome(vec![Invalid, Invalid]), Found::BadSignature(0, 2));
        assert_eq!(
            outcome(vec![
                Invalid,
                Unverifiable("a".into()),
                Unverifiable("b".into())
            ]),
            Found::Unverifiable(1, "a".into())
        );
        assert_eq!(
            outcome(vec![Unverifiable("a".into()), Invalid, Valid]),
            Found::Verified(2)
        );
        // Only MAX_TRIED keys are tried.
        let mut many = vec![Invalid; MAX_TRIED];
        many.push(Valid);
        assert_eq!(outcome(many), Found::BadSignature(0, MAX_TRIED));
    }
}
