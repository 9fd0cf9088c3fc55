//! Acceptance: a full batch is sent as soon as it is queued (once the wake-up
//! threshold, a quarter of the queue and at least a batch, is reached), a
//! partial one after the batch timeout — neither needs a flush — and no batch
//! exceeds the maximum size.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omniscope::sync::lock;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

/// Records batch sizes.
struct Sizes(Arc<Mutex<Vec<usize>>>);

impl Exporter<u64> for Sizes {
    fn name(&self) -> &str {
        "sizes"
    }

    fn export(&mut self, batch: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        lock(&self.0).push(batch.len());
        Ok(Accepted::All)
    }
}

fn pipeline(batch_timeout: Duration) -> (Pipeline<u64>, Arc<Mutex<Vec<usize>>>) {
    let sizes = Arc::new(Mutex::new(Vec::new()));
    // A queue of 40: its quarter is one batch, so a full batch wakes the
    // export thread. (With the default 8192 a sleeping thread waits for
    // 2048 items or the timeout, whether or not it was asleep when the
    // first items came: the test depended on thread start-up timing.)
    let config = PipelineConfig::default()
        .with_queue_capacity(40)
        .with_max_batch(10)
        .with_batch_timeout(batch_timeout);
    match Pipeline::spawn(
        "traces",
        Box::new(Sizes(sizes.clone())),
        Arc::new(Resource::empty()),
        config,
    ) {
        Ok(pipeline) => (pipeline, sizes),
        Err(e) => panic!("{e}"),
    }
}

/// Waits (generously) until `n` items were exported.
fn wait_for(sizes: &Mutex<Vec<usize>>, n: usize) -> Vec<usize> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = lock(sizes).clone();
        if seen.iter().sum::<usize>() >= n || Instant::now() > deadline {
            return seen;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn full_batch_is_sent_at_once() {
    let (pipeline, sizes) = pipeline(Duration::from_secs(3600));
    for i in 0..10u64 {
        pipeline.push(Arc::from(vec![i]));
    }
    assert_eq!(wait_for(&sizes, 10), [10], "sent without waiting an hour");

    // 30 more items fit in the queue whatever the export thread does.
    for i in 0..15u64 {
        pipeline.push(Arc::from(vec![i, i]));
    }
    pipeline
        .flush(Instant::now() + Duration::from_secs(60))
        .unwrap();
    let sizes = lock(&sizes).clone();
    assert_eq!(sizes.iter().sum::<usize>(), 40);
    assert!(sizes.iter().all(|n| *n <= 10), "{sizes:?}");
}

#[test]
fn partial_batch_is_sent_after_the_timeout() {
    let (pipeline, sizes) = pipeline(Duration::from_millis(20));
    pipeline.push(Arc::from(vec![1, 2, 3]));
    assert_eq!(wait_for(&sizes, 3), [3]);
    assert_eq!(pipeline.stats().exported, 3);
}
