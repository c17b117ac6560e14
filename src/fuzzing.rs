//! Entry points for the fuzz targets in `fuzz/` (CONTRIBUTING.md, Fuzzing): for each reader of
//! outside bytes whose real entry takes a path, the same code fed from memory. Not an API:
//! hidden from the docs, used by nothing but `fuzz/` and `tests/it/fuzz_regressions.rs`.
//!
//! The readers whose entry already takes bytes are fuzzed through it directly:
//! [`crate::load::classify`], [`crate::load::pkcs7_certificates`], [`crate::profile::Profile::parse`]
//! and [`crate::render::filters::ps_literal`].

use std::path::Path;

use crate::fleet::{UnusedFile, host_row, report};

/// `bytes` as a bundle zip: read as `verify` reads a zip file (the central directory checked
/// against the local headers and the zip crate's view, every name, kind and size checked), then
/// audited as `verify` audits it. Returns how many problems the audit found, or the error that
/// stopped the reading.
pub fn bundle_zip(bytes: &[u8]) -> Result<usize, String> {
    let tree =
        crate::bundle::read_zip_bytes(Path::new("fuzz.zip"), bytes).map_err(|e| e.to_string())?;
    Ok(crate::bundle::audit(&tree).problems.len())
}

/// `bytes` as one installer report, as `report` reads each file: parsed (UTF-8 or UTF-16, with or
/// without a BOM), then turned into the fleet view's row, or into the reason it is skipped.
pub fn report(bytes: &[u8]) -> Result<(), String> {
    match report::parse(bytes) {
        Ok(parsed) => {
            host_row("fuzz.json".into(), parsed, None);
            Ok(())
        }
        Err(why) => {
            UnusedFile::unusable("fuzz.json".into(), why.clone(), bytes);
            Err(why)
        }
    }
}

/// `bytes` as the `--templates` file that replaces template number `pick` (modulo the number of
/// templates): read as text as `build --templates` reads it, then compiled with the other,
/// embedded, templates as `build` does before rendering.
pub fn template(pick: u8, bytes: &[u8]) -> Result<(), String> {
    let source = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let names = crate::render::Templates::embedded().names();
    let name = names[usize::from(pick) % names.len()].to_string();
    crate::render::check_override(name, source.to_string()).map_err(|e| e.to_string())
}
