//! Downloading a profile's certificates on the engineer's connected machine: HTTP(S) with a
//! timeout and a size bound, proxy from the environment per scheme (`HTTP_PROXY` for http URLs,
//! `HTTPS_PROXY` for https, `ALL_PROXY`, `NO_PROXY`). The transport is not the trust: a download is kept only when it
//! matches its pin ([`obtain`] decides). This module does the network I/O, keeps or discards each
//! answer (the accepted files are written by `bundle::write_file_atomically`), and never prints.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;

use crate::bundle::{BundleError, write_file_atomically};
use crate::layout;
use crate::load::{self, Content};
use crate::profile::Pin;

/// Largest body accepted for one certificate download.
const MAX_DOWNLOAD: u64 = 1024 * 1024;

/// The proxy variables, in the order they are looked at.
pub const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// A configured downloader.
pub(crate) struct Downloader {
    client: reqwest::blocking::Client,
}

impl Downloader {
    /// A downloader giving each download `timeout` in all (connect, redirects, body). Proxies
    /// are taken per scheme: plain HTTP goes to `HTTP_PROXY` as an ordinary proxy request (no
    /// CONNECT tunnel), HTTPS to `HTTPS_PROXY`; `ALL_PROXY` and `NO_PROXY` are honoured; without
    /// them, the system's proxy settings (Windows Internet Options, macOS network settings).
    /// A proxy variable that is not a proxy URL is an error, not a silent direct connection.
    pub(crate) fn new(timeout: Duration) -> Result<Self, String> {
        for name in PROXY_VARIABLES {
            if let Some(value) = std::env::var(name).ok().filter(|v| !v.trim().is_empty()) {
                reqwest::Proxy::all(value.as_str()).map_err(|e| {
                    format!(
                        "{name}={} is not a proxy URL ({})",
                        crate::names::printable(&value),
                        chain(&e)
                    )
                })?;
            }
        }
        // rustls needs a crypto provider: aws-lc-rs, as for certificate verification elsewhere.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("certbundle/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| chain(&e))?;
        Ok(Downloader { client })
    }

    /// The body of `url`, or why there is none (one line for a person).
    pub(crate) fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let response = self
            .client
            .get(url)
            .send()
            .map_err(|e| describe(&e) + &proxy_note(url))?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(format!("HTTP {status}"));
        }
        let mut body = Vec::new();
        response
            .take(MAX_DOWNLOAD + 1)
            .read_to_end(&mut body)
            .map_err(|e| {
                if e.to_string().contains("timed out") {
                    "timed out".to_string()
                } else {
                    e.to_string()
                }
            })?;
        if body.len() as u64 > MAX_DOWNLOAD {
            return Err(format!(
                "more than {} KiB: not a certificate",
                MAX_DOWNLOAD / 1024
            ));
        }
        Ok(body)
    }
}

/// Which proxy variable a failed connection may have gone through, for the message.
fn proxy_note(url: &str) -> String {
    let names = if url.starts_with("https:") {
        ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
    } else {
        ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"]
    };
    names
        .iter()
        .find_map(|name| {
            std::env::var(name)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(|v| {
                    format!(
                        " (proxy from {name}={}: check it, or list the host in NO_PROXY)",
                        crate::names::printable(&v)
                    )
                })
        })
        .unwrap_or_default()
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else {
        chain(e)
    }
}

/// An error and its causes, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    if text.contains("timed out") || text.contains("operation timed out") {
        "timed out".into()
    } else {
        text
    }
}

/// What happened to one certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum FetchStatus {
    /// Downloaded, matched its pin, written.
    Fetched,
    /// A file matching the pin was already in the folder.
    AlreadyThere,
    /// Something was downloaded but it is not the pinned certificate: discarded.
    PinMismatch,
    /// The download has one of the pin's fingerprints but not the other: the profile is wrong.
    ProfileError,
    /// No URL gave a usable answer.
    Unreachable,
    /// The profile knows no download URL for it.
    NoUrl,
}

impl FetchStatus {
    /// The words printed.
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            FetchStatus::Fetched => "fetched",
            FetchStatus::AlreadyThere => "already there",
            FetchStatus::PinMismatch => "PIN MISMATCH (discarded)",
            FetchStatus::ProfileError => "PROFILE ERROR (discarded)",
            FetchStatus::Unreachable => "unreachable",
            FetchStatus::NoUrl => "no official URL",
        }
    }
}

/// The file name a pinned certificate gets (like bundle files, with the thumbprint).
pub(crate) fn file_name(pin: &Pin) -> String {
    layout::cert_file_name(&pin.name, pin.thumbprint(), layout::SHORT_THUMBPRINT)
}

/// Why a download was not kept.
enum Rejected {
    /// Certificates came back, none of them the pinned one: what was there instead.
    Mismatch(String),
    /// A certificate came back with one of the pin's fingerprints and not the other.
    Contradiction(String),
    /// No certificate at all (an error page, a captive portal, a network problem).
    Unusable(String),
}

/// The DER of the first certificate in `bytes` that matches `pin`.
fn matching_der(bytes: &[u8], pin: &Pin) -> Result<Vec<u8>, Rejected> {
    let Content::Certificates(found) = load::classify(bytes) else {
        return Err(Rejected::Unusable(
            "the answer is not a certificate (an error page or a captive portal?)".into(),
        ));
    };
    let mut seen = Vec::new();
    for (der, defect) in found {
        if defect.is_some() {
            continue;
        }
        let (sha256, sha1) = (crate::hex::sha256_upper(&der), crate::hex::sha1_upper(&der));
        if pin.matches(&sha256, &sha1) {
            return Ok(der);
        }
        if pin.half_matches(&sha256, &sha1) {
            return Err(Rejected::Contradiction(format!(
                "the download has one of the two fingerprints pinned for \"{}\" but not the other (SHA-256 {sha256}, SHA-1 {sha1}): the profile contradicts itself; fix the profile",
                pin.name
            )));
        }
        seen.push(sha256);
    }
    match seen.first() {
        Some(sha256) => Err(Rejected::Mismatch(format!(
            "served a certificate with SHA-256 {sha256}, not the pinned one"
        ))),
        None => Err(Rejected::Unusable(
            "the answer holds no readable certificate".into(),
        )),
    }
}

/// The folder holds the pinned certificate under its name already.
fn already_there(path: &Path, pin: &Pin) -> bool {
    let plain =
        std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() <= MAX_DOWNLOAD);
    let mut bytes = Vec::new();
    plain
        && std::fs::File::open(path)
            .and_then(|f| f.take(MAX_DOWNLOAD).read_to_end(&mut bytes))
            .is_ok()
        && matching_der(&bytes, pin).is_ok()
}

/// What became of one pinned certificate.
#[derive(Debug, Clone)]
pub(crate) struct Obtained {
    /// What happened.
    pub(crate) status: FetchStatus,
    /// The file written or found, when there is one.
    pub(crate) file: Option<PathBuf>,
    /// The URL it came from, or the last one tried.
    pub(crate) url: Option<String>,
    /// Why it failed, and anything done to the folder on the way (a stale file removed).
    pub(crate) detail: Option<String>,
    /// A URL that served another certificate, and what it served (kept even when another URL
    /// then gave the right one: someone may be tampering with that download).
    pub(crate) mismatch: Option<String>,
}

/// Obtains `pin` into `path`: keeps a file already there that matches it, otherwise removes a
/// stale file under that name and tries the pin's URLs in order until one serves the pinned
/// certificate, which is written atomically. Every other answer is discarded and said.
pub(crate) fn obtain(
    downloader: &Downloader,
    pin: &Pin,
    path: &Path,
) -> Result<Obtained, BundleError> {
    let mut entry = Obtained {
        status: FetchStatus::NoUrl,
        file: None,
        url: None,
        detail: None,
        mismatch: None,
    };
    if already_there(path, pin) {
        entry.status = FetchStatus::AlreadyThere;
        entry.file = Some(path.to_path_buf());
    } else {
        let mut notes = Vec::new();
        if path.exists() {
            // A file under this name that is not (or no longer) the pinned certificate
            // must not stay where build would read it.
            notes.push(match crate::failpoint::changed(std::fs::remove_file(path)) {
                Ok(()) => format!("removed {}: it did not match the pin", path.display()),
                Err(e) => format!(
                    "{} does not match the pin and could not be removed ({e}): delete it by hand",
                    path.display()
                ),
            });
        }
        let mut first_mismatch = None;
        let mut contradiction = None;
        let mut unusable = None;
        for url in &pin.urls {
            match downloader
                .get(url)
                .map_err(Rejected::Unusable)
                .and_then(|bytes| matching_der(&bytes, pin))
            {
                Ok(der) => {
                    write_file_atomically(path, &der)?;
                    entry.status = FetchStatus::Fetched;
                    entry.file = Some(path.to_path_buf());
                    entry.url = Some(url.clone());
                    break;
                }
                Err(Rejected::Mismatch(what)) => {
                    first_mismatch.get_or_insert((url.clone(), format!("{url} {what}")));
                }
                Err(Rejected::Contradiction(why)) => {
                    contradiction.get_or_insert((url.clone(), why));
                }
                Err(Rejected::Unusable(why)) => {
                    unusable.get_or_insert((url.clone(), why));
                }
            }
        }
        entry.mismatch = first_mismatch.as_ref().map(|(_, what)| what.clone());
        if entry.status != FetchStatus::Fetched {
            let failure = if let Some((url, why)) = contradiction {
                Some((FetchStatus::ProfileError, url, why))
            } else if let Some((url, what)) = first_mismatch {
                Some((FetchStatus::PinMismatch, url, what))
            } else {
                unusable.map(|(url, why)| (FetchStatus::Unreachable, url, why))
            };
            if let Some((status, url, why)) = failure {
                entry.status = status;
                entry.url = Some(url);
                notes.push(why);
            }
        }
        entry.detail = (!notes.is_empty()).then(|| notes.join("; "));
    }
    Ok(entry)
}
