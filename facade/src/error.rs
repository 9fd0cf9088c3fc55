//! Errors: the [`ErrorHandler`] trait, [`handle_error`], and panic reporting.
//!
//! Handle errors at the edge of the application (an HTTP handler, a job
//! runner), where you know an error is internal and nobody else will report
//! it. The handler receives the error itself, so it can walk the whole
//! `source()` chain, plus an [`ErrorContext`] with fields, the current
//! trace id and span id, and the caller's location.
//!
//! [`error_sources`] is the one walker of `source()` chains that every
//! omniscope crate uses: it stops after [`MAX_ERROR_CHAIN`] errors, so that a
//! chain that loops back on itself costs a few messages, never a hung thread.
//!
//! [`kind_label`] is the one definition of an error's `kind` label, which
//! `errors{kind}` and `function.errors{kind}` share.

use std::backtrace::Backtrace;
use std::error::Error;
use std::fmt;
use std::iter::FusedIterator;
use std::panic::Location;
use std::time::SystemTime;

use crate::trace::{SpanId, TraceId};
use crate::value::{string_or_placeholder, Field};

mod kind;
mod user;

pub use kind::{kind_label, split_type_name};
pub(crate) use kind::{short_type_name, typed_kind_label};
pub use user::UserError;

/// Whether an error was handled by the application or came from a panic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Passed to [`handle_error`] (or a handler) by the application.
    Handled,
    /// Reported by the panic hook ([`install_panic_hook`]).
    Panic,
}

/// What surrounds a handled error: fields, the span it happened in, where.
#[derive(Clone, Copy)]
pub struct ErrorContext<'a> {
    kind: ErrorKind,
    user_error: bool,
    type_name: Option<&'static str>,
    fields: &'a [Field<'a>],
    ids: Option<(TraceId, SpanId)>,
    location: Option<&'a Location<'a>>,
    location_parts: Option<(&'a str, u32, u32)>,
    thread: Option<&'a str>,
    backtrace: Option<&'a Backtrace>,
    timestamp: Option<SystemTime>,
}

impl<'a> ErrorContext<'a> {
    /// A context for a handled error with these fields, carrying the current
    /// span's ids.
    pub fn new(fields: &'a [Field<'a>]) -> ErrorContext<'a> {
        ErrorContext {
            kind: ErrorKind::Handled,
            user_error: false,
            type_name: None,
            fields,
            ids: crate::context::current_ids(),
            location: None,
            location_parts: None,
            thread: None,
            backtrace: None,
            timestamp: None,
        }
    }

    /// This context with another kind.
    #[must_use]
    pub fn with_kind(mut self, kind: ErrorKind) -> ErrorContext<'a> {
        self.kind = kind;
        self
    }

    /// This context for an expected error (see [`UserError`]), or not.
    #[must_use]
    pub fn with_user_error(mut self, user_error: bool) -> ErrorContext<'a> {
        self.user_error = user_error;
        self
    }

    /// This context with the handled error's Rust type
    /// (`orders::payment::PaymentError`), as the reporting site knew it:
    /// [`handle_error!`](macro@crate::handle_error) gives it, since a `&dyn Error`
    /// no longer tells its type. `None` for a trait object (`Box<dyn
    /// Error>`), whose type says nothing of the error.
    #[must_use]
    pub fn with_type_name(mut self, type_name: Option<&'static str>) -> ErrorContext<'a> {
        self.type_name = type_name.filter(|t| !t.contains("dyn "));
        self
    }

    /// This context with explicit ids (or none).
    #[must_use]
    pub fn with_ids(mut self, ids: Option<(TraceId, SpanId)>) -> ErrorContext<'a> {
        self.ids = ids;
        self
    }

    /// This context with the source location of the report.
    #[must_use]
    pub fn with_location(mut self, location: &'a Location<'a>) -> ErrorContext<'a> {
        self.location = Some(location);
        self
    }

    /// This context with the source location of the report given as its
    /// parts, for a report whose [`Location`] could not be kept (a
    /// pre-install error replayed into the first handler).
    #[must_use]
    pub fn with_location_parts(
        mut self,
        file: &'a str,
        line: u32,
        column: u32,
    ) -> ErrorContext<'a> {
        self.location_parts = Some((file, line, column));
        self
    }

    /// This context with the name of the thread the error happened on.
    #[must_use]
    pub fn with_thread(mut self, thread: &'a str) -> ErrorContext<'a> {
        self.thread = Some(thread);
        self
    }

    /// This context with a captured backtrace.
    #[must_use]
    pub fn with_backtrace(mut self, backtrace: &'a Backtrace) -> ErrorContext<'a> {
        self.backtrace = Some(backtrace);
        self
    }

    /// This context with the time of the error, for replayed reports.
    #[must_use]
    pub fn with_timestamp(mut self, timestamp: SystemTime) -> ErrorContext<'a> {
        self.timestamp = Some(timestamp);
        self
    }

    /// Handled error or panic.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the error is expected — a user error (see [`UserError`]) —
    /// rather than a failure: handlers count it but do not report it as a
    /// failure (the SDK hands it to no reporter, so it never reaches Sentry).
    pub const fn is_user_error(&self) -> bool {
        self.user_error
    }

    /// The handled error's Rust type, when the reporting site knew it (see
    /// [`ErrorContext::with_type_name`]); its sources' types are never
    /// known ([`kind_label`] names them from their `Debug` output).
    pub const fn type_name(&self) -> Option<&'static str> {
        self.type_name
    }

    /// The structured fields given with the error.
    pub const fn fields(&self) -> &'a [Field<'a>] {
        self.fields
    }

    /// The trace id of the span the error happened in.
    pub fn trace_id(&self) -> Option<TraceId> {
        self.ids.map(|(t, _)| t)
    }

    /// The span id of the span the error happened in.
    pub fn span_id(&self) -> Option<SpanId> {
        self.ids.map(|(_, s)| s)
    }

    /// Where the error was reported (or where the panic happened).
    pub const fn location(&self) -> Option<&'a Location<'a>> {
        self.location
    }

    /// Where the error was reported, as `(file, line, column)`: from
    /// [`location`](Self::location), else from
    /// [`with_location_parts`](Self::with_location_parts).
    pub fn location_parts(&self) -> Option<(&'a str, u32, u32)> {
        match self.location {
            Some(l) => Some((l.file(), l.line(), l.column())),
            None => self.location_parts,
        }
    }

    /// The thread's name, for panics.
    pub const fn thread(&self) -> Option<&'a str> {
        self.thread
    }

    /// The backtrace, when one was captured (panics, with `RUST_BACKTRACE` set).
    pub const fn backtrace(&self) -> Option<&'a Backtrace> {
        self.backtrace
    }

    /// When the error happened, if it is being replayed; `None` means now.
    pub const fn timestamp(&self) -> Option<SystemTime> {
        self.timestamp
    }
}

impl fmt::Debug for ErrorContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ErrorContext")
            .field("kind", &self.kind)
            .field("user_error", &self.user_error)
            .field("fields", &self.fields)
            .field("ids", &self.ids)
            .field("location", &self.location)
            .field("thread", &self.thread)
            .finish_non_exhaustive()
    }
}

/// A destination for errors the application could not deal with itself.
///
/// Implementations must never panic and never block for long.
pub trait ErrorHandler: Send + Sync {
    /// Reports one error. `error.source()` reaches the whole chain.
    fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>);
}

/// The handler used while none is installed: it discards everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopErrorHandler;

impl ErrorHandler for NoopErrorHandler {
    fn handle(&self, _: &(dyn Error + 'static), _: &ErrorContext<'_>) {}
}

macro_rules! forward_handler {
    ($($ty:ty),*) => {$(
        impl<T: ErrorHandler + ?Sized> ErrorHandler for $ty {
            fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
                (**self).handle(error, context)
            }
        }
    )*};
}

forward_handler!(&T, Box<T>, std::sync::Arc<T>);

/// Reports `error` to the installed [`ErrorHandler`], with the current span's
/// ids and the caller's location. Use [`handle_error!`](crate::handle_error!)
/// to add fields, and for errors that may be expected: this function gets a
/// `&dyn Error` and cannot see whether the error's type implements
/// [`UserError`]; the macro can, and marks the report
/// ([`ErrorContext::is_user_error`]).
///
/// ```
/// # #[derive(Debug)] struct DbDown;
/// # impl std::fmt::Display for DbDown { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("db down") } }
/// # impl std::error::Error for DbDown {}
/// let result: Result<(), DbDown> = Err(DbDown);
/// if let Err(e) = &result {
///     omniscope::handle_error(e);
/// }
/// ```
#[track_caller]
pub fn handle_error(error: &(dyn Error + 'static)) {
    report(error, &[], Location::caller());
}

/// Reports `error` with fields; what [`handle_error!`](crate::handle_error!) expands to.
pub fn report(error: &(dyn Error + 'static), fields: &[Field<'_>], location: &Location<'_>) {
    report_marked(error, false, None, fields, location);
}

/// Reports `error`, marked as a user error or not, of type `type_name`
/// when the site knew it.
pub(crate) fn report_marked(
    error: &(dyn Error + 'static),
    user_error: bool,
    type_name: Option<&'static str>,
    fields: &[Field<'_>],
    location: &Location<'_>,
) {
    let context = ErrorContext::new(fields)
        .with_location(location)
        .with_user_error(user_error)
        .with_type_name(type_name);
    crate::global::dispatch_error(error, &context);
}

/// The most errors [`error_sources`] and [`error_chain`] visit: the error
/// itself and 31 sources below it. Deeper sources are left out, so a
/// `source()` chain that leads back to an error already visited (a cycle)
/// yields its errors again up to this cap and then ends.
pub const MAX_ERROR_CHAIN: usize = 32;

/// `error`, then each `source()` below it, outermost first, at most
/// [`MAX_ERROR_CHAIN`] of them (what lies deeper is not visited).
///
/// ```
/// # use std::{error::Error, fmt};
/// #[derive(Debug)]
/// struct SaveFailed(std::io::Error);
/// # impl fmt::Display for SaveFailed {
/// #     fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str("cannot save the order") }
/// # }
/// impl Error for SaveFailed {
///     fn source(&self) -> Option<&(dyn Error + 'static)> {
///         Some(&self.0)
///     }
/// }
///
/// let error = SaveFailed(std::io::Error::other("disk full"));
/// let messages: Vec<String> = omniscope::error_sources(&error).map(|e| e.to_string()).collect();
/// assert_eq!(messages, ["cannot save the order", "disk full"]);
/// assert_eq!(omniscope::error_chain(&error), messages);
/// ```
pub fn error_sources<'a>(error: &'a (dyn Error + 'static)) -> ErrorSources<'a> {
    ErrorSources {
        next: Some(error),
        left: MAX_ERROR_CHAIN,
    }
}

/// `context: error: its source: …`, one line for a log or an export error:
/// the chain as [`error_sources`] walks it (so bounded), each message
/// added unless the line already ends with it (wrappers that repeat their
/// source's message say it once), a `Display` that panics as
/// [`PANICKED_WHILE_FORMATTING`](crate::PANICKED_WHILE_FORMATTING).
///
/// ```
/// let error = std::io::Error::other("connection refused");
/// assert_eq!(
///     omniscope::error::chain_message("cannot send to http://collector".into(), &error),
///     "cannot send to http://collector: connection refused",
/// );
/// ```
pub fn chain_message(mut context: String, error: &(dyn Error + 'static)) -> String {
    for e in error_sources(error) {
        let text = string_or_placeholder(|| e.to_string());
        if !context.ends_with(&text) {
            if !context.is_empty() {
                context.push_str(": ");
            }
            context.push_str(&text);
        }
    }
    context
}

/// The messages of `error` and of every `source()` below it, outermost
/// first, at most [`MAX_ERROR_CHAIN`] of them (see [`error_sources`]); a
/// message whose `Display` panics is
/// [`PANICKED_WHILE_FORMATTING`](crate::PANICKED_WHILE_FORMATTING).
pub fn error_chain(error: &(dyn Error + 'static)) -> Vec<String> {
    error_sources(error)
        .map(|e| string_or_placeholder(|| e.to_string()))
        .collect()
}

/// The iterator of [`error_sources`].
#[derive(Clone, Debug)]
pub struct ErrorSources<'a> {
    next: Option<&'a (dyn Error + 'static)>,
    left: usize,
}

impl<'a> Iterator for ErrorSources<'a> {
    type Item = &'a (dyn Error + 'static);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        let error = self.next.take()?;
        self.left -= 1;
        // Not asked for once the cap is reached: a broken `source()` is
        // called no more often than needed.
        if self.left > 0 {
            self.next = error.source();
        }
        Some(error)
    }
}

impl FusedIterator for ErrorSources<'_> {}

/// The error reported for a panic: its message, location and thread.
#[derive(Debug, Clone)]
pub struct PanicError {
    message: String,
}

impl PanicError {
    /// The panic's message (`"Box<dyn Any>"` when the payload was not a string).
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panicked: {}", self.message)
    }
}

impl Error for PanicError {}

/// Installs a panic hook that reports every panic (message, location,
/// thread, and a backtrace when `RUST_BACKTRACE`/`RUST_LIB_BACKTRACE` enable
/// one) to the installed [`ErrorHandler`], then calls the hook that was there
/// before (so the usual message still reaches stderr).
///
/// Only the first call installs it: a library and `main` (or the kit) may
/// both call it, and each panic is still reported once.
pub fn install_panic_hook() {
    static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if INSTALLED.swap(true, std::sync::atomic::Ordering::AcqRel) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        report_panic(info);
        previous(info);
    }));
}

fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    let payload = info.payload();
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "Box<dyn Any>".to_owned());
    let error = PanicError { message };
    let thread = std::thread::current();
    let backtrace = Backtrace::capture();
    let mut context = ErrorContext::new(&[])
        .with_kind(ErrorKind::Panic)
        .with_backtrace(&backtrace);
    if let Some(name) = thread.name() {
        context = context.with_thread(name);
    }
    if let Some(location) = info.location() {
        context = context.with_location(location);
    }
    crate::global::dispatch_error(&error, &context);
}
