//! Spans started through the facade macros get W3C-valid ids, children
//! carry their parent's trace id and span id, timestamps nest, and the
//! exporter receives them after `flush`.

mod common;

use std::time::{Duration, Instant, SystemTime};

use omniscope::{span, Level, SpanKind, Value};
use omniscope_sdk::trace::SdkTracer;

#[test]
fn parent_and_child_ids_and_timestamps() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    let before = SystemTime::now();
    let (parent_ids, child_ids) = {
        let _parent = span!("parent", user = "ada", n = 3);
        let parent_ids = omniscope::context::current_ids().unwrap();
        let child_ids = {
            let _child = span!(level: Level::Debug, kind: SpanKind::Client, "child", ok = true);
            std::thread::sleep(Duration::from_millis(2));
            omniscope::context::current_ids().unwrap()
        };
        assert_eq!(
            omniscope::context::current_ids(),
            Some(parent_ids),
            "the parent is current again"
        );
        (parent_ids, child_ids)
    };
    let after = SystemTime::now();
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let got = spans.items();
    assert_eq!(got.len(), 2);
    let child = got.iter().find(|s| s.name == "child").unwrap();
    let parent = got.iter().find(|s| s.name == "parent").unwrap();

    assert!(parent.context.is_valid() && child.context.is_valid());
    assert!(parent.context.is_sampled());
    assert_eq!(
        (parent.context.trace_id(), parent.context.span_id()),
        parent_ids
    );
    assert_eq!(
        (child.context.trace_id(), child.context.span_id()),
        child_ids
    );
    assert_eq!(child.context.trace_id(), parent.context.trace_id());
    assert_eq!(child.parent_span_id, Some(parent.context.span_id()));
    assert_eq!(parent.parent_span_id, None);
    assert!(!child.parent_is_remote);
    assert_eq!(child.kind, SpanKind::Client);
    assert_eq!(child.site.level(), Level::Debug);

    assert!(parent.start_time <= child.start_time && child.end_time <= parent.end_time);
    assert!(child.end_time.duration_since(child.start_time).unwrap() >= Duration::from_millis(2));
    // Wall time, converted from the tracer's clock: within the test's bounds
    // (with slack for the conversion's rounding).
    let slack = Duration::from_millis(5);
    assert!(parent.start_time + slack >= before && parent.end_time <= after + slack);

    assert!(matches!(parent.attributes.get("n"), Some(Value::I64(3))));
    assert_eq!(
        parent.attributes.get("user").and_then(|v| v.as_str()),
        Some("ada")
    );
    assert!(matches!(
        child.attributes.get("ok"),
        Some(Value::Bool(true))
    ));
    assert_eq!(tracer.stats().collected, 2);
}
