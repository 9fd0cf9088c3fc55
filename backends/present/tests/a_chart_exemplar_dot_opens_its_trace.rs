//! Issue #18, item 4, in headless Chromium: a histogram's chart shows its
//! p50/p90/p99 over the last samples with exemplar dots (samples recorded
//! inside a span), and a click on a dot opens that trace with the span
//! selected; a function's name opens its latency chart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, Instant};

use common::get_json;
use common::workload::{installed, place_orders};
use omniscope_tests::browser::{artifacts_dir, Browser, WAIT};
use serde_json::json;

#[test]
fn an_exemplar_dot_opens_its_trace() {
    let app = installed();
    place_orders(12);
    app.flush();
    // The server samples every 100 ms: wait for an exemplar in the history.
    let deadline = Instant::now() + WAIT;
    while get_json(app.addr(), "/api/metrics?names=payment_amount")["families"][0]["series"][0]
        ["exemplars"]
        .as_array()
        .is_none_or(Vec::is_empty)
    {
        assert!(
            Instant::now() < deadline,
            "no exemplar sampled within {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    place_orders(6);
    std::thread::sleep(Duration::from_millis(300));
    let url = app.server.url();
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    browser.open(&format!(
        "{url}#/metrics?chart=payment_amount&labels=currency%3DEUR"
    ));
    browser.wait_view("metrics");
    browser.find("#chart-panel:not([hidden]) #chart polyline.chart-line");
    let lines = browser.script(
        "return document.querySelectorAll('#chart polyline.chart-line').length;",
        json!([]),
    );
    assert_eq!(lines, 3, "p50, p90 and p99");
    browser.screenshot(&artifacts.join("dashboard-chart.png"));
    let dot = browser.script(
        "const d = document.querySelector('#chart .exemplar-dot'); return d && d.dataset.traceId;",
        json!([]),
    );
    let trace_id = dot.as_str().expect("an exemplar dot").to_owned();
    browser.click("#chart .exemplar-dot");
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), trace_id);
    // The exemplar was recorded in db.insert (inside charge_card): selected.
    browser.find("#span-details:not([hidden])");
    assert_eq!(browser.text("#span-details-name"), "db.insert");
    browser.screenshot(&artifacts.join("dashboard-exemplar-trace.png"));

    // A function's name opens its latency chart.
    browser.open(&format!("{url}#/functions"));
    browser.wait_view("functions");
    browser.click("tr.function-row[data-function$='::place_order'] a.fn-chart");
    browser.wait_view("metrics");
    browser.find("#chart-panel:not([hidden]) #chart polyline.chart-line");
    assert!(browser
        .text("#chart-title")
        .starts_with("function.duration"));
    browser.screenshot(&artifacts.join("dashboard-function-chart.png"));
}
