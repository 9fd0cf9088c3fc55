//! Shared by the integration tests: a snapshot with every kind of metric,
//! odd names and odd label values; and a strict checker of exposition text.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

// Each test file uses only some of these helpers.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::time::{Duration, UNIX_EPOCH};

use omniscope::metrics::{InstrumentKind, Key, Label, Unit};
use omniscope::{OwnedValue, SpanId, TraceId};
use omniscope_prometheus::Format;
use omniscope_sdk::metrics::{
    Bucket, Exemplar, HistogramSnapshot, MetricFamily, MetricsSnapshot, Series, SeriesValue,
};
use omniscope_sdk::Resource;

pub(crate) fn key(name: &str, labels: &[(&str, &str)]) -> Key<'static> {
    let labels = labels
        .iter()
        .map(|(k, v)| Label::new((*k).to_owned(), (*v).to_owned()))
        .collect();
    Key::with_labels(name.to_owned(), labels)
}

fn family(
    name: &str,
    kind: InstrumentKind,
    unit: Unit,
    help: &str,
    series: Vec<Series>,
) -> MetricFamily {
    MetricFamily::new(name, kind, unit, help, series)
}

fn series(name: &str, labels: &[(&str, &str)], value: SeriesValue) -> Series {
    Series::new(key(name, labels), value)
}

fn exemplar(value: f64, trace: u128, span: u64) -> Option<Exemplar> {
    let time = UNIX_EPOCH + Duration::from_millis(1_700_000_000_250);
    Some(Exemplar::new(
        value,
        TraceId::from_u128(trace),
        SpanId::from_u64(span),
        time,
    ))
}

pub(crate) fn histogram(
    buckets: Vec<Bucket>,
    sum: f64,
    min: f64,
    max: f64,
    quantiles: Vec<(f64, f64)>,
) -> SeriesValue {
    let mut h = HistogramSnapshot::default();
    h.count = buckets.iter().fold(0u64, |n, b| n.saturating_add(b.count));
    h.sum = sum;
    h.min = min;
    h.max = max;
    h.buckets = buckets;
    h.quantiles = quantiles;
    h.relative_error = 0.01;
    SeriesValue::Histogram(h)
}

/// Every kind of metric, names that need sanitizing, names that collide
/// after it, units, odd label names and values, special float values.
pub(crate) fn snapshot() -> MetricsSnapshot {
    use InstrumentKind::{Counter, Gauge, Histogram, UpDownCounter};
    let odd_route = "/a\"b\\c\nd {x=1}";
    let request_seconds = histogram(
        vec![
            Bucket::new(0.005, 1, None),
            Bucket::new(
                0.1,
                2,
                exemplar(
                    0.042,
                    0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736,
                    0x00f0_67aa_0ba9_02b7,
                ),
            ),
            Bucket::new(1.0, 0, None),
            Bucket::new(f64::INFINITY, 1, exemplar(12.0, 0xabc, 0xdef)),
        ],
        12.1,
        0.001,
        12.0,
        vec![(0.5, 0.05), (0.9, 0.1), (0.99, 12.0)],
    );
    let empty = histogram(
        vec![
            Bucket::new(1.0, 0, None),
            Bucket::new(f64::INFINITY, 0, None),
        ],
        0.0,
        f64::NAN,
        f64::NAN,
        vec![(0.5, f64::NAN)],
    );
    let below_zero = histogram(
        vec![
            Bucket::new(-10.0, 1, None),
            Bucket::new(0.0, 1, None),
            Bucket::new(10.0, 2, None),
            Bucket::new(f64::INFINITY, 0, None),
        ],
        -8.5,
        -12.0,
        7.0,
        vec![(0.5, 2.0)],
    );
    let mut snapshot = MetricsSnapshot::default();
    // The start of every series without a start time of its own (`_created`).
    snapshot.start_time = Some(UNIX_EPOCH + Duration::from_secs(1_699_999_000));
    snapshot.families = vec![
        family(
            "9.lives",
            Gauge,
            Unit::NONE,
            "Starts with a digit.",
            vec![series("9.lives", &[], SeriesValue::Gauge(9.0))],
        ),
        family(
            "conflict",
            Counter,
            Unit::NONE,
            "A counter.",
            vec![series("conflict", &[], SeriesValue::Counter(1))],
        ),
        family(
            "conflict_total",
            Gauge,
            Unit::NONE,
            "A gauge whose name the counter's samples use: left out.",
            vec![series("conflict_total", &[], SeriesValue::Gauge(2.0))],
        ),
        family(
            "cpu.utilization",
            Gauge,
            Unit::RATIO,
            "CPU in use, 0 to 1.",
            vec![series(
                "cpu.utilization",
                &[("cpu", "0")],
                SeriesValue::Gauge(0.25),
            )],
        ),
        family(
            "empty",
            Histogram,
            Unit::BYTES,
            "No samples yet.",
            vec![series("empty", &[], empty)],
        ),
        family(
            "http.requests",
            Counter,
            Unit::custom("{request}"),
            "Requests \"served\" \\ by route,\nper method.",
            vec![
                series(
                    "http.requests",
                    &[("method", "GET"), ("route", odd_route)],
                    SeriesValue::Counter(1_234_567),
                ),
                series(
                    "http.requests",
                    &[("method", "POST"), ("route", "/ü")],
                    SeriesValue::Counter(0),
                )
                .with_start_time(UNIX_EPOCH + Duration::from_millis(1_699_999_500_125)),
            ],
        ),
        family(
            "http.server.duration",
            Histogram,
            Unit::SECONDS,
            "Request duration.",
            vec![
                series(
                    "http.server.duration",
                    &[("method", "GET")],
                    request_seconds.clone(),
                ),
                series(
                    "http.server.duration",
                    &[("le", "user's"), ("method", "PUT")],
                    request_seconds,
                ),
            ],
        ),
        family(
            "http_requests_total",
            Counter,
            Unit::NONE,
            "",
            vec![
                // Same series as one of `http.requests` after sanitizing: dropped.
                series(
                    "http_requests_total",
                    &[("method", "GET"), ("route", odd_route)],
                    SeriesValue::Counter(99),
                ),
                series(
                    "http_requests_total",
                    &[("method", "PUT"), ("route", "/")],
                    SeriesValue::Counter(5),
                ),
            ],
        ),
        family(
            "in.flight",
            UpDownCounter,
            Unit::custom("{request}"),
            "Requests being served.",
            vec![series(
                "in.flight",
                &[],
                SeriesValue::UpDownCounter {
                    value: -3,
                    high_water: 7,
                },
            )],
        ),
        family(
            "memory",
            Gauge,
            Unit::BYTES,
            "A large value.",
            vec![series(
                "memory",
                &[("kind", "heap")],
                SeriesValue::Gauge(1e20),
            )],
        ),
        family(
            "process_cpu_seconds_total",
            Counter,
            Unit::SECONDS,
            "CPU time: the unit and _total are already there.",
            vec![
                series(
                    "process_cpu_seconds_total",
                    &[],
                    SeriesValue::FloatCounter(12.5),
                ),
                series(
                    "process_cpu_seconds_total",
                    &[("broken", "yes")],
                    SeriesValue::FloatCounter(f64::NAN),
                ),
            ],
        ),
        family(
            "queue.depth",
            Gauge,
            Unit::NONE,
            "Special values; labels that collide.",
            vec![
                series(
                    "queue.depth",
                    &[("q", "nan"), ("a.b", "x"), ("a-b", "y")],
                    SeriesValue::Gauge(f64::NAN),
                ),
                series(
                    "queue.depth",
                    &[("q", "inf"), ("__reserved", "r")],
                    SeriesValue::Gauge(f64::INFINITY),
                ),
                series(
                    "queue.depth",
                    &[("q", "-inf"), ("", "empty name")],
                    SeriesValue::Gauge(f64::NEG_INFINITY),
                ),
                series("queue.depth", &[("q", "tiny")], SeriesValue::Gauge(1.5e-7)),
            ],
        ),
        family(
            "temperature",
            Histogram,
            Unit::custom("Cel"),
            "Negative buckets: no _sum, no _count.",
            vec![series("temperature", &[], below_zero)],
        ),
        family(
            "x",
            Histogram,
            Unit::NONE,
            "A histogram named x.",
            vec![series(
                "x",
                &[],
                histogram(
                    vec![Bucket::new(f64::INFINITY, 2, None)],
                    3.0,
                    1.0,
                    2.0,
                    vec![],
                ),
            )],
        ),
        family(
            "x_count",
            Gauge,
            Unit::NONE,
            "Would collide with x's _count: left out.",
            vec![series("x_count", &[], SeriesValue::Gauge(1.0))],
        ),
    ];
    snapshot
}

/// A resource with a quote in a value, a number, and two names that
/// collide after sanitizing.
pub(crate) fn resource() -> Resource {
    Resource::empty()
        .with("service.name", OwnedValue::Str("orders".into()))
        .with("service.version", OwnedValue::Str("1.2.0".into()))
        .with("host.name", OwnedValue::Str("box \"1\"".into()))
        .with("process.pid", OwnedValue::I64(42))
        .with("weird.key", OwnedValue::Str("y".into()))
        .with("weird-key", OwnedValue::Str("x".into()))
}

/// What [`check`] read.
#[derive(Debug, Default)]
pub(crate) struct Exposition {
    /// `(family name, type)` in order.
    pub(crate) families: Vec<(String, String)>,
    /// `(sample name, sorted labels)`, each once.
    pub(crate) series: HashSet<(String, Vec<(String, String)>)>,
    /// Sample values by `name{labels}` as written.
    pub(crate) values: HashMap<String, f64>,
    pub(crate) exemplars: usize,
}

/// Checks `text` against the format's grammar and rules: metadata lines,
/// valid metric and label names, escapes, values, sample names that belong
/// to the current family, no family twice, no series twice, `# EOF` last
/// in OpenMetrics.
pub(crate) fn check(text: &str, format: Format) -> Result<Exposition, String> {
    let om = format == Format::OpenMetrics;
    if text.is_empty() && !om {
        return Ok(Exposition::default());
    }
    let body = text
        .strip_suffix('\n')
        .ok_or("the text does not end with a newline")?;
    let body = if om {
        body.strip_suffix("# EOF")
            .ok_or("OpenMetrics text does not end with # EOF")?
    } else {
        body
    };
    let mut out = Exposition::default();
    let mut current: Option<(String, String)> = None;
    let mut helps = HashSet::new();
    for (n, line) in body.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
        if let Some(meta) = line.strip_prefix("# ") {
            let (keyword, rest) = meta
                .split_once(' ')
                .ok_or_else(|| at("bad comment".into()))?;
            let (name, value) = rest.split_once(' ').unwrap_or((rest, ""));
            check_name(name, true).map_err(at)?;
            match keyword {
                "TYPE" => {
                    let types: &[&str] = if om {
                        &["counter", "gauge", "histogram", "summary", "info"]
                    } else {
                        &["counter", "gauge", "histogram", "summary"]
                    };
                    if !types.contains(&value) {
                        return Err(at(format!("bad type {value}")));
                    }
                    if out.families.iter().any(|(f, _)| f == name) {
                        return Err(at("family written twice".into()));
                    }
                    out.families.push((name.to_owned(), value.to_owned()));
                    current = Some((name.to_owned(), value.to_owned()));
                }
                "HELP" => {
                    if !helps.insert(name.to_owned()) {
                        return Err(at("second HELP".into()));
                    }
                    check_escapes(value, if om { "\\n\"" } else { "\\n" }).map_err(at)?;
                }
                "UNIT" if om => {
                    if current.as_ref().map(|c| c.0.as_str()) != Some(name)
                        || !name.ends_with(&format!("_{value}"))
                    {
                        return Err(at("UNIT is not a suffix of the current family".into()));
                    }
                }
                _ => return Err(at("unexpected comment".into())),
            }
            continue;
        }
        let (family, kind) = current
            .as_ref()
            .ok_or_else(|| at("sample before TYPE".into()))?;
        let (series, rest) = split_series(line).map_err(at)?;
        let (name, labels) = parse_series(series).map_err(at)?;
        let suffixes: &[&str] = match (kind.as_str(), om) {
            ("counter", true) => &["_total", "_created"],
            ("histogram", _) => &["_bucket", "_sum", "_count", "_created"],
            ("summary", _) => &["", "_sum", "_count", "_created"],
            ("info", _) => &["_info"],
            _ => &[""],
        };
        if !suffixes.iter().any(|s| name == format!("{family}{s}")) {
            return Err(at(format!("sample {name} is not part of family {family}")));
        }
        if name.ends_with("_bucket")
            && kind == "histogram"
            && !labels.iter().any(|(k, _)| k == "le")
        {
            return Err(at("bucket without le".into()));
        }
        let (value, exemplar) = match rest.split_once(" # ") {
            Some((v, e)) if om => (v, Some(e)),
            _ => (rest, None),
        };
        out.values
            .insert(series.to_owned(), parse_value(value).map_err(at)?);
        if let Some(e) = exemplar {
            check_exemplar(e).map_err(at)?;
            out.exemplars += 1;
        }
        let mut sorted = labels;
        sorted.sort();
        if !out.series.insert((name, sorted)) {
            return Err(at("series written twice".into()));
        }
    }
    Ok(out)
}

fn check_name(name: &str, metric: bool) -> Result<(), String> {
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with("__");
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid {} name {name:?}",
            if metric { "metric" } else { "label" }
        ))
    }
}

fn check_escapes(text: &str, escapable: &str) -> Result<(), String> {
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if escapable.contains(e) || e == '\\' => {}
                other => return Err(format!("bad escape \\{other:?}")),
            },
            '\n' => return Err("raw newline".into()),
            '"' if escapable.contains('"') => return Err("raw quote".into()),
            _ => {}
        }
    }
    Ok(())
}

/// `name{labels}` and what follows the space after it.
fn split_series(line: &str) -> Result<(&str, &str), String> {
    let end = match line.find('{') {
        Some(open) => {
            // Find the closing brace outside quoted values.
            let mut quoted = false;
            let mut escaped = false;
            let mut close = None;
            for (i, c) in line[open..].char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' if quoted => escaped = true,
                    '"' => quoted = !quoted,
                    '}' if !quoted => {
                        close = Some(open + i + 1);
                        break;
                    }
                    _ => {}
                }
            }
            close.ok_or("unclosed labels")?
        }
        None => line.find(' ').ok_or("no value")?,
    };
    let rest = line[end..]
        .strip_prefix(' ')
        .ok_or("no space before the value")?;
    Ok((&line[..end], rest))
}

fn parse_series(series: &str) -> Result<(String, Vec<(String, String)>), String> {
    let (name, labels) = match series.split_once('{') {
        Some((name, labels)) => (name, labels.strip_suffix('}').ok_or("no closing brace")?),
        None => (series, ""),
    };
    check_name(name, true)?;
    Ok((name.to_owned(), parse_labels(labels)?))
}

fn parse_labels(mut text: &str) -> Result<Vec<(String, String)>, String> {
    let mut labels: Vec<(String, String)> = Vec::new();
    while !text.is_empty() {
        let (name, rest) = text.split_once("=\"").ok_or("label without =\"")?;
        check_name(name, false)?;
        let mut value = String::new();
        let mut chars = rest.char_indices();
        let end = loop {
            match chars.next() {
                Some((_, '\\')) => match chars.next() {
                    Some((_, '\\')) => value.push('\\'),
                    Some((_, '"')) => value.push('"'),
                    Some((_, 'n')) => value.push('\n'),
                    other => return Err(format!("bad escape in label value: {other:?}")),
                },
                Some((i, '"')) => break i,
                Some((_, '\n')) => return Err("raw newline in label value".into()),
                Some((_, c)) => value.push(c),
                None => return Err("unterminated label value".into()),
            }
        };
        if labels.iter().any(|(n, _)| n == name) {
            return Err(format!("label {name} twice"));
        }
        labels.push((name.to_owned(), value));
        text = &rest[end + 1..];
        text = text.strip_prefix(',').unwrap_or(text);
    }
    Ok(labels)
}

fn parse_value(text: &str) -> Result<f64, String> {
    match text {
        "NaN" => return Ok(f64::NAN),
        "+Inf" => return Ok(f64::INFINITY),
        "-Inf" => return Ok(f64::NEG_INFINITY),
        _ => {}
    }
    let plain = text
        .trim_start_matches('-')
        .chars()
        .all(|c| c.is_ascii_digit() || ".e+-".contains(c));
    match text.parse::<f64>() {
        Ok(v) if plain && v.is_finite() => Ok(v),
        _ => Err(format!("bad value {text:?}")),
    }
}

fn check_exemplar(text: &str) -> Result<(), String> {
    let labels = text.strip_prefix('{').ok_or("exemplar without labels")?;
    let (labels, rest) = labels
        .split_once("} ")
        .ok_or("exemplar labels not closed")?;
    let labels = parse_labels(labels)?;
    let size: usize = labels
        .iter()
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum();
    if size > 128 {
        return Err("exemplar labels longer than 128 characters".into());
    }
    let mut parts = rest.split(' ');
    parse_value(parts.next().unwrap_or_default())?;
    if let Some(ts) = parts.next() {
        if ts.contains('e') {
            return Err("exemplar timestamp with an exponent".into());
        }
        parse_value(ts)?;
    }
    match parts.next() {
        None => Ok(()),
        Some(_) => Err("trailing text after the exemplar".into()),
    }
}

/// `method path` with `headers`, through the tests' one HTTP client; the
/// server sends `Content-Length` (bodies are not chunked), which this
/// checks.
pub(crate) fn fetch(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> omniscope_tests::http::Reply {
    let reply = omniscope_tests::http::request(addr, method, path, headers);
    if method != "HEAD" {
        let length = reply.header("content-length").map(|l| l.parse().unwrap());
        assert_eq!(
            length,
            Some(reply.bytes.len()),
            "the body has its Content-Length"
        );
    }
    reply
}
