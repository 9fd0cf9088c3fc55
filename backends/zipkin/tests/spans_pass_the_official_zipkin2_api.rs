//! Issue #17: spans exported by omniscope-zipkin (plain and gzipped) are
//! valid against the official `zipkin2-api.yaml` (jsonschema, in the
//! receiver `scripts/zipkin-receiver` runs), with the span tree, kinds and
//! endpoints as recorded; the same spans sent as proto3 decode with the
//! classes generated from the official `zipkin.proto` to the same fields.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{install, pipeline, Receiver};
use omniscope::{SpanKind, Status};
use omniscope_zipkin::{Encoding, Zipkin};
use serde_json::Value;

fn handle_order() {
    let server =
        omniscope::span!(kind: SpanKind::Server, "get /orders", http.request.method = "GET");
    {
        let _client = omniscope::span!(
            kind: SpanKind::Client,
            "charge card",
            server.address = "10.1.2.3",
            server.port = 8443
        );
    }
    {
        let db = omniscope::span!("db query");
        db.add_event("cache-miss", &[]);
        db.set_status(Status::Error("timeout".into()));
    }
    drop(server);
}

#[test]
fn spans_pass_the_official_zipkin2_api() {
    let receiver = Receiver::start(None);
    let plain = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .build()
        .unwrap();
    let gzip = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .with_gzip(true)
        .build()
        .unwrap();
    let proto = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .with_encoding(Encoding::Proto3)
        .build()
        .unwrap();
    // A generous export timeout: the receiver validates each body against
    // the whole specification, slowly on a loaded machine.
    let guard = install(&[plain, gzip, proto], pipeline(Duration::from_secs(30)));
    handle_order();
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while receiver.spans().len() < 9 {
        // Say what the pipelines saw: a failed export is counted, not
        // returned by `flush`.
        assert!(
            Instant::now() < deadline,
            "9 spans not received within 20 s: {:?}",
            common::stats(guard.sdk())
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    let requests = receiver.requests();
    for r in &requests {
        assert_eq!(r["valid"], true, "{r}");
    }
    let is_proto = |r: &Value| r["proto"] == true;
    assert!(requests.iter().any(|r| r["gzip"] == true), "{requests:?}");
    assert!(requests.iter().any(|r| r["gzip"] == false), "{requests:?}");
    assert!(requests.iter().any(is_proto), "{requests:?}");

    let sent_as = |proto: bool| -> Vec<Value> {
        let mut spans: Vec<Value> = requests
            .iter()
            .filter(|r| is_proto(r) == proto)
            .flat_map(|r| r["spans"].as_array().cloned().unwrap_or_default())
            .collect();
        spans.sort_by_key(|s| s["id"].to_string());
        spans.dedup();
        spans
    };
    // Both JSON exporters sent the same spans; the proto3 one, decoded by
    // the official classes, holds exactly the same fields and values.
    assert_eq!(sent_as(true), sent_as(false));

    let spans = receiver.spans();
    let find = |name: &str| -> Value {
        spans
            .iter()
            .find(|s| s["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}: {spans:?}"))
    };
    let (server, client, db) = (find("get /orders"), find("charge card"), find("db query"));
    assert_eq!(server["kind"], "SERVER");
    assert!(server.get("parentId").is_none());
    assert_eq!(client["kind"], "CLIENT");
    assert!(db.get("kind").is_none(), "{db}");
    for child in [&client, &db] {
        assert_eq!(child["traceId"], server["traceId"]);
        assert_eq!(child["parentId"], server["id"]);
    }
    for s in [&server, &client, &db] {
        assert_eq!(s["localEndpoint"]["serviceName"], "orders");
        assert!(s["duration"].as_u64().unwrap() >= 1);
    }
    assert_eq!(
        client["remoteEndpoint"],
        serde_json::json!({"serviceName": "10.1.2.3", "ipv4": "10.1.2.3", "port": 8443})
    );
    assert_eq!(server["tags"]["http.request.method"], "GET");
    assert_eq!(db["tags"]["error"], "timeout");
    assert_eq!(db["tags"]["otel.status_code"], "ERROR");
    assert_eq!(db["annotations"][0]["value"], "cache-miss");
}
