//! Regression test for issue #11: a span attribute whose `Display` panics,
//! or re-enters the span while it is being formatted (sets another
//! attribute, adds an event), never hangs the thread nor unwinds into the
//! caller. A panicking value is recorded as the placeholder.
#![allow(clippy::unwrap_used)] // tests may unwrap

mod common;

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use omniscope::{span, Span, Value};
use omniscope_sdk::attributes::PANICKED_WHILE_FORMATTING;
use omniscope_sdk::export::InMemoryHandle;
use omniscope_sdk::trace::{SdkTracer, SpanData};

/// Formatting it panics.
struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of Panics");
    }
}

/// Formatting it records on the span it is an attribute of.
struct Reenters<'a>(&'a Span);

impl fmt::Display for Reenters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.set_attribute("inner", 7_i64);
        self.0.add_event("formatting", &[]);
        f.write_str("outer text")
    }
}

/// One tracer per process (the global is set once).
fn tracer() -> &'static (SdkTracer, InMemoryHandle<SpanData>) {
    static TRACER: OnceLock<(SdkTracer, InMemoryHandle<SpanData>)> = OnceLock::new();
    TRACER.get_or_init(|| {
        let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
        omniscope::set_tracer(tracer.clone()).ok().unwrap();
        (tracer, spans)
    })
}

/// Runs `body` on its own thread: a hang becomes a failure after 30 s (the
/// stuck thread is left behind), an unwind out of `body` a failure too.
fn returns_normally(what: &str, body: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        let unwound = catch_unwind(AssertUnwindSafe(body)).is_err();
        let _ = done.send(unwound);
    });
    match finished.recv_timeout(Duration::from_secs(30)) {
        Ok(false) => {}
        Ok(true) => panic!("{what}: a panic unwound into the caller"),
        Err(_) => panic!("{what}: the thread hung"),
    }
}

fn exported(name: &str) -> SpanData {
    let (tracer, spans) = tracer();
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let mut found: Vec<SpanData> = spans
        .items()
        .into_iter()
        .filter(|s| s.name == name)
        .collect();
    assert_eq!(found.len(), 1, "{name} exported once");
    found.remove(0)
}

#[test]
fn a_panicking_attribute_is_recorded_as_the_placeholder() {
    tracer();
    returns_normally("set_attribute with a panicking Display", || {
        let span = span!("panicking_attribute").exit();
        span.set_attribute("bad", Value::from_display(&Panics));
        span.set_attribute("after", 1_i64);
    });
    let s = exported("panicking_attribute");
    assert_eq!(
        s.attributes.get("bad").and_then(|v| v.as_str()),
        Some(PANICKED_WHILE_FORMATTING)
    );
    // The only panic in this process.
    assert_eq!(omniscope_sdk::attributes::format_panics(), 1);
    assert!(matches!(s.attributes.get("after"), Some(Value::I64(1))));
}

#[test]
fn an_attribute_that_records_on_its_own_span_while_formatted() {
    tracer();
    returns_normally("set_attribute with a re-entering Display", || {
        let span = span!("reentering_attribute").exit();
        span.set_attribute("outer", Value::from_display(&Reenters(&span)));
    });
    let s = exported("reentering_attribute");
    assert_eq!(
        s.attributes.get("outer").and_then(|v| v.as_str()),
        Some("outer text")
    );
    assert!(matches!(s.attributes.get("inner"), Some(Value::I64(7))));
    assert_eq!(s.events.len(), 1);
    assert_eq!(s.events[0].name, "formatting");
}
