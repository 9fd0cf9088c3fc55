//! The dashboard in a real browser (`omniscope_tests::browser`: headless
//! Chromium driven by chromedriver over plain W3C WebDriver HTTP). Against an instrumented workload running
//! in this process, it checks that the functions table lists the order
//! functions with calls, that a trace opens as a waterfall of nested spans
//! with details on click, and that the trace's logs are one click away; it
//! saves screenshots under `<target>/test-artifacts/`.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`scripts/test-all`
//! installs them); `CHROMIUM` and `CHROMEDRIVER` override the paths. Every
//! wait has a deadline.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::get_json;
use common::workload::{installed, place_orders};
use omniscope_tests::browser::{artifacts_dir, Browser};
use omniscope_tests::dashboard::{function_calls, open_trace, open_trace_logs, waterfall};
use serde_json::json;

#[test]
fn functions_waterfall_and_trace_logs_work_in_chromium() {
    let app = installed();
    place_orders(12);
    app.flush();
    let url = app.server.url();
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    // 1. The functions table lists the order functions, with calls.
    browser.open(&format!("{url}#/functions"));
    browser.wait_view("functions");
    for function in ["place_order", "validate_order", "charge_card"] {
        let row = format!("tr.function-row[data-function$='::{function}']");
        assert!(
            function_calls(&browser, &row) > 0,
            "{function} has no calls"
        );
    }
    browser.screenshot(&artifacts.join("dashboard-functions.png"));

    // 2. A successful order's trace (4 spans) opens from the traces list.
    let traces = get_json(app.addr(), "/api/traces");
    let trace_id = traces["recent"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["root"] == "place_order" && t["span_count"] == 4)
        .and_then(|t| t["trace_id"].as_str())
        .expect("a successful order")
        .to_owned();
    open_trace(&browser, &url, &trace_id);

    // 3. As a waterfall of nested spans.
    let rows = waterfall(&browser);
    let shape: Vec<(&str, u64)> = rows
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["depth"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            ("place_order", 0),
            ("validate_order", 1),
            ("charge_card", 1),
            ("db.insert", 2)
        ]
    );
    assert_eq!(
        rows[3]["parent"], rows[2]["id"],
        "db.insert is nested under charge_card"
    );
    assert_eq!(rows[1]["parent"], rows[0]["id"]);
    assert!(
        rows.iter().all(|r| r["bar"].as_f64().unwrap() >= 1.0),
        "every span has a bar"
    );

    // 4. A click on a span shows its attributes.
    browser.click("#waterfall-rows .span-row[data-depth='2']");
    browser.find("#span-details:not([hidden])");
    assert_eq!(browser.text("#span-details-name"), "db.insert");
    assert!(browser
        .text("#span-details-attributes")
        .contains("payments"));
    browser.screenshot(&artifacts.join("dashboard.png"));

    // 5. The trace's logs, one click away.
    let logs = open_trace_logs(&browser);
    let messages: Vec<&str> = logs
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages, ["charging card", "placing order"], "newest first");
    assert!(logs.iter().all(|l| l["trace"] == trace_id.as_str()));
    assert_eq!(
        browser.script(
            "return document.getElementById('log-trace').value;",
            json!([])
        ),
        trace_id.as_str()
    );
    browser.screenshot(&artifacts.join("dashboard-logs.png"));

    // The other views draw without errors too.
    for view in ["traces", "callgraph", "errors", "metrics", "status"] {
        browser.open(&format!("{url}#/{view}"));
        browser.wait_view(view);
        let banner = browser.script(
            "return document.getElementById('error-banner').hidden;",
            json!([]),
        );
        assert_eq!(
            banner,
            true,
            "{view} shows an error: {}",
            browser.text("#error-banner")
        );
        browser.screenshot(&artifacts.join(format!("dashboard-{view}.png")));
    }
    let nodes = browser.script(
        "return document.querySelectorAll('#callgraph-svg .cg-node').length;",
        json!([]),
    );
    assert!(nodes.as_u64().unwrap() >= 3, "{nodes}");
    let errors = browser.script(
        "return document.querySelectorAll('#errors-list .error-item').length;",
        json!([]),
    );
    assert!(errors.as_u64().unwrap() > 0, "{errors}");
}
