//! Issue #12: each backend is one module of the kit. Its Cargo feature is
//! named in its module (`src/backends/<name>.rs`) and in its re-export in
//! `lib.rs`, nowhere else in the kit's code, so adding a backend (Zipkin,
//! statsd, Sentry) is one module and one line in the table of
//! `src/backends/mod.rs`. The builder used to name features 53 times.

#![allow(clippy::unwrap_used)] // test support: a failed step is a failed test

use std::path::{Path, PathBuf};

use omniscope_kit::Backend;

/// Every `.rs` file under `dir`, tests left out (a test of one backend
/// is gated on its feature).
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

#[test]
fn each_backend_is_one_module() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    for backend in Backend::ALL {
        let feature = format!("feature = \"{backend}\"");
        let module = root.join(format!("src/backends/{backend}.rs"));
        let lib = root.join("src/lib.rs");
        assert!(
            module.is_file(),
            "{backend} has no module {}",
            module.display()
        );
        let naming: Vec<String> = files
            .iter()
            .filter(|f| **f != module && **f != lib)
            .filter(|f| std::fs::read_to_string(f).unwrap().contains(&feature))
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert!(
            naming.is_empty(),
            "{feature} appears outside the {backend} module: {naming:?}"
        );
        let cargo = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
        assert!(
            cargo.contains(&format!("\n{backend} = [")),
            "Cargo.toml has no `{backend}` feature"
        );
    }
}
