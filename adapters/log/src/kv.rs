//! Key-values both ways: `log`'s `kv` pairs as typed omniscope fields, and
//! omniscope's fields as a `log::kv::Source`.
//!
//! A `log` value keeps its type through the bridge: integers, floats,
//! booleans and borrowed strings become the same omniscope value, an error
//! (`key:err = e`) becomes [`Value::Error`] with its `source()` chain
//! reachable, and anything else (`%`/`?` captures, chars, owned strings) is
//! recorded through the `log` value's own `Display`, formatted only if a
//! backend keeps it.

use std::sync::atomic::{AtomicU64, Ordering};

use log::kv::{self, Key, Source, VisitSource, VisitValue};
use omniscope::{Field, SpanId, TraceId, Value};

/// The most key-values a bridged record carries; the rest are dropped and
/// counted in [`dropped_fields`].
pub const MAX_FIELDS: usize = 32;

/// Key-values a record carries on the stack; a record with more (rare)
/// keeps the rest in one allocation, up to [`MAX_FIELDS`]. Small, because
/// the buffers are written for every record that has key-values.
const INLINE: usize = 8;

static DROPPED_FIELDS: AtomicU64 = AtomicU64::new(0);

/// Key-values dropped from bridged `log` records because a record had more
/// than [`MAX_FIELDS`], since the process started.
pub fn dropped_fields() -> u64 {
    DROPPED_FIELDS.load(Ordering::Relaxed)
}

/// Runs `f` with the key-values of `source` as omniscope fields (up to
/// [`MAX_FIELDS`], the rest counted).
pub(crate) fn with_fields<R>(source: &dyn Source, f: impl FnOnce(&[Field<'_>]) -> R) -> R {
    let mut pairs = Pairs {
        inline: [const { None }; INLINE],
        len: 0,
        overflow: Vec::new(),
    };
    // A source that fails part-way keeps what it gave.
    let _ = source.visit(&mut pairs);
    let all = pairs.inline.iter().flatten().chain(&pairs.overflow);
    if pairs.overflow.is_empty() {
        let mut fields = [Field::new("", Value::Bool(false)); INLINE];
        for (slot, (key, value)) in fields.iter_mut().zip(all) {
            *slot = field(key, value);
        }
        f(&fields[..pairs.len])
    } else {
        let fields: Vec<Field<'_>> = all.map(|(key, value)| field(key, value)).collect();
        f(&fields)
    }
}

/// A record's key-values, copied out of its `Source` (each a few words,
/// still borrowing the record's data).
struct Pairs<'kvs> {
    inline: [Option<(Key<'kvs>, kv::Value<'kvs>)>; INLINE],
    len: usize,
    overflow: Vec<(Key<'kvs>, kv::Value<'kvs>)>,
}

impl<'kvs> VisitSource<'kvs> for Pairs<'kvs> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: kv::Value<'kvs>) -> Result<(), kv::Error> {
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = Some((key, value));
            self.len += 1;
        } else if self.len + self.overflow.len() < MAX_FIELDS {
            self.overflow.push((key, value));
        } else {
            DROPPED_FIELDS.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// One key-value as an omniscope field. `log`'s macros give `'static`
/// keys: kept as such, a backend stores them without a copy.
fn field<'a>(key: &'a Key<'_>, value: &'a kv::Value<'_>) -> Field<'a> {
    match key.to_static_str() {
        Some(key) => Field::new_static(key, typed(value)),
        None => Field::new(key.as_str(), typed(value)),
    }
}

/// The omniscope value of a `log` value, with its type kept.
fn typed<'a>(value: &'a kv::Value<'_>) -> Value<'a> {
    let mut typed = Typed(None);
    let _ = value.visit(&mut typed);
    match typed.0 {
        Some(v) => v,
        None => match value.to_borrowed_error() {
            Some(error) => Value::Error(error),
            None => Value::Display(value),
        },
    }
}

/// What a `log` value is, when it is a type omniscope records as such.
struct Typed<'v>(Option<Value<'v>>);

impl<'v> VisitValue<'v> for Typed<'v> {
    /// `Display`/`Debug` captures, chars, nulls: through the value's `Display`.
    fn visit_any(&mut self, _: kv::Value<'_>) -> Result<(), kv::Error> {
        Ok(())
    }

    fn visit_u64(&mut self, value: u64) -> Result<(), kv::Error> {
        self.0 = Some(Value::U64(value));
        Ok(())
    }

    fn visit_i64(&mut self, value: i64) -> Result<(), kv::Error> {
        self.0 = Some(Value::I64(value));
        Ok(())
    }

    /// A value beyond 64 bits is recorded as its digits, not truncated.
    fn visit_u128(&mut self, value: u128) -> Result<(), kv::Error> {
        self.0 = u64::try_from(value).ok().map(Value::U64);
        Ok(())
    }

    /// A value beyond 64 bits is recorded as its digits, not truncated.
    fn visit_i128(&mut self, value: i128) -> Result<(), kv::Error> {
        self.0 = i64::try_from(value).ok().map(Value::I64);
        Ok(())
    }

    fn visit_f64(&mut self, value: f64) -> Result<(), kv::Error> {
        self.0 = Some(Value::F64(value));
        Ok(())
    }

    fn visit_bool(&mut self, value: bool) -> Result<(), kv::Error> {
        self.0 = Some(Value::Bool(value));
        Ok(())
    }

    fn visit_borrowed_str(&mut self, value: &'v str) -> Result<(), kv::Error> {
        self.0 = Some(Value::Str(value));
        Ok(())
    }

    fn visit_borrowed_error(
        &mut self,
        error: &'v (dyn std::error::Error + 'static),
    ) -> Result<(), kv::Error> {
        self.0 = Some(Value::Error(error));
        Ok(())
    }
}

/// The name of the pair that carries the trace id of the span a forwarded
/// record was emitted in (OpenTelemetry's log data model names it so).
pub const TRACE_ID_KEY: &str = "trace_id";

/// The name of the pair that carries the span id of the span a forwarded
/// record was emitted in.
pub const SPAN_ID_KEY: &str = "span_id";

/// An omniscope record's fields as a `log` key-value source, followed by
/// the trace and span ids of the span it was emitted in, if any.
pub(crate) struct Fields<'a> {
    pub(crate) fields: &'a [Field<'a>],
    pub(crate) ids: Option<(TraceId, SpanId)>,
}

impl Source for Fields<'_> {
    fn visit<'kvs>(&'kvs self, visitor: &mut dyn VisitSource<'kvs>) -> Result<(), kv::Error> {
        for field in self.fields {
            visitor.visit_pair(Key::from_str(field.key()), to_log(field.value()))?;
        }
        if let Some((trace_id, span_id)) = &self.ids {
            visitor.visit_pair(
                Key::from_str(TRACE_ID_KEY),
                kv::Value::from_display(trace_id),
            )?;
            visitor.visit_pair(Key::from_str(SPAN_ID_KEY), kv::Value::from_display(span_id))?;
        }
        Ok(())
    }

    fn count(&self) -> usize {
        self.fields.len() + if self.ids.is_some() { 2 } else { 0 }
    }
}

/// The `log` value of an omniscope value, with its type kept: an error
/// stays an error, so a `log` consumer can walk its chain.
fn to_log(value: Value<'_>) -> kv::Value<'_> {
    match value {
        Value::Str(s) => kv::Value::from(s),
        Value::I64(v) => kv::Value::from(v),
        Value::U64(v) => kv::Value::from(v),
        Value::F64(v) => kv::Value::from(v),
        Value::Bool(v) => kv::Value::from(v),
        Value::Display(v) => kv::Value::from_dyn_display(v),
        Value::Debug(v) => kv::Value::from_dyn_debug(v),
        Value::Error(e) => kv::Value::from_dyn_error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values_keep_their_type() {
        let big = u128::MAX;
        let c = 'x';
        let pairs: [(&str, kv::Value<'_>); 6] = [
            ("i", kv::Value::from(-3_i32)),
            ("u", kv::Value::from(7_u8)),
            ("f", kv::Value::from(0.5_f32)),
            ("s", kv::Value::from("text")),
            ("big", kv::Value::from(&big)),
            ("c", kv::Value::from(c)),
        ];
        with_fields(&pairs, |fields| {
            let shown: Vec<String> = fields.iter().map(|f| format!("{:?}", f.value())).collect();
            assert_eq!(shown, ["-3", "7", "0.5", "\"text\"", &big.to_string(), "x"]);
            assert!(matches!(fields[0].value(), Value::I64(-3)));
            assert!(matches!(fields[1].value(), Value::U64(7)));
            assert!(matches!(fields[3].value(), Value::Str("text")));
            assert!(matches!(fields[4].value(), Value::Display(_)));
        });
    }

    #[test]
    fn pairs_beyond_the_limit_are_counted() {
        let many: Vec<(String, u64)> = (0..MAX_FIELDS as u64 + 3)
            .map(|i| (format!("k{i}"), i))
            .collect();
        let before = dropped_fields();
        with_fields(&many, |fields| {
            assert_eq!(fields.len(), MAX_FIELDS);
            assert_eq!(fields[MAX_FIELDS - 1].key(), format!("k{}", MAX_FIELDS - 1));
        });
        assert!(dropped_fields() >= before + 3);
    }
}
