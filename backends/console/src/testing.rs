//! Test helpers: temporary directories and sample records with fixed
//! timestamps and ids, built by the real SDK (`omniscope_sdk::testing`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omniscope::trace::SpanSite;
use omniscope::{Field, Level, SpanId, TraceId, Value};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::testing;
use omniscope_sdk::trace::SpanData;

mod temp_dir;

pub(crate) use temp_dir::TempDir;

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

/// An INFO record from `orders::api`: "order created", in a trace.
pub(crate) fn log_record(fields: &[Field<'_>]) -> LogData {
    testing::log(Level::Info, "order created")
        .with_target("orders::api")
        .with_fields(fields)
        .with_ids(trace_id(), span_id())
        .with_time(t0())
        .build()
}

static SITE: SpanSite = SpanSite::new("checkout", "orders::api", "src/api.rs", 7);

/// A 12 ms span `checkout` from `orders::api`, ending at [`t0`].
pub(crate) fn span_record(fields: &[Field<'_>]) -> SpanData {
    testing::span("checkout")
        .with_site(&SITE)
        .with_ids(trace_id(), span_id())
        .with_times(t0() - Duration::from_millis(12), t0())
        .with_attributes(fields)
        .build()
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

/// A handled `Failure` "payment failed" caused by "card expired", at [`t0`]
/// on thread `main`, reported at `src/api.rs:7:9`.
pub(crate) fn error_record(fields: &[Field<'_>]) -> ErrorEvent {
    let error = Failure {
        message: "payment failed",
        source: Some(Box::new(Failure {
            message: "card expired",
            source: None,
        })),
    };
    let mut event = testing::error(&error)
        .with_fields(fields)
        .with_ids(trace_id(), span_id())
        .with_time(t0())
        .with_thread("main")
        .build();
    event.location = Some("src/api.rs:7:9".into());
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
        .retain(|f| !f.name.starts_with("omniscope."));
    snapshot.time = Some(t0());
    snapshot.start_time = Some(t0() - Duration::from_secs(60));
    snapshot
}
