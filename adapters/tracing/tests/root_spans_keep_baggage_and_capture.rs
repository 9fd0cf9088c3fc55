//! A `tracing` span with `parent: None` starts a new trace, and keeps what
//! is not the span's: the current baggage, and a test's capture scope (it
//! is recorded by the capture, not by whatever tracer is global).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use omniscope::{Baggage, Context};
use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn a_root_span_keeps_the_baggage_and_the_capture() {
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    let mut seen = None;
    let captured = omniscope::testing::capture(|| {
        tracing::subscriber::with_default(subscriber, || {
            let baggage = Baggage::parse("tenant=acme").unwrap();
            let _request = Context::current().with_baggage(baggage).attach();
            let _outer = tracing::info_span!("outer").entered();
            tracing::info_span!(parent: None, "detached").in_scope(|| {
                seen = Context::current()
                    .baggage()
                    .get("tenant")
                    .map(str::to_owned);
            });
        });
    });

    assert_eq!(seen.as_deref(), Some("acme"));
    let outer = captured.span("outer").expect("outer in the capture");
    let detached = captured
        .span("detached")
        .expect("the root span in the capture");
    assert!(detached.parent_span_id.is_none());
    assert_ne!(detached.trace_id, outer.trace_id);
}
