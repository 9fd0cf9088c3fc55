//! An in-memory recorder of all four signals, for unit tests — yours and ours.
//!
//! [`capture`] runs a closure with a [`Recorder`] in its context. Everything
//! the closure emits — on its thread, and in work that carries its context
//! ([`FutureExt::in_current_span`](crate::FutureExt::in_current_span),
//! `#[instrument]`ed async functions, [`context::spawn`](crate::context::spawn))
//! — is recorded there, and nothing global is installed, so parallel tests
//! do not see each other's data. It also works with a multi-threaded tokio
//! runtime inside the closure, as long as spawned tasks carry the context.
//!
//! ```
//! use omniscope::testing;
//!
//! let captured = testing::capture(|| {
//!     let _s = omniscope::span!("checkout");
//!     omniscope::warn!("card declined"; attempt = 2);
//!     omniscope::histogram!("latency_seconds").record(0.25);
//! });
//! assert_eq!(captured.histogram("latency_seconds", &[]), Some(vec![0.25]));
//! # // The `max_level_*` features (all on under `--all-features`) compile logs and spans out.
//! # if omniscope::Level::Warn > omniscope::STATIC_MAX_LEVEL { return; }
//! captured.assert_logged(omniscope::Level::Warn, "card declined");
//! ```

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::error::Error;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::context::Context;
use crate::error::error_chain;
use crate::error::{ErrorContext, ErrorHandler, ErrorKind};
use crate::global::{Scope, ScopeActive};
use crate::level::Level;
use crate::log::{Logger, Record};
use crate::metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, Meter, MetricMeta,
    UpDownCounter, UpDownCounterFn,
};
use crate::sync::lock;
use crate::trace::{
    SpanContext, SpanId, SpanKind, SpanStart, SpanToken, StartedSpan, Status, TraceFlags, TraceId,
    Tracer,
};
use crate::value::{Field, OwnedValue};

/// Runs `f` with a fresh [`Recorder`] and returns what it recorded.
pub fn capture<F: FnOnce()>(f: F) -> Captured {
    let recorder = Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        f();
    }
    recorder.captured()
}

/// A log record as captured.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedLog {
    /// Its level.
    pub level: Level,
    /// Its target.
    pub target: String,
    /// The formatted message.
    pub message: String,
    /// Its fields.
    pub fields: Vec<(String, OwnedValue)>,
    /// The trace id of the span it was emitted in.
    pub trace_id: Option<TraceId>,
    /// The span id of the span it was emitted in.
    pub span_id: Option<SpanId>,
}

/// A span as captured.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedSpan {
    /// Its name.
    pub name: String,
    /// Its target.
    pub target: String,
    /// Its kind.
    pub kind: SpanKind,
    /// The qualified function name, for `#[instrument]` spans.
    pub function: Option<String>,
    /// Its trace id.
    pub trace_id: TraceId,
    /// Its span id.
    pub span_id: SpanId,
    /// Its parent's span id (local or remote).
    pub parent_span_id: Option<SpanId>,
    /// Its attributes, in the order set.
    pub attributes: Vec<(String, OwnedValue)>,
    /// Its events: name and fields.
    pub events: Vec<(String, Vec<(String, OwnedValue)>)>,
    /// Its links.
    pub links: Vec<SpanContext>,
    /// Its status.
    pub status: Status,
    /// Whether it has ended.
    pub ended: bool,
}

impl CapturedSpan {
    /// The value of attribute `key`, if set.
    pub fn attribute(&self, key: &str) -> Option<&OwnedValue> {
        self.attributes
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether an event with this name was added.
    pub fn has_event(&self, name: &str) -> bool {
        self.events.iter().any(|(n, _)| n == name)
    }
}

/// A handled error or panic as captured.
#[derive(Clone, Debug, PartialEq)]
pub struct CapturedError {
    /// Handled or panic.
    pub kind: ErrorKind,
    /// Whether it was reported as expected ([`ErrorContext::is_user_error`]).
    pub user_error: bool,
    /// The error's message, then its sources' messages.
    pub chain: Vec<String>,
    /// Its fields.
    pub fields: Vec<(String, OwnedValue)>,
    /// The trace id of the span it happened in.
    pub trace_id: Option<TraceId>,
    /// The span id of the span it happened in.
    pub span_id: Option<SpanId>,
    /// `file:line` where it was reported.
    pub location: Option<String>,
}

/// The current value of a captured metric series.
#[derive(Clone, Debug, PartialEq)]
pub enum MetricValue {
    /// A counter's total.
    Counter(u64),
    /// An up-down counter's sum.
    UpDownCounter(i64),
    /// A gauge's last value.
    Gauge(f64),
    /// Every sample a histogram recorded.
    Histogram(Vec<f64>),
}

#[derive(Default)]
struct State {
    logs: Vec<CapturedLog>,
    spans: Vec<CapturedSpan>,
    errors: Vec<CapturedError>,
    metrics: BTreeMap<Key<'static>, Arc<Mutex<MetricValue>>>,
}

/// Records all four signals in memory. Usually used through [`capture`];
/// use it directly to record in async tests or across threads:
/// `let _cx = recorder.context().attach();` (keep
/// [`Recorder::activate`]'s guard alive meanwhile).
#[derive(Clone)]
pub struct Recorder {
    state: Arc<Mutex<State>>,
    ids: Arc<IdSource>,
    scope: Arc<Scope>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

/// Keeps a recorder's scope active; see [`Recorder::activate`].
#[must_use = "the recorder stops receiving when the guard drops"]
pub struct Active(ScopeActive);

impl std::fmt::Debug for Active {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Active").finish_non_exhaustive()
    }
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        let state = Arc::new(Mutex::new(State::default()));
        let ids = Arc::new(IdSource::new());
        let sink = Sink {
            state: state.clone(),
            ids: ids.clone(),
        };
        let sink = Arc::new(sink);
        let scope = Arc::new(Scope::new(sink.clone(), sink.clone(), sink.clone(), sink));
        Recorder { state, ids, scope }
    }

    /// Tells the macros that a scoped recorder exists, until the guard drops.
    pub fn activate(&self) -> Active {
        Active(ScopeActive::start())
    }

    /// The caller's current context with this recorder in it; attach it (or
    /// pass it to futures and threads) to record there.
    pub fn context(&self) -> Context {
        Context::current().with_scope(self.scope.clone())
    }

    /// A snapshot of everything recorded so far.
    pub fn captured(&self) -> Captured {
        let state = lock(&self.state);
        let metrics = state
            .metrics
            .iter()
            .map(|(k, v)| (k.clone(), lock(v).clone()))
            .collect();
        let _ = &self.ids;
        Captured {
            logs: state.logs.clone(),
            spans: state.spans.clone(),
            errors: state.errors.clone(),
            metrics,
        }
    }
}

/// Random, valid ids from std's per-process random keys.
struct IdSource {
    seed: u64,
    counter: AtomicU64,
}

impl IdSource {
    fn new() -> IdSource {
        IdSource {
            seed: RandomState::new().build_hasher().finish(),
            counter: AtomicU64::new(1),
        }
    }

    fn next_u64(&self) -> u64 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(self.seed ^ self.counter.fetch_add(1, Ordering::Relaxed));
        h.finish() | 1
    }
}

struct Sink {
    state: Arc<Mutex<State>>,
    ids: Arc<IdSource>,
}

fn owned_fields(fields: &[Field<'_>]) -> Vec<(String, OwnedValue)> {
    fields.iter().map(Field::to_owned).collect()
}

impl Logger for Sink {
    fn log(&self, record: &Record<'_>) {
        let ids = record.ids();
        let log = CapturedLog {
            level: record.level(),
            target: record.target().to_owned(),
            message: record.format_message(),
            fields: owned_fields(record.fields()),
            trace_id: ids.map(|(t, _)| t),
            span_id: ids.map(|(_, s)| s),
        };
        lock(&self.state).logs.push(log);
    }
}

impl ErrorHandler for Sink {
    fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
        let captured = CapturedError {
            kind: context.kind(),
            user_error: context.is_user_error(),
            chain: error_chain(error),
            fields: owned_fields(context.fields()),
            trace_id: context.trace_id(),
            span_id: context.span_id(),
            location: context
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line())),
        };
        lock(&self.state).errors.push(captured);
    }
}

impl Tracer for Sink {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let parent = start.parent().filter(|p| p.is_valid());
        let trace_id = parent.map_or_else(
            || {
                TraceId::from_u128(
                    u128::from(self.ids.next_u64()) << 64 | u128::from(self.ids.next_u64()),
                )
            },
            SpanContext::trace_id,
        );
        let span_id = SpanId::from_u64(self.ids.next_u64());
        let site = start.site();
        let span = CapturedSpan {
            name: start.name().to_owned(),
            target: site.target().to_owned(),
            kind: site.kind(),
            function: site.function().map(str::to_owned),
            trace_id,
            span_id,
            parent_span_id: parent.map(SpanContext::span_id),
            attributes: owned_fields(start.fields()),
            events: Vec::new(),
            links: Vec::new(),
            status: Status::Unset,
            ended: false,
        };
        let mut state = lock(&self.state);
        let token = SpanToken(state.spans.len() as u64);
        state.spans.push(span);
        // Ids made here are random (W3C Trace Context Level 2's `random`
        // flag); a child keeps what its parent said of the trace id.
        let random = parent.is_none_or(|p| p.flags().is_random());
        let flags = TraceFlags::SAMPLED.with_random(random);
        let context = SpanContext::new(trace_id, span_id, flags)
            .with_trace_state(parent.map(|p| p.trace_state().clone()).unwrap_or_default());
        StartedSpan::recording(context, token)
    }

    fn end(&self, token: SpanToken) {
        self.with_span(token, |s| s.ended = true);
    }

    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        self.with_span(token, |s| s.attributes.push(field.to_owned()));
    }

    fn add_event(&self, token: SpanToken, name: &str, fields: &[Field<'_>]) {
        self.with_span(token, |s| {
            s.events.push((name.to_owned(), owned_fields(fields)))
        });
    }

    fn add_link(&self, token: SpanToken, link: &SpanContext, _: &[Field<'_>]) {
        self.with_span(token, |s| s.links.push(link.clone()));
    }

    fn set_status(&self, token: SpanToken, status: &Status) {
        self.with_span(token, |s| s.status = status.clone());
    }

    fn update_name(&self, token: SpanToken, name: &str) {
        self.with_span(token, |s| s.name = name.to_owned());
    }
}

impl Sink {
    fn with_span(&self, token: SpanToken, f: impl FnOnce(&mut CapturedSpan)) {
        let mut state = lock(&self.state);
        if let Some(span) = usize::try_from(token.0)
            .ok()
            .and_then(|i| state.spans.get_mut(i))
        {
            f(span);
        }
    }

    fn series(&self, key: &Key<'_>, initial: MetricValue) -> Arc<Mutex<MetricValue>> {
        let mut state = lock(&self.state);
        state
            .metrics
            .entry(key.clone().into_owned())
            .or_insert_with(|| Arc::new(Mutex::new(initial)))
            .clone()
    }
}

/// One captured series; the handles of all four kinds.
struct Series(Arc<Mutex<MetricValue>>);

impl CounterFn for Series {
    fn increment(&self, value: u64) {
        if let MetricValue::Counter(total) = &mut *lock(&self.0) {
            *total = total.saturating_add(value);
        }
    }
}

impl UpDownCounterFn for Series {
    fn add(&self, value: i64) {
        if let MetricValue::UpDownCounter(sum) = &mut *lock(&self.0) {
            *sum = sum.saturating_add(value);
        }
    }
}

impl GaugeFn for Series {
    fn set(&self, value: f64) {
        if let MetricValue::Gauge(v) = &mut *lock(&self.0) {
            *v = value;
        }
    }

    fn add(&self, value: f64) {
        if let MetricValue::Gauge(v) = &mut *lock(&self.0) {
            *v += value;
        }
    }
}

impl HistogramFn for Series {
    fn record(&self, value: f64) {
        if let MetricValue::Histogram(samples) = &mut *lock(&self.0) {
            samples.push(value);
        }
    }
}

impl Meter for Sink {
    fn counter(&self, key: &Key<'_>, _: &MetricMeta) -> Counter {
        Counter::from_arc(Arc::new(Series(self.series(key, MetricValue::Counter(0)))))
    }

    fn up_down_counter(&self, key: &Key<'_>, _: &MetricMeta) -> UpDownCounter {
        UpDownCounter::from_arc(Arc::new(Series(
            self.series(key, MetricValue::UpDownCounter(0)),
        )))
    }

    fn gauge(&self, key: &Key<'_>, _: &MetricMeta) -> Gauge {
        Gauge::from_arc(Arc::new(Series(self.series(key, MetricValue::Gauge(0.0)))))
    }

    fn histogram(&self, key: &Key<'_>, _: &MetricMeta) -> Histogram {
        Histogram::from_arc(Arc::new(Series(
            self.series(key, MetricValue::Histogram(Vec::new())),
        )))
    }
}

/// Everything a [`capture`] recorded.
#[derive(Clone, Debug, Default)]
pub struct Captured {
    logs: Vec<CapturedLog>,
    spans: Vec<CapturedSpan>,
    errors: Vec<CapturedError>,
    metrics: BTreeMap<Key<'static>, MetricValue>,
}

impl Captured {
    /// The log records, in order.
    pub fn logs(&self) -> &[CapturedLog] {
        &self.logs
    }

    /// The spans, in start order.
    pub fn spans(&self) -> &[CapturedSpan] {
        &self.spans
    }

    /// The first span named `name`.
    pub fn span(&self, name: &str) -> Option<&CapturedSpan> {
        self.spans.iter().find(|s| s.name == name)
    }

    /// The spans whose parent is `parent`.
    pub fn children_of(&self, parent: &CapturedSpan) -> Vec<&CapturedSpan> {
        self.spans
            .iter()
            .filter(|s| s.parent_span_id == Some(parent.span_id))
            .collect()
    }

    /// The handled errors and panics, in order.
    pub fn errors(&self) -> &[CapturedError] {
        &self.errors
    }

    /// Every metric series and its value.
    pub fn metrics(&self) -> &BTreeMap<Key<'static>, MetricValue> {
        &self.metrics
    }

    /// The value of series `name` with exactly these labels (in any order).
    pub fn metric(&self, name: &str, labels: &[(&str, &str)]) -> Option<&MetricValue> {
        self.metrics
            .iter()
            .find(|(k, _)| same_series(k, name, labels))
            .map(|(_, v)| v)
    }

    /// A counter's total.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> Option<u64> {
        match self.metric(name, labels)? {
            MetricValue::Counter(v) => Some(*v),
            _ => None,
        }
    }

    /// An up-down counter's sum.
    pub fn up_down_counter(&self, name: &str, labels: &[(&str, &str)]) -> Option<i64> {
        match self.metric(name, labels)? {
            MetricValue::UpDownCounter(v) => Some(*v),
            _ => None,
        }
    }

    /// A gauge's last value.
    pub fn gauge(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        match self.metric(name, labels)? {
            MetricValue::Gauge(v) => Some(*v),
            _ => None,
        }
    }

    /// A histogram's samples.
    pub fn histogram(&self, name: &str, labels: &[(&str, &str)]) -> Option<Vec<f64>> {
        match self.metric(name, labels)? {
            MetricValue::Histogram(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// Whether anything at all was recorded.
    pub fn is_empty(&self) -> bool {
        self.logs.is_empty()
            && self.spans.is_empty()
            && self.errors.is_empty()
            && self.metrics.is_empty()
    }

    /// Panics unless a record at `level` whose message contains `text` was logged.
    ///
    /// # Panics
    /// When no such record exists; the message lists what was logged.
    #[track_caller]
    pub fn assert_logged(&self, level: Level, text: &str) {
        let found = self
            .logs
            .iter()
            .any(|l| l.level == level && l.message.contains(text));
        let logged: Vec<String> = self
            .logs
            .iter()
            .map(|l| format!("{} {}", l.level, l.message))
            .collect();
        assert!(
            found,
            "no {level} record containing {text:?}; logged: {logged:#?}"
        );
    }
}

fn same_series(key: &Key<'_>, name: &str, labels: &[(&str, &str)]) -> bool {
    key.name() == name
        && key.labels().len() == labels.len()
        && labels.iter().all(|(k, v)| key.label(k) == Some(*v))
}
