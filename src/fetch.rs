//! Downloading a profile's certificates on the engineer's connected machine: HTTP(S) with a
//! timeout and a size bound, proxy from the environment (`HTTPS_PROXY`, `HTTP_PROXY`,
//! `ALL_PROXY`, `NO_PROXY`). The transport is not the trust: a download is kept only when it
//! matches its pin (`commands::fetch` decides). This module does the network I/O and the writing
//! of accepted files, and never prints.

use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// Largest body accepted for one certificate download.
pub const MAX_DOWNLOAD: u64 = 1024 * 1024;

/// A configured downloader.
pub struct Downloader {
    agent: ureq::Agent,
}

impl Downloader {
    /// A downloader giving each download `timeout` in all (connect, redirects, body).
    pub fn new(timeout: Duration) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(concat!("certbundle/", env!("CARGO_PKG_VERSION")))
            .build();
        Downloader {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// The body of `url`, or why there is none (one line for a person).
    pub fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let response = self.agent.get(url).call().map_err(describe)?;
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(format!("HTTP {status}"));
        }
        let mut body = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_DOWNLOAD + 1)
            .read_to_end(&mut body)
            .map_err(|e| describe_io(&e))?;
        if body.len() as u64 > MAX_DOWNLOAD {
            return Err(format!(
                "more than {} KiB: not a certificate",
                MAX_DOWNLOAD / 1024
            ));
        }
        Ok(body)
    }
}

fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(_) => "timed out".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Io(io) => describe_io(&io),
        other => other.to_string(),
    }
}

fn describe_io(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::TimedOut
        || e.to_string().contains("timeout")
        || e.to_string().contains("timed out")
    {
        "timed out".into()
    } else {
        e.to_string()
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so that a half-written
/// certificate never carries the final name.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.certbundle-tmp-{}",
        path.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
