//! Traces: span identity, the [`Tracer`] trait, and [`Span`] handles.
//!
//! A span starts at a static [`SpanSite`] (what [`span!`](crate::span) and
//! `#[instrument]` declare), as a child of the current span. The tracer
//! decides whether it is recorded (sampling) and returns its
//! [`SpanContext`]; the facade keeps that context so the span can become the
//! current one, be propagated, and be stamped on logs and errors.

mod exception;
mod future;
mod ids;
mod span;
mod state;

use std::borrow::Cow;
use std::error::Error;
use std::time::Duration;

pub use exception::Exception;
pub use future::{FutureExt, Instrumented};
pub(crate) use ids::hex_byte;
pub use ids::{ParseIdError, SpanContext, SpanId, TraceFlags, TraceId};
pub(crate) use span::{enter_span, start_span, start_span_into};
pub use span::{CurrentSpan, Span, SpanGuard};
pub use state::*;

use crate::level::Level;
use crate::value::{string_or_placeholder, Field};

/// The role of a span in a request, as in OpenTelemetry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SpanKind {
    /// Work inside the process (the default).
    #[default]
    Internal,
    /// Handling a request from a remote client.
    Server,
    /// A request to a remote service.
    Client,
    /// Sending a message to a broker.
    Producer,
    /// Processing a message from a broker.
    Consumer,
}

impl SpanKind {
    /// The lower-case name, as OpenTelemetry's JSON and the dashboards
    /// write it (`internal`, `server`, `client`, `producer`, `consumer`).
    ///
    /// ```
    /// assert_eq!(omniscope::SpanKind::Server.as_str(), "server");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            SpanKind::Internal => "internal",
            SpanKind::Server => "server",
            SpanKind::Client => "client",
            SpanKind::Producer => "producer",
            SpanKind::Consumer => "consumer",
        }
    }
}

/// The outcome of a span.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub enum Status {
    /// Not set (the default; means success unless an error is recorded).
    #[default]
    Unset,
    /// Explicitly successful.
    Ok,
    /// Failed, with a description.
    Error(Cow<'static, str>),
}

impl Status {
    /// An error status with `description`.
    pub fn error(description: impl Into<Cow<'static, str>>) -> Status {
        Status::Error(description.into())
    }
}

/// A static description of where spans start: name, target, location,
/// level, kind, and whether it is an instrumented function.
#[derive(Debug)]
pub struct SpanSite {
    name: &'static str,
    target: &'static str,
    file: &'static str,
    line: u32,
    level: Level,
    kind: SpanKind,
    function: Option<&'static str>,
}

impl SpanSite {
    /// A site of an [`Level::Info`], [`SpanKind::Internal`] span.
    pub const fn new(
        name: &'static str,
        target: &'static str,
        file: &'static str,
        line: u32,
    ) -> SpanSite {
        SpanSite {
            name,
            target,
            file,
            line,
            level: Level::Info,
            kind: SpanKind::Internal,
            function: None,
        }
    }

    /// This site with another level.
    pub const fn with_level(mut self, level: Level) -> SpanSite {
        self.level = level;
        self
    }

    /// This site with another kind.
    pub const fn with_kind(mut self, kind: SpanKind) -> SpanSite {
        self.kind = kind;
        self
    }

    /// Marks the site as an instrumented function named `qualified_name`
    /// (`module::path::function`), for per-function statistics and call graphs.
    pub const fn with_function(mut self, qualified_name: &'static str) -> SpanSite {
        self.function = Some(qualified_name);
        self
    }

    /// The span name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The target (the module path unless given).
    pub const fn target(&self) -> &'static str {
        self.target
    }

    /// The source file.
    pub const fn file(&self) -> &'static str {
        self.file
    }

    /// The source line.
    pub const fn line(&self) -> u32 {
        self.line
    }

    /// The level.
    pub const fn level(&self) -> Level {
        self.level
    }

    /// The kind.
    pub const fn kind(&self) -> SpanKind {
        self.kind
    }

    /// The qualified function name, if this site is an instrumented function.
    pub const fn function(&self) -> Option<&'static str> {
        self.function
    }
}

/// A caller's sampling decision that came without a span context: B3's
/// sampling state alone (`b3: 0`, `b3: 1`, `b3: d`). A span started under a
/// [`Context`](crate::Context) holding one, with no parent span, follows it
/// rather than the root sampler (see
/// [`Context::with_sampling_request`](crate::Context::with_sampling_request)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SamplingRequest {
    /// Record nothing of this trace, and tell the next hop so.
    Deny,
    /// Record this trace, as a sampled parent would ask.
    Accept,
    /// Record this trace whatever the samplers decide, its spans marked
    /// debug (see [`SpanContext::with_debug`]).
    Debug,
}

/// Everything a tracer needs to start a span.
#[derive(Debug, Clone, Copy)]
pub struct SpanStart<'a> {
    site: &'static SpanSite,
    name: &'a str,
    parent: Option<&'a SpanContext>,
    parent_site: Option<&'static SpanSite>,
    sampling_request: Option<SamplingRequest>,
    fields: &'a [Field<'a>],
}

impl<'a> SpanStart<'a> {
    /// A start request for `site` under `parent`, with attributes `fields`.
    pub const fn new(
        site: &'static SpanSite,
        parent: Option<&'a SpanContext>,
        fields: &'a [Field<'a>],
    ) -> SpanStart<'a> {
        SpanStart {
            site,
            name: site.name,
            parent,
            parent_site: None,
            sampling_request: None,
            fields,
        }
    }

    /// This request with a name other than the site's (e.g. `GET /orders/{id}`).
    #[must_use]
    pub const fn with_name(mut self, name: &'a str) -> SpanStart<'a> {
        self.name = name;
        self
    }

    /// This request with the parent's site, when the parent is a local span.
    #[must_use]
    pub const fn with_parent_site(mut self, site: Option<&'static SpanSite>) -> SpanStart<'a> {
        self.parent_site = site;
        self
    }

    /// This request with the caller's sampling decision, for a span with
    /// no parent (see [`SamplingRequest`]).
    #[must_use]
    pub const fn with_sampling_request(
        mut self,
        request: Option<SamplingRequest>,
    ) -> SpanStart<'a> {
        self.sampling_request = request;
        self
    }

    /// The static site.
    pub const fn site(&self) -> &'static SpanSite {
        self.site
    }

    /// The span name.
    pub const fn name(&self) -> &'a str {
        self.name
    }

    /// The parent span's context: local or remote, `None` for a new trace.
    pub const fn parent(&self) -> Option<&'a SpanContext> {
        self.parent
    }

    /// The parent's site, when the parent is a local span.
    pub const fn parent_site(&self) -> Option<&'static SpanSite> {
        self.parent_site
    }

    /// The attributes given at start.
    pub const fn fields(&self) -> &'a [Field<'a>] {
        self.fields
    }

    /// The caller's sampling decision, given when there is no parent span.
    pub const fn sampling_request(&self) -> Option<SamplingRequest> {
        self.sampling_request
    }
}

/// A tracer's handle on a recording span; what it means is up to the tracer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SpanToken(pub u64);

/// What [`Tracer::start`] returns: the new span's context and, if it is
/// recorded, the token the tracer wants back in later calls — or nothing at
/// all ([`StartedSpan::unsampled`]).
#[derive(Clone, Debug)]
pub struct StartedSpan {
    inner: Option<(SpanContext, Option<SpanToken>)>,
}

impl StartedSpan {
    /// A recorded span.
    pub const fn recording(context: SpanContext, token: SpanToken) -> StartedSpan {
        StartedSpan {
            inner: Some((context, Some(token))),
        }
    }

    /// A span that is not recorded (sampled out) but has a context of its
    /// own, so its children and downstream services see the trace and its
    /// decision (a root dropped by ratio sampling, say).
    pub const fn non_recording(context: SpanContext) -> StartedSpan {
        StartedSpan {
            inner: Some((context, None)),
        }
    }

    /// No span at all: nothing is recorded and the parent's context stays
    /// in force, so children and downstream services see the parent, its
    /// trace id, flags and `tracestate` (the right outcome under an unsampled
    /// parent, or when tracing is off). For a span started under an explicit
    /// parent ([`Span::start_in`]), the span keeps that parent's context, so
    /// entering it or running a future in it makes the parent current. This
    /// is the cheapest outcome: the facade builds no context of its own.
    pub const fn unsampled() -> StartedSpan {
        StartedSpan { inner: None }
    }

    /// The new span's context, unless [`unsampled`](Self::unsampled).
    pub fn context(&self) -> Option<&SpanContext> {
        self.inner.as_ref().map(|(cx, _)| cx)
    }

    /// The token of a recorded span.
    pub fn token(&self) -> Option<SpanToken> {
        self.inner.as_ref().and_then(|(_, token)| *token)
    }

    pub(crate) fn into_parts(self) -> Option<(SpanContext, Option<SpanToken>)> {
        self.inner
    }
}

/// What a tracer promises, once and for all, about spans it would not
/// record, so that the facade can skip asking it. Read once, when the
/// tracer is installed with [`set_tracer`](crate::set_tracer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SamplingHint {
    /// Ask for every span (the default, always correct).
    #[default]
    AskAlways,
    /// Every child of an unsampled parent gets [`StartedSpan::unsampled`]
    /// (OpenTelemetry's parent-based samplers): the facade does not ask
    /// for those, so they cost one check of the parent's flags.
    SkipsUnsampledChildren,
    /// Nothing is ever recorded (an always-off sampler): the facade asks for
    /// nothing, so a span costs what it costs with no tracer installed.
    Off,
}

/// A span recorder; what a tracing backend implements.
///
/// Only `start` and `end` are required. The facade calls the other methods
/// only for recording spans (those `start` returned a token for), and calls
/// `end` exactly once per token. Implementations must never panic or block.
pub trait Tracer: Send + Sync {
    /// Starts a span: decides sampling, assigns ids, records the start.
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan;

    /// Ends a recording span.
    fn end(&self, token: SpanToken);

    /// Whether [`end_timed`](Tracer::end_timed) tells how long a span was
    /// open. Instrumentation that measures the interval a span covers (an
    /// HTTP request's duration) asks when the span starts
    /// ([`Span::is_timed`]) and reads a clock of its own only when the
    /// answer is no.
    fn times_spans(&self) -> bool {
        false
    }

    /// Ends a recording span, like [`end`](Tracer::end), and tells how long
    /// it was open by the tracer's own clock: `None` unless
    /// [`times_spans`](Tracer::times_spans), or for a span the tracer no
    /// longer holds.
    fn end_timed(&self, token: SpanToken) -> Option<Duration> {
        self.end(token);
        None
    }

    /// Sets an attribute.
    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        let _ = (token, field);
    }

    /// Adds a timestamped event.
    fn add_event(&self, token: SpanToken, name: &str, fields: &[Field<'_>]) {
        let _ = (token, name, fields);
    }

    /// Adds a link to another span.
    fn add_link(&self, token: SpanToken, link: &SpanContext, fields: &[Field<'_>]) {
        let _ = (token, link, fields);
    }

    /// Sets the status.
    fn set_status(&self, token: SpanToken, status: &Status) {
        let _ = (token, status);
    }

    /// Renames the span.
    fn update_name(&self, token: SpanToken, name: &str) {
        let _ = (token, name);
    }

    /// Records an error whose type is not known:
    /// [`record_exception`](Tracer::record_exception) of
    /// [`Exception::new(error)`](Exception::new). Implementations override
    /// `record_exception`, which every recorded error reaches.
    fn record_error(&self, token: SpanToken, error: &(dyn Error + 'static)) {
        self.record_exception(token, &Exception::new(error));
    }

    /// Records an error: by default an `exception` event with OpenTelemetry's
    /// attributes (`exception.type` when known, `exception.message`,
    /// `exception.stacktrace` when a backtrace was captured; see
    /// [`Exception`]) and an error status with the message.
    fn record_exception(&self, token: SpanToken, exception: &Exception<'_>) {
        let message = string_or_placeholder(|| exception.error().to_string());
        let stacktrace = exception
            .backtrace()
            .map(|b| string_or_placeholder(|| b.to_string()));
        exception.with_event_fields(&message, stacktrace.as_deref(), |fields| {
            self.add_event(token, Exception::EVENT_NAME, fields);
        });
        self.set_status(token, &Status::Error(Cow::Owned(message)));
    }

    /// What the facade may skip asking (see [`SamplingHint`]); read once, at
    /// install. Spans skipped this way never reach the tracer, so it cannot
    /// count them.
    fn sampling_hint(&self) -> SamplingHint {
        SamplingHint::AskAlways
    }

    /// Records that the thread panicked while the span was open: by default
    /// a `panic` event and an error status `panicked`.
    fn record_panic(&self, token: SpanToken) {
        self.add_event(token, "panic", &[]);
        self.set_status(token, &Status::Error(Cow::Borrowed("panicked")));
    }
}

/// The tracer used while none is installed: spans are not recorded and get
/// no ids.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopTracer;

impl Tracer for NoopTracer {
    fn start(&self, _: &SpanStart<'_>) -> StartedSpan {
        StartedSpan::unsampled()
    }

    fn sampling_hint(&self) -> SamplingHint {
        SamplingHint::Off
    }

    fn end(&self, _: SpanToken) {}
}

macro_rules! forward_tracer {
    ($($ty:ty),*) => {$(
        impl<T: Tracer + ?Sized> Tracer for $ty {
            fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
                (**self).start(start)
            }
            fn end(&self, token: SpanToken) {
                (**self).end(token)
            }
            fn times_spans(&self) -> bool {
                (**self).times_spans()
            }
            fn end_timed(&self, token: SpanToken) -> Option<Duration> {
                (**self).end_timed(token)
            }
            fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
                (**self).set_attribute(token, field)
            }
            fn add_event(&self, token: SpanToken, name: &str, fields: &[Field<'_>]) {
                (**self).add_event(token, name, fields)
            }
            fn add_link(&self, token: SpanToken, link: &SpanContext, fields: &[Field<'_>]) {
                (**self).add_link(token, link, fields)
            }
            fn set_status(&self, token: SpanToken, status: &Status) {
                (**self).set_status(token, status)
            }
            fn update_name(&self, token: SpanToken, name: &str) {
                (**self).update_name(token, name)
            }
            fn record_error(&self, token: SpanToken, error: &(dyn Error + 'static)) {
                (**self).record_error(token, error)
            }
            fn record_exception(&self, token: SpanToken, exception: &Exception<'_>) {
                (**self).record_exception(token, exception)
            }
            fn record_panic(&self, token: SpanToken) {
                (**self).record_panic(token)
            }
            fn sampling_hint(&self) -> SamplingHint {
                (**self).sampling_hint()
            }
        }
    )*};
}

forward_tracer!(&T, Box<T>, std::sync::Arc<T>);
