use std::time::{Duration, UNIX_EPOCH};

use omniscope::{Field, SpanContext, SpanId, SpanSite, TraceFlags, TraceId};
use omniscope_sdk::testing;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

use super::*;

static SERVER: SpanSite =
    SpanSite::new("get /orders", "orders::api", "api.rs", 1).with_kind(SpanKind::Server);
static CLIENT: SpanSite =
    SpanSite::new("charge", "orders::payment", "payment.rs", 2).with_kind(SpanKind::Client);

fn resource() -> Resource {
    Resource::empty()
        .with(Resource::SERVICE_NAME, OwnedValue::Str("orders".into()))
        .with("process.pid", OwnedValue::I64(7))
}

fn encoded(spans: &[SpanData]) -> Json {
    serde_json::from_slice(&encode(spans.iter(), &resource(), Encoding::Json).unwrap()).unwrap()
}

const TRACE: u128 = 0x4bf92f3577b34da6a3ce929d0e0e4736;

#[test]
fn a_server_span_maps_every_field() {
    let start = UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
    let parent = SpanContext::new_remote(
        TraceId::from_u128(TRACE),
        SpanId::from_u64(0x00f067aa0ba902b7),
        TraceFlags::SAMPLED,
        omniscope::TraceState::new(),
    );
    let data = testing::span("get /orders")
        .with_site(&SERVER)
        .with_parent(parent)
        .with_ids(
            TraceId::from_u128(TRACE),
            SpanId::from_u64(0x0102030405060708),
        )
        .with_times(start, start + Duration::from_nanos(2_000_001))
        .with_attribute("http.response.status_code", Value::I64(500))
        .with_attribute("retry", Value::Bool(true))
        .with_event("cache-miss", start, &[])
        .with_event(
            "retry",
            start + Duration::from_micros(5),
            &[Field::new("attempt", Value::U64(2))],
        )
        .with_status(Status::Error("db down".into()))
        .build();
    let got = encoded(&[data]);
    assert_eq!(
        got,
        json!([{
            "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
            "parentId": "00f067aa0ba902b7",
            "id": "0102030405060708",
            "kind": "SERVER",
            "name": "get /orders",
            "timestamp": 1_700_000_000_123_456u64,
            "duration": 2000,
            "localEndpoint": {"serviceName": "orders"},
            "annotations": [
                {"timestamp": 1_700_000_000_123_456u64, "value": "cache-miss"},
                {"timestamp": 1_700_000_000_123_461u64, "value": "retry: {\"attempt\":\"2\"}"},
            ],
            "tags": {
                "http.response.status_code": "500",
                "retry": "true",
                "process.pid": "7",
                "otel.scope.name": "orders::api",
                "otel.status_code": "ERROR",
                "error": "db down",
            },
        }])
    );
}

#[test]
fn internal_spans_have_no_kind_and_roots_no_parent() {
    let data = testing::span("work").with_status(Status::Ok).build();
    let got = &encoded(&[data])[0];
    assert!(got.get("kind").is_none(), "{got}");
    assert!(got.get("parentId").is_none(), "{got}");
    assert!(got.get("remoteEndpoint").is_none(), "{got}");
    assert_eq!(got["tags"]["otel.status_code"], "OK");
    assert!(got["tags"].get("error").is_none());
}

#[test]
fn client_spans_name_their_peer() {
    let data = testing::span("charge")
        .with_site(&CLIENT)
        .with_attribute("server.address", Value::Str("payments.internal"))
        .with_attribute("server.port", Value::I64(8443))
        .with_attribute("network.peer.address", Value::Str("10.0.0.7"))
        .build();
    let got = &encoded(&[data])[0];
    assert_eq!(got["kind"], "CLIENT");
    assert_eq!(
        got["remoteEndpoint"],
        json!({"serviceName": "payments.internal", "ipv4": "10.0.0.7", "port": 8443})
    );
    let v6 = testing::span("charge")
        .with_site(&CLIENT)
        .with_attribute("network.peer.address", Value::Str("::1"))
        .with_attribute("network.peer.port", Value::Str("99"))
        .build();
    assert_eq!(
        encoded(&[v6])[0]["remoteEndpoint"],
        json!({"serviceName": "::1", "ipv6": "::1", "port": 99})
    );
}

#[test]
fn a_64_bit_trace_id_keeps_16_digits() {
    assert_eq!(trace_id(TraceId::from_u128(0xabc)), "0000000000000abc");
    assert_eq!(
        trace_id(TraceId::from_u128(1 << 64)),
        "00000000000000010000000000000000"
    );
}

#[test]
fn durations_are_whole_microseconds_and_at_least_one() {
    let t = UNIX_EPOCH + Duration::from_secs(1);
    assert_eq!(duration_micros(t, t), 1);
    assert_eq!(duration_micros(t, t + Duration::from_nanos(1)), 1);
    assert_eq!(duration_micros(t, t + Duration::from_nanos(1999)), 1);
    assert_eq!(duration_micros(t, t + Duration::from_nanos(2000)), 2);
    assert_eq!(duration_micros(t, t - Duration::from_nanos(5)), 1);
    assert_eq!(micros(UNIX_EPOCH - Duration::from_secs(1)), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the span holds, ids are lower-case hex of the right size,
    /// every tag is a string and the duration at least 1.
    #[test]
    fn any_span_encodes_to_the_spec(
        trace in 1u128..,
        span in 1u64..,
        nanos in 0u64..10_000_000,
        key in "[a-z.]{1,12}",
        text in ".{0,20}",
        number in any::<i64>(),
    ) {
        let start = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let data = testing::span("s")
            .with_ids(TraceId::from_u128(trace), SpanId::from_u64(span))
            .with_times(start, start + Duration::from_nanos(nanos))
            .with_attribute(&key, Value::Str(&text))
            .with_attribute("n", Value::I64(number))
            .build();
        let got = &encoded(&[data])[0];
        let hex = |s: &Json, lens: &[usize]| {
            let s = s.as_str().unwrap();
            lens.contains(&s.len()) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        prop_assert!(hex(&got["traceId"], &[16, 32]), "{got}");
        prop_assert!(hex(&got["id"], &[16]), "{got}");
        prop_assert!(got["duration"].as_u64().unwrap() >= 1);
        prop_assert!(got["tags"].as_object().unwrap().values().all(Json::is_string));
    }
}
