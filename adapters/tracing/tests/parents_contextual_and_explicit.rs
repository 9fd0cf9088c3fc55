//! A `tracing` span's parent is the innermost entered span (contextual),
//! the span given as `parent:` whatever is entered, or none for
//! `parent: None` (a new trace); events follow the same rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn contextual_explicit_and_root_parents() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let other = tracing::info_span!("other");
        let outer = tracing::info_span!("outer");
        let _entered = outer.enter();
        drop(tracing::info_span!("contextual"));
        drop(tracing::info_span!(parent: &other, "explicit"));
        drop(tracing::info_span!(parent: None, "root"));
        tracing::info!("in outer");
        tracing::info!(parent: &other, "in other");
        tracing::info!(parent: None, "in no span");
        // Created in `outer`, entered later elsewhere: the parent is where
        // it was created.
        let created_here = tracing::info_span!("created in outer");
        drop(_entered);
        created_here.in_scope(|| tracing::info!("in created"));
    });

    let (spans, logs) = telemetry.take();
    let other = common::span(&spans, "other");
    let outer = common::span(&spans, "outer");
    common::assert_child(common::span(&spans, "contextual"), outer);
    common::assert_child(common::span(&spans, "explicit"), other);
    common::assert_child(common::span(&spans, "created in outer"), outer);
    let root = common::span(&spans, "root");
    assert!(root.parent_span_id.is_none());
    assert_ne!(root.context.trace_id(), outer.context.trace_id());
    assert_ne!(other.context.trace_id(), outer.context.trace_id());

    common::assert_in(common::log(&logs, "in outer"), outer);
    common::assert_in(common::log(&logs, "in other"), other);
    common::assert_in(
        common::log(&logs, "in created"),
        common::span(&spans, "created in outer"),
    );
    let orphan = common::log(&logs, "in no span");
    assert_eq!(orphan.trace_id, None);
}
