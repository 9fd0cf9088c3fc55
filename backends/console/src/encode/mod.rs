//! Encoders: one record in, one line (or, for a pretty error with a
//! backtrace, a few lines) out. Pure functions of the record, the resource
//! and the [`Style`]; the exporters own the I/O.

mod json;
mod metrics;
mod pretty;
mod time;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::options::Format;

/// How records are encoded: the format, and whether pretty lines carry
/// ANSI colours (decided once, at build).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Style {
    pub(crate) format: Format,
    pub(crate) color: bool,
}

/// Appends the line of a log record.
pub(crate) fn log(record: &LogData, resource: &Resource, style: Style, out: &mut String) {
    match style.format {
        Format::Pretty => pretty::log(record, style.color, out),
        Format::Json => json::log(record, resource, out),
    }
}

/// Appends the line of a finished span.
pub(crate) fn span(span: &SpanData, resource: &Resource, style: Style, out: &mut String) {
    match style.format {
        Format::Pretty => pretty::span(span, style.color, out),
        Format::Json => json::span(span, resource, out),
    }
}

/// Appends the line of a handled error or a panic.
pub(crate) fn error(event: &ErrorEvent, resource: &Resource, style: Style, out: &mut String) {
    match style.format {
        Format::Pretty => pretty::error(event, style.color, out),
        Format::Json => json::error(event, resource, out),
    }
}

/// Appends the table (pretty) or line (JSON) of a metrics snapshot.
pub(crate) fn metrics(
    snapshot: &MetricsSnapshot,
    resource: &Resource,
    style: Style,
    out: &mut String,
) {
    match style.format {
        Format::Pretty => metrics::pretty(snapshot, style.color, out),
        Format::Json => metrics::json(snapshot, resource, out),
    }
}

#[cfg(test)]
mod tests;
