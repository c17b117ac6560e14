//! certbundle: verified, deterministic CA certificate bundles for air-gapped Windows sites.
//!
//! Trend Micro OfficeScan / Apex One verify the Authenticode signatures of their own binaries; on
//! machines that cannot reach Windows Update the public root and intermediate CA certificates those
//! checks need are missing. certbundle turns "download each certificate and click through the
//! import wizard on every machine" into one verified, repeatable step.
//!
//! Data flows one way, and each stage only uses the types of the stages before it:
//!
//! ```text
//! profile::resolve      --profile      -> a profile and the roots it ships
//! load::from_paths      paths          -> owned DER items (+ where each came from); refuses keys
//! signed::items         signed files   -> more items (build --from-signed; `signed::extract`
//!                                         reads Authenticode signatures for `extract`)
//! verify::check         items + policy -> certificate summaries and findings (roles, issuers
//!                                         and names come from `chain`, the one chain builder)
//! plan::bundle          summaries      -> every certificate's place (`layout`) + the manifest
//!                                         (`manifest`); refuses more than `limits` allow
//! render::all           plan           -> every file of the bundle as bytes, SHA256SUMS, digest
//! bundle::write         files          -> folder + zip, atomically
//! ```
//!
//! The other way: `bundle::read` and `bundle::audit` re-check a bundle for `verify`; `fleet`
//! reads the installers' reports (and a reference bundle through `bundle::read_only`) for
//! `report`; `fetch` downloads a profile's certificates and keeps only those matching their pins.
//! `commands` wires the stages into one outcome per command; only `output` (and `main`) print.
//! `completions` and `man` print text generated from `cli`'s clap definitions, nothing else.
//!
//! Only these touch the file system: `load` (input files, profile files, template folders:
//! `profile` reads through it), `signed` (the PE files it reads), `fleet` (reports and reference
//! bundles, reading), `bundle` (the one atomic writer for bundles and for the files `extract`,
//! `fetch` and `report --html` write, and every read of a bundle); `fetch` alone touches the
//! network.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(clippy::too_many_lines)]

pub mod bundle;
pub(crate) mod chain;
pub mod cli;
pub mod commands;
pub(crate) mod error;
mod failpoint;
pub mod fetch;
pub mod fleet;
#[doc(hidden)]
pub mod fuzzing;
pub(crate) mod layout;
pub mod limits;
pub mod load;
pub(crate) mod manifest;
pub mod names;
pub mod output;
pub mod plan;
pub mod profile;
pub mod render;
pub mod report_schema;
pub mod signed;
pub mod verify;

pub(crate) use error::Error;

/// Hex helpers shared by every stage (upper-case, like Windows thumbprints).
pub mod hex {
    use sha1::Sha1;
    use sha2::{Digest, Sha256};

    /// Upper-case hex of `bytes`, no separators.
    pub fn upper(bytes: &[u8]) -> String {
        data_encoding::HEXUPPER.encode(bytes)
    }

    /// Lower-case hex of `bytes`, no separators (the `sha256sum` form).
    pub(crate) fn lower(bytes: &[u8]) -> String {
        data_encoding::HEXLOWER.encode(bytes)
    }

    /// SHA-256 of `bytes` as upper-case hex.
    pub fn sha256_upper(bytes: &[u8]) -> String {
        upper(&Sha256::digest(bytes))
    }

    /// SHA-256 of `bytes` as lower-case hex.
    pub fn sha256_lower(bytes: &[u8]) -> String {
        lower(&Sha256::digest(bytes))
    }

    /// SHA-1 of `bytes` as upper-case hex (the Windows "thumbprint").
    pub fn sha1_upper(bytes: &[u8]) -> String {
        upper(&Sha1::digest(bytes))
    }
}
