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

impl LogData {
    /// A record emitted and observed at `timestamp` with this level and
    /// message, and nothing else yet (an empty target, no fields, outside
    /// any span, no location): for a backend that receives records from
    /// elsewhere (such as the dashboard's OTLP receiver) and fills the
    /// public fields.
    pub fn new(timestamp: SystemTime, level: Level, message: String) -> LogData {
        LogData {
            timestamp,
            observed_timestamp: timestamp,
            level,
            target: Cow::Borrowed(""),
            message,
            fields: Attributes::new(),
            trace_id: None,
            span_id: None,
            trace_flags: TraceFlags::default(),
            location: None,
        }
    }
}
