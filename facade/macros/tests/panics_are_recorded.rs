//! A panic inside an instrumented function is recorded on its span and in
//! `function.panics`, and `function.in_flight` comes back to zero;
//! the panic itself goes on unwinding (the test catches it).

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use common::spans_compiled_in;
use omniscope::testing::capture;
use omniscope::{instrument, Status};

#[instrument]
fn explode(code: u32) -> u32 {
    if code > 0 {
        panic!("boom {code}");
    }
    code
}

#[instrument]
fn caller() -> u32 {
    explode(1) + 1
}

const EXPLODE: &str = concat!(module_path!(), "::explode");

#[test]
fn a_panic_is_recorded_and_keeps_unwinding() {
    let captured = capture(|| {
        let result = catch_unwind(|| explode(2));
        assert!(result.is_err(), "the panic reaches the caller");
        assert_eq!(explode(0), 0);
    });
    let function = [("function", EXPLODE)];
    assert_eq!(captured.counter("function.panics", &function), Some(1));
    assert_eq!(captured.counter("function.calls", &function), Some(2));
    assert_eq!(
        captured.up_down_counter("function.in_flight", &function),
        Some(0)
    );
    let outcome = |o| {
        captured
            .histogram(
                "function.duration",
                &[("function", EXPLODE), ("outcome", o)],
            )
            .map(|s| s.len())
    };
    assert_eq!(outcome("panic"), Some(1));
    assert_eq!(outcome("ok"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let span = &captured.spans()[0];
    assert!(span.has_event("panic"));
    assert_eq!(span.status, Status::error("panicked"));
    assert!(span.ended);
    assert_eq!(captured.spans()[1].status, Status::Unset);
}

#[test]
fn every_frame_of_the_unwind_records_the_panic() {
    let captured = capture(|| {
        let _ = catch_unwind(AssertUnwindSafe(caller));
    });
    for name in ["caller", "explode"] {
        let function = format!("{}::{name}", module_path!());
        assert_eq!(
            captured.counter("function.panics", &[("function", &function)]),
            Some(1),
            "{name}"
        );
        assert_eq!(
            captured.up_down_counter("function.in_flight", &[("function", &function)]),
            Some(0),
            "{name}"
        );
    }
    if !spans_compiled_in() {
        return;
    }
    for name in ["caller", "explode"] {
        let span = captured.span(name).expect("recorded");
        assert_eq!(span.status, Status::error("panicked"), "{name}");
    }
    let caller = captured.span("caller").expect("recorded");
    let explode = captured.span("explode").expect("recorded");
    assert_eq!(explode.parent_span_id, Some(caller.span_id));
}
