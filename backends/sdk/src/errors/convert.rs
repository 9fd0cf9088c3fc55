//! Turning an error and its context into an [`ErrorEvent`].

use std::backtrace::BacktraceStatus;
use std::error::Error;
use std::fmt::{self, Write as _};
use std::time::SystemTime;

use omniscope::error::{error_sources, PanicError};
use omniscope::{ErrorContext, ErrorKind};

use super::data::{ChainLink, ErrorEvent};
use crate::attributes::Attributes;
use crate::logs::redact::Redactor;

/// The type name of panics.
pub(crate) const PANIC: &str = "panic";

/// The type name used when an error's `Debug` output does not start with one.
pub(crate) const UNKNOWN: &str = "Error";

/// The longest type name read from a `Debug` output.
const MAX_TYPE_NAME: usize = 128;

/// Limits applied to an event's fields.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FieldLimits {
    pub(crate) max_fields: usize,
    pub(crate) max_value_len: Option<usize>,
}

/// The event for `error` in `context`, its fields redacted, and how many
/// fields the limits dropped.
pub(crate) fn to_event(
    error: &(dyn Error + 'static),
    context: &ErrorContext<'_>,
    redactor: &Redactor,
    limits: FieldLimits,
    now: SystemTime,
) -> (ErrorEvent, usize) {
    let mut fields = Attributes::with_capacity(context.fields().len().min(limits.max_fields));
    let dropped = redactor.push_fields(
        &mut fields,
        context.fields(),
        limits.max_fields,
        limits.max_value_len,
    );
    let thread = match context.thread() {
        Some(name) => Some(name.to_owned()),
        None => std::thread::current().name().map(str::to_owned),
    };
    let backtrace = context
        .backtrace()
        .filter(|b| b.status() == BacktraceStatus::Captured)
        .map(ToString::to_string);
    let event = ErrorEvent {
        timestamp: context.timestamp().unwrap_or(now),
        kind: context.kind(),
        chain: chain(error, context.kind()),
        fields,
        trace_id: context.trace_id(),
        span_id: context.span_id(),
        location: context
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column())),
        thread,
        backtrace,
    };
    (event, dropped)
}

/// The error, then each `source()` below it, as the facade's bounded
/// walker yields them (a cycle or a pathological chain must not hang or
/// exhaust the handler).
fn chain(error: &(dyn Error + 'static), kind: ErrorKind) -> Vec<ChainLink> {
    error_sources(error)
        .enumerate()
        .map(|(depth, e)| ChainLink {
            type_name: if depth == 0 && kind == ErrorKind::Panic {
                PANIC.to_owned()
            } else {
                type_name(e)
            },
            message: display(e),
        })
        .collect()
}

/// The outermost type name of a handled error or panic (what
/// `errors_total{kind}` uses).
pub(crate) fn outer_type_name(error: &(dyn Error + 'static), kind: ErrorKind) -> String {
    match kind {
        ErrorKind::Panic => PANIC.to_owned(),
        ErrorKind::Handled => type_name(error),
    }
}

/// `error`'s `Display` output (an `Err` from a broken impl ends it early).
fn display(error: &dyn Error) -> String {
    let mut s = String::new();
    let _ = write!(s, "{error}");
    s
}

/// The type name of `error`: `"panic"` for a [`PanicError`], the standard
/// library's name for its common error types (whose `Debug` output names a
/// representation, `Custom { .. }` or `Os { .. }`, not the type), else the
/// name [`parse_type_from_debug`] reads from its `Debug` output — for an
/// enum with a derived `Debug`, that is the variant, as in sentry-rust.
pub(crate) fn type_name(error: &(dyn Error + 'static)) -> String {
    if error.is::<PanicError>() {
        return PANIC.to_owned();
    }
    if let Some(name) = std_type_name(error) {
        return name.to_owned();
    }
    // Only the start of the `Debug` output is needed: stop formatting there.
    let mut head = Head(String::new());
    let _ = write!(head, "{error:?}");
    parse_type_from_debug(&head.0).to_owned()
}

fn std_type_name(error: &(dyn Error + 'static)) -> Option<&'static str> {
    let known: [(&str, bool); 8] = [
        ("io::Error", error.is::<std::io::Error>()),
        ("fmt::Error", error.is::<std::fmt::Error>()),
        ("ParseIntError", error.is::<std::num::ParseIntError>()),
        ("ParseFloatError", error.is::<std::num::ParseFloatError>()),
        ("Utf8Error", error.is::<std::str::Utf8Error>()),
        ("FromUtf8Error", error.is::<std::string::FromUtf8Error>()),
        ("AddrParseError", error.is::<std::net::AddrParseError>()),
        ("TryFromIntError", error.is::<std::num::TryFromIntError>()),
    ];
    known.into_iter().find(|(_, is)| *is).map(|(name, _)| name)
}

/// Collects a `Debug` output up to its first delimiter, then stops the
/// formatter (by returning an error) so large values are not formatted.
struct Head(String);

impl fmt::Write for Head {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        match s.find(is_delimiter) {
            Some(end) => {
                self.0.push_str(&s[..end]);
                self.0.push(' ');
                Err(fmt::Error)
            }
            None if self.0.len() + s.len() > MAX_TYPE_NAME => {
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

/// The type name at the start of a `Debug` output, as sentry-rust reads it:
/// the leading path before `(`, `{` or a space — `Os { code: 2, .. }` →
/// `Os`, `Timeout` → `Timeout`. For a path ending in a type and a variant
/// (`orders::OrderError::Payment(..)`) it is the type (`OrderError`); for
/// `orders::OrderError { .. }` the last segment. Anything that does not
/// start with an identifier path (a quoted string, a number) gives `"Error"`.
pub(crate) fn parse_type_from_debug(debug: &str) -> &str {
    let end = debug.find(is_delimiter).unwrap_or(debug.len());
    let path = &debug[..end];
    if path.is_empty() || path.len() > MAX_TYPE_NAME || !path.split("::").all(is_identifier) {
        return UNKNOWN;
    }
    let mut segments = path.rsplit("::");
    let last = segments.next().unwrap_or(UNKNOWN);
    match segments.next() {
        Some(type_name) if starts_upper(type_name) && starts_upper(last) => type_name,
        _ => last,
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
    fn parses_type_names_like_sentry() {
        for (debug, expected) in [
            ("OrderError::Payment(CardDeclined)", "OrderError"),
            ("orders::OrderError::Payment(..)", "OrderError"),
            ("orders::OrderError { code: 3 }", "OrderError"),
            ("Os { code: 2, kind: NotFound, message: \"x\" }", "Os"),
            ("Custom { kind: Other, error: \"boom\" }", "Custom"),
            ("Timeout", "Timeout"),
            ("ParseIntError { kind: InvalidDigit }", "ParseIntError"),
            ("Wrapper<T>(1)", "Wrapper"),
            ("\"just a string\"", UNKNOWN),
            ("42", UNKNOWN),
            ("", UNKNOWN),
            ("a::::b", UNKNOWN),
        ] {
            assert_eq!(parse_type_from_debug(debug), expected, "{debug}");
        }
    }

    #[derive(Debug)]
    struct Huge(#[allow(dead_code)] Vec<u8>);
    impl fmt::Display for Huge {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("huge")
        }
    }
    impl Error for Huge {}

    #[test]
    fn standard_errors_are_named_by_type() {
        let io = std::io::Error::other("carrier refused");
        assert_eq!(type_name(&io), "io::Error");
        let os = std::io::Error::from_raw_os_error(2);
        assert_eq!(type_name(&os), "io::Error");
        let parse = "x".parse::<u8>().unwrap_err();
        assert_eq!(type_name(&parse), "ParseIntError");
    }

    #[test]
    fn reads_only_the_head_of_debug_output() {
        let e = Huge(vec![0; 100_000]);
        assert_eq!(type_name(&e), "Huge");
    }

    #[derive(Debug)]
    struct Cycle;
    impl fmt::Display for Cycle {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("cycle")
        }
    }
    impl Error for Cycle {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            static SELF: Cycle = Cycle;
            Some(&SELF)
        }
    }

    #[test]
    fn endless_chains_are_cut() {
        assert_eq!(
            chain(&Cycle, ErrorKind::Handled).len(),
            omniscope::MAX_ERROR_CHAIN
        );
    }
}
