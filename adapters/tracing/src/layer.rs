//! [`OmniscopeLayer`]: `tracing` spans and events into omniscope.

use omniscope::{Context as OmniContext, Span, SpanKind};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::Context;
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::callsite::{callsite, Callsite};
use crate::entered;
use crate::fields::{with_scratch, Collected, Collector, Recorder, StatusFields};

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

/// What the layer keeps in a `tracing` span's extensions.
struct SpanState {
    span: Span,
    callsite: &'static Callsite,
    status: StatusFields,
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
            .and_then(|s| s.span.as_context())
        {
            return Some(cx.clone());
        }
    }
    None
}

/// The context a span or event starts under: its explicit parent's, a new
/// trace for `parent: None`, and otherwise (`None`) the thread's current
/// omniscope context, which already holds the innermost span of either kind.
fn explicit_parent<S>(
    is_root: bool,
    parent: Option<&Id>,
    ctx: &Context<'_, S>,
) -> Option<OmniContext>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    if is_root {
        return Some(OmniContext::new());
    }
    parent.and_then(|id| context_of(id, ctx))
}

fn state<'a, S, R>(span: &SpanRef<'a, S>, f: impl FnOnce(&mut SpanState) -> R) -> Option<R>
where
    S: Subscriber + for<'l> LookupSpan<'l>,
{
    span.extensions_mut().get_mut::<SpanState>().map(f)
}

/// Starts the span of `attrs`, whose fields are collected into `collected`
/// first: they are its attributes, and `otel.name`, `otel.kind` must be
/// known before it starts.
fn start_with_fields(
    attrs: &Attributes<'_>,
    parent: &OmniContext,
    callsite: &'static Callsite,
    collected: &mut Collected,
) -> SpanState {
    attrs.record(&mut Collector {
        out: collected,
        callsite,
        event: false,
    });
    let site = callsite.site(collected.kind().unwrap_or_default());
    let span =
        collected.with_fields(|fields| Span::start_in(parent, site, collected.name(), fields));
    let mut status = StatusFields::default();
    if callsite.has_special() && span.is_recording() {
        let (code, description) = collected.status();
        if code.is_some() || description.is_some() {
            status.apply(&span, code, description);
        }
        if collected.has_error() {
            attrs.record(&mut Recorder {
                span: &span,
                callsite,
                status: &mut status,
                errors_only: true,
            });
        }
    }
    SpanState {
        span,
        callsite,
        status,
    }
}

impl<S> tracing_subscriber::Layer<S> for OmniscopeLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        // An export thread's transport stack (h2, hyper, tonic, rustls):
        // telemetry about telemetry, never fed back.
        if omniscope::is_dispatching() {
            return;
        }
        let Some(span_ref) = ctx.span(id) else {
            return;
        };
        let meta = attrs.metadata();
        let callsite = callsite(meta);
        if callsite.is_bridge() {
            return;
        }
        let parent = explicit_parent(attrs.is_root(), attrs.parent(), &ctx);
        let parent = parent.unwrap_or_else(OmniContext::current);
        let state = if attrs.is_empty() {
            // No fields: nothing to collect, no buffer to take.
            SpanState {
                span: Span::start_in(&parent, callsite.site(SpanKind::Internal), None, &[]),
                callsite,
                status: StatusFields::default(),
            }
        } else {
            with_scratch(|collected| start_with_fields(attrs, &parent, callsite, collected))
        };
        span_ref.extensions_mut().insert(state);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        state(&span, |state| {
            if state.span.is_recording() {
                values.record(&mut Recorder {
                    span: &state.span,
                    callsite: state.callsite,
                    status: &mut state.status,
                    errors_only: false,
                });
            }
        });
    }

    fn on_follows_from(&self, id: &Id, follows: &Id, ctx: Context<'_, S>) {
        let Some(cause) = ctx.span(follows) else {
            return;
        };
        let Some(link) = cause
            .extensions()
            .get::<SpanState>()
            .and_then(|s| s.span.context())
        else {
            return;
        };
        if let Some(span) = ctx.span(id) {
            state(&span, |state| state.span.add_link(&link, &[]));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let callsite = callsite(meta);
        let level = callsite.level();
        if level > omniscope::max_level() || omniscope::is_dispatching() || callsite.is_bridge() {
            return;
        }
        let metadata =
            omniscope::Metadata::new(level, meta.target()).with_location(callsite.location());
        // The facade's own dispatch (not `logger().log`): its re-entrancy
        // guard, pre-init buffer and `omniscope::testing` captures apply.
        if !omniscope::__private::log_enabled(&metadata) {
            return;
        }
        let parent = explicit_parent(event.is_root(), event.parent(), &ctx);
        with_scratch(|collected| {
            event.record(&mut Collector {
                out: collected,
                callsite,
                event: true,
            });
            let message = collected.message().unwrap_or("");
            collected.with_fields(|fields| {
                let _in_parent = parent.map(OmniContext::attach);
                omniscope::__private::log(metadata, format_args!("{message}"), fields);
            });
        });
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else {
            return;
        };
        let cx = span
            .extensions()
            .get::<SpanState>()
            .and_then(|s| s.span.as_context().cloned());
        if let Some(cx) = cx {
            entered::enter(id, cx.attach());
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
