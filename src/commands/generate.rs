//! `certbundle completions` and `certbundle man`: text generated from the clap definitions
//! ([`cli::definitions`]), never written by hand, so a new command or option reaches the scripts
//! and the page by itself. The only command that reads `cli`: the definitions are its input.
//!
//! Guarantees: the program is always called [`cli::BIN_NAME`] (never the name it was started
//! under, `certbundle.exe` on Windows), nothing reads the clock or the environment, so every run,
//! on Linux and on Windows, prints the same bytes. The man page has no date; its version is the
//! crate's (Cargo.toml, through clap's `version`).

use std::io::Write;

use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};
use serde::Serialize;

use super::Shell;
use crate::cli;

/// Text generated from the clap definitions, printed as it is.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    /// The script or the roff page.
    pub(crate) text: String,
}

/// The completion script for `shell`, as clap_complete writes it.
pub(crate) fn completions(shell: Shell) -> Generated {
    let generator = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::PowerShell => clap_complete::Shell::PowerShell,
    };
    let mut bytes = Vec::new();
    clap_complete::generate(
        generator,
        &mut cli::definitions(),
        cli::BIN_NAME,
        &mut bytes,
    );
    Generated {
        text: String::from_utf8(bytes).expect("clap_complete writes the UTF-8 it is given"),
    }
}

/// The page `certbundle(1)`: the program's NAME, SYNOPSIS, DESCRIPTION, OPTIONS, a list of the
/// COMMANDS and its NOTES (the `--help` epilogue), then one section per command (its synopsis,
/// description, options and notes as subsections), then the VERSION. The sections come from
/// clap_mangen; only their headings are ours.
pub(crate) fn man() -> Generated {
    let mut definitions = cli::definitions().disable_help_subcommand(true);
    definitions.build();
    let commands: Vec<&clap::Command> = definitions
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .collect();
    let top = Man::new(definitions.clone());
    // Every rendering starts with the same preamble (roff's apostrophe string): once is enough.
    let mut page = Roff::new().render();
    page.push_str(&title(&definitions));
    page.push_str(&sections(&top, &definitions, "SH"));
    let mut list = Roff::new();
    list.control("SH", ["COMMANDS"]);
    list.text([roman(
        "Each command has its own section below; certbundle COMMAND --help shows the same.",
    )]);
    for command in &commands {
        list.control("TP", []);
        list.text([bold(bin_name(command))]);
        list.text([roman(about(command))]);
    }
    page.push_str(&without_preamble(&list.render()));
    page.push_str(&extra(&top, &definitions, "SH"));
    for command in &commands {
        let mut heading = Roff::new();
        heading.control("SH", [bin_name(command).to_uppercase().as_str()]);
        page.push_str(&without_preamble(&heading.render()));
        let man = Man::new((*command).clone());
        page.push_str(&sections(&man, command, "SS"));
        page.push_str(&extra(&man, command, "SS"));
    }
    page.push_str(&render(&top, Man::render_version_section));
    Generated { text: page }
}

/// `.TH certbundle 1 "" "certbundle VERSION"`: written here because clap_mangen drops an empty
/// date argument, which would move the source into the date's place.
fn title(definitions: &clap::Command) -> String {
    format!(
        ".TH {name} 1 \"\" \"{name} {version}\"\n",
        name = cli::BIN_NAME,
        version = definitions.get_version().unwrap_or_default()
    )
}

/// NAME (top level only), SYNOPSIS, DESCRIPTION and OPTIONS of `command`, headed by `.SH` or,
/// for a command's own section, by `.SS`.
fn sections(man: &Man, command: &clap::Command, level: &str) -> String {
    let mut out = String::new();
    if level == "SH" {
        out.push_str(&render(man, Man::render_name_section));
    }
    out.push_str(&under(level, &render(man, Man::render_synopsis_section)));
    out.push_str(&under(level, &render(man, Man::render_description_section)));
    if command.get_arguments().any(|a| !a.is_hide_set()) {
        out.push_str(&under(level, &render(man, Man::render_options_section)));
    }
    out
}

/// The `--help` epilogue (examples, exit codes) as NOTES, if `command` has one.
fn extra(man: &Man, command: &clap::Command, level: &str) -> String {
    if command.get_after_help().is_none() && command.get_after_long_help().is_none() {
        return String::new();
    }
    under(level, &render(man, Man::render_extra_section))
}

/// One section as clap_mangen renders it, without the preamble.
fn render(man: &Man, section: fn(&Man, &mut dyn Write) -> std::io::Result<()>) -> String {
    let mut bytes = Vec::new();
    section(man, &mut bytes).expect("writing to memory cannot fail");
    without_preamble(&String::from_utf8(bytes).expect("clap_mangen writes UTF-8"))
}

fn without_preamble(roff: &str) -> String {
    let preamble = Roff::new().render();
    roff.strip_prefix(preamble.as_str())
        .unwrap_or(roff)
        .to_string()
}

/// `roff` with its headings at `level`: clap_mangen's EXTRA is called NOTES, and a command's own
/// subsections are in title case. Only control lines start with a period: clap_mangen's text
/// lines never do (roff escapes a leading one).
fn under(level: &str, roff: &str) -> String {
    let mut out = String::new();
    for line in roff.lines() {
        match line.strip_prefix(".SH ") {
            Some(heading) => {
                let heading = match (heading, level) {
                    ("EXTRA", "SH") => "NOTES",
                    ("EXTRA", _) => "Notes",
                    ("SYNOPSIS", "SS") => "Synopsis",
                    ("DESCRIPTION", "SS") => "Description",
                    ("OPTIONS", "SS") => "Options",
                    (other, _) => other,
                };
                out.push_str(&format!(".{level} {heading}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// `certbundle build`: the name clap gave the subcommand once the definitions were built.
fn bin_name(command: &clap::Command) -> String {
    command.get_bin_name().map_or_else(
        || format!("{} {}", cli::BIN_NAME, command.get_name()),
        str::to_string,
    )
}

fn about(command: &clap::Command) -> String {
    command
        .get_about()
        .or_else(|| command.get_long_about())
        .map(ToString::to_string)
        .unwrap_or_default()
}
