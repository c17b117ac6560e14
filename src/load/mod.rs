//! Loading: paths in, owned certificate bytes out, each with where it came from.
//!
//! Takes files and folders (walked in sorted order, symbolic links never leading outside the folder
//! given). Detects content, never trusts extensions: PEM (any number of blocks, text around them),
//! DER, PKCS#7 certs-only (DER or PEM). Refuses private key material, certificate requests, CRLs and
//! bare public keys, and files over [`MAX_FILE_SIZE`]. Each file is read once.
//!
//! Returns [`Item`]s: bytes *believed* to be a certificate. Whether they really are is decided by
//! `verify` (a corrupt `.cer` becomes a `parse-error` finding there). Never prints.

pub(crate) mod pkcs7;
mod sniff;

use std::collections::BTreeSet;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use pkcs7::certificates as pkcs7_certificates;
pub(crate) use sniff::holds_private_key;
pub use sniff::{Content, classify};

/// Files larger than this are refused before they are read.
const MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// Extensions that promise a certificate: such a file without one is an error, not a skip.
pub(crate) const CERTIFICATE_EXTENSIONS: &[&str] =
    &["cer", "crt", "der", "pem", "cert", "p7b", "p7c"];

/// Extensions of PKCS#12 archives, refused whatever they contain: they exist to carry keys.
const PKCS12_EXTENSIONS: &[&str] = &["pfx", "p12"];

/// Where a certificate came from: the file, and its position when the file holds several.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The file, as the user named it (joined with the walked relative path).
    pub path: PathBuf,
    /// 1-based position and count, when the file holds more than one certificate.
    pub position: Option<(usize, usize)>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((n, _)) => write!(f, "{}#{n}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Bytes believed to be one certificate.
#[derive(Debug, Clone)]
pub struct Item {
    /// Where it came from.
    pub origin: Origin,
    /// The DER bytes (or, for a file that promised a certificate and holds garbage, those bytes).
    pub der: Vec<u8>,
    /// Set when loading already knows these bytes are not a certificate, and why.
    pub defect: Option<String>,
}

/// A file in a walked folder that was not used, and why.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Skipped {
    /// The file or folder.
    pub(crate) path: PathBuf,
    /// Why it was not used.
    pub(crate) reason: String,
}

/// Everything loading produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Candidate certificates in input order (folders sorted by file name).
    pub items: Vec<Item>,
    /// Files in walked folders that held neither certificates nor keys.
    pub(crate) skipped: Vec<Skipped>,
    /// How many files were read.
    pub(crate) files_read: usize,
}

/// One refused input.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LoadError {
    /// Private key material: a bundle never carries keys.
    #[error("{}: private key material found ({what})", path.display())]
    PrivateKeyInInput {
        /// The file.
        path: PathBuf,
        /// What kind of key material.
        what: String,
    },
    /// A certificate request, CRL, public key or other non-certificate object.
    #[error("{}: not a certificate ({what})", path.display())]
    NotACertificate {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        what: String,
    },
    /// Over the size limit for its kind ([`MAX_FILE_SIZE`], [`MAX_PROFILE_SIZE`],
    /// [`MAX_TEMPLATE_SIZE`]).
    #[error("{}: {size} bytes is over the {} limit for {what}", path.display(), size_label(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes (at least; reading stops past the limit).
        size: u64,
        /// The limit in bytes.
        limit: u64,
        /// What kind of file: "a certificate file", "a profile file", "a template".
        what: &'static str,
    },
    /// A file named on the command line that holds no certificate at all.
    #[error("{}: no certificate found ({reason})", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
        /// What was found instead.
        reason: String,
    },
    /// The input does not exist or cannot be read.
    #[error("{}: cannot read: {source}", path.display())]
    Unreadable {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's reason.
        source: io::Error,
    },
}

impl LoadError {
    /// What to do about it.
    fn hint(&self) -> String {
        match self {
            LoadError::PrivateKeyInInput { .. } => {
                "a bundle never carries private keys: remove this file from the input (export the certificate alone, e.g. as .cer)".into()
            }
            LoadError::NotACertificate { .. } => {
                "give only CA certificates (.cer .crt .pem .der .p7b); remove this file from the input".into()
            }
            LoadError::TooLarge { .. } => {
                "such files are a few KiB; check that this is the file you meant".into()
            }
            LoadError::NoCertificate { .. } => {
                "give certificate files (.cer .crt .pem .der .p7b .p7c) or a folder holding them".into()
            }
            LoadError::Unreadable { .. } => "check the path and its permissions".into(),
        }
    }
}

/// Every refused input of one run (loading goes on past the first, so all are reported at once).
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct LoadErrors(pub(crate) Vec<LoadError>);

impl LoadErrors {
    /// The hints of the distinct kinds of refusal, one per line.
    pub(crate) fn hint(&self) -> String {
        let hints: BTreeSet<String> = self.0.iter().map(LoadError::hint).collect();
        hints.into_iter().collect::<Vec<_>>().join("\n")
    }
}

/// Every path is there (each one that is not is named): a command that reads its files one by one
/// says first what it cannot read at all.
pub(crate) fn require_present(paths: &[PathBuf]) -> Result<(), LoadErrors> {
    let missing: Vec<LoadError> = paths
        .iter()
        .filter_map(|path| {
            std::fs::metadata(path)
                .err()
                .map(|source| LoadError::Unreadable {
                    path: path.clone(),
                    source,
                })
        })
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(LoadErrors(missing))
    }
}

/// Loads every input: files directly, folders walked.
pub fn from_paths(inputs: &[PathBuf]) -> Result<Loaded, LoadErrors> {
    let mut loader = Loader::default();
    for input in inputs {
        loader.input(input);
    }
    if loader.errors.is_empty() {
        Ok(loader.loaded)
    } else {
        Err(LoadErrors(loader.errors))
    }
}

#[derive(Default)]
struct Loader {
    loaded: Loaded,
    errors: Vec<LoadError>,
    seen: BTreeSet<PathBuf>,
}

impl Loader {
    fn input(&mut self, path: &Path) {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => self.walk(path),
            Ok(meta) if meta.is_file() => self.file(path, true, None),
            Ok(_) => self.errors.push(LoadError::Unreadable {
                path: path.into(),
                source: io::Error::other("not a regular file or folder"),
            }),
            Err(source) => self.errors.push(LoadError::Unreadable {
                path: path.into(),
                source,
            }),
        }
    }

    fn walk(&mut self, root: &Path) {
        let root_canonical = match root.canonicalize() {
            Ok(p) => p,
            Err(source) => {
                self.errors.push(LoadError::Unreadable {
                    path: root.into(),
                    source,
                });
                return;
            }
        };
        let mut entries = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .min_depth(1)
            .into_iter();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| root.into());
                    let source = e
                        .into_io_error()
                        .unwrap_or_else(|| io::Error::other("folder loop"));
                    self.errors.push(LoadError::Unreadable { path, source });
                    continue;
                }
            };
            let path = entry.path();
            let kind = entry.file_type();
            if kind.is_dir() {
                let name = entry.file_name().to_string_lossy();
                if name.starts_with('.') {
                    self.skip(path, "hidden folder, not searched");
                    entries.skip_current_dir();
                } else if crate::names::is_windows_system_folder(&name) {
                    self.skip(path, "Windows system folder, not searched");
                    entries.skip_current_dir();
                }
            } else if kind.is_symlink() {
                self.symlink(path, root, &root_canonical);
            } else if kind.is_file() {
                // Below the resolved root nothing the walk entered is a link, so this is the
                // file's resolved path: no need to resolve it again, one lookup per folder.
                let canonical = path.strip_prefix(root).ok().map(|r| root_canonical.join(r));
                self.file(path, false, canonical);
            } else {
                self.skip(path, "not a regular file");
            }
        }
    }

    /// Follows a link found while walking only when it stays inside the walked folder (`root` as
    /// given, `canonical` as resolved: only the first is printed, Windows writes the second
    /// `\\?\\C:\\...`).
    fn symlink(&mut self, path: &Path, root: &Path, canonical: &Path) {
        match path.canonicalize() {
            Err(_) => self.skip(path, "broken symbolic link"),
            Ok(target) if !target.starts_with(canonical) => self.skip(
                path,
                &format!(
                    "symbolic link leads outside {}, not followed",
                    root.display()
                ),
            ),
            Ok(target) if target.is_file() => self.file(path, false, Some(target)),
            Ok(target) if target.is_dir() => {
                self.skip(path, "symbolic link to a folder, not followed")
            }
            Ok(_) => self.skip(
                path,
                "symbolic link to something that is not a regular file",
            ),
        }
    }

    fn skip(&mut self, path: &Path, reason: &str) {
        self.loaded.skipped.push(Skipped {
            path: path.into(),
            reason: reason.into(),
        });
    }

    /// Reads the file at `path` unless it was read already; `canonical` is its resolved path
    /// when the caller knows it.
    fn file(&mut self, path: &Path, named: bool, canonical: Option<PathBuf>) {
        if let Some(canonical) = canonical.or_else(|| path.canonicalize().ok())
            && !self.seen.insert(canonical)
        {
            return; // the same file reached twice (named and walked, or via a link): read once
        }
        let extension = extension(path);
        if PKCS12_EXTENSIONS.contains(&extension.as_str()) {
            self.errors.push(LoadError::PrivateKeyInInput {
                path: path.into(),
                what: "PKCS#12 archive (.pfx/.p12)".into(),
            });
            return;
        }
        let bytes = match read_bounded(path, MAX_FILE_SIZE, "a certificate file") {
            Ok(bytes) => bytes,
            Err(e) => return self.errors.push(e),
        };
        self.loaded.files_read += 1;
        let promises_certificate = CERTIFICATE_EXTENSIONS.contains(&extension.as_str());
        match sniff::classify(&bytes) {
            Content::PrivateKey(what) => self.errors.push(LoadError::PrivateKeyInInput {
                path: path.into(),
                what,
            }),
            Content::NotACertificate(what) => self.errors.push(LoadError::NotACertificate {
                path: path.into(),
                what,
            }),
            Content::Certificates(found) => {
                let count = found.len();
                for (i, (der, defect)) in found.into_iter().enumerate() {
                    let position = (count > 1).then_some((i + 1, count));
                    self.loaded.items.push(Item {
                        origin: Origin {
                            path: path.into(),
                            position,
                        },
                        der,
                        defect,
                    });
                }
            }
            Content::Nothing {
                looks_like_der,
                reason,
            } => {
                if promises_certificate {
                    self.loaded.items.push(Item {
                        origin: Origin {
                            path: path.into(),
                            position: None,
                        },
                        der: bytes,
                        defect: (!looks_like_der).then_some(reason),
                    });
                } else if named {
                    self.errors.push(LoadError::NoCertificate {
                        path: path.into(),
                        reason,
                    });
                } else {
                    self.skip(path, &reason);
                }
            }
        }
    }
}

pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// "10 MiB", "512 KiB".
fn size_label(bytes: u64) -> String {
    if bytes % (1024 * 1024) == 0 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Reads a whole file, refusing it when it is (or grows) over `limit` bytes.
fn read_bounded(path: &Path, limit: u64, what: &'static str) -> Result<Vec<u8>, LoadError> {
    let unreadable = |source| LoadError::Unreadable {
        path: path.into(),
        source,
    };
    let file = File::open(path).map_err(unreadable)?;
    let size = file.metadata().map_err(unreadable)?.len();
    let too_large = |size| LoadError::TooLarge {
        path: path.into(),
        size,
        limit,
        what,
    };
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Largest template file accepted with `--templates`.
const MAX_TEMPLATE_SIZE: u64 = 1024 * 1024;

/// The `*.j2` files of a `--templates` folder, by file name (not walked: the folder only).
pub(crate) fn templates(
    dir: &Path,
) -> Result<std::collections::BTreeMap<String, String>, LoadErrors> {
    let unreadable = |path: &Path, source| {
        LoadErrors(vec![LoadError::Unreadable {
            path: path.into(),
            source,
        }])
    };
    let mut found = std::collections::BTreeMap::new();
    let entries = std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".j2") || !path.is_file() {
            continue;
        }
        let size = entry.metadata().map_err(|e| unreadable(&path, e))?.len();
        if size > MAX_TEMPLATE_SIZE {
            return Err(LoadErrors(vec![LoadError::TooLarge {
                path,
                size,
                limit: MAX_TEMPLATE_SIZE,
                what: "a template",
            }]));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| {
            unreadable(
                &path,
                io::Error::new(e.kind(), format!("not UTF-8 text: {e}")),
            )
        })?;
        found.insert(name, text);
    }
    Ok(found)
}

/// Certificates from bytes that are not a file of the user's (the roots shipped inside the
/// binary): classified like a file, named `origin`. Key material or anything but certificates is
/// refused just the same.
pub(crate) fn from_bytes(origin: &str, bytes: &[u8]) -> Result<Vec<Item>, LoadError> {
    let path = PathBuf::from(origin);
    match sniff::classify(bytes) {
        Content::Certificates(found) => {
            let count = found.len();
            Ok(found
                .into_iter()
                .enumerate()
                .map(|(i, (der, defect))| Item {
                    origin: Origin {
                        path: path.clone(),
                        position: (count > 1).then_some((i + 1, count)),
                    },
                    der,
                    defect,
                })
                .collect())
        }
        Content::PrivateKey(what) => Err(LoadError::PrivateKeyInInput { path, what }),
        Content::NotACertificate(what) => Err(LoadError::NotACertificate { path, what }),
        Content::Nothing { reason, .. } => Err(LoadError::NoCertificate { path, reason }),
    }
}

/// Largest profile file accepted with `--profile FILE`.
const MAX_PROFILE_SIZE: u64 = 1024 * 1024;

/// A user's profile file, as text.
pub(crate) fn profile_text(path: &Path) -> Result<String, LoadErrors> {
    let bytes =
        read_bounded(path, MAX_PROFILE_SIZE, "a profile file").map_err(|e| LoadErrors(vec![e]))?;
    String::from_utf8(bytes).map_err(|e| {
        LoadErrors(vec![LoadError::Unreadable {
            path: path.into(),
            source: io::Error::new(io::ErrorKind::InvalidData, format!("not UTF-8 text: {e}")),
        }])
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::from_paths;

    #[test]
    fn a_file_reached_twice_is_read_once() {
        // Named and in a walked folder (named first, then walked, then named again), and, where
        // links can be made, through a link in the folder and in a folder inside it.
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("in");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let cert = dir.join("root.pem");
        std::fs::write(
            &cert,
            include_str!("../../tests/fixtures/roots/ISRG_Root_X1.pem"),
        )
        .unwrap();
        std::fs::write(
            dir.join("sub/other.pem"),
            include_str!("../../tests/fixtures/roots/ISRG_Root_X2.pem"),
        )
        .unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&cert, dir.join("link.pem")).unwrap();
            std::os::unix::fs::symlink(&cert, dir.join("sub/link.pem")).unwrap();
        }
        // The folder as given through a path with `.` and `..` in it.
        let roundabout = dir.join("sub/../.");
        let inputs: Vec<PathBuf> = vec![cert.clone(), roundabout, dir.join("./root.pem")];
        let loaded = from_paths(&inputs).unwrap();
        assert_eq!(loaded.files_read, 2, "{:?}", loaded.items);
        assert_eq!(loaded.items.len(), 2);
        assert_eq!(loaded.items[0].origin.path, cert);
    }
}
