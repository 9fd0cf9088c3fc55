//! Regression test for issue #11: whatever an exporter's code panics with
//! — here a payload whose own destructor panics, so that even discarding
//! the caught panic unwinds again — costs the batch (counted as
//! `export_failed`), never the export thread: the next batch is exported.
//! Before the fix, dropping the payload killed the thread, and everything
//! after was dropped as `shutdown`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{
    Accepted, Batch, ExportError, Exporter, InMemoryExporter, Pipeline, PipelineConfig,
};
use omniscope_sdk::Resource;

/// A panic payload that panics again when dropped.
struct Bomb;

impl Drop for Bomb {
    fn drop(&mut self) {
        panic!("the payload's destructor panicked");
    }
}

/// Panics with a [`Bomb`] on batches starting with 0, and in `flush`;
/// forwards the others.
struct Fragile(InMemoryExporter<u64>);

impl Exporter<u64> for Fragile {
    fn name(&self) -> &str {
        "fragile"
    }

    fn export(&mut self, batch: &Batch<u64>, resource: &Resource) -> Result<Accepted, ExportError> {
        if batch.iter().next() == Some(&0) {
            std::panic::panic_any(Bomb);
        }
        self.0.export(batch, resource)
    }

    fn flush(&mut self, _: Instant) -> Result<(), ExportError> {
        std::panic::panic_any(Bomb);
    }
}

#[test]
fn a_panic_whose_payload_panics_on_drop_costs_only_the_batch() {
    let (memory, received) = InMemoryExporter::new();
    let pipeline = match Pipeline::spawn(
        "traces",
        Box::new(Fragile(memory)),
        Arc::new(Resource::empty()),
        PipelineConfig::default(),
    ) {
        Ok(pipeline) => pipeline,
        Err(e) => panic!("{e}"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);

    pipeline.push(Arc::from(vec![0, 1, 2]));
    let flushed = pipeline.flush(deadline);
    assert!(
        matches!(&flushed, Err(ExportError::Internal(m)) if m.contains("panicked")),
        "{flushed:?}"
    );
    pipeline.push(Arc::from(vec![5, 6]));
    let _ = pipeline.flush(deadline);

    assert_eq!(received.items(), [5, 6], "{:?}", pipeline.stats());
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.dropped.export_failed,
            stats.dropped.shutdown
        ),
        (2, 3, 0)
    );
    // The exporter's flush panics again at shutdown: an error, on time.
    let shutdown = pipeline.shutdown(deadline);
    assert!(
        matches!(&shutdown, Err(ExportError::Internal(m)) if m.contains("panicked")),
        "{shutdown:?}"
    );
}
