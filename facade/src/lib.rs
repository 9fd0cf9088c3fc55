//! One vendor-neutral facade for the four signals a service emits: logs,
//! metrics, traces and errors.
//!
//! Business code depends on this crate alone. It has no dependencies, and
//! with no backend installed every macro costs one relaxed atomic load.
//! `main` installs backends once (usually through `omniscope-kit`), and
//! from then on every call site — including handles created earlier —
//! reports there.
//!
//! # In libraries
//!
//! Depend on `omniscope` only and instrument freely:
//!
//! ```
//! use omniscope::{counter, handle_error, histogram, info, span};
//!
//! fn create_order(id: u64, total: f64) -> Result<(), std::io::Error> {
//!     let _span = span!("create_order", order.id = id);      // current until dropped
//!     info!("creating order"; order.id = id, order.total = total);
//!     counter!("orders.created", "channel" => "web").increment(1);
//!     histogram!("order.amount").record(total);
//!     let result = Err(std::io::Error::other("inventory service down"));
//!     if let Err(e) = &result {
//!         handle_error!(e; order.id = id);                    // carries the span's trace id
//!     }
//!     result
//! }
//! # let _ = create_order(1, 9.5);
//! ```
//!
//! The log macros take fields after the message, behind a `;` (above), or
//! before it, as `tracing` writes them:
//! `info!(order.id = id, sku = %sku, "looked up {}", sku)`.
//!
//! With the `macros` feature, `#[omniscope::instrument]` turns a function
//! into a span named after it (arguments as attributes, an `Err` or a panic
//! recorded on it) plus per-function meters: `function.calls`,
//! `function.in_flight`, `function.duration{outcome}` (seconds),
//! `function.errors{kind}` and `function.panics`, all labelled
//! `function="module::path::fn"` (OpenTelemetry-style names, which
//! Prometheus shows as `function_calls_total`, `function_duration_seconds`…:
//! see [`metrics::names`]). An async function's span starts at the call and
//! follows its future across threads.
//! Its `err`, `ret`, `skip`, `fields`, `level` and `name` arguments mean what
//! they mean in `tracing`.
//!
//! [`Span::current()`](Span::current) is a handle to the current span, as in
//! `tracing`: set attributes, status, events and errors on it from anywhere
//! inside the span.
//!
//! Expected errors are not failures: implement [`UserError`] for an error
//! type (a not-found, a validation error) and `#[instrument]` and
//! [`handle_error!`] record such errors as expected — no error status, not
//! a failed call, counted in `function.user_errors` / `user_errors`, never
//! reported to Sentry — while the type's other errors stay failures.
//!
//! # In applications
//!
//! Install backends once, at the start of `main`. `omniscope-kit` chooses
//! them through Cargo features and `OTEL_*` variables; by hand, it is one
//! call per signal: [`set_logger`], [`set_meter`], [`set_tracer`],
//! [`set_error_handler`] (a second call hands the value back in
//! [`SetGlobalError`]). Logs and handled errors emitted before that are
//! kept in a small buffer and replayed ([`preinit`]).
//!
//! # Testing
//!
//! [`testing::capture`] records all four signals emitted inside a closure,
//! on that thread and in work it hands its context to, without installing
//! anything global — so parallel tests do not see each other's data:
//!
//! ```
//! let captured = omniscope::testing::capture(|| {
//!     let _s = omniscope::span!("work");
//!     omniscope::info!("inside"; n = 3);
//!     omniscope::counter!("jobs_total").increment(2);
//! });
//! assert_eq!(captured.counter("jobs_total", &[]), Some(2));
//! # // The `max_level_*` features (all on under `--all-features`) compile logs and spans out.
//! # if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL { return; }
//! let span = captured.span("work").expect("span recorded");
//! assert_eq!(captured.logs()[0].trace_id, Some(span.trace_id));
//! ```
//!
//! # Implementing a backend
//!
//! Implement [`Logger`], [`Meter`], [`Tracer`] or [`ErrorHandler`]. The
//! traits are object-safe, take `&self`, and have default bodies for all
//! but their essential methods. Implementations must never panic and never
//! block the caller: `omniscope-sdk` is the reference implementation, with
//! bounded queues and background export.
//!
//! # Feature flags
//!
//! - `macros`: re-exports `#[instrument]` from `omniscope-macros`.
//! - `max_level_{off,error,warn,info,debug,trace}` and
//!   `release_max_level_*`: compile out log calls and spans more verbose
//!   than the level, as in the `log` crate (see [`STATIC_MAX_LEVEL`]). Unlike
//!   `log`, the most verbose enabled one wins, so features stay additive and
//!   `--all-features` compiles every level in. Only applications should
//!   enable them.
//!
//! # Supported Rust versions
//!
//! The latest stable Rust and the three minor versions before it. Raising
//! the minimum within that window is not a breaking change.
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod baggage;
pub mod context;
pub mod error;
mod function;
mod global;
pub mod hash;
mod level;
pub mod log;
mod macros;
pub mod metrics;
pub mod preinit;
pub mod propagation;
pub mod sync;
pub mod testing;
pub mod trace;
mod value;

pub use baggage::{Baggage, BaggageError};
pub use context::Context;
pub use error::{
    error_chain, error_sources, handle_error, install_panic_hook, ErrorContext, ErrorHandler,
    ErrorKind, ErrorSources, NoopErrorHandler, UserError, MAX_ERROR_CHAIN,
};
pub use global::{
    dropped_on_reentry, error_handler, is_dispatching, logger, meter, set_error_handler,
    set_logger, set_meter, set_tracer, suppress_current_thread, tracer, DroppedOnReentry,
    SetGlobalError,
};
pub use level::{max_level, set_max_level, Level, LevelFilter, ParseLevelError, STATIC_MAX_LEVEL};
pub use log::{Logger, Metadata, NoopLogger, Record, SourceLocation};
pub use metrics::{Meter, NoopMeter};
pub use trace::{
    CurrentSpan, Exception, FutureExt, Instrumented, NoopTracer, SamplingHint, SamplingRequest,
    Span, SpanContext, SpanGuard, SpanId, SpanKind, SpanSite, Status, TraceFlags, TraceId,
    TraceState, TraceStateError, Tracer,
};
pub use value::{
    catch_format_panic, format_panics, Field, OwnedValue, ToValue, Value, PANICKED_WHILE_FORMATTING,
};

// No doc comment here: rustdoc would put it in front of the macro's own.
#[cfg(feature = "macros")]
#[cfg_attr(docsrs, doc(cfg(feature = "macros")))]
pub use omniscope_macros::instrument;

/// What the macros expand to. Not public API.
#[doc(hidden)]
pub mod __private {
    use std::borrow::Cow;

    use crate::global::{self, Signal, SCOPED};
    use crate::metrics::{Counter, Gauge, Histogram, Key, UpDownCounter};
    use crate::{Field, Metadata, Record, Span, SpanSite, ToValue, Value};

    pub use crate::function::{
        call_once, debug_value, display_value, error_event_level, event, event_enabled, ArgRef,
        ArgViaDebug, ArgViaToValue, Call, Captures, ErrorRef, ErrorViaDebug, ErrorViaDisplay,
        ErrorViaDyn, ErrorViaDynSendSync, ErrorViaError, ErrorViaType, EventDebug, EventDisplay,
        Function, FunctionLabels, NotAnError, RecordableArg, ResultRef, ResultViaOther,
        ResultViaResult, UserErrorRef, UserErrorViaOther, UserErrorViaTrait,
    };

    /// A log call that passed the level checks.
    #[inline]
    pub fn log(metadata: Metadata<'_>, args: std::fmt::Arguments<'_>, fields: &[Field<'_>]) {
        // The flags read here, inlined into the caller (see `dispatch_flags`).
        let flags = global::dispatch_flags();
        global::dispatch_log_flagged(flags, &Record::new(metadata, args, fields));
    }

    /// Whether the scoped or installed logger keeps this metadata.
    pub fn log_enabled(metadata: &Metadata<'_>) -> bool {
        if let Some(enabled) = global::scoped(|s| s.logger().enabled(metadata)) {
            return enabled;
        }
        global::state() & Signal::Logger.bit() != 0
            && metadata.level() <= crate::level::base_max_level()
            && global::logger().enabled(metadata)
    }

    /// One relaxed load: is any tracer (global or scoped) there?
    #[inline(always)]
    pub fn tracing_active() -> bool {
        global::state() & (Signal::Tracer.bit() | SCOPED) != 0
    }

    /// One relaxed load: is any meter (global or scoped) there?
    #[inline(always)]
    pub fn metrics_active() -> bool {
        global::state() & (Signal::Meter.bit() | SCOPED) != 0
    }

    /// Starts a span at a static site.
    #[inline]
    pub fn start_span(site: &'static SpanSite, fields: &[Field<'_>]) -> Span {
        crate::trace::start_span(site, None, fields)
    }

    /// Makes a clone of `cx` current until the guard drops, the clone built
    /// in place (see `Context::attach_clone`): for adapters that enter a
    /// context they keep, such as `omniscope-tracing`. With `None`, a guard
    /// that leaves nothing (so that an adapter's own stack needs no
    /// `Option` around it).
    #[inline]
    pub fn attach_clone(cx: Option<&crate::Context>) -> crate::context::ContextGuard {
        match cx {
            Some(cx) => cx.attach_clone(),
            None => crate::context::ContextGuard::none(),
        }
    }

    /// Starts a span at a static site into `out`, which it replaces (for
    /// adapters that keep spans in slots of their own).
    #[inline]
    pub fn start_span_into(out: &mut Span, site: &'static SpanSite, fields: &[Field<'_>]) {
        crate::trace::start_span_into(out, site, fields);
    }

    /// Starts a span at a static site and makes it current.
    #[inline]
    pub fn enter_span(site: &'static SpanSite, fields: &[Field<'_>]) -> crate::SpanGuard {
        crate::trace::enter_span(site, fields)
    }

    /// A counter for a key built at the call site.
    pub fn dynamic_counter(key: &Key<'_>) -> Cow<'static, Counter> {
        crate::metrics::dynamic_counter(key)
    }

    /// An up-down counter for a key built at the call site.
    pub fn dynamic_up_down_counter(key: &Key<'_>) -> Cow<'static, UpDownCounter> {
        crate::metrics::dynamic_up_down_counter(key)
    }

    /// A gauge for a key built at the call site.
    pub fn dynamic_gauge(key: &Key<'_>) -> Cow<'static, Gauge> {
        crate::metrics::dynamic_gauge(key)
    }

    /// A histogram for a key built at the call site.
    pub fn dynamic_histogram(key: &Key<'_>) -> Cow<'static, Histogram> {
        crate::metrics::dynamic_histogram(key)
    }

    /// A no-op metric handle (allocates nothing).
    #[inline]
    pub fn noop_handle<H: Clone + Default>() -> Cow<'static, H> {
        Cow::Owned(H::default())
    }

    /// Converts a field value.
    #[inline]
    pub fn to_value<T: ToValue + ?Sized>(value: &T) -> Value<'_> {
        value.to_value()
    }

    /// Reports an error of type `type_name` (as `type_name_of_val` gives
    /// it), marked as expected or not, with fields at a location.
    pub fn report(
        error: &(dyn std::error::Error + 'static),
        user_error: bool,
        type_name: &'static str,
        fields: &[Field<'_>],
        location: &std::panic::Location<'_>,
    ) {
        // `handle_error!(&e)` with `e: &E` names `&E`: the error is `E`.
        let type_name = type_name.trim_start_matches('&');
        crate::error::report_marked(error, user_error, Some(type_name), fields, location);
    }
}
