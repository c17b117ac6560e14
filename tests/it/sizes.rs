//! Sizes the code keeps to: no source file in `src/` over 800 lines. (No function over 120 lines is
//! clippy's `too_many_lines`, denied in `lib.rs` and `main.rs` with the threshold in `clippy.toml`.)

use std::path::Path;

const MAX_FILE_LINES: usize = 800;

#[test]
fn no_source_file_is_over_800_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut checked = 0;
    let mut over = Vec::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "rs") {
            let lines = std::fs::read_to_string(entry.path())
                .unwrap()
                .lines()
                .count();
            checked += 1;
            if lines > MAX_FILE_LINES {
                over.push(format!("{} ({lines} lines)", entry.path().display()));
            }
        }
    }
    assert!(
        checked > 20,
        "only {checked} source files found under {}",
        src.display()
    );
    assert!(over.is_empty(), "over {MAX_FILE_LINES} lines: {over:#?}");
}
