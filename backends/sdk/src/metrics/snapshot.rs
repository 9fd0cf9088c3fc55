//! [`MetricsSnapshot`]: a consistent read of every metric, for pull readers
//! (Prometheus scrape, the dashboard) and push exporters (OTLP, statsd).

use std::time::SystemTime;

use omniscope::metrics::{InstrumentKind, Key, Unit};
use omniscope::{SpanId, TraceId};

/// Whether sums and histograms cover all time or the last interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Temporality {
    /// Since the start of the process (Prometheus, OTLP default).
    #[default]
    Cumulative,
    /// Since the previous collection for this reader (statsd).
    Delta,
}

/// Every metric at one moment.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// When it was taken.
    pub time: Option<SystemTime>,
    /// The start of the period it covers (process start for cumulative).
    pub start_time: Option<SystemTime>,
    /// Cumulative or delta.
    pub temporality: Temporality,
    /// One family per metric name.
    pub families: Vec<MetricFamily>,
}

impl MetricsSnapshot {
    /// The family named `name`.
    pub fn family(&self, name: &str) -> Option<&MetricFamily> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The series `name` with exactly these labels (any order).
    pub fn series(&self, name: &str, labels: &[(&str, &str)]) -> Option<&Series> {
        self.family(name)?.series.iter().find(|s| {
            s.key.labels().len() == labels.len()
                && labels.iter().all(|(k, v)| s.key.label(k) == Some(*v))
        })
    }
}

/// All series of one metric name.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct MetricFamily {
    /// The metric name as recorded.
    pub name: String,
    /// The instrument kind.
    pub kind: InstrumentKind,
    /// The unit (UCUM).
    pub unit: Unit,
    /// The description.
    pub description: String,
    /// Its series.
    pub series: Vec<Series>,
}

/// One labelled series and its value.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Series {
    /// The name and labels. The overflow series of a metric that hit its
    /// cardinality limit has the single label `otel.metric.overflow="true"`.
    pub key: Key<'static>,
    /// The value.
    pub value: SeriesValue,
    /// Since when the value counts: in a cumulative snapshot, when the
    /// series was registered (a callback series: when its callback was);
    /// in a delta snapshot, the start of its interval, or the registration
    /// when that is later. Exporters write it as OpenMetrics' `_created`
    /// and OTLP's start time. `None` (hand-built snapshots): the
    /// snapshot's [`start_time`](MetricsSnapshot::start_time) stands in.
    pub start_time: Option<SystemTime>,
}

/// A series' value.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SeriesValue {
    /// A monotonic integer sum.
    Counter(u64),
    /// A monotonic floating-point sum (callback counters such as CPU seconds).
    FloatCounter(f64),
    /// A non-monotonic sum, with the highest value it reached.
    UpDownCounter {
        /// The current sum.
        value: i64,
        /// The highest sum seen (since start, or in the interval for delta).
        high_water: i64,
    },
    /// The last value set.
    Gauge(f64),
    /// A distribution.
    Histogram(HistogramSnapshot),
}

/// A histogram's buckets, quantiles and exemplars.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct HistogramSnapshot {
    /// How many samples.
    pub count: u64,
    /// Their sum.
    pub sum: f64,
    /// The smallest sample (NaN when empty).
    pub min: f64,
    /// The largest sample (NaN when empty).
    pub max: f64,
    /// Explicit buckets, ascending, each with its own (non-cumulative)
    /// count; the last has upper bound `+Inf`.
    pub buckets: Vec<Bucket>,
    /// Quantiles from the sketch, as `(q, value)`: p50, p90, p99 by default.
    pub quantiles: Vec<(f64, f64)>,
    /// The sketch's guaranteed relative error on quantiles (0.01 = 1%).
    pub relative_error: f64,
}

/// One explicit bucket.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Bucket {
    /// The inclusive upper bound (`le`).
    pub upper_bound: f64,
    /// Samples in this bucket only (not cumulative).
    pub count: u64,
    /// The last sample that fell here while a span was current.
    pub exemplar: Option<Exemplar>,
}

/// A sample linked to the trace that produced it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Exemplar {
    /// The sample.
    pub value: f64,
    /// The trace it was recorded in.
    pub trace_id: TraceId,
    /// The span it was recorded in.
    pub span_id: SpanId,
    /// When.
    pub time: SystemTime,
}

/// Constructors, for tests of exporters and for snapshots built from other
/// sources (the structs are `#[non_exhaustive]`, so other crates cannot use
/// struct literals).
impl MetricFamily {
    /// A family named `name` of instrument `kind`, with these series.
    pub fn new(
        name: impl Into<String>,
        kind: InstrumentKind,
        unit: Unit,
        description: impl Into<String>,
        series: Vec<Series>,
    ) -> MetricFamily {
        MetricFamily {
            name: name.into(),
            kind,
            unit,
            description: description.into(),
            series,
        }
    }
}

impl Series {
    /// A series with this key (name and labels) and value, and no start
    /// time of its own.
    pub fn new(key: Key<'static>, value: SeriesValue) -> Series {
        Series {
            key,
            value,
            start_time: None,
        }
    }

    /// This series, counting since `start_time`.
    #[must_use]
    pub fn with_start_time(mut self, start_time: SystemTime) -> Series {
        self.start_time = Some(start_time);
        self
    }
}

impl Bucket {
    /// A bucket with upper bound `upper_bound` holding `count` samples (not
    /// cumulative).
    pub fn new(upper_bound: f64, count: u64, exemplar: Option<Exemplar>) -> Bucket {
        Bucket {
            upper_bound,
            count,
            exemplar,
        }
    }
}

impl Exemplar {
    /// The sample `value`, recorded at `time` in span `span_id` of trace
    /// `trace_id`.
    pub fn new(value: f64, trace_id: TraceId, span_id: SpanId, time: SystemTime) -> Exemplar {
        Exemplar {
            value,
            trace_id,
            span_id,
            time,
        }
    }
}
