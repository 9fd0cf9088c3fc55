//! Regression test for issue #11: at shutdown, a part whose exporter hangs
//! does not spend the deadline of the others. The spans' exporter never
//! returns; the logs' exporter is healthy and gets every record, with no
//! `shutdown deadline passed` error and nothing dropped. Before the fix the
//! parts shut down one after the other against one shared deadline, so the
//! logs pipeline was abandoned the moment its turn came.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, InMemoryExporter};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};
use omniscope_sdk::{Resource, Sdk};

/// Holds every export until released (at the end of the test).
#[derive(Clone, Default)]
struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    fn wait(&self) {
        let (open, cv) = &*self.0;
        let mut open = open.lock().unwrap_or_else(|p| p.into_inner());
        while !*open {
            open = cv.wait(open).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn open(&self) {
        let (open, cv) = &*self.0;
        *open.lock().unwrap_or_else(|p| p.into_inner()) = true;
        cv.notify_all();
    }
}

struct Stalled(Gate);

impl Exporter<SpanData> for Stalled {
    fn name(&self) -> &str {
        "stalled"
    }

    fn export(&mut self, _: &Batch<SpanData>, _: &Resource) -> Result<Accepted, ExportError> {
        self.0.wait();
        Ok(Accepted::All)
    }
}

const N: u64 = 200;

#[test]
fn a_stalled_part_leaves_the_others_their_deadline() {
    let gate = Gate::default();
    let (logs, received) = InMemoryExporter::new();
    let guard = Sdk::builder()
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(Stalled(gate.clone()))),
        )
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(logs)),
        )
        .install()
        .unwrap_or_else(|e| panic!("{e}"));
    let sdk = guard.sdk().clone();

    for i in 0..N {
        let _span = omniscope::span!("request", n = i);
        omniscope::info!("handled"; n = i);
    }
    let shutdown = sdk.shutdown(Instant::now() + Duration::from_secs(1));
    assert_eq!(
        shutdown,
        Err(ExportError::Timeout),
        "the spans' exporter hangs"
    );

    let stats = sdk.pipeline_stats();
    let of = |signal: &str| {
        stats
            .iter()
            .find(|s| s.signal == signal)
            .unwrap_or_else(|| panic!("no {signal} pipeline in {stats:?}"))
    };
    let (spans, logs) = (of("traces"), of("logs"));
    assert_eq!(received.len() as u64, N, "{logs:?}");
    assert_eq!((logs.exported, logs.dropped.total()), (N, 0), "{logs:?}");
    assert_eq!(logs.last_error, None);
    assert_eq!(spans.exported + spans.dropped.total(), N, "{spans:?}");
    assert!(spans.dropped.shutdown > 0, "{spans:?}");
    gate.open();
}
