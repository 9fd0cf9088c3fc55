//! Turning an error and its context into an [`ErrorEvent`].

use std::backtrace::BacktraceStatus;
use std::error::Error;
use std::fmt::Write as _;
use std::time::SystemTime;

use omniscope::error::{error_sources, kind_label, PanicError};
use omniscope::{ErrorContext, ErrorKind};

use super::data::{ChainLink, ErrorEvent};
use crate::attributes::Attributes;
use crate::logs::redact::Redactor;

/// The type name of panics.
pub(crate) const PANIC: &str = "panic";

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
        error_type: context.type_name(),
        fields,
        trace_id: context.trace_id(),
        span_id: context.span_id(),
        location: context
            .location_parts()
            .map(|(file, line, column)| format!("{file}:{line}:{column}")),
        thread,
        backtrace,
        handling_backtrace: None,
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
/// `errors{kind}` uses).
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

/// The type name of `error`: `"panic"` for a [`PanicError`], else its
/// `kind` label ([`kind_label`]), the name `errors{kind}` and
/// `function.errors{kind}` give it too.
pub(crate) fn type_name(error: &(dyn Error + 'static)) -> String {
    if error.is::<PanicError>() {
        return PANIC.to_owned();
    }
    kind_label(error)
}

#[cfg(test)]
mod tests {
    use std::fmt;

    use super::*;

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
