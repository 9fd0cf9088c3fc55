//! What `#[instrument]` (crate `omniscope-macros`) expands to: the static
//! per-function site and meters, the guard of one call, and the
//! autoref-specialization helpers. Not public API; reached through
//! `::omniscope::__private`.
//!
//! # One call
//!
//! [`Function::start`] reads the dispatch state once. With a tracer (or a
//! [`testing`](crate::testing) capture), and the site's level not compiled
//! out by the `max_level_*` features, it starts the span; with a meter (or a
//! capture) it counts the call, raises `function.in_flight` and reads the
//! clock. The returned [`Call`] carries those decisions to the end, so a
//! meter installed mid-call cannot unbalance `function.in_flight`. With
//! nothing installed the whole call costs that one relaxed load and
//! allocates nothing.
//!
//! A sync body runs with the span current ([`Call::enter`]); an async body
//! is polled through [`Call::run`], which makes it current on every poll.
//! The call ends in one of three ways:
//! - [`Call::finish`] after the body returned: outcome `ok`, or `error` if
//!   [`Call::record_error`] saw an `Err` first;
//! - a panic: outcome `panic`. A sync call ends in `Drop` as the thread
//!   unwinds; an async one in a guard inside the poll that unwinds, because
//!   executors drop a panicked future only after catching the panic, when
//!   `std::thread::panicking()` is false again. Either way the span is
//!   dropped during the unwind, so [`Span`]'s own `Drop` records the panic;
//! - `Drop` otherwise: an async call whose future was dropped before it
//!   completed. The body is dropped first, inside the span's context (as
//!   [`FutureExt::in_span`](crate::FutureExt::in_span) does), then in-flight
//!   goes down and the span ends. No duration is recorded: `outcome` is
//!   `ok`, `error` or `panic`, and a cancelled call is none of them.
//!
//! The meters resolve through the current context (a capture's recorder
//! lives there), so every exit runs in the call's context: the span's, or,
//! when there is no span during a capture, the caller's.
//!
//! # Specialization
//!
//! Argument values, error recording and "is this a `Result`?" are chosen by
//! autoref specialization at the expansion site, where the types are known:
//! `(&&ArgRef(&x)).__omniscope_value()` finds the [`ArgViaToValue`] impl if
//! the type implements [`ToValue`](crate::ToValue), else the [`ArgViaDebug`] one, whose
//! method requires [`RecordableArg`] (a type with neither is a compile error
//! at the argument, with that trait's message). Method probing ignores
//! lifetimes, so no level may require `'static`.

use std::backtrace::Backtrace;
use std::error::Error;
use std::fmt;
use std::future::{poll_fn, Future};
use std::pin::{pin, Pin};
use std::task::{Context as TaskContext, Poll};
use std::time::Instant;

use crate::context::{Context, ContextGuard};
use crate::error::{error_sources, short_type_name, typed_kind_label, MAX_ERROR_CHAIN};
use crate::global::{self, Signal, SCOPED};
use crate::metrics::names::{
    FUNCTION_CALLS as CALLS, FUNCTION_DURATION as DURATION, FUNCTION_ERRORS as ERRORS,
    FUNCTION_IN_FLIGHT as IN_FLIGHT, FUNCTION_PANICS as PANICS,
    FUNCTION_USER_ERRORS as USER_ERRORS,
};
use crate::metrics::{
    Counter, Key, Label, LazyCounter, LazyHistogram, LazyUpDownCounter, MetricMeta, Unit,
};
use crate::trace::{Exception, Span, SpanSite};
use crate::value::{string_or_placeholder, Field, Value};

mod autoref;
mod typed;

pub use autoref::*;

const CALLS_META: MetricMeta =
    MetricMeta::new(Unit::custom("{call}"), "Calls of an instrumented function");
const IN_FLIGHT_META: MetricMeta = MetricMeta::new(
    Unit::custom("{call}"),
    "Calls of an instrumented function not finished yet",
);
const DURATION_META: MetricMeta = MetricMeta::new(
    Unit::SECONDS,
    "Duration of the calls of an instrumented function, by outcome",
);
const ERRORS_META: MetricMeta = MetricMeta::new(
    Unit::custom("{error}"),
    "Calls of an instrumented function that returned an error, by kind of error",
);
const USER_ERRORS_META: MetricMeta = MetricMeta::new(
    Unit::custom("{error}"),
    "Calls of an instrumented function that returned an expected error (a user error), by kind of error",
);
const PANICS_META: MetricMeta = MetricMeta::new(
    Unit::custom("{panic}"),
    "Calls of an instrumented function that panicked",
);

/// The label sets of one function's meters, in a `static` of their own so
/// that [`Function`]'s keys can borrow them for `'static`.
pub struct FunctionLabels {
    function: [Label<'static>; 1],
    ok: [Label<'static>; 2],
    error: [Label<'static>; 2],
    panic: [Label<'static>; 2],
}

impl FunctionLabels {
    /// The labels for the function `qualified_name` (`module::path::function`).
    pub const fn new(qualified_name: &'static str) -> FunctionLabels {
        let function = Label::from_static("function", qualified_name);
        FunctionLabels {
            function: [function],
            ok: [
                Label::from_static("function", qualified_name),
                Label::from_static("outcome", "ok"),
            ],
            error: [
                Label::from_static("function", qualified_name),
                Label::from_static("outcome", "error"),
            ],
            panic: [
                Label::from_static("function", qualified_name),
                Label::from_static("outcome", "panic"),
            ],
        }
    }
}

impl fmt::Debug for FunctionLabels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FunctionLabels")
            .field("function", &self.function[0].value())
            .finish()
    }
}

/// One instrumented function: its span site and its meters. Lives in a
/// `static` in the function's body.
#[derive(Debug)]
pub struct Function {
    site: SpanSite,
    calls: LazyCounter,
    in_flight: LazyUpDownCounter,
    duration_ok: LazyHistogram,
    duration_error: LazyHistogram,
    duration_panic: LazyHistogram,
    panics: LazyCounter,
    /// A method's `Function` for each `Self` type it was called on (see
    /// [`Function::start_method`]).
    typed: typed::Typed,
}

impl Function {
    /// The function at `site` (built with
    /// [`SpanSite::with_function`]) with meters labelled by `labels`.
    pub const fn new(site: SpanSite, labels: &'static FunctionLabels) -> Function {
        Function {
            site,
            calls: LazyCounter::with_meta(Key::from_static(CALLS, &labels.function), CALLS_META),
            in_flight: LazyUpDownCounter::with_meta(
                Key::from_static(IN_FLIGHT, &labels.function),
                IN_FLIGHT_META,
            ),
            duration_ok: LazyHistogram::with_meta(
                Key::from_static(DURATION, &labels.ok),
                DURATION_META,
            ),
            duration_error: LazyHistogram::with_meta(
                Key::from_static(DURATION, &labels.error),
                DURATION_META,
            ),
            duration_panic: LazyHistogram::with_meta(
                Key::from_static(DURATION, &labels.panic),
                DURATION_META,
            ),
            panics: LazyCounter::with_meta(Key::from_static(PANICS, &labels.function), PANICS_META),
            typed: typed::Typed::new(),
        }
    }

    /// The span site.
    pub const fn site(&self) -> &SpanSite {
        &self.site
    }

    /// The qualified name, `module::path::function`.
    pub fn qualified_name(&self) -> &'static str {
        self.site.function().unwrap_or(self.site.name())
    }

    /// Starts a call: `span` builds the span (with the argument fields) and
    /// runs only if a tracer or capture is there; the meters count the call
    /// only if a meter or capture is there. One relaxed load decides both.
    #[inline]
    pub fn start(&'static self, span: impl FnOnce(&'static SpanSite) -> Span) -> Call {
        self.start_with(global::state(), span)
    }

    /// [`start`](Function::start) with the dispatch state already read.
    #[inline]
    fn start_with(&'static self, state: u8, span: impl FnOnce(&'static SpanSite) -> Span) -> Call {
        // `max_level_*` compile spans out (as for `span!`); meters have no level.
        let span = if state & (Signal::Tracer.bit() | SCOPED) != 0
            && self.site.level() <= crate::STATIC_MAX_LEVEL
        {
            span(&self.site)
        } else {
            Span::none()
        };
        // Without a span, a capture's scope still has to follow an async call
        // to wherever it ends, for the meters; only captures pay for this.
        let cx = if span.as_context().is_none() && state & SCOPED != 0 {
            Some(Context::current())
        } else {
            None
        };
        let started = if state & (Signal::Meter.bit() | SCOPED) != 0 {
            self.calls.increment(1);
            self.in_flight.add(1);
            Some(Instant::now())
        } else {
            None
        };
        Call {
            function: self,
            span,
            cx,
            started,
            errored: false,
            user_error: false,
            done: false,
        }
    }
}

/// How a call ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    Ok,
    Error,
    Panic,
    Cancelled,
}

/// One call of an instrumented function: how it ends is explained in the
/// `function` module docs of the facade's source.
#[must_use = "the call ends when the guard drops"]
pub struct Call {
    function: &'static Function,
    span: Span,
    /// The caller's context, kept only when there is no span to carry a
    /// capture's scope.
    cx: Option<Context>,
    /// `Some` iff metrics were active when the call started.
    started: Option<Instant>,
    errored: bool,
    /// Whether the error being recorded is expected ([`UserError`](crate::UserError)).
    user_error: bool,
    done: bool,
}

impl Call {
    /// Makes the span current until the guard drops (nothing without a span
    /// or a capture).
    #[inline]
    pub fn enter(&self) -> Option<ContextGuard> {
        self.context().map(|cx| cx.clone().attach())
    }

    fn context(&self) -> Option<&Context> {
        self.span.as_context().or(self.cx.as_ref())
    }

    /// Polls `future` with the span current on every poll, records a panic
    /// that unwinds out of a poll, and, if the call is cancelled, drops
    /// `future` inside the span's context (as [`FutureExt::in_span`] does),
    /// before the call ends.
    ///
    /// [`FutureExt::in_span`]: crate::FutureExt::in_span
    pub async fn run<F: Future>(&mut self, future: F) -> F::Output {
        let mut body = Body {
            future: pin!(Some(future)),
            cx: self.context().cloned(),
        };
        poll_fn(|task| {
            let _entered = body.cx.clone().map(Context::attach);
            let unwinding = PanicGuard(&mut *self);
            let poll = body.poll(task);
            std::mem::forget(unwinding);
            poll
        })
        .await
    }

    /// Says whether the error about to be recorded is expected (its type
    /// is a [`UserError`](crate::UserError) that says so): then the `record_error*` methods
    /// record it as expected rather than as a failure.
    pub fn set_user_error(&mut self, user_error: bool) {
        self.user_error = user_error;
    }

    /// Records an error returned by the function: on the span (through
    /// [`Span::record_exception`]: an `exception` event with the error's
    /// message, its type `type_name` and a backtrace when capture is enabled,
    /// and an error status) and in `function.errors{kind}`, `kind`
    /// being [`kind_label`](crate::error::kind_label)'s. An expected error
    /// ([`set_user_error`](Call::set_user_error)) gets a `user_error` event
    /// instead, no status, and is counted in `function.user_errors{kind}`;
    /// the call's outcome stays `ok`.
    ///
    /// The error need not be `'static` (generic `E: Error` parameters and
    /// borrowing errors must compile), so the span gets an owned copy of its
    /// message and `source()` chain, made only if the span is recording.
    pub fn record_error(&mut self, error: &dyn Error, type_name: &'static str) {
        self.record(
            type_name,
            || OwnedError::from_chain(error),
            || typed_kind_label(error, type_name),
        );
    }

    /// Records an error that is not a `std::error::Error` but has `Debug`,
    /// through its `Debug` text, as [`record_error`](Call::record_error)
    /// does (the same `kind`).
    pub fn record_error_debug(&mut self, error: &dyn fmt::Debug, type_name: &'static str) {
        self.record(
            type_name,
            || OwnedError::from_message(string_or_placeholder(|| format!("{error:?}"))),
            || typed_kind_label(error, type_name),
        );
    }

    /// Records an error with neither `std::error::Error` nor `Debug`,
    /// through its text; its `kind` is its type's name.
    pub fn record_error_text(&mut self, text: &dyn fmt::Display, type_name: &'static str) {
        self.record(
            type_name,
            || OwnedError::from_message(string_or_placeholder(|| text.to_string())),
            || short_type_name(type_name).to_owned(),
        );
    }

    /// What the `record_error*` methods share: `error` and `kind` run only
    /// when the span records or the call is metered.
    fn record(
        &mut self,
        type_name: &'static str,
        error: impl FnOnce() -> OwnedError,
        kind: impl FnOnce() -> String,
    ) {
        if !self.user_error {
            if self.span.is_recording() {
                self.record_exception(&error(), type_name);
            }
            self.errored = true;
            self.count(ERRORS, &ERRORS_META, kind);
            return;
        }
        // Expected: an event, not an exception, so that no backend takes it
        // for a failure; the status stays unset and the outcome `ok`.
        if !self.span.is_recording() && self.started.is_none() {
            return;
        }
        let kind = kind();
        if self.span.is_recording() {
            let error = error();
            self.span.add_event(
                "user_error",
                &[
                    Field::new("kind", Value::Str(&kind)),
                    Field::new("message", Value::Str(&error.message)),
                ],
            );
        }
        self.count(USER_ERRORS, &USER_ERRORS_META, || kind);
    }

    /// The `exception` event of an error the function returned, with a
    /// backtrace of where it returned it: [`Backtrace::capture`] costs one
    /// relaxed load unless `RUST_LIB_BACKTRACE` / `RUST_BACKTRACE` enable it.
    fn record_exception(&self, error: &OwnedError, type_name: &'static str) {
        let backtrace = Backtrace::capture();
        self.span.record_exception(
            &Exception::new(error)
                .with_type_name(type_name)
                .with_backtrace(&backtrace),
        );
    }

    /// Counts the error in `name{function, kind}`; `kind` runs only when
    /// the call is metered.
    fn count(&self, name: &'static str, meta: &MetricMeta, kind: impl FnOnce() -> String) {
        if self.started.is_none() {
            return;
        }
        let labels = [
            Label::new("function", self.function.qualified_name()),
            Label::new("kind", kind()),
        ];
        errors_counter(&Key::new(name, &labels), meta).increment(1);
    }

    /// Ends a call whose body returned.
    pub fn finish(mut self) {
        let outcome = if self.errored {
            Outcome::Error
        } else {
            Outcome::Ok
        };
        self.end(outcome);
    }

    fn end(&mut self, outcome: Outcome) {
        self.done = true;
        if let Some(started) = self.started {
            let f = self.function;
            f.in_flight.add(-1);
            let duration = match outcome {
                Outcome::Ok => Some(&f.duration_ok),
                Outcome::Error => Some(&f.duration_error),
                Outcome::Panic => Some(&f.duration_panic),
                Outcome::Cancelled => None,
            };
            if let Some(histogram) = duration {
                histogram.record(started.elapsed().as_secs_f64());
            }
            if outcome == Outcome::Panic {
                f.panics.increment(1);
            }
        }
        // Ended here, not later: while unwinding, `Span`'s `Drop` records the panic.
        drop(std::mem::take(&mut self.span));
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        if std::thread::panicking() {
            self.end(Outcome::Panic);
        } else {
            // A future dropped before completion, possibly on another thread:
            // put its context back so scoped meters find their recorder.
            let _entered = self.enter();
            self.end(Outcome::Cancelled);
        }
    }
}

impl fmt::Debug for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("function", &self.function.qualified_name())
            .field("span", &self.span)
            .field("metered", &self.started.is_some())
            .field("errored", &self.errored)
            .field("user_error", &self.user_error)
            .finish()
    }
}

/// An async function's body, pinned in [`Call::run`]'s state. Emptied when
/// it completes; dropped in its context if it never does.
struct Body<'a, F> {
    future: Pin<&'a mut Option<F>>,
    cx: Option<Context>,
}

impl<F: Future> Body<'_, F> {
    fn poll(&mut self, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        let Some(future) = self.future.as_mut().as_pin_mut() else {
            return Poll::Pending; // not polled again once complete
        };
        let poll = future.poll(task);
        if poll.is_ready() {
            self.future.set(None);
        }
        poll
    }
}

impl<F> Drop for Body<'_, F> {
    fn drop(&mut self) {
        if self.future.is_some() {
            let _entered = self.cx.take().map(Context::attach);
            self.future.set(None);
        }
    }
}

/// Ends the call as panicked if a poll unwinds; forgotten when it returns.
struct PanicGuard<'a>(&'a mut Call);

impl Drop for PanicGuard<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() && !self.0.done {
            self.0.end(Outcome::Panic);
        }
    }
}

/// An error's message and its sources' messages, owned, so that an error
/// of any lifetime can be handed to [`Span::record_exception`].
#[derive(Debug)]
struct OwnedError {
    message: String,
    source: Option<Box<OwnedError>>,
}

impl OwnedError {
    /// The chain as [`error_sources`] walks it (bounded: a `source()` that
    /// loops must not hang).
    fn from_chain(error: &dyn Error) -> OwnedError {
        // `error` itself may borrow (not `'static`): only its sources go
        // through the walker, one fewer of them.
        let mut messages = vec![string_or_placeholder(|| error.to_string())];
        messages.extend(
            error
                .source()
                .into_iter()
                .flat_map(error_sources)
                .take(MAX_ERROR_CHAIN - 1)
                .map(|e| string_or_placeholder(|| e.to_string())),
        );
        let mut chain: Option<Box<OwnedError>> = None;
        while let Some(message) = messages.pop() {
            chain = Some(Box::new(OwnedError {
                message,
                source: chain,
            }));
        }
        chain.map_or_else(|| OwnedError::from_message(String::new()), |outer| *outer)
    }

    /// An error of this message, without sources.
    fn from_message(message: String) -> OwnedError {
        OwnedError {
            message,
            source: None,
        }
    }
}

impl fmt::Display for OwnedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Error for OwnedError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn Error + 'static))
    }
}

/// `function.errors` or `function.user_errors` for a key built per error,
/// with its description.
fn errors_counter(key: &Key<'_>, meta: &MetricMeta) -> Counter {
    let state = global::state();
    if state & SCOPED != 0 {
        if let Some(scoped) = global::scoped(|s| s.meter().counter(key, meta)) {
            return scoped;
        }
    }
    if state & Signal::Meter.bit() != 0 {
        return global::meter().counter(key, meta);
    }
    Counter::noop()
}

/// Calls `f`. The sync expansion runs the body in a closure passed here, so
/// that `return` and `?` leave the closure with the function's result and
/// the guard still sees it; the turbofish gives the closure its return type.
#[inline(always)]
pub fn call_once<R, F: FnOnce() -> R>(f: F) -> R {
    f()
}

/// Names lifetimes in an `impl Future` return type, so that an `async fn`
/// rewritten to return one captures what the original captured, in every
/// edition.
pub trait Captures<T: ?Sized> {}

impl<T: ?Sized, U: ?Sized> Captures<U> for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl Error for Layer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            self.1.as_deref().map(|e| e as &(dyn Error + 'static))
        }
    }

    #[test]
    fn an_owned_error_keeps_the_chain() {
        let error = Layer("outer", Some(Box::new(Layer("inner", None))));
        let owned = OwnedError::from_chain(&error);
        assert_eq!(crate::error_chain(&owned), ["outer", "inner"]);
    }
}
