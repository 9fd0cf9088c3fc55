//! Acceptance: an exporter that panics costs its batch (counted as an
//! error and `export_failed` drops), and the export thread keeps serving;
//! a panic in its `shutdown` becomes an error, never a crash.

use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{
    Accepted, Batch, ExportError, Exporter, InMemoryExporter, InMemoryHandle, Pipeline,
    PipelineConfig,
};
use omniscope_sdk::Resource;

/// Panics on batches starting with 0; forwards the others.
struct Fragile(InMemoryExporter<u64>);

impl Exporter<u64> for Fragile {
    fn name(&self) -> &str {
        "fragile"
    }

    fn export(&mut self, batch: &Batch<u64>, resource: &Resource) -> Result<Accepted, ExportError> {
        if batch.iter().next() == Some(&0) {
            panic!("encoder bug");
        }
        self.0.export(batch, resource)
    }

    fn shutdown(&mut self, _: Instant) -> Result<(), ExportError> {
        panic!("shutdown bug");
    }
}

fn fragile() -> (Pipeline<u64>, InMemoryHandle<u64>) {
    let (memory, received) = InMemoryExporter::new();
    match Pipeline::spawn(
        "traces",
        Box::new(Fragile(memory)),
        Arc::new(Resource::empty()),
        PipelineConfig::default(),
    ) {
        Ok(pipeline) => (pipeline, received),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn panics_cost_the_batch_not_the_thread() {
    let (pipeline, received) = fragile();
    let deadline = Instant::now() + Duration::from_secs(60);
    pipeline.push(Arc::from(vec![0, 1, 2]));
    pipeline.flush(deadline).unwrap();
    pipeline.push(Arc::from(vec![5, 6]));
    pipeline.flush(deadline).unwrap();

    assert_eq!(received.items(), [5, 6]);
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.errors,
            stats.retries,
            stats.dropped.export_failed
        ),
        (2, 1, 0, 3)
    );
    assert!(stats
        .last_error
        .is_some_and(|e| e.contains("exporter panicked: encoder bug")));

    let shutdown = pipeline.shutdown(deadline);
    assert!(
        matches!(&shutdown, Err(ExportError::Internal(m)) if m.contains("shutdown bug")),
        "{shutdown:?}"
    );
}
