//! Regression test for issue #11 (item 5): the dashboard kept and served
//! strings of any length, so one 1 MiB label value made a 186 MB `/metrics`
//! and a 42 MB `/api/metrics`, built in memory on the server's thread. Now
//! every string it stores or shows (label values, attribute values, log
//! and error messages) is cut to `DEFAULT_MAX_STRING_LEN` bytes, at a
//! character boundary, ending with `…`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use common::{get, get_json};
use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::{Level, Meter as _, Value};
use omniscope_present::{Present, DEFAULT_MAX_STRING_LEN};
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::{testing, Resource, Sdk};

/// 1 MiB of text with a multi-byte character astride every cut.
fn huge() -> String {
    "é".repeat(1 << 19)
}

/// The longest string anywhere in `json`.
fn longest(json: &serde_json::Value) -> usize {
    match json {
        serde_json::Value::String(s) => s.len(),
        serde_json::Value::Array(items) => items.iter().map(longest).max().unwrap_or(0),
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| k.len().max(longest(v)))
            .max()
            .unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn a_1_mib_value_makes_bounded_answers_everywhere() {
    let huge = huge();
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let sdk = Sdk::builder().build().unwrap();
    let labels = vec![Label::new("path", huge.clone())];
    let meta = MetricMeta::EMPTY;
    sdk.meter()
        .counter(&Key::with_labels("requests_total", labels.clone()), &meta)
        .increment(1);
    sdk.meter()
        .histogram(&Key::with_labels("request_duration", labels), &meta)
        .record(0.25);
    let resource = Resource::new("test");
    let span = testing::span("GET /big")
        .with_attribute("url", Value::Str(&huge))
        .with_event(
            "retry",
            std::time::SystemTime::now(),
            &[omniscope::Field::new("why", Value::Str(&huge))],
        )
        .build();
    let trace_id = span.context.trace_id();
    present
        .spans()
        .export(&Batch::from_vec(vec![span]), &resource)
        .unwrap();
    let log = testing::log(Level::Info, &huge)
        .with_field("body", Value::Str(&huge))
        .build();
    present
        .logs()
        .export(&Batch::from_vec(vec![log]), &resource)
        .unwrap();
    let error = std::io::Error::other(huge.clone());
    let event = testing::error(&error).build();
    present
        .errors()
        .export(&Batch::from_vec(vec![event]), &resource)
        .unwrap();
    // Span: attribute and event field; log: message and field; error:
    // its message in the chain.
    assert_eq!(present.stats().strings_truncated, 5);
    let server = present.serve(sdk).unwrap();
    let addr = server.local_addr();

    let scrape = get(addr, "/metrics");
    assert_eq!(scrape.status, 200);
    assert!(
        scrape.body.len() < huge.len(),
        "/metrics is {} bytes",
        scrape.body.len()
    );
    assert!(scrape.body.contains("é…"), "no truncation marker");
    for path in [
        "/api/metrics".to_owned(),
        format!("/api/traces/{trace_id}"),
        "/api/logs".to_owned(),
        "/api/errors".to_owned(),
    ] {
        let json = get_json(addr, &path);
        let text = json.to_string();
        assert!(text.len() < huge.len(), "{path} is {} bytes", text.len());
        assert!(text.contains("é…"), "{path}: no truncation marker");
        let longest = longest(&json);
        assert!(
            longest <= DEFAULT_MAX_STRING_LEN,
            "{path} has a string of {longest} bytes"
        );
    }
}
