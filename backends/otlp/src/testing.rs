//! Test helpers: records with fixed times and ids, produced by the real SDK.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use omniscope::trace::{SpanSite, SpanStart};
use omniscope::{
    Field, Level, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    Tracer as _, Value,
};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};
use omniscope_sdk::Attributes;

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

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

static SITE: SpanSite =
    SpanSite::new("checkout", "orders::api", "src/api.rs", 7).with_kind(SpanKind::Server);

/// A 12 ms server span `checkout` of `orders::api` ending at [`t0`], with a
/// parent, an event, a link and an error status.
pub(crate) fn span_record() -> SpanData {
    let (exporter, received) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    let started = tracer.start(&SpanStart::new(&SITE, None, &[]));
    let token = started.token().expect("a recorded span");
    tracer.add_event(
        token,
        "retry",
        &[Field::new_static("attempt", Value::I64(2))],
    );
    tracer.add_link(
        token,
        &linked(),
        &[Field::new_static("why", Value::Str("batch"))],
    );
    tracer.set_status(token, &Status::error("card declined"));
    tracer.end(token);
    tracer.flush(deadline()).unwrap();
    let mut span = received.items().pop().expect("the SDK delivered the span");
    span.context = SpanContext::new(trace_id(), span_id(), TraceFlags::SAMPLED);
    span.parent_span_id = Some(parent_id());
    span.parent_is_remote = true;
    span.start_time = t0() - Duration::from_millis(12);
    span.end_time = t0();
    for e in &mut span.events {
        e.time = t0() - Duration::from_millis(5);
    }
    span.attributes = Attributes::from_fields(&sample_fields());
    span
}

/// An INFO record "order created" of `orders::api` at [`t0`], in a trace.
pub(crate) fn log_record() -> LogData {
    let (exporter, received) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter("trace")
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    omniscope::log!(logger: &logger, target: "orders::api", Level::Warn, "order created");
    logger.flush(deadline()).unwrap();
    let mut record = received
        .items()
        .pop()
        .expect("the SDK delivered the record");
    record.timestamp = t0();
    record.observed_timestamp = t0() + Duration::from_millis(1);
    record.fields = Attributes::from_fields(&sample_fields());
    record.trace_id = Some(trace_id());
    record.span_id = Some(span_id());
    record.location = Some(("orders::api".into(), "src/api.rs".into(), 42));
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
