//! Spans for unit tests: one real span recorded by an `SdkTracer`, then
//! copied with other ids, names and times (`SpanData` cannot be built
//! outside the SDK).

use std::borrow::Cow;
use std::time::{Duration, Instant, SystemTime};

use omniscope::trace::{SpanSite, SpanStart};
use omniscope::{SpanContext, SpanId, TraceFlags, TraceId, Tracer};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};

static SITE: SpanSite = SpanSite::new("template", "present::tests", "testutil.rs", 1);

fn template() -> SpanData {
    let (exporter, spans) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    let started = tracer.start(&SpanStart::new(&SITE, None, &[]));
    tracer.end(started.token().unwrap());
    tracer
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    spans.items().remove(0)
}

/// A span of trace `trace`, id `span`, child of `parent` (0: a root),
/// starting `start_ms` after the epoch and lasting `duration_ms`.
pub(crate) fn span(
    trace: u128,
    span: u64,
    parent: u64,
    name: &str,
    start_ms: u64,
    duration_ms: u64,
) -> SpanData {
    thread_local!(static TEMPLATE: SpanData = template());
    let mut s = TEMPLATE.with(SpanData::clone);
    s.context = SpanContext::new(
        TraceId::from_bytes(trace.to_be_bytes()),
        SpanId::from_bytes(span.to_be_bytes()),
        TraceFlags::SAMPLED,
    );
    s.parent_span_id = (parent != 0).then(|| SpanId::from_bytes(parent.to_be_bytes()));
    s.name = Cow::Owned(name.to_owned());
    s.start_time = SystemTime::UNIX_EPOCH + Duration::from_millis(start_ms);
    s.end_time = s.start_time + Duration::from_millis(duration_ms);
    s
}
