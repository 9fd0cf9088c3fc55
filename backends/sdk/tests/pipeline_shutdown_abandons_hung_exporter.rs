//! Acceptance: when an exporter hangs, `flush` and `shutdown` return by
//! their deadline (`Timeout`), and shutdown counts what it could not
//! deliver as dropped (`reason="shutdown"`).
//!
//! The only timing assertion is a correctness bound with generous slack:
//! the calls return, and not long after their deadline.

use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

/// Hangs in `export` until the test ends.
struct Hung(Receiver<()>);

impl Exporter<u64> for Hung {
    fn name(&self) -> &str {
        "hung"
    }

    fn export(&mut self, _: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        let _ = self.0.recv();
        Ok(Accepted::All)
    }
}

const SLACK: Duration = Duration::from_secs(5);

#[test]
fn shutdown_returns_by_its_deadline_when_the_exporter_hangs() {
    let (release, hung) = channel();
    let config = PipelineConfig::default()
        .with_queue_capacity(1000)
        .with_max_batch(10);
    let pipeline = Pipeline::spawn(
        "errors",
        Box::new(Hung(hung)),
        Arc::new(Resource::empty()),
        config,
    )
    .unwrap();
    for i in 0..50u64 {
        pipeline.push(Arc::from(vec![i]));
    }

    // A flush that times out drops nothing.
    let deadline = Instant::now() + Duration::from_millis(500);
    assert_eq!(pipeline.flush(deadline), Err(ExportError::Timeout));
    assert!(Instant::now() < deadline + SLACK);
    let stats = pipeline.stats();
    assert_eq!(stats.dropped.total(), 0, "{stats:?}");
    assert_eq!(stats.queued + stats.in_flight, 50, "{stats:?}");

    let deadline = Instant::now() + Duration::from_secs(1);
    assert_eq!(pipeline.shutdown(deadline), Err(ExportError::Timeout));
    assert!(Instant::now() < deadline + SLACK);
    let stats = pipeline.stats();
    assert_eq!(
        (
            stats.exported,
            stats.dropped.shutdown,
            stats.queued,
            stats.in_flight
        ),
        (0, 50, 0, 0)
    );
    assert!(stats
        .last_error
        .is_some_and(|e| e.contains("shutdown deadline")));

    // Idempotent: the outcome stays, at once; pushes are refused.
    assert_eq!(
        pipeline.shutdown(Instant::now() + Duration::from_secs(3600)),
        Err(ExportError::Timeout)
    );
    pipeline.push(Arc::from(vec![1, 2]));
    assert_eq!(pipeline.stats().dropped.shutdown, 52);
    drop(release);
}
