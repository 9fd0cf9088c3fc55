//! Issue #18, item 1, in headless Chromium: every view's state lives in
//! the URL, so a shared link restores it: the traces view's filters (root
//! name, minimum duration, errors only, attribute) and a trace with a
//! selected span; a filter typed in the page lands in the URL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_json;
use common::workload::{installed, place_orders};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::{json, Value};

fn rows(browser: &Browser) -> Vec<Value> {
    browser
        .script(
            "return [...document.querySelectorAll('#traces-matching tr.trace-row')].map(r => r.dataset.traceId);",
            json!([]),
        )
        .as_array()
        .cloned()
        .unwrap()
}

#[test]
fn filters_and_a_selected_span_come_back_from_a_link() {
    let app = installed();
    place_orders(20);
    app.flush();
    let url = app.server.url();
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    // A link with filters: failed orders that reached the payment table.
    let api = get_json(
        app.addr(),
        "/api/traces?root=place&errors=1&attr=table=payments&min_ms=0",
    );
    let expected: Vec<&str> = api["matching"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["trace_id"].as_str().unwrap())
        .collect();
    assert!(!expected.is_empty());
    browser.open(&format!(
        "{url}#/traces?root=place&errors=1&attr=table%3Dpayments&min_ms=0"
    ));
    browser.wait_view("traces");
    let form = browser.script(
        "return [document.getElementById('tf-root').value, document.getElementById('tf-errors').checked,
                 document.getElementById('tf-attr').value, document.getElementById('tf-min').value];",
        json!([]),
    );
    assert_eq!(form, json!(["place", true, "table=payments", "0"]));
    assert_eq!(rows(&browser), expected);
    let dots = browser.script(
        "return [...document.querySelectorAll('#traces-scatter .scatter-dot')].every(d => d.classList.contains('error'));",
        json!([]),
    );
    assert_eq!(dots, true, "errors only: every dot is red");
    browser.screenshot(&artifacts.join("dashboard-traces-filtered.png"));

    // Typing a filter writes it into the URL (debounced).
    browser.click("#tf-clear");
    browser.wait_view("traces");
    let input = browser.find("#tf-root");
    browser.session_call(
        "POST",
        &format!("/element/{input}/value"),
        Some(json!({"text": "nothing-is-called-this"})),
    );
    browser.find("#matching-count");
    let deadline = std::time::Instant::now() + omniscope_tests::browser::WAIT;
    while !browser
        .script("return location.hash;", json!([]))
        .as_str()
        .unwrap()
        .contains("root=nothing-is-called-this")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the filter never reached the URL"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    browser.find("#traces-scatter .empty-text");

    // A link to a trace with a span selected.
    let trace = expected[0];
    let detail = get_json(app.addr(), &format!("/api/traces/{trace}"));
    let span = detail["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "charge_card")
        .unwrap();
    let span_id = span["span_id"].as_str().unwrap();
    browser.open(&format!("{url}#/traces/{trace}?span={span_id}"));
    browser.wait_view("trace");
    browser.find("#span-details:not([hidden])");
    assert_eq!(browser.text("#span-details-name"), "charge_card");
    assert_eq!(
        browser.script(
            "return document.querySelector('#waterfall-rows .span-row.selected').dataset.spanId;",
            json!([])
        ),
        span_id
    );
    let fields = browser.text("#span-details-fields");
    assert!(fields.contains("error: payment failed"), "{fields}");
    browser.screenshot(&artifacts.join("dashboard-trace-span-selected.png"));
}
