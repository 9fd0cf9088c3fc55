//! Acceptance: a failing exporter is retried with backoff, then its drops
//! are counted; other exporters of the same signal — including one that is
//! stalled — do not notice: the working one receives everything.

use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{
    Accepted, Batch, ExportError, Exporter, Fanout, InMemoryExporter, Pipeline, PipelineConfig,
};
use omniscope_sdk::Resource;

/// Fails every batch: twice retryably, then permanently.
struct Failing {
    attempt: u32,
}

impl Exporter<u64> for Failing {
    fn name(&self) -> &str {
        "failing"
    }

    fn export(&mut self, _: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        self.attempt += 1;
        if self.attempt == 3 {
            self.attempt = 0;
            Err(ExportError::Internal(
                "collector rejected the payload".into(),
            ))
        } else {
            Err(ExportError::Retryable {
                message: "503 service unavailable".into(),
                retry_after: None,
            })
        }
    }
}

/// Never returns from `export` until the test ends.
struct Stalled(Receiver<()>);

impl Exporter<u64> for Stalled {
    fn name(&self) -> &str {
        "stalled"
    }

    fn export(&mut self, _: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        let _ = self.0.recv();
        Ok(Accepted::All)
    }
}

const ITEMS: u64 = 10_000;
const CHUNK: u64 = 10;

#[test]
fn failures_and_stalls_stay_with_their_exporter() {
    let resource = Arc::new(Resource::new("orders"));
    let config = PipelineConfig::default()
        .with_queue_capacity(ITEMS as usize)
        .with_max_batch(500)
        .with_max_retries(3)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(4));
    let (memory, received) = InMemoryExporter::with_capacity("memory", ITEMS as usize);
    let (release, stalled) = channel();
    let fanout = Fanout::new(vec![
        Pipeline::spawn(
            "traces",
            Box::new(Failing { attempt: 0 }),
            resource.clone(),
            config.clone(),
        )
        .unwrap(),
        Pipeline::spawn(
            "traces",
            Box::new(Stalled(stalled)),
            resource.clone(),
            config.clone().with_queue_capacity(100),
        )
        .unwrap(),
        Pipeline::spawn("traces", Box::new(memory), resource, config).unwrap(),
    ]);

    let mut next = 0;
    while next < ITEMS {
        fanout.push((next..next + CHUNK).collect());
        next += CHUNK;
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    let (failing, memory) = (&fanout.pipelines()[0], &fanout.pipelines()[2]);
    assert_eq!(
        failing.flush(deadline),
        Ok(()),
        "failed items are dropped, and the flush completes"
    );
    assert_eq!(memory.flush(deadline), Ok(()));

    assert_eq!(received.items(), (0..ITEMS).collect::<Vec<_>>());
    let stats = fanout.stats();
    let (failing, stalled, memory) = (&stats[0], &stats[1], &stats[2]);

    assert_eq!(memory.exported, ITEMS, "{memory:?}");
    assert_eq!(
        memory.dropped.total() + memory.errors + memory.retries,
        0,
        "{memory:?}"
    );

    assert_eq!(failing.exported, 0, "{failing:?}");
    assert_eq!(failing.dropped.export_failed, ITEMS, "{failing:?}");
    assert!(failing.retries > 0, "{failing:?}");
    assert_eq!(
        failing.errors,
        3 * failing.retries / 2,
        "two retries and three errors per batch: {failing:?}"
    );
    assert!(
        failing
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("export failed")),
        "{failing:?}"
    );

    assert!(stalled.dropped.queue_full > 0, "{stalled:?}");
    assert_eq!(
        stalled.dropped.queue_full + stalled.accepted,
        ITEMS,
        "{stalled:?}"
    );

    // The shared deadline bounds the fanout's shutdown despite the stall.
    let shutdown = fanout.shutdown(Instant::now() + Duration::from_secs(2));
    assert_eq!(shutdown, Err(ExportError::Timeout));
    drop(release);
}
