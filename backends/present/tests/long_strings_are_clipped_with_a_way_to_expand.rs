//! Issue #18, item 7, in headless Chromium: a long log message is shown
//! clipped, with a button that shows it whole; the functions table sorts
//! on any column, its order kept in the URL, and rows are reachable with
//! the keyboard.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::workload::{installed, place_orders};
use omniscope_tests::browser::Browser;
use serde_json::json;

#[test]
fn a_long_message_expands_and_the_functions_sort_from_the_url() {
    let app = installed();
    place_orders(12);
    let long = format!("begin {} end", "x".repeat(2000));
    omniscope::info!("{long}");
    app.flush();
    let url = app.server.url();
    let browser = Browser::start();

    browser.open(&format!("{url}#/logs?q=begin"));
    browser.wait_view("logs");
    let shown = browser.text("#logs-table tr.log-row td.log-message");
    assert!(shown.len() < 300 && shown.starts_with("begin x"), "{shown}");
    assert!(!shown.contains("end"), "clipped: {shown}");
    browser.click("#logs-table tr.log-row td.log-message button.more");
    let whole = browser.text("#logs-table tr.log-row td.log-message");
    assert!(
        whole.ends_with(" end") && whole.len() >= 2000,
        "{}",
        whole.len()
    );

    // Sorted by p50 of successful calls, ascending, from the URL.
    browser.open(&format!("{url}#/functions?sort=success.p50_ms&desc=0"));
    browser.wait_view("functions");
    let sorted = browser.script(
        "return [...document.querySelectorAll('#functions-table th[aria-sort=ascending]')].map(t => t.dataset.sort);",
        json!([]),
    );
    assert_eq!(sorted, json!(["success.p50_ms"]));
    // A click on the Calls header sorts by calls, most first, in the URL.
    browser.click("#functions-table th[data-sort=calls]");
    browser.find("#functions-table th[data-sort=calls][aria-sort=descending]");
    let hash = browser.script("return location.hash;", json!([]));
    assert_eq!(hash, "#/functions?sort=calls");
    let calls = browser.script(
        "return [...document.querySelectorAll('#functions-table td.fn-calls')].map(t => +t.textContent.replace(/,/g, ''));",
        json!([]),
    );
    let calls: Vec<u64> = serde_json::from_value(calls).unwrap();
    assert!(calls.windows(2).all(|w| w[0] >= w[1]), "{calls:?}");

    // Keyboard: a trace row takes the focus and opens with Enter.
    browser.open(&format!("{url}#/traces"));
    browser.wait_view("traces");
    let id = browser.script(
        "const row = document.querySelector('#traces-matching tr.trace-row'); row.focus();
         row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
         return row.dataset.traceId;",
        json!([]),
    );
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), id.as_str().unwrap());
}
