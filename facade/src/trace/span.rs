//! [`Span`] (a started span, `Send`) and [`SpanGuard`] (a span made current
//! on this thread, `!Send`).
//!
//! Entering a span pushes its context onto the thread's context stack (see
//! [`context`](crate::context)) and the guard keeps only where it sits, so
//! `span!` moves each context once: into the stack, where logs and child
//! spans read it, and out again when the guard drops.

use std::error::Error;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use super::{Exception, SpanContext, SpanSite, SpanStart, SpanToken, Status, Tracer};
use crate::context::{
    leave, pop, push, push_span_child, with_current, with_entered, Context, Slot,
};
use crate::global::{self, Scope, Signal};
use crate::value::{Field, ToValue};

/// Which tracer a span belongs to.
#[derive(Clone)]
enum TracerRef {
    Global(&'static dyn Tracer),
    Scoped(Arc<Scope>),
}

impl TracerRef {
    fn get(&self) -> &dyn Tracer {
        match self {
            TracerRef::Global(t) => *t,
            TracerRef::Scoped(s) => s.tracer(),
        }
    }
}

/// A recording span's tracer and token: what every recording call needs.
struct Recording {
    tracer: TracerRef,
    token: SpanToken,
}

impl Recording {
    /// Ends the span, recording a panic first if the thread is unwinding.
    fn end(self) {
        let tracer = self.tracer.get();
        if std::thread::panicking() {
            tracer.record_panic(self.token);
        }
        tracer.end(self.token);
    }

    /// [`end`](Self::end), telling how long the span was open if the
    /// tracer knows.
    fn end_timed(self) -> Option<Duration> {
        let tracer = self.tracer.get();
        if std::thread::panicking() {
            tracer.record_panic(self.token);
        }
        tracer.end_timed(self.token)
    }
}

/// Asks the tracer to start a span under `parent`: the tracer, the new
/// span's context and its token if recorded. `None` when no tracer (global
/// or scoped) is there, on a thread that is exporting, or when the tracer
/// started no span. Inline, so that the child context is built where the
/// caller keeps it.
#[inline]
fn ask(
    parent: &Context,
    site: &'static SpanSite,
    name: Option<&str>,
    fields: &[Field<'_>],
) -> Option<(TracerRef, SpanContext, Option<SpanToken>)> {
    let tracer = tracer_for(parent)?;
    let start = SpanStart::new(site, parent.span_context(), fields)
        .with_name(name.unwrap_or(site.name()))
        .with_parent_site(parent.span_site())
        .with_sampling_request(parent.sampling_request());
    let (context, token) = tracer.get().start(&start).into_parts()?;
    Some((tracer, context, token))
}

/// The recording token a child context keeps, and whether the scoped
/// tracer records it.
fn recorded_by(tracer: &TracerRef, token: Option<SpanToken>) -> Option<(SpanToken, bool)> {
    let scoped = matches!(tracer, TracerRef::Scoped(_));
    token.map(|token| (token, scoped))
}

fn tracer_for(parent: &Context) -> Option<TracerRef> {
    if global::is_dispatching() {
        global::dropped_while_dispatching(Signal::Tracer);
        return None;
    }
    let state = global::state();
    if state & global::SCOPED != 0 {
        if let Some(scope) = parent.scope() {
            return Some(TracerRef::Scoped(scope.clone()));
        }
    }
    if state & Signal::Tracer.bit() != 0 && !global_tracer_skips(parent) {
        return Some(TracerRef::Global(global::tracer()));
    }
    None
}

/// Whether the installed tracer said it would not record a child of
/// `parent` (its [`SamplingHint`](super::SamplingHint)).
#[inline]
fn global_tracer_skips(parent: &Context) -> bool {
    match global::tracer_hint() {
        super::SamplingHint::Off => true,
        super::SamplingHint::SkipsUnsampledChildren => parent
            .span_context()
            .is_some_and(|p| !p.is_sampled() && !p.is_debug()),
        _ => false,
    }
}

/// Starts a span at `site` as a child of the current context. Called by the
/// macros after their one-load "anything installed?" check.
pub(crate) fn start_span(
    site: &'static SpanSite,
    name: Option<&str>,
    fields: &[Field<'_>],
) -> Span {
    with_current(|cx| Span::start_in(cx, site, name, fields))
}

/// What [`start_span`] does (with the site's name), the span written to
/// `out`, which it replaces: for an adapter that keeps spans in slots of
/// its own (`omniscope-tracing`), where returning the span copied it
/// through each frame between.
#[inline]
pub(crate) fn start_span_into(out: &mut Span, site: &'static SpanSite, fields: &[Field<'_>]) {
    // `with_current` may call its closure on either of two paths; it runs
    // one of them.
    let out = std::cell::Cell::new(Some(out));
    with_current(|cx| {
        if let Some(out) = out.take() {
            out.start_over(cx, site, None, fields);
        }
    });
}

/// Starts a span at `site` as a child of the current context and enters it:
/// what `span!` expands to. The child context is built once, straight onto
/// the thread's stack.
pub(crate) fn enter_span(site: &'static SpanSite, fields: &[Field<'_>]) -> SpanGuard {
    // An always-off tracer and no capture: nothing to ask, nothing to enter.
    if global::tracer_hint() == super::SamplingHint::Off && global::state() & global::SCOPED == 0 {
        return SpanGuard::none();
    }
    // No span started: the parent is current already, so nothing is entered.
    let started = push_span_child(site, |parent| {
        let (tracer, context, token) = ask(parent, site, None, fields)?;
        let recorded = recorded_by(&tracer, token);
        let recording = token.map(|token| Recording { tracer, token });
        Some((context, recorded, recording))
    });
    match started {
        Some((slot, recording)) => SpanGuard {
            entered: Some(Entered {
                recording,
                slot,
                own: true,
            }),
            _not_send: PhantomData,
        },
        None => SpanGuard::none(),
    }
}

/// The recording methods, shared by [`Span`] and [`SpanGuard`]; each type
/// provides `fn recording(&self) -> Option<(&dyn Tracer, SpanToken)>`.
macro_rules! recording_methods {
    () => {
        /// Whether the span is being recorded (installed tracer, sampled in).
        pub fn is_recording(&self) -> bool {
            self.recording().is_some()
        }

        /// Sets an attribute (what `tracing`'s `Span::record` does).
        #[doc(alias = "record")]
        pub fn set_attribute(&self, key: &str, value: impl ToValue) {
            if let Some((tracer, token)) = self.recording() {
                tracer.set_attribute(token, &Field::new(key, value.to_value()));
            }
        }

        /// Sets an attribute from a field: a field with a static key
        /// ([`Field::new_static`]) lets the tracer keep the key without a
        /// copy, which [`set_attribute`](Self::set_attribute)'s borrowed
        /// key cannot.
        ///
        /// ```
        /// use omniscope::{Field, Span, Value};
        ///
        /// let span = Span::current();
        /// span.set_field(&Field::new_static("http.response.status_code", Value::I64(200)));
        /// ```
        pub fn set_field(&self, field: &Field<'_>) {
            if let Some((tracer, token)) = self.recording() {
                tracer.set_attribute(token, field);
            }
        }

        /// Adds a timestamped event with fields.
        pub fn add_event(&self, name: &str, fields: &[Field<'_>]) {
            if let Some((tracer, token)) = self.recording() {
                tracer.add_event(token, name, fields);
            }
        }

        /// Links this span to another (a batch job to the requests it serves).
        pub fn add_link(&self, link: &SpanContext, fields: &[Field<'_>]) {
            if let Some((tracer, token)) = self.recording() {
                tracer.add_link(token, link, fields);
            }
        }

        /// Sets the status.
        pub fn set_status(&self, status: Status) {
            if let Some((tracer, token)) = self.recording() {
                tracer.set_status(token, &status);
            }
        }

        /// Renames the span.
        pub fn update_name(&self, name: &str) {
            if let Some((tracer, token)) = self.recording() {
                tracer.update_name(token, name);
            }
        }

        /// Records an error on the span: an `exception` event with its
        /// message (a `&dyn Error` does not tell its type: use
        /// [`record_exception`](Self::record_exception) to give it, and a
        /// backtrace) and an error status.
        pub fn record_error(&self, error: &(dyn Error + 'static)) {
            if let Some((tracer, token)) = self.recording() {
                tracer.record_error(token, error);
            }
        }

        /// Records an error on the span with what is known of it (its type,
        /// a backtrace): an `exception` event with OpenTelemetry's
        /// attributes and an error status; see [`Exception`].
        pub fn record_exception(&self, exception: &Exception<'_>) {
            if let Some((tracer, token)) = self.recording() {
                tracer.record_exception(token, exception);
            }
        }
    };
}

struct Inner {
    recording: Option<Recording>,
    cx: Context,
    /// Whether `cx` is the span's own context. When no span was started
    /// (nothing installed, or the tracer started nothing under an unsampled
    /// parent), `cx` is the parent's, kept so that what runs "in the span"
    /// runs under the parent, and downstream services see the parent's
    /// trace and its decision rather than a new trace.
    own: bool,
}

/// A started span. It ends when dropped (or by [`Span::end`]); if the thread
/// is panicking at that moment, the span records the panic.
///
/// A `Span` is `Send`: move it into a future with
/// [`FutureExt::in_span`](crate::FutureExt::in_span) or enter it on a thread
/// with [`Span::enter`].
#[must_use = "a span ends as soon as it is dropped"]
#[derive(Default)]
pub struct Span {
    inner: Option<Inner>,
}

impl Span {
    /// A span that records nothing and has no context.
    pub const fn none() -> Span {
        Span { inner: None }
    }

    /// Starts a span at `site` as a child of `parent` (use
    /// [`Context::new`] for a new trace), whatever the current context is.
    /// `name` replaces the site's name when given.
    ///
    /// When no span starts (no tracer is installed, or the tracer starts
    /// none under this parent, as parent-based sampling does under an
    /// unsampled parent), the span keeps `parent`: entering it or running a
    /// future [`in_span`](crate::FutureExt::in_span) makes `parent` current,
    /// so children and outgoing requests stay in the parent's trace, with
    /// its flags and `tracestate`, and the decision not to sample holds
    /// downstream.
    #[inline]
    pub fn start_in(
        parent: &Context,
        site: &'static SpanSite,
        name: Option<&str>,
        fields: &[Field<'_>],
    ) -> Span {
        let mut span = Span::none();
        span.start_over(parent, site, name, fields);
        span
    }

    /// What [`Span::start_in`] does, into `self` (a span it held is ended
    /// first): the span written where it is kept, its parts stored in
    /// place rather than a whole span built and then copied there (a
    /// `memcpy` call where adapters keep spans in structs of their own).
    ///
    /// ```
    /// use omniscope::{Context, Span, SpanSite};
    ///
    /// static SITE: SpanSite = SpanSite::new("request", module_path!(), file!(), line!());
    ///
    /// struct Request {
    ///     span: Span,
    /// }
    ///
    /// let mut request = Box::new(Request { span: Span::none() });
    /// request.span.start_over(&Context::current(), &SITE, Some("GET"), &[]);
    /// ```
    #[inline]
    pub fn start_over(
        &mut self,
        parent: &Context,
        site: &'static SpanSite,
        name: Option<&str>,
        fields: &[Field<'_>],
    ) {
        if self.inner.is_some() {
            drop(std::mem::replace(self, Span::none()));
        }
        let Some((tracer, context, token)) = ask(parent, site, name, fields) else {
            self.inner = Some(Inner {
                recording: None,
                cx: parent.clone(),
                own: false,
            });
            return;
        };
        // The context is filled in where the span keeps it, field by field:
        // built whole and moved here, it went through the stack, and the
        // move's wide loads stalled on the narrower stores just made.
        let inner = self.inner.insert(Inner {
            recording: None,
            cx: Context::new(),
            own: true,
        });
        parent.child_into(&mut inner.cx, context, site, recorded_by(&tracer, token));
        inner.recording = token.map(|token| Recording { tracer, token });
    }

    /// The span's own context (ids, flags), if a span was started: `None`
    /// for a span that kept its parent's context (see [`Span::start_in`]).
    pub fn context(&self) -> Option<SpanContext> {
        self.inner
            .as_ref()
            .filter(|i| i.own)
            .and_then(|i| i.cx.span_context().cloned())
    }

    /// The context the span's children start under and that entering it
    /// makes current: its own, or, when no span was started, its parent's.
    /// `None` only for [`Span::none`].
    pub fn as_context(&self) -> Option<&Context> {
        self.inner.as_ref().map(|i| &i.cx)
    }

    fn recording(&self) -> Option<(&dyn Tracer, SpanToken)> {
        let recording = self.inner.as_ref()?.recording.as_ref()?;
        Some((recording.tracer.get(), recording.token))
    }

    recording_methods!();

    /// Makes the span current on this thread until the guard drops; the
    /// guard then ends the span.
    pub fn enter(mut self) -> SpanGuard {
        let Some(Inner { recording, cx, own }) = self.inner.take() else {
            return SpanGuard::none();
        };
        match push(cx) {
            Some(slot) => SpanGuard {
                entered: Some(Entered {
                    recording,
                    slot,
                    own,
                }),
                _not_send: PhantomData,
            },
            // Thread teardown: the span cannot become current; it still ends.
            None => {
                if let Some(recording) = recording {
                    recording.end();
                }
                SpanGuard::none()
            }
        }
    }

    /// Ends the span now.
    pub fn end(self) {
        drop(self);
    }

    /// Whether [`end_timed`](Self::end_timed) will tell how long the span
    /// was open: it is recording, and its tracer times spans
    /// ([`Tracer::times_spans`]). Instrumentation that measures the
    /// interval the span covers reads a clock of its own only when not.
    pub fn is_timed(&self) -> bool {
        self.recording()
            .is_some_and(|(tracer, _)| tracer.times_spans())
    }

    /// Ends the span now and tells how long it was open, by the tracer's
    /// clock, when [`is_timed`](Self::is_timed) (`None` otherwise). The
    /// span keeps its context: it can still be given as a parent, a link
    /// or an exemplar's span, and records nothing more.
    ///
    /// ```
    /// use omniscope::{Context, Span, SpanSite};
    ///
    /// static SITE: SpanSite = SpanSite::new("handle", module_path!(), file!(), line!());
    ///
    /// let mut span = Span::start_in(&Context::current(), &SITE, None, &[]);
    /// let started = (!span.is_timed()).then(std::time::Instant::now);
    /// // … the work the span covers …
    /// let duration = span.end_timed().or_else(|| started.map(|t| t.elapsed()));
    /// assert!(duration.is_some());
    /// ```
    pub fn end_timed(&mut self) -> Option<Duration> {
        self.inner.as_mut()?.recording.take()?.end_timed()
    }
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        // Inline so that dropping a span that records nothing costs a branch.
        if let Some(Inner {
            recording: Some(recording),
            ..
        }) = self.inner.take()
        {
            recording.end();
        }
    }
}

impl Span {
    /// A handle to the span current on this thread (or in this task: the
    /// current context follows futures, see [`context`](crate::context)),
    /// as `tracing::Span::current()` gives: set attributes, status, events
    /// and errors on it from anywhere inside it, without passing it down.
    ///
    /// ```
    /// use omniscope::{span, Span, Status};
    ///
    /// fn look_up(sku: &str) -> Option<u32> {
    ///     let current = Span::current();
    ///     current.set_attribute("sku", sku);
    ///     current.add_event("cache miss", &[]);
    ///     current.set_status(Status::Ok);
    ///     None
    /// }
    ///
    /// let captured = omniscope::testing::capture(|| {
    ///     let _request = span!("get_item");
    ///     look_up("A-12");
    /// });
    /// # if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL { return; }
    /// let span = captured.span("get_item").expect("recorded");
    /// assert_eq!(span.attribute("sku").map(|v| v.to_string()).as_deref(), Some("A-12"));
    /// assert!(span.has_event("cache miss"));
    /// ```
    ///
    /// The handle does not own the span: dropping it ends nothing, and the
    /// span still ends when its owner (a guard, a [`Span`], an
    /// `#[instrument]`ed call) is done. With no current span, or one that is
    /// not recorded (nothing installed, sampled out, a remote parent), every
    /// call does nothing. Used after the span ended, it does nothing either
    /// (the SDK ignores the tokens of ended spans).
    pub fn current() -> CurrentSpan {
        with_current(|cx| CurrentSpan {
            recording: cx.recording().and_then(|(token, scoped)| {
                let tracer = if scoped {
                    TracerRef::Scoped(cx.scope()?.clone())
                } else {
                    TracerRef::Global(global::tracer())
                };
                Some((tracer, token))
            }),
            context: cx.span_context().cloned(),
        })
    }
}

/// A handle to the span that was current when [`Span::current`] was
/// called: the recording methods of [`Span`], without ending it.
#[derive(Clone, Default)]
pub struct CurrentSpan {
    recording: Option<(TracerRef, SpanToken)>,
    context: Option<SpanContext>,
}

impl CurrentSpan {
    /// The current span's context (ids, flags), if there is a current span:
    /// a local one, or the remote parent a request carried.
    pub fn context(&self) -> Option<SpanContext> {
        self.context.clone()
    }

    fn recording(&self) -> Option<(&dyn Tracer, SpanToken)> {
        let (tracer, token) = self.recording.as_ref()?;
        Some((tracer.get(), *token))
    }

    recording_methods!();
}

impl std::fmt::Debug for CurrentSpan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentSpan")
            .field("context", &self.context)
            .field("recording", &self.is_recording())
            .finish()
    }
}

impl std::fmt::Debug for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Span")
            .field("context", &self.context())
            .field("recording", &self.is_recording())
            .finish()
    }
}

/// A span made current on this thread: logs, errors and child spans see it
/// until the guard drops, which leaves its context and ends the span.
/// `!Send`, so it cannot be held across an `.await` in a `Send` future by
/// mistake; use [`FutureExt::in_span`](crate::FutureExt::in_span) there.
///
/// Dropping a guard while guards entered after it are still alive leaves
/// their contexts too (they end when they drop, as usual).
#[must_use = "the span ends as soon as the guard is dropped"]
pub struct SpanGuard {
    // One `Option`, so that a guard over nothing (nothing installed) is built
    // and dropped with a single discriminant.
    entered: Option<Entered>,
    _not_send: PhantomData<*const ()>,
}

struct Entered {
    recording: Option<Recording>,
    slot: Slot,
    /// As [`Inner::own`].
    own: bool,
}

impl SpanGuard {
    /// A guard over no span.
    pub const fn none() -> SpanGuard {
        SpanGuard {
            entered: None,
            _not_send: PhantomData,
        }
    }

    /// The span's own context (ids, flags), if a span was started: `None`
    /// when the guard holds its parent's context (see [`Span::start_in`]).
    pub fn context(&self) -> Option<SpanContext> {
        let entered = self.entered.as_ref().filter(|e| e.own)?;
        with_entered(entered.slot, |cx| cx.span_context().cloned()).flatten()
    }

    fn recording(&self) -> Option<(&dyn Tracer, SpanToken)> {
        let recording = self.entered.as_ref()?.recording.as_ref()?;
        Some((recording.tracer.get(), recording.token))
    }

    recording_methods!();

    /// Leaves the span's context without ending the span, and returns it.
    pub fn exit(mut self) -> Span {
        let Some(Entered {
            recording,
            slot,
            own,
        }) = self.entered.take()
        else {
            return Span::none();
        };
        let cx = pop(slot).unwrap_or_default();
        Span {
            inner: Some(Inner { recording, cx, own }),
        }
    }
}

impl From<SpanGuard> for Span {
    fn from(guard: SpanGuard) -> Span {
        guard.exit()
    }
}

impl Drop for SpanGuard {
    #[inline]
    fn drop(&mut self) {
        if let Some(Entered {
            recording, slot, ..
        }) = self.entered.take()
        {
            // Leave first: the span ends outside itself, as it began.
            leave(slot);
            if let Some(recording) = recording {
                recording.end();
            }
        }
    }
}

impl std::fmt::Debug for SpanGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpanGuard")
            .field("context", &self.context())
            .field("recording", &self.is_recording())
            .finish()
    }
}
