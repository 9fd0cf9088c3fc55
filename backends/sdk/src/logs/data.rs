//! [`LogData`]: a log record, as exporters receive it.

use std::borrow::Cow;
use std::time::SystemTime;

use omniscope::{Level, SpanId, TraceFlags, TraceId};

use crate::attributes::Attributes;

/// A processed log record (filtered, redacted, formatted once).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct LogData {
    /// When the record was emitted.
    pub timestamp: SystemTime,
    /// When the SDK received it (differs from `timestamp` for replayed records).
    pub observed_timestamp: SystemTime,
    /// Its level.
    pub level: Level,
    /// Its target.
    pub target: Cow<'static, str>,
    /// The formatted message.
    pub message: String,
    /// Its fields, after redaction.
    pub fields: Attributes,
    /// The trace id of the span it was emitted in.
    pub trace_id: Option<TraceId>,
    /// The span id of the span it was emitted in.
    pub span_id: Option<SpanId>,
    /// The trace flags of the span it was emitted in (`sampled`, and any
    /// other bit of the W3C byte); none set outside a span.
    pub trace_flags: TraceFlags,
    /// Source location: module path, file, line.
    pub location: Option<(Cow<'static, str>, Cow<'static, str>, u32)>,
}
