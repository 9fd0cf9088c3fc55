//! [`SpanLimits`]: how much one span may carry, and [`LimitsDropped`]:
//! what the limits cut.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};

use omniscope::{Field, Value};

use crate::attributes::{caught, Attributes, Formatted, PANICKED_WHILE_FORMATTING};

/// How many attributes, events and links a span keeps, and how long an
/// attribute value may be. Defaults are OpenTelemetry's: 128 of each,
/// values unlimited. What is cut is counted in the span's `dropped_*`
/// fields and in [`SdkTracer::limits_dropped`](super::SdkTracer::limits_dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct SpanLimits {
    attributes: u32,
    events: u32,
    links: u32,
    attributes_per_event: u32,
    attributes_per_link: u32,
    value_length: Option<u32>,
}

impl Default for SpanLimits {
    /// 128 attributes, events, links, attributes per event and per link;
    /// attribute values of any length.
    fn default() -> SpanLimits {
        SpanLimits {
            attributes: 128,
            events: 128,
            links: 128,
            attributes_per_event: 128,
            attributes_per_link: 128,
            value_length: None,
        }
    }
}

impl SpanLimits {
    /// The most attributes per span (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`);
    /// later ones are dropped. Default: 128.
    pub fn with_attributes(mut self, n: u32) -> SpanLimits {
        self.attributes = n;
        self
    }

    /// The most events per span (`OTEL_SPAN_EVENT_COUNT_LIMIT`); later ones
    /// are dropped. Default: 128.
    pub fn with_events(mut self, n: u32) -> SpanLimits {
        self.events = n;
        self
    }

    /// The most links per span (`OTEL_SPAN_LINK_COUNT_LIMIT`); later ones are
    /// dropped. Default: 128.
    pub fn with_links(mut self, n: u32) -> SpanLimits {
        self.links = n;
        self
    }

    /// The most attributes per event (`OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`).
    /// Default: 128.
    pub fn with_attributes_per_event(mut self, n: u32) -> SpanLimits {
        self.attributes_per_event = n;
        self
    }

    /// The most attributes per link (`OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`).
    /// Default: 128.
    pub fn with_attributes_per_link(mut self, n: u32) -> SpanLimits {
        self.attributes_per_link = n;
        self
    }

    /// The longest string value in bytes
    /// (`OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`); longer values (formatted
    /// ones included) are cut at a character boundary. Applies to span,
    /// event and link attributes. Default: unlimited.
    pub fn with_value_length(mut self, bytes: u32) -> SpanLimits {
        self.value_length = Some(bytes);
        self
    }

    /// The most attributes per span.
    pub fn attributes(&self) -> u32 {
        self.attributes
    }

    /// The most events per span.
    pub fn events(&self) -> u32 {
        self.events
    }

    /// The most links per span.
    pub fn links(&self) -> u32 {
        self.links
    }

    /// The most attributes per event.
    pub fn attributes_per_event(&self) -> u32 {
        self.attributes_per_event
    }

    /// The most attributes per link.
    pub fn attributes_per_link(&self) -> u32 {
        self.attributes_per_link
    }

    /// The longest string value in bytes, if limited.
    pub fn value_length(&self) -> Option<u32> {
        self.value_length
    }
}

/// Totals of what [`SpanLimits`] cut, over every span of a tracer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct LimitsDropped {
    /// Span attributes dropped (over the attribute limit).
    pub attributes: u64,
    /// Events dropped (over the event limit).
    pub events: u64,
    /// Links dropped (over the link limit).
    pub links: u64,
    /// Event attributes dropped (over the per-event limit).
    pub event_attributes: u64,
    /// Link attributes dropped (over the per-link limit).
    pub link_attributes: u64,
    /// Attribute values cut to the value length limit.
    pub truncated_values: u64,
}

impl LimitsDropped {
    /// Everything dropped or cut, added up.
    pub fn total(&self) -> u64 {
        self.attributes
            + self.events
            + self.links
            + self.event_attributes
            + self.link_attributes
            + self.truncated_values
    }
}

/// The tracer's totals; only touched when a limit is hit (a rare path).
#[derive(Debug, Default)]
pub(crate) struct LimitCounters {
    pub(crate) attributes: AtomicU64,
    pub(crate) events: AtomicU64,
    pub(crate) links: AtomicU64,
    pub(crate) event_attributes: AtomicU64,
    pub(crate) link_attributes: AtomicU64,
    pub(crate) truncated_values: AtomicU64,
}

impl LimitCounters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self) -> LimitsDropped {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LimitsDropped {
            attributes: get(&self.attributes),
            events: get(&self.events),
            links: get(&self.links),
            event_attributes: get(&self.event_attributes),
            link_attributes: get(&self.link_attributes),
            truncated_values: get(&self.truncated_values),
        }
    }
}

/// Room kept in a new span's attribute list for attributes set after it
/// started.
const LATER_SPAN_ATTRIBUTES: usize = 4;

/// Which attribute limit applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Owner {
    Span,
    Event,
    Link,
}

impl SpanLimits {
    /// Appends `fields` to `attrs` within the limit for `owner`; returns how
    /// many were dropped, and counts drops and truncations in `counters`.
    #[inline]
    pub(crate) fn push_fields(
        &self,
        owner: Owner,
        attrs: &mut Attributes,
        fields: &[Field<'_>],
        counters: &LimitCounters,
    ) -> u32 {
        let max = match owner {
            Owner::Span => self.attributes,
            Owner::Event => self.attributes_per_event,
            Owner::Link => self.attributes_per_link,
        } as usize;
        let room = max.saturating_sub(attrs.len());
        let (kept, cut) = fields.split_at(fields.len().min(room));
        if owner == Owner::Span && attrs.is_empty() {
            // One allocation for the start's fields and those usually set
            // later (a status code, `error.type`), rather than a doubling
            // while pushing and a reallocation at the first later one.
            // Only at the start: asked again for each later attribute, the
            // headroom would make the list reallocate at the first one.
            attrs.reserve(kept.len() + LATER_SPAN_ATTRIBUTES);
        }
        match self.value_length {
            None => kept.iter().for_each(|f| attrs.push(f)),
            Some(max_len) => {
                let mut truncated = 0;
                for f in kept {
                    truncated += u64::from(push_truncated(attrs, f, max_len as usize));
                }
                LimitCounters::add(&counters.truncated_values, truncated);
            }
        }
        let dropped = cut.len() as u64;
        if dropped > 0 {
            let counter = match owner {
                Owner::Span => &counters.attributes,
                Owner::Event => &counters.event_attributes,
                Owner::Link => &counters.link_attributes,
            };
            LimitCounters::add(counter, dropped);
        }
        u32::try_from(dropped).unwrap_or(u32::MAX)
    }
}

/// Pushes `field` cut to `max_len` bytes; returns whether it was cut.
fn push_truncated(attrs: &mut Attributes, field: &Field<'_>, max_len: usize) -> bool {
    if attrs.push_field(field, Some(max_len)) == Formatted::Panicked {
        return PANICKED_WHILE_FORMATTING.len() > max_len;
    }
    match field.value() {
        Value::Str(s) => s.len() > max_len,
        Value::Display(_) | Value::Debug(_) | Value::Error(_) => {
            // The stored text is at most `max_len` bytes and, if cut, at
            // least `max_len - 3` (a character boundary). Only in that band
            // is the full length needed, so format once more to measure.
            let stored = attrs
                .iter()
                .last()
                .and_then(|(_, v)| v.as_str())
                .map_or(0, str::len);
            stored + 3 >= max_len && formatted_len(&field.value()) > max_len
        }
        Value::I64(_) | Value::U64(_) | Value::F64(_) | Value::Bool(_) => false,
    }
}

fn formatted_len(v: &Value<'_>) -> usize {
    struct Count(usize);
    impl fmt::Write for Count {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.0 += s.len();
            Ok(())
        }
    }
    let mut c = Count(0);
    // Formatted once already: a value that panics only now counts as not cut.
    match caught(|| write!(c, "{v}")) {
        Some(_) => c.0,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_and_counts() {
        let limits = SpanLimits::default()
            .with_attributes(2)
            .with_value_length(3);
        let counters = LimitCounters::default();
        let mut a = Attributes::new();
        let n = 12345;
        let dropped = limits.push_fields(
            Owner::Span,
            &mut a,
            &[
                Field::new_static("a", Value::Str("abcdef")),
                Field::new_static("b", Value::from_display(&n)),
                Field::new_static("c", Value::I64(1)),
            ],
            &counters,
        );
        assert_eq!(dropped, 1);
        assert_eq!(a.get("a").and_then(|v| v.as_str()), Some("abc"));
        assert_eq!(a.get("b").and_then(|v| v.as_str()), Some("123"));
        let s = counters.snapshot();
        assert_eq!((s.attributes, s.truncated_values), (1, 2));
    }

    #[test]
    fn a_panicking_value_is_the_placeholder_cut_once() {
        struct Panics;
        impl fmt::Display for Panics {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                panic!("formatting Panics");
            }
        }
        let limits = SpanLimits::default().with_value_length(4);
        let counters = LimitCounters::default();
        let mut a = Attributes::new();
        let field = Field::new_static("bad", Value::from_display(&Panics));
        limits.push_fields(Owner::Span, &mut a, &[field], &counters);
        assert_eq!(a.get("bad").and_then(|v| v.as_str()), Some("<pan"));
        assert_eq!(counters.snapshot().truncated_values, 1);
    }
}
