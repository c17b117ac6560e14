//! Every size and count limit, in one place, so that what `build` writes, what `verify`,
//! `build --force` and `report` read back, and what the installer accepts always agree.
//! docs/limits.md says why each is what it is. Pure constants: no filesystem, never prints.
//!
//! Everything under a bundle's `reports/` folder belongs to the site, not to the bundle: it never
//! counts toward a bundle's limits and has limits of its own ([`MAX_REPORTS`], ...).

/// Most certificates in one bundle. `build` refuses more before writing anything. The installer
/// embeds about 2.5 KB per certificate, so 2,000 make a script of about 5 MB: well under
/// [`MAX_ENTRY_SIZE`] and the 10 MB Windows PowerShell remoting sends by default, and quick for
/// PowerShell 2.0 to load. A real site needs a few dozen.
pub const MAX_CERTIFICATES: usize = 2_000;

/// Largest single file of a bundle, read by `verify`, `build --force` (its `manifest.json`) and
/// `report` (a reference bundle's `manifest.json` and `SHA256SUMS`), and by the installer
/// (which gets this number from its template).
pub const MAX_ENTRY_SIZE: u64 = 16 * 1024 * 1024;

/// Largest total of a bundle's files, `reports/` not counted.
pub const MAX_TOTAL_SIZE: u64 = 64 * 1024 * 1024;

/// Most entries (files and folders) of a bundle, `reports/` not counted: far above what
/// [`MAX_CERTIFICATES`] certificates and the bundle's own files need.
pub const MAX_ENTRIES: usize = 10_000;

/// Files and folders of a bundle besides its certificates, at most: `SHA256SUMS`, the manifest,
/// README.txt, three installers, `certs/` and its two store folders, the zip's top folder, and
/// room to spare.
const MAX_OWN_ENTRIES: usize = 64;

/// Largest installer report read (a report of 2,000 certificates is about 1.5 MiB).
pub const MAX_REPORT_SIZE: u64 = 8 * 1024 * 1024;

/// Most report files in one place: entries of one zip `report` looks at, and entries (files and
/// folders) under a bundle folder's `reports/` that `verify` lists.
pub const MAX_REPORTS: usize = 200_000;

/// Most entries of a bundle zip, `reports/` included (`verify`, `report --bundle`): a zip without
/// zip64 extensions holds at most 65,535, and that count is zip64's marker. A stick with more
/// reports than that: give the bundle folder instead.
pub const MAX_ZIP_ENTRIES: usize = 65_534;

/// Most bytes of a zip's central directory read, per entry it declares (a name, its fields and
/// extras; bundle names are far shorter): a zip cannot make a reader hold more than that.
pub(crate) const MAX_CENTRAL_ENTRY: u64 = 1024;

/// Largest zip read, reports included (`report`, and `verify` of a bundle zip holding reports).
pub const MAX_ZIP_SIZE: u64 = 1024 * 1024 * 1024;

/// Most bytes `report` reads in one run, all reports together (10,000 reports are about
/// 120 MiB): a bound on time, decided before reading from the sizes files and zip entries declare.
pub const MAX_REPORTS_TOTAL: u64 = 2 * 1024 * 1024 * 1024;

// What `build` may write, `verify` must accept.
const _: () = assert!(MAX_CERTIFICATES + MAX_OWN_ENTRIES <= MAX_ENTRIES);
const _: () = assert!(MAX_ENTRIES <= MAX_ZIP_ENTRIES);
const _: () = assert!(MAX_TOTAL_SIZE <= MAX_ZIP_SIZE);
