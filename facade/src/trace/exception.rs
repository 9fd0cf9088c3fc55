//! [`Exception`]: an error as a span records it, with what the caller knows
//! of it.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::error::Error;
use std::fmt;

use crate::value::{Field, Value};

/// An error to record on a span: the error, its Rust type when the caller
/// knows it, and a backtrace when one was captured. A tracer records it as
/// OpenTelemetry's `exception` event (see [`Tracer::record_exception`]):
///
/// | attribute | value | present |
/// |---|---|---|
/// | `exception.type` | the full Rust type path (`std::any::type_name`), e.g. `orders::PaymentError` | when known: errors `#[instrument]` records; [`with_type_name`](Exception::with_type_name) |
/// | `exception.message` | the error's `Display` text | always |
/// | `exception.stacktrace` | the backtrace, as std prints it | when one was captured: [`with_backtrace`](Exception::with_backtrace) |
///
/// [`Span::record_error`](crate::Span::record_error) records a
/// `&dyn Error`, whose type Rust does not tell: neither type nor
/// stacktrace. `#[instrument]` records an `Err` its function returns with
/// the error type's name and a backtrace captured where the function
/// returned it, with [`Backtrace::capture`]: so only when std's backtrace
/// capture is enabled (`RUST_LIB_BACKTRACE=1`, or `RUST_BACKTRACE=1` while
/// `RUST_LIB_BACKTRACE` is unset). A captured backtrace is resolved to
/// symbols when the tracer formats it, on the thread that returned the
/// error: that costs tens of microseconds or more per error, so in
/// production set `RUST_LIB_BACKTRACE=0` (panics keep theirs under
/// `RUST_BACKTRACE=1`).
///
/// ```
/// use std::backtrace::Backtrace;
/// use omniscope::Exception;
///
/// let error = std::io::Error::other("disk full");
/// let backtrace = Backtrace::force_capture();
/// let exception = Exception::new(&error)
///     .with_type_name(std::any::type_name::<std::io::Error>())
///     .with_backtrace(&backtrace);
/// assert_eq!(exception.type_name(), Some("std::io::error::Error"));
/// exception.with_event_fields("disk full", Some("0: main"), |fields| {
///     let keys: Vec<&str> = fields.iter().map(|f| f.key()).collect();
///     assert_eq!(keys, ["exception.type", "exception.message", "exception.stacktrace"]);
/// });
/// // What a span records: omniscope::span!("save").record_exception(&exception);
/// ```
///
/// [`Tracer::record_exception`]: crate::Tracer::record_exception
#[derive(Clone, Copy)]
pub struct Exception<'a> {
    error: &'a (dyn Error + 'static),
    type_name: Option<&'a str>,
    backtrace: Option<&'a Backtrace>,
}

impl<'a> Exception<'a> {
    /// The name of the event a tracer records: `exception`.
    pub const EVENT_NAME: &'static str = "exception";
    /// The attribute holding the error's type: `exception.type`.
    pub const TYPE: &'static str = "exception.type";
    /// The attribute holding the error's message: `exception.message`.
    pub const MESSAGE: &'static str = "exception.message";
    /// The attribute holding the backtrace: `exception.stacktrace`.
    pub const STACKTRACE: &'static str = "exception.stacktrace";

    /// `error`, its type unknown, without a backtrace.
    pub const fn new(error: &'a (dyn Error + 'static)) -> Exception<'a> {
        Exception {
            error,
            type_name: None,
            backtrace: None,
        }
    }

    /// This exception with the error's Rust type (usually
    /// `std::any::type_name::<E>()`).
    #[must_use]
    pub const fn with_type_name(mut self, type_name: &'a str) -> Exception<'a> {
        self.type_name = Some(type_name);
        self
    }

    /// This exception with a backtrace, if it was captured (a disabled or
    /// unsupported one is left out).
    #[must_use]
    pub fn with_backtrace(mut self, backtrace: &'a Backtrace) -> Exception<'a> {
        if backtrace.status() == BacktraceStatus::Captured {
            self.backtrace = Some(backtrace);
        }
        self
    }

    /// The error.
    pub const fn error(&self) -> &'a (dyn Error + 'static) {
        self.error
    }

    /// The error's Rust type, when known.
    pub const fn type_name(&self) -> Option<&'a str> {
        self.type_name
    }

    /// The captured backtrace, if any.
    pub const fn backtrace(&self) -> Option<&'a Backtrace> {
        self.backtrace
    }

    /// Calls `f` with the attributes of the `exception` event (see the
    /// table above): `exception.type` when known, `exception.message` set
    /// to `message`, `exception.stacktrace` set to `stacktrace` when given.
    /// A tracer formats the message and the backtrace its own way (guarding
    /// against a `Display` that panics) and names the attributes through
    /// here, so that every tracer names them alike.
    pub fn with_event_fields<R>(
        &self,
        message: &str,
        stacktrace: Option<&str>,
        f: impl FnOnce(&[Field<'_>]) -> R,
    ) -> R {
        let message = Field::new_static(Self::MESSAGE, Value::Str(message));
        let mut fields = [message; 3];
        let mut len = 0;
        let present = [
            self.type_name
                .map(|t| Field::new_static(Self::TYPE, Value::Str(t))),
            Some(message),
            stacktrace.map(|s| Field::new_static(Self::STACKTRACE, Value::Str(s))),
        ];
        for field in present.into_iter().flatten() {
            fields[len] = field;
            len += 1;
        }
        f(&fields[..len])
    }
}

impl fmt::Debug for Exception<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Exception")
            .field("error", &self.error)
            .field("type_name", &self.type_name)
            .field("backtrace", &self.backtrace.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_known_becomes_an_attribute() {
        let error = std::io::Error::other("disk full");
        let disabled = Backtrace::disabled();
        let exception = Exception::new(&error).with_backtrace(&disabled);
        assert!(exception.backtrace().is_none());
        exception.with_event_fields("disk full", None, |fields| {
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].key(), Exception::MESSAGE);
        });
        let typed = exception.with_type_name("std::io::error::Error");
        typed.with_event_fields("disk full", Some("0: main"), |fields| {
            let keys: Vec<&str> = fields.iter().map(Field::key).collect();
            assert_eq!(
                keys,
                [Exception::TYPE, Exception::MESSAGE, Exception::STACKTRACE]
            );
        });
    }
}
