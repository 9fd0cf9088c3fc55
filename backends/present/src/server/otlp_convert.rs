//! OTLP messages (the types `opentelemetry-proto` generates from the
//! official `.proto` files) to the dashboard's spans and log records. Each
//! span and record carries its service's `service.name` as an attribute,
//! so the page can tell the processes of one trace apart.
//!
//! A span whose ids have the wrong length is refused with the whole
//! request (the sender has a bug; keeping half a request would hide it).

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use omniscope::trace::SpanSite;
use omniscope::{
    Field, Level, SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState, Value,
};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::trace::{SpanData, SpanEvent, SpanLink};
use omniscope_sdk::Attributes;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::{span, status, Span};

/// The call site of every span received: they were not recorded here.
static RECEIVED: SpanSite = SpanSite::new("otlp", "otlp", "", 0);

/// The attribute naming the service a span or record came from.
pub(crate) const SERVICE_NAME: &str = "service.name";

/// OTLP's `SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK` and `…_IS_REMOTE_MASK`.
const HAS_IS_REMOTE: u32 = 0x100;
const IS_REMOTE: u32 = 0x200;

/// What is wrong with a request, for its 400 answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

/// The spans of `request`.
pub(crate) fn spans(request: &ExportTraceServiceRequest) -> Result<Vec<SpanData>, Malformed> {
    let mut out = Vec::new();
    for (r, resource_spans) in request.resource_spans.iter().enumerate() {
        let service = service_name(resource_spans.resource.as_ref());
        for (s, scope) in resource_spans.scope_spans.iter().enumerate() {
            for (i, span) in scope.spans.iter().enumerate() {
                let at = || format!("resourceSpans[{r}].scopeSpans[{s}].spans[{i}]");
                out.push(span_of(span, &service).map_err(|e| Malformed(format!("{}: {e}", at())))?);
            }
        }
    }
    Ok(out)
}

/// The log records of `request`.
pub(crate) fn logs(request: &ExportLogsServiceRequest) -> Result<Vec<LogData>, Malformed> {
    let mut out = Vec::new();
    for (r, resource_logs) in request.resource_logs.iter().enumerate() {
        let service = service_name(resource_logs.resource.as_ref());
        for (s, scope) in resource_logs.scope_logs.iter().enumerate() {
            let target = scope
                .scope
                .as_ref()
                .map(|sc| sc.name.clone())
                .unwrap_or_default();
            for (i, record) in scope.log_records.iter().enumerate() {
                let at = || format!("resourceLogs[{r}].scopeLogs[{s}].logRecords[{i}]");
                let time = record_time(record.time_unix_nano, record.observed_time_unix_nano);
                let message = record.body.as_ref().map(text).unwrap_or_default();
                let mut log = LogData::new(time, level(record.severity_number), message);
                log.observed_timestamp = nanos(record.observed_time_unix_nano).unwrap_or(time);
                log.target = Cow::Owned(target.clone());
                log.fields = attributes(&record.attributes, &service);
                if !record.trace_id.is_empty() {
                    let trace = trace_id(&record.trace_id)
                        .map_err(|e| Malformed(format!("{}: {e}", at())))?;
                    log.trace_id = Some(trace);
                    log.trace_flags = TraceFlags::new((record.flags & 0xff) as u8);
                }
                if !record.span_id.is_empty() {
                    let span = span_id(&record.span_id, "spanId")
                        .map_err(|e| Malformed(format!("{}: {e}", at())))?;
                    log.span_id = Some(span);
                }
                out.push(log);
            }
        }
    }
    Ok(out)
}

fn span_of(s: &Span, service: &str) -> Result<SpanData, String> {
    let trace = trace_id(&s.trace_id)?;
    let id = span_id(&s.span_id, "spanId")?;
    let flags = TraceFlags::new((s.flags & 0xff) as u8);
    let context = SpanContext::new(trace, id, flags);
    let mut data = SpanData::new(context, Cow::Owned(s.name.clone()));
    data.site = &RECEIVED;
    if !s.parent_span_id.is_empty() {
        data.parent_span_id = Some(span_id(&s.parent_span_id, "parentSpanId")?);
        data.parent_is_remote = s.flags & HAS_IS_REMOTE != 0 && s.flags & IS_REMOTE != 0;
    }
    data.kind = match span::SpanKind::try_from(s.kind) {
        Ok(span::SpanKind::Server) => SpanKind::Server,
        Ok(span::SpanKind::Client) => SpanKind::Client,
        Ok(span::SpanKind::Producer) => SpanKind::Producer,
        Ok(span::SpanKind::Consumer) => SpanKind::Consumer,
        _ => SpanKind::Internal,
    };
    data.start_time = nanos(s.start_time_unix_nano).unwrap_or(SystemTime::UNIX_EPOCH);
    data.end_time = nanos(s.end_time_unix_nano)
        .unwrap_or(data.start_time)
        .max(data.start_time);
    data.attributes = attributes(&s.attributes, service);
    data.events = s
        .events
        .iter()
        .map(|e| {
            SpanEvent::new(
                Cow::Owned(e.name.clone()),
                nanos(e.time_unix_nano).unwrap_or(data.start_time),
                attributes(&e.attributes, ""),
            )
        })
        .collect();
    data.links = s
        .links
        .iter()
        .map(|l| {
            let linked = SpanContext::new_remote(
                trace_id(&l.trace_id)?,
                span_id(&l.span_id, "links[].spanId")?,
                TraceFlags::new((l.flags & 0xff) as u8),
                TraceState::new(),
            );
            Ok(SpanLink::new(linked, attributes(&l.attributes, "")))
        })
        .collect::<Result<_, String>>()?;
    data.status = match s.status.as_ref() {
        Some(st) if st.code == status::StatusCode::Error as i32 => {
            Status::Error(Cow::Owned(st.message.clone()))
        }
        Some(st) if st.code == status::StatusCode::Ok as i32 => Status::Ok,
        _ => Status::Unset,
    };
    data.dropped_attributes = s.dropped_attributes_count;
    data.dropped_events = s.dropped_events_count;
    data.dropped_links = s.dropped_links_count;
    Ok(data)
}

fn trace_id(bytes: &[u8]) -> Result<TraceId, String> {
    let id = <[u8; 16]>::try_from(bytes)
        .map(TraceId::from_bytes)
        .map_err(|_| format!("traceId has {} bytes, not 16", bytes.len()))?;
    if id.is_valid() {
        Ok(id)
    } else {
        Err("traceId is all zeros".to_owned())
    }
}

fn span_id(bytes: &[u8], what: &str) -> Result<SpanId, String> {
    let id = <[u8; 8]>::try_from(bytes)
        .map(SpanId::from_bytes)
        .map_err(|_| format!("{what} has {} bytes, not 8", bytes.len()))?;
    if id.is_valid() {
        Ok(id)
    } else {
        Err(format!("{what} is all zeros"))
    }
}

/// `0` means unknown in OTLP.
fn nanos(n: u64) -> Option<SystemTime> {
    (n != 0).then(|| SystemTime::UNIX_EPOCH + Duration::from_nanos(n))
}

fn record_time(time: u64, observed: u64) -> SystemTime {
    nanos(time)
        .or_else(|| nanos(observed))
        .unwrap_or_else(SystemTime::now)
}

/// OTLP's severity numbers (1–4 trace, 5–8 debug, 9–12 info, 13–16 warn,
/// 17–24 error and fatal); unspecified is info.
fn level(severity: i32) -> Level {
    match severity {
        1..=4 => Level::Trace,
        5..=8 => Level::Debug,
        13..=16 => Level::Warn,
        17.. => Level::Error,
        _ => Level::Info,
    }
}

fn service_name(resource: Option<&Resource>) -> String {
    resource
        .and_then(|r| r.attributes.iter().find(|kv| kv.key == SERVICE_NAME))
        .and_then(|kv| kv.value.as_ref())
        .map(text)
        .unwrap_or_else(|| "unknown_service".to_owned())
}

/// `attrs` as the SDK keeps them, with `service.name` first if given.
fn attributes(attrs: &[KeyValue], service: &str) -> Attributes {
    let texts: Vec<Option<String>> = attrs
        .iter()
        .map(
            |kv| match kv.value.as_ref().and_then(|v| v.value.as_ref()) {
                Some(any_value::Value::StringValue(_)) | None => None,
                Some(any_value::Value::BoolValue(_) | any_value::Value::IntValue(_)) => None,
                Some(any_value::Value::DoubleValue(_)) => None,
                Some(_) => kv.value.as_ref().map(text),
            },
        )
        .collect();
    let mut fields = Vec::with_capacity(attrs.len() + 1);
    if !service.is_empty() {
        fields.push(Field::new_static(SERVICE_NAME, Value::Str(service)));
    }
    for (kv, text) in attrs.iter().zip(&texts) {
        let value = match (kv.value.as_ref().and_then(|v| v.value.as_ref()), text) {
            (_, Some(t)) => Value::Str(t),
            (Some(any_value::Value::StringValue(s)), _) => Value::Str(s),
            (Some(any_value::Value::BoolValue(b)), _) => Value::Bool(*b),
            (Some(any_value::Value::IntValue(n)), _) => Value::I64(*n),
            (Some(any_value::Value::DoubleValue(x)), _) => Value::F64(*x),
            _ => Value::Str(""),
        };
        fields.push(Field::new(&kv.key, value));
    }
    Attributes::from_fields(&fields)
}

/// A value as text: strings as they are, the rest as in OTLP/JSON.
fn text(v: &AnyValue) -> String {
    match &v.value {
        None => String::new(),
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::IntValue(n)) => n.to_string(),
        Some(any_value::Value::DoubleValue(x)) => x.to_string(),
        Some(any_value::Value::BytesValue(b)) => b.iter().map(|x| format!("{x:02x}")).collect(),
        Some(any_value::Value::ArrayValue(a)) => {
            let items: Vec<String> = a.values.iter().map(text).collect();
            format!("[{}]", items.join(", "))
        }
        Some(any_value::Value::KvlistValue(l)) => {
            let items: Vec<String> = l
                .values
                .iter()
                .map(|kv| {
                    format!(
                        "{}={}",
                        kv.key,
                        kv.value.as_ref().map(text).unwrap_or_default()
                    )
                })
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Some(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

    fn request(span: Span) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                resource: Some(Resource {
                    attributes: vec![KeyValue {
                        key: SERVICE_NAME.into(),
                        value: Some(AnyValue {
                            value: Some(any_value::Value::StringValue("payments".into())),
                        }),
                        ..KeyValue::default()
                    }],
                    ..Resource::default()
                }),
                scope_spans: vec![ScopeSpans {
                    spans: vec![span],
                    ..ScopeSpans::default()
                }],
                ..ResourceSpans::default()
            }],
        }
    }

    #[test]
    fn a_span_keeps_its_ids_times_status_and_service() {
        let span = Span {
            trace_id: vec![1; 16],
            span_id: vec![2; 8],
            parent_span_id: vec![3; 8],
            flags: 0x301,
            name: "charge".into(),
            kind: span::SpanKind::Server as i32,
            start_time_unix_nano: 1_000_000_000,
            end_time_unix_nano: 1_250_000_000,
            status: Some(opentelemetry_proto::tonic::trace::v1::Status {
                message: "declined".into(),
                code: status::StatusCode::Error as i32,
            }),
            ..Span::default()
        };
        let spans = spans(&request(span)).unwrap();
        let s = &spans[0];
        assert_eq!(s.context.trace_id(), TraceId::from_bytes([1; 16]));
        assert_eq!(s.parent_span_id, Some(SpanId::from_bytes([3; 8])));
        assert!(s.parent_is_remote);
        assert_eq!(s.kind, SpanKind::Server);
        assert_eq!(
            s.end_time.duration_since(s.start_time).unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(s.status, Status::Error("declined".into()));
        assert_eq!(
            s.attributes.get(SERVICE_NAME).map(|v| v.to_string()),
            Some("payments".into())
        );
    }

    #[test]
    fn bad_ids_name_the_span() {
        let span = Span {
            trace_id: vec![1; 15],
            span_id: vec![2; 8],
            ..Span::default()
        };
        let err = spans(&request(span)).unwrap_err().0;
        assert_eq!(
            err,
            "resourceSpans[0].scopeSpans[0].spans[0]: traceId has 15 bytes, not 16"
        );
    }
}
