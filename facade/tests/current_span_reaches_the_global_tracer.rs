//! Issue #14, item 9: with a global tracer installed, `Span::current()`
//! records through it, on the token of the span that is current.

use std::sync::Mutex;

use omniscope::sync::lock;
use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{span, Field, Span, SpanContext, SpanId, TraceFlags, TraceId, Tracer};

#[derive(Default)]
struct Recording {
    attributes: Mutex<Vec<(u64, String)>>,
    next: Mutex<u64>,
}

impl Tracer for Recording {
    fn start(&self, _: &SpanStart<'_>) -> StartedSpan {
        let mut next = lock(&self.next);
        *next += 1;
        StartedSpan::recording(
            SpanContext::new(
                TraceId::from_u128(1),
                SpanId::from_u64(*next),
                TraceFlags::SAMPLED,
            ),
            SpanToken(*next),
        )
    }

    fn end(&self, _: SpanToken) {}

    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        lock(&self.attributes).push((token.0, field.key().to_owned()));
    }
}

static TRACER: std::sync::LazyLock<Recording> = std::sync::LazyLock::new(Recording::default);

#[test]
fn records_on_the_current_token() {
    if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL {
        return;
    }
    omniscope::set_tracer(&*TRACER).unwrap_or_else(|_| panic!("installed once"));
    {
        let _a = span!("a");
        let _b = span!("b");
        Span::current().set_attribute("in_b", 1);
    }
    Span::current().set_attribute("outside", 1);
    assert_eq!(*lock(&TRACER.attributes), [(2, "in_b".to_owned())]);
}
