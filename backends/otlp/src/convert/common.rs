//! What every signal shares: attribute values, the resource, the
//! instrumentation scope, timestamps and ids.

use std::time::{SystemTime, UNIX_EPOCH};

use omniscope::{OwnedValue, Value};
use omniscope_sdk::{Attributes, Resource};
use opentelemetry_proto::tonic::common::v1::{any_value, AnyValue, InstrumentationScope, KeyValue};
use opentelemetry_proto::tonic::resource::v1::Resource as ProtoResource;

/// The scope version: this crate's, since the SDK records no per-library version.
const SCOPE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Nanoseconds since the Unix epoch; 0 (OTLP's "unknown") before it, and
/// `u64::MAX` past year 2554.
pub(super) fn unix_nanos(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A facade value as an OTLP value. OTLP has no unsigned integers: a `u64`
/// above `i64::MAX` becomes its decimal string, so no digit is lost.
pub(super) fn any_value(value: &Value<'_>) -> AnyValue {
    let value = match value {
        Value::Str(s) => any_value::Value::StringValue((*s).to_owned()),
        Value::I64(v) => any_value::Value::IntValue(*v),
        Value::U64(v) => match i64::try_from(*v) {
            Ok(v) => any_value::Value::IntValue(v),
            Err(_) => any_value::Value::StringValue(v.to_string()),
        },
        Value::F64(v) => any_value::Value::DoubleValue(*v),
        Value::Bool(v) => any_value::Value::BoolValue(*v),
        other => any_value::Value::StringValue(other.to_string()),
    };
    AnyValue { value: Some(value) }
}

pub(super) fn string_value(s: impl Into<String>) -> AnyValue {
    AnyValue {
        value: Some(any_value::Value::StringValue(s.into())),
    }
}

pub(super) fn key_value(key: impl Into<String>, value: AnyValue) -> KeyValue {
    KeyValue {
        key: key.into(),
        value: Some(value),
        ..KeyValue::default()
    }
}

/// The attributes, in the order recorded.
pub(super) fn attributes(attributes: &Attributes) -> Vec<KeyValue> {
    attributes
        .iter()
        .map(|(k, v)| key_value(k, any_value(&v)))
        .collect()
}

/// The resource's attributes. An error value becomes its messages joined
/// with `: `, as its chain reads.
pub(super) fn resource(resource: &Resource) -> ProtoResource {
    let attributes = resource
        .attributes()
        .map(|(k, v)| {
            let value = match v {
                OwnedValue::Error(chain) => string_value(chain.join(": ")),
                other => any_value(&other.as_value()),
            };
            key_value(k, value)
        })
        .collect();
    ProtoResource {
        attributes,
        ..ProtoResource::default()
    }
}

/// The instrumentation scope: the target (module path) that recorded the
/// item, the SDK's closest equivalent of a library name.
pub(super) fn scope(name: &str) -> InstrumentationScope {
    InstrumentationScope {
        name: name.to_owned(),
        version: SCOPE_VERSION.to_owned(),
        ..InstrumentationScope::default()
    }
}

/// Groups items by scope name, keeping first-seen order of the scopes and
/// the items' order within each. A batch comes from a handful of modules,
/// so a linear scan beats hashing.
pub(super) fn group_by_scope<'a, T, O>(
    items: impl Iterator<Item = &'a T>,
    scope_of: impl Fn(&'a T) -> &'a str,
    convert: impl Fn(&'a T) -> O,
) -> Vec<(&'a str, Vec<O>)>
where
    T: 'a,
{
    let mut groups: Vec<(&'a str, Vec<O>)> = Vec::new();
    for item in items {
        let name = scope_of(item);
        let converted = convert(item);
        match groups.iter_mut().rev().find(|(n, _)| *n == name) {
            Some((_, list)) => list.push(converted),
            None => groups.push((name, vec![converted])),
        }
    }
    groups
}
