//! The assembled SDK, installed globally: every signal reaches its exporter
//! when the guard drops, and the pipelines' own counters show up as metrics.

use std::time::Duration;

use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::metrics::{SeriesValue, Temporality};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

#[test]
fn everything_arrives_and_self_metrics_count_it() {
    let (spans, span_items) = InMemoryExporter::new();
    let (logs, log_items) = InMemoryExporter::new();
    let (errors, error_items) = InMemoryExporter::new();
    let (pushed, snapshots) = InMemoryExporter::new();
    let guard = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(spans)),
        )
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(logs)),
        )
        .with_errors(SdkErrors::builder().with_reporter(Box::new(errors)))
        .with_metric_exporter(
            Box::new(pushed),
            Duration::from_secs(3600),
            Temporality::Cumulative,
        )
        .install()
        .unwrap();
    let sdk = guard.sdk().clone();

    for i in 0..100u64 {
        let _span = omniscope::span!("request", n = i);
        omniscope::info!("handled"; n = i);
        omniscope::counter!("requests_total").increment(1);
        if i % 10 == 0 {
            omniscope::handle_error(&std::io::Error::other("backend down"));
        }
    }
    sdk.flush(std::time::Instant::now() + Duration::from_secs(10))
        .unwrap();

    let snapshot = sdk.meter().snapshot();
    let exported = |signal: &str| match snapshot
        .series(
            "omniscope.exporter.exported",
            &[("signal", signal), ("exporter", "memory")],
        )
        .map(|s| &s.value)
    {
        Some(SeriesValue::FloatCounter(v)) => *v,
        other => panic!("no exported_total for {signal}: {other:?}"),
    };
    assert_eq!(exported("traces"), 100.0);
    assert_eq!(exported("errors"), 10.0);
    assert_eq!(
        snapshot
            .series("requests_total", &[])
            .map(|s| s.value.clone()),
        Some(SeriesValue::Counter(100))
    );

    drop(guard);
    assert_eq!(span_items.len(), 100);
    assert_eq!(error_items.len(), 10);
    if omniscope::Level::Info <= omniscope::STATIC_MAX_LEVEL {
        assert_eq!(log_items.len(), 100);
    }
    // The guard's shutdown pushed a final snapshot to the metric exporter.
    let last = snapshots.items().pop().expect("a final snapshot");
    assert!(last.series("requests_total", &[]).is_some());
    // The first error was handled inside the span with n = 0.
    let first = span_items
        .items()
        .into_iter()
        .find(|s| matches!(s.attributes.get("n"), Some(omniscope::Value::U64(0))))
        .expect("span n=0");
    assert_eq!(
        error_items.items()[0].trace_id,
        Some(first.context.trace_id())
    );
}
