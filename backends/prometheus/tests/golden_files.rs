//! Both formats of a snapshot with every kind of metric, odd names and odd
//! label values, against the files in `tests/golden/` (which Prometheus
//! itself parsed: see `prometheus_scrapes_both_formats.rs`).
//!
//! After an intended change, rewrite them with
//! `OMNISCOPE_UPDATE_GOLDEN=1 cargo test -p omniscope-prometheus --test golden_files`
//! and review the diff.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::path::PathBuf;

use omniscope_prometheus::{Encoder, Format};

fn compare(file: &str, format: Format) {
    let encoder = Encoder::builder().with_quantiles(true).build();
    let text = encoder.render(&common::snapshot(), &common::resource(), format);
    if let Err(e) = common::check(&text, format) {
        panic!("{file}: {e}\n{text}");
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(file);
    if std::env::var_os("OMNISCOPE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if text != want {
        let line = text
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(text.lines().count().min(want.lines().count()));
        panic!(
            "{file} differs from the rendering, first at line {}:\n  golden: {:?}\n  now:    {:?}\n\
             (after an intended change: OMNISCOPE_UPDATE_GOLDEN=1 cargo test -p omniscope-prometheus --test golden_files)\n\
             full rendering:\n{text}",
            line + 1,
            want.lines().nth(line),
            text.lines().nth(line),
        );
    }
}

#[test]
fn classic_text_matches_its_golden_file() {
    compare("every_kind.prom", Format::Text004);
}

#[test]
fn openmetrics_matches_its_golden_file() {
    compare("every_kind.openmetrics", Format::OpenMetrics);
}
