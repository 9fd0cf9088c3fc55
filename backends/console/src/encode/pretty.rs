//! The human-readable format (trace ids shortened here):
//!
//! ```text
//! 2026-11-21T10:00:00.123Z  INFO orders::api  order created  order.id=42 note="first order"  trace=4bf92f35…
//! 2026-11-21T10:00:00.135Z  SPAN orders::api  checkout 12.0ms  kind=server status=ok amount=12.5  trace=4bf92f35… span=00f067aa0ba902b7
//! 2026-11-21T10:00:00.140Z ERROR OrderError  payment failed: card expired  order.id=42 at=src/api.rs:7:9  trace=4bf92f35…
//! ```
//!
//! The timestamp (UTC, milliseconds), then the level right-aligned in five
//! columns (`SPAN` for spans, `PANIC` for panics), the target (for errors,
//! the error's type), and, each after two spaces, the message (for spans,
//! the name and duration; for errors, the source chain joined by `: `),
//! the fields as `key=value`, and the ids in full. A string value is
//! quoted, with Rust escapes, when it is empty or holds blanks, quotes,
//! `=`, backslashes or control characters. A backtrace follows an error on
//! lines indented by four spaces. Colours are plain ANSI escapes.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime};

use omniscope::{ErrorKind, Level, SpanId, SpanKind, Status, TraceId, Value};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::trace::SpanData;

use super::time::{write_rfc3339, Precision};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const ITALIC: &str = "\x1b[3m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const BLUE: &str = "\x1b[34m";
const MAGENTA: &str = "\x1b[35m";
pub(super) const CYAN: &str = "\x1b[36m";
const BOLD_RED: &str = "\x1b[1;31m";

/// The width of the level column (`ERROR`).
const LEVEL_WIDTH: usize = 5;

/// Writes text with or without an ANSI colour.
#[derive(Clone, Copy)]
pub(super) struct Paint(pub(super) bool);

impl Paint {
    pub(super) fn text(self, out: &mut String, code: &str, text: &str) {
        if self.0 {
            out.push_str(code);
            out.push_str(text);
            out.push_str(RESET);
        } else {
            out.push_str(text);
        }
    }
}

pub(super) fn log(record: &LogData, color: bool, out: &mut String) {
    let paint = Paint(color);
    let level = record.level;
    header(
        out,
        paint,
        record.timestamp,
        (level.as_str(), level_color(level)),
        &record.target,
    );
    out.push_str(&record.message);
    fields(out, paint, record.fields.iter());
    ids(out, paint, record.trace_id, &[]);
    out.push('\n');
}

pub(super) fn span(span: &SpanData, color: bool, out: &mut String) {
    let paint = Paint(color);
    let tag_color = match span.status {
        Status::Error(_) => RED,
        _ => CYAN,
    };
    header(
        out,
        paint,
        span.end_time,
        ("SPAN", tag_color),
        span.site.target(),
    );
    paint.text(out, BOLD, &span.name);
    out.push(' ');
    let elapsed = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or_default();
    duration(out, elapsed);
    let kind = (span.kind != SpanKind::Internal).then(|| ("kind", Value::Str(span.kind.as_str())));
    let (status, description) = match &span.status {
        Status::Unset => (None, None),
        Status::Ok => (Some(("status", Value::Str("ok"))), None),
        Status::Error(d) => (
            Some(("status", Value::Str("error"))),
            Some(("error", Value::Str(d))),
        ),
    };
    let extra = kind.into_iter().chain(status).chain(description);
    fields(out, paint, extra.chain(span.attributes.iter()));
    let span_id = [
        ("span", Some(span.context.span_id())),
        ("parent", span.parent_span_id),
    ];
    ids(out, paint, Some(span.context.trace_id()), &span_id);
    out.push('\n');
}

pub(super) fn error(event: &ErrorEvent, color: bool, out: &mut String) {
    let paint = Paint(color);
    let tag = match event.kind {
        ErrorKind::Handled => ("ERROR", RED),
        ErrorKind::Panic => ("PANIC", BOLD_RED),
    };
    header(out, paint, event.timestamp, tag, event.type_name());
    for (i, link) in event.chain.iter().enumerate() {
        if i > 0 {
            out.push_str(": ");
        }
        out.push_str(&link.message);
    }
    let at = event.location.as_deref().map(|l| ("at", Value::Str(l)));
    let thread = event.thread.as_deref().map(|t| ("thread", Value::Str(t)));
    fields(out, paint, event.fields.iter().chain(at).chain(thread));
    ids(out, paint, event.trace_id, &[]);
    out.push('\n');
    for line in event.backtrace.iter().flat_map(|b| b.lines()) {
        out.push_str("    ");
        paint.text(out, DIM, line);
        out.push('\n');
    }
}

/// Timestamp, level column and target, each followed by its separator.
fn header(out: &mut String, paint: Paint, time: SystemTime, tag: (&str, &str), target: &str) {
    timestamp(out, paint, time);
    out.push(' ');
    level_column(out, paint, tag);
    out.push(' ');
    paint.text(out, DIM, target);
    out.push_str("  ");
}

pub(super) fn timestamp(out: &mut String, paint: Paint, time: SystemTime) {
    if paint.0 {
        out.push_str(DIM);
    }
    write_rfc3339(out, time, Precision::Millis);
    if paint.0 {
        out.push_str(RESET);
    }
}

/// The tag (a level, `SPAN`, `PANIC`…), right-aligned in the level column.
pub(super) fn level_column(out: &mut String, paint: Paint, (tag, code): (&str, &str)) {
    for _ in tag.len()..LEVEL_WIDTH {
        out.push(' ');
    }
    paint.text(out, code, tag);
}

fn fields<'a>(out: &mut String, paint: Paint, fields: impl Iterator<Item = (&'a str, Value<'a>)>) {
    for (i, (key, value)) in fields.enumerate() {
        out.push_str(if i == 0 { "  " } else { " " });
        paint.text(out, ITALIC, key);
        out.push('=');
        match value {
            Value::Str(s) => quoted_if_needed(out, s),
            other => {
                let _ = write!(out, "{other}");
            }
        }
    }
}

/// `trace=…` then the other ids that are present, dimmed.
fn ids(out: &mut String, paint: Paint, trace: Option<TraceId>, others: &[(&str, Option<SpanId>)]) {
    let Some(trace) = trace else { return };
    let mut ids = format!("trace={trace}");
    for (name, id) in others {
        if let Some(id) = id {
            let _ = write!(ids, " {name}={id}");
        }
    }
    out.push_str("  ");
    paint.text(out, DIM, &ids);
}

/// `s` as it is, or quoted with Rust escapes when it would not read back as
/// one `key=value` token.
pub(super) fn quoted_if_needed(out: &mut String, s: &str) {
    let plain = !s.is_empty()
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '=' | '\\'));
    if plain {
        out.push_str(s);
    } else {
        let _ = write!(out, "{s:?}");
    }
}

/// `950ns`, `12.3µs`, `12.3ms`, `1.25s`.
pub(super) fn duration(out: &mut String, d: Duration) {
    let nanos = d.as_nanos();
    let _ = if nanos < 1_000 {
        write!(out, "{nanos}ns")
    } else if nanos < 1_000_000 {
        write!(out, "{:.1}µs", nanos as f64 / 1e3)
    } else if nanos < 1_000_000_000 {
        write!(out, "{:.1}ms", nanos as f64 / 1e6)
    } else {
        write!(out, "{:.2}s", d.as_secs_f64())
    };
}

fn level_color(level: Level) -> &'static str {
    match level {
        Level::Error => RED,
        Level::Warn => YELLOW,
        Level::Info => GREEN,
        Level::Debug => BLUE,
        Level::Trace => MAGENTA,
    }
}
