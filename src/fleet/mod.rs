//! `certbundle report`: the installers' reports from the stick, turned into one row per host.
//!
//! ```text
//! read::list / Reader  paths          -> report files' bytes (+ files not used, bundles given)
//! reference::read      bundle path    -> the bundle reports are compared with (2 files read)
//! report::parse        bytes          -> a checked, typed report, or the reason to skip it
//! host::row            report + ref   -> one row for that run
//! summary::summarise   rows + ref     -> one row per host (its latest run), worst first
//! ```
//!
//! Only `read` and `reference` touch the filesystem; the rest is pure. Never prints.

pub mod host;
pub mod html;
pub mod read;
pub mod reference;
pub mod report;
pub mod summary;
pub mod text;
mod unused;

pub use host::{
    BundleMatch, CertProblem, Host, HostStatus, Problem, ProductCheck, row as host_row,
};
pub use reference::{FleetError, Reference};
pub use report::{CheckedReport, InstallReport, Mode, Verdict};
pub use summary::{Fleet, Summary, host_key, summarise};
pub use unused::{UnusedFile, named_like_a_report};

/// The schema identifier of `certbundle report --json`.
pub const FLEET_SCHEMA: &str = "certbundle-fleet/1";
