//! Every reported error reaches every reporter, each on its own pipeline
//! thread (never the caller's), and a handler needs at least one reporter.

use std::sync::{Arc, Mutex, PoisonError};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use omniscope::{ErrorContext, ErrorHandler};
use omniscope_sdk::errors::{ErrorEvent, SdkErrors};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, InMemoryExporter};
use omniscope_sdk::Resource;

/// Notes the thread it is called on and the messages it receives.
struct ThreadNoting {
    seen: Arc<Mutex<Vec<(ThreadId, String)>>>,
}

impl Exporter<ErrorEvent> for ThreadNoting {
    fn name(&self) -> &str {
        "noting"
    }

    fn export(&mut self, batch: &Batch<ErrorEvent>, _: &Resource) -> Result<Accepted, ExportError> {
        let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
        for event in batch.iter() {
            seen.push((std::thread::current().id(), event.message().to_owned()));
        }
        Ok(Accepted::All)
    }
}

#[test]
fn errors_fan_out_on_pipeline_threads() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (memory, received) = InMemoryExporter::with_capacity("memory", 100);
    let errors = SdkErrors::builder()
        .with_reporter(Box::new(ThreadNoting { seen: seen.clone() }))
        .with_reporter(Box::new(memory))
        .build()
        .unwrap();
    for n in 0..10 {
        errors.handle(
            &std::io::Error::other(format!("failure {n}")),
            &ErrorContext::new(&[]),
        );
    }
    errors
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let seen = seen.lock().unwrap().clone();
    let expected: Vec<String> = (0..10).map(|n| format!("failure {n}")).collect();
    assert_eq!(
        seen.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>(),
        expected
    );
    let caller = std::thread::current().id();
    assert!(seen.iter().all(|(thread, _)| *thread != caller));
    assert_eq!(
        received
            .items()
            .iter()
            .map(|e| e.message().to_owned())
            .collect::<Vec<_>>(),
        expected
    );

    let stats = errors.pipeline_stats();
    assert_eq!(stats.len(), 2);
    assert!(stats
        .iter()
        .all(|s| s.signal == "errors" && s.exported == 10));
    errors
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
}

#[test]
fn a_handler_without_reporters_counts() {
    let errors = SdkErrors::builder().build().unwrap();
    let captured = omniscope::testing::capture(|| {
        errors.handle(&std::fmt::Error, &omniscope::ErrorContext::new(&[]));
    });
    assert_eq!(
        captured.counter("errors", &[("kind", "fmt::Error")]),
        Some(1)
    );
    assert_eq!(errors.handled_total(), 1);
    assert!(errors.pipeline_stats().is_empty());
}
