//! One function per subcommand: the only place the stages meet. Each takes a plain request and
//! returns an [`Outcome`] for `output`; none prints.

mod build;
mod extract;
mod fetch;
mod fleet;
mod generate;
mod inspect;
mod profiles;
mod verify;

use std::path::PathBuf;

use serde::Serialize;

pub(crate) use build::{BuildOutcome, BuildReport};
pub(crate) use extract::ExtractReport;
pub use fetch::Fetched;
pub(crate) use fetch::{FetchReport, FetchStatus};
pub(crate) use fleet::FleetReport;
pub(crate) use generate::Generated;
pub(crate) use inspect::InspectReport;
pub(crate) use profiles::ProfilesReport;
pub(crate) use verify::VerifyReport;

use crate::Error;
use crate::bundle::Target;
use crate::profile::ProfileChoice;
use crate::verify::Policy;

/// The step after `extract -o DIR` or `fetch`: the build to run over what was written, with the
/// flags it needs and why, or why there is no build yet. Decided by the command, printed by
/// `output`, carried by `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "action")]
pub(crate) enum NextStep {
    /// Run `certbundle` with these arguments.
    Build {
        /// The arguments after `certbundle`: `build`, the flags, the folder (unquoted).
        args: Vec<String>,
        /// Why each `--allow-*` flag is there, and what to do first.
        notes: Vec<String>,
    },
    /// No build yet: some certificates written look like, or match only half of, a pin of the
    /// profile, and build refuses those.
    NoBuildYet {
        /// How many.
        refused: usize,
    },
}

/// `certbundle build`.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    /// Files and folders.
    pub(crate) inputs: Vec<PathBuf>,
    /// How certificates are judged (its profile is filled in from `profile`).
    pub(crate) policy: Policy,
    /// The profile asked for.
    pub(crate) profile: ProfileChoice,
    /// `--name`, already checked; without it the build names the bundle after the profile.
    pub(crate) name: Option<String>,
    /// When the bundle is made (`SOURCE_DATE_EPOCH`, else the clock), in whole seconds.
    pub(crate) created: time::OffsetDateTime,
    /// Where it goes.
    pub(crate) target: Target,
    /// Write the zip too.
    pub(crate) zip: bool,
    /// JSON output.
    pub(crate) json: bool,
    /// `--templates DIR`: templates replacing built-in ones.
    pub(crate) templates: Option<PathBuf>,
    /// `--from-signed`: signed binaries whose embedded CA certificates join the input.
    pub(crate) from_signed: Vec<PathBuf>,
}

/// `certbundle inspect`.
#[derive(Debug, Clone)]
pub struct InspectRequest {
    /// Files and folders.
    pub(crate) inputs: Vec<PathBuf>,
    /// How certificates are judged.
    pub(crate) policy: Policy,
    /// The profile to mark pinned certificates with.
    pub(crate) profile: ProfileChoice,
    /// JSON output.
    pub(crate) json: bool,
}

/// `certbundle verify`.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// Folder or zip.
    pub(crate) bundle: PathBuf,
    /// JSON output.
    pub(crate) json: bool,
}

/// `certbundle profiles`.
#[derive(Debug, Clone)]
pub struct ProfilesRequest {
    /// The profile to show (`None`: list them).
    pub(crate) profile: Option<ProfileChoice>,
    /// JSON output.
    pub(crate) json: bool,
}

/// `certbundle fetch`.
#[derive(Debug, Clone)]
pub struct FetchRequest {
    /// The profile whose certificates to download.
    pub(crate) profile: ProfileChoice,
    /// The --profile value as given.
    pub(crate) profile_arg: String,
    /// Where to write them.
    pub(crate) output: PathBuf,
    /// Seconds allowed for each download.
    pub(crate) timeout_seconds: u64,
    /// JSON output.
    pub(crate) json: bool,
}

/// `certbundle extract`.
#[derive(Debug, Clone)]
pub struct ExtractRequest {
    /// Signed PE files.
    pub(crate) files: Vec<PathBuf>,
    /// `-o DIR`: where to write the CA certificates.
    pub(crate) output: Option<PathBuf>,
    /// `--include-leaf`: write the signers' own certificates too.
    pub(crate) include_leaf: bool,
    /// The profile to mark pinned certificates with.
    pub(crate) profile: ProfileChoice,
    /// The --profile value as given.
    pub(crate) profile_arg: String,
    /// The instant expiry is judged at (`--now`, else the clock).
    pub(crate) now: time::OffsetDateTime,
    /// `--now` as given.
    pub(crate) now_arg: Option<String>,
    /// JSON output.
    pub(crate) json: bool,
}

/// How `certbundle report` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FleetFormat {
    /// A table.
    Human,
    /// `--json`.
    Json,
    /// `--csv`.
    Csv,
}

/// `certbundle report`.
#[derive(Debug, Clone)]
pub struct FleetRequest {
    /// Report files, folders, bundle folders and zips.
    pub paths: Vec<PathBuf>,
    /// `--bundle`: the bundle the hosts should have run.
    pub bundle: Option<PathBuf>,
    /// How to print.
    pub format: FleetFormat,
    /// `--html FILE`.
    pub html: Option<PathBuf>,
    /// `--expect FILE`: the hosts that should have reported.
    pub expect: Option<PathBuf>,
}

/// The shells `certbundle completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell (Windows PowerShell and PowerShell 7).
    PowerShell,
}

/// Any request.
#[derive(Debug, Clone)]
pub enum Request {
    /// Build.
    Build(Box<BuildRequest>),
    /// Inspect.
    Inspect(InspectRequest),
    /// Verify.
    Verify(VerifyRequest),
    /// Profiles.
    Profiles(ProfilesRequest),
    /// Fetch.
    Fetch(FetchRequest),
    /// Report.
    Fleet(FleetRequest),
    /// Extract.
    Extract(ExtractRequest),
    /// `certbundle completions SHELL`.
    Completions(Shell),
    /// `certbundle man`.
    Man,
}

impl Request {
    /// Whether JSON output was asked for.
    pub fn json(&self) -> bool {
        match self {
            Request::Build(r) => r.json,
            Request::Inspect(r) => r.json,
            Request::Verify(r) => r.json,
            Request::Profiles(r) => r.json,
            Request::Fetch(r) => r.json,
            Request::Fleet(r) => r.format == FleetFormat::Json,
            Request::Extract(r) => r.json,
            Request::Completions(_) | Request::Man => false,
        }
    }

    /// Whether CSV output was asked for.
    pub fn csv(&self) -> bool {
        matches!(self, Request::Fleet(r) if r.format == FleetFormat::Csv)
    }
}

/// What a command that ran ended with: one variant per command, printed by `output`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    /// From build.
    Build(BuildReport),
    /// From inspect.
    Inspect(InspectReport),
    /// From verify.
    Verify(VerifyReport),
    /// From profiles.
    Profiles(ProfilesReport),
    /// From fetch.
    Fetch(FetchReport),
    /// From report.
    Fleet(FleetReport),
    /// From extract.
    Extract(ExtractReport),
    /// From completions.
    Completions(Generated),
    /// From man.
    Man(Generated),
}

/// How a command that ran ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything acceptable (exit 0).
    Ok,
    /// Findings or problems make the input unacceptable (exit 1).
    Findings,
}

impl Outcome {
    /// The status this outcome ends the command with.
    pub fn status(&self) -> Status {
        let ok = match self {
            Outcome::Build(r) => r.ok(),
            Outcome::Inspect(r) => r.ok(),
            Outcome::Verify(r) => r.audit.ok(),
            Outcome::Profiles(_) => true,
            Outcome::Fetch(r) => r.ok(),
            Outcome::Fleet(r) => r.fleet.ok(),
            Outcome::Extract(r) => r.ok(),
            Outcome::Completions(_) | Outcome::Man(_) => true,
        };
        if ok { Status::Ok } else { Status::Findings }
    }
}

/// Runs a request; `progress` sees the steps of long commands (`fetch`) as they happen.
pub fn run(request: &Request, progress: &mut dyn FnMut(&Fetched)) -> Result<Outcome, Error> {
    Ok(match request {
        Request::Build(r) => Outcome::Build(build::run(r)?),
        Request::Inspect(r) => Outcome::Inspect(inspect::run(r)?),
        Request::Verify(r) => Outcome::Verify(verify::run(r)?),
        Request::Profiles(r) => Outcome::Profiles(profiles::run(r)?),
        Request::Fetch(r) => Outcome::Fetch(fetch::run(r, progress)?),
        Request::Fleet(r) => Outcome::Fleet(fleet::run(r)?),
        Request::Extract(r) => Outcome::Extract(extract::run(r)?),
        Request::Completions(shell) => Outcome::Completions(generate::completions(*shell)),
        Request::Man => Outcome::Man(generate::man()),
    })
}
