//! The wire encoder: a delta [`MetricsSnapshot`] to statsd or DogStatsD
//! lines. Pure: no I/O, no clock, no global state, so that it is tested
//! line by line and by property tests (a line never holds a newline or a
//! separator taken from input).

use std::fmt::Write as _;

use omniscope_sdk::metrics::{HistogramSnapshot, MetricsSnapshot, SeriesValue};
use omniscope_sdk::Resource;

/// The statsd dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flavor {
    /// Plain (Etsy) statsd: no tags; labels are folded into the name by a
    /// [`LabelScheme`]; names are Graphite-safe.
    Statsd,
    /// DogStatsD: labels, constant tags and the unified service tags as
    /// `|#key:value,...`.
    DogStatsd,
}

impl Flavor {
    /// Its name in `OMNISCOPE_STATSD_FLAVOR`.
    pub const fn name(self) -> &'static str {
        match self {
            Flavor::Statsd => "statsd",
            Flavor::DogStatsd => "dogstatsd",
        }
    }

    /// The flavour called `name` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<Flavor> {
        [Flavor::Statsd, Flavor::DogStatsd]
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// How a histogram's interval is shipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HistogramAs {
    /// Timers in milliseconds (`|ms`): values in `s` are multiplied by
    /// 1000, in `us` divided by 1000, any other unit sent as recorded.
    /// The plain flavour's default.
    Timer,
    /// DogStatsD histograms (`|h`), aggregated by the agent.
    Histogram,
    /// DogStatsD distributions (`|d`), aggregated server-side. The
    /// DogStatsD flavour's default.
    Distribution,
}

impl HistogramAs {
    /// Its name in `OMNISCOPE_STATSD_HISTOGRAM`.
    pub const fn name(self) -> &'static str {
        match self {
            HistogramAs::Timer => "timer",
            HistogramAs::Histogram => "histogram",
            HistogramAs::Distribution => "distribution",
        }
    }

    /// The mode called `name` (ASCII case-insensitive).
    pub fn from_name(name: &str) -> Option<HistogramAs> {
        [
            HistogramAs::Timer,
            HistogramAs::Histogram,
            HistogramAs::Distribution,
        ]
        .into_iter()
        .find(|h| h.name().eq_ignore_ascii_case(name.trim()))
    }

    const fn type_code(self) -> &'static str {
        match self {
            HistogramAs::Timer => "ms",
            HistogramAs::Histogram => "h",
            HistogramAs::Distribution => "d",
        }
    }
}

/// How the plain flavour folds labels into the name (labels in the order
/// of their names; each label key and value becomes one Graphite-safe
/// segment, see [`Encoding`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LabelScheme {
    /// `name.key1.value1.key2.value2` (the default): every series keeps a
    /// distinct, self-describing name.
    Pairs,
    /// `name.value1.value2`: shorter, readable when the label set of a
    /// metric is fixed.
    Values,
}

/// What the encoder needs besides the snapshot.
#[derive(Clone, Debug)]
pub struct Encoding {
    /// The dialect.
    pub flavor: Flavor,
    /// How histograms are shipped.
    pub histograms: HistogramAs,
    /// The plain flavour's label folding.
    pub labels: LabelScheme,
    /// Prepended to every name, then a `.` (sanitized like names; empty:
    /// none).
    pub prefix: String,
    /// DogStatsD tags added to every line (`key:value`, sanitized).
    pub constant_tags: Vec<(String, String)>,
    /// DogStatsD: add `service:`, `env:` and `version:` from the
    /// resource's `service.name`, `deployment.environment.name` and
    /// `service.version`.
    pub unified_service_tags: bool,
    /// DogStatsD v1.1: several values of one histogram in one line
    /// (`name:1:2:3|d`).
    pub multi_value: bool,
    /// DogStatsD v1.2: `|c:<container id>` on every line.
    pub container_id: Option<String>,
    /// DogStatsD v1.3: `|T<unix seconds>` on counters and gauges, from the
    /// snapshot's time.
    pub timestamps: bool,
    /// At most this many reconstructed samples per histogram series and
    /// flush (below); the rest go as one sampled line.
    pub max_samples: u32,
}

/// What the encoder counted while encoding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodeCounts {
    /// Values left out because they are NaN or infinite (statsd has no
    /// spelling for them).
    pub non_finite: u64,
}

/// Encodes `snapshot` into lines, handing each (without newline) to `line`.
///
/// Counters become deltas (`|c`), gauges and up-down counters last values
/// (`|g`; in the plain flavour a negative value is preceded by `name:0|g`,
/// because `-5|g` alone means "subtract 5"), histograms samples of
/// [`HistogramAs`] reconstructed from the interval's aggregates: one
/// sample gives its value, two give `min` and `sum - min`, more give
/// `min`, `max` and the rest at their mean, so that the daemon's count and
/// sum equal the interval's, and its min and max the SDK's. Past [`Encoding::max_samples`] the mean
/// goes once with a sample rate `@1/n`, which keeps the count (and
/// collectd's sum) but not Etsy statsd's sum.
pub fn encode(
    snapshot: &MetricsSnapshot,
    resource: &Resource,
    encoding: &Encoding,
    mut line: impl FnMut(&str),
) -> EncodeCounts {
    let mut counts = EncodeCounts::default();
    let tags = common_tags(resource, encoding);
    let timestamp = match (encoding.flavor, encoding.timestamps, snapshot.time) {
        (Flavor::DogStatsd, true, Some(t)) => t
            .duration_since(std::time::UNIX_EPOCH)
            .ok()
            .map(|d| d.as_secs()),
        _ => None,
    };
    let mut buf = String::with_capacity(128);
    for family in &snapshot.families {
        for series in &family.series {
            let mut w = LineWriter {
                encoding,
                name: series_name(encoding, &family.name, series.key.labels()),
                tags: series_tags(encoding, &tags, series.key.labels()),
                buf: &mut buf,
            };
            match &series.value {
                SeriesValue::Counter(n) => {
                    w.write(&n.to_string(), "c", None, timestamp, &mut line);
                }
                SeriesValue::FloatCounter(x) => match finite(*x) {
                    Some(v) => w.write(&v, "c", None, timestamp, &mut line),
                    None => counts.non_finite += 1,
                },
                SeriesValue::UpDownCounter { value, .. } => {
                    w.gauge(&value.to_string(), *value < 0, timestamp, &mut line);
                }
                SeriesValue::Gauge(x) => match finite(*x) {
                    Some(v) => w.gauge(&v, *x < 0.0, timestamp, &mut line),
                    None => counts.non_finite += 1,
                },
                SeriesValue::Histogram(h) => {
                    let scale = match encoding.histograms {
                        HistogramAs::Timer => timer_scale(family.unit.as_str()),
                        _ => 1.0,
                    };
                    counts.non_finite += w.histogram(h, scale, &mut line);
                }
                // A value kind this encoder does not know yet (the enum is
                // non-exhaustive) is left out rather than guessed.
                _ => {}
            }
        }
    }
    counts
}

struct LineWriter<'a> {
    encoding: &'a Encoding,
    name: String,
    tags: String,
    buf: &'a mut String,
}

impl LineWriter<'_> {
    /// One line: `name:value|type[|@rate][|#tags][|c:id][|Tts]`.
    fn write(
        &mut self,
        value: &str,
        kind: &str,
        rate: Option<&str>,
        timestamp: Option<u64>,
        line: &mut impl FnMut(&str),
    ) {
        let buf = &mut *self.buf;
        buf.clear();
        buf.push_str(&self.name);
        buf.push(':');
        buf.push_str(value);
        buf.push('|');
        buf.push_str(kind);
        if let Some(rate) = rate {
            buf.push_str("|@");
            buf.push_str(rate);
        }
        if self.encoding.flavor == Flavor::DogStatsd {
            if !self.tags.is_empty() {
                buf.push_str("|#");
                buf.push_str(&self.tags);
            }
            if let Some(id) = &self.encoding.container_id {
                buf.push_str("|c:");
                buf.push_str(&sanitize_tag(id, false));
            }
            if let Some(ts) = timestamp {
                let _ = write!(buf, "|T{ts}");
            }
        }
        line(buf);
    }

    fn gauge(
        &mut self,
        value: &str,
        negative: bool,
        timestamp: Option<u64>,
        line: &mut impl FnMut(&str),
    ) {
        if negative && self.encoding.flavor == Flavor::Statsd {
            self.write("0", "g", None, timestamp, line);
        }
        self.write(value, "g", None, timestamp, line);
    }

    /// The reconstructed samples of one histogram series; returns how many
    /// values were left out as non-finite.
    fn histogram(&mut self, h: &HistogramSnapshot, scale: f64, line: &mut impl FnMut(&str)) -> u64 {
        let kind = self.encoding.histograms.type_code();
        let Some(samples) = samples(h, scale) else {
            return 1;
        };
        let max = u64::from(self.encoding.max_samples.max(1));
        let (repeat, sampled) = if samples.repeat > max {
            (0, Some(samples.repeat))
        } else {
            (samples.repeat, None)
        };
        let mut values: Vec<String> = samples.edges.iter().map(|v| fmt_f64(*v)).collect();
        if repeat > 0 {
            let mean = fmt_f64(samples.mean);
            values.extend((0..repeat).map(|_| mean.clone()));
        }
        if self.encoding.multi_value && self.encoding.flavor == Flavor::DogStatsd {
            if !values.is_empty() {
                self.write(&values.join(":"), kind, None, None, line);
            }
        } else {
            for v in &values {
                self.write(v, kind, None, None, line);
            }
        }
        if let Some(n) = sampled {
            let rate = fmt_f64(1.0 / n as f64);
            self.write(&fmt_f64(samples.mean), kind, Some(&rate), None, line);
        }
        0
    }
}

/// A histogram interval as samples: `edges` once each, then `repeat`
/// samples of `mean`.
struct Samples {
    edges: Vec<f64>,
    mean: f64,
    repeat: u64,
}

fn samples(h: &HistogramSnapshot, scale: f64) -> Option<Samples> {
    let (sum, min, max) = (h.sum * scale, h.min * scale, h.max * scale);
    if !(sum.is_finite() && min.is_finite() && max.is_finite()) {
        return None;
    }
    Some(match h.count {
        0 => Samples {
            edges: Vec::new(),
            mean: 0.0,
            repeat: 0,
        },
        1 => Samples {
            edges: vec![sum],
            mean: 0.0,
            repeat: 0,
        },
        // The sum is exact, min and max may be the sketch's estimates (a
        // delta's extremes are exact only when they are all-time ones):
        // `sum - min` keeps the daemon's sum exact.
        2 => Samples {
            edges: vec![min, sum - min],
            mean: 0.0,
            repeat: 0,
        },
        n => Samples {
            edges: vec![min, max],
            mean: ((sum - min - max) / (n - 2) as f64).clamp(min, max),
            repeat: n - 2,
        },
    })
}

fn timer_scale(unit: &str) -> f64 {
    match unit {
        "s" => 1000.0,
        "us" => 0.001,
        "ns" => 0.000_001,
        _ => 1.0,
    }
}

fn finite(x: f64) -> Option<String> {
    x.is_finite().then(|| fmt_f64(x))
}

/// Shortest round-trip decimal, never in exponent form (Rust's `Display`
/// for `f64`), which every statsd parser reads; `-0` is written `0`.
fn fmt_f64(x: f64) -> String {
    if x == 0.0 {
        return "0".to_owned();
    }
    x.to_string()
}

/// The full name of a series: prefix, sanitized name and, in the plain
/// flavour, its labels as segments.
fn series_name(
    encoding: &Encoding,
    name: &str,
    labels: &[omniscope::metrics::Label<'_>],
) -> String {
    let mut out = String::with_capacity(name.len() + 16);
    let prefix = sanitize_name(&encoding.prefix);
    if !prefix.is_empty() {
        out.push_str(&prefix);
        out.push('.');
    }
    match sanitize_name(name) {
        // An empty name would make the line unparsable.
        n if n.is_empty() => out.push('_'),
        n => out.push_str(&n),
    }
    if encoding.flavor == Flavor::Statsd {
        let mut sorted: Vec<_> = labels.iter().collect();
        sorted.sort_by(|a, b| a.key().cmp(b.key()));
        for label in sorted {
            if encoding.labels == LabelScheme::Pairs {
                out.push('.');
                out.push_str(&sanitize_segment(label.key()));
            }
            out.push('.');
            out.push_str(&sanitize_segment(label.value()));
        }
    }
    out
}

/// The tags every line of a flush carries (DogStatsD only).
fn common_tags(resource: &Resource, encoding: &Encoding) -> Vec<(String, String)> {
    if encoding.flavor != Flavor::DogStatsd {
        return Vec::new();
    }
    let mut tags = encoding.constant_tags.clone();
    if encoding.unified_service_tags {
        for (tag, attribute) in [
            ("service", Resource::SERVICE_NAME),
            ("env", Resource::DEPLOYMENT_ENVIRONMENT),
            ("version", Resource::SERVICE_VERSION),
        ] {
            if let Some(value) = resource.get(attribute) {
                let value = value.to_string();
                if !value.is_empty() && !tags.iter().any(|(k, _)| k == tag) {
                    tags.push((tag.to_owned(), value));
                }
            }
        }
    }
    tags
}

fn series_tags(
    encoding: &Encoding,
    common: &[(String, String)],
    labels: &[omniscope::metrics::Label<'_>],
) -> String {
    if encoding.flavor != Flavor::DogStatsd {
        return String::new();
    }
    let mut out = String::new();
    let pairs = common
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(labels.iter().map(|l| (l.key(), l.value())));
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push(',');
        }
        out.push_str(&sanitize_tag(k, true));
        out.push(':');
        out.push_str(&sanitize_tag(v, false));
    }
    out
}

/// A metric name: ASCII letters, digits, `_`, `-` and `.` kept (dots are
/// Graphite's hierarchy), anything else `_`; no empty, leading, trailing
/// or doubled dots (Graphite would make empty path segments).
pub fn sanitize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => out.push(c),
            '.' if !out.is_empty() && !out.ends_with('.') => out.push('.'),
            '.' => {}
            _ => out.push('_'),
        }
    }
    while out.ends_with('.') {
        out.pop();
    }
    out
}

/// One Graphite path segment from a label key or value: like
/// [`sanitize_name`], with dots replaced too (a label adds exactly one
/// segment); an empty value is `_`.
pub fn sanitize_segment(segment: &str) -> String {
    let out: String = segment
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    if out.is_empty() {
        "_".to_owned()
    } else {
        out
    }
}

/// A DogStatsD tag key (`key` true) or value: the separators `|`, `,`,
/// `#`, `@`, newlines, control characters and blanks become `_`, and so
/// does `:` in a key (it separates key from value).
pub fn sanitize_tag(tag: &str, key: bool) -> String {
    let out: String = tag
        .chars()
        .map(|c| match c {
            '|' | ',' | '#' | '@' => '_',
            ':' if key => '_',
            c if c.is_control() || c.is_whitespace() => '_',
            c => c,
        })
        .collect();
    if out.is_empty() {
        "_".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests;
