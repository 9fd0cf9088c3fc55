//! Acceptance: a stalled exporter (its `export` never returns) does not
//! block the caller; producing 1,000,000 items keeps the queue within its
//! capacity; every item is accounted for exactly
//! (`produced = exported + dropped`), also after the stalled call returns.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

/// Blocks in `export` until the test releases it; reports when dropped.
struct Stalled {
    release: Receiver<()>,
    dropped: Sender<()>,
}

impl Exporter<u64> for Stalled {
    fn name(&self) -> &str {
        "stalled"
    }

    fn export(&mut self, _: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        let _ = self.release.recv();
        Ok(Accepted::All)
    }
}

impl Drop for Stalled {
    fn drop(&mut self) {
        let _ = self.dropped.send(());
    }
}

const PRODUCED: u64 = 1_000_000;
const CHUNK: u64 = 64;
const CAPACITY: usize = 4096;
const MAX_BATCH: usize = 512;

#[test]
fn stalled_exporter_costs_drops_not_blocking_or_memory() {
    let (release_tx, release_rx) = channel();
    let (dropped_tx, dropped_rx) = channel();
    let exporter = Stalled {
        release: release_rx,
        dropped: dropped_tx,
    };
    let config = PipelineConfig::default()
        .with_queue_capacity(CAPACITY)
        .with_max_batch(MAX_BATCH);
    let pipeline = Pipeline::spawn(
        "traces",
        Box::new(exporter),
        Arc::new(Resource::empty()),
        config,
    )
    .unwrap();
    assert_eq!(pipeline.exporter_name(), "stalled");

    let mut next = 0;
    while next < PRODUCED {
        let chunk: Arc<[u64]> = (next..next + CHUNK).collect();
        next += CHUNK;
        pipeline.push(chunk);
        let stats = pipeline.stats();
        assert!(
            stats.queued <= CAPACITY as u64,
            "queue grew to {}",
            stats.queued
        );
        assert!(
            stats.in_flight <= MAX_BATCH as u64,
            "batch of {}",
            stats.in_flight
        );
    }

    let before = pipeline.stats();
    assert_eq!(before.exported, 0);
    assert!(
        before.dropped.queue_full >= PRODUCED - (CAPACITY + MAX_BATCH) as u64,
        "{before:?}"
    );
    assert_eq!(
        before.exported + before.dropped.total() + before.queued + before.in_flight,
        PRODUCED,
        "{before:?}"
    );

    // Shutdown cannot deliver: it gives up at the deadline and counts the rest.
    let result = pipeline.shutdown(Instant::now() + Duration::from_secs(2));
    assert_eq!(result, Err(ExportError::Timeout));
    let after = pipeline.stats();
    assert_eq!((after.queued, after.in_flight), (0, 0), "{after:?}");
    assert_eq!(
        after.dropped.shutdown,
        before.queued + before.in_flight,
        "{after:?}"
    );
    assert_eq!(after.dropped.shutdown, after.accepted, "{after:?}");
    assert_eq!(
        after.exported + after.dropped.total(),
        PRODUCED,
        "{after:?}"
    );

    // Once released, the abandoned thread finishes without counting twice.
    drop(release_tx);
    dropped_rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(pipeline.stats(), after);
}
