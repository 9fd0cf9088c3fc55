//! JSON lines: one object per record, keys in a fixed order (abridged
//! below: `…` marks what is left out).
//!
//! ```text
//! {"timestamp":"2026-11-21T10:00:00.123456Z","level":"INFO","target":"orders::api","message":"order created","fields":{"order.id":42,"total":12.5},"trace_id":"4bf9…","span_id":"00f0…","resource":{"service.name":"orders"}}
//! {"type":"span","timestamp":"…","start_time":"…","duration_ms":12.0,"name":"checkout","target":"orders::api","kind":"server","trace_id":"…","span_id":"…","status":"ok","attributes":{…},"resource":{…}}
//! {"type":"error","timestamp":"…","kind":"handled","error_type":"OrderError","message":"payment failed","chain":[{"type":"OrderError","message":"payment failed"},…],"fields":{…},"location":"src/api.rs:7:9","thread":"main","trace_id":"…","resource":{…}}
//! ```
//!
//! Log lines have no `type` key (so that they match what log shippers
//! expect); span, error and metrics lines say theirs, since several
//! signals may share one file. Field values keep their type: integers and finite
//! floats are numbers, booleans are booleans, and non-finite floats are
//! `null`. When a key repeats in one record, the last value wins, as in
//! [`Attributes::get`]. Ids and timestamps that are absent are left out.

use std::fmt::{Display, Write as _};
use std::time::SystemTime;

use omniscope::{ErrorKind, Status, Value};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::trace::{SpanData, SpanEvent, SpanLink};
use omniscope_sdk::{Attributes, Resource};

use super::time::{write_rfc3339, Precision};

pub(super) fn log(record: &LogData, resource: &Resource, out: &mut String) {
    let mut o = Object::open(out);
    o.time("timestamp", record.timestamp);
    o.str("level", record.level.as_str());
    o.str("target", &record.target);
    o.str("message", &record.message);
    attributes(o.key("fields"), &record.fields);
    o.display_opt("trace_id", record.trace_id);
    o.display_opt("span_id", record.span_id);
    service(o.key("resource"), resource);
    o.close();
    out.push('\n');
}

pub(super) fn span(span: &SpanData, resource: &Resource, out: &mut String) {
    let mut o = Object::open(out);
    o.str("type", "span");
    o.time("timestamp", span.end_time);
    o.time("start_time", span.start_time);
    let elapsed = span
        .end_time
        .duration_since(span.start_time)
        .unwrap_or_default();
    number(o.key("duration_ms"), elapsed.as_secs_f64() * 1e3);
    o.str("name", &span.name);
    o.str("target", span.site.target());
    o.str("kind", span.kind.as_str());
    o.display("trace_id", span.context.trace_id());
    o.display("span_id", span.context.span_id());
    o.display_opt("parent_span_id", span.parent_span_id);
    match &span.status {
        Status::Unset => o.str("status", "unset"),
        Status::Ok => o.str("status", "ok"),
        Status::Error(description) => {
            o.str("status", "error");
            o.str("status_message", description);
        }
    }
    attributes(o.key("attributes"), &span.attributes);
    if !span.events.is_empty() {
        array(o.key("events"), &span.events, event);
    }
    if !span.links.is_empty() {
        array(o.key("links"), &span.links, link);
    }
    service(o.key("resource"), resource);
    o.close();
    out.push('\n');
}

pub(super) fn error(event: &ErrorEvent, resource: &Resource, out: &mut String) {
    let mut o = Object::open(out);
    o.str("type", "error");
    o.time("timestamp", event.timestamp);
    let kind = match event.kind {
        ErrorKind::Handled => "handled",
        ErrorKind::Panic => "panic",
    };
    o.str("kind", kind);
    o.str("error_type", event.type_name());
    o.str("message", event.message());
    array(o.key("chain"), &event.chain, |out, link| {
        let mut l = Object::open(out);
        l.str("type", &link.type_name);
        l.str("message", &link.message);
        l.close();
    });
    attributes(o.key("fields"), &event.fields);
    if let Some(location) = &event.location {
        o.str("location", location);
    }
    if let Some(thread) = &event.thread {
        o.str("thread", thread);
    }
    o.display_opt("trace_id", event.trace_id);
    o.display_opt("span_id", event.span_id);
    if let Some(backtrace) = &event.backtrace {
        o.str("backtrace", backtrace);
    }
    service(o.key("resource"), resource);
    o.close();
    out.push('\n');
}

fn event(out: &mut String, event: &SpanEvent) {
    let mut o = Object::open(out);
    o.str("name", &event.name);
    o.time("timestamp", event.time);
    attributes(o.key("attributes"), &event.attributes);
    o.close();
}

fn link(out: &mut String, link: &SpanLink) {
    let mut o = Object::open(out);
    o.display("trace_id", link.context.trace_id());
    o.display("span_id", link.context.span_id());
    attributes(o.key("attributes"), &link.attributes);
    o.close();
}

pub(super) fn service(out: &mut String, resource: &Resource) {
    let mut o = Object::open(out);
    o.str(Resource::SERVICE_NAME, resource.service_name());
    o.close();
}

/// The attributes as an object; a repeated key keeps its last value.
fn attributes(out: &mut String, attributes: &Attributes) {
    let mut o = Object::open(out);
    for (i, (key, value)) in attributes.iter().enumerate() {
        let shadowed = attributes.iter().skip(i + 1).any(|(later, _)| later == key);
        if !shadowed {
            self::value(o.key(key), value);
        }
    }
    o.close();
}

pub(super) fn array<T>(out: &mut String, items: &[T], mut write: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(out, item);
    }
    out.push(']');
}

/// A typed value.
fn value(out: &mut String, value: Value<'_>) {
    match value {
        Value::Str(s) => string(out, s),
        Value::I64(v) => {
            let _ = write!(out, "{v}");
        }
        Value::U64(v) => {
            let _ = write!(out, "{v}");
        }
        Value::F64(v) => number(out, v),
        Value::Bool(v) => out.push_str(if v { "true" } else { "false" }),
        other => string(out, &other.to_string()),
    }
}

/// A float: `Debug` writes the shortest form that reads back exactly, and
/// an exponent for very large or small values (`1e300`), all valid JSON
/// numbers; JSON has no NaN or infinity, so those are `null`.
pub(super) fn number(out: &mut String, v: f64) {
    if v.is_finite() {
        let _ = write!(out, "{v:?}");
    } else {
        out.push_str("null");
    }
}

/// A JSON string: `"` and `\` escaped, control characters (U+0000 to
/// U+001F, which JSON forbids raw) escaped, everything else as it is.
pub(super) fn string(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    while let Some(i) = rest.find(|c: char| c < ' ' || c == '"' || c == '\\') {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        let _ = match c {
            b'"' => write!(out, "\\\""),
            b'\\' => write!(out, "\\\\"),
            b'\n' => write!(out, "\\n"),
            b'\r' => write!(out, "\\r"),
            b'\t' => write!(out, "\\t"),
            _ => write!(out, "\\u{c:04x}"),
        };
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// An object being written: keys are separated by commas as they come.
pub(super) struct Object<'a> {
    out: &'a mut String,
    empty: bool,
}

impl<'a> Object<'a> {
    pub(super) fn open(out: &'a mut String) -> Object<'a> {
        out.push('{');
        Object { out, empty: true }
    }

    /// Writes `"key":` and returns the output for the value.
    pub(super) fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        string(self.out, key);
        self.out.push(':');
        self.out
    }

    pub(super) fn str(&mut self, key: &str, value: &str) {
        string(self.key(key), value);
    }

    /// A value whose `Display` needs no escaping (ids).
    fn display(&mut self, key: &str, value: impl Display) {
        let out = self.key(key);
        let _ = write!(out, "\"{value}\"");
    }

    fn display_opt(&mut self, key: &str, value: Option<impl Display>) {
        if let Some(value) = value {
            self.display(key, value);
        }
    }

    pub(super) fn time(&mut self, key: &str, time: SystemTime) {
        let out = self.key(key);
        out.push('"');
        write_rfc3339(out, time, Precision::Micros);
        out.push('"');
    }

    pub(super) fn close(self) {
        self.out.push('}');
    }
}
