//! [`OmniscopeLayer`]: `tracing` spans and events into omniscope.

use omniscope::Context as OmniContext;
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::LookupSpan;

use crate::bridge::{log_event, SpanState};
use crate::entered;

/// A [`tracing_subscriber::Layer`] that turns `tracing` spans into omniscope
/// spans and `tracing` events into omniscope logs, through whatever tracer
/// and logger omniscope has installed.
///
/// It filters nothing by itself, so it composes with `fmt`, `EnvFilter`
/// and other layers as any layer does (a per-layer filter through
/// [`Layer::with_filter`](tracing_subscriber::Layer::with_filter) applies
/// to it alone); events also pass omniscope's own level and per-target
/// filters. See the [crate documentation](crate) for what is mapped to what.
#[derive(Clone, Copy, Debug, Default)]
pub struct OmniscopeLayer {
    _private: (),
}

impl OmniscopeLayer {
    /// A layer sending to omniscope's installed tracer and logger.
    pub const fn new() -> OmniscopeLayer {
        OmniscopeLayer { _private: () }
    }
}

/// A [`OmniscopeLayer`]: add it to a `tracing_subscriber::registry()`.
pub const fn layer() -> OmniscopeLayer {
    OmniscopeLayer::new()
}

/// The omniscope context of the span `id` or, if the layer keeps nothing
/// for it (it was filtered out for this layer, or started on an export
/// thread), of its nearest ancestor that has one.
fn context_of<S>(id: &Id, ctx: &Context<'_, S>) -> Option<OmniContext>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let scope = ctx.span_scope(id)?;
    for span in scope {
        if let Some(cx) = span
            .extensions()
            .get::<SpanState>()
            .and_then(SpanState::context)
        {
            return Some(cx.clone());
        }
    }
    None
}

impl<S> tracing_subscriber::Layer<S> for OmniscopeLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let Some(state) = SpanState::start(attrs, |parent| context_of(parent, &ctx)) else {
            return;
        };
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(state);
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            if let Some(state) = span.extensions().get::<SpanState>() {
                state.record(values);
            }
        }
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        let Some(cause) = ctx.span(follows) else {
            return;
        };
        let Some(link) = cause
            .extensions()
            .get::<SpanState>()
            .and_then(SpanState::span_context)
        else {
            return;
        };
        if let Some(span) = ctx.span(id) {
            if let Some(state) = span.extensions().get::<SpanState>() {
                state.add_link(&link);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        log_event(event, |parent| context_of(parent, &ctx));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        // A clone of the span's context, built in place on the thread's
        // context stack.
        let guard = span
            .extensions()
            .get::<SpanState>()
            .and_then(SpanState::context)
            .map(|cx| omniscope::__private::attach_clone(Some(cx)));
        if let Some(guard) = guard {
            entered::enter(id, guard);
        }
    }

    fn on_exit(&self, id: &Id, _: Context<'_, S>) {
        entered::exit(id);
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else {
            return;
        };
        // Taken out first: the span ends (and the tracer runs) with the
        // extensions unlocked.
        let state = span.extensions_mut().remove::<SpanState>();
        drop(state);
    }
}
