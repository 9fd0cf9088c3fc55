//! Cutting long strings: everything the dashboard keeps (spans, logs,
//! errors) and every metric label it shows is cut to the configured
//! length ([`with_max_string_len`](crate::PresentBuilder::with_max_string_len))
//! before it is stored or rendered, so that one huge value cannot make
//! huge stores or huge answers.
//!
//! A cut string ends with [`MARKER`] and stays within the limit, cut at a
//! character boundary; the strings cut in what is kept are counted
//! (`strings_truncated` in [`PresentStats`](crate::PresentStats)). A label value also ends with a hash of the whole
//! value: two long values that start alike stay two series (Prometheus
//! refuses a scrape with duplicate series).

use std::borrow::Cow;
use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};

use omniscope::metrics::{Key, Label};
use omniscope::{Field, Status, Value};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Attributes;

/// What ends a cut string.
pub(crate) const MARKER: &str = "…";

/// `s` within `max` bytes: as it is, or cut and marked.
pub(crate) fn text(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut cut = String::with_capacity(max);
    cut.push_str(prefix(s, max.saturating_sub(MARKER.len())));
    cut.push_str(MARKER);
    Cow::Owned(cut)
}

/// A label value within `max` bytes: as it is, or cut, marked and followed
/// by 16 hex digits of a hash of the whole value.
pub(crate) fn label(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut hasher = DefaultHasher::new();
    s.hash(&mut hasher);
    let mut cut = String::with_capacity(max);
    cut.push_str(prefix(s, max.saturating_sub(MARKER.len() + 16)));
    cut.push_str(MARKER);
    let _ = write!(cut, "{:016x}", hasher.finish());
    Cow::Owned(cut)
}

/// The longest start of `s` of at most `max` bytes that ends on a
/// character boundary.
fn prefix(s: &str, max: usize) -> &str {
    let mut end = max.min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// `s` cut in place when longer than `max`, counted in `cut`.
fn cut_string(s: &mut String, max: usize, cut: &mut u64) {
    if let Cow::Owned(shorter) = text(s, max) {
        *s = shorter;
        *cut += 1;
    }
}

/// `s` cut in place when longer than `max`, counted in `cut`.
fn cut_cow(s: &mut Cow<'static, str>, max: usize, cut: &mut u64) {
    if let Cow::Owned(shorter) = text(s, max) {
        *s = Cow::Owned(shorter);
        *cut += 1;
    }
}

/// Whether a key or text value of `attrs` is longer than `max`.
fn too_long(attrs: &Attributes, max: usize) -> bool {
    attrs
        .iter()
        .any(|(k, v)| k.len() > max || v.as_str().is_some_and(|s| s.len() > max))
}

/// `attrs` with every key and text value cut in place, counted in `cut`.
fn cut_attributes(attrs: &mut Attributes, max: usize, cut: &mut u64) {
    if !too_long(attrs, max) {
        return;
    }
    let mut shorter = Attributes::with_capacity(attrs.len());
    for (key, value) in attrs.iter() {
        let key = text(key, max);
        *cut += u64::from(matches!(key, Cow::Owned(_)));
        let value = match value {
            Value::Str(s) => text(s, max),
            other => {
                shorter.push(&Field::new(&key, other));
                continue;
            }
        };
        *cut += u64::from(matches!(value, Cow::Owned(_)));
        shorter.push(&Field::new(&key, Value::Str(&value)));
    }
    *attrs = shorter;
}

/// Whether anything in `span` is longer than `max`.
fn span_too_long(span: &SpanData, max: usize) -> bool {
    span.name.len() > max
        || too_long(&span.attributes, max)
        || span
            .events
            .iter()
            .any(|e| e.name.len() > max || too_long(&e.attributes, max))
        || span.links.iter().any(|l| too_long(&l.attributes, max))
        || matches!(&span.status, Status::Error(m) if m.len() > max)
}

/// `span` as the trace store keeps it (borrowed when nothing is too
/// long), the strings cut counted in `cut`.
pub(crate) fn span<'s>(span: &'s SpanData, max: usize, cut: &mut u64) -> Cow<'s, SpanData> {
    if !span_too_long(span, max) {
        return Cow::Borrowed(span);
    }
    let mut span = span.clone();
    cut_cow(&mut span.name, max, cut);
    cut_attributes(&mut span.attributes, max, cut);
    for event in &mut span.events {
        cut_cow(&mut event.name, max, cut);
        cut_attributes(&mut event.attributes, max, cut);
    }
    for link in &mut span.links {
        cut_attributes(&mut link.attributes, max, cut);
    }
    if let Status::Error(message) = &mut span.status {
        cut_cow(message, max, cut);
    }
    Cow::Owned(span)
}

/// `log` as the log ring keeps it, the strings cut counted in `cut`.
pub(crate) fn log(log: &LogData, max: usize, cut: &mut u64) -> LogData {
    let mut log = log.clone();
    cut_string(&mut log.message, max, cut);
    cut_cow(&mut log.target, max, cut);
    cut_attributes(&mut log.fields, max, cut);
    log
}

/// `error` as the error ring keeps it, the strings cut counted in `cut`.
pub(crate) fn error(error: &ErrorEvent, max: usize, cut: &mut u64) -> ErrorEvent {
    let mut error = error.clone();
    for link in &mut error.chain {
        cut_string(&mut link.type_name, max, cut);
        cut_string(&mut link.message, max, cut);
    }
    cut_attributes(&mut error.fields, max, cut);
    for s in [&mut error.location, &mut error.thread, &mut error.backtrace]
        .into_iter()
        .flatten()
    {
        cut_string(s, max, cut);
    }
    error
}

/// `snapshot` with every label value cut (see [`label`]), as `/metrics`,
/// `/api/metrics` and the recent values show it.
pub(crate) fn snapshot(mut snapshot: MetricsSnapshot, max: usize) -> MetricsSnapshot {
    for series in snapshot.families.iter_mut().flat_map(|f| &mut f.series) {
        let labels = series.key.labels();
        if labels.iter().all(|l| l.value().len() <= max) {
            continue;
        }
        let cut = labels
            .iter()
            .map(|l| Label::new(l.key().to_owned(), label(l.value(), max).into_owned()))
            .collect();
        series.key = Key::with_labels(series.key.name().to_owned(), cut);
    }
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary_within_the_limit() {
        assert_eq!(text("short", 10), "short");
        assert_eq!(text("ééééé", 8), "éé…"); // 4 + 3 bytes; a third é would not fit
        assert_eq!(text("abcdefghij", 6), "abc…");
        let long = "é".repeat(40);
        for max in 3..40 {
            let cut = text(&long, max);
            assert!(cut.len() <= max, "{max}: {cut}");
            assert!(cut.ends_with(MARKER));
        }
    }

    #[test]
    fn cut_labels_stay_apart() {
        let a = format!("{}a", "x".repeat(200));
        let b = format!("{}b", "x".repeat(200));
        let (cut_a, cut_b) = (label(&a, 64), label(&b, 64));
        assert_ne!(cut_a, cut_b);
        assert_eq!((cut_a.len(), cut_b.len()), (64, 64));
        assert!(cut_a.starts_with(&"x".repeat(45)), "{cut_a}");
        assert_eq!(label("short", 64), "short");
    }

    #[test]
    fn attributes_keep_their_types_and_order() {
        let long = "y".repeat(100);
        let mut attrs = Attributes::from_fields(&[
            Field::new_static("n", Value::I64(-3)),
            Field::new_static("s", Value::Str(&long)),
            Field::new(&long, Value::Bool(true)),
        ]);
        let mut cut = 0;
        cut_attributes(&mut attrs, 10, &mut cut);
        assert_eq!(cut, 2);
        let cut: Vec<_> = attrs
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_string()))
            .collect();
        assert_eq!(
            cut,
            [
                ("n".to_owned(), "-3".to_owned()),
                ("s".to_owned(), "yyyyyyy…".to_owned()),
                ("yyyyyyy…".to_owned(), "true".to_owned()),
            ]
        );
    }
}
