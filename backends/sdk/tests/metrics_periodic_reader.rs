//! A periodic reader pushes snapshots into a pipeline on its interval, on
//! flush and on shutdown; delta snapshots add up to the total.

use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle, Pipeline, PipelineConfig};
use omniscope_sdk::metrics::{MetricsSnapshot, PeriodicReader, SdkMeter, SeriesValue, Temporality};
use omniscope_sdk::Resource;

fn pipeline() -> (Pipeline<MetricsSnapshot>, InMemoryHandle<MetricsSnapshot>) {
    let (exporter, handle) = InMemoryExporter::new();
    let config = PipelineConfig::default().with_batch_timeout(Duration::from_millis(5));
    match Pipeline::spawn(
        "metrics",
        Box::new(exporter),
        Arc::new(Resource::new("test")),
        config,
    ) {
        Ok(pipeline) => (pipeline, handle),
        Err(e) => panic!("{e}"),
    }
}

fn counter_in(snap: &MetricsSnapshot) -> u64 {
    match snap.series("jobs_total", &[]).map(|s| &s.value) {
        Some(SeriesValue::Counter(n)) => *n,
        _ => 0,
    }
}

fn soon() -> Instant {
    Instant::now() + Duration::from_secs(10)
}

#[test]
fn delta_snapshots_add_up_to_the_total() {
    let meter = SdkMeter::new();
    let c = meter.counter(&Key::from_name("jobs_total"), &MetricMeta::EMPTY);
    let (pipeline, received) = pipeline();
    let reader = PeriodicReader::spawn(
        meter.clone(),
        Duration::from_millis(10),
        Temporality::Delta,
        pipeline,
    )
    .unwrap();
    for _ in 0..20 {
        c.increment(5);
        std::thread::sleep(Duration::from_millis(3));
    }
    reader.flush(soon()).unwrap();
    c.increment(1);
    reader.shutdown(soon()).unwrap();
    c.increment(1000); // after shutdown: not exported

    let snaps = received.items();
    assert!(snaps.len() >= 2, "{} snapshots", snaps.len());
    assert!(snaps.iter().all(|s| s.temporality == Temporality::Delta));
    assert_eq!(snaps.iter().map(counter_in).sum::<u64>(), 101);
    assert_eq!(
        counter_in(snaps.last().unwrap()),
        1,
        "shutdown collects last"
    );
    assert_eq!(
        reader.flush(soon()),
        Err(omniscope_sdk::export::ExportError::AlreadyShutdown)
    );
    reader.shutdown(soon()).unwrap();
}

#[test]
fn cumulative_snapshots_grow() {
    let meter = SdkMeter::new();
    let c = meter.counter(&Key::from_name("jobs_total"), &MetricMeta::EMPTY);
    let (pipeline, received) = pipeline();
    let reader = PeriodicReader::spawn(
        meter,
        Duration::from_secs(3600),
        Temporality::Cumulative,
        pipeline,
    )
    .unwrap();
    c.increment(2);
    reader.flush(soon()).unwrap();
    c.increment(3);
    drop(reader); // shuts down: one last collection
    let snaps = received.items();
    let totals: Vec<u64> = snaps.iter().map(counter_in).collect();
    assert_eq!(totals, [2, 5]);
    assert!(snaps
        .iter()
        .all(|s| s.temporality == Temporality::Cumulative));
}

#[test]
fn a_zero_interval_is_rejected() {
    let (pipeline, _) = pipeline();
    let err = PeriodicReader::spawn(
        SdkMeter::new(),
        Duration::ZERO,
        Temporality::Delta,
        pipeline,
    )
    .unwrap_err();
    assert!(err.to_string().contains("interval"), "{err}");
}
