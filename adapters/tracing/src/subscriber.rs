//! [`OmniscopeSubscriber`]: `tracing` into omniscope for applications that
//! do not use `tracing-subscriber` themselves.
//!
//! It keeps each span's omniscope span in a pool of its own rather than in
//! `tracing-subscriber`'s registry: a span costs one pool slot, no
//! type-keyed extension map, and no reference to its `tracing` parent (the
//! omniscope context already says who the parent is). The pool's slots are
//! written in place and cleared in place (a span's state is a few hundred
//! bytes, and each move of it showed in the profile).

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use omniscope::context::ContextGuard;
use omniscope::Context as OmniContext;
use sharded_slab::{Clear, Pool};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::{Interest, SetGlobalDefaultError};
use tracing::{Event, Metadata, Subscriber};
use tracing_core::span::Current;

use crate::bridge::{log_event, SpanState};
use crate::callsite::{callsite, level};

/// A complete `tracing` subscriber sending spans and events to omniscope
/// (as [`OmniscopeLayer`](crate::OmniscopeLayer) does on a registry, and
/// faster), which also applies omniscope's filters before any work is
/// done: events above omniscope's level filter ([`omniscope::max_level`])
/// are disabled, and spans while no omniscope tracer is installed, so they
/// cost `tracing` a callsite check. `tracing::Span::current()` works.
///
/// ```
/// use tracing::subscriber::with_default;
///
/// with_default(omniscope_tracing::OmniscopeSubscriber::new(), || {
///     tracing::info!(answer = 42, "logged through omniscope");
/// });
/// ```
#[derive(Debug, Default)]
pub struct OmniscopeSubscriber {
    spans: Pool<Node>,
}

/// One open `tracing` span (or, between uses, a cleared slot).
#[derive(Debug, Default)]
struct Node {
    /// Handles to the span (`clone_span` adds one, `try_close` removes one).
    refs: AtomicUsize,
    /// `None` only in a cleared slot.
    meta: Option<&'static Metadata<'static>>,
    /// `None` when no omniscope span was started for it (an export
    /// thread's span, or the bridge's own).
    state: Option<SpanState>,
}

impl Clear for Node {
    /// The span's last handle is gone: its omniscope span ends here.
    fn clear(&mut self) {
        self.state = None;
        self.meta = None;
    }
}

/// The id of spans not kept because the pool was full.
const NOT_KEPT: u64 = u64::MAX;

/// Spans not kept (see [`dropped_spans`]).
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// How many `tracing` spans [`OmniscopeSubscriber`] could not keep since the
/// process started: its pool was full (millions of open spans). Such a span
/// is not recorded, and what runs in it is in its parent.
pub fn dropped_spans() -> u64 {
    DROPPED.load(Ordering::Relaxed)
}

/// One span entered on this thread, innermost last: its id, its metadata
/// (for `Span::current()`) and the omniscope context it made current.
type Entered = (u64, &'static Metadata<'static>, ContextGuard);

thread_local! {
    static ENTERED: RefCell<Vec<Entered>> = const { RefCell::new(Vec::new()) };
}

fn key(id: &Id) -> Option<usize> {
    usize::try_from(id.into_u64().checked_sub(1)?).ok()
}

impl OmniscopeSubscriber {
    /// A subscriber with no span open.
    pub fn new() -> OmniscopeSubscriber {
        OmniscopeSubscriber { spans: Pool::new() }
    }

    fn context_of(&self, id: &Id) -> Option<OmniContext> {
        let node = self.spans.get(key(id)?)?;
        node.state.as_ref()?.context().cloned()
    }
}

/// Installs [`OmniscopeSubscriber`] as `tracing`'s global default, in one call.
///
/// # Errors
///
/// Another global `tracing` subscriber is installed already (`tracing`
/// allows one per process): add [`layer()`](crate::layer()) to that one instead.
pub fn install() -> Result<(), SetGlobalDefaultError> {
    tracing::subscriber::set_global_default(OmniscopeSubscriber::new())
}

impl Subscriber for OmniscopeSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if callsite(meta).is_bridge() {
            return Interest::never();
        }
        // A tracer, once installed, stays: its spans need no question per
        // use. omniscope's level can change at any time, and a tracer may
        // come later: asked again (`enabled`) on each use, one load each.
        if meta.is_span() && omniscope::__private::tracing_active() {
            Interest::always()
        } else {
            Interest::sometimes()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        if meta.is_span() {
            omniscope::__private::tracing_active()
        } else {
            level(*meta.level()) <= omniscope::max_level()
        }
    }

    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        // Not omniscope's current level: it may be raised later, and
        // `tracing` would not ask again.
        None
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        // The slot first, then the span started straight into it; the slot
        // is published when `node` drops.
        let Some(mut node) = self.spans.create() else {
            DROPPED.fetch_add(1, Ordering::Relaxed);
            return Id::from_u64(NOT_KEPT);
        };
        *node.refs.get_mut() = 1;
        node.meta = Some(attrs.metadata());
        SpanState::start_into(&mut node.state, attrs, |parent| self.context_of(parent));
        Id::from_u64(node.key() as u64 + 1)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        if let Some(node) = key(span).and_then(|k| self.spans.get(k)) {
            if let Some(state) = &node.state {
                state.record(values);
            }
        }
    }

    fn record_follows_from(&self, span: &Id, follows: &Id) {
        let cause = key(follows)
            .and_then(|k| self.spans.get(k))
            .and_then(|n| n.state.as_ref().and_then(SpanState::span_context));
        if let (Some(cause), Some(node)) = (cause, key(span).and_then(|k| self.spans.get(k))) {
            if let Some(state) = &node.state {
                state.add_link(&cause);
            }
        }
    }

    fn event(&self, event: &Event<'_>) {
        log_event(event, |parent| self.context_of(parent));
    }

    fn enter(&self, span: &Id) {
        // The slot's guard used where it is returned (through
        // `Option::and_then` it was copied, and reading the copy back
        // stalled on the stores just made).
        let Some(key) = key(span) else {
            return;
        };
        let Some(node) = self.spans.get(key) else {
            return;
        };
        let Some(meta) = node.meta else {
            return;
        };
        // A clone of the span's context, built in place on the thread's
        // context stack.
        let guard =
            omniscope::__private::attach_clone(node.state.as_ref().and_then(SpanState::context));
        drop(node);
        let rejected = ENTERED.try_with(|entered| match entered.try_borrow_mut() {
            Ok(mut entered) => {
                entered.push((span.into_u64(), meta, guard));
                None
            }
            Err(_) => Some(guard),
        });
        // Thread teardown: the context is left at once.
        drop(rejected);
    }

    fn exit(&self, span: &Id) {
        let id = span.into_u64();
        let left = ENTERED.try_with(|entered| {
            let mut entered = entered.try_borrow_mut().ok()?;
            // Spans are exited in the reverse order they were entered,
            // nearly always: the innermost, popped without a search.
            if entered.last()?.0 == id {
                return entered.pop();
            }
            let at = entered.iter().rposition(|e| e.0 == id)?;
            Some(entered.remove(at))
        });
        // Dropped outside the borrow: leaving a context may run code that
        // enters spans.
        drop(left);
    }

    fn clone_span(&self, id: &Id) -> Id {
        if let Some(node) = key(id).and_then(|k| self.spans.get(k)) {
            node.refs.fetch_add(1, Ordering::Relaxed);
        }
        id.clone()
    }

    fn try_close(&self, id: Id) -> bool {
        let Some(key) = key(&id) else {
            return false;
        };
        let Some(node) = self.spans.get(key) else {
            return false;
        };
        // The last handle: the slot is cleared (and the omniscope span
        // ends) once no lookup holds it.
        if node.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return false;
        }
        drop(node);
        self.spans.clear(key)
    }

    fn current_span(&self) -> Current {
        ENTERED
            .try_with(|entered| {
                let entered = entered.try_borrow().ok()?;
                let (id, meta, _) = entered.last()?;
                Some(Current::new(Id::from_u64(*id), meta))
            })
            .ok()
            .flatten()
            .unwrap_or_else(Current::none)
    }
}
