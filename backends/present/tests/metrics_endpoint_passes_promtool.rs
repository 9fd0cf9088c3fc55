//! `/metrics` after an instrumented workload passes the real
//! `promtool check metrics` (Debian `prometheus`; `PROMTOOL` overrides the
//! path), with the process, function and pipeline metrics in it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::workload::{installed, place_orders};
use common::{get, get_with};
use omniscope_tests::prometheus::promtool_check_metrics;

#[test]
fn the_scrape_is_valid_exposition_text() {
    let app = installed();
    place_orders(10);
    app.flush();

    let scrape = get(app.addr(), "/metrics");
    assert_eq!(scrape.status, 200);
    assert_eq!(
        scrape.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    for name in [
        "function_calls_total{",
        "function_duration_seconds_bucket{",
        "orders_placed_total{",
        "omniscope_exporter_exported_total{",
    ] {
        assert!(scrape.body.contains(name), "no {name} in:\n{}", scrape.body);
    }
    #[cfg(target_os = "linux")]
    for name in [
        "process_resident_memory_bytes ",
        "process_cpu_seconds_total ",
        "process_open_fds ",
        "process_threads ",
    ] {
        assert!(scrape.body.contains(name), "no {name} in:\n{}", scrape.body);
    }

    if let Err(e) = promtool_check_metrics(&scrape.body) {
        panic!("{e}\n--- scrape ---\n{}", scrape.body);
    }
}

#[test]
fn openmetrics_is_served_when_asked_for() {
    let app = installed();
    let scrape = get_with(
        app.addr(),
        "/metrics",
        &[(
            "Accept",
            "application/openmetrics-text;version=1.0.0,text/plain;q=0.5",
        )],
    );
    assert_eq!(scrape.status, 200);
    assert!(scrape
        .header("content-type")
        .unwrap()
        .starts_with("application/openmetrics-text"));
    assert!(scrape.body.trim_end().ends_with("# EOF"), "{}", scrape.body);
}
