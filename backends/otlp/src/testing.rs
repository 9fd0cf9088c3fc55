//! Test helpers: records with fixed times and ids, built by the real SDK
//! (`omniscope_sdk::testing`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omniscope::trace::SpanSite;
use omniscope::{
    Field, Level, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState, Value,
};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::testing;
use omniscope_sdk::trace::SpanData;

/// 2026-11-21T10:00:00.123456789Z
pub(crate) fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::new(1_795_255_200, 123_456_789)
}

pub(crate) const T0_NANOS: u64 = 1_795_255_200_123_456_789;

pub(crate) fn trace_id() -> TraceId {
    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
}

pub(crate) fn span_id() -> SpanId {
    SpanId::from_hex("00f067aa0ba902b7").unwrap()
}

pub(crate) fn parent_id() -> SpanId {
    SpanId::from_hex("53995c3f42cd8ad8").unwrap()
}

pub(crate) fn linked() -> SpanContext {
    SpanContext::new_remote(
        TraceId::from_hex("0af7651916cd43dd8448eb211c80319c").unwrap(),
        SpanId::from_hex("b7ad6b7169203331").unwrap(),
        TraceFlags::SAMPLED,
        TraceState::parse("congo=t61rcWkgMzE").unwrap(),
    )
}

static SITE: SpanSite =
    SpanSite::new("checkout", "orders::api", "src/api.rs", 7).with_kind(SpanKind::Server);

/// A 12 ms server span `checkout` of `orders::api` ending at [`t0`], with a
/// remote parent, an event, a link and an error status.
pub(crate) fn span_record() -> SpanData {
    let parent = SpanContext::new_remote(
        trace_id(),
        parent_id(),
        TraceFlags::SAMPLED,
        TraceState::new(),
    );
    testing::span("checkout")
        .with_site(&SITE)
        .with_parent(parent)
        .with_ids(trace_id(), span_id())
        .with_times(t0() - Duration::from_millis(12), t0())
        .with_attributes(&sample_fields())
        .with_event(
            "retry",
            t0() - Duration::from_millis(5),
            &[Field::new_static("attempt", Value::I64(2))],
        )
        .with_link(linked(), &[Field::new_static("why", Value::Str("batch"))])
        .with_status(Status::error("card declined"))
        .build()
}

/// A WARN record "order created" of `orders::api` at [`t0`] (observed 1 ms
/// later), in a sampled span, from `src/api.rs:42`.
pub(crate) fn log_record() -> LogData {
    let mut record = testing::log(Level::Warn, "order created")
        .with_target("orders::api")
        .with_fields(&sample_fields())
        .with_ids(trace_id(), span_id())
        .with_time(t0())
        .with_location("orders::api", "src/api.rs", 42)
        .build();
    record.observed_timestamp = t0() + Duration::from_millis(1);
    record.trace_flags = TraceFlags::SAMPLED;
    record
}

/// Typed sample fields, with a `u64` too large for OTLP's `int`.
pub(crate) fn sample_fields() -> [Field<'static>; 5] {
    [
        Field::new_static("order.id", Value::I64(42)),
        Field::new_static("total", Value::F64(12.5)),
        Field::new_static("note", Value::Str("first order")),
        Field::new_static("paid", Value::Bool(true)),
        Field::new_static("huge", Value::U64(u64::MAX)),
    ]
}
