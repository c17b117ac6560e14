//! The certificate table of a Windows PE file (EXE, DLL, SYS; PE32 and PE32+): where
//! Authenticode signatures live. Only the headers and the table are read, each bounded and
//! checked against the file's size, so a hostile offset or length is an error, never a read
//! outside the file.

use std::io::{Read, Seek, SeekFrom};

use object::LittleEndian as LE;
use object::pe;
use object::read::ReadCache;
use object::read::pe::{ImageNtHeaders, optional_header_magic};

use super::FileError;

/// Largest certificate table read (real ones are a few KiB to a few hundred).
const MAX_TABLE: u64 = 16 * 1024 * 1024;

/// `WIN_CERT_TYPE_PKCS_SIGNED_DATA`.
pub(crate) const PKCS_SIGNED_DATA: u16 = 2;

/// What the table holds.
#[derive(Debug)]
pub(crate) struct Table {
    /// `PE32` or `PE32+`.
    pub(crate) format: &'static str,
    /// Each `WIN_CERTIFICATE`: (certificate type, content).
    pub(crate) entries: Vec<(u16, Vec<u8>)>,
    /// Why entries after the last one listed could not be read.
    pub(crate) problem: Option<String>,
}

/// Reads the certificate table of `file` (`len` bytes long); the error is a sentence.
pub(crate) fn certificate_table<R: Read + Seek>(mut file: R, len: u64) -> Result<Table, FileError> {
    let mut mz = [0u8; 2];
    let starts_mz = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.read_exact(&mut mz))
        .is_ok()
        && mz == *b"MZ";
    if !starts_mz {
        return Err(FileError::not_pe("not a Windows PE file (no MZ header)"));
    }
    let cache = ReadCache::new(file);
    let magic = optional_header_magic(&cache).map_err(|e| {
        FileError::damaged(format!(
            "its headers are truncated or damaged, or it is a DOS program, not a Windows PE file ({e})"
        ))
    })?;
    let dos = pe::ImageDosHeader::parse(&cache)
        .map_err(|e| FileError::damaged(format!("its DOS header is damaged ({e})")))?;
    let mut offset = u64::from(dos.nt_headers_offset());
    let (format, directory) = match magic {
        pe::IMAGE_NT_OPTIONAL_HDR32_MAGIC => {
            let (_, dirs) = pe::ImageNtHeaders32::parse(&cache, &mut offset)
                .map_err(|e| FileError::damaged(format!("the PE headers are damaged ({e})")))?;
            (
                "PE32",
                dirs.get(pe::IMAGE_DIRECTORY_ENTRY_SECURITY).copied(),
            )
        }
        pe::IMAGE_NT_OPTIONAL_HDR64_MAGIC => {
            let (_, dirs) = pe::ImageNtHeaders64::parse(&cache, &mut offset)
                .map_err(|e| FileError::damaged(format!("the PE headers are damaged ({e})")))?;
            (
                "PE32+",
                dirs.get(pe::IMAGE_DIRECTORY_ENTRY_SECURITY).copied(),
            )
        }
        other => {
            return Err(FileError::not_pe(format!(
                "not a Windows PE file (optional header magic {other:#06x})"
            )));
        }
    };
    let (start, size) = directory
        .map(|d| {
            (
                u64::from(d.virtual_address.get(LE)),
                u64::from(d.size.get(LE)),
            )
        })
        .unwrap_or((0, 0));
    if start == 0 || size == 0 {
        return Err(FileError::not_signed(
            "not signed: the file has no certificate table (no Authenticode signature)",
        ));
    }
    if start.checked_add(size).is_none_or(|end| end > len) {
        return Err(FileError::damaged(format!(
            "the certificate table (offset {start}, {size} bytes) lies outside the file ({len} bytes): the file is truncated or damaged"
        )));
    }
    if size > MAX_TABLE {
        return Err(FileError::damaged(format!(
            "the certificate table is {size} bytes, over the {} MiB any signature needs",
            MAX_TABLE / 1024 / 1024
        )));
    }
    let mut file = cache.into_inner();
    let mut table = Vec::with_capacity(size as usize);
    file.seek(SeekFrom::Start(start))
        .and_then(|_| file.take(size).read_to_end(&mut table))
        .map_err(|e| FileError::io(format!("cannot read the certificate table: {e}")))?;
    if (table.len() as u64) < size {
        return Err(FileError::damaged(
            "the certificate table ends early: the file is truncated",
        ));
    }
    let (entries, problem) = entries(&table);
    if entries.is_empty() {
        return Err(match problem {
            Some(why) => FileError::damaged(why),
            None => FileError::not_signed("not signed: the certificate table is empty"),
        });
    }
    Ok(Table {
        format,
        entries,
        problem,
    })
}

/// The `WIN_CERTIFICATE` entries of a table: `dwLength`, `wRevision`, `wCertificateType`,
/// content; each entry starts on an 8-byte boundary. A damaged entry ends the list: the entries
/// before it, and why.
fn entries(table: &[u8]) -> (Vec<(u16, Vec<u8>)>, Option<String>) {
    let mut out = Vec::new();
    let problem = entries_into(table, &mut out).err();
    (out, problem)
}

fn entries_into(table: &[u8], out: &mut Vec<(u16, Vec<u8>)>) -> Result<(), String> {
    let mut at = 0usize;
    while at < table.len() {
        // One more than the reader takes, so that it can say there were more.
        if out.len() > super::MAX_SIGNATURES {
            break;
        }
        let rest = &table[at..];
        if rest.iter().all(|&b| b == 0) {
            break; // padding
        }
        if rest.len() < 8 {
            return Err(format!(
                "the certificate table ends inside an entry header ({} bytes left)",
                rest.len()
            ));
        }
        let length = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let kind = u16::from_le_bytes([rest[6], rest[7]]);
        if length < 8 {
            return Err(format!(
                "a certificate table entry declares {length} bytes, less than its own 8-byte header"
            ));
        }
        if length > rest.len() {
            return Err(format!(
                "a certificate table entry declares {length} bytes, but only {} are left in the table (length overflow)",
                rest.len()
            ));
        }
        out.push((kind, rest[8..length].to_vec()));
        // The next entry is 8-byte aligned.
        at = at.saturating_add(length.div_ceil(8).saturating_mul(8));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::entries;

    fn entry(kind: u16, content: &[u8]) -> Vec<u8> {
        let mut e = ((content.len() + 8) as u32).to_le_bytes().to_vec();
        e.extend_from_slice(&0x0200u16.to_le_bytes());
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(content);
        while e.len() % 8 != 0 {
            e.push(0);
        }
        e
    }

    fn problem(table: &[u8]) -> String {
        let (list, problem) = entries(table);
        assert!(list.is_empty(), "{list:?}");
        problem.expect("a problem")
    }

    #[test]
    fn entries_are_aligned_and_bounded() {
        let table = [entry(2, b"abc"), entry(2, b"defghijk")].concat();
        assert_eq!(
            entries(&table),
            (vec![(2, b"abc".to_vec()), (2, b"defghijk".to_vec())], None)
        );
        let mut long = entry(2, b"abc");
        long[0] = 200;
        assert!(problem(&long).contains("length overflow"));
        let mut short = entry(2, b"abc");
        short[0] = 4;
        assert!(problem(&short).contains("less than its own"));
        assert_eq!(entries(&[0u8; 16]), (vec![], None));
        assert!(problem(&[1u8, 0, 0]).contains("entry header"));
        // A huge declared length never overflows the arithmetic.
        let mut huge = entry(2, b"abc");
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(problem(&huge).contains("length overflow"));
    }

    #[test]
    fn a_damaged_entry_keeps_the_good_ones_before_it() {
        let mut bad = entry(2, b"defghijk");
        bad[0] = 250;
        let (list, problem) = entries(&[entry(2, b"abc"), bad].concat());
        assert_eq!(list, vec![(2, b"abc".to_vec())]);
        assert!(problem.unwrap().contains("length overflow"));
    }
}
