//! `certbundle report`: the installers' reports from the stick, turned into one row per host.
//!
//! ```text
//! read::list / Reader  paths          -> report files' bytes (+ files not used, bundles given)
//! reference::read      bundle path    -> the bundle reports are compared with (2 files read)
//! report::parse        bytes          -> a checked, typed report, or the reason to skip it
//! host::row            report + ref   -> one row for that run
//! expect::read         --expect FILE  -> the hosts that should have reported
//! summary::summarise   rows + ref     -> one row per host (its latest run), worst first;
//!                      + host list    -> + a `no-report` row per host no report names
//! ```
//!
//! Only `read` and `reference` touch the filesystem; the rest is pure. Never prints.

pub(crate) mod expect;
mod host;
pub(crate) mod html;
pub(crate) mod read;
pub(crate) mod reference;
pub mod report;
mod summary;
pub(crate) mod text;
mod unused;

pub use host::{BundleMatch, HostStatus};
pub(crate) use host::{Host, row as host_row};
pub(crate) use reference::{FleetError, Reference};
pub use report::{Mode, Verdict};
pub(crate) use summary::{Fleet, summarise};
pub(crate) use unused::UnusedFile;

/// The schema identifier of `certbundle report --json`.
const FLEET_SCHEMA: &str = "certbundle-fleet/1";
