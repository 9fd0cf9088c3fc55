//! Acceptance: `shutdown(deadline)` delivers every queued item, exactly
//! once and in order, through a slow but working exporter; then the
//! exporter is flushed and shut down, and later pushes are counted as
//! dropped.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omniscope::sync::lock;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

#[derive(Default)]
struct Seen {
    items: Vec<u64>,
    batch_sizes: Vec<usize>,
    calls: Vec<&'static str>,
}

/// Takes a millisecond per batch.
struct Slow(Arc<Mutex<Seen>>);

impl Exporter<u64> for Slow {
    fn name(&self) -> &str {
        "slow"
    }

    fn export(&mut self, batch: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        std::thread::sleep(Duration::from_millis(1));
        let mut seen = lock(&self.0);
        seen.items.extend(batch.iter().copied());
        seen.batch_sizes.push(batch.len());
        Ok(Accepted::All)
    }

    fn flush(&mut self, _: Instant) -> Result<(), ExportError> {
        lock(&self.0).calls.push("flush");
        Ok(())
    }

    fn shutdown(&mut self, _: Instant) -> Result<(), ExportError> {
        lock(&self.0).calls.push("shutdown");
        Ok(())
    }
}

const ITEMS: u64 = 20_000;
const CHUNK: u64 = 7;
const MAX_BATCH: usize = 100;

#[test]
fn shutdown_delivers_every_queued_item() {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let config = PipelineConfig::default()
        .with_queue_capacity(ITEMS as usize)
        .with_max_batch(MAX_BATCH)
        .with_batch_timeout(Duration::from_secs(3600));
    let pipeline = Pipeline::spawn(
        "logs",
        Box::new(Slow(seen.clone())),
        Arc::new(Resource::empty()),
        config,
    )
    .unwrap();

    let mut next = 0;
    while next < ITEMS {
        let end = (next + CHUNK).min(ITEMS);
        pipeline.push((next..end).collect());
        next = end;
    }
    assert_eq!(
        pipeline.shutdown(Instant::now() + Duration::from_secs(300)),
        Ok(())
    );

    let seen = lock(&seen);
    assert_eq!(seen.items, (0..ITEMS).collect::<Vec<_>>());
    assert!(
        seen.batch_sizes.iter().all(|n| *n <= MAX_BATCH),
        "{:?}",
        seen.batch_sizes
    );
    assert_eq!(seen.calls, ["flush", "shutdown"]);
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.dropped.total(),
            stats.queued,
            stats.in_flight
        ),
        (ITEMS, 0, 0, 0)
    );

    // Idempotent, and closed for business.
    assert_eq!(pipeline.shutdown(Instant::now()), Ok(()));
    assert_eq!(
        pipeline.flush(Instant::now() + Duration::from_secs(1)),
        Err(ExportError::AlreadyShutdown)
    );
    pipeline.push(Arc::from(vec![1, 2, 3]));
    assert_eq!(pipeline.stats().dropped.shutdown, 3);
    drop(seen);
}
