//! [`SdkLogger`]: filter, rate limit, format once, redact, hand off.

use std::borrow::Cow;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use omniscope::{Field, LevelFilter, Logger, Metadata, Record, TraceFlags, Value};

use super::builder::LoggerBuilder;
use super::data::LogData;
use super::filter::LogFilter;
use super::intern::intern;
use super::ratelimit::{RateLimiter, Suppressed, Verdict};
use super::redact::Redactor;
use crate::attributes::Attributes;
use crate::build::BuildError;
use crate::export::{
    ExportError, Exporter, Fanout, Immediate, LocalBatcher, PipelineConfig, PipelineStats,
};
use crate::resource::Resource;

/// The most records a thread buffers before handing them to the pipelines
/// (less when the queues are small: a chunk is queued whole or dropped whole).
const MAX_CHUNK: usize = 64;

/// The name of the field carrying a suppressed-records count.
pub const SUPPRESSED_FIELD: &str = "suppressed";

/// The SDK's [`Logger`]: per-target level filters, per-call-site rate
/// limiting, redaction, and batched background export to every
/// [`LogExporter`](crate::export::LogExporter) configured — except to an
/// [immediate](Exporter::immediate) one (the console's pretty format),
/// which receives each record on the logging thread before `log` returns,
/// in the order records were logged.
///
/// Cheap to clone (an `Arc` inside): install one clone with
/// [`omniscope::set_logger`] and keep another to flush and shut down.
///
/// ```
/// use std::time::{Duration, Instant};
/// use omniscope_sdk::export::InMemoryExporter;
/// use omniscope_sdk::logs::SdkLogger;
///
/// let (exporter, received) = InMemoryExporter::new();
/// let logger = SdkLogger::builder()
///     .with_filter("warn,orders=debug")
///     .with_exporter(Box::new(exporter))
///     .build()?;
/// omniscope::info!(logger: &logger, target: "orders::db", "connected"; password = "hunter2");
/// omniscope::info!(logger: &logger, target: "hyper", "dropped by the filter");
/// logger.flush(Instant::now() + Duration::from_secs(5))?;
/// let logs = received.items();
/// assert_eq!(logs.len(), 1);
/// assert_eq!(logs[0].message, "connected");
/// assert_eq!(logs[0].fields.get("password").and_then(|v| v.as_str()), Some("[REDACTED]"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SdkLogger {
    inner: Arc<Inner>,
}

struct Inner {
    processor: Processor,
    batcher: Arc<LocalBatcher<LogData>>,
    /// Whether the batcher has pipelines (an exporter is not immediate).
    batched: bool,
    immediate: Immediate<LogData>,
}

/// Everything between a record and its [`LogData`].
#[derive(Debug)]
pub(crate) struct Processor {
    pub(crate) filter: LogFilter,
    pub(crate) redactor: Redactor,
    pub(crate) limiter: Option<RateLimiter>,
    pub(crate) max_fields: usize,
    pub(crate) max_field_len: usize,
    pub(crate) dropped_fields: AtomicU64,
    /// Records a panic inside the logger cut short.
    pub(crate) lost: AtomicU64,
}

impl SdkLogger {
    /// A builder with the defaults: `info` everywhere, the default redaction
    /// list, 1000 records per call site per second, no exporter yet.
    pub fn builder() -> LoggerBuilder {
        LoggerBuilder::default()
    }

    pub(crate) fn start(
        processor: Processor,
        exporters: Vec<Box<dyn Exporter<LogData>>>,
        resource: Arc<Resource>,
        config: PipelineConfig,
    ) -> Result<SdkLogger, BuildError> {
        let (immediate, exporters) = Immediate::split("logs", exporters, &resource);
        let batched = !exporters.is_empty();
        let fanout = Fanout::spawn("logs", exporters, &resource, &config)?;
        let chunk_size = (config.queue_capacity() / 8).clamp(1, MAX_CHUNK);
        let batcher = LocalBatcher::new(fanout, chunk_size);
        if batched {
            // A quiet thread's buffered records still leave within a batch timeout.
            batcher.spawn_ticker(config.batch_timeout())?;
        }
        Ok(SdkLogger {
            inner: Arc::new(Inner {
                processor,
                batcher,
                batched,
                immediate,
            }),
        })
    }

    /// The filter in use.
    pub fn filter(&self) -> &LogFilter {
        &self.inner.processor.filter
    }

    /// Records dropped by the rate limit so far (each is also counted in
    /// exactly one "similar records suppressed" report).
    pub fn suppressed_total(&self) -> u64 {
        self.inner
            .processor
            .limiter
            .as_ref()
            .map_or(0, RateLimiter::suppressed_total)
    }

    /// Fields dropped so far because a record had more than
    /// [`with_max_fields`](LoggerBuilder::with_max_fields).
    pub fn dropped_fields_total(&self) -> u64 {
        self.inner.processor.dropped_fields.load(Ordering::Relaxed)
    }

    /// Records lost to a panic inside the logger: expected to stay 0 (a
    /// value whose formatting panics is recorded as
    /// [`PANICKED_WHILE_FORMATTING`](crate::attributes::PANICKED_WHILE_FORMATTING) instead, and counted in
    /// [`format_panics`](crate::attributes::format_panics)), but counted,
    /// so that a bug would cost counted records, never the caller.
    pub fn lost_total(&self) -> u64 {
        self.inner.processor.lost.load(Ordering::Relaxed)
    }

    /// Reports pending suppression counts, hands every buffered record to
    /// the pipelines, and waits until each exporter has received them (or
    /// `deadline` passes); flushes the immediate exporters.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed first;
    /// [`ExportError::AlreadyShutdown`] after [`shutdown`](SdkLogger::shutdown).
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        self.report_all_suppressed();
        let batched = self.inner.batcher.flush(deadline);
        let immediate = self.inner.immediate.flush(deadline);
        batched.and(immediate)
    }

    /// Flushes, then shuts every exporter down by `deadline`; records logged
    /// afterwards are dropped and counted (`reason="shutdown"`).
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed first;
    /// [`ExportError::AlreadyShutdown`] on a second call.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        self.report_all_suppressed();
        let batched = self.inner.batcher.shutdown(deadline);
        let immediate = self.inner.immediate.shutdown(deadline);
        batched.and(immediate)
    }

    /// Each exporter's pipeline statistics, in the order the exporters were
    /// added (an [immediate](Exporter::immediate) exporter's queue capacity
    /// is 0).
    pub fn pipeline_stats(&self) -> Vec<PipelineStats> {
        self.inner
            .immediate
            .stats_in_order(self.inner.batcher.stats())
    }

    fn report_all_suppressed(&self) {
        if let Some(limiter) = &self.inner.processor.limiter {
            let now = SystemTime::now();
            for report in limiter.take_reports(limiter.now(), true) {
                self.inner.deliver(suppressed_record(report, now));
            }
        }
    }

    fn log_record(&self, record: &Record<'_>) {
        let inner = &*self.inner;
        let p = &inner.processor;
        if !p.filter.enabled(record.metadata()) {
            return;
        }
        let mut reports = Vec::new();
        if let Some(limiter) = &p.limiter {
            let tick = limiter.now();
            match limiter.check(record.metadata(), tick) {
                Verdict::Suppress => return,
                Verdict::Deliver(report) => reports.extend(report),
            }
            if limiter.sweep_due(tick) {
                reports.extend(limiter.take_reports(tick, false));
            }
        }
        // Read the clock only for records that are delivered.
        let now = SystemTime::now();
        for report in reports {
            inner.deliver(suppressed_record(report, now));
        }
        inner.deliver(p.process(record, now));
    }
}

impl Inner {
    /// Exports `data` to the immediate exporters, on this thread, and hands
    /// it to the batcher for the pipelines.
    fn deliver(&self, data: LogData) {
        self.immediate.export(&data);
        if self.batched {
            self.batcher.push(data);
        }
    }
}

impl Processor {
    /// The [`LogData`] of a record that passed the filter and the rate limit.
    pub(crate) fn process(&self, record: &Record<'_>, now: SystemTime) -> LogData {
        let fields = record.fields();
        let mut attributes = Attributes::with_capacity(fields.len().min(self.max_fields));
        let dropped = self.redactor.push_fields(
            &mut attributes,
            fields,
            self.max_fields,
            Some(self.max_field_len),
        );
        if dropped > 0 {
            self.dropped_fields
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
        let metadata = record.metadata();
        let trace = record.trace_context();
        LogData {
            timestamp: record.timestamp().unwrap_or(now),
            observed_timestamp: now,
            level: metadata.level(),
            target: intern(metadata.target()),
            message: record.format_message(),
            fields: attributes,
            trace_id: trace.map(|(t, _, _)| t),
            span_id: trace.map(|(_, s, _)| s),
            trace_flags: trace.map_or(TraceFlags::NOT_SAMPLED, |(_, _, f)| f),
            location: location(metadata),
        }
    }
}

fn location(metadata: &Metadata<'_>) -> Option<(Cow<'static, str>, Cow<'static, str>, u32)> {
    match (metadata.file(), metadata.line()) {
        (Some(file), Some(line)) => Some((
            intern(metadata.module_path().unwrap_or("")),
            intern(file),
            line,
        )),
        _ => None,
    }
}

/// The synthetic record reporting one call site's suppressed records: the
/// site's level, target and location, the message `"N similar records
/// suppressed"`, and the count in the [`SUPPRESSED_FIELD`] field.
fn suppressed_record(report: Suppressed, now: SystemTime) -> LogData {
    let Suppressed { count, origin } = report;
    let mut fields = Attributes::with_capacity(1);
    fields.push(&Field::new_static(SUPPRESSED_FIELD, Value::U64(count)));
    LogData {
        timestamp: now,
        observed_timestamp: now,
        level: origin.level,
        target: Cow::Owned(origin.target),
        message: format!("{count} similar records suppressed"),
        fields,
        trace_id: None,
        span_id: None,
        trace_flags: TraceFlags::NOT_SAMPLED,
        location: origin
            .location
            .map(|(m, f, l)| (Cow::Owned(m), Cow::Owned(f), l)),
    }
}

impl Logger for SdkLogger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.inner.processor.filter.enabled(metadata)
    }

    fn log(&self, record: &Record<'_>) {
        // Values whose formatting panics are caught where they are
        // formatted; this only keeps any other panic from unwinding into
        // the caller, and counts the record it cost.
        if catch_unwind(AssertUnwindSafe(|| self.log_record(record))).is_err() {
            self.inner.processor.lost.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Hands this thread's buffered records to the pipelines without waiting
    /// for export; [`SdkLogger::flush`] waits, with a deadline.
    fn flush(&self) {
        self.inner.batcher.flush_buffers();
    }

    fn max_level_hint(&self) -> LevelFilter {
        self.inner.processor.filter.max_level()
    }
}

impl fmt::Debug for SdkLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkLogger")
            .field("filter", &self.inner.processor.filter.to_string())
            .field("suppressed_total", &self.suppressed_total())
            .finish_non_exhaustive()
    }
}
