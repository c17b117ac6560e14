//! The doorway: parse the command line, run the library, print, map the outcome to an exit code
//! (0 success, 1 findings, 2 could not run).

#![deny(clippy::too_many_lines)]

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use certbundle::cli::{Cli, Environment};
use certbundle::commands::{self, Status};
use certbundle::output::{self, Style};
use clap::Parser;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let env = Environment {
        now: time::OffsetDateTime::now_utc(),
        source_date_epoch: std::env::var("SOURCE_DATE_EPOCH")
            .ok()
            .filter(|s| !s.is_empty()),
    };
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let mut style = Style {
        json: false,
        csv: false,
        color: false,
    };
    let err_color = output::color_for(no_color, std::io::stderr().is_terminal());
    let outcome = cli.to_request(&env).and_then(|request| {
        style.json = request.json();
        style.csv = request.csv();
        // Long commands (fetch) report each step on stderr as it happens.
        let progress_style = Style {
            json: false,
            csv: false,
            color: err_color,
        };
        let mut progress = |step: &commands::Fetched| {
            let line = output::fetch_progress(step, &progress_style);
            let _ = std::io::stderr().write_all(line.as_bytes());
        };
        commands::run(&request, &mut progress)
    });
    match outcome {
        Ok(outcome) => {
            style.color = !style.json
                && !style.csv
                && output::color_for(no_color, std::io::stdout().is_terminal());
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(output::outcome(&outcome, &style).as_bytes());
            match outcome.status() {
                Status::Ok => ExitCode::SUCCESS,
                Status::Findings => ExitCode::from(1),
            }
        }
        Err(error) => {
            style.color = err_color;
            let _ = std::io::stderr().write_all(output::error(&error, &style).as_bytes());
            ExitCode::from(2)
        }
    }
}
