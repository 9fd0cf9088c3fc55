//! Regression test for issue #11: `span!` fields, event fields and
//! recorded errors whose `Display` panics never unwind into the caller and
//! never cost a slot: thousands of such spans (more than a thread may hold)
//! are all recorded, each value as the placeholder, each panic counted.

mod common;

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use omniscope::{span, Field, Status, Value};
use omniscope_sdk::trace::SdkTracer;

/// Formatting it panics.
#[derive(Debug)]
struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of Panics");
    }
}

impl std::error::Error for Panics {}

use omniscope_sdk::attributes::PANICKED_WHILE_FORMATTING as PLACEHOLDER;

#[test]
fn panicking_fields_are_recorded_as_the_placeholder() {
    // Few slots per thread: a slot lost per span would soon fill them.
    let (tracer, spans) =
        common::recording_tracer(SdkTracer::builder().with_max_spans_per_thread(256));
    omniscope::set_tracer(tracer.clone()).ok().unwrap();
    // Thousands of panics: keep the test output readable.
    std::panic::set_hook(Box::new(|_| {}));

    const SPANS: u64 = 2_000;
    let mut unwound = 0;
    for i in 0..SPANS {
        let call = catch_unwind(AssertUnwindSafe(|| {
            let span = span!("fields", i = i, bad = %Panics);
            span.add_event("event", &[Field::new("bad", Value::from_display(&Panics))]);
            span.record_error(&Panics);
        }));
        unwound += u64::from(call.is_err());
    }
    let _ = std::panic::take_hook();
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let stats = tracer.stats();
    assert_eq!(stats.dropped_buffer_full, 0, "no slot leaked: {stats:?}");
    let recorded = spans.take();
    assert_eq!(recorded.len() as u64, SPANS, "every span recorded");
    for s in &recorded {
        assert_eq!(
            s.attributes.get("bad").and_then(|v| v.as_str()),
            Some(PLACEHOLDER)
        );
        assert_eq!(s.events.len(), 2);
        assert_eq!(
            s.events[0].attributes.get("bad").and_then(|v| v.as_str()),
            Some(PLACEHOLDER)
        );
        assert_eq!(s.events[1].name, "exception");
        assert_eq!(
            s.events[1]
                .attributes
                .get("exception.message")
                .and_then(|v| v.as_str()),
            Some(PLACEHOLDER)
        );
        assert_eq!(s.status, Status::Error(PLACEHOLDER.into()));
    }
    assert_eq!(unwound, 0, "no panic reached the caller");
    assert_eq!(
        omniscope_sdk::attributes::format_panics(),
        3 * SPANS,
        "each panic counted"
    );
}
