//! The standalone subscriber keeps spans in a slab of its own (no
//! registry), and does what the layer does: contextual and explicit
//! parents, fields recorded later, `follows_from` links, nesting with
//! omniscope spans, events in their span; a span ends when its last handle
//! is dropped, not its first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use omniscope::Value;

#[test]
fn spans_parents_records_links_and_handles() {
    let telemetry = common::install("trace");
    tracing::subscriber::with_default(omniscope_tracing::OmniscopeSubscriber::new(), || {
        let other = tracing::info_span!("other");
        let outer = tracing::info_span!("outer", late = tracing::field::Empty);
        outer.in_scope(|| {
            assert_eq!(tracing::Span::current().id(), outer.id());
            let _omni = omniscope::span!("omni");
            drop(tracing::info_span!("contextual"));
            let explicit = tracing::info_span!(parent: &other, "explicit");
            explicit.follows_from(&outer);
            drop(explicit);
            tracing::info!(parent: &other, "in other");
            tracing::info!("in omni");
        });
        assert!(tracing::Span::current().is_none());
        outer.record("late", 5_u64);
        let handle = outer.clone();
        drop(outer);
        handle.in_scope(|| tracing::info!("in outer through its second handle"));
        drop(handle);
        drop(other);
    });

    let (spans, logs) = telemetry.take();
    let s = |name| common::span(&spans, name);
    common::assert_child(s("omni"), s("outer"));
    common::assert_child(s("contextual"), s("omni"));
    common::assert_child(s("explicit"), s("other"));
    assert_eq!(s("explicit").links.len(), 1);
    assert_eq!(
        s("explicit").links[0].context.span_id(),
        s("outer").context.span_id()
    );
    assert!(matches!(
        s("outer").attributes.get("late"),
        Some(Value::U64(5))
    ));
    common::assert_in(common::log(&logs, "in other"), s("other"));
    common::assert_in(common::log(&logs, "in omni"), s("omni"));
    common::assert_in(
        common::log(&logs, "in outer through its second handle"),
        s("outer"),
    );
    assert_eq!(omniscope_tracing::dropped_spans(), 0);
}
