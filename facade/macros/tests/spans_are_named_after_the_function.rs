//! An instrumented function is a span named after it, with its module path
//! as target, its qualified name as function, and its caller as parent.

mod common;

use common::spans_compiled_in;
use omniscope::testing::capture;
use omniscope::{instrument, SpanKind, Status};

#[instrument]
fn outer(n: u32) -> u32 {
    inner(n) + inner(n + 1)
}

#[instrument]
fn inner(n: u32) -> u32 {
    n * 2
}

#[instrument(name = "charge card", level = "debug", kind = SpanKind::Client)]
fn charge() {}

mod orders {
    #[omniscope::instrument]
    pub(crate) fn create() {}
}

#[test]
fn the_span_has_the_functions_name_target_and_qualified_name() {
    let captured = capture(|| assert_eq!(outer(1), 6));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("outer").expect("outer recorded");
    assert_eq!(span.target, module_path!());
    assert_eq!(
        span.function.as_deref(),
        Some(concat!(module_path!(), "::outer"))
    );
    assert_eq!(span.kind, SpanKind::Internal);
    assert_eq!(span.status, Status::Unset);
    assert!(span.ended);
}

#[test]
fn a_nested_call_is_a_child_span() {
    let captured = capture(|| {
        let _ = outer(1);
    });
    if !spans_compiled_in() {
        return;
    }
    let parent = captured.span("outer").expect("outer recorded");
    let children = captured.children_of(parent);
    assert_eq!(children.len(), 2);
    for child in children {
        assert_eq!(child.name, "inner");
        assert_eq!(child.trace_id, parent.trace_id);
    }
    assert_eq!(parent.parent_span_id, None);
}

#[test]
fn the_callers_span_is_the_parent() {
    let captured = capture(|| {
        let _request = omniscope::span!("request");
        let _ = inner(1);
    });
    if !spans_compiled_in() {
        return;
    }
    let request = captured.span("request").expect("request recorded");
    let inner = captured.span("inner").expect("inner recorded");
    assert_eq!(inner.parent_span_id, Some(request.span_id));
}

#[test]
fn name_and_kind_can_be_set() {
    let captured = capture(charge);
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("charge card").expect("renamed span");
    assert_eq!(span.kind, SpanKind::Client);
    // The function keeps its own name.
    assert_eq!(
        span.function.as_deref(),
        Some(concat!(module_path!(), "::charge"))
    );
}

#[test]
fn the_target_is_the_module_of_the_function() {
    let captured = capture(orders::create);
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("create").expect("recorded");
    assert_eq!(span.target, concat!(module_path!(), "::orders"));
    assert_eq!(
        span.function.as_deref(),
        Some(concat!(module_path!(), "::orders::create"))
    );
}

#[test]
fn logs_inside_carry_the_span() {
    #[instrument]
    fn logs() {
        omniscope::info!("inside");
    }
    let captured = capture(logs);
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("logs").expect("recorded");
    assert_eq!(captured.logs()[0].span_id, Some(span.span_id));
}

#[test]
fn outside_a_capture_nothing_breaks() {
    assert_eq!(outer(2), 10);
}
