//! Shared by the integration tests: omniscope's SDK installed globally,
//! recording every span and log into memory.

#![allow(clippy::unwrap_used, dead_code)] // each test file uses a part

pub(crate) mod nesting;

use std::time::{Duration, Instant};

use omniscope::Value;
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};

/// The SDK's tracer and logger, installed as omniscope's globals.
pub(crate) struct Telemetry {
    tracer: SdkTracer,
    logger: SdkLogger,
    spans: InMemoryHandle<SpanData>,
    logs: InMemoryHandle<LogData>,
}

/// Installs an always-on tracer and a logger at `filter` (directives).
pub(crate) fn install(filter: &str) -> Telemetry {
    let (span_exporter, spans) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(span_exporter))
        .build()
        .unwrap();
    let (log_exporter, logs) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter(filter)
        .without_rate_limit()
        .with_exporter(Box::new(log_exporter))
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).unwrap();
    omniscope::set_logger(logger.clone()).unwrap();
    Telemetry {
        tracer,
        logger,
        spans,
        logs,
    }
}

impl Telemetry {
    /// Everything exported so far (taken).
    pub(crate) fn take(&self) -> (Vec<SpanData>, Vec<LogData>) {
        let deadline = Instant::now() + Duration::from_secs(10);
        self.tracer.flush(deadline).unwrap();
        self.logger.flush(deadline).unwrap();
        (self.spans.take(), self.logs.take())
    }
}

/// The span named `name` (exactly one).
pub(crate) fn span<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    let found: Vec<_> = spans.iter().filter(|s| s.name == name).collect();
    assert_eq!(found.len(), 1, "one span named {name} in {spans:#?}");
    found[0]
}

/// The log whose message is `message` (exactly one).
pub(crate) fn log<'a>(logs: &'a [LogData], message: &str) -> &'a LogData {
    let found: Vec<_> = logs.iter().filter(|l| l.message == message).collect();
    assert_eq!(found.len(), 1, "one log `{message}` in {logs:#?}");
    found[0]
}

/// Asserts that `child`'s parent is `parent`, in the same trace.
pub(crate) fn assert_child(child: &SpanData, parent: &SpanData) {
    assert_eq!(
        child.context.trace_id(),
        parent.context.trace_id(),
        "{} is in {}'s trace",
        child.name,
        parent.name
    );
    assert_eq!(
        child.parent_span_id,
        Some(parent.context.span_id()),
        "{}'s parent is {}",
        child.name,
        parent.name
    );
}

/// Asserts that `log` was emitted in `span`.
pub(crate) fn assert_in(log: &LogData, span: &SpanData) {
    assert_eq!(
        log.trace_id,
        Some(span.context.trace_id()),
        "{}",
        log.message
    );
    assert_eq!(log.span_id, Some(span.context.span_id()), "{}", log.message);
}

/// A value as text, for comparisons.
pub(crate) fn text(value: Option<Value<'_>>) -> Option<String> {
    value.map(|v| v.to_string())
}
