//! A crash at any write loses nothing (issue 16). The binary the tests run is built with the
//! `failpoints` feature (src/failpoint.rs): `CERTBUNDLE_FAILPOINT=k` aborts it right after its
//! k-th change to the file system. Each test stops a run at every k in turn, from the same start,
//! and checks what is left: no incomplete bundle, folder or file under a final name; folder and zip
//! never disagree; the bundle being replaced intact (at its name, or whole in the staging folder the
//! next run names); and the next run either succeeds or names exactly that leftover.

use std::path::Path;

use crate::common::winexe::{Tree, restore, tree};
use crate::common::*;

/// The build every test here stops: bundle `b` of `input/` into `out/`.
const BUILD: [&str; 10] = [
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
];

/// Runs certbundle in `dir`, stopped after its `k`-th file-system change (`None`: not stopped).
fn run(dir: &Path, args: &[&str], k: Option<u64>) -> std::process::Output {
    let mut cmd = certbundle();
    cmd.current_dir(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    if let Some(k) = k {
        cmd.env("CERTBUNDLE_FAILPOINT", k.to_string());
    }
    cmd.output().unwrap()
}

/// Whether the run was stopped by the failpoint (SIGABRT), not finished.
fn aborted(out: &std::process::Output) -> bool {
    use std::os::unix::process::ExitStatusExt;
    out.status.signal() == Some(6)
}

/// The digest `verify` gives `path` (folder or zip), which must pass.
fn verified_digest(dir: &Path, path: &str) -> String {
    let out = run(dir, &["verify", "--json", path], None);
    assert!(
        out.status.success(),
        "{path} is under its final name but does not verify:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    strict_json(&out.stdout)["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The entries directly in `dir` whose names start with `prefix`.
fn named(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Stops `args` (a build of bundle `b` into `out/`) at every step, and checks each time.
/// `old`: the bundle there before (its folder's tree, zip bytes and digest), for `--force`.
fn every_step_of_a_build(dir: &Path, args: &[&str], old: Option<(&Tree, &[u8], &str)>) -> u64 {
    let start = tree(dir);
    let out_dir = dir.join("out");
    let mut k = 1;
    loop {
        let stopped = run(dir, args, Some(k));
        if stopped.status.success() {
            break;
        }
        assert!(aborted(&stopped), "k={k}: {stopped:?}");
        // Under the final names: complete bundles only, and the same one.
        let folder = out_dir
            .join("b")
            .exists()
            .then(|| verified_digest(dir, "out/b"));
        let zip = out_dir
            .join("b.zip")
            .exists()
            .then(|| verified_digest(dir, "out/b.zip"));
        if let (Some(f), Some(z)) = (&folder, &zip) {
            assert_eq!(f, z, "k={k}: folder and zip disagree");
        }
        let staging = named(&out_dir, ".b.certbundle-tmp-");
        assert!(staging.len() <= 1, "k={k}: {staging:?}");
        if let Some((old_tree, old_zip, old_digest)) = old {
            // The old bundle: still at its names, or whole in the staging folder's replaced/.
            let aside = |i: &str| {
                staging
                    .first()
                    .map(|s| out_dir.join(s).join("replaced").join(i))
            };
            if folder.as_deref() != Some(old_digest) {
                let kept = aside("0").filter(|p| p.is_dir()).map(|p| tree(&p));
                let new_complete = folder.is_some() && zip.is_some();
                assert!(
                    kept.as_ref() == Some(old_tree) || new_complete,
                    "k={k}: the old bundle folder is lost"
                );
            }
            if zip.as_deref() != Some(old_digest) {
                let kept = aside("1").and_then(|p| std::fs::read(p).ok());
                let new_complete = folder.is_some() && zip.is_some();
                assert!(
                    kept.as_deref() == Some(old_zip) || new_complete,
                    "k={k}: the old zip is lost"
                );
            }
        }
        // The next run succeeds, or names exactly the leftover to remove.
        let next = run(dir, args, None);
        let stderr = String::from_utf8_lossy(&next.stderr);
        if !next.status.success() && staging.is_empty() {
            // Stopped after its last change: the bundle is complete, and without --force the
            // next run says so.
            assert!(folder.is_some() && zip.is_some(), "k={k}: {stderr}");
            assert!(
                stderr.starts_with("error: out/b: already exists"),
                "k={k}: {stderr}"
            );
        } else if !next.status.success() {
            assert_eq!(staging.len(), 1, "k={k}: {stderr}");
            let leftover = Path::new("out").join(&staging[0]);
            assert!(
                stderr.starts_with(&format!("error: {}: ", leftover.display())),
                "k={k}: {stderr}"
            );
            std::fs::remove_dir_all(dir.join(&leftover)).unwrap();
            let after = run(dir, args, None);
            // Then it succeeds; or, a complete folder or zip being at its name already (checked
            // above), says so, and with --force it succeeds.
            if !after.status.success() {
                let stderr = String::from_utf8_lossy(&after.stderr);
                assert!(
                    (folder.is_some() || zip.is_some()) && stderr.contains("already exists"),
                    "k={k}: {stderr}"
                );
                let mut forced = args.to_vec();
                forced.push("--force");
                let forced = run(dir, &forced, None);
                assert!(forced.status.success(), "k={k}: {forced:?}");
            }
        }
        restore(dir, &start);
        k += 1;
        assert!(k < 500, "the build never finished");
    }
    k
}

#[test]
fn a_build_stopped_at_any_write_leaves_no_partial_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    good_input(tmp.path());
    let steps = every_step_of_a_build(tmp.path(), &BUILD, None);
    // Every folder, file, write, time and mode, and the renames: well over a dozen steps.
    assert!(steps > 20, "{steps}");
}

#[test]
fn a_forced_replace_stopped_at_any_write_keeps_the_old_bundle() {
    let tmp = tempfile::tempdir().unwrap();
    let input = good_input(tmp.path());
    let args = [&BUILD[..], &["--force"]].concat();
    assert!(run(tmp.path(), &args, None).status.success());
    let old_tree = tree(&tmp.path().join("out/b"));
    let old_zip = std::fs::read(tmp.path().join("out/b.zip")).unwrap();
    let old_digest = verified_digest(tmp.path(), "out/b");
    write(&input, "more.pem", root("More Root").pem());
    every_step_of_a_build(tmp.path(), &args, Some((&old_tree, &old_zip, &old_digest)));
}

#[test]
fn extract_stopped_at_any_write_leaves_only_whole_certificate_files() {
    let tmp = tempfile::tempdir().unwrap();
    let root = root("Crash Root");
    let inter = intermediate("Crash Intermediate", &root);
    let signer = leaf("Crash Signer", &inter);
    hand_signed(
        tmp.path(),
        "app.exe",
        &[(&[&signer, &inter, &root], &signer)],
    );
    let args = ["extract", "app.exe", "-o", "certs"];
    let start = tree(tmp.path());
    let expected = [inter.der.clone(), root.der.clone()];
    let mut k = 1;
    loop {
        let stopped = run(tmp.path(), &args, Some(k));
        if stopped.status.success() {
            break;
        }
        assert!(aborted(&stopped), "k={k}: {stopped:?}");
        // Every visible file is one whole certificate; staging folders are hidden.
        for name in named(&tmp.path().join("certs"), "") {
            let path = tmp.path().join("certs").join(&name);
            if name.starts_with('.') {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                expected.contains(&bytes),
                "k={k}: {name} is not a whole certificate"
            );
        }
        let next = run(tmp.path(), &args, None);
        assert!(next.status.success(), "k={k}: {next:?}");
        restore(tmp.path(), &start);
        k += 1;
        assert!(k < 200, "extract never finished");
    }
    assert!(k > 4, "{k}");
}

#[test]
fn release_builds_have_no_failpoint() {
    // The feature is a test-only dev-dependency feature: the library code that reads the variable
    // is compiled only with it, and the name appears in no build made without it.
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let toml: toml::Value = toml::from_str(&manifest).unwrap();
    assert!(
        toml["features"].get("default").is_none(),
        "no default features"
    );
    assert_eq!(
        toml["dev-dependencies"]["certbundle"]["features"][0].as_str(),
        Some("failpoints")
    );
    assert!(toml["dependencies"].get("certbundle").is_none());
}

#[test]
fn a_file_where_the_output_folder_must_go_is_a_clear_error_and_nothing_is_written() {
    // Root may write anywhere, so a read-only folder proves nothing here; a file standing where
    // the output folder must go stops root too.
    let tmp = tempfile::tempdir().unwrap();
    good_input(tmp.path());
    write(tmp.path(), "out", b"a file, not a folder");
    let start = tree(tmp.path());
    for (args, shown) in [
        (
            &[
                "build",
                "--profile",
                "none",
                "--now",
                NOW,
                "--name",
                "b",
                "-o",
                "out/sub",
                "input",
            ][..],
            "out/sub",
        ),
        (&BUILD[..], "out"),
    ] {
        let out = run(tmp.path(), args, None);
        assert_eq!(out.status.code(), Some(2), "{out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with(&format!("error: {shown}: cannot ")),
            "{stderr}"
        );
        assert!(stderr.contains("\n  hint: "), "{stderr}");
        assert_eq!(tree(tmp.path()), start, "something was written");
    }
}

#[test]
#[ignore = "mounts a 64 KiB tmpfs: needs root with CAP_SYS_ADMIN (run with --ignored; run on 2026-12-02)"]
fn a_full_disk_is_a_clear_error_and_leaves_nothing_half_written() {
    let tmp = tempfile::tempdir().unwrap();
    good_input(tmp.path());
    let disk = tmp.path().join("stick");
    std::fs::create_dir(&disk).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
        .arg(&disk)
        .status()
        .unwrap();
    assert!(mounted.success(), "cannot mount a tmpfs here");
    struct Unmount<'a>(&'a Path);
    impl Drop for Unmount<'_> {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(self.0).status();
        }
    }
    let _unmount = Unmount(&disk);
    let out = run(
        tmp.path(),
        &[
            "build",
            "--profile",
            "none",
            "--now",
            NOW,
            "--name",
            "b",
            "-o",
            "stick",
            "input",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(
        stderr.contains("\n  hint: check the path, free space and permissions"),
        "{stderr}"
    );
    // Nothing under the final names, and the staging folder is gone.
    assert_eq!(listing(&disk), Vec::<String>::new());
}
