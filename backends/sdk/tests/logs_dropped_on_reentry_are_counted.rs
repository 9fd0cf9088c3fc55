//! Regression test for issue #11: a log record emitted while the SDK logger
//! formats another record on the same thread (a field whose `Display`
//! logs) is dropped by the facade's re-entrancy guard, and counted: in
//! `omniscope::dropped_on_reentry()` and in the self-metric
//! `omniscope.dropped_on_reentry{signal="logs"}`, so every record
//! produced is exported or counted as dropped.

use std::fmt;
use std::time::{Duration, Instant};

use omniscope::info;
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::metrics::SeriesValue;
use omniscope_sdk::Sdk;

/// Formatting it logs.
struct Logs;

impl fmt::Display for Logs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        info!("while formatting");
        f.write_str("logs")
    }
}

#[test]
fn records_dropped_on_reentry_are_counted() {
    if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL {
        return; // levels compiled out (max_level_* features)
    }
    let (exporter, received) = InMemoryExporter::new();
    let guard = Sdk::builder()
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(exporter)),
        )
        .install()
        .unwrap();
    let sdk = guard.sdk().clone();

    const RECORDS: u64 = 5;
    for i in 0..RECORDS {
        info!("outer"; i = i, v = %Logs);
    }
    sdk.shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let logs = received.items();
    assert!(logs.iter().all(|l| l.message == "outer"), "{logs:?}");
    let dropped = omniscope::dropped_on_reentry().logs;
    assert_eq!(dropped, RECORDS, "each nested record counted");
    let stats = sdk.pipeline_stats();
    let logs_pipeline = stats.iter().find(|s| s.signal == "logs").unwrap();
    assert_eq!(
        logs_pipeline.exported + logs_pipeline.dropped.total() + dropped,
        2 * RECORDS,
        "produced = exported + dropped: {logs_pipeline:?}"
    );
    let series = sdk
        .meter()
        .snapshot()
        .series("omniscope.dropped_on_reentry", &[("signal", "logs")])
        .map(|s| s.value.clone());
    assert!(
        matches!(series, Some(SeriesValue::FloatCounter(v)) if v == RECORDS as f64),
        "self-metric: {series:?}"
    );
}
