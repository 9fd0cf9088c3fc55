//! [`Span`] (a started span, `Send`) and [`SpanGuard`] (a span made current
//! on this thread, `!Send`).

use std::error::Error;
use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use super::{SpanContext, SpanSite, SpanStart, SpanToken, Status, Tracer};
use crate::context::{swap_current, with_current, Context};
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

struct Inner {
    tracer: TracerRef,
    token: Option<SpanToken>,
    cx: Context,
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

/// Starts a span at `site` as a child of the current context. Called by the
/// macros after their one-load "anything installed?" check.
pub(crate) fn start_span(
    site: &'static SpanSite,
    name: Option<&str>,
    fields: &[Field<'_>],
) -> Span {
    with_current(|cx| Span::start_in(cx, site, name, fields))
}

impl Span {
    /// A span that records nothing and has no context.
    pub const fn none() -> Span {
        Span { inner: None }
    }

    /// Starts a span at `site` as a child of `parent` (use
    /// [`Context::new`] for a new trace), whatever the current context is.
    pub fn start_in(
        parent: &Context,
        site: &'static SpanSite,
        name: Option<&str>,
        fields: &[Field<'_>],
    ) -> Span {
        let Some(tracer) = tracer_for(parent) else {
            return Span::none();
        };
        let start = SpanStart::new(site, parent.span_context(), fields)
            .with_name(name.unwrap_or(site.name()))
            .with_parent_site(parent.span_site());
        let (context, token) = tracer.get().start(&start).into_parts();
        let cx = parent.clone().with_local_span(context, site);
        Span {
            inner: Some(Inner { tracer, token, cx }),
        }
    }

    /// The span's context (ids, flags), if a tracer is installed.
    pub fn context(&self) -> Option<&SpanContext> {
        self.inner.as_ref().and_then(|i| i.cx.span_context())
    }

    /// The context the span's children start under.
    pub fn as_context(&self) -> Option<&Context> {
        self.inner.as_ref().map(|i| &i.cx)
    }

    /// Whether the span is being recorded (installed tracer, sampled in).
    pub fn is_recording(&self) -> bool {
        self.recording().is_some()
    }

    fn recording(&self) -> Option<(&dyn Tracer, SpanToken)> {
        let inner = self.inner.as_ref()?;
        Some((inner.tracer.get(), inner.token?))
    }

    /// Sets an attribute.
    pub fn set_attribute(&self, key: &str, value: impl ToValue) {
        if let Some((tracer, token)) = self.recording() {
            tracer.set_attribute(token, &Field::new(key, value.to_value()));
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

    /// Records an error on the span (an `exception` event and an error status).
    pub fn record_error(&self, error: &(dyn Error + 'static)) {
        if let Some((tracer, token)) = self.recording() {
            tracer.record_error(token, error);
        }
    }

    /// Makes the span current on this thread until the guard drops; the
    /// guard then ends the span.
    pub fn enter(self) -> SpanGuard {
        let Some(inner) = &self.inner else {
            return SpanGuard::none();
        };
        let previous = swap_current(inner.cx.clone());
        SpanGuard {
            entered: Some(Entered {
                span: self,
                previous,
            }),
            _not_send: PhantomData,
        }
    }

    /// Ends the span now.
    pub fn end(self) {
        drop(self);
    }
}

fn tracer_for(parent: &Context) -> Option<TracerRef> {
    if global::is_dispatching() {
        return None;
    }
    let state = global::state();
    if state & global::SCOPED != 0 {
        if let Some(scope) = parent.scope() {
            return Some(TracerRef::Scoped(scope.clone()));
        }
    }
    if state & Signal::Tracer.bit() != 0 {
        return Some(TracerRef::Global(global::tracer()));
    }
    None
}

impl Drop for Span {
    #[inline]
    fn drop(&mut self) {
        // Inline so that dropping a span that records nothing costs a branch.
        if self.inner.is_some() {
            self.finish();
        }
    }
}

impl Span {
    fn finish(&mut self) {
        if let Some((tracer, token)) = self.recording() {
            if std::thread::panicking() {
                tracer.record_panic(token);
            }
            tracer.end(token);
        }
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
/// until the guard drops, which restores the previous context and ends the
/// span. `!Send`, so it cannot be held across an `.await` in a `Send` future
/// by mistake; use [`FutureExt::in_span`](crate::FutureExt::in_span) there.
#[must_use = "the span ends as soon as the guard is dropped"]
pub struct SpanGuard {
    // One `Option` so that a guard over nothing (nothing installed) is built
    // and dropped with a single discriminant.
    entered: Option<Entered>,
    _not_send: PhantomData<*const ()>,
}

struct Entered {
    span: Span,
    previous: Context,
}

static NO_SPAN: Span = Span::none();

impl SpanGuard {
    /// A guard over no span.
    pub const fn none() -> SpanGuard {
        SpanGuard {
            entered: None,
            _not_send: PhantomData,
        }
    }

    /// Leaves the span (restoring the previous context) without ending it.
    pub fn exit(mut self) -> Span {
        match self.entered.take() {
            Some(entered) => {
                swap_current(entered.previous);
                entered.span
            }
            None => Span::none(),
        }
    }
}

impl Deref for SpanGuard {
    type Target = Span;

    fn deref(&self) -> &Span {
        self.entered.as_ref().map_or(&NO_SPAN, |e| &e.span)
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
        if let Some(entered) = self.entered.take() {
            // Restore first: the span ends outside itself, as it began.
            swap_current(entered.previous);
            drop(entered.span);
        }
    }
}

impl std::fmt::Debug for SpanGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SpanGuard").field(&**self).finish()
    }
}
