//! The dashboard in a real browser: headless Chromium driven by chromedriver
//! over plain W3C WebDriver HTTP. Against an instrumented workload running
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

use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::workload::{installed, place_orders};
use common::{get_json, send};
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const WAIT: Duration = Duration::from_secs(30);

/// `name` from the environment variable `var`, else the first of `paths`
/// that exists; fails with the install command otherwise.
fn program(var: &str, paths: &[&str]) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    paths
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "{} not found (looked at {paths:?}, and ${var} is not set): this test needs \
                 headless Chromium; install it with `apt-get install chromium chromium-driver` \
                 (scripts/test-all does)",
                paths[0]
            )
        })
}

/// Where screenshots go: `<target>/test-artifacts`, found from this test's
/// own path (`<target>/<profile>/deps/<test>`).
fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test runs from <target>/<profile>/deps");
    let dir = target.join("test-artifacts");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A chromedriver process and one browser session; both end on drop.
struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: PathBuf,
    log: PathBuf,
}

impl Browser {
    fn start() -> Browser {
        let chromedriver = program("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let chromium = program("CHROMIUM", &["/usr/bin/chromium"]);
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let profile =
            std::env::temp_dir().join(format!("omniscope-present-chromium-{}", std::process::id()));
        fs::create_dir_all(&profile).unwrap();
        let log = profile.with_extension("chromedriver.log");
        // No --allowed-ips: without it chromedriver listens on loopback only.
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            profile,
            log,
        };
        browser.wait_until_ready();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--disable-quic",
                         "--window-size=1400,1000",
                         format!("--user-data-dir={}", browser.profile.display())]
            }
        }}});
        let created = browser.call("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        browser
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!(
                    "chromedriver exited at start ({status}); log: {}",
                    self.log_tail()
                );
            }
            if std::net::TcpStream::connect(self.addr).is_ok() {
                let ready = send(self.addr, "GET", "/status", &[], None).json();
                if ready["value"]["ready"] == true {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready in {WAIT:?}; log: {}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One WebDriver command; returns its `value`, failing on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let reply = send(self.addr, method, path, &[], body.as_deref());
        let value = reply.json()["value"].clone();
        assert_eq!(reply.status, 200, "{method} {path}: {value}");
        value
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body) in the page.
    fn script(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until `css` matches an element, and returns its id.
    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.script(
                "const e = document.querySelector(arguments[0]); return e !== null;",
                json!([css]),
            );
            if found == true {
                let el = self.session_call(
                    "POST",
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                );
                return el[ELEMENT].as_str().unwrap().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no element {css:?} within {WAIT:?}; page at {}",
                self.script("return location.href;", json!([]))
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn click(&self, css: &str) {
        let id = self.find(css);
        self.session_call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.session_call("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits until the view `name` has drawn its data.
    fn wait_view(&self, name: &str) {
        self.find(&format!("#view-{name}.active[data-state=loaded]"));
    }

    fn screenshot(&self, path: &Path) {
        let png = self.session_call("GET", "/screenshot", None);
        fs::write(path, base64_decode(png.as_str().unwrap())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(|| {
                send(
                    self.addr,
                    "DELETE",
                    &format!("/session/{}", self.session),
                    &[],
                    None,
                )
            });
        }
        // `/shutdown` ends chromedriver at once; kill is the fallback.
        let _ = std::panic::catch_unwind(|| send(self.addr, "GET", "/shutdown", &[], None));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.driver.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = fs::remove_dir_all(&self.profile);
        let _ = fs::remove_file(&self.log);
    }
}

/// Standard base64 (the screenshot's encoding), without a dependency.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}

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
        let calls = browser.text(&format!(
            "tr.function-row[data-function$='::{function}'] td.fn-calls"
        ));
        let calls: u64 = calls
            .replace(',', "")
            .parse()
            .unwrap_or_else(|_| panic!("calls of {function}: {calls:?}"));
        assert!(calls > 0, "{function} has no calls");
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
    browser.open(&format!("{url}#/traces"));
    browser.wait_view("traces");
    browser.click(&format!(
        "#traces-recent tr.trace-row[data-trace-id='{trace_id}']"
    ));
    browser.wait_view("trace");
    assert_eq!(browser.text("#trace-id"), trace_id);

    // 3. As a waterfall of nested spans.
    let rows = browser.script(
        "return [...document.querySelectorAll('#waterfall-rows .span-row')].map(r => ({
            name: r.querySelector('.span-name').textContent, depth: +r.dataset.depth,
            id: r.dataset.spanId, parent: r.dataset.parentSpanId,
            bar: r.querySelector('.span-bar').getBoundingClientRect().width }));",
        json!([]),
    );
    let rows = rows.as_array().unwrap();
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
    browser.click("#trace-logs-link");
    browser.wait_view("logs");
    let logs = browser.script(
        "return [...document.querySelectorAll('#logs-table tr.log-row')].map(r => ({
            trace: r.dataset.traceId, message: r.querySelector('.log-message').textContent }));",
        json!([]),
    );
    let logs = logs.as_array().unwrap();
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
