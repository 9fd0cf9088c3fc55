//! Logs: the [`Logger`] trait, the [`Record`] it receives, and its no-op.

use std::fmt;
use std::time::SystemTime;

use crate::level::{Level, LevelFilter};
use crate::trace::{SpanId, TraceId};
use crate::value::Field;

/// Where a record or span comes from: level, target and source location.
#[derive(Clone, Copy, Debug)]
pub struct Metadata<'a> {
    level: Level,
    target: &'a str,
    module_path: Option<&'a str>,
    file: Option<&'a str>,
    line: Option<u32>,
}

impl<'a> Metadata<'a> {
    /// Metadata with a level and target (usually the module path).
    #[inline]
    pub const fn new(level: Level, target: &'a str) -> Metadata<'a> {
        Metadata {
            level,
            target,
            module_path: None,
            file: None,
            line: None,
        }
    }

    /// This metadata with a source location.
    #[must_use]
    #[inline]
    pub const fn with_location(
        mut self,
        module_path: &'a str,
        file: &'a str,
        line: u32,
    ) -> Metadata<'a> {
        self.module_path = Some(module_path);
        self.file = Some(file);
        self.line = Some(line);
        self
    }

    /// The level.
    pub const fn level(&self) -> Level {
        self.level
    }

    /// The target: the module path unless the call site gave `target:`.
    pub const fn target(&self) -> &'a str {
        self.target
    }

    /// The module path of the call site.
    pub const fn module_path(&self) -> Option<&'a str> {
        self.module_path
    }

    /// The source file of the call site.
    pub const fn file(&self) -> Option<&'a str> {
        self.file
    }

    /// The source line of the call site.
    pub const fn line(&self) -> Option<u32> {
        self.line
    }
}

/// One log record, borrowed from the call site for the duration of
/// [`Logger::log`].
#[derive(Clone, Copy)]
pub struct Record<'a> {
    metadata: Metadata<'a>,
    args: fmt::Arguments<'a>,
    fields: &'a [Field<'a>],
    ids: Ids,
    timestamp: Option<SystemTime>,
}

/// Where a record's span ids come from.
#[derive(Clone, Copy, Debug)]
enum Ids {
    /// The span current on this thread, read when asked: a record lives only
    /// for the `log` call on the emitting thread, so that is the span it was
    /// emitted in, and loggers that never ask (filters, no-op sinks) never
    /// pay for the lookup.
    Current,
    /// Given explicitly (replayed records).
    Given(Option<(TraceId, SpanId)>),
}

impl<'a> Record<'a> {
    /// A record of `args` with `fields`, carrying the current span's ids.
    #[inline]
    pub fn new(
        metadata: Metadata<'a>,
        args: fmt::Arguments<'a>,
        fields: &'a [Field<'a>],
    ) -> Record<'a> {
        Record {
            metadata,
            args,
            fields,
            ids: Ids::Current,
            timestamp: None,
        }
    }

    /// This record with explicit trace and span ids (or none).
    #[must_use]
    pub fn with_ids(mut self, ids: Option<(TraceId, SpanId)>) -> Record<'a> {
        self.ids = Ids::Given(ids);
        self
    }

    /// This record with the time it was emitted, for records replayed later
    /// (as from the pre-init buffer). Live records leave it unset.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: SystemTime) -> Record<'a> {
        self.timestamp = Some(timestamp);
        self
    }

    /// Level, target and location.
    pub const fn metadata(&self) -> &Metadata<'a> {
        &self.metadata
    }

    /// The level.
    pub const fn level(&self) -> Level {
        self.metadata.level
    }

    /// The target.
    pub const fn target(&self) -> &'a str {
        self.metadata.target
    }

    /// The message, not yet formatted.
    pub const fn args(&self) -> &fmt::Arguments<'a> {
        &self.args
    }

    /// The structured fields.
    pub const fn fields(&self) -> &'a [Field<'a>] {
        self.fields
    }

    /// The trace and span ids of the span the record was emitted in.
    pub fn ids(&self) -> Option<(TraceId, SpanId)> {
        match self.ids {
            Ids::Current => crate::context::current_ids(),
            Ids::Given(ids) => ids,
        }
    }

    /// The trace id of the span the record was emitted in.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.ids().map(|(t, _)| t)
    }

    /// The span id of the span the record was emitted in.
    pub fn span_id(&self) -> Option<SpanId> {
        self.ids().map(|(_, s)| s)
    }

    /// When the record was emitted, if it is being replayed; `None` means now.
    pub const fn timestamp(&self) -> Option<SystemTime> {
        self.timestamp
    }
}

impl fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("metadata", &self.metadata)
            .field("args", &self.args)
            .field("fields", &self.fields)
            .field("ids", &self.ids())
            .finish()
    }
}

/// A destination for log records.
///
/// Implementations must never panic and never block for long: `log` is
/// called on the application's threads.
pub trait Logger: Send + Sync {
    /// Whether a record with this metadata would be kept: per-target
    /// filters (the global level is already checked).
    ///
    /// [`log_enabled!`](crate::log_enabled!) and `log!(logger: …)` ask it;
    /// the global `log!`, `info!` & co. do not (one virtual call fewer, as
    /// in the `log` crate), so [`log`](Logger::log) applies the same filter.
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        let _ = metadata;
        true
    }

    /// Handles one record.
    fn log(&self, record: &Record<'_>);

    /// Flushes buffered records.
    fn flush(&self) {}

    /// The most verbose level this logger may keep; installing the logger
    /// sets the global filter from it. Defaults to [`LevelFilter::Trace`].
    fn max_level_hint(&self) -> LevelFilter {
        LevelFilter::Trace
    }
}

/// The logger used while none is installed: it discards everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopLogger;

impl Logger for NoopLogger {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        false
    }

    fn log(&self, _: &Record<'_>) {}

    fn max_level_hint(&self) -> LevelFilter {
        LevelFilter::Off
    }
}

macro_rules! forward_logger {
    ($($ty:ty),*) => {$(
        impl<T: Logger + ?Sized> Logger for $ty {
            fn enabled(&self, metadata: &Metadata<'_>) -> bool {
                (**self).enabled(metadata)
            }
            fn log(&self, record: &Record<'_>) {
                (**self).log(record)
            }
            fn flush(&self) {
                (**self).flush()
            }
            fn max_level_hint(&self) -> LevelFilter {
                (**self).max_level_hint()
            }
        }
    )*};
}

forward_logger!(&T, Box<T>, std::sync::Arc<T>);
