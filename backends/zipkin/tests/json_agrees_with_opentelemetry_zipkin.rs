//! The differential test of issue #17: the same spans, exported by this
//! crate and by the deprecated upstream `opentelemetry-zipkin` (0.33, the
//! workspace's OpenTelemetry), give the same Zipkin JSON field by field,
//! except where a specification says otherwise. Each such difference is one
//! function below, which first asserts what upstream sends and then turns it
//! into what the specification asks for, citing the rule:
//!
//! - [`zipkin2-api`]: the official `zipkin2-api.yaml` (a copy in `../shared/`);
//! - [OpenTelemetry]: "OpenTelemetry to Zipkin Transformation" and the
//!   generic "Transformation to non-OTLP Formats".
//!
//! The crate README lists the same differences.
//!
//! [`zipkin2-api`]: https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml
//! [OpenTelemetry]: https://opentelemetry.io/docs/specs/otel/trace/sdk_exporters/zipkin/
#![allow(clippy::unwrap_used, clippy::expect_used)]
// the point of the test: the upstream exporter, deprecated upstream
#![allow(deprecated)]

use std::borrow::Cow;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omniscope::{Field, OwnedValue, SpanContext, SpanKind, SpanSite, Status, TraceFlags, Value};
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::testing;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;
use omniscope_zipkin::Zipkin;
use opentelemetry::trace as ot;
use opentelemetry::{InstrumentationScope, KeyValue};
use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use opentelemetry_sdk::trace::{SpanEvents, SpanExporter, SpanLinks};
use serde_json::{json, Map, Value as Json};

/// One span, described once and built for both exporters.
struct Case {
    site: &'static SpanSite,
    trace_id: u128,
    span_id: u64,
    parent: Option<u64>,
    start_nanos: u64,
    duration_nanos: u64,
    attributes: &'static [(&'static str, Attr)],
    events: &'static [Event],
    status: Status,
}

/// An event: its name, its offset from the span's start in nanoseconds,
/// and at most one attribute.
type Event = (&'static str, u64, Option<(&'static str, u64)>);

#[derive(Clone, Copy)]
enum Attr {
    Str(&'static str),
    I64(i64),
    F64(f64),
    Bool(bool),
}

static SERVER: SpanSite =
    SpanSite::new("get /orders", "orders::api", "api.rs", 1).with_kind(SpanKind::Server);
static CLIENT: SpanSite =
    SpanSite::new("charge", "orders::payment", "payment.rs", 2).with_kind(SpanKind::Client);
static INTERNAL: SpanSite = SpanSite::new("price", "orders::pricing", "pricing.rs", 3);
static CONSUMER: SpanSite =
    SpanSite::new("on order", "orders::queue", "queue.rs", 4).with_kind(SpanKind::Consumer);

const TRACE: u128 = 0x4bf92f3577b34da6a3ce929d0e0e4736;
const START: u64 = 1_700_000_000_123_456_789;

fn cases() -> Vec<Case> {
    vec![
        // a server span continuing a remote parent, typed attributes, two
        // events, an error status, a duration that is not whole microseconds
        Case {
            site: &SERVER,
            trace_id: TRACE,
            span_id: 0x0102030405060708,
            parent: Some(0x00f067aa0ba902b7),
            start_nanos: START,
            duration_nanos: 2_000_999,
            attributes: &[
                ("http.request.method", Attr::Str("GET")),
                ("http.response.status_code", Attr::I64(500)),
                ("ratio", Attr::F64(0.25)),
                ("retry", Attr::Bool(true)),
            ],
            events: &[
                ("cache-miss", 0, None),
                ("retry", 5_000, Some(("attempt", 2))),
            ],
            status: Status::Error("db down".into()),
        },
        // a client root with its peer, a status of OK and a user `error`
        // attribute, shorter than a microsecond
        Case {
            site: &CLIENT,
            trace_id: TRACE,
            span_id: 0x1112131415161718,
            parent: None,
            start_nanos: START + 1_000,
            duration_nanos: 750,
            attributes: &[
                ("server.address", Attr::Str("payments.internal")),
                ("server.port", Attr::I64(8443)),
                ("network.peer.address", Attr::Str("10.1.2.3")),
                ("error", Attr::Bool(false)),
            ],
            events: &[],
            status: Status::Ok,
        },
        // an internal span of a 64-bit (B3) trace id, status unset
        Case {
            site: &INTERNAL,
            trace_id: 0xa3ce929d0e0e4736,
            span_id: 0x2122232425262728,
            parent: Some(0x1112131415161718),
            start_nanos: START + 2_000,
            duration_nanos: 3_000,
            attributes: &[("items", Attr::I64(3))],
            events: &[],
            status: Status::Unset,
        },
        // a consumer with no peer attributes
        Case {
            site: &CONSUMER,
            trace_id: TRACE,
            span_id: 0x3132333435363738,
            parent: Some(0x0102030405060708),
            start_nanos: START + 3_000,
            duration_nanos: 10_000,
            attributes: &[("messaging.system", Attr::Str("kafka"))],
            events: &[],
            status: Status::Unset,
        },
    ]
}

fn time(nanos: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(nanos)
}

fn resource() -> Resource {
    Resource::new("orders").with("service.namespace", OwnedValue::Str("shop".into()))
}

// ---- through omniscope's SDK and this crate ----

fn omniscope_span(case: &Case) -> SpanData {
    let value = |a: Attr| match a {
        Attr::Str(s) => Value::Str(s),
        Attr::I64(v) => Value::I64(v),
        Attr::F64(v) => Value::F64(v),
        Attr::Bool(v) => Value::Bool(v),
    };
    let trace_id = omniscope::TraceId::from_u128(case.trace_id);
    let mut builder = testing::span(case.site.name())
        .with_site(case.site)
        .with_ids(trace_id, omniscope::SpanId::from_u64(case.span_id))
        .with_times(
            time(case.start_nanos),
            time(case.start_nanos + case.duration_nanos),
        )
        .with_status(case.status.clone());
    if let Some(parent) = case.parent {
        builder = builder.with_parent(SpanContext::new_remote(
            trace_id,
            omniscope::SpanId::from_u64(parent),
            TraceFlags::SAMPLED,
            omniscope::TraceState::new(),
        ));
    }
    for (key, a) in case.attributes {
        builder = builder.with_attribute(key, value(*a));
    }
    for (name, offset, attribute) in case.events {
        let fields: Vec<Field<'_>> = attribute
            .iter()
            .map(|(k, v)| Field::new(k, Value::U64(*v)))
            .collect();
        builder = builder.with_event(name, time(case.start_nanos + offset), &fields);
    }
    builder.build()
}

/// What this crate posts for `spans`, caught by a one-request listener.
fn ours(spans: Vec<SpanData>) -> Json {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/api/v2/spans", listener.local_addr().unwrap());
    let server = thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut length = None;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = Some(value.trim().parse::<usize>().unwrap());
                }
            }
        }
        let mut body = vec![0; length.expect("a content-length header")];
        reader.read_exact(&mut body).unwrap();
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            .unwrap();
        body
    });
    let mut exporter = Zipkin::builder()
        .with_endpoint(endpoint)
        .build()
        .unwrap()
        .spans();
    exporter
        .export(&Batch::from_vec(spans), &resource())
        .unwrap();
    serde_json::from_slice(&server.join().unwrap()).unwrap()
}

// ---- through opentelemetry_sdk and opentelemetry-zipkin ----

fn upstream_span(case: &Case) -> opentelemetry_sdk::trace::SpanData {
    let value = |a: Attr| -> opentelemetry::Value {
        match a {
            Attr::Str(s) => s.into(),
            Attr::I64(v) => v.into(),
            Attr::F64(v) => v.into(),
            Attr::Bool(v) => v.into(),
        }
    };
    let kind = match case.site.kind() {
        SpanKind::Internal => ot::SpanKind::Internal,
        SpanKind::Client => ot::SpanKind::Client,
        SpanKind::Server => ot::SpanKind::Server,
        SpanKind::Producer => ot::SpanKind::Producer,
        SpanKind::Consumer => ot::SpanKind::Consumer,
    };
    let status = match &case.status {
        Status::Unset => ot::Status::Unset,
        Status::Ok => ot::Status::Ok,
        Status::Error(description) => ot::Status::error(description.to_string()),
    };
    let mut events = SpanEvents::default();
    events.events = case
        .events
        .iter()
        .map(|(name, offset, attribute)| {
            ot::Event::new(
                *name,
                time(case.start_nanos + offset),
                attribute
                    .iter()
                    .map(|(k, v)| KeyValue::new(*k, i64::try_from(*v).unwrap()))
                    .collect(),
                0,
            )
        })
        .collect();
    opentelemetry_sdk::trace::SpanData {
        span_context: ot::SpanContext::new(
            ot::TraceId::from(case.trace_id),
            ot::SpanId::from(case.span_id),
            ot::TraceFlags::SAMPLED,
            false,
            ot::TraceState::default(),
        ),
        parent_span_id: case.parent.map_or(ot::SpanId::INVALID, ot::SpanId::from),
        parent_span_is_remote: case.parent.is_some(),
        span_kind: kind,
        name: Cow::Borrowed(case.site.name()),
        start_time: time(case.start_nanos),
        end_time: time(case.start_nanos + case.duration_nanos),
        attributes: case
            .attributes
            .iter()
            .map(|(k, a)| KeyValue::new(*k, value(*a)))
            .collect(),
        dropped_attributes_count: 0,
        events,
        links: SpanLinks::default(),
        status,
        instrumentation_scope: InstrumentationScope::builder(case.site.target()).build(),
    }
}

/// Keeps the body of each request instead of sending it (the upstream
/// crate, without its default features, has no HTTP client of its own).
#[derive(Debug, Default, Clone)]
struct Capture(Arc<Mutex<Vec<Bytes>>>);

impl HttpClient for Capture {
    fn send_bytes<'life0, 'async_trait>(
        &'life0 self,
        request: Request<Bytes>,
    ) -> Pin<Box<dyn Future<Output = Result<Response<Bytes>, HttpError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        self.0.lock().unwrap().push(request.into_body());
        Box::pin(async { Ok(Response::new(Bytes::new())) })
    }
}

fn upstream(spans: Vec<opentelemetry_sdk::trace::SpanData>) -> Json {
    let capture = Capture::default();
    let exporter = opentelemetry_zipkin::ZipkinExporter::builder()
        .with_http_client(capture.clone())
        .with_collector_endpoint("http://127.0.0.1:9411/api/v2/spans")
        .build()
        .unwrap();
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(exporter.export(spans))
        .unwrap();
    let bodies = capture.0.lock().unwrap();
    assert_eq!(bodies.len(), 1, "one request for one batch");
    serde_json::from_slice(&bodies[0]).unwrap()
}

// ---- the documented differences: upstream's value → the specification's ----

/// zipkin2-api: `parentId` is "absent if this the root span"; upstream
/// sends the invalid id `0000000000000000`.
fn root_has_no_parent_id(case: &Case, span: &mut Map<String, Json>) {
    if case.parent.is_none() {
        assert_eq!(span.remove("parentId"), Some(json!("0000000000000000")));
    }
}

/// zipkin2-api: a trace id is "16 or 32 lowercase hex characters
/// corresponding to 64 or 128 bits"; a 64-bit (B3) id is sent as 16 digits,
/// as Zipkin itself stores it, where upstream pads it to 32.
fn short_trace_id_stays_short(case: &Case, span: &mut Map<String, Json>) {
    if case.trace_id >> 64 == 0 {
        let padded = format!("{:032x}", case.trace_id);
        assert_eq!(span["traceId"], json!(padded));
        span.insert("traceId".into(), json!(padded[16..]));
    }
}

/// zipkin2-api: `duration` has `minimum: 1`, "durations of less than one
/// are rounded up"; upstream sends 0 for a span shorter than a microsecond
/// (both truncate longer ones, as OpenTelemetry's "Unit of Time" says).
fn duration_at_least_one(case: &Case, span: &mut Map<String, Json>) {
    if case.duration_nanos < 1_000 {
        assert_eq!(span["duration"], json!(0));
        span.insert("duration".into(), json!(1));
    }
}

/// OpenTelemetry "Service name": the Zipkin service name MUST be the
/// resource's `service.name`; upstream 0.33 ignores the resource and sends
/// an empty `localEndpoint`.
fn local_endpoint_names_the_service(span: &mut Map<String, Json>) {
    assert_eq!(span["localEndpoint"], json!({}));
    span.insert("localEndpoint".into(), json!({"serviceName": "orders"}));
}

/// OpenTelemetry "Service name": `service.namespace` "should be sent as a
/// Zipkin tag", and so are the resource's other attributes (`host.name`…)
/// but `service.name`; upstream sends none of the resource.
fn resource_attributes_are_tags(tags: &mut Map<String, Json>) {
    for (key, value) in resource().attributes() {
        if key != "service.name" {
            assert_eq!(tags.get(key), None);
            tags.insert(key.to_owned(), json!(value.as_value().to_string()));
        }
    }
}

/// OpenTelemetry "Remote endpoint": a client or producer span SHOULD have a
/// `remoteEndpoint` from `peer.service`, `server.address`,
/// `network.peer.address`; upstream sends none.
fn client_has_remote_endpoint(case: &Case, span: &mut Map<String, Json>) {
    assert_eq!(span.get("remoteEndpoint"), None);
    if case.site.kind() == SpanKind::Client {
        span.insert(
            "remoteEndpoint".into(),
            json!({"serviceName": "payments.internal", "ipv4": "10.1.2.3", "port": 8443}),
        );
    }
}

/// Non-OTLP mapping: the scope is `otel.scope.name`; upstream still sends
/// the deprecated `otel.library.name`.
fn scope_is_otel_scope_name(case: &Case, tags: &mut Map<String, Json>) {
    assert_eq!(
        tags.remove("otel.library.name"),
        Some(json!(case.site.target()))
    );
    tags.insert("otel.scope.name".into(), json!(case.site.target()));
}

/// OpenTelemetry "Events": an event's attributes MUST be carried in the
/// annotation, `name: {json}`; upstream sends the name alone.
fn annotations_carry_attributes(case: &Case, span: &mut Map<String, Json>) {
    let Some(Json::Array(annotations)) = span.get_mut("annotations") else {
        return;
    };
    for (annotation, (name, _, attribute)) in annotations.iter_mut().zip(case.events) {
        assert_eq!(annotation["value"], json!(name));
        if let Some((key, value)) = attribute {
            annotation["value"] = json!(format!("{name}: {{\"{key}\":\"{value}\"}}"));
        }
    }
}

/// OpenTelemetry "Request Payload": fields that can be absent SHOULD be
/// omitted when empty ("a Span without any Event should not have an
/// `annotations` field"); upstream always sends `annotations`, and `debug`
/// and `shared` false (the schema's default when absent).
fn empty_fields_are_omitted(case: &Case, span: &mut Map<String, Json>) {
    if case.events.is_empty() {
        assert_eq!(span.remove("annotations"), Some(json!([])));
    }
    assert_eq!(span.remove("debug"), Some(json!(false)));
    assert_eq!(span.remove("shared"), Some(json!(false)));
}

fn as_specified(case: &Case, span: &Json) -> Map<String, Json> {
    let mut span = span.as_object().unwrap().clone();
    root_has_no_parent_id(case, &mut span);
    short_trace_id_stays_short(case, &mut span);
    duration_at_least_one(case, &mut span);
    local_endpoint_names_the_service(&mut span);
    client_has_remote_endpoint(case, &mut span);
    annotations_carry_attributes(case, &mut span);
    empty_fields_are_omitted(case, &mut span);
    let tags = span.get_mut("tags").unwrap().as_object_mut().unwrap();
    resource_attributes_are_tags(tags);
    scope_is_otel_scope_name(case, tags);
    span
}

#[test]
fn our_json_agrees_with_opentelemetry_zipkin_field_by_field() {
    let cases = cases();
    let ours = ours(cases.iter().map(omniscope_span).collect());
    let theirs = upstream(cases.iter().map(upstream_span).collect());
    let (ours, theirs) = (ours.as_array().unwrap(), theirs.as_array().unwrap());
    assert_eq!(ours.len(), cases.len());
    assert_eq!(theirs.len(), cases.len());
    for ((case, ours), theirs) in cases.iter().zip(ours).zip(theirs) {
        let ours = ours.as_object().unwrap();
        let expected = as_specified(case, theirs);
        let name = case.site.name();
        let mut fields: Vec<&String> = ours.keys().chain(expected.keys()).collect();
        fields.sort();
        fields.dedup();
        for field in fields {
            if field == "tags" {
                let (ours, expected) = (&ours["tags"], &expected["tags"]);
                let keys: Vec<&String> = ours
                    .as_object()
                    .unwrap()
                    .keys()
                    .chain(expected.as_object().unwrap().keys())
                    .collect();
                for key in keys {
                    assert_eq!(
                        ours.get(key),
                        expected.get(key),
                        "span {name:?}, tag {key:?}"
                    );
                }
            } else {
                assert_eq!(
                    ours.get(field),
                    expected.get(field),
                    "span {name:?}, field {field:?}"
                );
            }
        }
    }
}
