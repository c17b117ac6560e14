//! Downloading a profile's certificates on the engineer's connected machine: HTTP(S) with a
//! timeout and a size bound, proxy from the environment per scheme (`HTTP_PROXY` for http URLs,
//! `HTTPS_PROXY` for https, `ALL_PROXY`, `NO_PROXY`). The transport is not the trust: a download is kept only when it
//! matches its pin (`commands::fetch` decides). This module does the network I/O (the
//! accepted files are written by `bundle::write_file_atomically`), and never prints.

use std::io::Read;
use std::time::Duration;

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
        // rustls needs a crypto provider: ring, as for certificate verification elsewhere.
        let _ = rustls::crypto::ring::default_provider().install_default();
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
