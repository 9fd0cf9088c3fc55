//! The current context: which span is active on this thread, the baggage that
//! travels with it, and (in tests) which scoped recorder receives the signals.
//!
//! # How it works
//!
//! Each thread has one current [`Context`]. Entering a span (what [`span!`](crate::span)
//! and `#[instrument]` do) makes the span's context current until the guard
//! drops; the guard is `!Send`, so it cannot be held across an `.await` in a
//! future that must be `Send`. For async code, wrap the future instead:
//! [`FutureExt::in_span`](crate::FutureExt::in_span) enters the span on every
//! poll, on whichever thread polls it, and
//! [`FutureExt::in_current_span`](crate::FutureExt::in_current_span) carries the
//! caller's context into a spawned task. [`spawn`] does the same for
//! `std::thread::spawn`.
//!
//! Every log record and handled error reads the current context, so it
//! carries the trace id and span id of the span it was emitted in.
//!
//! Underneath, each thread keeps a small stack of entered contexts: entering
//! pushes one (built in place, not copied in and out), the guard remembers
//! where it sits, and dropping the guard pops it. A guard dropped out of
//! order also leaves the contexts entered after it (their guards then find
//! nothing to leave); an entry's id makes sure no guard ever removes another
//! guard's context.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::num::NonZeroU64;
use std::sync::Arc;

use crate::baggage::Baggage;
use crate::global::Scope;
use crate::trace::{SamplingRequest, SpanContext, SpanId, SpanSite, SpanToken, TraceId};

/// What flows with the execution: the active span (local or remote), the
/// baggage, and the scoped recorder of an [`omniscope::testing`](crate::testing)
/// capture, if any. Cheap to clone.
#[derive(Clone, Default)]
pub struct Context {
    span: Option<SpanContext>,
    site: Option<&'static SpanSite>,
    /// The local span's token, if it is being recorded, and whether the
    /// scoped tracer (rather than the global one) records it: what
    /// [`Span::current`](crate::Span::current) needs to reach it.
    recording: Option<(SpanToken, bool)>,
    sampling_request: Option<SamplingRequest>,
    baggage: Baggage,
    scope: Option<Arc<Scope>>,
}

/// This thread's entered contexts, innermost last; the current context is
/// the last one (or the empty context). Each entry has an id so that a guard
/// dropped out of order never removes somebody else's entry.
struct Entry {
    id: NonZeroU64,
    cx: Context,
}

thread_local! {
    static STACK: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: std::cell::Cell<u64> = const { std::cell::Cell::new(1) };
}

/// The empty context, for threads with nothing entered.
static EMPTY: Context = Context::new();

/// Where an entered context sits on its thread's stack. Sixteen bytes, and
/// as an `Option` too (the id is never zero): a guard is returned in two
/// registers rather than through memory, where reading it back whole
/// stalled on the halves just stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    depth: u32,
    id: NonZeroU64,
}

impl Context {
    /// The empty context: no span, no baggage.
    pub const fn new() -> Context {
        Context {
            span: None,
            site: None,
            recording: None,
            sampling_request: None,
            baggage: Baggage::new(),
            scope: None,
        }
    }

    /// A clone of this thread's current context (the empty context while
    /// the thread's locals are being destroyed).
    pub fn current() -> Context {
        with_current(Context::clone)
    }

    /// The active span's context, if any.
    pub fn span_context(&self) -> Option<&SpanContext> {
        self.span.as_ref()
    }

    /// The call site of the active local span, if it was started in this process.
    pub fn span_site(&self) -> Option<&'static SpanSite> {
        self.site
    }

    /// The baggage.
    pub fn baggage(&self) -> &Baggage {
        &self.baggage
    }

    /// This context with `span` (typically extracted from a request) as the
    /// parent of the spans started under it.
    #[must_use]
    pub fn with_remote_span(mut self, span: SpanContext) -> Context {
        self.span = Some(span);
        self.site = None;
        self.recording = None;
        self
    }

    /// This context with the caller's sampling decision, received without
    /// a span context (B3's `b3: 0` alone): the next span started under it
    /// with no parent span follows `request` rather than the root sampler,
    /// and propagators that can write a decision alone send it on.
    #[must_use]
    pub fn with_sampling_request(mut self, request: SamplingRequest) -> Context {
        self.sampling_request = Some(request);
        self
    }

    /// The caller's sampling decision received without a span context, if
    /// any (see [`Context::with_sampling_request`]).
    pub fn sampling_request(&self) -> Option<SamplingRequest> {
        self.sampling_request
    }

    /// This context with other baggage.
    #[must_use]
    pub fn with_baggage(mut self, baggage: Baggage) -> Context {
        self.baggage = baggage;
        self
    }

    /// This context without its span: what a new trace starts under from
    /// here (a `tracing` span with `parent: None`, a job detached from the
    /// request that queued it). The baggage is kept, as is a test's
    /// [`capture`](crate::testing::capture) scope; the span, its site and
    /// any sampling request are not.
    ///
    /// ```
    /// use omniscope::{Baggage, Context};
    ///
    /// let baggage = Baggage::parse("tenant=acme")?;
    /// let request = Context::new().with_baggage(baggage);
    /// let detached = request.without_span();
    /// assert!(detached.span_context().is_none());
    /// assert_eq!(detached.baggage().get("tenant"), Some("acme"));
    /// # Ok::<(), omniscope::BaggageError>(())
    /// ```
    pub fn without_span(&self) -> Context {
        Context {
            baggage: self.baggage.clone(),
            scope: self.scope.clone(),
            ..Context::new()
        }
    }

    /// Makes `out` (an empty context) the context of a local child span:
    /// its own span, site and recording token (with whether the scoped
    /// tracer records it), the parent's baggage and scope. Written field by
    /// field, where the child is kept (see [`push_span_child`]).
    #[inline]
    pub(crate) fn child_into(
        &self,
        out: &mut Context,
        span: SpanContext,
        site: &'static SpanSite,
        recording: Option<(SpanToken, bool)>,
    ) {
        out.span = Some(span);
        out.site = Some(site);
        out.recording = recording;
        // `sampling_request` stays empty: the span itself answers it, and
        // its children follow its flags.
        out.baggage = self.baggage.clone();
        out.scope = self.scope.clone();
    }

    pub(crate) fn with_scope(mut self, scope: Arc<Scope>) -> Context {
        self.scope = Some(scope);
        self
    }

    /// The local span's recording token, and whether the scoped tracer
    /// records it (see [`Context::child`]).
    pub(crate) fn recording(&self) -> Option<(SpanToken, bool)> {
        self.recording
    }

    pub(crate) fn scope(&self) -> Option<&Arc<Scope>> {
        self.scope.as_ref()
    }

    /// Makes this context current on this thread until the guard drops.
    pub fn attach(self) -> ContextGuard {
        // Attaching nothing where nothing is attached changes nothing; skipping
        // it keeps context-carrying code free of allocations when no backend
        // is installed.
        let slot = if self.is_empty() && is_stack_empty() {
            None
        } else {
            push(self)
        };
        ContextGuard {
            slot,
            _not_send: PhantomData,
        }
    }

    /// What `self.clone().attach()` does, with the clone built in place on
    /// the thread's stack rather than moved there: entering a span kept
    /// elsewhere (a `tracing` span's, in `omniscope-tracing`) on every
    /// enter, where each move of a context showed in the profile.
    pub(crate) fn attach_clone(&self) -> ContextGuard {
        ContextGuard {
            slot: push_clone(self),
            _not_send: PhantomData,
        }
    }

    fn is_empty(&self) -> bool {
        self.span.is_none()
            && self.sampling_request.is_none()
            && self.baggage.is_empty()
            && self.scope.is_none()
    }

    /// Wraps `f` so that it runs with this context current, on whatever
    /// thread calls it.
    pub fn wrap<F: FnOnce() -> R, R>(self, f: F) -> impl FnOnce() -> R {
        move || {
            let _guard = self.attach();
            f()
        }
    }
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("span", &self.span)
            .field("site", &self.site.map(SpanSite::name))
            .field("sampling_request", &self.sampling_request)
            .field("baggage", &self.baggage)
            .field("scoped", &self.scope.is_some())
            .finish()
    }
}

/// Restores the previous context when dropped. `!Send`: it belongs to the
/// thread whose context it changed.
#[must_use = "the context is detached again when the guard drops"]
pub struct ContextGuard {
    slot: Option<Slot>,
    _not_send: PhantomData<*const ()>,
}

impl ContextGuard {
    /// A guard that leaves nothing when it drops.
    pub(crate) const fn none() -> ContextGuard {
        ContextGuard {
            slot: None,
            _not_send: PhantomData,
        }
    }
}

impl Drop for ContextGuard {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            leave(slot);
        }
    }
}

impl std::fmt::Debug for ContextGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContextGuard").finish_non_exhaustive()
    }
}

/// Makes `cx` current (innermost) on this thread. `None` during thread
/// teardown, when the context cannot be entered.
pub(crate) fn push(cx: Context) -> Option<Slot> {
    push_child(|_| Some((cx, ()))).map(|(slot, ())| slot)
}

/// Starts a span under the current context with `ask` and enters its
/// context, in one access to the thread-local; returns where it sits and
/// what `ask` returned beside the span. `ask` sees the parent with the
/// stack borrowed for reading, as any code may; the child is then filled in
/// field by field in its entry (built whole and pushed, it was copied
/// through the stack, and the copy's wide loads stalled on the narrower
/// stores just made). `None` when `ask` declines, or during thread
/// teardown.
#[inline]
pub(crate) fn push_span_child<T>(
    site: &'static SpanSite,
    ask: impl FnOnce(&Context) -> Option<(SpanContext, Option<(SpanToken, bool)>, T)>,
) -> Option<(Slot, T)> {
    STACK
        .try_with(|cell| {
            let (span, recording, out) = {
                let stack = cell.try_borrow().ok()?;
                ask(stack.last().map_or(&EMPTY, |e| &e.cx))?
            };
            let id = next_id();
            let mut stack = cell.try_borrow_mut().ok()?;
            let depth = u32::try_from(stack.len()).ok()?;
            stack.push(Entry {
                id,
                cx: Context::new(),
            });
            let (parents, entry) = stack.split_at_mut(depth as usize);
            let parent = parents.last().map_or(&EMPTY, |e| &e.cx);
            if let Some(entry) = entry.first_mut() {
                parent.child_into(&mut entry.cx, span, site, recording);
            }
            Some((Slot { depth, id }, out))
        })
        .ok()
        .flatten()
}

/// Derives a child from the current context with `f` and enters it, in one
/// access to the thread-local; returns where it sits and what `f` returned
/// beside it. `None` when `f` declines, or during thread teardown.
#[inline]
pub(crate) fn push_child<T>(f: impl FnOnce(&Context) -> Option<(Context, T)>) -> Option<(Slot, T)> {
    STACK
        .try_with(|cell| {
            let (child, out) = {
                let stack = cell.try_borrow().ok()?;
                f(stack.last().map_or(&EMPTY, |e| &e.cx))?
            };
            let id = next_id();
            let mut stack = cell.try_borrow_mut().ok()?;
            let depth = u32::try_from(stack.len()).ok()?;
            stack.push(Entry { id, cx: child });
            Some((Slot { depth, id }, out))
        })
        .ok()
        .flatten()
}

/// Enters a clone of `cx`, written straight into the stack's next entry (a
/// clone made first and then pushed was copied through the stack, and
/// reading it back stalled on the stores just made). `None` when `cx` and
/// the stack are both empty (nothing would change), or during thread
/// teardown.
fn push_clone(cx: &Context) -> Option<Slot> {
    STACK
        .try_with(|cell| {
            let mut stack = cell.try_borrow_mut().ok()?;
            if cx.is_empty() && stack.is_empty() {
                return None;
            }
            let id = next_id();
            let depth = u32::try_from(stack.len()).ok()?;
            stack.push(Entry { id, cx: cx.clone() });
            Some(Slot { depth, id })
        })
        .ok()
        .flatten()
}

/// The id of the next entry on this thread's stack: ids start at 1 and skip
/// 0 when they wrap.
fn next_id() -> NonZeroU64 {
    NEXT_ID
        .try_with(|n| n.replace(n.get().checked_add(1).unwrap_or(1)))
        .ok()
        .and_then(NonZeroU64::new)
        .unwrap_or(NonZeroU64::MAX)
}

/// Leaves the context entered at `slot`, and every context entered after
/// it that is still there (a guard dropped out of order exits what is
/// inside it), returning it. `None` if it is already gone.
pub(crate) fn pop(slot: Slot) -> Option<Context> {
    let removed = STACK
        .try_with(|cell| {
            let mut stack = cell.try_borrow_mut().ok()?;
            let depth = slot.depth as usize;
            if stack.get(depth).map(|e| e.id) != Some(slot.id) {
                return None;
            }
            // Contexts are dropped after the borrow ends: dropping one may run
            // code (a capture's recorder) that reads the stack.
            if depth + 1 == stack.len() {
                stack.pop().map(|e| (e.cx, Vec::new()))
            } else {
                let mut inner = stack.split_off(depth);
                let own = inner.remove(0);
                Some((own.cx, inner))
            }
        })
        .ok()
        .flatten()?;
    Some(removed.0)
}

/// What [`pop`] does, for a guard that does not want the context back. The
/// innermost context, when it holds no capture scope (whose drop runs a
/// recorder's code), is dropped where it lies rather than moved out of the
/// stack first: dropping its ids, trace state and baggage runs nothing but
/// deallocation.
pub(crate) fn leave(slot: Slot) {
    let left = STACK
        .try_with(|cell| {
            let Ok(mut stack) = cell.try_borrow_mut() else {
                return false;
            };
            let depth = slot.depth as usize;
            let innermost_without_scope = depth + 1 == stack.len()
                && stack
                    .last()
                    .is_some_and(|e| e.id == slot.id && e.cx.scope.is_none());
            if innermost_without_scope {
                stack.truncate(depth);
            }
            innermost_without_scope
        })
        .unwrap_or(false);
    if !left {
        drop(pop(slot));
    }
}

fn is_stack_empty() -> bool {
    STACK
        .try_with(|cell| cell.try_borrow().is_ok_and(|s| s.is_empty()))
        .unwrap_or(true)
}

/// Runs `f` with the context entered at `slot`, if it is still there.
pub(crate) fn with_entered<R>(slot: Slot, f: impl FnOnce(&Context) -> R) -> Option<R> {
    STACK
        .try_with(|cell| {
            let stack = cell.try_borrow().ok()?;
            let entry = stack.get(slot.depth as usize).filter(|e| e.id == slot.id)?;
            Some(f(&entry.cx))
        })
        .ok()
        .flatten()
}

/// Runs `f` with a borrow of the current context (no clone).
/// During thread teardown, `f` sees an empty context.
#[inline]
pub(crate) fn with_current<R>(f: impl Fn(&Context) -> R) -> R {
    STACK
        .try_with(|cell| {
            cell.try_borrow()
                .ok()
                .map(|stack| f(stack.last().map_or(&EMPTY, |e| &e.cx)))
        })
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&EMPTY))
}

/// The trace id and span id of the current span, if any (what log records
/// and handled errors carry).
#[inline]
pub fn current_ids() -> Option<(TraceId, SpanId)> {
    with_current(|cx| cx.span.as_ref().map(|s| (s.trace_id(), s.span_id())))
}

/// The current span's context, if any.
pub fn current_span_context() -> Option<SpanContext> {
    with_current(|cx| cx.span.clone())
}

/// `std::thread::spawn` that carries the caller's context into the new thread.
pub fn spawn<F, T>(f: F) -> std::thread::JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    std::thread::spawn(Context::current().wrap_send(f))
}

impl Context {
    fn wrap_send<F: FnOnce() -> R + Send + 'static, R>(
        self,
        f: F,
    ) -> impl FnOnce() -> R + Send + 'static {
        move || {
            let _guard = self.attach();
            f()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::TraceFlags;

    fn remote() -> SpanContext {
        SpanContext::new_remote(
            TraceId::from_u128(7),
            SpanId::from_u64(9),
            TraceFlags::SAMPLED,
            Default::default(),
        )
    }

    #[test]
    fn attach_restores_the_previous_context() {
        assert!(current_ids().is_none());
        {
            let _g = Context::new().with_remote_span(remote()).attach();
            assert_eq!(
                current_ids(),
                Some((TraceId::from_u128(7), SpanId::from_u64(9)))
            );
        }
        assert!(current_ids().is_none());
    }

    #[test]
    fn spawn_carries_the_context() {
        let _g = Context::new().with_remote_span(remote()).attach();
        let ids = spawn(current_ids).join().unwrap();
        assert_eq!(ids, Some((TraceId::from_u128(7), SpanId::from_u64(9))));
    }
}
