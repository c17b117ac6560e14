//! A zip's entries exactly as its central directory stores them, cross-checked with the local
//! headers, before the zip crate reads anything.
//!
//! The zip crate is a fine reader but, like every extractor, it interprets: it keeps only the last
//! of two entries with one name, and takes names from Info-ZIP Unicode Path extra fields instead
//! of the names stored. Different extractors interpret differently, so a zip where that matters
//! could show `verify` one bundle and Windows Explorer another. Such zips are refused here.

use std::collections::BTreeSet;
use std::io::{Read, Seek, SeekFrom};

use crate::limits::{MAX_CENTRAL_ENTRY, MAX_ZIP_ENTRIES};

const EOCD: u32 = 0x0605_4b50;
const CENTRAL: u32 = 0x0201_4b50;
const LOCAL: u32 = 0x0403_4b50;
/// Extra fields that replace the stored name or comment (Info-ZIP Unicode Path / Comment), and
/// zip64 (no bundle is that large).
const REFUSED_EXTRA_FIELDS: [(u16, &str); 3] = [
    (0x7075, "Unicode Path extra field (a second name)"),
    (0x6375, "Unicode Comment extra field"),
    (0x0001, "zip64 extra field"),
];

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// `len` bytes at `at`, or fewer at the end of the zip.
fn bytes_at<R: Read + Seek>(zip: &mut R, at: u64, len: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(len);
    zip.seek(SeekFrom::Start(at))
        .and_then(|_| zip.by_ref().take(len as u64).read_to_end(&mut out))
        .map_err(|e| format!("cannot be read: {e}"))?;
    Ok(out)
}

/// The stored names of every entry, in central directory order; `Err` says why the zip is refused.
/// Reads only the end of central directory record, the central directory and each entry's local
/// header: never an entry's data, so the zip may be larger than anything read from it.
pub(crate) fn stored_names<R: Read + Seek>(
    zip: &mut R,
    max_entries: usize,
) -> Result<Vec<Vec<u8>>, String> {
    let len = zip
        .seek(SeekFrom::End(0))
        .map_err(|e| format!("cannot be read: {e}"))?;
    let tail_start = len.saturating_sub(65_536 + 22);
    let tail = bytes_at(zip, tail_start, (len - tail_start) as usize)?;
    let eocd = (0..=tail.len().saturating_sub(22))
        .rev()
        .find(|&at| u32_at(&tail, at) == Some(EOCD))
        .ok_or("no end of central directory record")?;
    let field = |off| u16_at(&tail, eocd + off).ok_or("truncated end of central directory record");
    let (disk, cd_disk, on_disk, total) = (field(4)?, field(6)?, field(8)?, field(10)?);
    let cd_size = u32_at(&tail, eocd + 12).ok_or("truncated end of central directory record")?;
    let cd_offset = u32_at(&tail, eocd + 16).ok_or("truncated end of central directory record")?;
    let comment = field(20)? as usize;
    if eocd + 22 + comment != tail.len() {
        return Err("data after the end of the zip".into());
    }
    if total == 0xffff || cd_offset == 0xffff_ffff {
        return Err(format!(
            "zip64 archive (65,535 entries or more): more than the {MAX_ZIP_ENTRIES} a bundle zip may have"
        ));
    }
    if disk != 0 || cd_disk != 0 || on_disk != total {
        return Err("multi-part zip".into());
    }
    if total as usize > max_entries {
        return Err(format!("{total} entries, more than any bundle has"));
    }
    let eocd_at = tail_start + eocd as u64;
    if u64::from(cd_offset) + u64::from(cd_size) != eocd_at {
        return Err("the central directory is not where the end record says".into());
    }
    if u64::from(cd_size) > u64::from(total) * MAX_CENTRAL_ENTRY {
        return Err(format!(
            "a central directory of {cd_size} bytes for {total} entries"
        ));
    }
    let cd = bytes_at(zip, cd_offset.into(), cd_size as usize)?;

    let mut names = Vec::with_capacity(total as usize);
    let mut folded = BTreeSet::new();
    let mut offsets = BTreeSet::new();
    let mut at = 0;
    for i in 0..total {
        let bad = |what: &str| format!("central directory entry {}: {what}", i + 1);
        if u32_at(&cd, at) != Some(CENTRAL) {
            return Err(bad("missing or misplaced"));
        }
        let (name_len, extra_len, comment_len) = (
            u16_at(&cd, at + 28).ok_or_else(|| bad("truncated"))? as usize,
            u16_at(&cd, at + 30).ok_or_else(|| bad("truncated"))? as usize,
            u16_at(&cd, at + 32).ok_or_else(|| bad("truncated"))? as usize,
        );
        let local = u32_at(&cd, at + 42).ok_or_else(|| bad("truncated"))?;
        let name = cd
            .get(at + 46..at + 46 + name_len)
            .ok_or_else(|| bad("truncated name"))?;
        let extra = cd
            .get(at + 46 + name_len..at + 46 + name_len + extra_len)
            .ok_or_else(|| bad("truncated extra fields"))?;
        check_extra(extra).map_err(|e| bad(&e))?;
        check_local(zip, local.into(), name).map_err(|e| bad(&e))?;
        if !offsets.insert(local) {
            return Err(bad("shares its data with another entry"));
        }
        let key = String::from_utf8_lossy(name).to_lowercase();
        if !folded.insert(key) {
            return Err(bad(&format!(
                "the name {} appears twice (perhaps in another letter case)",
                crate::names::printable(&String::from_utf8_lossy(name))
            )));
        }
        names.push(name.to_vec());
        at += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

fn check_extra(mut extra: &[u8]) -> Result<(), String> {
    while extra.len() >= 4 {
        let id = u16_at(extra, 0).unwrap_or(0);
        let size = u16_at(extra, 2).unwrap_or(0) as usize;
        if let Some((_, what)) = REFUSED_EXTRA_FIELDS
            .iter()
            .find(|(refused, _)| *refused == id)
        {
            return Err(what.to_string());
        }
        extra = extra.get(4 + size..).ok_or("malformed extra field")?;
    }
    Ok(())
}

/// The local header the central directory points to must exist and carry the same name.
fn check_local<R: Read + Seek>(zip: &mut R, at: u64, name: &[u8]) -> Result<(), String> {
    let header = bytes_at(zip, at, 30)?;
    if u32_at(&header, 0) != Some(LOCAL) {
        return Err("its local header is missing".into());
    }
    let name_len = u16_at(&header, 26).ok_or("truncated local header")? as usize;
    let extra_len = u16_at(&header, 28).ok_or("truncated local header")? as usize;
    let rest = bytes_at(zip, at + 30, name_len + extra_len)?;
    let local_name = rest.get(..name_len).ok_or("truncated local header")?;
    if local_name != name {
        return Err("its local header names another file".into());
    }
    let extra = rest
        .get(name_len..name_len + extra_len)
        .ok_or("truncated local header")?;
    check_extra(extra)
}

#[cfg(test)]
mod tests {
    use super::stored_names;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_the_stored_names() {
        let zip = zip_of(&[("b/a.txt", b"a"), ("b/c.txt", b"c")]);
        assert_eq!(
            stored_names(&mut Cursor::new(&zip), 10).unwrap(),
            vec![b"b/a.txt".to_vec(), b"b/c.txt".to_vec()]
        );
        assert!(
            stored_names(&mut Cursor::new(&zip), 1)
                .unwrap_err()
                .contains("2 entries")
        );
    }

    #[test]
    fn refuses_names_that_differ_between_local_and_central_headers() {
        let mut zip = zip_of(&[("b/a.txt", b"a")]);
        // Rename the local header's copy only.
        let local_name = 30;
        zip[local_name + 2] = b'X';
        assert!(
            stored_names(&mut Cursor::new(&zip), 10)
                .unwrap_err()
                .contains("names another file")
        );
    }

    #[test]
    fn refuses_case_folded_duplicates_and_trailing_data() {
        let zip = zip_of(&[("b/README.txt", b"a"), ("b/readme.txt", b"c")]);
        assert!(
            stored_names(&mut Cursor::new(&zip), 10)
                .unwrap_err()
                .contains("appears twice")
        );
        let mut zip = zip_of(&[("b/a.txt", b"a")]);
        zip.extend_from_slice(b"tail");
        assert!(
            stored_names(&mut Cursor::new(&zip), 10)
                .unwrap_err()
                .contains("after the end")
        );
        assert!(stored_names(&mut Cursor::new(b"not a zip"), 10).is_err());
    }

    /// The end record's fields: (entries, central directory size, its offset) at their places.
    fn end_record(zip: &mut [u8]) -> &mut [u8] {
        let at = zip.len() - 22;
        &mut zip[at..]
    }

    #[test]
    fn the_central_directory_is_read_only_where_and_as_large_as_the_end_record_says() {
        let good = zip_of(&[("b/a.txt", b"a")]);
        assert!(stored_names(&mut Cursor::new(&good), 10).is_ok());
        // A central directory said to start at the zip's first byte: the whole file would be read.
        let mut zip = good.clone();
        end_record(&mut zip)[16..20].copy_from_slice(&0u32.to_le_bytes());
        assert!(
            stored_names(&mut Cursor::new(&zip), 10)
                .unwrap_err()
                .contains("not where the end record says")
        );
        // Larger than its entries can need.
        // Bytes deflate cannot shrink, so that the entry's data is larger than MAX_CENTRAL_ENTRY.
        let mut state = 0x2545_f491_u32;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        let mut zip = zip_of(&[("b/a.txt", &noise)]);
        let end = end_record(&mut zip);
        let offset = u32::from_le_bytes(end[16..20].try_into().unwrap());
        let size = u32::from_le_bytes(end[12..16].try_into().unwrap());
        assert!(offset > 2048, "{offset}");
        end[16..20].copy_from_slice(&0u32.to_le_bytes());
        end[12..16].copy_from_slice(&(size + offset).to_le_bytes());
        assert!(
            stored_names(&mut Cursor::new(&zip), 10)
                .unwrap_err()
                .contains("central directory of")
        );
    }

    #[test]
    fn a_zip64_count_names_the_limit() {
        let mut zip = zip_of(&[("b/a.txt", b"a")]);
        let end = end_record(&mut zip);
        end[8..10].copy_from_slice(&0xffffu16.to_le_bytes());
        end[10..12].copy_from_slice(&0xffffu16.to_le_bytes());
        let why = stored_names(&mut Cursor::new(&zip), 10).unwrap_err();
        assert!(why.contains("65534"), "{why}");
    }
}
