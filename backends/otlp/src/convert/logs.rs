//! Log records → `ExportLogsServiceRequest`.

use omniscope_sdk::logs::LogData;
use omniscope_sdk::Resource;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};

use super::common::{
    attributes, group_by_scope, key_value, resource, scope, string_value, unix_nanos,
};

/// One request holding `records` of `res`, one scope per target.
pub(crate) fn logs_request<'a>(
    records: impl Iterator<Item = &'a LogData>,
    res: &Resource,
) -> ExportLogsServiceRequest {
    let scope_logs = group_by_scope(records, |r| r.target.as_ref(), record)
        .into_iter()
        .map(|(name, log_records)| ScopeLogs {
            scope: Some(scope(name)),
            log_records,
            schema_url: String::new(),
        })
        .collect();
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(resource(res)),
            scope_logs,
            schema_url: String::new(),
        }],
    }
}

/// The message is the body; the fields, then the source location
/// (`code.file.path`, `code.line.number`), are the attributes; the ids and
/// trace flags of the span it was emitted in correlate it with its trace
/// (`flags` holds the W3C flags byte in its low 8 bits, as
/// `LOG_RECORD_FLAGS_TRACE_FLAGS_MASK` says; the rest is reserved, zero).
pub(super) fn record(r: &LogData) -> LogRecord {
    let mut attrs = attributes(&r.fields);
    if let Some((_, file, line)) = &r.location {
        attrs.push(key_value("code.file.path", string_value(file.as_ref())));
        attrs.push(key_value(
            "code.line.number",
            AnyValue {
                value: Some(any_value::Value::IntValue(i64::from(*line))),
            },
        ));
    }
    LogRecord {
        time_unix_nano: unix_nanos(r.timestamp),
        observed_time_unix_nano: unix_nanos(r.observed_timestamp),
        severity_number: i32::from(r.level.severity_number()),
        severity_text: r.level.as_str().to_owned(),
        body: Some(string_value(r.message.as_str())),
        attributes: attrs,
        trace_id: r
            .trace_id
            .filter(|id| id.is_valid())
            .map(|id| id.to_bytes().to_vec())
            .unwrap_or_default(),
        span_id: r
            .span_id
            .filter(|id| id.is_valid())
            .map(|id| id.to_bytes().to_vec())
            .unwrap_or_default(),
        flags: u32::from(r.trace_flags.to_u8()),
        ..LogRecord::default()
    }
}
