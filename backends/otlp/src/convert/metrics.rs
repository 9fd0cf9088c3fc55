//! Metric snapshots → `ExportMetricsServiceRequest`.
//!
//! | SDK value | OTLP data |
//! |---|---|
//! | `Counter(u64)` | monotonic `Sum`, integer points |
//! | `FloatCounter(f64)` | monotonic `Sum`, double points |
//! | `UpDownCounter` | non-monotonic `Sum`, integer points (the high-water mark is not sent) |
//! | `Gauge(f64)` | `Gauge`, double points |
//! | `Histogram` | `Histogram`: explicit bounds, per-bucket counts, sum, min, max, exemplars |
//!
//! Sums and histograms carry the snapshot's temporality. Quantiles are not
//! sent: OTLP receivers compute them from the buckets.

use std::time::SystemTime;

use omniscope::metrics::Key;
use omniscope_sdk::metrics::{
    Bucket, HistogramSnapshot, MetricFamily, MetricsSnapshot, SeriesValue, Temporality,
};
use omniscope_sdk::Resource;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use opentelemetry_proto::tonic::metrics::v1::{
    exemplar, metric, number_data_point, AggregationTemporality, Exemplar, Gauge, Histogram,
    HistogramDataPoint, Metric, NumberDataPoint, ResourceMetrics, ScopeMetrics, Sum,
};

use super::common::{key_value, resource, scope, string_value, unix_nanos};

/// The scope of every metric: the SDK's meter does not record which
/// library registered a metric.
const METER_SCOPE: &str = "omniscope";

/// One request per snapshot: its families, in one scope.
pub(crate) fn metrics_request<'a>(
    snapshots: impl Iterator<Item = &'a MetricsSnapshot>,
    res: &Resource,
) -> ExportMetricsServiceRequest {
    let resource_metrics = snapshots
        .map(|snapshot| ResourceMetrics {
            resource: Some(resource(res)),
            scope_metrics: vec![ScopeMetrics {
                scope: Some(scope(METER_SCOPE)),
                metrics: snapshot_metrics(snapshot),
                schema_url: String::new(),
            }],
            schema_url: String::new(),
        })
        .collect();
    ExportMetricsServiceRequest { resource_metrics }
}

/// The times and temporality every point of a snapshot shares.
#[derive(Clone, Copy)]
struct Frame {
    start: u64,
    time: u64,
    temporality: i32,
}

fn snapshot_metrics(snapshot: &MetricsSnapshot) -> Vec<Metric> {
    let time = snapshot.time.unwrap_or_else(SystemTime::now);
    let frame = Frame {
        start: unix_nanos(snapshot.start_time.unwrap_or(time)),
        time: unix_nanos(time),
        temporality: temporality(snapshot.temporality) as i32,
    };
    snapshot
        .families
        .iter()
        .flat_map(|family| family_metrics(family, frame))
        .collect()
}

fn temporality(t: Temporality) -> AggregationTemporality {
    match t {
        Temporality::Cumulative => AggregationTemporality::Cumulative,
        Temporality::Delta => AggregationTemporality::Delta,
    }
}

/// A family's series, split by the shape of their values: one `Metric` per
/// shape present (normally exactly one).
fn family_metrics(family: &MetricFamily, frame: Frame) -> Vec<Metric> {
    let mut monotonic = Vec::new();
    let mut up_down = Vec::new();
    let mut gauge = Vec::new();
    let mut histogram = Vec::new();
    for series in &family.series {
        let attributes = labels(&series.key);
        match &series.value {
            SeriesValue::Counter(v) => monotonic.push(number(attributes, int(*v), frame)),
            SeriesValue::FloatCounter(v) => {
                monotonic.push(number(
                    attributes,
                    number_data_point::Value::AsDouble(*v),
                    frame,
                ));
            }
            SeriesValue::UpDownCounter { value, .. } => {
                up_down.push(number(
                    attributes,
                    number_data_point::Value::AsInt(*value),
                    frame,
                ));
            }
            SeriesValue::Gauge(v) => {
                gauge.push(number(
                    attributes,
                    number_data_point::Value::AsDouble(*v),
                    frame,
                ));
            }
            SeriesValue::Histogram(h) => histogram.push(histogram_point(attributes, h, frame)),
            // A value kind added to the SDK later: not sent until mapped.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
    let sum = |data_points, is_monotonic| {
        metric::Data::Sum(Sum {
            data_points,
            aggregation_temporality: frame.temporality,
            is_monotonic,
        })
    };
    let mut metrics = Vec::new();
    let mut add = |non_empty: bool, data: metric::Data| {
        if non_empty {
            metrics.push(Metric {
                name: family.name.clone(),
                description: family.description.clone(),
                unit: family.unit.as_str().to_owned(),
                data: Some(data),
                ..Metric::default()
            });
        }
    };
    add(!monotonic.is_empty(), sum(monotonic, true));
    add(!up_down.is_empty(), sum(up_down, false));
    add(
        !gauge.is_empty(),
        metric::Data::Gauge(Gauge { data_points: gauge }),
    );
    add(
        !histogram.is_empty(),
        metric::Data::Histogram(Histogram {
            data_points: histogram,
            aggregation_temporality: frame.temporality,
        }),
    );
    metrics
}

fn labels(key: &Key<'static>) -> Vec<KeyValue> {
    key.labels()
        .iter()
        .map(|l| key_value(l.key(), string_value(l.value())))
        .collect()
}

/// OTLP integers are signed: a count beyond `i64::MAX` saturates.
fn int(v: u64) -> number_data_point::Value {
    number_data_point::Value::AsInt(i64::try_from(v).unwrap_or(i64::MAX))
}

fn number(
    attributes: Vec<KeyValue>,
    value: number_data_point::Value,
    frame: Frame,
) -> NumberDataPoint {
    NumberDataPoint {
        attributes,
        start_time_unix_nano: frame.start,
        time_unix_nano: frame.time,
        value: Some(value),
        ..NumberDataPoint::default()
    }
}

/// OTLP wants `bounds.len() + 1` per-bucket counts, the last bucket above
/// the last bound. The SDK's buckets are already per-bucket (not
/// cumulative) and end with `+Inf`; if they do not, an empty overflow
/// bucket is added. Bounds that are not finite and ascending are not valid
/// OTLP: such buckets are merged into the next valid one.
fn histogram_point(
    attributes: Vec<KeyValue>,
    h: &HistogramSnapshot,
    frame: Frame,
) -> HistogramDataPoint {
    let (explicit_bounds, bucket_counts) = buckets(&h.buckets);
    let exemplars = h
        .buckets
        .iter()
        .filter_map(|b| b.exemplar.as_ref())
        .map(|e| Exemplar {
            time_unix_nano: unix_nanos(e.time),
            span_id: e.span_id.to_bytes().to_vec(),
            trace_id: e.trace_id.to_bytes().to_vec(),
            value: Some(exemplar::Value::AsDouble(e.value)),
            ..Exemplar::default()
        })
        .collect();
    HistogramDataPoint {
        attributes,
        start_time_unix_nano: frame.start,
        time_unix_nano: frame.time,
        count: h.count,
        sum: h.sum.is_finite().then_some(h.sum),
        bucket_counts,
        explicit_bounds,
        exemplars,
        min: (h.count > 0 && h.min.is_finite()).then_some(h.min),
        max: (h.count > 0 && h.max.is_finite()).then_some(h.max),
        ..HistogramDataPoint::default()
    }
}

/// `(explicit_bounds, bucket_counts)` with `counts.len() == bounds.len() + 1`.
pub(super) fn buckets(buckets: &[Bucket]) -> (Vec<f64>, Vec<u64>) {
    let mut bounds: Vec<f64> = Vec::with_capacity(buckets.len());
    let mut counts: Vec<u64> = Vec::with_capacity(buckets.len() + 1);
    let mut carried = 0u64;
    for b in buckets {
        let valid =
            b.upper_bound.is_finite() && bounds.last().is_none_or(|last| b.upper_bound > *last);
        carried = carried.saturating_add(b.count);
        if valid {
            bounds.push(b.upper_bound);
            counts.push(carried);
            carried = 0;
        }
    }
    // What falls above the last finite bound (the `+Inf` bucket, and any
    // bucket merged forward) is the overflow bucket.
    counts.push(carried);
    (bounds, counts)
}
