//! Spans → Zipkin v2 `ListOfSpans`, as JSON (the official `zipkin2-api.yaml`)
//! or proto3 (the official `zipkin.proto`, in [`proto`]), by OpenTelemetry's
//! mapping to Zipkin. Pure functions: no I/O, no clock. Both encodings are
//! written from one model, [`ZipkinSpan`], so they cannot disagree.
//!
//! | Zipkin | from |
//! |---|---|
//! | `traceId` | the trace id, 16 lower-case hex digits when its high 64 bits are zero (as Zipkin itself normalizes a 64-bit id), else 32 (in proto3: 8 or 16 bytes, big-endian) |
//! | `id`, `parentId` | the span and parent span ids, 16 lower-case hex digits (proto3: 8 bytes); no `parentId` for a root |
//! | `kind` | `CLIENT`, `SERVER`, `PRODUCER`, `CONSUMER`; absent for internal spans |
//! | `timestamp`, `duration` | whole microseconds, rounded down: the start since the Unix epoch, the duration (at least 1) |
//! | `localEndpoint.serviceName` | the resource's `service.name` |
//! | `remoteEndpoint` | client and producer spans only: `serviceName` from `peer.service`, else `server.address`, else `network.peer.address`; `ipv4`/`ipv6` from `network.peer.address` (or `server.address`) when it is an IP address; `port` from `server.port`, else `network.peer.port` |
//! | `tags` | the resource's other attributes, then the span's (which win), every value as a string; `otel.scope.name` (the recording module); `otel.status_code` (`OK`/`ERROR`) for a status that is set, `error` (the description) for an error status only (an attribute named `error` is left out); `otel.dropped_{attributes,events,links}_count` when some were dropped |
//! | `annotations` | the events: `name`, or `name: {json attributes}` |
//! | `debug` | `true` for a span of a trace the caller marked debug (B3's `d` or `X-B3-Flags: 1`), else absent |
//!
//! Links have no Zipkin field and are left out, as OpenTelemetry's mapping
//! says.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{SystemTime, UNIX_EPOCH};

use omniscope::{OwnedValue, SpanId, SpanKind, Status, TraceId, Value};
use omniscope_sdk::trace::{SpanData, SpanEvent};
use omniscope_sdk::{Attributes, Resource};
use serde::{Serialize, Serializer};

pub(crate) mod proto;

/// One span of a `ListOfSpans`, with typed ids and addresses; the JSON
/// writer renders them as text, the proto3 writer as bytes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ZipkinSpan<'a> {
    #[serde(serialize_with = "trace_id_text")]
    trace_id: TraceId,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "parent_id_text"
    )]
    parent_id: Option<SpanId>,
    #[serde(serialize_with = "span_id_text")]
    id: SpanId,
    #[serde(skip_serializing_if = "is_internal", serialize_with = "kind_text")]
    kind: SpanKind,
    name: &'a str,
    timestamp: u64,
    duration: u64,
    local_endpoint: Endpoint,
    #[serde(skip_serializing_if = "Option::is_none")]
    remote_endpoint: Option<Endpoint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    annotations: Vec<Annotation>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    tags: BTreeMap<String, String>,
    /// B3's debug flag: the trace is kept whatever the collector samples.
    #[serde(skip_serializing_if = "is_false")]
    debug: bool,
}

/// A network context of a span (`Endpoint` in the specification). The
/// addresses serialize as text in JSON (`Display`: dotted quads, RFC 5952).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Endpoint {
    #[serde(skip_serializing_if = "Option::is_none")]
    service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv4: Option<Ipv4Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ipv6: Option<Ipv6Addr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    port: Option<u16>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Annotation {
    timestamp: u64,
    value: String,
}

/// The wire format of a request body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    /// JSON, `Content-Type: application/json`: what every Zipkin-compatible
    /// collector reads (the default).
    #[default]
    Json,
    /// Protocol Buffers 3 (`zipkin.proto`'s `ListOfSpans`),
    /// `Content-Type: application/x-protobuf`: about half the bytes and
    /// cheaper to parse, for collectors that read it (Zipkin ≥ 2.8).
    Proto3,
}

impl Encoding {
    /// The `Content-Type` of a body in this encoding.
    pub const fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => "application/json",
            Encoding::Proto3 => "application/x-protobuf",
        }
    }
}

/// `spans` of `resource` as a Zipkin v2 body in `encoding`.
///
/// # Errors
/// Only what `serde_json` may report while writing to memory (nothing, for
/// these types); the caller maps it to a failed export.
pub(crate) fn encode<'a>(
    spans: impl Iterator<Item = &'a SpanData>,
    resource: &Resource,
    encoding: Encoding,
) -> serde_json::Result<Vec<u8>> {
    let service = resource.service_name().to_owned();
    let resource_tags: Vec<(String, String)> = resource
        .attributes()
        .filter(|(k, _)| *k != "service.name")
        .map(|(k, v)| (k.to_owned(), owned_string(v)))
        .collect();
    let list: Vec<ZipkinSpan<'_>> = spans.map(|s| span(s, &service, &resource_tags)).collect();
    match encoding {
        Encoding::Json => serde_json::to_vec(&list),
        Encoding::Proto3 => Ok(proto::encode(&list)),
    }
}

fn span<'a>(s: &'a SpanData, service: &str, resource_tags: &[(String, String)]) -> ZipkinSpan<'a> {
    let mut tags: BTreeMap<String, String> = resource_tags.iter().cloned().collect();
    // `error` marks a span failed in Zipkin, so only an error status sets
    // it: OpenTelemetry says it MUST NOT be set for OK and unset, and a
    // recorded `error` attribute (often `false`) SHOULD be removed.
    for (key, value) in s.attributes.iter().filter(|(k, _)| *k != "error") {
        tags.insert(key.to_owned(), value.to_string());
    }
    tags.insert("otel.scope.name".to_owned(), s.site.target().to_owned());
    match &s.status {
        Status::Unset => {}
        Status::Ok => {
            tags.insert("otel.status_code".to_owned(), "OK".to_owned());
        }
        Status::Error(description) => {
            tags.insert("otel.status_code".to_owned(), "ERROR".to_owned());
            tags.insert("error".to_owned(), description.to_string());
        }
    }
    for (key, count) in [
        ("otel.dropped_attributes_count", s.dropped_attributes),
        ("otel.dropped_events_count", s.dropped_events),
        ("otel.dropped_links_count", s.dropped_links),
    ] {
        if count > 0 {
            tags.insert(key.to_owned(), count.to_string());
        }
    }
    let timestamp = micros(s.start_time);
    ZipkinSpan {
        trace_id: s.context.trace_id(),
        parent_id: s.parent_span_id.filter(|p| p.is_valid()),
        id: s.context.span_id(),
        kind: s.kind,
        name: &s.name,
        timestamp,
        duration: duration_micros(s.start_time, s.end_time),
        local_endpoint: Endpoint {
            service_name: Some(service.to_owned()),
            ..Endpoint::default()
        },
        remote_endpoint: remote_endpoint(s.kind, &s.attributes),
        annotations: s.events.iter().map(annotation).collect(),
        tags,
        debug: s.context.is_debug(),
    }
}

/// 16 hex digits when the high half is zero (a 64-bit B3 trace id stays
/// as the caller wrote it), else 32.
pub(crate) fn trace_id(id: TraceId) -> String {
    let hex = id.to_string();
    match hex.strip_prefix("0000000000000000") {
        Some(low) => low.to_owned(),
        None => hex,
    }
}

/// Whether a trace id fits in 64 bits, so that it is written short.
fn is_64_bit(id: TraceId) -> bool {
    id.to_u128() >> 64 == 0
}

fn trace_id_text<S: Serializer>(id: &TraceId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&trace_id(*id))
}

fn span_id_text<S: Serializer>(id: &SpanId, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(id)
}

fn parent_id_text<S: Serializer>(id: &Option<SpanId>, s: S) -> Result<S::Ok, S::Error> {
    match id {
        Some(id) => span_id_text(id, s),
        None => s.serialize_none(),
    }
}

/// Internal spans have no `kind` in Zipkin.
fn is_internal(kind: &SpanKind) -> bool {
    *kind == SpanKind::Internal
}

fn kind_text<S: Serializer>(kind: &SpanKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(match kind {
        SpanKind::Client => "CLIENT",
        SpanKind::Server => "SERVER",
        SpanKind::Producer => "PRODUCER",
        SpanKind::Consumer => "CONSUMER",
        // Skipped by `is_internal`; written as Zipkin would read its absence.
        SpanKind::Internal => "",
    })
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Microseconds since the Unix epoch, rounded down; 0 before it.
fn micros(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The duration in whole microseconds, rounded down as OpenTelemetry's
/// "Unit of Time" says (1234 ns is 1 µs), but at least 1: zipkin2-api's
/// minimum, "durations of less than one are rounded up".
fn duration_micros(start: SystemTime, end: SystemTime) -> u64 {
    let nanos = end.duration_since(start).map_or(0, |d| d.as_nanos());
    u64::try_from(nanos / 1000).unwrap_or(u64::MAX).max(1)
}

/// The peer of a client or producer span (the only kinds whose peer
/// OpenTelemetry maps), if its attributes name one.
fn remote_endpoint(kind: SpanKind, attributes: &Attributes) -> Option<Endpoint> {
    if !matches!(kind, SpanKind::Client | SpanKind::Producer) {
        return None;
    }
    let text = |key: &str| attributes.get(key).map(|v| v.to_string());
    let peer_address = text("network.peer.address");
    let server_address = text("server.address");
    let service_name = text("peer.service")
        .or_else(|| server_address.clone())
        .or_else(|| peer_address.clone());
    let ip = [&peer_address, &server_address]
        .into_iter()
        .flatten()
        .find_map(|a| a.parse::<IpAddr>().ok());
    let port = ["server.port", "network.peer.port"]
        .into_iter()
        .find_map(|key| port(attributes.get(key)?));
    let endpoint = Endpoint {
        service_name,
        ipv4: match ip {
            Some(IpAddr::V4(v4)) => Some(v4),
            _ => None,
        },
        ipv6: match ip {
            Some(IpAddr::V6(v6)) => Some(v6),
            _ => None,
        },
        port,
    };
    let empty = endpoint.service_name.is_none()
        && endpoint.ipv4.is_none()
        && endpoint.ipv6.is_none()
        && endpoint.port.is_none();
    (!empty).then_some(endpoint)
}

/// A port number, given as an integer or a string; `None` out of range.
fn port(value: Value<'_>) -> Option<u16> {
    match value {
        Value::I64(v) => u16::try_from(v).ok(),
        Value::U64(v) => u16::try_from(v).ok(),
        other => other.to_string().trim().parse().ok(),
    }
    .filter(|p| *p != 0)
}

fn annotation(e: &SpanEvent) -> Annotation {
    let value = if e.attributes.is_empty() {
        e.name.to_string()
    } else {
        let attributes: BTreeMap<&str, String> = e
            .attributes
            .iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        // A map of strings always serializes; the name alone if not.
        match serde_json::to_string(&attributes) {
            Ok(json) => format!("{}: {json}", e.name),
            Err(_) => e.name.to_string(),
        }
    };
    Annotation {
        timestamp: micros(e.time),
        value,
    }
}

/// A resource value as a tag: an error's messages joined with `: `.
fn owned_string(value: &OwnedValue) -> String {
    match value {
        OwnedValue::Error(chain) => chain.join(": "),
        other => other.as_value().to_string(),
    }
}

#[cfg(test)]
mod tests;
