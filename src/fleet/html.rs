//! The fleet view as one self-contained HTML page: inline CSS, no scripts, no external assets;
//! colours survive printing. Every value is HTML-escaped by the template engine.

use minijinja::AutoEscape;
use serde::Serialize;

use super::{Fleet, text};

const TEMPLATE: &str = include_str!("../../templates/fleet-report.html.j2");

#[derive(Serialize)]
struct Page<'a> {
    fleet: &'a Fleet,
    hosts: Vec<text::HostText>,
    segments: Vec<text::Segment>,
    latest: &'a str,
    version: &'static str,
}

/// The page.
pub(crate) fn render(fleet: &Fleet) -> String {
    let mut env = crate::render::strict_environment();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.add_template("fleet-report.html.j2", TEMPLATE)
        .expect("the built-in template parses");
    let hosts: Vec<text::HostText> = fleet.hosts.iter().map(text::host).collect();
    let latest = fleet
        .hosts
        .iter()
        .filter_map(|h| h.last_run.as_deref())
        .max()
        .unwrap_or("-")
        .replace('T', " ")
        .replace('Z', " UTC");
    env.get_template("fleet-report.html.j2")
        .and_then(|t| {
            t.render(minijinja::value::Serde(&Page {
                fleet,
                hosts,
                segments: text::segments(fleet),
                latest: latest.trim_end(),
                version: env!("CARGO_PKG_VERSION"),
            }))
        })
        .expect("the built-in template renders any fleet")
}
