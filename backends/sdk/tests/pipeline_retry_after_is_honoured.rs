//! Acceptance: a retryable failure with `retry_after` delays the next
//! attempt by at least that long (backoff alone would be ~1 ms here); a
//! `retry_after` beyond the batch's export timeout gives up at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omniscope::sync::lock;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

/// Asks to wait `retry_after` on the first attempt of every batch; records
/// when each attempt started.
struct Throttled {
    retry_after: Duration,
    attempts: Arc<Mutex<Vec<Instant>>>,
}

impl Exporter<u64> for Throttled {
    fn name(&self) -> &str {
        "throttled"
    }

    fn export(&mut self, _: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        let mut attempts = lock(&self.attempts);
        attempts.push(Instant::now());
        if attempts.len() == 1 {
            return Err(ExportError::Retryable {
                message: "429 too many requests".into(),
                retry_after: Some(self.retry_after),
            });
        }
        Ok(Accepted::All)
    }
}

fn pipeline(
    retry_after: Duration,
    export_timeout: Duration,
) -> (Pipeline<u64>, Arc<Mutex<Vec<Instant>>>) {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let exporter = Throttled {
        retry_after,
        attempts: attempts.clone(),
    };
    let config = PipelineConfig::default()
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(1))
        .with_export_timeout(export_timeout);
    match Pipeline::spawn(
        "traces",
        Box::new(exporter),
        Arc::new(Resource::empty()),
        config,
    ) {
        Ok(pipeline) => (pipeline, attempts),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn next_attempt_waits_at_least_retry_after() {
    let retry_after = Duration::from_millis(200);
    let (pipeline, attempts) = pipeline(retry_after, Duration::from_secs(60));
    pipeline.push(Arc::from(vec![1, 2, 3]));
    pipeline
        .flush(Instant::now() + Duration::from_secs(60))
        .unwrap();

    let attempts = lock(&attempts).clone();
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts[1] - attempts[0] >= retry_after,
        "retried after {:?}",
        attempts[1] - attempts[0]
    );
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.errors,
            stats.retries,
            stats.dropped.total()
        ),
        (3, 1, 1, 0)
    );
}

#[test]
fn retry_after_beyond_the_export_timeout_gives_up() {
    let (pipeline, attempts) = pipeline(Duration::from_secs(3600), Duration::from_millis(100));
    pipeline.push(Arc::from(vec![1, 2, 3]));
    pipeline
        .flush(Instant::now() + Duration::from_secs(60))
        .unwrap();

    assert_eq!(lock(&attempts).len(), 1);
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.errors,
            stats.retries,
            stats.dropped.export_failed
        ),
        (0, 1, 0, 3)
    );
}
