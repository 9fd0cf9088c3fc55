//! `Span::end_timed` tells how long a span was open by the SDK's clock: the
//! duration the exported span shows, read without a clock of the caller's.

mod common;

use std::time::{Duration, Instant};

use omniscope::{Context, Span, SpanSite};
use omniscope_sdk::trace::SdkTracer;

static SITE: SpanSite = SpanSite::new("timed", module_path!(), file!(), line!());

#[test]
fn the_duration_is_the_exported_spans() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    let before = Instant::now();
    let mut span = Span::start_in(&Context::new(), &SITE, Some("GET"), &[]);
    assert!(span.is_timed(), "the SDK times its spans");
    std::thread::sleep(Duration::from_millis(5));
    let told = span.end_timed().expect("a recording span's duration");
    let outer = before.elapsed();
    assert!(span.end_timed().is_none(), "a span ends once");
    assert!(span.context().is_some(), "the ended span keeps its context");
    drop(span);

    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let exported = spans.items();
    assert_eq!(exported.len(), 1, "{exported:?}");
    let span = &exported[0];
    assert_eq!(span.name, "GET");
    let shown = span.end_time.duration_since(span.start_time).unwrap();
    assert!(
        told >= Duration::from_millis(5) && told <= outer,
        "{told:?} {outer:?}"
    );
    // The same two ticks, converted by the same rate (refreshed at most
    // once a second): equal up to rounding.
    let gap = told.abs_diff(shown);
    assert!(gap <= Duration::from_micros(1), "{told:?} vs {shown:?}");
}
