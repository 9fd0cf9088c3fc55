//! Issue #18, item 1, in headless Chromium: from the first page, the
//! slowest trace's waterfall is two clicks away (the Traces tab, then the
//! scatter's slowest dot), and the page's redraw time is printed (measured
//! in the browser, fetching included; not asserted). Screenshots go to
//! `<target>/test-artifacts/`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::Duration;

use common::get_json;
use common::workload::{installed, place_order, place_orders};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::json;

/// A request that takes long: what the user is looking for (longer than
/// the first failed order, which captures a backtrace).
#[omniscope::instrument]
fn slow_checkout() -> Result<u64, common::workload::OrderError> {
    std::thread::sleep(Duration::from_millis(400));
    place_order(3)
}

#[test]
fn the_slowest_trace_opens_in_two_clicks() {
    let app = installed();
    place_orders(30);
    slow_checkout().unwrap();
    place_orders(30);
    app.flush();
    let url = app.server.url();
    let slowest = get_json(app.addr(), "/api/traces")["matching"][0].clone();
    assert_eq!(slowest["root"], "slow_checkout", "{slowest}");
    let slowest_id = slowest["trace_id"].as_str().unwrap();
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    browser.open(&url);
    browser.wait_view("functions");
    // Click 1: the traces view opens on the scatter.
    browser.click("#nav a[data-view=traces]");
    browser.wait_view("traces");
    let dots = browser.script(
        "return document.querySelectorAll('#traces-scatter .scatter-dot').length;",
        json!([]),
    );
    assert_eq!(dots, 61, "one dot per trace");
    // The slowest trace is also the first row under the scatter.
    assert_eq!(
        browser.script(
            "return document.querySelector('#traces-matching tr.trace-row').dataset.traceId;",
            json!([])
        ),
        slowest_id
    );
    print_redraw(&browser, "traces");
    browser.screenshot(&artifacts.join("dashboard-scatter.png"));
    // Click 2: its dot, the largest.
    browser.click("#traces-scatter .scatter-dot.slowest");
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), slowest_id);
    let names = browser.script(
        "return [...document.querySelectorAll('#waterfall-rows .span-name')].map(e => e.textContent);",
        json!([]),
    );
    assert_eq!(names[0], "slow_checkout");
    assert_eq!(names[1], "place_order");
    print_redraw(&browser, "trace");
    browser.screenshot(&artifacts.join("dashboard-slowest-trace.png"));
}

/// Prints how long the page took to redraw `view` (fetching included).
fn print_redraw(browser: &Browser, view: &str) {
    let ms = browser.script("return window.omniscopeRedraw.ms;", json!([]));
    println!("redraw of #/{view}: {:.1} ms", ms.as_f64().unwrap());
}
