//! The autoref-specialization helpers the expansion calls (see the
//! `function` module docs): argument values, "is this a `Result`?", how to
//! record an error, whether it is a [`UserError`], and the events of `err`
//! and `ret`.

use std::error::Error;
use std::fmt;

use super::Call;
use crate::error::UserError;
use crate::level::Level;
use crate::log::{Metadata, SourceLocation};
use crate::value::{Field, ToValue, Value};

// ---- argument values -----------------------------------------------------

/// An argument, for choosing how to record it.
pub struct ArgRef<'a, T>(pub &'a T);

impl<T> fmt::Debug for ArgRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ArgRef")
    }
}

/// First choice: the argument's typed [`ToValue`].
pub trait ArgViaToValue<'a> {
    /// The value to record.
    fn __omniscope_value(&self) -> Value<'a>;
}

impl<'a, T: ToValue> ArgViaToValue<'a> for &ArgRef<'a, T> {
    #[inline]
    fn __omniscope_value(&self) -> Value<'a> {
        self.0.to_value()
    }
}

/// Second choice: the argument's `Debug` form. The bound sits on the
/// method, so that a type with neither gets [`RecordableArg`]'s message,
/// pointing at the argument.
pub trait ArgViaDebug<'a, T> {
    /// The value to record.
    fn __omniscope_value(&self) -> Value<'a>
    where
        T: RecordableArg;
}

impl<'a, T> ArgViaDebug<'a, T> for ArgRef<'a, T> {
    #[inline]
    fn __omniscope_value(&self) -> Value<'a>
    where
        T: RecordableArg,
    {
        Value::Debug(self.0)
    }
}

/// A type `#[instrument]` can record through `Debug`.
#[diagnostic::on_unimplemented(
    message = "`#[instrument]` cannot record `{Self}` as a span field: it implements neither `Debug` nor `omniscope::ToValue`",
    label = "this argument is recorded as a span field",
    note = "leave it out with `#[instrument(skip(<argument>))]` or `skip_all`, or implement `Debug` for its type"
)]
pub trait RecordableArg: fmt::Debug {}

impl<T: fmt::Debug> RecordableArg for T {}

// ---- results and errors --------------------------------------------------

/// A function's return value, for finding out whether it is an `Err`.
pub struct ResultRef<'a, T>(pub &'a T);

impl<T> fmt::Debug for ResultRef<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResultRef")
    }
}

/// A `Result`: its error, if it is one.
pub trait ResultViaResult<'a> {
    /// The success type.
    type Ok;
    /// The error type.
    type Error;
    /// The error, if the value is an `Err`.
    fn __omniscope_err(&self) -> Option<&'a Self::Error>;
    /// The success value, if the value is an `Ok` (for `ret` with `err`).
    fn __omniscope_ok(&self) -> Option<&'a Self::Ok>;
}

impl<'a, T, E> ResultViaResult<'a> for &ResultRef<'a, Result<T, E>> {
    type Ok = T;
    type Error = E;
    #[inline]
    fn __omniscope_err(&self) -> Option<&'a E> {
        self.0.as_ref().err()
    }
    #[inline]
    fn __omniscope_ok(&self) -> Option<&'a T> {
        self.0.as_ref().ok()
    }
}

/// Anything else: never an error.
pub trait ResultViaOther<'a> {
    /// The value's own type.
    type Ok;
    /// A placeholder error type.
    type Error;
    /// Always `None`.
    fn __omniscope_err(&self) -> Option<&'a Self::Error>;
    /// Always the value.
    fn __omniscope_ok(&self) -> Option<&'a Self::Ok>;
}

impl<'a, T> ResultViaOther<'a> for ResultRef<'a, T> {
    type Ok = T;
    type Error = NotAnError;
    #[inline]
    fn __omniscope_err(&self) -> Option<&'a NotAnError> {
        None
    }
    #[inline]
    fn __omniscope_ok(&self) -> Option<&'a T> {
        Some(self.0)
    }
}

/// An error, for asking whether its type is a [`UserError`] (see that
/// trait's "How the type is seen"): `(&&UserErrorRef(e)).__omniscope_is_user_error()`.
pub struct UserErrorRef<'a, E: ?Sized>(pub &'a E);

impl<E: ?Sized> fmt::Debug for UserErrorRef<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UserErrorRef")
    }
}

/// First choice: the type implements [`UserError`] and answers.
pub trait UserErrorViaTrait {
    /// Whether the error is expected.
    fn __omniscope_is_user_error(&self) -> bool;
}

impl<E: UserError + ?Sized> UserErrorViaTrait for &UserErrorRef<'_, E> {
    #[inline]
    fn __omniscope_is_user_error(&self) -> bool {
        self.0.is_user_error()
    }
}

/// Otherwise: a failure, as every error was before [`UserError`].
pub trait UserErrorViaOther {
    /// Always `false`.
    fn __omniscope_is_user_error(&self) -> bool;
}

impl<E: ?Sized> UserErrorViaOther for UserErrorRef<'_, E> {
    #[inline]
    fn __omniscope_is_user_error(&self) -> bool {
        false
    }
}

/// A value `#[instrument(err)]` or `ret(Display)` can format.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Display`, which `#[instrument(err)]` and `ret(Display)` format with",
    label = "formatted with `Display` here",
    note = "write `err(Debug)` or `ret(Debug)` to format with `Debug`, as in `tracing`, or implement `Display`"
)]
pub trait EventDisplay: fmt::Display {}

impl<T: fmt::Display> EventDisplay for T {}

/// A value `#[instrument(ret)]` or `err(Debug)` can format.
#[diagnostic::on_unimplemented(
    message = "`{Self}` does not implement `Debug`, which `#[instrument(ret)]` and `err(Debug)` format with",
    label = "formatted with `Debug` here",
    note = "write `ret(Display)` or `err(Display)` to format with `Display`, or derive `Debug`"
)]
pub trait EventDebug: fmt::Debug {}

impl<T: fmt::Debug> EventDebug for T {}

/// The `Display` value of an `err` or `ret(Display)` event.
#[inline]
pub fn display_value<T: EventDisplay>(value: &T) -> Value<'_> {
    Value::Display(value)
}

/// The `Debug` value of a `ret` or `err(Debug)` event.
#[inline]
pub fn debug_value<T: EventDebug>(value: &T) -> Value<'_> {
    Value::Debug(value)
}

/// Whether an event of `#[instrument(err)]` or `ret` at `level` passes
/// the level filters (checked before anything is built).
#[inline]
pub fn event_enabled(level: Level) -> bool {
    level <= crate::STATIC_MAX_LEVEL && level <= crate::max_level()
}

/// The level of `#[instrument(err)]`'s event: an expected error (see
/// [`UserError`]) is not logged as more severe than `info`.
#[inline]
pub fn error_event_level(level: Level, user_error: bool) -> Level {
    if user_error {
        level.max(Level::Info)
    } else {
        level
    }
}

/// The event of `#[instrument(err)]` or `#[instrument(ret)]`: a log record
/// at `level`, in the function's span, with one field (`error` or
/// `return`), after [`event_enabled`] said yes.
pub fn event(
    level: Level,
    location: &'static SourceLocation<'static>,
    message: &str,
    field: Field<'_>,
) {
    crate::__private::log(
        Metadata::new(level, location.module_path()).with_location(location),
        format_args!("{message}"),
        &[field],
    );
}

/// The error type of a value that is not a `Result`; never constructed.
#[derive(Debug)]
pub enum NotAnError {}

/// An error returned by the function, for choosing how to record it.
pub struct ErrorRef<'a, E>(pub &'a E);

impl<E> fmt::Debug for ErrorRef<'_, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ErrorRef")
    }
}

// No level may require `'static`: method probing ignores lifetimes, so a
// `'static` bound would be chosen for a generic `E: Error` and then fail to
// compile. Errors are therefore recorded through a plain `&dyn Error`.
macro_rules! error_via {
    ($(#[$doc:meta])* $trait:ident, $refs:ty, [$($bound:tt)*], |$call:ident, $error:ident| $record:expr) => {
        $(#[$doc])*
        pub trait $trait {
            /// Records the error on `call`.
            fn __omniscope_record(&self, call: &mut Call);
        }

        impl<'a, 'b, E: $($bound)*> $trait for $refs {
            fn __omniscope_record(&self, $call: &mut Call) {
                let $error: &'a E = self.0;
                $record
            }
        }
    };
}

error_via!(
    /// First choice: a `std::error::Error`, recorded with its source chain.
    ErrorViaError, &&&&&ErrorRef<'a, E>, [Error],
    |call, e| call.record_error(e, std::any::type_name::<E>())
);
error_via!(
    /// Second choice: a box or report (`Box<dyn Error + Send + Sync>`,
    /// `anyhow::Error`) that derefs to a `dyn Error + Send + Sync`.
    ErrorViaDynSendSync, &&&&ErrorRef<'a, E>,
    [std::ops::Deref<Target = dyn Error + Send + Sync + 'b>],
    |call, e| call.record_error(&**e, std::any::type_name::<E>())
);
error_via!(
    /// Third choice: a box that derefs to a `dyn Error` (`Box<dyn Error>`).
    ErrorViaDyn, &&&ErrorRef<'a, E>, [std::ops::Deref<Target = dyn Error + 'b>],
    |call, e| call.record_error(&**e, std::any::type_name::<E>())
);
error_via!(
    /// Fourth choice: its `Display` text.
    ErrorViaDisplay, &&ErrorRef<'a, E>, [fmt::Display],
    |call, e| call.record_error_text(e, std::any::type_name::<E>())
);
error_via!(
    /// Fifth choice: its `Debug` text.
    ErrorViaDebug, &ErrorRef<'a, E>, [fmt::Debug],
    |call, e| call.record_error_debug(e, std::any::type_name::<E>())
);
error_via!(
    /// Last resort: its type name.
    ErrorViaType, ErrorRef<'a, E>, [Sized],
    |call, e| {
        let _ = e;
        let name = std::any::type_name::<E>();
        call.record_error_text(&name, name)
    }
);
