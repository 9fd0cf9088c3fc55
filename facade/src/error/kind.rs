//! The `kind` of an error: the one label value that `errors{kind}`
//! (errors handed to the handler) and `function.errors{kind}`
//! (errors `#[instrument]`ed functions return) give it.

use std::borrow::Cow;
use std::error::Error;
use std::fmt::{self, Write as _};

/// The kind of an error whose `Debug` output does not start with a name.
const UNKNOWN: &str = "Error";

/// The longest kind read from a `Debug` output.
const MAX_KIND_LEN: usize = 128;

/// The `kind` label of `error`, as every omniscope crate counts errors
/// (`errors{kind}`, `function.errors{kind}`): a short name for
/// the class of error, never its message, so that the label's values stay
/// few.
///
/// - The standard library's common errors are named by type: `io::Error`,
///   `fmt::Error`, `ParseIntError`, `ParseFloatError`, `Utf8Error`,
///   `FromUtf8Error`, `AddrParseError`, `TryFromIntError`.
/// - Any other error is named by the start of its `Debug` output, as
///   sentry-rust names exception types: the leading name before `(`, `{`,
///   `<`, `[` or a space. A derived `Debug` gives the struct's name
///   (`ValidationError { .. }` → `ValidationError`) or the enum variant's
///   (`Payment(..)` → `Payment`, `Timeout` → `Timeout`); for a path ending in
///   a type and a variant (`orders::OrderError::Payment(..)`) the type
///   (`OrderError`).
/// - Anything else — an output that does not start with a capitalized
///   identifier, as a message or a quoted string does (`anyhow::Error`,
///   `Box<dyn Error>` from a `String`), or a name longer than 128 bytes —
///   is `Error`.
///
/// An error type chooses its kind through the start of its `Debug` output:
/// derive `Debug`, or write the kind first in a hand-written one
/// (`write!(f, "CardDeclined {{ .. }}")`). Only that start is formatted: a
/// large error costs no more than a small one.
///
/// `#[instrument]` knows the error's type, so it also names by type an
/// error that implements `Display` but not `Debug` (`String` → `String`).
///
/// ```
/// use omniscope::error::kind_label;
///
/// #[derive(Debug)]
/// enum PaymentError { Declined { code: u16 }, Timeout }
/// # impl std::fmt::Display for PaymentError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("payment failed") }
/// # }
/// impl std::error::Error for PaymentError {}
///
/// assert_eq!(kind_label(&PaymentError::Declined { code: 51 }), "Declined");
/// assert_eq!(kind_label(&PaymentError::Timeout), "Timeout");
/// assert_eq!(kind_label(&std::io::Error::other("disk full")), "io::Error");
/// let boxed: Box<dyn std::error::Error> = "a message".into();
/// assert_eq!(kind_label(&*boxed), "Error");
/// ```
pub fn kind_label(error: &(dyn Error + 'static)) -> String {
    // A pre-install error replayed into the first handler keeps the kind it
    // had when it was reported.
    if let Some(replayed) = error.downcast_ref::<crate::preinit::ReplayedError>() {
        return replayed.kind.clone();
    }
    if let Some(kind) = std_kind(error) {
        return kind.to_owned();
    }
    debug_kind(error).into_owned()
}

/// [`kind_label`] of an error whose type is `type_name`, for `#[instrument]`,
/// whose errors need not be `'static` (so the standard library's errors are
/// recognized by type name rather than by downcasting).
pub(crate) fn typed_kind_label(error: &dyn fmt::Debug, type_name: &str) -> String {
    if let Some(kind) = std_kind_named(type_name) {
        return kind.to_owned();
    }
    debug_kind(error).into_owned()
}

/// The last path segment of a type name, generics stripped:
/// `std::io::error::Error` → `Error`, `my::Wrapper<u8>` → `Wrapper`; for
/// errors `#[instrument]` sees without `Debug`.
pub(crate) fn short_type_name(type_name: &str) -> &str {
    split_type_name(type_name).1
}

/// A type name (as [`std::any::type_name`] gives it) split into its module
/// path and its name, generics stripped, for backends that show them apart
/// (Sentry's exception `module` and `type`):
///
/// ```
/// use omniscope::error::split_type_name;
/// assert_eq!(split_type_name("orders::payment::PaymentError"), ("orders::payment", "PaymentError"));
/// assert_eq!(split_type_name("my::Wrapper<alloc::string::String>"), ("my", "Wrapper"));
/// assert_eq!(split_type_name("Plain"), ("", "Plain"));
/// ```
pub fn split_type_name(type_name: &str) -> (&str, &str) {
    let base = type_name.split('<').next().unwrap_or(type_name);
    base.rsplit_once("::").unwrap_or(("", base))
}

macro_rules! std_kinds {
    ($($kind:literal => $ty:ty),* $(,)?) => {
        /// The kind of the standard library's errors whose `Debug` output
        /// names a representation (`Custom { .. }`, `Os { .. }`) rather than
        /// the type.
        fn std_kind(error: &(dyn Error + 'static)) -> Option<&'static str> {
            $(if error.is::<$ty>() {
                return Some($kind);
            })*
            None
        }

        /// [`std_kind`] by the type's name.
        fn std_kind_named(type_name: &str) -> Option<&'static str> {
            $(if type_name == std::any::type_name::<$ty>() {
                return Some($kind);
            })*
            None
        }
    };
}

std_kinds! {
    "io::Error" => std::io::Error,
    "fmt::Error" => std::fmt::Error,
    "ParseIntError" => std::num::ParseIntError,
    "ParseFloatError" => std::num::ParseFloatError,
    "Utf8Error" => std::str::Utf8Error,
    "FromUtf8Error" => std::string::FromUtf8Error,
    "AddrParseError" => std::net::AddrParseError,
    "TryFromIntError" => std::num::TryFromIntError,
}

/// The kind at the start of `value`'s `Debug` output (see [`kind_label`]).
fn debug_kind(value: &dyn fmt::Debug) -> Cow<'static, str> {
    let mut head = Head(String::new());
    // Only the start is needed: `Head` stops the formatter there. A `Debug`
    // that panics is the application's code: caught (and counted), the
    // error is `Error`.
    if crate::catch_format_panic(|| write!(head, "{value:?}")).is_none() {
        return Cow::Borrowed(UNKNOWN);
    }
    match parse_kind(&head.0) {
        UNKNOWN => Cow::Borrowed(UNKNOWN),
        kind => Cow::Owned(kind.to_owned()),
    }
}

/// Collects a `Debug` output up to its first delimiter, then stops the
/// formatter (by returning an error) so that large values are not
/// formatted.
struct Head(String);

impl fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.find(is_delimiter) {
            Some(end) => {
                self.0.push_str(&s[..end]);
                self.0.push(' ');
                Err(fmt::Error)
            }
            None if self.0.len() + s.len() > MAX_KIND_LEN => {
                self.0.clear();
                Err(fmt::Error)
            }
            None => {
                self.0.push_str(s);
                Ok(())
            }
        }
    }
}

fn is_delimiter(c: char) -> bool {
    matches!(c, '(' | '{' | '<' | '[') || c.is_whitespace()
}

/// The kind at the start of a `Debug` output: the leading path before a
/// delimiter — its last segment, or the type before a final variant
/// (`orders::OrderError::Payment` → `OrderError`) — if it starts with a
/// capital letter; else [`UNKNOWN`].
fn parse_kind(debug: &str) -> &str {
    let end = debug.find(is_delimiter).unwrap_or(debug.len());
    let path = &debug[..end];
    if path.is_empty() || path.len() > MAX_KIND_LEN || !path.split("::").all(is_identifier) {
        return UNKNOWN;
    }
    let mut segments = path.rsplit("::");
    let last = segments.next().unwrap_or(UNKNOWN);
    let kind = match segments.next() {
        Some(type_name) if starts_upper(type_name) && starts_upper(last) => type_name,
        _ => last,
    };
    if starts_upper(kind) {
        kind
    } else {
        UNKNOWN
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

fn starts_upper(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_debug_that_panics_is_an_error_of_kind_error() {
        struct Panics;
        impl fmt::Debug for Panics {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                panic!("a broken Debug")
            }
        }
        assert_eq!(debug_kind(&Panics), UNKNOWN);
    }

    #[test]
    fn kinds_from_debug_output() {
        for (debug, expected) in [
            ("OrderError::Payment(CardDeclined)", "OrderError"),
            ("orders::OrderError::Payment(..)", "OrderError"),
            ("orders::OrderError { code: 3 }", "OrderError"),
            ("Custom { kind: Other, error: \"boom\" }", "Custom"),
            ("Timeout", "Timeout"),
            ("ParseIntError { kind: InvalidDigit }", "ParseIntError"),
            ("Wrapper<T>(1)", "Wrapper"),
            ("\"just a string\"", UNKNOWN),
            ("connection refused\n\nCaused by: …", UNKNOWN),
            ("42", UNKNOWN),
            ("", UNKNOWN),
            ("a::::b", UNKNOWN),
        ] {
            assert_eq!(parse_kind(debug), expected, "{debug}");
        }
    }

    #[test]
    fn short_type_names_drop_paths_and_generics() {
        assert_eq!(short_type_name("std::io::error::Error"), "Error");
        assert_eq!(
            short_type_name("my::Wrapper<alloc::string::String>"),
            "Wrapper"
        );
        assert_eq!(short_type_name("Plain"), "Plain");
        assert_eq!(short_type_name(std::any::type_name::<u8>()), "u8");
    }

    #[test]
    fn standard_errors_are_named_by_type_either_way() {
        let io = std::io::Error::other("carrier refused");
        let os = std::io::Error::from_raw_os_error(2);
        let parse = "x".parse::<u8>().unwrap_err();
        assert_eq!(kind_label(&io), "io::Error");
        assert_eq!(kind_label(&os), "io::Error");
        assert_eq!(kind_label(&parse), "ParseIntError");
        let io_name = std::any::type_name::<std::io::Error>();
        assert_eq!(typed_kind_label(&os, io_name), "io::Error");
    }

    #[derive(Debug)]
    struct Huge(#[allow(dead_code)] Vec<u8>);

    #[test]
    fn reads_only_the_head_of_debug_output() {
        assert_eq!(debug_kind(&Huge(vec![0; 100_000])), "Huge");
        assert_eq!(debug_kind(&[0u8; 3]), UNKNOWN);
    }
}
