//! Metric names, units and labels, recorded through the SDK's meter and
//! served as Prometheus text: whatever they hold, every line served is
//! well-formed.

use std::sync::OnceLock;

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_prometheus::{Encoder, Format};
use omniscope_sdk::{Resource, SdkMeter};

use crate::input::records;

/// Units as code gives them (`&'static str`): the tricky ones of the
/// Prometheus unit table.
const UNITS: [Unit; 8] = [
    Unit::NONE,
    Unit::SECONDS,
    Unit::BYTES,
    Unit::COUNT,
    Unit::PERCENT,
    Unit::custom("{request}"),
    Unit::custom("By/s"),
    Unit::custom("{"),
];

/// Descriptions as code gives them, with what `# HELP` must escape.
const DESCRIPTIONS: [&str; 3] = ["", "requests served", "a\nb \\ \"c\""];

/// A metric whose name is the first record, whose kind, unit and
/// description the first byte of the second record picks, and whose labels
/// are the pairs of records after it, recorded through an [`SdkMeter`]
/// (with and without the labels, and once more under another kind), then
/// rendered in both Prometheus formats: every line is a valid comment or
/// a sample of the family announced before it, with valid metric and label
/// names and escaped label values.
pub fn metric_names(data: &[u8]) {
    let mut records = records(data);
    let name = records.next().unwrap_or_default();
    let pick = records.next().and_then(|r| r.bytes().next()).unwrap_or(0);
    let rest: Vec<_> = records.collect();
    let labels: Vec<Label<'_>> = rest
        .chunks(2)
        .map(|pair| Label::new(pair[0].as_ref(), pair.get(1).map_or("", |v| v.as_ref())))
        .collect();
    let unit = UNITS[usize::from(pick / 4) % UNITS.len()];
    let description = DESCRIPTIONS[usize::from(pick / 32) % DESCRIPTIONS.len()];
    let meta = MetricMeta::new(unit, description);

    let meter = SdkMeter::new();
    let with_labels = Key::with_labels(name.as_ref(), labels);
    for (kind, key) in [
        (pick, &with_labels),
        (pick, &Key::from_name(name.as_ref())),
        (pick + 1, &with_labels),
    ] {
        record(&meter, kind % 4, key, &meta);
    }
    let snapshot = meter.snapshot();
    // Detecting the host and process once, not at every input.
    static RESOURCE: OnceLock<Resource> = OnceLock::new();
    let resource = RESOURCE.get_or_init(|| Resource::new("fuzz"));
    for format in [Format::Text004, Format::OpenMetrics] {
        let text = Encoder::new().render(&snapshot, resource, format);
        if let Err(e) = check_exposition(&text, format) {
            panic!("{name:?} {:?}: {e} in\n{text}", with_labels.labels());
        }
    }
}

fn record(meter: &SdkMeter, kind: u8, key: &Key<'_>, meta: &MetricMeta) {
    match kind {
        0 => meter.counter(key, meta).increment(1),
        1 => meter.up_down_counter(key, meta).add(-1),
        2 => meter.gauge(key, meta).set(0.5),
        _ => meter.histogram(key, meta).record(0.25),
    }
}

/// Checks every line of `text`: `# HELP`, `# TYPE`, `# UNIT` (and
/// OpenMetrics' final `# EOF`) naming a valid metric name, or a sample
/// `name{label="value",…} value…` of the family the last comment named
/// (its name, or its name and a `_suffix`).
fn check_exposition(text: &str, format: Format) -> Result<(), String> {
    let body = text.strip_suffix('\n').ok_or("no final newline")?;
    let mut family = None;
    let lines: Vec<&str> = body.split('\n').collect();
    for (i, line) in lines.iter().enumerate() {
        let line_err = |what: &str| format!("line {}: {what}: {line:?}", i + 1);
        if let Some(comment) = line.strip_prefix("# ") {
            let mut words = comment.splitn(3, ' ');
            match (words.next(), words.next()) {
                (Some("EOF"), None) if format == Format::OpenMetrics && i + 1 == lines.len() => {}
                (Some("HELP" | "TYPE" | "UNIT"), Some(name)) => family = Some(name),
                _ => return Err(line_err("unexpected comment")),
            }
            if !family.is_some_and(is_metric_name) {
                return Err(line_err("invalid family name"));
            }
            continue;
        }
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .ok_or_else(|| line_err("no value"))?;
        let (name, rest) = line.split_at(end);
        let in_family = |f: &str| {
            name.strip_prefix(f)
                .is_some_and(|r| r.is_empty() || r.starts_with('_'))
        };
        if !is_metric_name(name) || !family.is_some_and(in_family) {
            return Err(line_err("sample outside its family"));
        }
        let rest = match rest.strip_prefix('{') {
            Some(labels) => skip_labels(labels).ok_or_else(|| line_err("malformed labels"))?,
            None => rest,
        };
        let value = rest.strip_prefix(' ').and_then(|r| r.split(' ').next());
        if value.and_then(|v| v.parse::<f64>().ok()).is_none() {
            return Err(line_err("bad value"));
        }
    }
    if format == Format::OpenMetrics && lines.last() != Some(&"# EOF") {
        return Err("no final # EOF".into());
    }
    Ok(())
}

/// What follows the `}` closing well-formed `name="value"` pairs (values
/// escaping only `\\`, `\"` and `\n`), or `None`.
fn skip_labels(mut s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_prefix('}') {
        return Some(rest);
    }
    loop {
        let (name, rest) = s.split_once("=\"")?;
        let valid_name = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid_name {
            return None;
        }
        let mut chars = rest.char_indices();
        let close = loop {
            match chars.next()? {
                (_, '\\') => match chars.next()? {
                    (_, '\\' | '"' | 'n') => {}
                    _ => return None,
                },
                (i, '"') => break i,
                _ => {}
            }
        };
        let after = &rest[close + 1..];
        if let Some(next) = after.strip_prefix(',') {
            s = next;
        } else {
            return after.strip_prefix('}');
        }
    }
}

fn is_metric_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checker_refuses_broken_lines() {
        let ok = "# TYPE a counter\n# HELP a x y\na_total{b=\"1\\n\\\"\",c=\"\"} 1\na_total 2\n";
        assert_eq!(check_exposition(ok, Format::Text004), Ok(()));
        for bad in [
            "# TYPE a counter\nb_total 1\n",
            "# TYPE a counter\na_total{b=\"1} 1\n",
            "# TYPE a counter\na_total{b=\"\\x\"} 1\n",
            "# TYPE a counter\na_total{9=\"\"} 1\n",
            "# TYPE a counter\na_total one\n",
            "# TYPE a-b counter\n",
            "a 1\n",
        ] {
            assert!(check_exposition(bad, Format::Text004).is_err(), "{bad}");
        }
        assert!(check_exposition("# TYPE a gauge\na 1\n", Format::OpenMetrics).is_err());
        assert_eq!(
            check_exposition("# TYPE a gauge\na 1\n# EOF\n", Format::OpenMetrics),
            Ok(())
        );
    }
}
