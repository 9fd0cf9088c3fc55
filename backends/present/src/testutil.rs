//! Spans for tests, built by the real SDK (`omniscope_sdk::testing`) with
//! the ids, names and times a test asks for.

use std::time::{Duration, SystemTime};

use omniscope::{SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_sdk::testing::{self, SpanBuilder};
use omniscope_sdk::trace::SpanData;

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
    builder(&(trace, span, parent, name, start_ms, duration_ms)).build()
}

/// What [`span`] takes: trace, span, parent (0: none), name, start and
/// duration in milliseconds.
pub(crate) type Spec<'a> = (u128, u64, u64, &'a str, u64, u64);

/// The spans of `specs` (as [`span`] makes each), built together: much
/// faster for many.
#[allow(dead_code)] // for the integration tests (through `#[path]`)
pub(crate) fn spans(specs: &[Spec<'_>]) -> Vec<SpanData> {
    testing::spans(specs.iter().map(builder))
}

fn builder<'a>(&(trace, span, parent, name, start_ms, duration_ms): &Spec<'a>) -> SpanBuilder<'a> {
    let trace_id = TraceId::from_u128(trace);
    let start = SystemTime::UNIX_EPOCH + Duration::from_millis(start_ms);
    let builder = testing::span(name)
        .with_ids(trace_id, SpanId::from_u64(span))
        .with_times(start, start + Duration::from_millis(duration_ms));
    if parent == 0 {
        return builder;
    }
    let parent = SpanContext::new(trace_id, SpanId::from_u64(parent), TraceFlags::SAMPLED);
    builder.with_parent(parent)
}
