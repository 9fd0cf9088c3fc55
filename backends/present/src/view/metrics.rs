//! `/api/metrics`: every metric family with its series, current values and
//! recent samples.

use std::collections::BTreeMap;

use omniscope::metrics::InstrumentKind;
use omniscope_sdk::metrics::{HistogramSnapshot, MetricsSnapshot, SeriesValue};
use serde::Serialize;

use super::values::unix_ms;
use crate::history::{scalar, MetricHistory};

/// `/api/metrics`.
#[derive(Debug, Serialize)]
pub(crate) struct MetricList {
    time_ms: Option<f64>,
    families: Vec<FamilyView>,
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
    pub(crate) fn of(snapshot: &MetricsSnapshot, history: &MetricHistory) -> MetricList {
        MetricList {
            time_ms: snapshot.time.map(unix_ms),
            families: snapshot
                .families
                .iter()
                .map(|f| FamilyView {
                    name: f.name.clone(),
                    kind: kind(f.kind),
                    unit: f.unit.as_str(),
                    description: f.description.clone(),
                    series: f
                        .series
                        .iter()
                        .map(|s| SeriesView {
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
                        })
                        .collect(),
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
