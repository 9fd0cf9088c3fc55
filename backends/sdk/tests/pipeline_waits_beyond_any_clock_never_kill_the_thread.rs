//! Regression test for issue #11: a wait longer than the clock can count
//! (`retry_after: Duration::MAX` from an exporter, as a collector answering
//! `Retry-After: 18446744073709551615` gives; a batch or export timeout of
//! `Duration::MAX`) costs at most the batch, counted, never the export
//! thread. It used to panic on `Instant::now() + wait`, after which every
//! item was dropped as `shutdown` while the program ran, and `last_error`
//! still said "will retry".

use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{
    Accepted, Batch, ExportError, Exporter, InMemoryExporter, InMemoryHandle, Pipeline,
    PipelineConfig,
};
use omniscope_sdk::Resource;

/// Asks to wait `Duration::MAX` for batches starting with 0; forwards the
/// others.
struct Throttled(InMemoryExporter<u64>);

impl Exporter<u64> for Throttled {
    fn name(&self) -> &str {
        "throttled"
    }

    fn export(&mut self, batch: &Batch<u64>, resource: &Resource) -> Result<Accepted, ExportError> {
        if batch.iter().next() == Some(&0) {
            return Err(ExportError::Retryable {
                message: "503 service unavailable".into(),
                retry_after: Some(Duration::MAX),
            });
        }
        self.0.export(batch, resource)
    }
}

fn spawn(exporter: Box<dyn Exporter<u64>>, config: PipelineConfig) -> Pipeline<u64> {
    match Pipeline::spawn("traces", exporter, Arc::new(Resource::empty()), config) {
        Ok(pipeline) => pipeline,
        Err(e) => panic!("{e}"),
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

#[test]
fn retry_after_duration_max_costs_only_the_batch() {
    let (memory, received) = InMemoryExporter::new();
    let pipeline = spawn(Box::new(Throttled(memory)), PipelineConfig::default());

    pipeline.push(Arc::from(vec![0, 1, 2]));
    pipeline.flush(deadline()).unwrap();
    let stats = pipeline.stats();
    let error = stats.last_error.clone().unwrap_or_default();
    assert!(
        !error.contains("will retry") && error.contains("3 items dropped"),
        "last_error tells what happened: {error}"
    );

    pipeline.push(Arc::from(vec![5, 6]));
    pipeline.flush(deadline()).unwrap();
    assert_eq!(received.items(), [5, 6], "{:?}", pipeline.stats());
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.errors,
            stats.retries,
            stats.dropped.export_failed,
            stats.dropped.shutdown
        ),
        (2, 1, 0, 3, 0)
    );
    pipeline.shutdown(deadline()).unwrap();
    let stats = pipeline.stats();
    assert_eq!(stats.produced, stats.exported + stats.dropped.total());
}

#[test]
fn timeouts_of_duration_max_never_kill_the_thread() {
    let (memory, received): (_, InMemoryHandle<u64>) = InMemoryExporter::new();
    let config = PipelineConfig::default()
        .with_batch_timeout(Duration::MAX)
        .with_export_timeout(Duration::MAX)
        .with_max_backoff(Duration::MAX);
    let pipeline = spawn(Box::new(memory), config);

    pipeline.push(Arc::from(vec![1, 2, 3]));
    pipeline.flush(deadline()).unwrap();
    assert_eq!(received.items(), [1, 2, 3], "{:?}", pipeline.stats());
    pipeline.push(Arc::from(vec![4]));
    pipeline.shutdown(deadline()).unwrap();
    assert_eq!(received.items(), [1, 2, 3, 4], "{:?}", pipeline.stats());
    assert_eq!(pipeline.stats().dropped.total(), 0);
}
