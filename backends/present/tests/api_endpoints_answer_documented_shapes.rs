//! Every JSON endpoint, over real HTTP, after an instrumented workload: the
//! documented keys are there, with the right types and plausible values.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::workload::{installed, place_orders};
use common::{get, get_json, keys, request};
use serde_json::Value;

/// Runs the workload once for every test of this file.
fn setup() -> &'static common::workload::Installed {
    static RAN: std::sync::Once = std::sync::Once::new();
    let app = installed();
    RAN.call_once(|| {
        place_orders(20);
        app.flush();
    });
    app
}

fn function<'a>(funcs: &'a Value, suffix: &str) -> &'a Value {
    funcs["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no function {suffix} in {funcs}"))
}

#[test]
fn status_reports_service_stores_and_pipelines() {
    let app = setup();
    let status = get_json(app.addr(), "/api/status");
    assert_eq!(
        keys(&status),
        [
            "captures_waiting",
            "pipelines",
            "service",
            "service_version",
            "started_ms",
            "stores",
            "time_ms",
            "uptime_s"
        ]
    );
    assert_eq!(status["service"], "orders");
    assert!(status["uptime_s"].as_f64().unwrap() >= 0.0);
    assert_eq!(
        keys(&status["stores"]),
        [
            "errors",
            "errors_received",
            "failed_traces",
            "logs",
            "logs_received",
            "otlp_accepted",
            "otlp_refused",
            "pinned_errors",
            "pinned_logs",
            "spans",
            "spans_dropped",
            "spans_received",
            "strings_truncated",
            "traces"
        ]
    );
    let pipelines = status["pipelines"].as_array().unwrap();
    let signals: Vec<&str> = pipelines
        .iter()
        .map(|p| p["signal"].as_str().unwrap())
        .collect();
    assert!(
        signals.contains(&"traces") && signals.contains(&"logs") && signals.contains(&"errors"),
        "{signals:?}"
    );
    for p in pipelines {
        assert_eq!(p["exporter"], "present");
        assert!(p["dropped_total"].is_u64() && p["capacity"].is_u64(), "{p}");
    }
}

#[test]
fn metrics_lists_families_series_and_recent_values() {
    let app = setup();
    // Two samples at least (the server samples every 100 ms).
    let deadline = Instant::now() + Duration::from_secs(30);
    let metrics = loop {
        let m = get_json(app.addr(), "/api/metrics");
        let placed = m["families"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == "orders_placed_total")
            .cloned();
        if let Some(f) = &placed {
            if f["series"][0]["recent"].as_array().unwrap().len() >= 2 {
                break m;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no recent values within 30 s: {m}"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(metrics["time_ms"].as_f64().unwrap() > 1.6e12);
    let families = metrics["families"].as_array().unwrap();
    let family = |name: &str| {
        families
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no family {name}"))
    };
    let placed = family("orders_placed_total");
    assert_eq!(
        keys(placed),
        ["description", "kind", "name", "series", "unit"]
    );
    assert_eq!(placed["kind"], "counter");
    let series = &placed["series"][0];
    assert_eq!(series["labels"], serde_json::json!({"channel": "web"}));
    assert!(series["value"].as_f64().unwrap() > 0.0);
    let sample = &series["recent"][0];
    assert!(
        sample[0].as_f64().unwrap() > 1.6e12 && sample[1].is_number(),
        "{sample}"
    );

    let amounts = &family("payment_amount")["series"][0];
    assert_eq!(
        keys(&amounts["histogram"]),
        ["buckets", "count", "max", "min", "p50", "p90", "p99", "sum"]
    );
    assert!(amounts["histogram"]["p50"].as_f64().unwrap() > 10.0);
    let in_flight = &family("function.in_flight")["series"][0];
    assert!(
        in_flight["high_water"].as_i64().unwrap() >= 1,
        "{in_flight}"
    );
    // Process stats are metrics too.
    #[cfg(target_os = "linux")]
    for name in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "process_threads",
        "process_uptime_seconds",
    ] {
        assert!(
            family(name)["series"][0]["value"].as_f64().unwrap() > 0.0,
            "{name}"
        );
    }
}

#[test]
fn funcs_has_calls_errors_and_latency_per_function() {
    let app = setup();
    let funcs = get_json(app.addr(), "/api/funcs");
    let place = function(&funcs, "::place_order");
    assert_eq!(
        keys(place),
        [
            "callers",
            "calls",
            "errors",
            "errors_total",
            "failure",
            "high_water",
            "in_flight",
            "name",
            "panicked",
            "panics",
            "success",
            "user_errors",
            "user_errors_total"
        ]
    );
    assert_eq!(place["calls"], 20);
    // Every error of the workload is a failure.
    assert_eq!(place["user_errors_total"], 0);
    // Orders 5, 10, 15, 20 are invalid; 7 and 14 are declined.
    assert_eq!(place["errors_total"], 6);
    // By kind, as `omniscope::error::kind_label` names them: the variants.
    assert_eq!(place["errors"]["Invalid"], 4);
    assert_eq!(place["errors"]["Payment"], 2);
    assert_eq!(place["in_flight"], 0);
    assert_eq!(
        keys(&place["success"]),
        ["count", "max_ms", "mean_ms", "p50_ms", "p90_ms", "p99_ms"]
    );
    assert_eq!(place["success"]["count"], 14);
    assert_eq!(place["failure"]["count"], 6);
    assert!(place["success"]["p99_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(place["panicked"], Value::Null);
    let charge = function(&funcs, "::charge_card");
    let caller = place["name"].as_str().unwrap();
    assert_eq!(charge["callers"][caller], 16);
}

#[test]
fn callgraph_links_callers_to_callees_in_json_and_dot() {
    let app = setup();
    let graph = get_json(app.addr(), "/api/callgraph");
    assert_eq!(keys(&graph), ["edges", "nodes"]);
    let node = &graph["nodes"][0];
    assert_eq!(
        keys(node),
        ["calls", "errors", "in_flight", "name", "panics"]
    );
    let edges = graph["edges"].as_array().unwrap();
    let edge = |caller: Option<&str>, callee: &str| {
        edges.iter().find(|e| {
            e["callee"].as_str().unwrap().ends_with(callee)
                && match caller {
                    None => e["caller"].is_null(),
                    Some(c) => e["caller"].as_str().is_some_and(|s| s.ends_with(c)),
                }
        })
    };
    assert_eq!(edge(None, "::place_order").unwrap()["calls"], 20);
    assert_eq!(
        edge(Some("::place_order"), "::validate_order").unwrap()["calls"],
        20
    );

    let dot = get(app.addr(), "/api/callgraph.dot");
    assert_eq!(dot.status, 200);
    assert!(dot
        .header("content-type")
        .unwrap()
        .starts_with("text/vnd.graphviz"));
    assert!(dot.body.starts_with("digraph callgraph {"), "{}", dot.body);
    assert!(dot.body.contains("place_order\" -> \""), "{}", dot.body);
}

#[test]
fn traces_list_and_detail_give_a_nested_waterfall() {
    let app = setup();
    let traces = get_json(app.addr(), "/api/traces");
    assert_eq!(
        keys(&traces),
        ["failed", "limits", "matched", "matching", "recent", "slowest", "stats"]
    );
    assert_eq!(
        keys(&traces["limits"]),
        [
            "max_failed_traces",
            "max_slowest_traces",
            "max_spans_per_trace",
            "max_traces"
        ]
    );
    // Filters: every order with an error span failed somewhere.
    let failed = get_json(app.addr(), "/api/traces?errors=1&root=PLACE&limit=1000");
    let matching = failed["matching"].as_array().unwrap();
    assert!(!matching.is_empty());
    assert!(matching.iter().all(|t| t["errors"].as_u64().unwrap() > 0));
    let durations: Vec<f64> = matching
        .iter()
        .map(|t| t["duration_ms"].as_f64().unwrap())
        .collect();
    assert!(durations.windows(2).all(|w| w[0] >= w[1]), "slowest first");
    let paid = get_json(app.addr(), "/api/traces?attr=table=payments&limit=1000");
    assert!(paid["matching"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["span_count"].as_u64().unwrap() >= 3));
    assert_eq!(
        get_json(app.addr(), "/api/traces?min_ms=3600000")["matched"],
        0
    );
    assert_eq!(get(app.addr(), "/api/traces?min_ms=soon").status, 400);
    // A function's traces: those with a span of it (its qualified name,
    // as /api/funcs names it).
    let funcs = get_json(app.addr(), "/api/funcs");
    let charge = funcs["functions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str().unwrap().ends_with("::charge_card"))
        .unwrap();
    let name = charge["name"].as_str().unwrap();
    let of_charge = get_json(
        app.addr(),
        &format!("/api/traces?function={name}&limit=1000"),
    );
    assert_eq!(
        of_charge["matched"].as_u64().unwrap(),
        charge["calls"].as_u64().unwrap(),
        "one trace per call"
    );
    let recent = traces["recent"].as_array().unwrap();
    assert!(recent.len() >= 20, "{}", recent.len());
    let summary = recent
        .iter()
        .find(|t| t["root"] == "place_order" && t["span_count"] == 4)
        .expect("a successful order: place, validate, charge, db.insert");
    assert_eq!(
        keys(summary),
        [
            "complete",
            "dropped_spans",
            "duration_ms",
            "errors",
            "root",
            "span_count",
            "start_ms",
            "trace_id"
        ]
    );
    assert_eq!(summary["complete"], true);
    assert!(!traces["slowest"].as_array().unwrap().is_empty());

    let id = summary["trace_id"].as_str().unwrap();
    let trace = get_json(app.addr(), &format!("/api/traces/{id}"));
    assert_eq!(trace["trace_id"], id);
    let spans = trace["spans"].as_array().unwrap();
    let order: Vec<(&str, u64)> = spans
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["depth"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("place_order", 0),
            ("validate_order", 1),
            ("charge_card", 1),
            ("db.insert", 2)
        ]
    );
    let span = &spans[3];
    assert_eq!(
        keys(span),
        [
            "attributes",
            "depth",
            "dropped_attributes",
            "dropped_events",
            "dropped_links",
            "duration_ms",
            "end_ms",
            "events",
            "file",
            "function",
            "kind",
            "line",
            "links",
            "name",
            "offset_ms",
            "parent_is_remote",
            "parent_span_id",
            "span_id",
            "start_ms",
            "status",
            "status_message",
            "target"
        ]
    );
    assert_eq!(span["attributes"]["table"], "payments");
    assert_eq!(span["parent_span_id"], spans[2]["span_id"]);
    assert!(span["offset_ms"].as_f64().unwrap() >= 0.0);
    assert!(spans[0]["attributes"]["id"].is_u64(), "{}", spans[0]);

    // A failed order has an error status on its root.
    let failed = recent
        .iter()
        .find(|t| t["errors"].as_u64().unwrap() > 0)
        .expect("a failed order");
    let failed = get_json(
        app.addr(),
        &format!("/api/traces/{}", failed["trace_id"].as_str().unwrap()),
    );
    assert!(failed["spans"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["status"] == "error"));

    let missing = get(app.addr(), "/api/traces/0123456789abcdef0123456789abcdef");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"]
        .as_str()
        .unwrap()
        .contains("is not kept"));
    let bad = get(app.addr(), "/api/traces/nothex");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"]
        .as_str()
        .unwrap()
        .contains("32 lower-case hex digits"));
}

#[test]
fn inflight_shows_spans_running_now() {
    let app = setup();
    let (started_tx, started_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        let _span = omniscope::span!("long_job");
        started_tx.send(()).unwrap();
        let _ = release_rx.recv_timeout(Duration::from_secs(60));
    });
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    let inflight = get_json(app.addr(), "/api/inflight");
    release_tx.send(()).unwrap();
    worker.join().unwrap();
    assert_eq!(keys(&inflight), ["spans", "total"]);
    let span = inflight["spans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "long_job")
        .unwrap_or_else(|| panic!("long_job is not in flight: {inflight}"));
    assert_eq!(
        keys(span),
        [
            "elapsed_ms",
            "function",
            "name",
            "span_id",
            "start_ms",
            "target",
            "trace_id"
        ]
    );
    assert!(span["elapsed_ms"].as_f64().unwrap() >= 0.0);
    assert_eq!(span["trace_id"].as_str().unwrap().len(), 32);
}

#[test]
fn logs_filter_by_level_text_and_trace() {
    let app = setup();
    let all = get_json(app.addr(), "/api/logs?limit=1000");
    assert_eq!(
        keys(&all),
        [
            "capacity",
            "evicted",
            "kept",
            "logs",
            "oldest_ms",
            "pinned",
            "received"
        ]
    );
    assert_eq!(keys(&all["pinned"]), ["capacity", "dropped", "kept"]);
    let log = &all["logs"][0];
    assert_eq!(
        keys(log),
        [
            "fields", "level", "location", "message", "module", "span_id", "target", "time_ms",
            "trace_id"
        ]
    );
    let count = |path: &str| get_json(app.addr(), path)["logs"].as_array().unwrap().len();
    // 20 "placing", 4 "rejecting" (warn), 16 "charging" (debug).
    assert_eq!(count("/api/logs?limit=1000&level=warn"), 4);
    assert_eq!(count("/api/logs?limit=1000&level=info&q=PLACING"), 20);
    assert_eq!(count("/api/logs?limit=3"), 3);
    let warn = &get_json(app.addr(), "/api/logs?level=warn")["logs"][0];
    assert_eq!(warn["level"], "warn");
    assert!(warn["fields"]["order.id"].is_u64(), "{warn}");
    let trace = warn["trace_id"].as_str().unwrap();
    let of_trace = get_json(app.addr(), &format!("/api/logs?trace={trace}"));
    let messages: Vec<&str> = of_trace["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["rejecting order", "placing order"],
        "newest first"
    );
    let bad = get(app.addr(), "/api/logs?level=loud");
    assert_eq!(bad.status, 400);
    assert!(bad.json()["error"].as_str().unwrap().contains("`level`"));
}

#[test]
fn errors_carry_their_source_chain_and_trace() {
    let app = setup();
    let errors = get_json(app.addr(), "/api/errors");
    assert_eq!(
        keys(&errors),
        [
            "capacity",
            "errors",
            "evicted",
            "groups",
            "kept",
            "oldest_ms",
            "pinned",
            "received",
            "ungrouped"
        ]
    );
    let groups = errors["groups"].as_array().unwrap();
    let payment = groups
        .iter()
        .find(|g| g["type"] == "Payment")
        .expect("a group of declined payments");
    assert_eq!(
        keys(payment),
        ["count", "first_ms", "kind", "last_ms", "message", "site", "traces", "type"]
    );
    let total: u64 = groups.iter().map(|g| g["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 6, "every error counted in one group");
    assert!(payment["first_ms"].as_f64() <= payment["last_ms"].as_f64());
    let of_type = get_json(app.addr(), "/api/errors?type=Payment");
    assert_eq!(
        of_type["errors"].as_array().unwrap().len() as u64,
        payment["count"].as_u64().unwrap()
    );
    let list = errors["errors"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    let declined = list
        .iter()
        .find(|e| e["message"] == "payment failed")
        .expect("a declined payment");
    assert_eq!(
        keys(declined),
        [
            "backtrace",
            "chain",
            "fields",
            "kind",
            "location",
            "message",
            "span_id",
            "thread",
            "time_ms",
            "trace_id",
            "type"
        ]
    );
    assert_eq!(declined["kind"], "handled");
    // The SDK names the type after the outer `Debug` form (`Payment(..)`).
    assert_eq!(declined["type"], "Payment");
    assert_eq!(declined["chain"][1]["message"], "card declined");
    let trace = declined["trace_id"].as_str();
    assert!(
        trace.is_none(),
        "handled at the edge, outside the order's span"
    );
    let limited = get_json(app.addr(), "/api/errors?limit=2");
    assert_eq!(limited["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn unknown_paths_and_methods_get_json_errors() {
    let app = setup();
    let missing = get(app.addr(), "/api/nothing");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"]
        .as_str()
        .unwrap()
        .contains("no such endpoint: /api/nothing"));
    let post = request(
        app.addr(),
        "POST",
        "/api/status",
        &[("Content-Length", "0")],
    );
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let head = request(app.addr(), "HEAD", "/api/status", &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "", "HEAD answers headers only");
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let app = setup();
    let page = get(app.addr(), "/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    assert!(
        page.body.contains("<script src=\"app.js\""),
        "{}",
        page.body
    );
    for (path, kind) in [
        ("/app.js", "text/javascript"),
        ("/app.css", "text/css"),
        ("/favicon.ico", "image/svg+xml"),
    ] {
        let asset = get(app.addr(), path);
        assert_eq!(asset.status, 200, "{path}");
        assert!(
            asset.header("content-type").unwrap().starts_with(kind),
            "{path}"
        );
        assert!(!asset.body.is_empty(), "{path}");
    }
    // Nothing on the page refers to another origin.
    for path in ["/", "/app.js", "/app.css"] {
        // The SVG namespace is a name, not a request.
        let body = get(app.addr(), path)
            .body
            .replace("http://www.w3.org/2000/svg", "");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path} refers elsewhere"
        );
        assert!(
            !body.contains("//cdn") && !body.contains("@import"),
            "{path}"
        );
    }
}
