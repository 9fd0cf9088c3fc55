//! Data as the SDK exports it, for backends' tests: [`SpanData`],
//! [`LogData`] and [`ErrorEvent`] built by recording through a real
//! [`SdkTracer`], [`SdkLogger`] and [`SdkErrors`].
//!
//! The data types are `#[non_exhaustive]`, so other crates cannot build them
//! with struct literals, and data assembled by hand could differ from what
//! the SDK exports. The builders here record through a private tracer,
//! logger and error handler (each with an [`InMemoryExporter`], started on
//! first use and never installed as a global), so that what comes out is
//! what the SDK's own code made of it: attributes under the default span
//! limits, log fields after redaction, an error's `source()` chain with its
//! type names. What the SDK takes from the clock or generates — times, ids —
//! can be fixed, so that expected outputs stay the same from run to run.
//!
//! A [`MetricsSnapshot`](crate::metrics::MetricsSnapshot) needs no builder:
//! record into [`SdkMeter::new`](crate::SdkMeter::new) and take its
//! [`snapshot`](crate::SdkMeter::snapshot), or start from
//! `MetricsSnapshot::default()` and the constructors of its parts.
//!
//! This module needs no Cargo feature: it adds no dependency, and costs
//! nothing until it is called.
//!
//! # Examples
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use omniscope::{Level, SpanId, Status, TraceId, Value};
//! use omniscope_sdk::testing;
//!
//! let end = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
//! let span = testing::span("checkout")
//!     .with_ids(TraceId::from_u128(1), SpanId::from_u64(2))
//!     .with_times(end - Duration::from_millis(12), end)
//!     .with_attribute("order.id", Value::I64(42))
//!     .with_status(Status::error("card declined"))
//!     .build();
//! assert_eq!(span.context.span_id(), SpanId::from_u64(2));
//! assert_eq!(span.attributes.get("order.id").map(|v| v.to_string()).as_deref(), Some("42"));
//!
//! let record = testing::log(Level::Warn, "login failed")
//!     .with_field("password", Value::Str("hunter2"))
//!     .build();
//! assert_eq!(record.fields.get("password").and_then(|v| v.as_str()), Some("[REDACTED]"));
//!
//! let error = std::io::Error::other("disk full");
//! let event = testing::error(&error).build();
//! assert_eq!((event.type_name(), event.message()), ("io::Error", "disk full"));
//! ```
//!
//! # Cost and side effects
//!
//! Each `build` waits for one export round trip (tens of microseconds);
//! [`spans`] records many spans per round trip. Calls from parallel tests
//! take turns. The first call for each signal starts the recorder's
//! threads (an export thread; for spans also a collector), which last until
//! the process exits. Nothing reaches the installed globals: the
//! `errors` count that [`SdkErrors`] makes goes to a throwaway
//! [`omniscope::testing::capture`].
//!
//! # Panics
//!
//! The builders panic when the SDK does not deliver what was recorded
//! within 10 seconds (a bug in the SDK, so a failed test), and when a
//! `Display` or `Debug` implementation given to them panics.

use std::collections::HashMap;
use std::error::Error;
use std::panic::Location;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use omniscope::trace::{SpanSite, SpanStart};
use omniscope::{
    ErrorContext, ErrorHandler as _, ErrorKind, Field, Level, Logger as _, Metadata, Record,
    SourceLocation, SpanContext, SpanId, Status, TraceId, Tracer as _, Value,
};

use crate::build::BuildError;
use crate::errors::{ErrorEvent, SdkErrors};
use crate::export::{ExportError, InMemoryExporter, InMemoryHandle};
use crate::logs::{LogData, SdkLogger};
use crate::sync::lock;
use crate::trace::{Sampler, SdkTracer, SpanData};

/// The site of spans built without [`SpanBuilder::with_site`].
static DEFAULT_SITE: SpanSite = SpanSite::new("span", DEFAULT_TARGET, "", 0);

/// The target of spans and records built without one.
const DEFAULT_TARGET: &str = "app";

/// How many spans [`spans`] records per export round trip (well below the
/// pipeline's queue capacity, so that none is dropped).
const SPANS_PER_ROUND: usize = 1024;

/// A span named `name` to build: a root of the default site (target
/// `"app"`, kind internal), with ids from the tracer, timed when it is
/// built, until the `with_*` setters say otherwise.
pub fn span(name: &str) -> SpanBuilder<'_> {
    SpanBuilder {
        name,
        site: &DEFAULT_SITE,
        parent: None,
        ids: None,
        times: None,
        attributes: Vec::new(),
        events: Vec::new(),
        links: Vec::new(),
        status: Status::Unset,
    }
}

/// Builds every span in `builders`, in order, recording many per export
/// round trip: what to use for thousands of spans.
///
/// # Panics
///
/// As [`SpanBuilder::build`].
pub fn spans<'a>(builders: impl IntoIterator<Item = SpanBuilder<'a>>) -> Vec<SpanData> {
    let builders: Vec<SpanBuilder<'a>> = builders.into_iter().collect();
    let mut built = Vec::with_capacity(builders.len());
    with_recorder(&TRACER, start_tracer, |tracer, received| {
        for round in builders.chunks(SPANS_PER_ROUND) {
            let ids: Vec<SpanId> = round.iter().map(|b| b.record(tracer)).collect();
            delivered(tracer.flush(deadline()), "span");
            let mut by_id: HashMap<SpanId, SpanData> = received
                .take()
                .into_iter()
                .map(|s| (s.context.span_id(), s))
                .collect();
            for (builder, id) in round.iter().zip(ids) {
                let Some(data) = by_id.remove(&id) else {
                    panic!("omniscope_sdk::testing: the tracer did not deliver span {id}");
                };
                built.push(builder.finish(data));
            }
        }
    });
    built
}

/// A span to build; from [`span`].
#[derive(Debug)]
#[must_use]
pub struct SpanBuilder<'a> {
    name: &'a str,
    site: &'static SpanSite,
    parent: Option<SpanContext>,
    ids: Option<(TraceId, SpanId)>,
    times: Option<(SystemTime, SystemTime)>,
    attributes: Vec<Field<'a>>,
    events: Vec<(&'a str, SystemTime, Vec<Field<'a>>)>,
    links: Vec<(SpanContext, Vec<Field<'a>>)>,
    status: Status,
}

impl<'a> SpanBuilder<'a> {
    /// The static call site: target, source location, kind, function (the
    /// span keeps the name given to [`span`]). Default: target `"app"`,
    /// kind [`SpanKind::Internal`](omniscope::SpanKind::Internal), no file.
    pub fn with_site(mut self, site: &'static SpanSite) -> SpanBuilder<'a> {
        self.site = site;
        self
    }

    /// The parent: its trace id, span id, remoteness and `tracestate` go
    /// into the span as the tracer puts them. Default: none (a root).
    pub fn with_parent(mut self, parent: SpanContext) -> SpanBuilder<'a> {
        self.parent = Some(parent);
        self
    }

    /// The span's own ids (the trace id should be the parent's, as the
    /// tracer would make it). Default: the tracer's random ids (the
    /// parent's trace id, if there is a parent).
    pub fn with_ids(mut self, trace_id: TraceId, span_id: SpanId) -> SpanBuilder<'a> {
        self.ids = Some((trace_id, span_id));
        self
    }

    /// When it started and ended (an end before the start becomes the
    /// start, as the tracer records it). Default: when it is built.
    pub fn with_times(mut self, start: SystemTime, end: SystemTime) -> SpanBuilder<'a> {
        self.times = Some((start, end));
        self
    }

    /// Adds an attribute, given at start. Default: none.
    pub fn with_attribute(mut self, key: &'a str, value: Value<'a>) -> SpanBuilder<'a> {
        self.attributes.push(Field::new(key, value));
        self
    }

    /// Adds attributes, given at start. Default: none.
    pub fn with_attributes(mut self, fields: &[Field<'a>]) -> SpanBuilder<'a> {
        self.attributes.extend_from_slice(fields);
        self
    }

    /// Adds an event named `name` at `time` with `fields`. Default: none.
    pub fn with_event(
        mut self,
        name: &'a str,
        time: SystemTime,
        fields: &[Field<'a>],
    ) -> SpanBuilder<'a> {
        self.events.push((name, time, fields.to_vec()));
        self
    }

    /// Adds a link to `context` with `fields`. Default: none.
    pub fn with_link(mut self, context: SpanContext, fields: &[Field<'a>]) -> SpanBuilder<'a> {
        self.links.push((context, fields.to_vec()));
        self
    }

    /// The status. Default: [`Status::Unset`].
    pub fn with_status(mut self, status: Status) -> SpanBuilder<'a> {
        self.status = status;
        self
    }

    /// The span, as the tracer exports it.
    ///
    /// # Panics
    ///
    /// When the tracer does not deliver it within 10 seconds, or a value's
    /// `Display` or `Debug` implementation panics.
    pub fn build(self) -> SpanData {
        let mut built = spans([self]);
        match built.pop() {
            Some(span) => span,
            None => panic!("omniscope_sdk::testing: no span was built"),
        }
    }

    /// Starts, fills and ends the span on `tracer`; its generated id.
    fn record(&self, tracer: &SdkTracer) -> SpanId {
        let start =
            SpanStart::new(self.site, self.parent.as_ref(), &self.attributes).with_name(self.name);
        let started = tracer.start(&start);
        let (Some(token), Some(context)) = (started.token(), started.context()) else {
            panic!("omniscope_sdk::testing: the always-on tracer did not record a span");
        };
        for (name, _, fields) in &self.events {
            tracer.add_event(token, name, fields);
        }
        for (link, fields) in &self.links {
            tracer.add_link(token, link, fields);
        }
        tracer.set_status(token, &self.status);
        tracer.end(token);
        context.span_id()
    }

    /// `data` with the ids and times asked for.
    fn finish(&self, mut data: SpanData) -> SpanData {
        if let Some((trace_id, span_id)) = self.ids {
            let old = &data.context;
            let context = SpanContext::new(trace_id, span_id, old.flags());
            data.context = if old.trace_state().is_empty() {
                context
            } else {
                context.with_trace_state(old.trace_state().clone())
            };
        }
        if let Some((start, end)) = self.times {
            data.start_time = start;
            data.end_time = end.max(start);
        }
        // The limits keep the first events: they line up with ours.
        for (event, (_, time, _)) in data.events.iter_mut().zip(&self.events) {
            event.time = *time;
        }
        data
    }
}

/// A log record to build: `message` at `level`, target `"app"`, no
/// fields, outside any span, emitted when it is built, until the `with_*`
/// setters say otherwise.
pub fn log(level: Level, message: &str) -> LogBuilder<'_> {
    LogBuilder {
        level,
        message,
        target: DEFAULT_TARGET,
        fields: Vec::new(),
        ids: None,
        time: None,
        location: None,
    }
}

/// A log record to build; from [`log`].
#[derive(Debug)]
#[must_use]
pub struct LogBuilder<'a> {
    level: Level,
    message: &'a str,
    target: &'a str,
    fields: Vec<Field<'a>>,
    ids: Option<(TraceId, SpanId)>,
    time: Option<SystemTime>,
    location: Option<SourceLocation<'a>>,
}

impl<'a> LogBuilder<'a> {
    /// The target. Default: `"app"`.
    pub fn with_target(mut self, target: &'a str) -> LogBuilder<'a> {
        self.target = target;
        self
    }

    /// Adds a field. Default: none.
    pub fn with_field(mut self, key: &'a str, value: Value<'a>) -> LogBuilder<'a> {
        self.fields.push(Field::new(key, value));
        self
    }

    /// Adds fields. Default: none.
    pub fn with_fields(mut self, fields: &[Field<'a>]) -> LogBuilder<'a> {
        self.fields.extend_from_slice(fields);
        self
    }

    /// The ids of the span it was emitted in. Default: none (the span
    /// current where it is built does not count).
    pub fn with_ids(mut self, trace_id: TraceId, span_id: SpanId) -> LogBuilder<'a> {
        self.ids = Some((trace_id, span_id));
        self
    }

    /// When it was emitted (and received, as for a live record). Default:
    /// when it is built.
    pub fn with_time(mut self, time: SystemTime) -> LogBuilder<'a> {
        self.time = Some(time);
        self
    }

    /// The source location: module path, file, line. Default: none.
    pub fn with_location(
        mut self,
        module_path: &'a str,
        file: &'a str,
        line: u32,
    ) -> LogBuilder<'a> {
        self.location = Some(SourceLocation::new(module_path, file, line));
        self
    }

    /// The record, as the logger (filter `trace`, no rate limit) exports it.
    ///
    /// # Panics
    ///
    /// When the logger does not deliver it within 10 seconds, or a value's
    /// `Display` or `Debug` implementation panics.
    pub fn build(self) -> LogData {
        let mut metadata = Metadata::new(self.level, self.target);
        if let Some(location) = &self.location {
            metadata = metadata.with_location(location);
        }
        let message = self.message;
        let mut record = with_recorder(&LOGGER, start_logger, |logger, received| {
            logger.log(
                &Record::new(metadata, format_args!("{message}"), &self.fields).with_ids(self.ids),
            );
            delivered(logger.flush(deadline()), "log record");
            received.take().pop()
        })
        .unwrap_or_else(|| panic!("omniscope_sdk::testing: the logger did not deliver the record"));
        if let Some(time) = self.time {
            record.timestamp = time;
            record.observed_timestamp = time;
        }
        record
    }
}

/// A handled error to build: `error` and its `source()` chain, reported
/// where `error` is called, on this thread, outside any span, when it is
/// built, until the `with_*` setters say otherwise.
#[track_caller]
pub fn error<'a>(error: &'a (dyn Error + 'static)) -> ErrorBuilder<'a> {
    ErrorBuilder {
        error,
        kind: ErrorKind::Handled,
        fields: Vec::new(),
        ids: None,
        time: None,
        thread: None,
        location: Location::caller(),
    }
}

/// An error event to build; from [`error`].
#[derive(Debug)]
#[must_use]
pub struct ErrorBuilder<'a> {
    error: &'a (dyn Error + 'static),
    kind: ErrorKind,
    fields: Vec<Field<'a>>,
    ids: Option<(TraceId, SpanId)>,
    time: Option<SystemTime>,
    thread: Option<&'a str>,
    location: &'static Location<'static>,
}

impl<'a> ErrorBuilder<'a> {
    /// Handled or panic. Default: [`ErrorKind::Handled`].
    pub fn with_kind(mut self, kind: ErrorKind) -> ErrorBuilder<'a> {
        self.kind = kind;
        self
    }

    /// Adds a field. Default: none.
    pub fn with_field(mut self, key: &'a str, value: Value<'a>) -> ErrorBuilder<'a> {
        self.fields.push(Field::new(key, value));
        self
    }

    /// Adds fields. Default: none.
    pub fn with_fields(mut self, fields: &[Field<'a>]) -> ErrorBuilder<'a> {
        self.fields.extend_from_slice(fields);
        self
    }

    /// The ids of the span it happened in. Default: none.
    pub fn with_ids(mut self, trace_id: TraceId, span_id: SpanId) -> ErrorBuilder<'a> {
        self.ids = Some((trace_id, span_id));
        self
    }

    /// When it happened. Default: when it is built.
    pub fn with_time(mut self, time: SystemTime) -> ErrorBuilder<'a> {
        self.time = Some(time);
        self
    }

    /// The thread's name. Default: the name of the thread that builds it.
    pub fn with_thread(mut self, name: &'a str) -> ErrorBuilder<'a> {
        self.thread = Some(name);
        self
    }

    /// The event, as the error handler hands it to reporters.
    ///
    /// # Panics
    ///
    /// When the handler does not deliver it within 10 seconds, or the
    /// error's `Display` or `Debug` implementation panics.
    pub fn build(self) -> ErrorEvent {
        let mut context = ErrorContext::new(&self.fields)
            .with_kind(self.kind)
            .with_ids(self.ids)
            .with_location(self.location);
        if let Some(time) = self.time {
            context = context.with_timestamp(time);
        }
        if let Some(thread) = self.thread {
            context = context.with_thread(thread);
        }
        with_recorder(&ERRORS, start_errors, |errors, received| {
            // The handler counts `errors` in the meter in context:
            // a throwaway one, not the test's.
            omniscope::testing::capture(|| errors.handle(self.error, &context));
            delivered(errors.flush(deadline()), "error event");
            received.take().pop()
        })
        .unwrap_or_else(|| {
            panic!("omniscope_sdk::testing: the error handler did not deliver the event")
        })
    }
}

/// A private SDK part and what its in-memory exporter received.
type Recorder<S, T> = Mutex<Option<(S, InMemoryHandle<T>)>>;

static TRACER: Recorder<SdkTracer, SpanData> = Mutex::new(None);
static LOGGER: Recorder<SdkLogger, LogData> = Mutex::new(None);
static ERRORS: Recorder<SdkErrors, ErrorEvent> = Mutex::new(None);

fn start_tracer(exporter: InMemoryExporter<SpanData>) -> Result<SdkTracer, BuildError> {
    SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(exporter))
        .build()
}

fn start_logger(exporter: InMemoryExporter<LogData>) -> Result<SdkLogger, BuildError> {
    SdkLogger::builder()
        .with_filter("trace")
        .without_rate_limit()
        .with_exporter(Box::new(exporter))
        .build()
}

fn start_errors(reporter: InMemoryExporter<ErrorEvent>) -> Result<SdkErrors, BuildError> {
    SdkErrors::builder()
        .with_reporter(Box::new(reporter))
        .build()
}

/// Runs `f` with the recorder in `slot` (started on first use), alone:
/// what its exporter holds afterwards is what `f` recorded.
fn with_recorder<S, T: Clone, R>(
    slot: &Recorder<S, T>,
    start: fn(InMemoryExporter<T>) -> Result<S, BuildError>,
    f: impl FnOnce(&S, &InMemoryHandle<T>) -> R,
) -> R {
    // A panic in an earlier call (a panicking `Display`) left nothing
    // inconsistent: its leftovers are cleared below.
    let mut guard = lock(slot);
    let (sdk, received) = guard.get_or_insert_with(|| {
        let (exporter, received) = InMemoryExporter::new();
        match start(exporter) {
            Ok(sdk) => (sdk, received),
            Err(e) => panic!("omniscope_sdk::testing: cannot start the recorder: {e}"),
        }
    });
    received.take();
    f(sdk, received)
}

fn delivered(flushed: Result<(), ExportError>, what: &str) {
    if let Err(e) = flushed {
        panic!("omniscope_sdk::testing: the {what} was not delivered: {e}");
    }
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(10)
}
