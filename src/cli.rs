//! The command line: clap types only, converted to plain requests for `commands`. The clock and
//! the environment are read by the caller and passed in.

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Error;
use crate::bundle::Target;
use crate::commands::{
    BuildRequest, ExtractRequest, FetchRequest, FleetFormat, FleetRequest, InspectRequest,
    ProfilesRequest, Request, Shell, VerifyRequest,
};
use crate::names;
use crate::profile::{DEFAULT_PROFILE, Profile, ProfileChoice};
use crate::verify::Policy;

/// The program's name in generated completion scripts and the man page: always this, never the
/// name it was started under (`certbundle.exe` on Windows), so both builds print the same bytes.
pub(crate) const BIN_NAME: &str = "certbundle";

/// Builds verified, self-contained CA certificate bundles for air-gapped Trend Micro
/// OfficeScan / Apex One sites, and checks them again after the trip.
#[derive(Debug, Parser)]
// The name printed in usage lines is always `certbundle`, whatever argv[0] says (`certbundle.exe`,
// a full path): the same help on every platform.
#[command(name = BIN_NAME, bin_name = BIN_NAME, version, max_term_width = 100)]
#[command(
    after_help = "Exit codes: 0 success, 1 the checked thing is not acceptable (findings, a damaged bundle), \
2 usage or I/O error.\n\nExample:\n  certbundle fetch -o fetched          (on a connected machine)\n  certbundle build fetched -o out      (apex-one: shipped roots + what was fetched)\n  certbundle verify out/apex-one-certs-20261125.zip\n  certbundle report E:\\apex-one-certs-20261125   (back from the site)"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Verify certificate files and write a bundle folder and zip.
    #[command(
        after_help = "Example:\n  certbundle build -o out --name site-a-certs\n  certbundle build --profile none examples/certs -o out\n\n\
The first writes out/site-a-certs/ and out/site-a-certs.zip from the roots shipped for the default \
profile (apex-one); INPUT adds certificates, which must be pinned by the profile. It prints the \
findings, the bundle digest (SHA-256 of SHA256SUMS) and the zip's SHA-256. Nothing is written while \
any error finding remains.\n\
SOURCE_DATE_EPOCH (seconds) fixes the bundle's timestamps for byte-identical rebuilds."
    )]
    Build(BuildArgs),
    /// Show what certificate files hold: subject, issuer, serial, validity, thumbprints, role, findings.
    #[command(
        after_help = "Example:\n  certbundle inspect examples/certs/DigiCert_Assured_ID_Root_CA.pem --profile apex-one --json"
    )]
    Inspect(InspectArgs),
    /// Re-check a bundle folder or zip: every file against SHA256SUMS, the manifest against the certificates.
    #[command(
        after_help = "Example:\n  certbundle verify E:\\apex-one-certs-20261125.zip\n\n\
Prints the bundle digest: compare it with the one `build` printed."
    )]
    Verify(VerifyArgs),
    /// List the built-in profiles, or show one profile's pinned certificates.
    #[command(after_help = "Example:\n  certbundle profiles apex-one")]
    Profiles(ProfilesArgs),
    /// Download a profile's certificates from their official URLs (on a connected machine),
    /// keeping only those that match their pins.
    #[command(
        after_help = "Example:\n  certbundle fetch --profile apex-one -o downloaded\n  certbundle build downloaded\n\n\
Proxies come from HTTP_PROXY (http URLs) / HTTPS_PROXY (https) / ALL_PROXY and NO_PROXY, else the \
system's settings. Exit 1 when a download did not \
match its pin, or a required certificate could not be obtained."
    )]
    Fetch(FetchArgs),
    /// Read the installers' reports (from the stick) and show every host: fixed, not fixed, and why.
    #[command(
        after_help = "Example:\n  certbundle report E:\\apex-one-certs-20261125\n  certbundle report E:\\reports --bundle out/apex-one-certs-20261125.zip --html fleet.html\n  certbundle report E:\\reports --expect hosts.txt   (who never reported, who was not expected)\n\n\
PATH: report files (*.json), folders (walked), or bundle folders and zips (their reports\\ folder). \
The latest report of each host counts; older ones are history. A bundle given as PATH is also the one \
reports are compared with, unless --bundle names another.\n\
--expect: a line matches a report when its first DNS label equals the computer name (first 15 \
characters, any case), or the whole line equals the report's DNS host name (docs/fleet-report.md).\n\
Exit codes: 0 every host compliant, 1 some host is not (unreachable and no report count as not), \
2 no report could be read, or a bad --expect FILE (or a usage or I/O error)."
    )]
    Report(ReportArgs),
    /// Read the CA certificates a signed Windows binary carries in its Authenticode signatures.
    #[command(
        after_help = "Example:\n  certbundle extract TmListen.exe NTRtScan.exe -o from-agent\n  then the build its Next: line prints, e.g.\n  certbundle build --allow-unpinned --allow-expired from-agent -o out\n\n\
For each file (EXE, DLL, SYS): every signature (nested ones from dual signing, legacy and RFC 3161 \
timestamps), its signer, signing time, the chain as embedded, and the issuer the file does not \
carry, marked against the profile. -o writes every CA certificate found (DER, named like bundle \
files); the signers' own certificates only with --include-leaf.\n\
Exit codes: 0 every file read, 1 a file is not a signed PE or its signature is malformed, 2 usage or I/O error."
    )]
    Extract(ExtractArgs),
    /// Print a completion script for bash, zsh, fish or PowerShell.
    #[command(after_help = concat!(
        "Example, per shell (the script goes to stdout):\n",
        "  bash:\n",
        "    certbundle completions bash > ~/.local/share/bash-completion/completions/certbundle\n",
        "    (for every user: /usr/local/share/bash-completion/completions/certbundle)\n",
        "  zsh:\n",
        "    certbundle completions zsh > ~/.zfunc/_certbundle\n",
        "    and in ~/.zshrc, before compinit: fpath=(~/.zfunc $fpath)\n",
        "  fish:\n",
        "    certbundle completions fish > ~/.config/fish/completions/certbundle.fish\n",
        "  PowerShell (this session only):\n",
        "    certbundle completions powershell | Out-String | Invoke-Expression\n",
        "  PowerShell (every session): save the script once,\n",
        "    certbundle completions powershell > $HOME\\certbundle-completions.ps1\n",
        "    and dot-source it from your profile: add the line below to the file $PROFILE names\n",
        "    . $HOME\\certbundle-completions.ps1\n",
        "\n",
        "The PowerShell completer is registered for certbundle; PowerShell also uses it when ",
        "certbundle.exe or a path to it is typed.",
    ))]
    Completions(CompletionsArgs),
    /// Print the manual page certbundle(1), every command in one page, as roff.
    #[command(after_help = concat!(
        "Example:\n",
        "  certbundle man > certbundle.1 && man -l certbundle.1\n",
        "  certbundle man > /usr/local/share/man/man1/certbundle.1   (then: man certbundle)",
    ))]
    Man,
}

/// Arguments of `certbundle completions`.
#[derive(Debug, Args)]
struct CompletionsArgs {
    /// The shell to write the script for.
    #[arg(value_name = "SHELL")]
    shell: ShellArg,
}

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The clap definitions of the whole command line, named [`BIN_NAME`] whatever name the program
/// was started under: what `completions` and `man` are generated from.
pub(crate) fn definitions() -> clap::Command {
    Cli::command().bin_name(BIN_NAME)
}

/// Arguments of `certbundle extract`.
#[derive(Debug, Args)]
struct ExtractArgs {
    /// Signed Windows PE files (EXE, DLL, SYS).
    #[arg(value_parser = native_path(), value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// Folder to write the CA certificates to (created if missing).
    #[arg(value_parser = native_path(), short = 'o', long = "output", value_name = "DIR")]
    output: Option<PathBuf>,
    /// Also write the signers' own (leaf) certificates; they never belong in a bundle.
    #[arg(long)]
    include_leaf: bool,
    /// Profile to mark pinned certificates with: apex-one, apex-central, a profile file, or none.
    #[arg(long, value_name = "NAME|FILE", default_value = DEFAULT_PROFILE)]
    profile: String,
    /// Mark certificates expired at this instant (RFC 3339, e.g. 2027-01-01T00:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// `--now`, else the clock.
fn parse_now(text: Option<&str>, env: &Environment) -> Result<OffsetDateTime, Error> {
    match text {
        None => Ok(env.now),
        Some(text) => OffsetDateTime::parse(text, &Rfc3339).map_err(|e| {
            Error::usage(
                format!("--now {text:?} is not an RFC 3339 time ({e})"),
                "write it like 2027-01-01T00:00:00Z",
            )
        }),
    }
}

/// Arguments of `certbundle report`.
#[derive(Debug, Args)]
struct ReportArgs {
    /// Report files, folders, or bundle folders / zips holding reports\.
    #[arg(value_parser = native_path(), value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// The bundle (folder or zip) the hosts should have run: reports of another one are flagged.
    #[arg(value_parser = native_path(), long, value_name = "BUNDLE")]
    bundle: Option<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV, one row per host (for spreadsheets).
    #[arg(long)]
    csv: bool,
    /// Also write a self-contained HTML page (summary, compliance bar, colour-coded table).
    #[arg(value_parser = native_path(), long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The hosts that should have reported, one name a line (# comments, blank lines ignored; the
    /// file Deploy-Certificates.ps1 -ComputerListFile reads): each without a report is a row
    /// `no report` (not compliant), each report no line names is noted `not expected`.
    #[arg(value_parser = native_path(), long, value_name = "FILE")]
    expect: Option<PathBuf>,
}

/// Arguments of `certbundle profiles`.
#[derive(Debug, Args)]
struct ProfilesArgs {
    /// Profile to show (a built-in name or a profile file); none lists the built-in ones.
    #[arg(value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// Arguments of `certbundle fetch`.
#[derive(Debug, Args)]
struct FetchArgs {
    /// Profile whose certificates to download.
    #[arg(long, value_name = "NAME|FILE", default_value = DEFAULT_PROFILE)]
    profile: String,
    /// Folder for the downloaded certificates (created if missing).
    #[arg(
        value_parser = native_path(),
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "fetched"
    )]
    output: PathBuf,
    /// Seconds allowed for each download.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    timeout: u64,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// How certificates are judged (shared by build and inspect).
#[derive(Debug, Args)]
struct CheckArgs {
    /// Pinned certificate profile: apex-one, apex-central, a profile file (.toml), or none (no
    /// pinning) [default: apex-one for build, none for inspect].
    #[arg(long, value_name = "NAME|FILE")]
    profile: Option<String>,
    /// Accept certificates that are not in the profile (reported as warnings, and in the bundle).
    #[arg(long)]
    allow_unpinned: bool,
    /// Build even when required profile certificates are missing (reported, and in the bundle).
    #[arg(long)]
    allow_missing: bool,
    /// Evaluate validity at this instant (RFC 3339, e.g. 2027-01-01T00:00:00Z) instead of now.
    #[arg(long, value_name = "RFC3339")]
    now: Option<String>,
    /// Accept expired certificates (reported as warnings): they still validate time-stamped signatures.
    #[arg(long)]
    allow_expired: bool,
}

/// Arguments of `certbundle build`.
#[derive(Debug, Args)]
struct BuildArgs {
    /// Certificate files (.cer .crt .pem .der .p7b .p7c) or folders to walk.
    #[arg(value_parser = native_path(), value_name = "INPUT")]
    inputs: Vec<PathBuf>,
    /// Folder that receives the bundle folder and zip (created if missing).
    #[arg(value_parser = native_path(), short = 'o', long = "output", value_name = "DIR", default_value = ".")]
    output: PathBuf,
    /// Bundle name [default: <profile>-certs-<YYYYMMDD>, "custom" for profile none].
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Write only the folder, no zip.
    #[arg(long)]
    no_zip: bool,
    /// Replace an existing bundle of the same name (never one holding installer reports).
    #[arg(long)]
    force: bool,
    /// Print machine-readable JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Folder of templates that replace the built-in ones of the same name (e.g. README.txt.j2).
    #[arg(value_parser = native_path(), long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Signed Windows binaries whose embedded CA certificates join the input (as `extract` reads
    /// them; the signers' own certificates never do).
    #[arg(value_parser = native_path(), long = "from-signed", value_name = "FILE", num_args = 1..)]
    from_signed: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    check: CheckArgs,
}

/// Arguments of `certbundle inspect`.
#[derive(Debug, Args)]
struct InspectArgs {
    /// Certificate files or folders.
    #[arg(value_parser = native_path(), value_name = "INPUT", required = true)]
    inputs: Vec<PathBuf>,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    check: CheckArgs,
}

/// Arguments of `certbundle verify`.
#[derive(Debug, Args)]
struct VerifyArgs {
    /// The bundle folder or its .zip.
    #[arg(value_parser = native_path(), value_name = "BUNDLE")]
    bundle: PathBuf,
    /// Print machine-readable JSON.
    #[arg(long)]
    json: bool,
}

/// What the caller read from the world: the clock and `SOURCE_DATE_EPOCH`.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The real time now.
    pub now: OffsetDateTime,
    /// The `SOURCE_DATE_EPOCH` variable, if set.
    pub source_date_epoch: Option<String>,
}

impl Cli {
    /// The request this command line asks for.
    pub fn to_request(&self, env: &Environment) -> Result<Request, Error> {
        Ok(match &self.command {
            Command::Build(args) => Request::Build(Box::new(args.to_request(env)?)),
            Command::Inspect(args) => Request::Inspect(InspectRequest {
                inputs: args.inputs.clone(),
                policy: args.check.to_policy(env)?,
                profile: args.check.profile("none")?,
                json: args.json,
            }),
            Command::Verify(args) => Request::Verify(VerifyRequest {
                bundle: args.bundle.clone(),
                json: args.json,
            }),
            Command::Profiles(args) => Request::Profiles(ProfilesRequest {
                profile: args.profile.as_deref().map(profile_choice).transpose()?,
                json: args.json,
            }),
            Command::Fetch(args) => Request::Fetch(FetchRequest {
                profile: profile_choice(&args.profile)?,
                profile_arg: args.profile.clone(),
                output: args.output.clone(),
                timeout_seconds: args.timeout.max(1),
                json: args.json,
            }),
            Command::Extract(args) => Request::Extract(ExtractRequest {
                files: args.files.clone(),
                output: args.output.clone(),
                include_leaf: args.include_leaf,
                profile: profile_choice(&args.profile)?,
                profile_arg: args.profile.clone(),
                now: parse_now(args.now.as_deref(), env)?,
                now_arg: args.now.clone(),
                json: args.json,
            }),
            Command::Completions(args) => Request::Completions(match args.shell {
                ShellArg::Bash => Shell::Bash,
                ShellArg::Zsh => Shell::Zsh,
                ShellArg::Fish => Shell::Fish,
                ShellArg::Powershell => Shell::PowerShell,
            }),
            Command::Man => Request::Man,
            Command::Report(args) => Request::Fleet(FleetRequest {
                paths: args.paths.clone(),
                bundle: args.bundle.clone(),
                format: if args.json {
                    FleetFormat::Json
                } else if args.csv {
                    FleetFormat::Csv
                } else {
                    FleetFormat::Human
                },
                html: args.html.clone(),
                expect: args.expect.clone(),
            }),
        })
    }
}

/// Paths on the command line, in the platform's form ([`names::native`]).
fn native_path() -> impl clap::builder::TypedValueParser<Value = PathBuf> {
    use clap::builder::TypedValueParser;
    clap::builder::PathBufValueParser::new().map(names::native)
}

/// The profile a `--profile` value names.
fn profile_choice(value: &str) -> Result<ProfileChoice, Error> {
    if value == "none" {
        return Ok(ProfileChoice::None);
    }
    if Profile::built_in_names().contains(&value) {
        return Ok(ProfileChoice::BuiltIn(value.to_string()));
    }
    let path = names::native(PathBuf::from(value));
    if value.ends_with(".toml") || value.contains(['/', '\\']) || path.is_file() {
        return Ok(ProfileChoice::File(path));
    }
    Err(Error::usage(
        format!("unknown profile {value:?}"),
        format!(
            "built-in profiles: {}; or give a profile file (.toml), or none",
            Profile::built_in_names().join(", ")
        ),
    ))
}

impl CheckArgs {
    /// The profile asked for, or `default` when none was named.
    fn profile(&self, default: &str) -> Result<ProfileChoice, Error> {
        profile_choice(self.profile.as_deref().unwrap_or(default))
    }

    /// The policy; the profile itself is resolved (and read, for a file) by the command.
    fn to_policy(&self, env: &Environment) -> Result<Policy, Error> {
        let now = parse_now(self.now.as_deref(), env)?;
        Ok(Policy {
            allow_unpinned: self.allow_unpinned,
            allow_missing: self.allow_missing,
            ..Policy::unpinned(now, self.allow_expired)
        })
    }
}

impl BuildArgs {
    /// The build request, with the bundle's creation time from `SOURCE_DATE_EPOCH` or the clock.
    fn to_request(&self, env: &Environment) -> Result<BuildRequest, Error> {
        let policy = self.check.to_policy(env)?;
        let profile = self.check.profile(DEFAULT_PROFILE)?;
        if self.inputs.is_empty() && self.from_signed.is_empty() && profile == ProfileChoice::None {
            return Err(Error::usage(
                "no INPUT given, and profile \"none\" ships no certificates",
                "name certificate files or folders, e.g. certbundle build --profile none examples/certs",
            ));
        }
        let created = match &env.source_date_epoch {
            None => env.now,
            Some(text) => text
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
                .ok_or_else(|| {
                    Error::usage(
                        format!("SOURCE_DATE_EPOCH={text:?} is not a number of seconds since 1970-01-01"),
                        "set it to whole seconds, e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct), or unset it",
                    )
                })?,
        };
        let created = created
            .replace_nanosecond(0)
            .expect("0 is a valid nanosecond");
        let name = self
            .name
            .as_ref()
            .map(|name| {
                names::check_bundle_name(name).map_err(|why| {
                    Error::usage(
                        format!("--name {name:?} {why}"),
                        "use letters, digits, '.', '_' and '-', e.g. --name site-a-certs",
                    )
                })?;
                Ok::<_, Error>(name.clone())
            })
            .transpose()?;
        Ok(BuildRequest {
            inputs: self.inputs.clone(),
            policy,
            profile,
            name,
            created,
            target: Target {
                dir: self.output.clone(),
                force: self.force,
                mtime: created,
            },
            zip: !self.no_zip,
            json: self.json,
            templates: self.templates.clone(),
            from_signed: self.from_signed.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn env(epoch: Option<&str>) -> Environment {
        Environment {
            now: OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
            source_date_epoch: epoch.map(String::from),
        }
    }

    fn build(args: &[&str], epoch: Option<&str>) -> Result<BuildRequest, Error> {
        let cli = Cli::try_parse_from([&["certbundle", "build", "in"], args].concat()).unwrap();
        match cli.to_request(&env(epoch))? {
            Request::Build(b) => Ok(*b),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn source_date_epoch_sets_creation_time_but_not_the_clock() {
        // The default name is the build's to decide (commands::build), once the profile is read.
        let req = build(&[], Some("1795564800")).unwrap();
        assert_eq!(req.name, None);
        assert_eq!(req.profile, ProfileChoice::BuiltIn("apex-one".into()));
        assert_eq!(req.created.unix_timestamp(), 1_795_564_800);
        assert_eq!(req.target.mtime, req.created);
        assert_eq!(req.policy.now.unix_timestamp(), 1_800_000_000);
        let req = build(&["--profile", "none", "--name", "site-a"], None).unwrap();
        assert_eq!(req.name.as_deref(), Some("site-a"));
        assert_eq!(req.profile, ProfileChoice::None);
        let req = build(&["--profile", "apex-central"], None).unwrap();
        assert_eq!(req.profile, ProfileChoice::BuiltIn("apex-central".into()));
        let req = build(&["--profile", "site/my-profile.toml"], None).unwrap();
        assert_eq!(
            req.profile,
            ProfileChoice::File("site/my-profile.toml".into())
        );
    }

    #[test]
    fn now_overrides_the_clock_for_validity_only() {
        let req = build(&["--now", "2030-01-02T03:04:05Z"], None).unwrap();
        assert_eq!(req.policy.now.year(), 2030);
        assert_eq!(req.created.unix_timestamp(), 1_800_000_000);
    }

    #[test]
    fn bad_values_are_usage_errors_with_hints() {
        for (args, epoch) in [
            (vec!["--name", "a b"], None),
            (vec!["--profile", "x"], None),
            (vec![], Some("soon")),
        ] {
            let e = build(&args, epoch).unwrap_err();
            assert!(matches!(e, Error::Usage { .. }), "{e}");
            assert!(!e.hint().is_empty());
        }
    }
}
