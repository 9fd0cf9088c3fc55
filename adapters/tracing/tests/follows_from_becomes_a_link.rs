//! `Span::follows_from` becomes a link from the span to the cause.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn follows_from_links_the_spans() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let cause = tracing::info_span!("enqueue");
        let job = tracing::info_span!(parent: None, "job");
        job.follows_from(&cause);
        drop(job);
        drop(cause);
    });

    let (spans, _) = telemetry.take();
    let cause = common::span(&spans, "enqueue");
    let job = common::span(&spans, "job");
    assert_eq!(job.links.len(), 1, "{job:#?}");
    assert_eq!(job.links[0].context.span_id(), cause.context.span_id());
    assert_eq!(job.links[0].context.trace_id(), cause.context.trace_id());
    assert!(job.parent_span_id.is_none());
}
