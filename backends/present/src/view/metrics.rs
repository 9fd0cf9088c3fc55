//! `/api/metrics`: every metric family with its series, current values and
//! recent samples.

use std::collections::BTreeMap;

use omniscope::metrics::InstrumentKind;
use omniscope_sdk::metrics::{HistogramSnapshot, MetricsSnapshot, Series, SeriesValue};
use serde::Serialize;

use super::values::unix_ms;
use crate::history::{scalar, MetricHistory};

/// `/api/metrics`.
#[derive(Debug, Serialize)]
pub(crate) struct MetricList {
    time_ms: Option<f64>,
    families: Vec<FamilyView>,
    /// Series of the families that match, before `limit` cut them.
    series_total: usize,
}

#[derive(Debug, Serialize)]
struct FamilyView {
    name: String,
    /// `counter`, `up_down_counter`, `gauge` or `histogram`.
    kind: &'static str,
    /// UCUM code, `""` for none.
    unit: &'static str,
    description: String,
    series: Vec<SeriesView>,
}

#[derive(Debug, Serialize)]
struct SeriesView {
    labels: BTreeMap<String, String>,
    /// The current value: the count for a histogram.
    value: f64,
    /// The highest value an up-down counter reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    high_water: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    histogram: Option<HistogramView>,
    /// `[unix ms, value]` samples, oldest first.
    recent: Vec<(f64, f64)>,
    /// A histogram's `[unix ms, p50, p90, p99]` of the samples recorded in
    /// each interval between two samplings (not since the start), oldest
    /// first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    recent_quantiles: Vec<QuantileSample>,
    /// A histogram's samples recorded inside a span, oldest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exemplars: Vec<ExemplarView>,
}

/// `[unix ms, p50, p90, p99]`.
type QuantileSample = (f64, Option<f64>, Option<f64>, Option<f64>);

#[derive(Debug, Serialize)]
struct ExemplarView {
    time_ms: f64,
    value: f64,
    trace_id: String,
    span_id: String,
}

/// Which families `/api/metrics` lists.
#[derive(Clone, Debug, Default)]
pub(crate) struct MetricQuery {
    /// The name contains this, ignoring case.
    pub(crate) text: Option<String>,
    /// The name is one of these.
    pub(crate) names: Option<Vec<String>>,
    /// At most this many series, in all (the families in order).
    pub(crate) limit: usize,
}

impl MetricQuery {
    fn matches(&self, name: &str) -> bool {
        self.text
            .as_ref()
            .is_none_or(|t| name.to_lowercase().contains(&t.to_lowercase()))
            && self
                .names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| n == name))
    }
}

/// A distribution, in the unit of the metric.
#[derive(Debug, Serialize)]
pub(crate) struct HistogramView {
    count: u64,
    sum: f64,
    min: Option<f64>,
    max: Option<f64>,
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    /// Non-cumulative counts; the last bound is `null` (`+Inf`).
    buckets: Vec<BucketView>,
}

#[derive(Debug, Serialize)]
struct BucketView {
    le: Option<f64>,
    count: u64,
}

impl MetricList {
    pub(crate) fn of(
        snapshot: &MetricsSnapshot,
        history: &MetricHistory,
        query: &MetricQuery,
    ) -> MetricList {
        let mut room = query.limit;
        let mut series_total = 0;
        let families = snapshot
            .families
            .iter()
            .filter(|f| query.matches(&f.name))
            .filter_map(|f| {
                series_total += f.series.len();
                let take = f.series.len().min(room);
                room -= take;
                (take > 0).then(|| FamilyView {
                    name: f.name.clone(),
                    kind: kind(f.kind),
                    unit: f.unit.as_str(),
                    description: f.description.clone(),
                    series: f
                        .series
                        .iter()
                        .take(take)
                        .map(|s| SeriesView::of(s, history))
                        .collect(),
                })
            })
            .collect();
        MetricList {
            time_ms: snapshot.time.map(unix_ms),
            families,
            series_total,
        }
    }
}

impl SeriesView {
    fn of(s: &Series, history: &MetricHistory) -> SeriesView {
        SeriesView {
            labels: s
                .key
                .labels()
                .iter()
                .map(|l| (l.key().to_owned(), l.value().to_owned()))
                .collect(),
            value: scalar(&s.value),
            high_water: match s.value {
                SeriesValue::UpDownCounter { high_water, .. } => Some(high_water),
                _ => None,
            },
            histogram: match &s.value {
                SeriesValue::Histogram(h) => Some(HistogramView::of(h)),
                _ => None,
            },
            recent: history.recent(&s.key),
            recent_quantiles: history
                .interval_quantiles(&s.key)
                .into_iter()
                .map(|(t, [a, b, c])| (t, finite(a), finite(b), finite(c)))
                .collect(),
            exemplars: history
                .exemplars(&s.key)
                .map(|e| ExemplarView {
                    time_ms: e.time_ms,
                    value: e.value,
                    trace_id: e.trace_id.to_string(),
                    span_id: e.span_id.to_string(),
                })
                .collect(),
        }
    }
}

impl HistogramView {
    fn of(h: &HistogramSnapshot) -> HistogramView {
        HistogramView {
            count: h.count,
            sum: h.sum,
            min: finite(h.min),
            max: finite(h.max),
            p50: quantile(h, 0.5),
            p90: quantile(h, 0.9),
            p99: quantile(h, 0.99),
            buckets: h
                .buckets
                .iter()
                .map(|b| BucketView {
                    le: finite(b.upper_bound),
                    count: b.count,
                })
                .collect(),
        }
    }
}

/// The sketch's estimate of quantile `q`, when there are samples.
pub(crate) fn quantile(h: &HistogramSnapshot, q: f64) -> Option<f64> {
    if h.count == 0 {
        return None;
    }
    h.quantiles
        .iter()
        .find(|(at, _)| (at - q).abs() < 1e-9)
        .and_then(|(_, v)| finite(*v))
}

/// `Some(x)` unless `x` is NaN or infinite (JSON has no such numbers).
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

fn kind(k: InstrumentKind) -> &'static str {
    match k {
        InstrumentKind::Counter => "counter",
        InstrumentKind::UpDownCounter => "up_down_counter",
        InstrumentKind::Gauge => "gauge",
        InstrumentKind::Histogram => "histogram",
    }
}
