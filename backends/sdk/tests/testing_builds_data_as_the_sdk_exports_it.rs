//! `omniscope_sdk::testing` builds spans, log records and error events
//! through the SDK's own recording code: limits, redaction and the error
//! chain apply, and the ids and times asked for are kept.

use std::time::{Duration, SystemTime};

use omniscope::trace::SpanSite;
use omniscope::{
    ErrorKind, Field, Level, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId,
    TraceState, Value,
};
use omniscope_sdk::testing;

fn t0() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::new(1_795_255_200, 123_456_789)
}

static SERVER: SpanSite =
    SpanSite::new("checkout", "orders::api", "src/api.rs", 7).with_kind(SpanKind::Server);

#[test]
fn a_span_keeps_what_was_asked_as_the_tracer_records_it() {
    let parent = SpanContext::new_remote(
        TraceId::from_u128(7),
        SpanId::from_u64(1),
        TraceFlags::NOT_SAMPLED,
        TraceState::parse("congo=t61rcWkgMzE").unwrap(),
    );
    let linked = SpanContext::new(
        TraceId::from_u128(9),
        SpanId::from_u64(3),
        TraceFlags::SAMPLED,
    );
    let span = testing::span("GET /orders")
        .with_site(&SERVER)
        .with_parent(parent)
        .with_ids(TraceId::from_u128(7), SpanId::from_u64(2))
        .with_times(t0() - Duration::from_millis(12), t0())
        .with_attribute("order.id", Value::I64(42))
        .with_attributes(&[Field::new_static("paid", Value::Bool(true))])
        .with_event(
            "retry",
            t0() - Duration::from_millis(5),
            &[Field::new_static("attempt", Value::I64(2))],
        )
        .with_link(linked.clone(), &[])
        .with_status(Status::error("card declined"))
        .build();

    assert_eq!(span.name, "GET /orders");
    assert_eq!(
        (span.site.target(), span.kind),
        ("orders::api", SpanKind::Server)
    );
    assert_eq!(span.context.trace_id(), TraceId::from_u128(7));
    assert_eq!(span.context.span_id(), SpanId::from_u64(2));
    assert!(span.context.is_sampled(), "recorded: sampled");
    assert_eq!(span.context.trace_state().header(), "congo=t61rcWkgMzE");
    assert_eq!(span.parent_span_id, Some(SpanId::from_u64(1)));
    assert!(span.parent_is_remote);
    assert_eq!(
        (span.start_time, span.end_time),
        (t0() - Duration::from_millis(12), t0())
    );
    let attributes: Vec<(&str, String)> = span
        .attributes
        .iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    assert_eq!(
        attributes,
        [("order.id", "42".to_owned()), ("paid", "true".to_owned())]
    );
    assert_eq!(span.events.len(), 1);
    assert_eq!(span.events[0].name, "retry");
    assert_eq!(span.events[0].time, t0() - Duration::from_millis(5));
    assert_eq!(span.links[0].context, linked);
    assert_eq!(span.status, Status::error("card declined"));
}

#[test]
fn a_span_goes_through_the_default_limits() {
    let names: Vec<String> = (0..200).map(|i| format!("k{i}")).collect();
    let fields: Vec<Field<'_>> = names.iter().map(|n| Field::new(n, Value::U64(1))).collect();
    let span = testing::span("big").with_attributes(&fields).build();
    assert_eq!((span.attributes.len(), span.dropped_attributes), (128, 72));
}

#[test]
fn a_default_span_is_a_root_timed_when_built() {
    let before = SystemTime::now();
    let span = testing::span("plain").build();
    let after = SystemTime::now();
    assert!(span.context.is_valid() && span.parent_span_id.is_none());
    assert_eq!((span.site.target(), span.kind), ("app", SpanKind::Internal));
    assert!(before <= span.start_time && span.end_time <= after);
    assert_eq!(span.status, Status::Unset);
}

#[test]
fn many_spans_come_back_in_order_with_their_own_ids() {
    let names: Vec<String> = (0..2500).map(|i| format!("span {i}")).collect();
    let built = testing::spans(names.iter().enumerate().map(|(i, name)| {
        testing::span(name).with_ids(TraceId::from_u128(1), SpanId::from_u64(i as u64 + 1))
    }));
    assert_eq!(built.len(), names.len());
    for (i, span) in built.iter().enumerate() {
        assert_eq!(span.name, names[i]);
        assert_eq!(span.context.span_id(), SpanId::from_u64(i as u64 + 1));
    }
}

#[test]
fn a_log_record_is_processed_as_the_logger_does() {
    let record = testing::log(Level::Warn, "login failed")
        .with_target("orders::auth")
        .with_field("user", Value::Str("ada"))
        .with_fields(&[Field::new_static("password", Value::Str("hunter2"))])
        .with_ids(TraceId::from_u128(7), SpanId::from_u64(2))
        .with_time(t0())
        .with_location("orders::auth", "src/auth.rs", 42)
        .build();
    assert_eq!(
        (
            record.level,
            record.target.as_ref(),
            record.message.as_str()
        ),
        (Level::Warn, "orders::auth", "login failed")
    );
    assert_eq!(
        record.fields.get("user").and_then(|v| v.as_str()),
        Some("ada")
    );
    assert_eq!(
        record.fields.get("password").and_then(|v| v.as_str()),
        Some("[REDACTED]"),
        "redacted by the logger"
    );
    assert_eq!(
        (record.trace_id, record.span_id),
        (Some(TraceId::from_u128(7)), Some(SpanId::from_u64(2)))
    );
    assert_eq!((record.timestamp, record.observed_timestamp), (t0(), t0()));
    let location = record.location.unwrap();
    assert_eq!(
        (location.0.as_ref(), location.1.as_ref(), location.2),
        ("orders::auth", "src/auth.rs", 42)
    );
}

#[test]
fn a_default_log_record_is_outside_any_span() {
    omniscope::testing::capture(|| {
        let _current = omniscope::span!("current");
        let record = testing::log(Level::Trace, "quiet").build();
        assert_eq!((record.trace_id, record.span_id), (None, None));
        assert_eq!(
            (record.target.as_ref(), record.location.as_ref()),
            ("app", None)
        );
    });
}

#[derive(Debug)]
enum OrderError {
    Payment(std::io::Error),
}

impl std::fmt::Display for OrderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("payment failed")
    }
}

impl std::error::Error for OrderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        let OrderError::Payment(e) = self;
        Some(e)
    }
}

#[test]
fn an_error_event_has_its_chain_location_and_context() {
    let error = OrderError::Payment(std::io::Error::other("card declined"));
    let line = line!() + 1;
    let event = testing::error(&error)
        .with_field("order.id", Value::I64(42))
        .with_ids(TraceId::from_u128(7), SpanId::from_u64(2))
        .with_time(t0())
        .with_thread("main")
        .build();
    let chain: Vec<(&str, &str)> = event
        .chain
        .iter()
        .map(|l| (l.type_name.as_str(), l.message.as_str()))
        .collect();
    assert_eq!(
        chain,
        [
            ("Payment", "payment failed"),
            ("io::Error", "card declined")
        ]
    );
    assert_eq!(event.kind, ErrorKind::Handled);
    assert_eq!(
        event
            .fields
            .get("order.id")
            .map(|v| v.to_string())
            .as_deref(),
        Some("42")
    );
    assert_eq!(event.trace_id, Some(TraceId::from_u128(7)));
    assert_eq!(event.timestamp, t0());
    assert_eq!(event.thread.as_deref(), Some("main"));
    let location = event.location.unwrap();
    assert!(
        location.starts_with(&format!("{}:{line}:", file!())),
        "{location}"
    );
}

#[test]
fn a_panic_event_is_named_panic_and_counts_nowhere() {
    let error = std::io::Error::other("boom");
    let captured = omniscope::testing::capture(|| {
        let event = testing::error(&error).with_kind(ErrorKind::Panic).build();
        assert_eq!((event.kind, event.type_name()), (ErrorKind::Panic, "panic"));
        let handled = testing::error(&error).build();
        assert_eq!(handled.thread.as_deref(), std::thread::current().name());
    });
    assert!(captured.is_empty(), "{captured:?}");
}
