//! One function per subcommand: the only place the stages meet. Each takes a plain request and
//! returns a report for `output`; none prints.

mod build;
mod inspect;
mod verify;

use std::path::PathBuf;

use serde::Serialize;

pub use build::{BuildOutcome, BuildReport, WrittenBundle};
pub use inspect::InspectReport;
pub use verify::VerifyReport;

use crate::Error;
use crate::bundle::Target;
use crate::plan::Spec;
use crate::verify::Policy;

/// `certbundle build`.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Files and folders.
    pub inputs: Vec<PathBuf>,
    /// How certificates are judged.
    pub policy: Policy,
    /// What the bundle is.
    pub spec: Spec,
    /// Where it goes.
    pub target: Target,
    /// Write the zip too.
    pub zip: bool,
    /// JSON output.
    pub json: bool,
    /// `--templates DIR`: templates replacing built-in ones.
    pub templates: Option<PathBuf>,
}

/// `certbundle inspect`.
#[derive(Debug, Clone)]
pub struct InspectRequest {
    /// Files and folders.
    pub inputs: Vec<PathBuf>,
    /// How certificates are judged.
    pub policy: Policy,
    /// JSON output.
    pub json: bool,
}

/// `certbundle verify`.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// Folder or zip.
    pub bundle: PathBuf,
    /// JSON output.
    pub json: bool,
}

/// Any request.
#[derive(Debug, Clone)]
pub enum Request {
    /// Build.
    Build(BuildRequest),
    /// Inspect.
    Inspect(InspectRequest),
    /// Verify.
    Verify(VerifyRequest),
}

impl Request {
    /// Whether JSON output was asked for.
    pub fn json(&self) -> bool {
        match self {
            Request::Build(r) => r.json,
            Request::Inspect(r) => r.json,
            Request::Verify(r) => r.json,
        }
    }
}

/// Any report.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Report {
    /// From build.
    Build(BuildReport),
    /// From inspect.
    Inspect(InspectReport),
    /// From verify.
    Verify(VerifyReport),
}

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything acceptable (exit 0).
    Ok,
    /// Findings or problems make the input unacceptable (exit 1).
    Findings,
}

impl Report {
    /// The status this report ends the command with.
    pub fn status(&self) -> Status {
        let ok = match self {
            Report::Build(r) => r.ok(),
            Report::Inspect(r) => r.ok(),
            Report::Verify(r) => r.audit.ok(),
        };
        if ok { Status::Ok } else { Status::Findings }
    }
}

/// Runs a request.
pub fn run(request: &Request) -> Result<Report, Error> {
    Ok(match request {
        Request::Build(r) => Report::Build(build::run(r)?),
        Request::Inspect(r) => Report::Inspect(inspect::run(r)?),
        Request::Verify(r) => Report::Verify(verify::run(r)?),
    })
}
