//! Golden expectations for every encoder; JSON is also parsed back.

use std::time::Duration;

use omniscope::{ErrorKind, Field, Level, SpanKind, Status, Value};
use proptest::prelude::*;
use serde_json::{json, Value as Json};

use super::*;
use crate::testing::{error_record, log_record, sample_fields, span_record};

const PLAIN: Style = Style {
    format: Format::Pretty,
    color: false,
};
const COLOR: Style = Style {
    format: Format::Pretty,
    color: true,
};
const JSON: Style = Style {
    format: Format::Json,
    color: false,
};

fn resource() -> Resource {
    Resource::empty().with(
        Resource::SERVICE_NAME,
        omniscope::OwnedValue::Str("orders".into()),
    )
}

fn log_line(record: &LogData, style: Style) -> String {
    let mut out = String::new();
    log(record, &resource(), style, &mut out);
    out
}

fn span_line(data: &SpanData, style: Style) -> String {
    let mut out = String::new();
    span(data, &resource(), style, &mut out);
    out
}

fn error_line(event: &ErrorEvent, style: Style) -> String {
    let mut out = String::new();
    error(event, &resource(), style, &mut out);
    out
}

fn parse(line: &str) -> Json {
    assert!(
        line.ends_with('\n') && line.matches('\n').count() == 1,
        "{line:?}"
    );
    serde_json::from_str(line).unwrap()
}

#[test]
fn pretty_log() {
    let record = log_record(&sample_fields());
    assert_eq!(
        log_line(&record, PLAIN),
        "2026-11-21T10:00:00.123Z  INFO orders::api  order created  \
         order.id=42 total=12.5 note=\"first order\" paid=true  \
         trace=4bf92f3577b34da6a3ce929d0e0e4736\n"
    );
}

#[test]
fn pretty_log_aligns_levels_and_omits_what_is_absent() {
    let mut record = log_record(&[]);
    record.trace_id = None;
    for (level, column) in [
        (Level::Error, "ERROR"),
        (Level::Warn, " WARN"),
        (Level::Info, " INFO"),
        (Level::Debug, "DEBUG"),
        (Level::Trace, "TRACE"),
    ] {
        record.level = level;
        assert_eq!(
            log_line(&record, PLAIN),
            format!("2026-11-21T10:00:00.123Z {column} orders::api  order created\n")
        );
    }
}

#[test]
fn pretty_log_in_colour() {
    let record = log_record(&[Field::new_static("order.id", Value::I64(42))]);
    assert_eq!(
        log_line(&record, COLOR),
        "\x1b[2m2026-11-21T10:00:00.123Z\x1b[0m  \x1b[32mINFO\x1b[0m \x1b[2morders::api\x1b[0m  \
         order created  \x1b[3morder.id\x1b[0m=42  \
         \x1b[2mtrace=4bf92f3577b34da6a3ce929d0e0e4736\x1b[0m\n"
    );
}

#[test]
fn pretty_quotes_values_that_would_not_read_back() {
    let record = log_record(&[
        Field::new_static("a", Value::Str("")),
        Field::new_static("b", Value::Str("x=y")),
        Field::new_static("c", Value::Str("say \"hi\"\n")),
        Field::new_static("d", Value::Str("naïve/ok")),
    ]);
    let line = log_line(&record, PLAIN);
    assert!(
        line.contains(r#"  a="" b="x=y" c="say \"hi\"\n" d=naïve/ok  "#),
        "{line}"
    );
}

#[test]
fn pretty_span() {
    let mut data = span_record(&[Field::new_static("amount", Value::F64(12.5))]);
    data.kind = SpanKind::Server;
    data.status = Status::Ok;
    assert_eq!(
        span_line(&data, PLAIN),
        "2026-11-21T10:00:00.123Z  SPAN orders::api  checkout 12.0ms  \
         kind=server status=ok amount=12.5  \
         trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7\n"
    );
    data.kind = SpanKind::Internal;
    data.status = Status::error("card declined");
    data.attributes = Default::default();
    data.parent_span_id = Some(crate::testing::span_id());
    assert_eq!(
        span_line(&data, PLAIN),
        "2026-11-21T10:00:00.123Z  SPAN orders::api  checkout 12.0ms  \
         status=error error=\"card declined\"  \
         trace=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 parent=00f067aa0ba902b7\n"
    );
}

#[test]
fn pretty_durations() {
    let cases = [
        (Duration::from_nanos(950), "950ns"),
        (Duration::from_nanos(12_345), "12.3µs"),
        (Duration::from_micros(12_345), "12.3ms"),
        (Duration::from_millis(1_250), "1.25s"),
    ];
    for (d, text) in cases {
        let mut out = String::new();
        super::pretty::duration(&mut out, d);
        assert_eq!(out, text);
    }
}

#[test]
fn pretty_error_with_its_chain_and_backtrace() {
    let mut event = error_record(&[Field::new_static("order.id", Value::I64(42))]);
    assert_eq!(
        error_line(&event, PLAIN),
        "2026-11-21T10:00:00.123Z ERROR Failure  payment failed: card expired  \
         order.id=42 at=src/api.rs:7:9 thread=main  \
         trace=4bf92f3577b34da6a3ce929d0e0e4736\n"
    );
    event.kind = ErrorKind::Panic;
    event.backtrace = Some("0: orders::pay\n1: main".into());
    event.fields = Default::default();
    event.location = None;
    event.thread = None;
    event.trace_id = None;
    assert_eq!(
        error_line(&event, PLAIN),
        "2026-11-21T10:00:00.123Z PANIC Failure  payment failed: card expired\n    \
         0: orders::pay\n    1: main\n"
    );
}

#[test]
fn json_log() {
    let record = log_record(&sample_fields());
    let line = log_line(&record, JSON);
    assert_eq!(
        line,
        "{\"timestamp\":\"2026-11-21T10:00:00.123456Z\",\"level\":\"INFO\",\"target\":\"orders::api\",\
         \"message\":\"order created\",\"fields\":{\"order.id\":42,\"total\":12.5,\"note\":\"first order\",\"paid\":true},\
         \"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e4736\",\"span_id\":\"00f067aa0ba902b7\",\
         \"resource\":{\"service.name\":\"orders\"}}\n"
    );
    assert_eq!(
        parse(&line),
        json!({
            "timestamp": "2026-11-21T10:00:00.123456Z",
            "level": "INFO",
            "target": "orders::api",
            "message": "order created",
            "fields": {"order.id": 42, "total": 12.5, "note": "first order", "paid": true},
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "span_id": "00f067aa0ba902b7",
            "resource": {"service.name": "orders"},
        })
    );
}

#[test]
fn json_keeps_types_and_the_last_of_repeated_keys() {
    let mut record = log_record(&[
        Field::new_static("n", Value::I64(-1)),
        Field::new_static("u", Value::U64(u64::MAX)),
        Field::new_static("big", Value::F64(1e300)),
        Field::new_static("nan", Value::F64(f64::NAN)),
        Field::new_static("n", Value::I64(2)),
    ]);
    record.trace_id = None;
    record.span_id = None;
    let parsed = parse(&log_line(&record, JSON));
    assert_eq!(
        parsed["fields"],
        json!({"u": u64::MAX, "big": 1e300, "nan": null, "n": 2})
    );
    assert!(parsed.get("trace_id").is_none() && parsed.get("span_id").is_none());
}

#[test]
fn json_span() {
    let mut data = span_record(&[Field::new_static("amount", Value::F64(12.5))]);
    data.kind = SpanKind::Client;
    data.status = Status::error("card declined");
    data.parent_span_id = Some(crate::testing::span_id());
    assert_eq!(
        parse(&span_line(&data, JSON)),
        json!({
            "type": "span",
            "timestamp": "2026-11-21T10:00:00.123456Z",
            "start_time": "2026-11-21T10:00:00.111456Z",
            "duration_ms": 12.0,
            "name": "checkout",
            "target": "orders::api",
            "kind": "client",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "span_id": "00f067aa0ba902b7",
            "parent_span_id": "00f067aa0ba902b7",
            "status": "error",
            "status_message": "card declined",
            "attributes": {"amount": 12.5},
            "resource": {"service.name": "orders"},
        })
    );
}

#[test]
fn json_error() {
    let mut event = error_record(&[Field::new_static("order.id", Value::I64(42))]);
    event.backtrace = Some("0: orders::pay\n1: main".into());
    assert_eq!(
        parse(&error_line(&event, JSON)),
        json!({
            "type": "error",
            "timestamp": "2026-11-21T10:00:00.123456Z",
            "kind": "handled",
            "error_type": "Failure",
            "message": "payment failed",
            "chain": [
                {"type": "Failure", "message": "payment failed"},
                {"type": "Failure", "message": "card expired"},
            ],
            "fields": {"order.id": 42},
            "location": "src/api.rs:7:9",
            "thread": "main",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "span_id": "00f067aa0ba902b7",
            "backtrace": "0: orders::pay\n1: main",
            "resource": {"service.name": "orders"},
        })
    );
}

proptest! {
    #[test]
    fn json_strings_read_back_exactly(message in any::<String>(), key in any::<String>(), value in any::<String>()) {
        let mut record = log_record(&[]);
        record.message = message.clone();
        record.fields = omniscope_sdk::Attributes::from_fields(&[Field::new(&key, Value::Str(&value))]);
        let parsed = parse(&log_line(&record, JSON));
        prop_assert_eq!(parsed["message"].as_str(), Some(message.as_str()));
        prop_assert_eq!(parsed["fields"][key.as_str()].as_str(), Some(value.as_str()));
    }

    #[test]
    /// (`serde_json` parses them exactly with its `float_roundtrip` feature.)
    fn json_floats_read_back_exactly(v in any::<f64>().prop_filter("finite", |v| v.is_finite())) {
        let record = log_record(&[Field::new_static("v", Value::F64(v))]);
        let parsed = parse(&log_line(&record, JSON));
        prop_assert_eq!(parsed["fields"]["v"].as_f64(), Some(v));
    }
}

fn metrics_text(style: Style) -> String {
    let mut out = String::new();
    metrics(
        &crate::testing::metrics_snapshot(),
        &resource(),
        style,
        &mut out,
    );
    out
}

#[test]
fn pretty_metrics_table() {
    assert_eq!(
        metrics_text(PLAIN),
        "2026-11-21T10:00:00.123Z METRICS  4 series, cumulative, 1 zero counters not shown\n\
         \x20   orders_created_total{channel=\"web\"}  counter          42\n\
         \x20   orders_in_flight                     up_down_counter  3 (high 7)\n\
         \x20   request_seconds                      histogram        count=3 sum=3 min=0.5 p50=0.5039 p90=0.5039 p99=0.5039 max=2\n\
         \x20   temperature_celsius                  gauge            21.5\n"
    );
}

#[test]
fn pretty_numbers_in_tables_are_short() {
    let cases = [
        (0.5049807539867699, "0.505"),
        (21.5, "21.5"),
        (1234.5678, "1235"),
        (0.000123456, "0.0001235"),
        (3.0, "3"),
        (-2.25, "-2.25"),
        (1e20, "100000000000000000000"),
        (f64::NAN, "NaN"),
    ];
    for (v, text) in cases {
        let mut out = String::new();
        super::metrics::short(&mut out, v);
        assert_eq!(out, text, "{v}");
    }
}

#[test]
fn json_metrics() {
    assert_eq!(
        parse(&metrics_text(JSON)),
        json!({
            "type": "metrics",
            "timestamp": "2026-11-21T10:00:00.123456Z",
            "start_time": "2026-11-21T09:59:00.123456Z",
            "temporality": "cumulative",
            "metrics": [
                {"name": "orders_created_total", "labels": {"channel": "web"}, "kind": "counter", "value": 42},
                {"name": "orders_failed_total", "labels": {}, "kind": "counter", "value": 0},
                {"name": "orders_in_flight", "labels": {}, "kind": "up_down_counter", "value": 3, "high_water": 7},
                {
                    "name": "request_seconds", "labels": {}, "kind": "histogram",
                    "count": 3, "sum": 3.0, "min": 0.5, "max": 2.0,
                    "quantiles": {"0.5": 0.5038759689922481, "0.9": 0.5038759689922481, "0.99": 0.5038759689922481},
                },
                {"name": "temperature_celsius", "labels": {}, "kind": "gauge", "value": 21.5},
            ],
            "resource": {"service.name": "orders"},
        })
    );
}
