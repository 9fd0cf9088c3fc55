//! In-test backends shared by the integration tests: a logger, an error
//! handler and a tracer that record what they receive. Each test file is
//! its own process and installs at most one of each.
#![allow(dead_code)] // each test file uses a different part
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::error::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use omniscope::sync::lock;
use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{
    ErrorContext, ErrorHandler, ErrorKind, Level, LevelFilter, Logger, OwnedValue, Record,
    SpanContext, SpanId, TraceFlags, TraceId, Tracer,
};

/// Whether every level is compiled in. The `max_level_*` Cargo features
/// (all on under `--all-features`) compile `log!` and `span!` out; tests of
/// what those macros deliver only hold when they are compiled in.
pub(crate) fn all_levels_compiled_in() -> bool {
    let all = omniscope::STATIC_MAX_LEVEL == LevelFilter::Trace;
    if !all {
        eprintln!(
            "note: STATIC_MAX_LEVEL is {} (max_level_* features): \
             checks of what log!/span! deliver are skipped",
            omniscope::STATIC_MAX_LEVEL
        );
    }
    all
}

/// A log record as the [`RecordingLogger`] kept it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Log {
    pub(crate) level: Level,
    pub(crate) target: String,
    pub(crate) message: String,
    pub(crate) fields: Vec<(String, OwnedValue)>,
    pub(crate) trace_id: Option<TraceId>,
    pub(crate) span_id: Option<SpanId>,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<u32>,
}

impl Log {
    pub(crate) fn field(&self, key: &str) -> Option<&OwnedValue> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn ids(&self) -> Option<(TraceId, SpanId)> {
        self.trace_id.zip(self.span_id)
    }
}

/// A logger that keeps every record; clones share the records.
#[derive(Clone)]
pub(crate) struct RecordingLogger {
    logs: Arc<Mutex<Vec<Log>>>,
    hint: LevelFilter,
}

impl RecordingLogger {
    pub(crate) fn new(hint: LevelFilter) -> RecordingLogger {
        RecordingLogger {
            logs: Arc::default(),
            hint,
        }
    }

    pub(crate) fn logs(&self) -> Vec<Log> {
        lock(&self.logs).clone()
    }

    pub(crate) fn messages(&self) -> Vec<String> {
        lock(&self.logs).iter().map(|l| l.message.clone()).collect()
    }
}

impl Logger for RecordingLogger {
    fn log(&self, record: &Record<'_>) {
        let meta = record.metadata();
        let log = Log {
            level: record.level(),
            target: record.target().to_owned(),
            message: record.args().to_string(),
            fields: record.fields().iter().map(|f| f.to_owned()).collect(),
            trace_id: record.trace_id(),
            span_id: record.span_id(),
            timestamp: record.timestamp(),
            file: meta.file().map(str::to_owned),
            line: meta.line(),
        };
        lock(&self.logs).push(log);
    }

    fn max_level_hint(&self) -> LevelFilter {
        self.hint
    }
}

/// An error as the [`RecordingHandler`] kept it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reported {
    pub(crate) kind: ErrorKind,
    pub(crate) chain: Vec<String>,
    pub(crate) fields: Vec<(String, OwnedValue)>,
    pub(crate) trace_id: Option<TraceId>,
    pub(crate) span_id: Option<SpanId>,
    pub(crate) file: Option<String>,
    pub(crate) line: Option<u32>,
    pub(crate) thread: Option<String>,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) has_backtrace: bool,
}

impl Reported {
    pub(crate) fn ids(&self) -> Option<(TraceId, SpanId)> {
        self.trace_id.zip(self.span_id)
    }
}

/// An error handler that keeps every report; clones share the reports.
#[derive(Clone, Default)]
pub(crate) struct RecordingHandler {
    reports: Arc<Mutex<Vec<Reported>>>,
}

impl RecordingHandler {
    pub(crate) fn reports(&self) -> Vec<Reported> {
        lock(&self.reports).clone()
    }
}

impl ErrorHandler for RecordingHandler {
    fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
        let reported = Reported {
            kind: context.kind(),
            chain: omniscope::error_chain(error),
            fields: context.fields().iter().map(|f| f.to_owned()).collect(),
            trace_id: context.trace_id(),
            span_id: context.span_id(),
            file: context.location().map(|l| l.file().to_owned()),
            line: context.location().map(|l| l.line()),
            thread: context.thread().map(str::to_owned),
            timestamp: context.timestamp(),
            has_backtrace: context.backtrace().is_some(),
        };
        lock(&self.reports).push(reported);
    }
}

/// A span as the [`IdTracer`] saw it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TracedSpan {
    pub(crate) name: String,
    pub(crate) context: SpanContext,
    pub(crate) parent: Option<SpanId>,
    pub(crate) ended: bool,
    pub(crate) panicked: bool,
}

/// A tracer that assigns sequential ids (trace ids from 1, span ids from
/// 1) and records every span; clones share the records.
#[derive(Clone, Default)]
pub(crate) struct IdTracer {
    spans: Arc<Mutex<Vec<TracedSpan>>>,
    next_trace: Arc<AtomicU64>,
    next_span: Arc<AtomicU64>,
}

impl IdTracer {
    pub(crate) fn spans(&self) -> Vec<TracedSpan> {
        lock(&self.spans).clone()
    }

    pub(crate) fn span(&self, name: &str) -> Option<TracedSpan> {
        lock(&self.spans).iter().find(|s| s.name == name).cloned()
    }
}

impl Tracer for IdTracer {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let parent = start.parent().filter(|p| p.is_valid());
        let trace_id = parent.map_or_else(
            || {
                TraceId::from_u128(u128::from(
                    self.next_trace.fetch_add(1, Ordering::Relaxed) + 1,
                ))
            },
            SpanContext::trace_id,
        );
        let span_id = SpanId::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed) + 1);
        let context = SpanContext::new(trace_id, span_id, TraceFlags::SAMPLED);
        let mut spans = lock(&self.spans);
        let token = SpanToken(spans.len() as u64);
        spans.push(TracedSpan {
            name: start.name().to_owned(),
            context: context.clone(),
            parent: parent.map(SpanContext::span_id),
            ended: false,
            panicked: false,
        });
        StartedSpan::recording(context, token)
    }

    fn end(&self, token: SpanToken) {
        if let Some(span) = lock(&self.spans).get_mut(token.0 as usize) {
            span.ended = true;
        }
    }

    fn record_panic(&self, token: SpanToken) {
        if let Some(span) = lock(&self.spans).get_mut(token.0 as usize) {
            span.panicked = true;
        }
    }
}
