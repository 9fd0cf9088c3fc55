//! Test helpers: temporary directories and sample records with fixed
//! timestamps and ids, produced by the real SDK.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use omniscope::trace::{SpanSite, SpanStart};
use omniscope::{
    ErrorContext, ErrorHandler as _, Field, Level, SpanContext, SpanId, TraceFlags, TraceId,
    Tracer as _, Value,
};
use omniscope_sdk::errors::{ErrorEvent, SdkErrors};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};
use omniscope_sdk::Attributes;

/// A directory under the system's temporary directory, removed on drop.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("omniscope-console-unit-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 2026-11-21T10:00:00.123456Z
pub(crate) fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::new(1_795_255_200, 123_456_789)
}

pub(crate) fn trace_id() -> TraceId {
    TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap()
}

pub(crate) fn span_id() -> SpanId {
    SpanId::from_hex("00f067aa0ba902b7").unwrap()
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

/// An INFO record from `orders::api`: "order created", in a trace.
pub(crate) fn log_record(fields: &[Field<'_>]) -> LogData {
    let (exporter, received) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter("trace")
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    omniscope::log!(logger: &logger, target: "orders::api", Level::Info, "order created");
    logger.flush(deadline()).unwrap();
    let mut record = received
        .items()
        .pop()
        .expect("the SDK delivered the record");
    record.timestamp = t0();
    record.fields = Attributes::from_fields(fields);
    record.trace_id = Some(trace_id());
    record.span_id = Some(span_id());
    record
}

static SITE: SpanSite = SpanSite::new("checkout", "orders::api", "src/api.rs", 7);

/// A 12 ms span `checkout` from `orders::api`, ending at [`t0`].
pub(crate) fn span_record(fields: &[Field<'_>]) -> SpanData {
    let (exporter, received) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    let started = tracer.start(&SpanStart::new(&SITE, None, &[]));
    tracer.end(started.token().expect("a recorded span"));
    tracer.flush(deadline()).unwrap();
    let mut span = received.items().pop().expect("the SDK delivered the span");
    span.context = SpanContext::new(trace_id(), span_id(), TraceFlags::SAMPLED);
    span.start_time = t0() - Duration::from_millis(12);
    span.end_time = t0();
    span.attributes = Attributes::from_fields(fields);
    span
}

#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: &'static str,
    pub(crate) source: Option<Box<Failure>>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|s| s as _)
    }
}

/// A handled `Failure` "payment failed" caused by "card expired", at [`t0`].
pub(crate) fn error_record(fields: &[Field<'_>]) -> ErrorEvent {
    let (exporter, received) = InMemoryExporter::new();
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(exporter))
        .build()
        .unwrap();
    let error = Failure {
        message: "payment failed",
        source: Some(Box::new(Failure {
            message: "card expired",
            source: None,
        })),
    };
    errors.handle(&error, &ErrorContext::new(&[]));
    errors.flush(deadline()).unwrap();
    let mut event = received.items().pop().expect("the SDK delivered the error");
    event.timestamp = t0();
    event.fields = Attributes::from_fields(fields);
    event.trace_id = Some(trace_id());
    event.span_id = Some(span_id());
    event.location = Some("src/api.rs:7:9".into());
    event.thread = Some("main".into());
    event.backtrace = None;
    event
}

/// Typed sample fields.
pub(crate) fn sample_fields() -> [Field<'static>; 4] {
    [
        Field::new_static("order.id", Value::I64(42)),
        Field::new_static("total", Value::F64(12.5)),
        Field::new_static("note", Value::Str("first order")),
        Field::new_static("paid", Value::Bool(true)),
    ]
}

/// A cumulative snapshot at [`t0`] of a real meter holding a labelled
/// counter, an up-down counter, a gauge and a histogram.
pub(crate) fn metrics_snapshot() -> omniscope_sdk::metrics::MetricsSnapshot {
    use omniscope::metrics::{Key, Label, Meter as _, MetricMeta};
    let meter = omniscope_sdk::SdkMeter::new();
    let web = [Label::new("channel", "web")];
    meter
        .counter(&Key::new("orders_created_total", &web), &MetricMeta::EMPTY)
        .increment(42);
    let in_flight = meter.up_down_counter(&Key::from_name("orders_in_flight"), &MetricMeta::EMPTY);
    in_flight.add(7);
    in_flight.add(-4);
    meter
        .gauge(&Key::from_name("temperature_celsius"), &MetricMeta::EMPTY)
        .set(21.5);
    let seconds = meter.histogram(&Key::from_name("request_seconds"), &MetricMeta::EMPTY);
    for v in [0.5, 0.5, 2.0] {
        seconds.record(v);
    }
    meter
        .counter(&Key::from_name("orders_failed_total"), &MetricMeta::EMPTY)
        .increment(0);
    let mut snapshot = meter.snapshot();
    snapshot
        .families
        .retain(|f| !f.name.starts_with("omniscope_"));
    snapshot.time = Some(t0());
    snapshot.start_time = Some(t0() - Duration::from_secs(60));
    snapshot
}
