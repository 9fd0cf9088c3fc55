//! The README's main job, seen the way a user sees it: `orders` runs with its
//! load generator, and in headless Chromium its dashboard lists the order
//! functions with calls, opens a request's trace as a waterfall of nested
//! spans, and shows that trace's logs one click away. Screenshots go to
//! `<target>/test-artifacts/orders-*.png`.
//!
//! Runs the `orders` binary (`OMNISCOPE_ORDERS_BIN`, else
//! `<target>/debug/examples/orders`; `scripts/test-all` builds it first).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use omniscope_tests::browser::{artifacts_dir, Browser, WAIT};
use omniscope_tests::http::get_json;
use serde_json::{json, Value};

/// The functions a placed order runs through (`module::function`).
const ORDER_FUNCTIONS: [&str; 4] = [
    "orders::orders::create_order",
    "orders::validate::validate",
    "orders::inventory::reserve",
    "orders::payment::charge",
];

/// A running `orders`; interrupted (then killed, if need be) on drop.
struct Orders {
    child: Child,
    dashboard: SocketAddr,
}

impl Orders {
    fn start() -> Orders {
        let binary = orders_binary();
        let dashboard = free_port();
        let mut child = Command::new(&binary)
            .args(["--addr", "127.0.0.1:0", "--load", "40", "--seed", "7"])
            .args(["--dashboard", &dashboard.to_string()])
            // A bound on the test, should it be left behind.
            .args(["--run-for", "300"])
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let url = dashboard_line(&mut child);
        assert_eq!(
            url,
            format!("http://{dashboard}/"),
            "the printed dashboard URL"
        );
        Orders { child, dashboard }
    }

    /// Polls the JSON API until `ready` accepts what `path` answers.
    fn wait_for(&self, path: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let value = get_json(self.dashboard, path);
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
}

impl Drop for Orders {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn orders_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("OMNISCOPE_ORDERS_BIN") {
        return PathBuf::from(path);
    }
    // This test runs from <target>/debug/deps/.
    let exe = std::env::current_exe().unwrap();
    let path = exe.ancestors().nth(2).unwrap().join("examples/orders");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p omniscope-examples --example orders` \
         (scripts/test-all does), or set OMNISCOPE_ORDERS_BIN",
        path.display()
    );
    path
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

/// The URL `orders` prints on its `dashboard:` line, read within [`WAIT`].
fn dashboard_line(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("orders: dashboard: ") {
                let _ = tx.send(url.to_owned());
            }
            // Keep reading, so that the service never blocks on a full pipe.
        }
    });
    rx.recv_timeout(WAIT)
        .unwrap_or_else(|_| panic!("orders printed no dashboard line within {WAIT:?}"))
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
    let orders = Orders::start();
    let funcs = orders.wait_for("/api/funcs", "calls of every order function", |v| {
        ORDER_FUNCTIONS.iter().all(|name| {
            v["functions"].as_array().is_some_and(|fs| {
                fs.iter()
                    .any(|f| f["name"] == *name && f["calls"].as_u64() > Some(0))
            })
        })
    });
    let traces = orders.wait_for("/api/traces", "successful order", |v| {
        successful_order(v).is_some()
    });
    let trace_id = successful_order(&traces).unwrap();
    let url = format!("http://{}/", orders.dashboard);
    let artifacts = artifacts_dir();
    let browser = Browser::start();

    // 1. The functions table lists the order functions, with calls.
    browser.open(&format!("{url}#/functions"));
    browser.wait_view("functions");
    for name in ORDER_FUNCTIONS {
        let calls = browser.text(&format!(
            "tr.function-row[data-function='{name}'] td.fn-calls"
        ));
        let calls: u64 = calls
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("calls of {name}: {calls:?}"));
        assert!(calls > 0, "{name} shows no calls; the API said {funcs}");
    }
    browser.screenshot(&artifacts.join("orders-functions.png"));

    // 2. The order's trace opens from the traces list as a waterfall.
    browser.open(&format!("{url}#/traces"));
    browser.wait_view("traces");
    browser.click(&format!(
        "#traces-recent tr.trace-row[data-trace-id='{trace_id}']"
    ));
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), trace_id);
    let rows = browser.script(
        "return [...document.querySelectorAll('#waterfall-rows .span-row')].map(r => ({
            name: r.querySelector('.span-name').textContent, depth: +r.dataset.depth,
            id: r.dataset.spanId, parent: r.dataset.parentSpanId || null }));",
        json!([]),
    );
    let rows = rows.as_array().unwrap();
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
    browser.click("#trace-logs-link");
    browser.wait_view("logs");
    browser.find("#logs-table tr.log-row");
    let logs = browser.script(
        "return [...document.querySelectorAll('#logs-table tr.log-row')].map(r => ({
            trace: r.dataset.traceId, message: r.querySelector('.log-message').textContent }));",
        json!([]),
    );
    let logs = logs.as_array().unwrap();
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
