//! Structured field values: borrowed on the hot path, owned for storage.
//!
//! The macros build [`Field`]s that borrow the caller's data, so an enabled
//! call allocates nothing of its own; a backend that keeps a value converts
//! it once with [`Value::to_owned`].
//!
//! # Values that panic while formatted
//!
//! A `Display` or `Debug` impl is the application's code, running on the
//! application's thread inside a telemetry call. Every omniscope crate
//! formats such values through [`catch_format_panic`]: a panic is caught
//! around that call alone, counted in [`format_panics`], and the value is
//! recorded as [`PANICKED_WHILE_FORMATTING`]. So no telemetry call unwinds
//! into the caller, and every signal behaves alike.

use std::error::Error;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::error_chain;

/// What a value is recorded as when its `Display` or `Debug` impl panicked
/// while being formatted: every omniscope crate formats application values
/// through [`catch_format_panic`], so no telemetry call unwinds into the
/// caller, and every signal behaves alike.
pub const PANICKED_WHILE_FORMATTING: &str = "<panicked while formatting>";

/// Panics caught while formatting values, in the whole process.
static FORMAT_PANICS: AtomicU64 = AtomicU64::new(0);

/// How many times formatting a value (an attribute, a log field or message,
/// an error) panicked in this process; each such value was recorded as
/// [`PANICKED_WHILE_FORMATTING`] instead.
pub fn format_panics() -> u64 {
    FORMAT_PANICS.load(Ordering::Relaxed)
}

/// Runs `format`, a call into a value's own `Display`/`Debug` code, so that
/// a panic in it never unwinds into the caller: `None` if it panicked (then
/// counted in [`format_panics`]). What `format` wrote before the panic is the
/// caller's to discard or keep. Backends format application values through
/// this function.
///
/// ```
/// struct Broken;
/// impl std::fmt::Display for Broken {
///     fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         panic!("broken")
///     }
/// }
/// # std::panic::set_hook(Box::new(|_| {}));
/// assert_eq!(omniscope::catch_format_panic(|| Broken.to_string()), None);
/// assert_eq!(omniscope::catch_format_panic(|| 7.to_string()).as_deref(), Some("7"));
/// ```
#[inline]
pub fn catch_format_panic<R>(format: impl FnOnce() -> R) -> Option<R> {
    match catch_unwind(AssertUnwindSafe(format)) {
        Ok(r) => Some(r),
        Err(payload) => {
            count_format_panic(payload);
            None
        }
    }
}

#[cold]
fn count_format_panic(payload: Box<dyn std::any::Any + Send>) {
    FORMAT_PANICS.fetch_add(1, Ordering::Relaxed);
    // The payload is the application's value too: its destructor may panic
    // in turn (that second payload is leaked: dropping it could panic again).
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
}

/// `format`'s string, or [`PANICKED_WHILE_FORMATTING`] if it panicked.
pub(crate) fn string_or_placeholder(format: impl FnOnce() -> String) -> String {
    catch_format_panic(format).unwrap_or_else(|| PANICKED_WHILE_FORMATTING.to_owned())
}

/// A borrowed, typed field value.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    /// A string.
    Str(&'a str),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A floating-point number.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// A value recorded through its `Display` form (the `%value` sigil).
    Display(&'a dyn fmt::Display),
    /// A value recorded through its `Debug` form (the `?value` sigil).
    Debug(&'a dyn fmt::Debug),
    /// An error, with its `source()` chain reachable.
    Error(&'a (dyn Error + 'static)),
}

impl<'a> Value<'a> {
    /// Records `value` through its `Display` form.
    pub fn from_display<T: fmt::Display>(value: &'a T) -> Value<'a> {
        Value::Display(value)
    }

    /// Records `value` through its `Debug` form.
    pub fn from_debug<T: fmt::Debug>(value: &'a T) -> Value<'a> {
        Value::Debug(value)
    }

    /// Records an error value.
    pub fn from_error(error: &'a (dyn Error + 'static)) -> Value<'a> {
        Value::Error(error)
    }

    /// Converts to an owned value; `Display`, `Debug` and `Error` become strings
    /// (an error keeps its `source()` chain as [`OwnedValue::Error`]). A value
    /// whose formatting panics becomes [`PANICKED_WHILE_FORMATTING`].
    pub fn to_owned(&self) -> OwnedValue {
        match *self {
            Value::Str(s) => OwnedValue::Str(s.to_owned()),
            Value::I64(v) => OwnedValue::I64(v),
            Value::U64(v) => OwnedValue::U64(v),
            Value::F64(v) => OwnedValue::F64(v),
            Value::Bool(v) => OwnedValue::Bool(v),
            Value::Display(v) => OwnedValue::Str(string_or_placeholder(|| v.to_string())),
            Value::Debug(v) => OwnedValue::Str(string_or_placeholder(|| format!("{v:?}"))),
            Value::Error(e) => OwnedValue::Error(error_chain(e)),
        }
    }

    /// The string, if this is [`Value::Str`].
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => fmt::Debug::fmt(s, f),
            Value::I64(v) => fmt::Debug::fmt(v, f),
            Value::U64(v) => fmt::Debug::fmt(v, f),
            Value::F64(v) => fmt::Debug::fmt(v, f),
            Value::Bool(v) => fmt::Debug::fmt(v, f),
            Value::Display(v) => fmt::Display::fmt(v, f),
            Value::Debug(v) => fmt::Debug::fmt(v, f),
            Value::Error(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(s),
            Value::I64(v) => fmt::Display::fmt(v, f),
            Value::U64(v) => fmt::Display::fmt(v, f),
            Value::F64(v) => fmt::Display::fmt(v, f),
            Value::Bool(v) => fmt::Display::fmt(v, f),
            Value::Display(v) => fmt::Display::fmt(v, f),
            Value::Debug(v) => fmt::Debug::fmt(v, f),
            Value::Error(e) => fmt::Display::fmt(e, f),
        }
    }
}

/// An owned field value, for records kept past the call.
#[derive(Clone, Debug, PartialEq)]
pub enum OwnedValue {
    /// A string (also what `Display` and `Debug` values become).
    Str(String),
    /// A signed integer.
    I64(i64),
    /// An unsigned integer.
    U64(u64),
    /// A floating-point number.
    F64(f64),
    /// A boolean.
    Bool(bool),
    /// An error's message followed by the messages of its `source()` chain.
    Error(Vec<String>),
}

impl OwnedValue {
    /// Borrows this value as a [`Value`]. An error is lent as its outer message.
    pub fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Str(s) => Value::Str(s),
            OwnedValue::I64(v) => Value::I64(*v),
            OwnedValue::U64(v) => Value::U64(*v),
            OwnedValue::F64(v) => Value::F64(*v),
            OwnedValue::Bool(v) => Value::Bool(*v),
            OwnedValue::Error(chain) => Value::Str(chain.first().map_or("", String::as_str)),
        }
    }

    /// The string, if this is [`OwnedValue::Str`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            OwnedValue::Str(s) => Some(s),
            _ => None,
        }
    }
}

impl fmt::Display for OwnedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OwnedValue::Error(chain) => f.write_str(&chain.join(": ")),
            other => fmt::Display::fmt(&other.as_value(), f),
        }
    }
}

/// A named, borrowed value: one structured field of a log record, span,
/// event or error context.
#[derive(Clone, Copy, Debug)]
pub struct Field<'a> {
    key: FieldKey<'a>,
    value: Value<'a>,
}

/// A field name: the macros always produce `'static` names, which a backend
/// can keep without copying.
#[derive(Clone, Copy, Debug)]
enum FieldKey<'a> {
    Static(&'static str),
    Borrowed(&'a str),
}

impl<'a> Field<'a> {
    /// A field named `key` holding `value`.
    pub const fn new(key: &'a str, value: Value<'a>) -> Field<'a> {
        Field {
            key: FieldKey::Borrowed(key),
            value,
        }
    }

    /// A field with a `'static` name (what the macros build).
    pub const fn new_static(key: &'static str, value: Value<'a>) -> Field<'a> {
        Field {
            key: FieldKey::Static(key),
            value,
        }
    }

    /// The field's name.
    pub const fn key(&self) -> &'a str {
        match self.key {
            FieldKey::Static(k) => k,
            FieldKey::Borrowed(k) => k,
        }
    }

    /// The field's name, if it is `'static` (so it can be kept without a copy).
    pub const fn static_key(&self) -> Option<&'static str> {
        match self.key {
            FieldKey::Static(k) => Some(k),
            FieldKey::Borrowed(_) => None,
        }
    }

    /// The field's value.
    pub const fn value(&self) -> Value<'a> {
        self.value
    }

    /// Converts to an owned `(key, value)` pair.
    pub fn to_owned(&self) -> (String, OwnedValue) {
        (self.key().to_owned(), self.value.to_owned())
    }
}

/// Conversion of a plain expression into a [`Value`], used by the macros for
/// `key = expr` fields (the `%` and `?` sigils bypass it).
pub trait ToValue {
    /// Borrows `self` as a value.
    fn to_value(&self) -> Value<'_>;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value<'_> {
        (**self).to_value()
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value<'_> {
        Value::Str(self)
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value<'_> {
        Value::Bool(*self)
    }
}

impl ToValue for dyn Error + 'static {
    fn to_value(&self) -> Value<'_> {
        Value::Error(self)
    }
}

impl ToValue for dyn Error + Send + Sync + 'static {
    fn to_value(&self) -> Value<'_> {
        Value::Error(self)
    }
}

impl ToValue for Value<'_> {
    fn to_value(&self) -> Value<'_> {
        *self
    }
}

impl ToValue for OwnedValue {
    fn to_value(&self) -> Value<'_> {
        self.as_value()
    }
}

impl<T: ToValue> ToValue for Option<T> {
    /// `None` is recorded as the string `"None"`.
    fn to_value(&self) -> Value<'_> {
        match self {
            Some(v) => v.to_value(),
            None => Value::Str("None"),
        }
    }
}

macro_rules! to_value_int {
    ($variant:ident, $as:ty: $($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value<'_> {
                Value::$variant(*self as $as)
            }
        }
    )*};
}

to_value_int!(I64, i64: i8, i16, i32, i64, isize);
to_value_int!(U64, u64: u8, u16, u32, u64, usize);
to_value_int!(F64, f64: f32, f64);

impl ToValue for i128 {
    /// Values outside `i64` are recorded as strings rather than truncated.
    fn to_value(&self) -> Value<'_> {
        i64::try_from(*self).map_or(Value::Display(self), Value::I64)
    }
}

impl ToValue for u128 {
    /// Values outside `u64` are recorded as strings rather than truncated.
    fn to_value(&self) -> Value<'_> {
        u64::try_from(*self).map_or(Value::Display(self), Value::U64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Outer(Inner);
    #[derive(Debug)]
    struct Inner;
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("outer failed")
        }
    }
    impl fmt::Display for Inner {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("inner cause")
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }
    impl Error for Inner {}

    #[test]
    fn owned_error_keeps_the_source_chain() {
        let e = Outer(Inner);
        let v = Value::from_error(&e).to_owned();
        assert_eq!(
            v,
            OwnedValue::Error(vec!["outer failed".into(), "inner cause".into()])
        );
        assert_eq!(v.to_string(), "outer failed: inner cause");
    }

    #[test]
    fn integers_keep_their_type() {
        assert!(matches!(5u8.to_value(), Value::U64(5)));
        assert!(matches!((-5i32).to_value(), Value::I64(-5)));
        assert!(matches!(u128::MAX.to_value(), Value::Display(_)));
        assert_eq!(
            Value::Debug(&"x").to_owned(),
            OwnedValue::Str("\"x\"".into())
        );
    }
}
