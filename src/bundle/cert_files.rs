//! Certificate files in a plain folder, for a later `build` of it (`extract -o DIR`): each
//! certificate once as DER, named like bundle files, written atomically. Every name is settled
//! before anything is written, so a conflict writes nothing. Never prints.

use std::path::{Path, PathBuf};

use super::BundleError;
use super::write::write_file_atomically;
use crate::layout;

/// A certificate to write.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CertFile<'a> {
    /// Its display name (the file name starts with it).
    pub(crate) name: &'a str,
    /// Its SHA-1 thumbprint, upper-case hex.
    pub(crate) sha1: &'a str,
    /// Its DER bytes.
    pub(crate) der: &'a [u8],
}

/// Where one certificate went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Placed {
    /// Which of the certificates given (the first of each SHA-1).
    pub(crate) index: usize,
    /// The file written, or found identical.
    pub(crate) path: PathBuf,
    /// It was already there, identical: nothing was written.
    pub(crate) already_there: bool,
}

/// Why the certificate files were not written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CertFilesError {
    /// Another file already has the name this certificate needs.
    #[error("{}: already exists and is not the certificate with SHA-1 {sha1}", path.display())]
    Conflict {
        /// The file in the way.
        path: PathBuf,
        /// The certificate that needed the name.
        sha1: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] BundleError),
}

/// Writes each certificate once (by SHA-1) into `dir` as `<Name>_<SHA1-8>.cer`, or with the
/// whole SHA-1 when another file holds that name; an identical file already there is left alone.
pub(crate) fn write_cert_files(
    dir: &Path,
    certs: &[CertFile],
) -> Result<Vec<Placed>, CertFilesError> {
    let mut planned: Vec<Placed> = Vec::new();
    for (index, cert) in certs.iter().enumerate() {
        if planned.iter().any(|p| certs[p.index].sha1 == cert.sha1) {
            continue;
        }
        let short = dir.join(layout::cert_file_name(
            cert.name,
            cert.sha1,
            layout::SHORT_THUMBPRINT,
        ));
        let full = dir.join(layout::cert_file_name(cert.name, cert.sha1, usize::MAX));
        let is_cert = |path: &Path| holds(path, cert.der);
        // Another certificate under the short name (same name, same SHA-1 prefix, or another
        // file): the whole SHA-1.
        let (path, already_there) = match is_cert(&short) {
            None if !planned.iter().any(|p| same_name(&p.path, &short)) => (short, false),
            Some(true) => (short, true),
            _ => match is_cert(&full) {
                None => (full, false),
                Some(true) => (full, true),
                Some(false) => {
                    return Err(CertFilesError::Conflict {
                        path: full,
                        sha1: cert.sha1.to_string(),
                    });
                }
            },
        };
        planned.push(Placed {
            index,
            path,
            already_there,
        });
    }
    for placed in planned.iter().filter(|p| !p.already_there) {
        write_file_atomically(&placed.path, certs[placed.index].der)?;
    }
    Ok(planned)
}

/// Whether two paths name the same file on Windows, FAT and exFAT (names differ only in case).
/// Certificate file names are ASCII ([`crate::names::file_part`]).
fn same_name(a: &Path, b: &Path) -> bool {
    a.as_os_str()
        .to_string_lossy()
        .eq_ignore_ascii_case(&b.as_os_str().to_string_lossy())
}

/// Whether `dir` holds a file whose name differs from `path`'s only in case: one file wherever
/// the folder is copied to a stick or a Windows disk.
fn case_twin_in(path: &Path) -> bool {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return false;
    };
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name() != name
                && e.file_name()
                    .to_string_lossy()
                    .eq_ignore_ascii_case(&name.to_string_lossy())
        })
    })
}

/// What is at `path`: nothing (`None`), or whether it is a plain file holding exactly `bytes`.
/// A link, a folder, a file that cannot be read or one of another size is never ours, and is
/// not read beyond its size; nor is a file whose name differs only in case.
fn holds(path: &Path, bytes: &[u8]) -> Option<bool> {
    use std::io::Read;
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => case_twin_in(path).then_some(false),
        Ok(meta) if meta.is_file() && meta.len() == bytes.len() as u64 => {
            let mut there = Vec::with_capacity(bytes.len());
            let read = std::fs::File::open(path)
                .and_then(|f| f.take(bytes.len() as u64 + 1).read_to_end(&mut there));
            Some(read.is_ok() && there == bytes)
        }
        _ => Some(false),
    }
}

/// Certificate files in `dir` (by extension, not recursing) that are not in `written`.
pub(crate) fn others_in(dir: &Path, written: &[PathBuf]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let extension = crate::load::extension(p);
            crate::load::CERTIFICATE_EXTENSIONS.contains(&extension.as_str())
        })
        .filter(|p| !written.contains(p))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::{CertFile, holds, write_cert_files};

    #[test]
    fn names_that_differ_only_in_case_never_share_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        // Two certificates whose names differ only in case and whose SHA-1s share the first 8
        // characters: on a stick both short names are one file.
        let certs = [
            CertFile {
                name: "Site Root",
                sha1: "ABCDEF0111111111111111111111111111111111",
                der: b"one",
            },
            CertFile {
                name: "SITE ROOT",
                sha1: "ABCDEF0122222222222222222222222222222222",
                der: b"two",
            },
        ];
        let placed = write_cert_files(tmp.path(), &certs).unwrap();
        let names: Vec<String> = placed
            .iter()
            .map(|p| p.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "Site_Root_ABCDEF01.cer",
                "SITE_ROOT_ABCDEF0122222222222222222222222222222222.cer"
            ]
        );
        // A file already there under the other case is another file: the name is not reused.
        let again = tempfile::tempdir().unwrap();
        std::fs::write(again.path().join("site_root_ABCDEF01.cer"), b"theirs").unwrap();
        let placed = write_cert_files(again.path(), &certs[..1]).unwrap();
        assert!(!placed[0].already_there);
        assert_eq!(
            placed[0].path.file_name().unwrap(),
            "Site_Root_ABCDEF0111111111111111111111111111111111.cer"
        );
        assert_eq!(
            std::fs::read(again.path().join("site_root_ABCDEF01.cer")).unwrap(),
            b"theirs"
        );
    }

    #[test]
    fn only_a_plain_file_with_exactly_the_bytes_is_ours() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.cer");
        assert_eq!(holds(&path, b"der"), None);
        std::fs::write(&path, b"der").unwrap();
        assert_eq!(holds(&path, b"der"), Some(true));
        assert_eq!(holds(&path, b"other"), Some(false));
        assert_eq!(holds(&path, b"DER"), Some(false));
        std::fs::create_dir(tmp.path().join("folder.cer")).unwrap();
        assert_eq!(holds(&tmp.path().join("folder.cer"), b"der"), Some(false));
        #[cfg(unix)]
        {
            // A link is never ours, even to the right bytes, and is not followed to read.
            let link = tmp.path().join("link.cer");
            std::os::unix::fs::symlink(&path, &link).unwrap();
            assert_eq!(holds(&link, b"der"), Some(false));
        }
    }
}
