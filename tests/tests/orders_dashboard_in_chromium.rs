//! The README's main job, seen the way a user sees it: `orders` runs with its
//! load generator, and in headless Chromium its dashboard lists the order
//! functions with calls, opens a request's trace as a waterfall of nested
//! spans, and shows that trace's logs one click away. Screenshots go to
//! `<target>/test-artifacts/orders-*.png`.
//!
//! Runs the `orders` binary (`omniscope_tests::orders`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use omniscope_tests::browser::{artifacts_dir, Browser, WAIT};
use omniscope_tests::dashboard::{function_calls, open_trace, open_trace_logs, waterfall};
use omniscope_tests::http::get_json;
use omniscope_tests::orders::Orders;
use serde_json::Value;

/// The functions a placed order runs through (`module::function`, and
/// `module::Type::method` for methods, #14).
const ORDER_FUNCTIONS: [&str; 4] = [
    "orders::orders::Orders::create_order",
    "orders::validate::validate",
    "orders::inventory::Inventory::reserve",
    "orders::payment::Payments::charge",
];

/// Polls `orders`' dashboard API until `ready` accepts what `path` answers.
fn wait_for(
    dashboard: SocketAddr,
    path: &str,
    what: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let value = get_json(dashboard, path);
        if ready(&value) {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} within {WAIT:?}: {value}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// A complete `POST /orders` trace without errors whose spans nest at least
/// three deep (request → create_order → its steps).
fn successful_order(traces: &Value) -> Option<String> {
    traces["recent"].as_array()?.iter().find_map(|t| {
        let ok = t["root"] == "POST /orders"
            && t["complete"] == true
            && t["errors"] == 0
            && t["span_count"].as_u64() >= Some(5);
        ok.then(|| t["trace_id"].as_str().map(str::to_owned))
            .flatten()
    })
}

#[test]
fn orders_dashboard_in_chromium() {
    let dashboard = free_port();
    let dashboard_arg = dashboard.to_string();
    let orders = Orders::start(
        // A light load: the dashboard keeps the latest 200 traces, so the
        // trace the test picks must not be pushed out before the browser
        // clicks it on a busy machine. `--run-for`: a bound on the run,
        // should the test leave it behind.
        &[
            "--dashboard",
            &dashboard_arg,
            "--load",
            "4",
            "--seed",
            "7",
            "--run-for",
            "300",
        ],
        &[("RUST_LOG", "info")],
    );
    assert_eq!(
        orders.dashboard(),
        Some(format!("http://{dashboard}/").as_str()),
        "the printed dashboard URL"
    );
    let funcs = wait_for(
        dashboard,
        "/api/funcs",
        "calls of every order function",
        |v| {
            ORDER_FUNCTIONS.iter().all(|name| {
                v["functions"].as_array().is_some_and(|fs| {
                    fs.iter()
                        .any(|f| f["name"] == *name && f["calls"].as_u64() > Some(0))
                })
            })
        },
    );
    let traces = wait_for(dashboard, "/api/traces", "successful order", |v| {
        successful_order(v).is_some()
    });
    let trace_id = successful_order(&traces).unwrap();
    let url = format!("http://{dashboard}/");
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    // 1. The functions table lists the order functions, with calls.
    browser.open(&format!("{url}#/functions"));
    browser.wait_view("functions");
    for name in ORDER_FUNCTIONS {
        let calls = function_calls(
            &browser,
            &format!("tr.function-row[data-function='{name}']"),
        );
        assert!(calls > 0, "{name} shows no calls; the API said {funcs}");
    }
    browser.screenshot(&artifacts.join("orders-functions.png"));

    // 2. The order's trace opens from the traces list as a waterfall.
    open_trace(&browser, &url, &trace_id);
    let rows = waterfall(&browser);
    let find = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("no span {name} in the waterfall: {rows:?}"))
    };
    let (root, create, validate) = (find("POST /orders"), find("create_order"), find("validate"));
    assert_eq!(root["depth"], 0, "{rows:?}");
    assert_eq!(
        create["parent"], root["id"],
        "create_order under the request: {rows:?}"
    );
    assert_eq!(create["depth"], 1, "{rows:?}");
    assert_eq!(
        validate["parent"], create["id"],
        "validate under create_order: {rows:?}"
    );
    assert_eq!(validate["depth"], 2, "{rows:?}");
    browser.click("#waterfall-rows .span-row[data-depth='1']");
    browser.find("#span-details:not([hidden])");
    browser.screenshot(&artifacts.join("orders-waterfall.png"));

    // 3. Its logs, one click away, all of that trace.
    let logs = open_trace_logs(&browser);
    assert!(
        logs.iter().any(|l| l["message"] == "order created"),
        "the order's log: {logs:?}"
    );
    assert!(
        logs.iter().all(|l| l["trace"] == trace_id.as_str()),
        "only that trace's logs: {logs:?}"
    );
    browser.screenshot(&artifacts.join("orders-dashboard.png"));
}
