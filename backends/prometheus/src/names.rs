//! Metric and label names: Prometheus' character rules, and OpenTelemetry's
//! unit suffixes and `_total` (the crate docs have the table).

use std::borrow::Cow;

use omniscope::metrics::InstrumentKind;

/// `name` made a valid Prometheus label name, and a valid metric name that
/// also avoids the `:` reserved for recording rules: every character outside
/// `[A-Za-z0-9_]` becomes `_`, runs of `_` become one (so no name starts
/// with the reserved `__`), a leading digit gets a `_` in front, and an
/// empty name becomes `_`.
pub(crate) fn sanitize(name: &str) -> Cow<'_, str> {
    if is_clean(name) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 1);
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && out.ends_with('_')) {
            out.push(c);
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    Cow::Owned(out)
}

/// Already what [`sanitize`] would return.
fn is_clean(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && !bytes[0].is_ascii_digit()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && !name.contains("__")
}

/// The Prometheus name of a family (without `_total`, `_bucket` and other
/// type suffixes) and its unit as written in an OpenMetrics `UNIT` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FamilyName {
    /// The family name: the sanitized name, without a counter's `_total`,
    /// with the unit suffix.
    pub(crate) name: String,
    /// The unit, when `name` ends with `_<unit>`.
    pub(crate) unit: Option<String>,
}

/// Names the family of metric `name`: sanitized, trailing `_` trimmed, a
/// counter's `_total` set aside (the sample adds it back), then the unit
/// suffix appended unless the name already contains the unit's words.
pub(crate) fn family_name(name: &str, kind: InstrumentKind, unit: &str) -> FamilyName {
    let clean = sanitize(name);
    let mut base = clean.trim_end_matches('_');
    if base.is_empty() {
        // `_` would give samples such as `__total`, in the reserved `__`.
        base = "unnamed";
    }
    if kind == InstrumentKind::Counter {
        base = match base.strip_suffix("_total") {
            Some(stem) if !stem.trim_end_matches('_').is_empty() => stem.trim_end_matches('_'),
            _ => base,
        };
    }
    let mut name = base.to_owned();
    let unit = unit_suffix(unit, kind);
    if let Some(unit) = &unit {
        if !contains_words(&name, unit) {
            name.push('_');
            name.push_str(unit);
        }
    }
    let unit = unit.filter(|u| {
        name.len() > u.len() && name.ends_with(u.as_str()) && {
            name.as_bytes()[name.len() - u.len() - 1] == b'_'
        }
    });
    FamilyName { name, unit }
}

/// Whether the `_`-separated words of `suffix` appear, in a row, among
/// those of `name` (`process_cpu_seconds` contains `seconds`).
fn contains_words(name: &str, suffix: &str) -> bool {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let wanted: Vec<&str> = suffix.split('_').filter(|w| !w.is_empty()).collect();
    !wanted.is_empty() && words.windows(wanted.len()).any(|w| w == wanted.as_slice())
}

/// The Prometheus unit word(s) for a UCUM unit, following OpenTelemetry:
/// annotations in braces dropped, `1` → `ratio` (gauges only), abbreviations
/// spelt out, `a/b` → `a_per_b`; `None` when nothing is left.
pub(crate) fn unit_suffix(ucum: &str, kind: InstrumentKind) -> Option<String> {
    let unit = drop_annotations(ucum);
    let unit = unit.trim();
    if unit == "1" {
        return (kind == InstrumentKind::Gauge).then(|| "ratio".to_owned());
    }
    match unit.split_once('/') {
        Some((main, per)) => {
            let per = per_unit_word(per.trim())?;
            match main_unit_word(main.trim()) {
                Some(main) => Some(format!("{main}_per_{per}")),
                None => Some(format!("per_{per}")),
            }
        }
        None => main_unit_word(unit).map(Cow::into_owned),
    }
}

/// `ucum` without its `{…}` annotations (an unclosed `{` drops the rest).
fn drop_annotations(ucum: &str) -> Cow<'_, str> {
    if !ucum.contains('{') {
        return Cow::Borrowed(ucum);
    }
    let mut out = String::with_capacity(ucum.len());
    let mut depth = 0usize;
    for c in ucum.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

fn main_unit_word(unit: &str) -> Option<Cow<'static, str>> {
    let word = match unit {
        "" | "1" => return None,
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "TBy" => "terabytes",
        "bit" => "bits",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "%" => "percent",
        other => return other_unit_word(other),
    };
    Some(Cow::Borrowed(word))
}

fn per_unit_word(unit: &str) -> Option<Cow<'static, str>> {
    let word = match unit {
        "s" => "second",
        "min" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        other => return main_unit_word(other),
    };
    Some(Cow::Borrowed(word))
}

/// A unit outside the table, as sanitized words (`"req-s"` → `req_s`).
fn other_unit_word(unit: &str) -> Option<Cow<'static, str>> {
    let word = sanitize(unit);
    let word = word.trim_matches('_');
    (!word.is_empty()).then(|| Cow::Owned(word.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use InstrumentKind::{Counter, Gauge, Histogram, UpDownCounter};

    #[test]
    fn invalid_characters_become_underscores() {
        assert_eq!(sanitize("http.server.duration"), "http_server_duration");
        assert_eq!(sanitize("a:b"), "a_b");
        assert_eq!(sanitize("9lives"), "_9lives");
        assert_eq!(sanitize("größe"), "gr_e");
        assert_eq!(sanitize("__name__"), "_name_");
        assert_eq!(sanitize(""), "_");
        assert_eq!(sanitize("..."), "_");
        assert!(matches!(sanitize("already_fine"), Cow::Borrowed(_)));
    }

    /// OpenTelemetry's Prometheus mapping, one row per rule: the recorded
    /// name, kind and unit; the family name; the `UNIT`, if any. (Counters'
    /// samples add `_total` to the family name.)
    #[test]
    fn otel_names_map_to_prometheus_names() {
        #[rustfmt::skip]
        let table: &[(&str, InstrumentKind, &str, &str, Option<&str>)] = &[
            // Dots and other invalid characters become `_`; the unit is a suffix.
            ("http.server.request.duration", Histogram, "s", "http_server_request_duration_seconds", Some("seconds")),
            ("function.duration", Histogram, "s", "function_duration_seconds", Some("seconds")),
            ("latency", Histogram, "ms", "latency_milliseconds", Some("milliseconds")),
            ("size", Gauge, "By", "size_bytes", Some("bytes")),
            ("temp", Gauge, "Cel", "temp_celsius", Some("celsius")),
            ("load", Gauge, "%", "load_percent", Some("percent")),
            // Annotations are dropped: a count has no unit suffix.
            ("function.calls", Counter, "{call}", "function_calls", None),
            ("omniscope.export.dropped", Counter, "{item}", "omniscope_export_dropped", None),
            ("function.in_flight", UpDownCounter, "{call}", "function_in_flight", None),
            ("requests", Counter, "{request}", "requests", None),
            ("odd", Gauge, "{unclosed", "odd", None),
            // `1` is `ratio` on gauges, nothing elsewhere.
            ("cpu.utilization", Gauge, "1", "cpu_utilization_ratio", Some("ratio")),
            ("items", UpDownCounter, "1", "items", None),
            ("items", Counter, "1", "items", None),
            // `a/b` is `a_per_b`; an annotated numerator leaves `per_b`.
            ("throughput", Gauge, "By/s", "throughput_bytes_per_second", Some("bytes_per_second")),
            ("rate", Gauge, "{packet}/s", "rate_per_second", Some("per_second")),
            ("odd", Gauge, "///", "odd", None),
            // A suffix already there is not doubled; a counter's `_total`
            // is set aside for its samples and comes after the unit.
            ("process_cpu_seconds_total", Counter, "s", "process_cpu_seconds", Some("seconds")),
            ("cpu.time", Counter, "s", "cpu_time_seconds", Some("seconds")),
            ("memory_bytes", Gauge, "By", "memory_bytes", Some("bytes")),
            ("bytes_in_use", Gauge, "By", "bytes_in_use", None),
            ("requests_total", Counter, "", "requests", None),
            // Only counters lose `_total`.
            ("queue_total", Gauge, "", "queue_total", None),
            // Units outside the table are sanitized words.
            ("odd", Gauge, "req-s", "odd_req_s", Some("req_s")),
            ("odd.", Gauge, "s", "odd_seconds", Some("seconds")),
            // Names with nothing valid left.
            ("_total", Counter, "", "_total", None),
            ("total", Counter, "", "total", None),
            ("", Counter, "", "unnamed", None),
            ("...", Gauge, "", "unnamed", None),
        ];
        for &(name, kind, unit, want, want_unit) in table {
            let got = family_name(name, kind, unit);
            assert_eq!(
                (got.name.as_str(), got.unit.as_deref()),
                (want, want_unit),
                "{name:?} ({kind:?}, unit {unit:?})"
            );
        }
    }
}
