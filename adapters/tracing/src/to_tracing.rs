//! omniscope into `tracing`: [`TracingLogger`] and [`TracingTracer`], for
//! applications whose only backend is a `tracing-subscriber` stack.
//!
//! `tracing` call sites are static, so the records and spans appear under
//! one target, [`TARGET`], with what omniscope knows as fields:
//! `omniscope.target` and `fields` (the structured fields as `k=v` text)
//! on events; `otel.name`, `otel.kind` and `fields` on spans (all named
//! `omniscope`), so `tracing-opentelemetry` and `fmt` show the real name.
//! [`OmniscopeLayer`](crate::OmniscopeLayer) ignores [`TARGET`], so
//! installing both directions does not loop.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use omniscope::sync::lock;
use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{
    Field, Level, LevelFilter, Logger, Record, SpanContext, SpanId, Status, TraceFlags, TraceId,
    Tracer,
};

/// The `tracing` target of what the bridge emits.
pub const TARGET: &str = "omniscope";

/// Structured fields as `k=v k=v` text.
struct Fields<'a>(&'a [Field<'a>]);

impl fmt::Display for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, field) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{}={}", field.key(), field.value())?;
        }
        Ok(())
    }
}

/// Runs `$body` with `$level` as a `tracing::Level` constant (call sites
/// need one).
macro_rules! with_level {
    ($level:expr, $l:ident => $body:expr) => {
        match $level {
            Level::Error => {
                const $l: tracing::Level = tracing::Level::ERROR;
                $body
            }
            Level::Warn => {
                const $l: tracing::Level = tracing::Level::WARN;
                $body
            }
            Level::Info => {
                const $l: tracing::Level = tracing::Level::INFO;
                $body
            }
            Level::Debug => {
                const $l: tracing::Level = tracing::Level::DEBUG;
                $body
            }
            Level::Trace => {
                const $l: tracing::Level = tracing::Level::TRACE;
                $body
            }
        }
    };
}

/// An omniscope [`Logger`] that emits each record as a `tracing` event:
/// its level, message, `omniscope.target` and `fields`, inside the
/// `tracing` span of the omniscope span it was emitted in when
/// [`TracingTracer`] made one, else in `tracing`'s current span.
///
/// ```
/// omniscope::set_logger(omniscope_tracing::TracingLogger::new()).unwrap();
/// omniscope::info!("reaches the tracing subscriber"; order.id = 7);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct TracingLogger {
    _private: (),
}

impl TracingLogger {
    /// A logger emitting into the current `tracing` dispatcher.
    pub const fn new() -> TracingLogger {
        TracingLogger { _private: () }
    }
}

impl Logger for TracingLogger {
    fn enabled(&self, metadata: &omniscope::Metadata<'_>) -> bool {
        with_level!(metadata.level(), L => tracing::enabled!(target: TARGET, L))
    }

    fn log(&self, record: &Record<'_>) {
        let message = record.format_message();
        let fields = Fields(record.fields());
        let parent = record.span_id().and_then(tracing_span_of);
        with_level!(record.level(), L => match parent {
            Some(parent) => tracing::event!(
                target: TARGET, parent: parent, L,
                omniscope.target = record.target(), fields = %fields, "{message}"
            ),
            None => tracing::event!(
                target: TARGET, L,
                omniscope.target = record.target(), fields = %fields, "{message}"
            ),
        });
    }

    fn max_level_hint(&self) -> LevelFilter {
        // Not `tracing`'s current maximum: read once, at install, it is
        // `OFF` until a `tracing` subscriber is set, and may change later.
        // `tracing`'s own call site check filters each record instead.
        LevelFilter::Trace
    }
}

/// The `tracing` spans of open omniscope spans, by span id, for
/// [`TracingLogger`] and for children: one map for the process, as the
/// global logger and tracer are.
static OPEN: Mutex<Option<HashMap<u64, tracing::Span>>> = Mutex::new(None);

fn tracing_span_of(span: SpanId) -> Option<tracing::Id> {
    lock(&OPEN)
        .as_ref()?
        .get(&span.to_u64())
        .and_then(tracing::Span::id)
}

/// An omniscope [`Tracer`] that opens a `tracing` span for each omniscope
/// span: named `omniscope`, with the real name in `otel.name` (which
/// `tracing-opentelemetry` uses), `otel.kind`, the start fields as
/// `fields`, and the `tracing` span of its omniscope parent as parent.
/// Events, errors and attributes set later become `tracing` events in it;
/// a status sets `otel.status_code` and `otel.status_description`.
///
/// Spans that `tracing`'s filters disable are not started (children and
/// logs then see the parent).
#[derive(Debug)]
pub struct TracingTracer {
    ids: RandomState,
    next: AtomicU64,
}

impl Default for TracingTracer {
    fn default() -> TracingTracer {
        TracingTracer::new()
    }
}

impl TracingTracer {
    /// A tracer opening spans in the current `tracing` dispatcher.
    pub fn new() -> TracingTracer {
        TracingTracer {
            ids: RandomState::new(),
            next: AtomicU64::new(1),
        }
    }

    /// A non-zero random-looking id: a keyed hash of a counter.
    fn id(&self) -> u64 {
        let mut hasher = self.ids.build_hasher();
        hasher.write_u64(self.next.fetch_add(1, Ordering::Relaxed));
        hasher.finish().max(1)
    }

    fn with_span(&self, token: SpanToken, f: impl FnOnce(&tracing::Span)) {
        let span = lock(&OPEN)
            .as_ref()
            .and_then(|open| open.get(&token.0).cloned());
        if let Some(span) = span {
            f(&span);
        }
    }
}

impl Tracer for TracingTracer {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let parent = start.parent().filter(|p| p.is_valid());
        let tracing_parent = parent.and_then(|p| tracing_span_of(p.span_id()));
        let site = start.site();
        let fields = Fields(start.fields());
        let span = with_level!(site.level(), L => match tracing_parent {
            Some(p) => tracing::span!(
                target: TARGET, parent: p, L, "omniscope",
                otel.name = start.name(), otel.kind = site.kind().as_str(), fields = %fields,
                otel.status_code = tracing::field::Empty,
                otel.status_description = tracing::field::Empty,
            ),
            None => tracing::span!(
                target: TARGET, L, "omniscope",
                otel.name = start.name(), otel.kind = site.kind().as_str(), fields = %fields,
                otel.status_code = tracing::field::Empty,
                otel.status_description = tracing::field::Empty,
            ),
        });
        if span.is_disabled() {
            return StartedSpan::unsampled();
        }
        let trace_id = match parent {
            Some(p) => p.trace_id(),
            None => TraceId::from_u128(u128::from(self.id()) << 64 | u128::from(self.id())),
        };
        let span_id = self.id();
        let context = SpanContext::new(trace_id, SpanId::from_u64(span_id), TraceFlags::SAMPLED);
        lock(&OPEN)
            .get_or_insert_with(HashMap::new)
            .insert(span_id, span);
        StartedSpan::recording(context, SpanToken(span_id))
    }

    fn end(&self, token: SpanToken) {
        let span = lock(&OPEN).as_mut().and_then(|open| open.remove(&token.0));
        // Closed outside the lock: closing runs the subscriber's code.
        drop(span);
    }

    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        self.with_span(token, |span| {
            tracing::trace!(
                target: TARGET, parent: span, key = field.key(), value = %field.value(), "attribute"
            );
        });
    }

    fn add_event(&self, token: SpanToken, name: &str, fields: &[Field<'_>]) {
        let fields = Fields(fields);
        self.with_span(token, |span| {
            tracing::info!(target: TARGET, parent: span, fields = %fields, "{name}");
        });
    }

    fn set_status(&self, token: SpanToken, status: &Status) {
        self.with_span(token, |span| match status {
            Status::Unset => {}
            Status::Ok => {
                span.record("otel.status_code", "ok");
            }
            Status::Error(description) => {
                span.record("otel.status_code", "error");
                span.record("otel.status_description", description.as_ref());
            }
        });
    }
}
