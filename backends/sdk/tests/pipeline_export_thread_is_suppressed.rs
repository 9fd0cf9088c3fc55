//! Acceptance: logs, spans and errors emitted on an export thread (by an
//! exporter, or the transport stack under it) are dropped, so telemetry
//! never loops back into the pipeline; the same calls elsewhere are kept.
//!
//! Installs a global logger, tracer and error handler (one scenario per
//! file: each test file is its own process).

use std::error::Error;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omniscope::sync::lock;
use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{
    ErrorContext, ErrorHandler, Logger, Record, SpanContext, SpanId, TraceFlags, TraceId, Tracer,
};
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter, Pipeline, PipelineConfig};
use omniscope_sdk::Resource;

/// What reached the global backends: signal and thread name.
static SEEN: Mutex<Vec<(&'static str, String)>> = Mutex::new(Vec::new());

fn record(signal: &'static str) {
    let thread = std::thread::current()
        .name()
        .unwrap_or("unnamed")
        .to_owned();
    lock(&SEEN).push((signal, thread));
}

struct Capture;

impl Logger for Capture {
    fn log(&self, _: &Record<'_>) {
        record("log");
    }
}

impl Tracer for Capture {
    fn start(&self, _: &SpanStart<'_>) -> StartedSpan {
        record("span");
        StartedSpan::non_recording(SpanContext::new(
            TraceId::from_u128(1),
            SpanId::from_u64(1),
            TraceFlags::SAMPLED,
        ))
    }

    fn end(&self, _: SpanToken) {}
}

impl ErrorHandler for Capture {
    fn handle(&self, _: &(dyn Error + 'static), _: &ErrorContext<'_>) {
        record("error");
    }
}

/// Emits all three signals while exporting; remembers its thread's name.
struct Chatty(Arc<Mutex<Vec<String>>>);

impl Exporter<u64> for Chatty {
    fn name(&self) -> &str {
        "chatty"
    }

    fn export(&mut self, batch: &Batch<u64>, _: &Resource) -> Result<Accepted, ExportError> {
        let _span = omniscope::span!("export_batch", items = batch.len());
        omniscope::info!("exporting"; items = batch.len());
        omniscope::handle_error!(&std::io::Error::other("connection reset"));
        let thread = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        lock(&self.0).push(thread);
        Ok(Accepted::All)
    }
}

fn emit_everything() {
    let _span = omniscope::span!("work");
    omniscope::info!("working");
    omniscope::handle_error!(&std::io::Error::other("disk full"));
}

#[test]
fn telemetry_from_the_export_thread_is_dropped() {
    assert!(omniscope::set_logger(Capture).is_ok());
    assert!(omniscope::set_tracer(Capture).is_ok());
    assert!(omniscope::set_error_handler(Capture).is_ok());

    let exports = Arc::new(Mutex::new(Vec::new()));
    let pipeline = Pipeline::spawn(
        "logs",
        Box::new(Chatty(exports.clone())),
        Arc::new(Resource::empty()),
        PipelineConfig::default(),
    )
    .unwrap();
    pipeline.push(Arc::from(vec![1, 2, 3]));
    pipeline
        .flush(Instant::now() + Duration::from_secs(60))
        .unwrap();
    pipeline.push(Arc::from(vec![4]));
    pipeline
        .shutdown(Instant::now() + Duration::from_secs(60))
        .unwrap();

    assert_eq!(
        *lock(&exports),
        [
            "omniscope-export-logs-chatty",
            "omniscope-export-logs-chatty"
        ]
    );
    assert_eq!(pipeline.stats().exported, 4);

    // The same calls on this thread are kept: the backends do work.
    emit_everything();
    let seen = lock(&SEEN).clone();
    let signals: Vec<_> = seen.iter().map(|(signal, _)| *signal).collect();
    assert_eq!(signals, ["span", "log", "error"], "{seen:?}");
    assert!(
        seen.iter()
            .all(|(_, thread)| !thread.starts_with("omniscope-export")),
        "{seen:?}"
    );
}
