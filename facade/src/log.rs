//! Logs: the [`Logger`] trait, the [`Record`] it receives, and its no-op.

use std::fmt;
use std::time::SystemTime;

pub use crate::global::{dispatch, watch_max_level};
use crate::level::{Level, LevelFilter};
use crate::trace::{SpanId, TraceFlags, TraceId};
use crate::value::{catch_format_panic, Field, PANICKED_WHILE_FORMATTING};

/// Where a log call is in the source: module path, file and line.
///
/// [`log!`](crate::log!) and its shorthands keep one in a `static` per
/// call site, so that a record carries one pointer to it instead of five
/// words (building the record on the stack is a large part of what an
/// enabled log call costs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SourceLocation<'a> {
    module_path: &'a str,
    file: &'a str,
    line: u32,
}

impl<'a> SourceLocation<'a> {
    /// A location: usually `module_path!()`, `file!()`, `line!()`.
    pub const fn new(module_path: &'a str, file: &'a str, line: u32) -> SourceLocation<'a> {
        SourceLocation {
            module_path,
            file,
            line,
        }
    }

    /// The module path.
    pub const fn module_path(&self) -> &'a str {
        self.module_path
    }

    /// The source file.
    pub const fn file(&self) -> &'a str {
        self.file
    }

    /// The line in the source file.
    pub const fn line(&self) -> u32 {
        self.line
    }
}

/// Where a record or span comes from: level, target and source location.
#[derive(Clone, Copy, Debug)]
pub struct Metadata<'a> {
    level: Level,
    target: &'a str,
    location: Option<&'a SourceLocation<'a>>,
}

impl<'a> Metadata<'a> {
    /// Metadata with a level and target (usually the module path).
    #[inline]
    pub const fn new(level: Level, target: &'a str) -> Metadata<'a> {
        Metadata {
            level,
            target,
            location: None,
        }
    }

    /// This metadata with a source location.
    #[must_use]
    #[inline]
    pub const fn with_location(mut self, location: &'a SourceLocation<'a>) -> Metadata<'a> {
        self.location = Some(location);
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

    /// The source location of the call site (for the macros' records, the
    /// call site's `static`).
    pub const fn location(&self) -> Option<&'a SourceLocation<'a>> {
        self.location
    }

    /// The module path of the call site.
    pub fn module_path(&self) -> Option<&'a str> {
        self.location.map(SourceLocation::module_path)
    }

    /// The source file of the call site.
    pub fn file(&self) -> Option<&'a str> {
        self.location.map(SourceLocation::file)
    }

    /// The source line of the call site.
    pub fn line(&self) -> Option<u32> {
        self.location.map(SourceLocation::line)
    }
}

/// One log record, borrowed from the call site for the duration of
/// [`Logger::log`].
#[derive(Clone, Copy)]
pub struct Record<'a> {
    metadata: Metadata<'a>,
    args: fmt::Arguments<'a>,
    fields: &'a [Field<'a>],
    origin: Origin,
}

/// Whether a record is live or replayed, in one field: a live record (the
/// only kind on the hot path) is one tag to write.
#[derive(Clone, Copy, Debug)]
enum Origin {
    /// Emitted now, in the span current on this thread, read when asked: a
    /// record lives only for the `log` call on the emitting thread, so that
    /// is the span it was emitted in, and loggers that never ask (filters,
    /// no-op sinks) never pay for the lookup.
    Live,
    /// Trace context or time given explicitly (replayed records); what is
    /// `None` was not given.
    Given {
        trace: Option<Option<TraceContext>>,
        timestamp: Option<SystemTime>,
    },
}

/// The trace id, span id and trace flags of the span a record was emitted in.
type TraceContext = (TraceId, SpanId, TraceFlags);

impl Origin {
    fn given_trace(self) -> Option<Option<TraceContext>> {
        match self {
            Origin::Live => None,
            Origin::Given { trace, .. } => trace,
        }
    }

    fn given_timestamp(self) -> Option<SystemTime> {
        match self {
            Origin::Live => None,
            Origin::Given { timestamp, .. } => timestamp,
        }
    }
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
            origin: Origin::Live,
        }
    }

    /// This record with explicit trace and span ids (or none), and no trace
    /// flag set: use [`with_trace_context`](Record::with_trace_context)
    /// when the flags are known.
    #[must_use]
    pub fn with_ids(self, ids: Option<(TraceId, SpanId)>) -> Record<'a> {
        self.with_trace_context(ids.map(|(t, s)| (t, s, TraceFlags::NOT_SAMPLED)))
    }

    /// This record with an explicit trace id, span id and trace flags (or
    /// none), as [`trace_context`](Record::trace_context) returned them
    /// where it was emitted.
    #[must_use]
    pub fn with_trace_context(
        mut self,
        trace: Option<(TraceId, SpanId, TraceFlags)>,
    ) -> Record<'a> {
        self.origin = Origin::Given {
            trace: Some(trace),
            timestamp: self.origin.given_timestamp(),
        };
        self
    }

    /// This record with the time it was emitted, for records replayed later
    /// (as from the pre-init buffer). Live records leave it unset.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: SystemTime) -> Record<'a> {
        self.origin = Origin::Given {
            trace: self.origin.given_trace(),
            timestamp: Some(timestamp),
        };
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

    /// The message, formatted: a literal is copied without the formatting
    /// machinery; a `Display` impl that fails ends the message early; one
    /// that panics ends it with [`PANICKED_WHILE_FORMATTING`] where it
    /// panicked (what came before is kept: the literal text is usually what
    /// tells records apart), and the panic is counted in
    /// [`format_panics`](crate::format_panics). Loggers that keep the message
    /// format it through here, so no panic unwinds into the caller.
    pub fn format_message(&self) -> String {
        /// The first allocation: most messages fit, one allocation instead
        /// of a few regrowths.
        const CAPACITY: usize = 64;
        match self.args.as_str() {
            Some(literal) => literal.to_owned(),
            None => {
                let mut s = String::with_capacity(CAPACITY);
                if catch_format_panic(|| fmt::Write::write_fmt(&mut s, self.args)).is_none() {
                    s.push_str(PANICKED_WHILE_FORMATTING);
                }
                s
            }
        }
    }

    /// The structured fields.
    pub const fn fields(&self) -> &'a [Field<'a>] {
        self.fields
    }

    /// The trace and span ids of the span the record was emitted in.
    pub fn ids(&self) -> Option<(TraceId, SpanId)> {
        self.trace_context().map(|(t, s, _)| (t, s))
    }

    /// The trace id, span id and trace flags (the W3C byte, `sampled` and
    /// any other bit) of the span the record was emitted in, in one look at
    /// the current context: what a backend that keeps all three (OTLP's
    /// `LogRecord.flags`) asks for.
    pub fn trace_context(&self) -> Option<(TraceId, SpanId, TraceFlags)> {
        self.origin.given_trace().unwrap_or_else(|| {
            crate::context::with_current(|cx| {
                cx.span_context()
                    .map(|s| (s.trace_id(), s.span_id(), s.flags()))
            })
        })
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
    pub fn timestamp(&self) -> Option<SystemTime> {
        self.origin.given_timestamp()
    }
}

impl fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("metadata", &self.metadata)
            .field("args", &self.args)
            .field("fields", &self.fields)
            .field("trace_context", &self.trace_context())
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

    /// Whether [`log`](Logger::log) may emit telemetry on the calling
    /// thread: format values whose `Display` logs, take a lock that
    /// something it calls may take again, or write through an I/O stack
    /// that logs.
    ///
    /// `true` (the default) makes the facade mark the thread as dispatching
    /// while `log` runs, so that what is emitted meanwhile is dropped
    /// instead of looping back (and counted, see
    /// [`dropped_on_reentry`](crate::dropped_on_reentry)). A logger that does none of these (a filter,
    /// a counter, a channel send of data it already owns) may return
    /// `false` and save that bookkeeping, about a nanosecond per record;
    /// what the thread emits while another dispatch runs is still dropped.
    /// Read once, when the logger is installed.
    fn needs_reentrancy_guard(&self) -> bool {
        true
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

    fn needs_reentrancy_guard(&self) -> bool {
        false
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
            fn needs_reentrancy_guard(&self) -> bool {
                (**self).needs_reentrancy_guard()
            }
        }
    )*};
}

forward_logger!(&T, Box<T>, std::sync::Arc<T>);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, SpanContext, TraceState};

    #[test]
    fn a_record_carries_its_span_trace_flags() {
        let (trace, span) = (TraceId::from_u128(7), SpanId::from_u64(9));
        let meta = Metadata::new(Level::Info, "tests");
        let live = |f: &dyn Fn(&Record<'_>)| f(&Record::new(meta, format_args!("m"), &[]));
        live(&|r| assert_eq!(r.trace_context(), None));
        let cx = SpanContext::new_remote(trace, span, TraceFlags::new(3), TraceState::new());
        let _entered = Context::current().with_remote_span(cx).attach();
        live(&|r| assert_eq!(r.trace_context(), Some((trace, span, TraceFlags::new(3)))));
        live(&|r| {
            let given = r.with_ids(Some((trace, span)));
            assert_eq!(
                given.trace_context(),
                Some((trace, span, TraceFlags::NOT_SAMPLED))
            );
            let given = r
                .with_trace_context(None)
                .with_timestamp(SystemTime::UNIX_EPOCH);
            assert_eq!((given.trace_context(), given.ids()), (None, None));
        });
    }
}
