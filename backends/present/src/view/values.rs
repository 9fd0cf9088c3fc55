//! Conversions shared by the views: times, durations, attributes, ids.

use std::time::{Duration, SystemTime};

use omniscope::{Level, Value};
use omniscope_sdk::Attributes;
use serde_json::{Map, Value as Json};

/// Milliseconds since the Unix epoch, with microseconds as the fraction
/// (exact in an `f64` for the next few centuries, and what JavaScript's
/// `Date` takes).
pub(crate) fn unix_ms(t: SystemTime) -> f64 {
    let since = t.duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default();
    (since.as_micros() as f64) / 1000.0
}

/// A duration in milliseconds.
pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Attributes as a JSON object (a later value for a key wins, as in
/// [`Attributes::get`]).
pub(crate) fn attributes(attrs: &Attributes) -> Map<String, Json> {
    attrs
        .iter()
        .map(|(k, v)| (k.to_owned(), value(&v)))
        .collect()
}

/// A field value as JSON: numbers and booleans keep their type (a
/// non-finite float becomes `null`), the rest is text.
pub(crate) fn value(v: &Value<'_>) -> Json {
    match *v {
        Value::Str(s) => Json::from(s),
        Value::I64(n) => Json::from(n),
        Value::U64(n) => Json::from(n),
        Value::F64(x) => Json::from(x),
        Value::Bool(b) => Json::from(b),
        ref other => Json::from(other.to_string()),
    }
}

/// A level's lower-case name, as the API writes and reads it.
pub(crate) fn level(l: Level) -> &'static str {
    match l {
        Level::Error => "error",
        Level::Warn => "warn",
        Level::Info => "info",
        Level::Debug => "debug",
        Level::Trace => "trace",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omniscope::Field;

    #[test]
    fn times_are_unix_milliseconds_with_a_fraction() {
        let t = SystemTime::UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456);
        assert_eq!(unix_ms(t), 1_700_000_000_123.456);
        assert_eq!(ms(Duration::from_micros(2500)), 2.5);
    }

    #[test]
    fn attributes_keep_their_types() {
        let err = std::io::Error::other("disk full");
        let attrs = Attributes::from_fields(&[
            Field::new_static("s", Value::Str("x")),
            Field::new_static("i", Value::I64(-1)),
            Field::new_static("f", Value::F64(f64::NAN)),
            Field::new_static("b", Value::Bool(true)),
            Field::new_static("e", Value::from_error(&err)),
        ]);
        let json = Json::Object(attributes(&attrs));
        assert_eq!(
            json,
            serde_json::json!({"s": "x", "i": -1, "f": null, "b": true, "e": "disk full"})
        );
    }
}
