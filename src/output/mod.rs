//! The only printer: every command's outcome as human tables or as JSON. Data goes to stdout; errors (rendered by
//! [`error`]) to stderr. Certificate text is passed through [`names::printable`] before it reaches
//! a terminal. Colour only when asked for (a terminal without `NO_COLOR`).

mod build;
mod extract;
mod fetch;
mod fleet;
mod inspect;
mod profiles;
mod text;
mod verify;

use std::fmt::Write as _;

use crate::commands::Outcome;
use crate::names;
use crate::verify::Severity;

pub use fetch::fetch_progress;

/// How to print.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// JSON instead of tables.
    pub json: bool,
    /// CSV instead of tables (`report --csv`).
    pub csv: bool,
    /// ANSI colours.
    pub color: bool,
}

/// Whether to colour a stream: never with `NO_COLOR` set (`no_color`), only on a terminal, and on
/// Windows only when its console takes ANSI sequences (turned on here; a console that refuses gets
/// plain text, never escape codes).
pub fn color_for(no_color: bool, terminal: bool) -> bool {
    !no_color && terminal && ansi_console()
}

#[cfg(windows)]
fn ansi_console() -> bool {
    anstyle_query::windows::enable_ansi_colors().unwrap_or(false)
}

#[cfg(not(windows))]
fn ansi_console() -> bool {
    true
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Error => self.paint("31;1", s.as_str()),
            Severity::Warning => self.paint("33", s.as_str()),
            Severity::Info => self.paint("2", s.as_str()),
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// A command's outcome as text for stdout.
pub fn outcome(outcome: &Outcome, style: &Style) -> String {
    if style.json {
        let mut text = serde_json::to_string_pretty(outcome).expect("outcomes always serialise");
        text.push('\n');
        return text;
    }
    match outcome {
        Outcome::Build(r) => build::build(r, style),
        Outcome::Inspect(r) => inspect::inspect(r, style),
        Outcome::Verify(r) => verify::verify(r, style),
        Outcome::Profiles(r) => profiles::profiles(r, style),
        Outcome::Fetch(r) => fetch::fetch(r, style),
        Outcome::Fleet(r) if style.csv => fleet::fleet_csv(r),
        Outcome::Fleet(r) => fleet::fleet_table(r, style),
        Outcome::Extract(r) => extract::extract(r, style),
        // Scripts and the man page are printed as generated.
        Outcome::Completions(r) | Outcome::Man(r) => r.text.clone(),
    }
}

/// An error as text for stderr: the message, then what to do.
pub fn error(error: &crate::Error, style: &Style) -> String {
    let mut out = String::new();
    for line in error.to_string().lines() {
        let _ = writeln!(
            out,
            "{} {}",
            style.paint("31;1", "error:"),
            names::printable(line)
        );
    }
    for line in error.hint().lines() {
        let _ = writeln!(out, "  {} {line}", style.paint("36", "hint:"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_print_message_then_hint_without_colour_by_default() {
        let e = crate::Error::usage("bad \u{1b}[2J thing", "do this");
        assert_eq!(
            error(&e, &Style::default()),
            "error: bad \\u{001B}[2J thing\n  hint: do this\n"
        );
    }
}
