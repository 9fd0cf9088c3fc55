//! Issue #18, item 8: two other processes (this test binary run again as
//! the "payments" and "stock" services) export over OTLP/HTTP — one as
//! protobuf, one as JSON, through omniscope-otlp — to this process's
//! dashboard, inside a trace this process started: the dashboard shows
//! the trace whole, each span with its service, the remote spans' logs by
//! trace id; the waterfall is drawn in headless Chromium (screenshot).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use common::get_json;
use omniscope_otlp::{Otlp, Protocol};
use omniscope_present::Present;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};
use omniscope_tests::browser::{artifacts_dir, Browser};
use serde_json::{json, Value};

const CHILD: &str = "OMNISCOPE_TEST_OTLP_CHILD";
const ENDPOINT: &str = "OMNISCOPE_TEST_OTLP_ENDPOINT";
const TRACEPARENT: &str = "OMNISCOPE_TEST_TRACEPARENT";

/// In a child: the service named by `CHILD`, which handles one request
/// of the parent's trace and exports it over OTLP/HTTP.
fn child(service: &str) {
    let protocol = if service == "stock" {
        Protocol::HttpJson
    } else {
        Protocol::HttpProtobuf
    };
    let otlp = Otlp::builder()
        .with_protocol(protocol)
        .with_endpoint(std::env::var(ENDPOINT).unwrap())
        .build()
        .unwrap();
    let guard = Sdk::builder()
        .with_resource(Resource::new(service.to_owned()))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(otlp.spans())),
        )
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(otlp.logs())),
        )
        .install()
        .unwrap();
    let mut incoming = HashMap::new();
    incoming.insert(
        "traceparent".to_owned(),
        std::env::var(TRACEPARENT).unwrap(),
    );
    {
        let _remote = omniscope::propagation::extract(&incoming).attach();
        let _server = omniscope::span!("handle", service = service);
        omniscope::info!("handling"; service = service);
        let _db = omniscope::span!("db.query", table = service);
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(guard); // flushes: the spans and logs are sent
}

#[test]
fn spans_from_two_other_processes_complete_the_trace() {
    if let Ok(service) = std::env::var(CHILD) {
        return child(&service);
    }
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .with_otlp_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let sdk = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(present.spans())),
        )
        .build()
        .unwrap();
    let server = present.serve(sdk.clone()).unwrap();
    let receiver = present.serve_otlp().unwrap();
    let guard = sdk.clone().install().unwrap();

    let trace_id = {
        let root = omniscope::span!("checkout");
        let trace_id = root.context().unwrap().trace_id().to_string();
        for service in ["payments", "stock"] {
            let _call = omniscope::span!("call", peer = service);
            let mut outgoing = HashMap::new();
            omniscope::propagation::inject_current(&mut outgoing);
            let status = Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "spans_from_two_other_processes_complete_the_trace",
                ])
                .stdout(std::process::Stdio::null())
                .env(CHILD, service)
                .env(ENDPOINT, receiver.url())
                .env(TRACEPARENT, &outgoing["traceparent"])
                .status()
                .unwrap();
            assert!(status.success(), "the {service} process failed");
        }
        trace_id
    };
    sdk.flush(Instant::now() + Duration::from_secs(10)).unwrap();

    let addr = server.local_addr();
    let trace = get_json(addr, &format!("/api/traces/{trace_id}"));
    let spans = trace["spans"].as_array().unwrap();
    let shape: Vec<(String, u64, String)> = spans
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["depth"].as_u64().unwrap(),
                s["attributes"]["service.name"]
                    .as_str()
                    .unwrap_or("orders")
                    .to_owned(),
            )
        })
        .collect();
    let expected = |n: &str, d: u64, s: &str| (n.to_owned(), d, s.to_owned());
    assert_eq!(
        shape,
        [
            expected("checkout", 0, "orders"),
            expected("call", 1, "orders"),
            expected("handle", 2, "payments"),
            expected("db.query", 3, "payments"),
            expected("call", 1, "orders"),
            expected("handle", 2, "stock"),
            expected("db.query", 3, "stock"),
        ],
        "{trace}"
    );
    assert_eq!(trace["root"], "checkout");
    assert_eq!(trace["complete"], true);
    let handle = spans.iter().find(|s| s["name"] == "handle").unwrap();
    assert_eq!(handle["kind"], "internal");
    assert_eq!(handle["attributes"]["service"], "payments");
    let logs = get_json(addr, &format!("/api/logs?trace={trace_id}"));
    let services: Vec<&Value> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| &l["fields"]["service.name"])
        .collect();
    assert_eq!(
        services,
        [&json!("stock"), &json!("payments")],
        "newest first"
    );

    let browser = Browser::start();
    browser.open(&format!("{}#/traces/{trace_id}", server.url()));
    browser.wait_view("trace");
    let services = browser.script(
        "return [...document.querySelectorAll('#waterfall-rows .span-service')].map(e => e.textContent);",
        json!([]),
    );
    assert_eq!(services, json!(["payments", "payments", "stock", "stock"]));
    browser.screenshot(&artifacts_dir().join("dashboard-otlp-trace.png"));
    drop(guard);
}
