//! `tracing` field values as omniscope [`Field`]s.
//!
//! A `tracing` visitor lends each value for one call only, while a span
//! start and a log record take all their fields at once. So the values are
//! collected first: numbers and booleans as they are, text (strings, `%`
//! and `?` values, errors with their chain) appended to one per-thread
//! buffer, reused from call to call, so that collecting allocates nothing
//! once the buffer has grown. `tracing` allows at most 32 fields per call
//! site, so the [`Field`] array is built on the stack.

use std::cell::RefCell;
use std::error::Error;
use std::fmt::{self, Write as _};

use omniscope::error::error_sources;
use omniscope::{catch_format_panic, Field, SpanKind, Value, PANICKED_WHILE_FORMATTING};
use tracing::field::Visit;

use crate::callsite::{
    Callsite, ERROR, OTEL_KIND, OTEL_NAME, OTEL_STATUS_CODE, OTEL_STATUS_DESCRIPTION,
};

/// The most fields a `tracing` call site has.
const MAX_FIELDS: usize = 32;

/// A buffer that grew beyond this is given back after use, so that one huge
/// value does not pin its memory to the thread for ever.
const KEEP_CAPACITY: usize = 16 * 1024;

/// The field that holds an event's message.
const MESSAGE: &str = "message";

/// A collected value: text is a range of [`Collected::text`].
#[derive(Clone, Copy, Debug)]
enum Kept {
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
    Text(usize, usize),
}

/// The fields of one span start or event, collected from a visitor.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    text: String,
    fields: Vec<(&'static str, Kept)>,
    message: Option<(usize, usize)>,
    name: Option<(usize, usize)>,
    kind: Option<SpanKind>,
    status_code: Option<(usize, usize)>,
    status_description: Option<(usize, usize)>,
    error: bool,
}

impl Collected {
    fn clear(&mut self) {
        self.text.clear();
        self.fields.clear();
        self.message = None;
        self.name = None;
        self.kind = None;
        self.status_code = None;
        self.status_description = None;
        self.error = false;
    }

    fn range(&self, range: Option<(usize, usize)>) -> Option<&str> {
        range.and_then(|(start, end)| self.text.get(start..end))
    }

    /// The event's `message` field.
    pub(crate) fn message(&self) -> Option<&str> {
        self.range(self.message)
    }

    /// The span's `otel.name`.
    pub(crate) fn name(&self) -> Option<&str> {
        self.range(self.name)
    }

    /// The span's `otel.kind`, if it names a kind.
    pub(crate) fn kind(&self) -> Option<SpanKind> {
        self.kind
    }

    /// The span's `otel.status_code` and `otel.status_description`.
    pub(crate) fn status(&self) -> (Option<&str>, Option<&str>) {
        (
            self.range(self.status_code),
            self.range(self.status_description),
        )
    }

    /// Whether an `error` field held an error (recorded once the span exists).
    pub(crate) fn has_error(&self) -> bool {
        self.error
    }

    /// Runs `f` with the collected fields, as omniscope fields.
    pub(crate) fn with_fields<R>(&self, f: impl FnOnce(&[Field<'_>]) -> R) -> R {
        // The smallest array that holds them: filling 32 fields' worth of
        // stack for the usual two or three costs more than the rest.
        match self.fields.len() {
            0..=4 => self.fill::<4, R>(f),
            5..=8 => self.fill::<8, R>(f),
            9..=16 => self.fill::<16, R>(f),
            _ => self.fill::<MAX_FIELDS, R>(f),
        }
    }

    fn fill<const N: usize, R>(&self, f: impl FnOnce(&[Field<'_>]) -> R) -> R {
        let mut fields = [Field::new_static("", Value::Bool(false)); N];
        let mut n = 0;
        for ((key, kept), slot) in self.fields.iter().zip(fields.iter_mut()) {
            let value = match *kept {
                Kept::I64(v) => Value::I64(v),
                Kept::U64(v) => Value::U64(v),
                Kept::F64(v) => Value::F64(v),
                Kept::Bool(v) => Value::Bool(v),
                Kept::Text(start, end) => Value::Str(self.text.get(start..end).unwrap_or("")),
            };
            *slot = Field::new_static(key, value);
            n += 1;
        }
        f(&fields[..n])
    }

    /// Appends what `write` writes to the text; returns its range. A value
    /// whose formatting panics ends with [`PANICKED_WHILE_FORMATTING`].
    fn push_text(&mut self, write: impl FnOnce(&mut String) -> fmt::Result) -> (usize, usize) {
        let start = self.text.len();
        let text = &mut self.text;
        if catch_format_panic(|| write(text)).is_none() {
            self.text.push_str(PANICKED_WHILE_FORMATTING);
        }
        (start, self.text.len())
    }

    fn push(&mut self, key: &'static str, kept: Kept) {
        if self.fields.len() < MAX_FIELDS {
            self.fields.push((key, kept));
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Collected> = RefCell::new(Collected::default());
}

/// Runs `f` with this thread's cleared buffer, or, for a nested use (a
/// value whose `Debug` emits an event while it is collected) or during
/// thread teardown, with a fresh one.
pub(crate) fn with_scratch<R>(mut f: impl FnMut(&mut Collected) -> R) -> R {
    let reused = SCRATCH.try_with(|cell| {
        let mut scratch = cell.try_borrow_mut().ok()?;
        scratch.clear();
        let out = f(&mut scratch);
        if scratch.text.capacity() > KEEP_CAPACITY {
            scratch.text = String::new();
        }
        Some(out)
    });
    match reused {
        Ok(Some(out)) => out,
        _ => f(&mut Collected::default()),
    }
}

/// Collects the fields of a span start or an event.
pub(crate) struct Collector<'a> {
    pub(crate) out: &'a mut Collected,
    pub(crate) callsite: &'static Callsite,
    /// Events keep `message` apart; spans keep `otel.*` and `error` apart.
    pub(crate) event: bool,
}

impl Collector<'_> {
    /// Handles a special field's text; `false` when `key` is not special here.
    fn special_text(&mut self, field: &tracing::field::Field, range: (usize, usize)) -> bool {
        if self.event || !self.callsite.is_special(field.index()) {
            return false;
        }
        match field.name() {
            OTEL_NAME => self.out.name = Some(range),
            OTEL_KIND => self.out.kind = self.out.range(Some(range)).and_then(parse_kind),
            OTEL_STATUS_CODE => self.out.status_code = Some(range),
            OTEL_STATUS_DESCRIPTION => self.out.status_description = Some(range),
            _ => return false,
        }
        true
    }

    fn text(&mut self, field: &tracing::field::Field, range: (usize, usize)) {
        if self.event && field.name() == MESSAGE {
            self.out.message = Some(range);
        } else if !self.special_text(field, range) {
            self.out.push(field.name(), Kept::Text(range.0, range.1));
        }
    }
}

impl Visit for Collector<'_> {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.out.push(field.name(), Kept::F64(value));
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.out.push(field.name(), Kept::I64(value));
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.out.push(field.name(), Kept::U64(value));
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.out.push(field.name(), Kept::Bool(value));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        let range = self.out.push_text(|s| {
            s.push_str(value);
            Ok(())
        });
        self.text(field, range);
    }

    fn record_error(&mut self, field: &tracing::field::Field, value: &(dyn Error + 'static)) {
        if !self.event && field.name() == ERROR {
            // Recorded on the span once it exists: the error is lent for
            // this call only, and the span has not started yet.
            self.out.error = true;
            return;
        }
        let range = self.out.push_text(|s| write_chain(s, value));
        self.text(field, range);
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        let range = self.out.push_text(|s| write!(s, "{value:?}"));
        self.text(field, range);
    }
}

/// Writes `error` and its sources, `outer: inner: root`, each message once
/// (as [`omniscope::error::chain_message`] does, without a `String` per link).
fn write_chain(out: &mut String, error: &(dyn Error + 'static)) -> fmt::Result {
    let start = out.len();
    for (i, e) in error_sources(error).enumerate() {
        let at = out.len();
        if i > 0 {
            out.push_str(": ");
        }
        let text_at = out.len();
        write!(out, "{e}")?;
        // A wrapper that repeats its source's message says it once.
        let text = out.get(text_at..).unwrap_or("");
        if i > 0
            && out
                .get(start..at)
                .is_some_and(|before| before.ends_with(text))
        {
            out.truncate(at);
        }
    }
    Ok(())
}

/// `otel.kind`'s value, as `tracing-opentelemetry` reads it.
pub(crate) fn parse_kind(text: &str) -> Option<SpanKind> {
    const KINDS: [(&str, SpanKind); 5] = [
        ("server", SpanKind::Server),
        ("client", SpanKind::Client),
        ("producer", SpanKind::Producer),
        ("consumer", SpanKind::Consumer),
        ("internal", SpanKind::Internal),
    ];
    KINDS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, kind)| *kind)
}

/// Records what `Span::record` (or a span's start) sets on an existing span.
pub(crate) struct Recorder<'a> {
    pub(crate) span: &'a omniscope::Span,
    pub(crate) callsite: &'static Callsite,
    pub(crate) status: &'a mut StatusFields,
    /// Only `error` fields (the second pass over a span's initial fields).
    pub(crate) errors_only: bool,
}

/// `otel.status_code` and `otel.status_description` as recorded so far:
/// they may come in either order, in one call or two.
#[derive(Debug, Default)]
pub(crate) struct StatusFields {
    code: Option<StatusCode>,
    description: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StatusCode {
    Unset,
    Ok,
    Error,
}

impl StatusFields {
    /// Applies an `otel.status_code` and/or `otel.status_description`.
    pub(crate) fn apply(
        &mut self,
        span: &omniscope::Span,
        code: Option<&str>,
        description: Option<&str>,
    ) {
        if let Some(code) = code {
            self.code = [
                ("ok", StatusCode::Ok),
                ("error", StatusCode::Error),
                ("unset", StatusCode::Unset),
            ]
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(code))
            .map(|(_, c)| *c);
        }
        if let Some(description) = description {
            self.description = Some(description.to_owned());
        }
        match self.code {
            Some(StatusCode::Ok) => span.set_status(omniscope::Status::Ok),
            Some(StatusCode::Error) => span.set_status(omniscope::Status::error(
                self.description.clone().unwrap_or_default(),
            )),
            Some(StatusCode::Unset) => span.set_status(omniscope::Status::Unset),
            None => {}
        }
    }
}

impl Recorder<'_> {
    fn value(&mut self, field: &tracing::field::Field, value: Value<'_>) {
        if self.errors_only {
            return;
        }
        if self.callsite.is_special(field.index()) {
            let text = match value {
                Value::Str(s) => Some(s),
                _ => None,
            };
            match (field.name(), text) {
                (OTEL_NAME, Some(name)) => return self.span.update_name(name),
                // The kind is fixed when the span starts.
                (OTEL_KIND, _) => return,
                (OTEL_STATUS_CODE, code @ Some(_)) => {
                    return self.status.apply(self.span, code, None)
                }
                (OTEL_STATUS_DESCRIPTION, description @ Some(_)) => {
                    return self.status.apply(self.span, None, description)
                }
                _ => {}
            }
            if field.name() != ERROR {
                // A special field with a value that is not text: formatted.
                let text = value.to_string();
                return self.value(field, Value::Str(&text));
            }
        }
        self.span.set_attribute(field.name(), value);
    }
}

impl Visit for Recorder<'_> {
    fn record_f64(&mut self, field: &tracing::field::Field, value: f64) {
        self.value(field, Value::F64(value));
    }

    fn record_i64(&mut self, field: &tracing::field::Field, value: i64) {
        self.value(field, Value::I64(value));
    }

    fn record_u64(&mut self, field: &tracing::field::Field, value: u64) {
        self.value(field, Value::U64(value));
    }

    fn record_bool(&mut self, field: &tracing::field::Field, value: bool) {
        self.value(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.value(field, Value::Str(value));
    }

    fn record_error(&mut self, field: &tracing::field::Field, value: &(dyn Error + 'static)) {
        if field.name() == ERROR {
            self.span.record_error(value);
        } else if !self.errors_only {
            self.span.set_attribute(field.name(), Value::Error(value));
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        if self.callsite.is_special(field.index()) && !self.errors_only {
            // `otel.name = %name` and the like arrive here: read as text.
            let text = omniscope::catch_format_panic(|| format!("{value:?}"))
                .unwrap_or_else(|| PANICKED_WHILE_FORMATTING.to_owned());
            return self.value(field, Value::Str(&text));
        }
        self.value(field, Value::Debug(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Wrapper(std::io::Error, &'static str);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.1)
        }
    }

    impl Error for Wrapper {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    fn chain(e: &(dyn Error + 'static)) -> String {
        let mut out = String::from("kept: ");
        write_chain(&mut out, e).unwrap();
        out
    }

    #[test]
    fn a_chain_says_each_message_once() {
        let root = || std::io::Error::other("card declined");
        assert_eq!(
            chain(&Wrapper(root(), "payment failed")),
            "kept: payment failed: card declined"
        );
        // A wrapper whose message already ends with its source's.
        assert_eq!(
            chain(&Wrapper(root(), "payment failed: card declined")),
            "kept: payment failed: card declined"
        );
    }

    #[test]
    fn kinds_are_read_as_tracing_opentelemetry_reads_them() {
        assert_eq!(parse_kind("server"), Some(SpanKind::Server));
        assert_eq!(parse_kind("Client"), Some(SpanKind::Client));
        assert_eq!(parse_kind("PRODUCER"), Some(SpanKind::Producer));
        assert_eq!(parse_kind("job"), None);
    }
}
