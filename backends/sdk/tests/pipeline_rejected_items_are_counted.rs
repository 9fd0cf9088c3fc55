//! Acceptance: items a backend rejects in a partial success are counted
//! as dropped with `reason="rejected"`, the rest as exported.

use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{InMemoryExporter, Pipeline, PipelineConfig, PipelineStats};
use omniscope_sdk::Resource;

#[test]
fn partial_success_counts_rejections() {
    let (memory, received) = InMemoryExporter::with_capacity("memory", 5);
    let pipeline = Pipeline::spawn(
        "logs",
        Box::new(memory),
        Arc::new(Resource::empty()),
        PipelineConfig::default(),
    )
    .unwrap();
    pipeline.push((0..8u64).collect());
    pipeline
        .flush(Instant::now() + Duration::from_secs(60))
        .unwrap();

    assert_eq!(received.items(), [0, 1, 2, 3, 4]);
    let stats = pipeline.stats();
    assert_eq!(
        (stats.exported, stats.dropped.rejected, stats.errors),
        (5, 3, 0)
    );

    let mut metrics = Vec::new();
    stats.for_each_metric(|name, labels, value, _| {
        if labels.contains(&("reason", "rejected")) || name == PipelineStats::EXPORTED {
            assert!(
                labels.contains(&("signal", "logs")) && labels.contains(&("exporter", "memory"))
            );
            metrics.push((name.to_owned(), value));
        }
    });
    assert_eq!(
        metrics,
        [
            ("omniscope.exporter.exported".to_owned(), 5.0),
            ("omniscope.exporter.dropped".to_owned(), 3.0)
        ]
    );
}
