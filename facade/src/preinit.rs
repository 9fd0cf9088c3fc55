//! The pre-init buffer: logs and handled errors emitted before any backend
//! is installed, kept (bounded) and replayed into the first one installed.
//!
//! Programs often log before `main` has installed its backends (parsing
//! configuration, say). By default the facade keeps up to 256 records at
//! [`LevelFilter::Info`] and above and up to 64 handled errors; the rest are
//! dropped and counted in [`dropped`]. The first [`set_logger`](crate::set_logger)
//! receives the buffered records its level lets through, with their original
//! timestamps, trace ids, trace flags and source locations; the first
//! [`set_error_handler`](crate::set_error_handler) the errors (with their
//! timestamps, trace ids, source locations, and each error's kind as
//! [`kind_label`] named it when it was reported).
//!
//! [`disable`] turns it off (and frees what it held); then a record with no
//! logger installed costs exactly what a disabled record costs.

use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::SystemTime;

use crate::error::{error_sources, kind_label};
use crate::error::{ErrorContext, ErrorHandler, ErrorKind};
use crate::global;
use crate::level::{Level, LevelFilter};
use crate::log::{Logger, Metadata, Record, SourceLocation};
use crate::trace::{SpanId, TraceFlags, TraceId};
use crate::value::string_or_placeholder;
use crate::value::{Field, OwnedValue};

/// The default number of buffered log records.
pub const DEFAULT_LOG_CAPACITY: usize = 256;
/// The default number of buffered errors.
pub const DEFAULT_ERROR_CAPACITY: usize = 64;

struct OwnedRecord {
    level: Level,
    target: String,
    location: Option<(String, String, u32)>,
    message: String,
    fields: Vec<(String, OwnedValue)>,
    trace: Option<(TraceId, SpanId, TraceFlags)>,
    timestamp: SystemTime,
}

struct OwnedError {
    /// Each error of the chain: its kind and its message.
    chain: Vec<(String, String)>,
    location: Option<(String, u32, u32)>,
    kind: ErrorKind,
    user_error: bool,
    type_name: Option<&'static str>,
    fields: Vec<(String, OwnedValue)>,
    ids: Option<(TraceId, SpanId)>,
    thread: Option<String>,
    timestamp: SystemTime,
}

struct Buffer {
    enabled: bool,
    level: LevelFilter,
    log_capacity: usize,
    error_capacity: usize,
    logs: VecDeque<OwnedRecord>,
    errors: VecDeque<OwnedError>,
    dropped: u64,
}

/// Mirrors `Buffer::enabled`, so that a disabled buffer costs a load, not a lock.
static ENABLED: AtomicBool = AtomicBool::new(true);

static BUFFER: Mutex<Buffer> = Mutex::new(Buffer {
    enabled: true,
    level: LevelFilter::Info,
    log_capacity: DEFAULT_LOG_CAPACITY,
    error_capacity: DEFAULT_ERROR_CAPACITY,
    logs: VecDeque::new(),
    errors: VecDeque::new(),
    dropped: 0,
});

fn buffer() -> std::sync::MutexGuard<'static, Buffer> {
    crate::sync::lock(&BUFFER)
}

/// Turns the buffer off and frees what it holds (counted as dropped).
pub fn disable() {
    {
        let mut b = buffer();
        b.enabled = false;
        ENABLED.store(false, Ordering::Relaxed);
        b.dropped += (b.logs.len() + b.errors.len()) as u64;
        b.logs = VecDeque::new();
        b.errors = VecDeque::new();
    }
    crate::global::refresh_levels();
}

/// Sets how many records and errors the buffer keeps, and the most verbose
/// level it keeps (default [`LevelFilter::Info`]).
pub fn configure(log_capacity: usize, error_capacity: usize, level: LevelFilter) {
    {
        let mut b = buffer();
        b.log_capacity = log_capacity;
        b.error_capacity = error_capacity;
        b.level = level;
    }
    crate::global::refresh_levels();
}

/// How many records and errors were dropped because the buffer was full or
/// disabled with entries in it.
pub fn dropped() -> u64 {
    buffer().dropped
}

/// The level the buffer asks of the global filter while no logger is installed.
pub(crate) fn level() -> LevelFilter {
    let b = buffer();
    if b.enabled {
        b.level
    } else {
        LevelFilter::Off
    }
}

pub(crate) fn push_log(record: &Record<'_>) {
    let mut b = buffer();
    // A logger may have been installed since the caller looked. `set_logger`
    // installs it before it takes the buffer, so under the lock either it is
    // seen here or the record is taken by the replay: none is left behind in
    // a buffer nobody reads again.
    if let Some(logger) = global::installed_logger() {
        drop(b);
        if record.level() <= crate::level::base_max_level() {
            logger.log(record);
        }
        return;
    }
    if !b.enabled || record.level() > b.level {
        return;
    }
    if b.logs.len() >= b.log_capacity {
        b.dropped += 1;
        return;
    }
    let meta = record.metadata();
    let location = match (meta.module_path(), meta.file(), meta.line()) {
        (Some(m), Some(f), Some(l)) => Some((m.to_owned(), f.to_owned(), l)),
        _ => None,
    };
    b.logs.push_back(OwnedRecord {
        level: record.level(),
        target: record.target().to_owned(),
        location,
        message: record.format_message(),
        fields: record.fields().iter().map(Field::to_owned).collect(),
        trace: record.trace_context(),
        timestamp: record.timestamp().unwrap_or_else(SystemTime::now),
    });
}

pub(crate) fn push_error(error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
    if !ENABLED.load(Ordering::Relaxed) && global::installed_error_handler().is_none() {
        return;
    }
    let mut b = buffer();
    // As in `push_log`: a handler installed since the caller looked.
    if let Some(handler) = global::installed_error_handler() {
        drop(b);
        handler.handle(error, context);
        return;
    }
    if !b.enabled {
        return;
    }
    if b.errors.len() >= b.error_capacity {
        b.dropped += 1;
        return;
    }
    b.errors.push_back(OwnedError {
        chain: error_sources(error)
            .map(|e| (kind_label(e), string_or_placeholder(|| e.to_string())))
            .collect(),
        location: context
            .location_parts()
            .map(|(file, line, column)| (file.to_owned(), line, column)),
        kind: context.kind(),
        user_error: context.is_user_error(),
        type_name: context.type_name(),
        fields: context.fields().iter().map(Field::to_owned).collect(),
        ids: context.trace_id().zip(context.span_id()),
        thread: context.thread().map(str::to_owned),
        timestamp: context.timestamp().unwrap_or_else(SystemTime::now),
    });
}

pub(crate) fn replay_logs(logger: &dyn Logger) {
    let logs = std::mem::take(&mut buffer().logs);
    // The buffer's level may be more verbose than what the logger asked for.
    let level = crate::level::base_max_level();
    for r in logs.iter().filter(|r| r.level <= level) {
        let fields: Vec<Field<'_>> = r
            .fields
            .iter()
            .map(|(k, v)| Field::new(k, v.as_value()))
            .collect();
        let location = r
            .location
            .as_ref()
            .map(|(module, file, line)| SourceLocation::new(module, file, *line));
        let mut meta = Metadata::new(r.level, &r.target);
        if let Some(location) = &location {
            meta = meta.with_location(location);
        }
        logger.log(
            &Record::new(meta, format_args!("{}", r.message), &fields)
                .with_trace_context(r.trace)
                .with_timestamp(r.timestamp),
        );
    }
}

pub(crate) fn replay_errors(handler: &dyn ErrorHandler) {
    let errors = std::mem::take(&mut buffer().errors);
    for e in &errors {
        let error = ReplayedError::from_chain(&e.chain);
        let fields: Vec<Field<'_>> = e
            .fields
            .iter()
            .map(|(k, v)| Field::new(k, v.as_value()))
            .collect();
        let mut context = ErrorContext::new(&fields)
            .with_kind(e.kind)
            .with_user_error(e.user_error)
            .with_type_name(e.type_name)
            .with_ids(e.ids)
            .with_timestamp(e.timestamp);
        if let Some(thread) = &e.thread {
            context = context.with_thread(thread);
        }
        if let Some((file, line, column)) = &e.location {
            context = context.with_location_parts(file, *line, *column);
        }
        handler.handle(&error, &context);
    }
}

/// An error rebuilt from the kinds and messages of a buffered error's
/// chain; [`kind_label`] gives each its original kind.
#[derive(Debug)]
pub(crate) struct ReplayedError {
    pub(crate) kind: String,
    message: String,
    source: Option<Box<ReplayedError>>,
}

impl ReplayedError {
    fn from_chain(chain: &[(String, String)]) -> ReplayedError {
        let mut rebuilt: Option<ReplayedError> = None;
        for (kind, message) in chain.iter().rev() {
            rebuilt = Some(ReplayedError {
                kind: kind.clone(),
                message: message.clone(),
                source: rebuilt.map(Box::new),
            });
        }
        rebuilt.unwrap_or(ReplayedError {
            kind: "Error".to_owned(),
            message: String::new(),
            source: None,
        })
    }
}

impl fmt::Display for ReplayedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for ReplayedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}
