//! certbundle.exe (the x86_64-pc-windows-gnu build) under Wine against the Linux binary, over the
//! same inputs: same exit codes, same output once paths are normalised, byte-identical bundles.
//! The executable's DLL imports are pinned, so the test shim for Wine (bcryptprimitives.dll) can
//! never hide a DLL Windows lacks.

use std::path::Path;

use crate::common::winexe::both;
use crate::common::*;

/// Copies `from` (a file or a folder) to `dir/to`.
fn copy_in(from: &Path, dir: &Path, to: &str) {
    if from.is_dir() {
        for e in walkdir::WalkDir::new(from) {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(from).unwrap();
            let target = dir.join(to).join(rel);
            if e.file_type().is_dir() {
                std::fs::create_dir_all(&target).unwrap();
            } else {
                std::fs::create_dir_all(target.parent().unwrap()).unwrap();
                std::fs::copy(e.path(), &target).unwrap();
            }
        }
    } else {
        std::fs::create_dir_all(dir.join(to).parent().unwrap()).unwrap();
        std::fs::copy(from, dir.join(to)).unwrap();
    }
}

fn repo(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

const EPOCH_ENV: [(&str, &str); 1] = [("SOURCE_DATE_EPOCH", EPOCH)];

/// What each DLL the executable imports is for. Every one is on Windows 10 / Server 2016 and
/// later (bcryptprimitives.dll's ProcessPrng since Windows 10: the reason for that minimum).
const IMPORTS: [(&str, &str); 12] = [
    (
        "advapi32.dll",
        "standard library: RtlGenRandom fallback, registry (system proxy)",
    ),
    (
        "api-ms-win-core-synch-l1-2-0.dll",
        "standard library: WaitOnAddress",
    ),
    (
        "api-ms-win-core-winrt-error-l1-1-0.dll",
        "windows-result: error details",
    ),
    (
        "bcryptprimitives.dll",
        "standard library: ProcessPrng (Windows 10 and later)",
    ),
    (
        "crypt32.dll",
        "the system's certificate store (TLS roots for fetch)",
    ),
    ("kernel32.dll", "standard library"),
    (
        "ktmw32.dll",
        "transactional file APIs pulled in by the standard library",
    ),
    ("msvcrt.dll", "the MinGW C runtime"),
    ("ntdll.dll", "standard library"),
    ("oleaut32.dll", "windows-result: BSTR error strings"),
    ("userenv.dll", "standard library: the home folder"),
    ("ws2_32.dll", "standard library and reqwest: sockets"),
];

#[test]
#[cfg_attr(
    not(all(has_windows_target, has_mingw, has_nasm)),
    ignore = "needs the x86_64-pc-windows-gnu target (rustup), x86_64-w64-mingw32-gcc and nasm"
)]
fn the_executable_imports_only_the_dlls_we_know() {
    use object::Object;
    use object::read::pe::PeFile64;
    let bytes = crate::common::winexe::read_built();
    let pe = PeFile64::parse(&*bytes).expect("a 64-bit PE file");
    let mut dlls: Vec<String> = pe
        .imports()
        .unwrap()
        .iter()
        .map(|i| String::from_utf8_lossy(i.library()).to_ascii_lowercase())
        .collect();
    dlls.sort();
    dlls.dedup();
    let expected: Vec<&str> = IMPORTS.iter().map(|(d, _)| *d).collect();
    assert_eq!(
        dlls, expected,
        "certbundle.exe imports another set of DLLs: check each new one exists on Windows 10 / \
         Server 2016, then update IMPORTS"
    );
    // The link time is not stamped (.cargo/config.toml: --no-insert-timestamp): rebuilds match.
    assert_eq!(
        pe.nt_headers()
            .file_header
            .time_date_stamp
            .get(object::LittleEndian),
        0
    );
}

#[test]
#[cfg_attr(
    not(all(has_windows_target, has_mingw, has_nasm, has_wine)),
    ignore = "needs the x86_64-pc-windows-gnu target, MinGW, NASM and Wine"
)]
fn only_the_shim_stands_in_for_a_dll_wine_lacks() {
    let exe = crate::common::winexe::require();
    let system32 = crate::common::wine::wine()
        .unwrap()
        .prefix()
        .join("drive_c/windows/system32");
    let present = |dll: &str| {
        std::fs::read_dir(&system32)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(dll))
    };
    // API sets (api-ms-win-*) are names the loader maps to a DLL, on Windows as in Wine, not files.
    let missing: Vec<&str> = IMPORTS
        .iter()
        .map(|(d, _)| *d)
        .filter(|d| !d.starts_with("api-ms-win-") && !present(d))
        .collect();
    assert_eq!(missing, ["bcryptprimitives.dll"]);
    // And without the shim the executable does not start: the shim is what the test adds.
    let bare = tempfile::tempdir().unwrap();
    std::fs::write(
        bare.path().join("certbundle.exe"),
        crate::common::winexe::read_built(),
    )
    .unwrap();
    let out = std::process::Command::new("wine")
        .arg(crate::common::wine::windows_path(
            &bare.path().join("certbundle.exe"),
        ))
        .arg("--version")
        .env("WINEPREFIX", crate::common::wine::wine().unwrap().prefix())
        .env("WINEDEBUG", "-all")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{out:?}");
    let with = exe.run(bare.path(), &["--version"], &[]);
    assert_eq!(with.code, 0, "{with:?}");
    assert_eq!(
        with.stdout,
        format!("certbundle {}\n", env!("CARGO_PKG_VERSION"))
    );
}

/// Marks a test that runs certbundle.exe under Wine.
macro_rules! wine_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        #[test]
        #[cfg_attr(
            not(all(has_windows_target, has_mingw, has_nasm, has_wine)),
            ignore = "needs the x86_64-pc-windows-gnu target (rustup), MinGW, NASM and Wine (.ci/run installs them)"
        )]
        $(#[$meta])*
        fn $name() $body
    };
}

wine_test! {
    fn the_default_bundle_is_byte_identical_and_printed_with_windows_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let pair = both(tmp.path(), &["build", "--now", NOW, "-o", "out"], &EPOCH_ENV);
        pair.assert_same();
        assert_eq!(pair.linux.code, 0, "{pair:#?}");
        assert!(pair.linux_wrote.contains_key("out/apex-one-certs-20261125.zip"));
        assert!(pair.linux_wrote.contains_key("out/apex-one-certs-20261125/SHA256SUMS"));
        // Printed paths use the platform's separator, and never the \\?\ prefix.
        assert!(
            pair.windows_raw.stdout.contains("out\\apex-one-certs-20261125.zip"),
            "{}",
            pair.windows_raw.stdout
        );
        assert!(!pair.windows_raw.stdout.contains("out/"), "{}", pair.windows_raw.stdout);
        assert!(!pair.windows_raw.stdout.contains("\\\\?\\"));
    }
}

wine_test! {
    fn json_builds_of_the_examples_and_generated_certificates_are_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        copy_in(&repo("examples/certs"), tmp.path(), "examples/certs");
        let input = good_input(tmp.path());
        let other = root("Other Root");
        write(&input, "bundle.p7b", pkcs7(&[&other.der]));
        write(&input, "sub/other.crt", other.pem());
        // What Windows keeps at the root of a stick: passed over, on both platforms.
        write(&input, "System Volume Information/IndexerVolumeGuid", b"{guid}");
        write(&input, "$RECYCLE.BIN/S-1-5-21/desktop.ini", b"[.ShellClassInfo]");
        for args in [
            &["build", "--profile", "none", "--now", NOW, "--json", "examples/certs", "-o", "out"][..],
            &["build", "--profile", "none", "--now", NOW, "--json", "--name", "gen", "input", "-o", "out"],
            // Findings: a folder of generated certificates against the default profile.
            &["build", "--now", NOW, "--json", "input", "-o", "refused"],
        ] {
            let pair = both(tmp.path(), args, &EPOCH_ENV);
            pair.assert_same();
            assert!(!pair.windows_raw.stdout.contains("\\\\?\\"));
        }
    }
}

wine_test! {
    fn verify_accepts_the_bundle_and_refuses_a_tampered_one_alike() {
        let tmp = tempfile::tempdir().unwrap();
        let input = good_input(tmp.path());
        let (folder, zip, _) = build_bundle(tmp.path(), &input, "b");
        assert!(folder.is_dir() && zip.is_file());
        for args in [
            &["verify", "out/b"][..],
            &["verify", "out/b.zip"],
            &["verify", "--json", "out/b.zip"],
        ] {
            let pair = both(tmp.path(), args, &[]);
            pair.assert_same();
            assert_eq!(pair.linux.code, 0, "{pair:#?}");
        }
        // A changed certificate in the folder, a changed byte in the zip.
        let cert = walkdir::WalkDir::new(folder.join("certs"))
            .into_iter()
            .flatten()
            .find(|e| e.file_type().is_file())
            .unwrap()
            .into_path();
        let mut der = std::fs::read(&cert).unwrap();
        let last = der.len() - 1;
        der[last] ^= 1;
        std::fs::write(&cert, der).unwrap();
        let mut bytes = std::fs::read(&zip).unwrap();
        let at = bytes.len() / 3;
        bytes[at] ^= 0x55;
        std::fs::write(&zip, bytes).unwrap();
        for args in [&["verify", "out/b"][..], &["verify", "--json", "out/b"], &["verify", "out/b.zip"]] {
            let pair = both(tmp.path(), args, &[]);
            pair.assert_same();
            assert_eq!(pair.linux.code, 1, "{pair:#?}");
        }
    }
}

wine_test! {
    fn inspect_profiles_and_report_print_the_same() {
        let tmp = tempfile::tempdir().unwrap();
        copy_in(&repo("examples/certs"), tmp.path(), "examples/certs");
        copy_in(&fixture("reports"), tmp.path(), "reports");
        for (args, code) in [
            (&["inspect", "--json", "examples/certs"][..], 0),
            (&["inspect", "--profile", "apex-one", "examples/certs/DigiCert_Trusted_Root_G4.crt"], 0),
            (&["profiles"], 0),
            (&["completions", "powershell"], 0),
            (&["completions", "bash"], 0),
            (&["man"], 0),
            (&["build", "--help"], 0),
            (&["profiles", "apex-one"], 0),
            (&["profiles", "--json", "apex-one"], 0),
            (&["report", "reports"], 1),
            (&["report", "--json", "reports"], 1),
            (&["report", "--csv", "reports"], 1),
            (&["report", "reports", "--html", "fleet.html"], 1),
            // A folder where the page should go: said at once, alike.
            (&["report", "reports", "--html", "reports"], 2),
            // A usage error and a missing file.
            (&["build", "--no-such-flag"], 2),
            (&["inspect", "missing.pem"], 2),
        ] {
            let pair = both(tmp.path(), args, &[]);
            // The page names report files as the platform prints paths.
            pair.assert_same_with_paths_in(&["fleet.html"]);
            assert_eq!(pair.linux.code, code, "{args:?}: {pair:#?}");
        }
    }
}

wine_test! {
    fn extract_and_build_from_signed_files_agree() {
        let tmp = tempfile::tempdir().unwrap();
        let root = root("Signed Root");
        let inter = intermediate("Signed Intermediate", &root);
        let signer = leaf("Signer", &inter);
        hand_signed(tmp.path(), "signed/app.exe", &[(&[&signer, &inter], &signer)]);
        write(tmp.path(), "in/root.pem", root.pem());
        for (args, code) in [
            (&["extract", "--json", "signed/app.exe"][..], 0),
            (&["extract", "signed/app.exe", "-o", "extracted"], 0),
            (&["build", "--profile", "none", "--now", NOW, "--name", "s", "-o", "out", "in", "--from-signed", "signed/app.exe"], 0),
        ] {
            let pair = both(tmp.path(), args, &EPOCH_ENV);
            pair.assert_same();
            assert_eq!(pair.linux.code, code, "{args:?}: {pair:#?}");
        }
    }
}

#[test]
#[cfg_attr(
    not(all(
        has_windows_target,
        has_mingw,
        has_nasm,
        has_wine,
        has_real_signed_files
    )),
    ignore = "needs the x86_64-pc-windows-gnu target, MinGW, NASM, Wine and ../shared/realworld/signed"
)]
fn the_real_signed_files_give_the_same_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    copy_in(&repo("../shared/realworld/signed"), tmp.path(), "signed");
    let mut files: Vec<String> = std::fs::read_dir(tmp.path().join("signed"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md"))
        .map(|n| format!("signed/{n}"))
        .collect();
    files.sort();
    let mut args = vec![
        "build",
        "--now",
        NOW,
        "--allow-missing",
        "--allow-unpinned",
        "--allow-expired",
        "--json",
        "-o",
        "out",
        "--from-signed",
    ];
    args.extend(files.iter().map(String::as_str));
    let pair = both(tmp.path(), &args, &EPOCH_ENV);
    pair.assert_same();
    assert!(
        pair.linux_wrote.keys().any(|k| k.ends_with(".zip")),
        "{pair:#?}"
    );
    let mut args = vec!["extract", "--json"];
    args.extend(files.iter().map(String::as_str));
    both(tmp.path(), &args, &[]).assert_same();
}

wine_test! {
    fn force_replaces_a_bundle_alike() {
        let tmp = tempfile::tempdir().unwrap();
        let input = good_input(tmp.path());
        build_bundle(tmp.path(), &input, "b");
        write(&input, "more.pem", root("More Root").pem());
        let args = ["build", "--profile", "none", "--now", NOW, "--name", "b", "-o", "out", "input"];
        // Refused without --force, replaced with it.
        let pair = both(tmp.path(), &args, &EPOCH_ENV);
        pair.assert_same();
        assert_eq!(pair.linux.code, 2);
        let mut forced = args.to_vec();
        forced.push("--force");
        let pair = both(tmp.path(), &forced, &EPOCH_ENV);
        pair.assert_same();
        assert_eq!(pair.linux.code, 0, "{pair:#?}");
        assert!(pair.windows_wrote.keys().any(|k| k.starts_with("out/b/certs/")));
        assert_eq!(
            listing(tmp.path()).iter().filter(|p| p.contains("certbundle-tmp")).count(),
            0,
            "a staging folder was left"
        );
    }
}

/// Builds bundle `b` into `dir/out` with certbundle.exe; returns the command line that replaces it.
fn windows_bundle(dir: &Path) -> Vec<&'static str> {
    let exe = crate::common::winexe::require();
    write(&dir.join("input"), "root.pem", root("Held Root").pem());
    let args = vec![
        "build",
        "--profile",
        "none",
        "--now",
        NOW,
        "--name",
        "b",
        "-o",
        "out",
        "input",
        "--force",
    ];
    let built = exe.run(dir, &args, &EPOCH_ENV);
    assert_eq!(built.code, 0, "{built:?}");
    args
}

wine_test! {
    fn a_bundle_open_in_another_program_is_left_whole_with_a_clear_error() {
        let exe = crate::common::winexe::require();
        let tmp = tempfile::tempdir().unwrap();
        let args = windows_bundle(tmp.path());
        write(&tmp.path().join("input"), "more.pem", root("More Root").pem());
        let before = crate::common::winexe::tree(&tmp.path().join("out"));
        // The folder held (an Explorer window on it), then the zip (open in an archive viewer).
        // Wine refuses these renames as Windows does; it does not refuse to rename a folder with
        // a file open inside it, which Windows refuses with ERROR_ACCESS_DENIED, the same path.
        for held in ["out/b", "out/b.zip"] {
            let holder = exe.hold(&tmp.path().join(held), 60_000);
            let run = exe.run(tmp.path(), &args, &EPOCH_ENV);
            drop(holder);
            assert_eq!(run.code, 2, "{run:?}");
            let shown = held.replace('/', "\\");
            assert!(
                run.stderr.starts_with(&format!(
                    "error: {shown}: cannot move aside: another program is using it"
                )),
                "{run:?}"
            );
            assert!(run.stderr.contains("nothing was replaced: close the Explorer windows"), "{run:?}");
            // The old bundle as it was, and no staging folder left.
            assert_eq!(crate::common::winexe::tree(&tmp.path().join("out")), before, "{held}");
        }
    }
}

wine_test! {
    fn a_rename_blocked_for_a_moment_is_tried_again() {
        let exe = crate::common::winexe::require();
        let tmp = tempfile::tempdir().unwrap();
        let args = windows_bundle(tmp.path());
        write(&tmp.path().join("input"), "more.pem", root("More Root").pem());
        // Held for a second (an antivirus scanning it): certbundle tries again for about 2.5 s.
        let holder = exe.hold(&tmp.path().join("out/b.zip"), 1_000);
        let run = exe.run(tmp.path(), &args, &EPOCH_ENV);
        holder.wait();
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("replaced out\\b.zip"), "{}", run.stdout);
        let names: Vec<String> = listing(&tmp.path().join("out"))
            .into_iter()
            .filter(|p| !p.contains(['/', '\\']))
            .collect();
        assert_eq!(names, ["b", "b.zip"]);
    }
}

wine_test! {
    fn printed_paths_use_backslashes_whatever_separator_was_typed() {
        let exe = crate::common::winexe::require();
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("in/certs"), "root.pem", root("Sep Root").pem());
        let run = exe.run(
            tmp.path(),
            &["build", "--profile", "none", "--now", NOW, "--name", "s", "-o", "out/sub", "in/certs"],
            &EPOCH_ENV,
        );
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("Bundle   out\\sub\\s  ("), "{}", run.stdout);
        assert!(run.stdout.contains("Zip      out\\sub\\s.zip"), "{}", run.stdout);
        let inspect = exe.run(tmp.path(), &["inspect", "in/certs"], &[]);
        assert!(inspect.stdout.contains("in\\certs\\root.pem"), "{}", inspect.stdout);
        assert!(!inspect.stdout.contains("in/certs"), "{}", inspect.stdout);
        let json = exe.run(tmp.path(), &["inspect", "--json", "in/certs"], &[]);
        assert!(json.stdout.contains(r#""file": "in\\certs\\root.pem""#), "{}", json.stdout);
        // Inside the zip every entry uses '/', whatever the platform.
        let zip = zip::ZipArchive::new(std::fs::File::open(tmp.path().join("out/sub/s.zip")).unwrap())
            .unwrap();
        let names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        assert!(names.iter().all(|n| !n.contains('\\')), "{names:?}");
        assert!(names.iter().any(|n| n.starts_with("s/certs/Root/")), "{names:?}");
    }
}

wine_test! {
    fn no_colour_codes_where_there_is_no_console_or_with_no_color() {
        let exe = crate::common::winexe::require();
        let tmp = tempfile::tempdir().unwrap();
        copy_in(&repo("examples/certs"), tmp.path(), "certs");
        // Output into files (no console), with NO_COLOR unset and set.
        for no_color in ["", "1"] {
            for args in [&["inspect", "certs"][..], &["inspect", "missing.pem"], &["build", "--bad"]] {
                let run = exe.run(tmp.path(), args, &[("NO_COLOR", no_color)]);
                assert!(!run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'), "{run:?}");
            }
        }
    }
}

wine_test! {
    fn names_windows_refuses_never_reach_the_disk() {
        let tmp = tempfile::tempdir().unwrap();
        write(&tmp.path().join("input"), "root.pem", root("Name Root").pem());
        // Bundle names Windows would refuse or read as a device: refused alike, nothing written.
        for name in ["CON", "aux.zip", "com1", "b.", "b ", "b:c", "LPT9"] {
            let pair = both(
                tmp.path(),
                &["build", "--profile", "none", "--now", NOW, "--name", name, "-o", "out", "input"],
                &EPOCH_ENV,
            );
            pair.assert_same();
            assert_eq!(pair.linux.code, 2, "{name:?}");
            assert!(pair.linux_wrote.is_empty() && pair.windows_wrote.is_empty(), "{name:?}");
        }
        // Certificates named like devices, with trailing dots and spaces, or differing only in
        // case from a file already there: file names both platforms write alike.
        let con = root_with(ca_params("CON"), ec_key());
        let dots = root_with(ca_params("Trailing Dots..."), ec_key());
        let spaces = root_with(ca_params("nul   "), ec_key());
        let site = root_with(ca_params("Site Root"), ec_key());
        let input = tmp.path().join("named");
        for (i, ca) in [&con, &dots, &spaces, &site].iter().enumerate() {
            write(&input, &format!("{i}.pem"), ca.pem());
        }
        let sha1 = |ca: &Ca| certbundle::hex::sha1_upper(&ca.der);
        write(
            &tmp.path().join("extracted"),
            &format!("site_root_{}.cer", &sha1(&site)[..8]),
            b"another file",
        );
        let signer = leaf("Site Signer", &site);
        hand_signed(tmp.path(), "signed/app.exe", &[(&[&signer, &site], &signer)]);
        for args in [
            &["build", "--profile", "none", "--now", NOW, "--name", "n", "-o", "out", "named"][..],
            &["extract", "signed/app.exe", "-o", "extracted"],
        ] {
            let pair = both(tmp.path(), args, &EPOCH_ENV);
            pair.assert_same();
            assert_eq!(pair.linux.code, 0, "{pair:#?}");
            for name in pair.windows_wrote.keys() {
                let file = name.rsplit('/').next().unwrap();
                assert!(!file.ends_with(['.', ' ']), "{name}");
                assert!(!certbundle::names::is_reserved(file), "{name}");
            }
        }
        // The file already there under the short name in another case was left alone.
        let extracted = listing(&tmp.path().join("extracted"));
        assert_eq!(
            extracted,
            [format!("Site_Root_{}.cer", sha1(&site)), format!("site_root_{}.cer", &sha1(&site)[..8])]
        );
    }
}
