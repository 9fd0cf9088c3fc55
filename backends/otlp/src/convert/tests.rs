use std::time::{Duration, SystemTime, UNIX_EPOCH};

use omniscope::metrics::{InstrumentKind, Key, Label, Unit};
use omniscope::{Field, OwnedValue, SpanId, TraceId, Value};
use omniscope_sdk::metrics::{
    Bucket, Exemplar, HistogramSnapshot, MetricFamily, MetricsSnapshot, Series, SeriesValue,
    Temporality,
};
use omniscope_sdk::{Attributes, Resource};
use opentelemetry_proto::tonic::common::v1::{any_value::Value as V, KeyValue};
use opentelemetry_proto::tonic::metrics::v1::{metric, number_data_point, AggregationTemporality};
use opentelemetry_proto::tonic::trace::v1::{span, status};
use proptest::prelude::*;
use prost::Message;

use super::metrics::buckets;
use super::*;
use crate::testing::{linked, log_record, parent_id, span_id, span_record, t0, trace_id, T0_NANOS};

fn value<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a V> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
}

fn resource() -> Resource {
    Resource::empty()
        .with(Resource::SERVICE_NAME, OwnedValue::Str("orders".into()))
        .with("process.pid", OwnedValue::I64(7))
        .with(
            "failure",
            OwnedValue::Error(vec!["outer".into(), "inner".into()]),
        )
}

#[test]
fn a_span_keeps_ids_kind_times_status_events_links_and_typed_attributes() {
    let data = span_record();
    let request = trace_request([data.clone()].iter(), &resource());
    let rs = &request.resource_spans[0];
    let attrs = &rs.resource.as_ref().unwrap().attributes;
    assert_eq!(
        value(attrs, "service.name"),
        Some(&V::StringValue("orders".into()))
    );
    assert_eq!(value(attrs, "process.pid"), Some(&V::IntValue(7)));
    assert_eq!(
        value(attrs, "failure"),
        Some(&V::StringValue("outer: inner".into()))
    );
    let scope = rs.scope_spans[0].scope.as_ref().unwrap();
    assert_eq!(scope.name, "orders::api");
    assert_eq!(scope.version, env!("CARGO_PKG_VERSION"));

    let s = &rs.scope_spans[0].spans[0];
    assert_eq!(s.trace_id, trace_id().to_bytes());
    assert_eq!(s.span_id, span_id().to_bytes());
    assert_eq!(s.parent_span_id, parent_id().to_bytes());
    assert_eq!(s.flags, 0x301, "sampled, parent known to be remote");
    assert_eq!(s.name, "checkout");
    assert_eq!(s.kind, span::SpanKind::Server as i32);
    assert_eq!(s.end_time_unix_nano, T0_NANOS);
    assert_eq!(s.start_time_unix_nano, T0_NANOS - 12_000_000);
    let st = s.status.as_ref().unwrap();
    assert_eq!(
        (st.code, st.message.as_str()),
        (status::StatusCode::Error as i32, "card declined")
    );

    assert_eq!(value(&s.attributes, "order.id"), Some(&V::IntValue(42)));
    assert_eq!(value(&s.attributes, "total"), Some(&V::DoubleValue(12.5)));
    assert_eq!(
        value(&s.attributes, "note"),
        Some(&V::StringValue("first order".into()))
    );
    assert_eq!(value(&s.attributes, "paid"), Some(&V::BoolValue(true)));
    assert_eq!(
        value(&s.attributes, "huge"),
        Some(&V::StringValue(u64::MAX.to_string())),
        "a u64 beyond i64 keeps its digits"
    );

    let e = &s.events[0];
    assert_eq!(
        (e.name.as_str(), e.time_unix_nano),
        ("retry", T0_NANOS - 5_000_000)
    );
    assert_eq!(value(&e.attributes, "attempt"), Some(&V::IntValue(2)));
    let l = &s.links[0];
    assert_eq!(l.trace_id, linked().trace_id().to_bytes());
    assert_eq!(l.span_id, linked().span_id().to_bytes());
    assert_eq!(l.trace_state, "congo=t61rcWkgMzE");
    assert_eq!(l.flags, 0x301);
    assert_eq!(
        value(&l.attributes, "why"),
        Some(&V::StringValue("batch".into()))
    );
}

#[test]
fn kinds_statuses_and_missing_parents_map_to_their_otlp_values() {
    use omniscope::SpanKind as K;
    let kinds = [
        (K::Internal, span::SpanKind::Internal),
        (K::Server, span::SpanKind::Server),
        (K::Client, span::SpanKind::Client),
        (K::Producer, span::SpanKind::Producer),
        (K::Consumer, span::SpanKind::Consumer),
    ];
    for (ours, theirs) in kinds {
        assert_eq!(super::trace::kind(ours), theirs);
    }
    let mut data = span_record();
    data.parent_span_id = None;
    data.status = omniscope::Status::Ok;
    let s = super::trace::span(&data);
    assert!(s.parent_span_id.is_empty());
    assert_eq!(s.flags, 0x01, "no parent: remoteness unknown");
    assert_eq!(s.status.unwrap().code, status::StatusCode::Ok as i32);
    data.status = omniscope::Status::Unset;
    data.parent_is_remote = false;
    data.parent_span_id = Some(parent_id());
    let s = super::trace::span(&data);
    assert!(s.status.is_none(), "unset is the field's absence");
    assert_eq!(s.flags, 0x101, "local parent");
}

#[test]
fn spans_are_grouped_by_scope_in_first_seen_order() {
    let a = span_record();
    let mut b = span_record();
    static OTHER: omniscope::trace::SpanSite =
        omniscope::trace::SpanSite::new("charge", "orders::payment", "src/payment.rs", 3);
    b.site = &OTHER;
    let request = trace_request([a.clone(), b, a].iter(), &Resource::empty());
    let scopes: Vec<(&str, usize)> = request.resource_spans[0]
        .scope_spans
        .iter()
        .map(|s| (s.scope.as_ref().unwrap().name.as_str(), s.spans.len()))
        .collect();
    assert_eq!(scopes, [("orders::api", 2), ("orders::payment", 1)]);
}

#[test]
fn a_log_record_keeps_severity_body_trace_ids_and_location() {
    let request = logs_request([log_record()].iter(), &resource());
    let sl = &request.resource_logs[0].scope_logs[0];
    assert_eq!(sl.scope.as_ref().unwrap().name, "orders::api");
    let r = &sl.log_records[0];
    assert_eq!((r.severity_number, r.severity_text.as_str()), (13, "WARN"));
    assert_eq!(r.time_unix_nano, T0_NANOS);
    assert_eq!(r.observed_time_unix_nano, T0_NANOS + 1_000_000);
    assert_eq!(
        r.body.as_ref().unwrap().value,
        Some(V::StringValue("order created".into()))
    );
    assert_eq!(r.trace_id, trace_id().to_bytes());
    assert_eq!(r.span_id, span_id().to_bytes());
    assert_eq!(r.flags, 0x01, "the span's trace flags: sampled (#12)");
    assert_eq!(value(&r.attributes, "order.id"), Some(&V::IntValue(42)));
    assert_eq!(
        value(&r.attributes, "code.file.path"),
        Some(&V::StringValue("src/api.rs".into()))
    );
    assert_eq!(
        value(&r.attributes, "code.line.number"),
        Some(&V::IntValue(42))
    );
}

#[test]
fn every_level_has_its_severity_number_and_a_record_outside_a_span_has_no_ids() {
    use omniscope::Level;
    for (level, number) in [
        (Level::Trace, 1),
        (Level::Debug, 5),
        (Level::Info, 9),
        (Level::Warn, 13),
        (Level::Error, 17),
    ] {
        let mut r = log_record();
        r.level = level;
        r.trace_id = None;
        r.span_id = None;
        r.trace_flags = omniscope::TraceFlags::NOT_SAMPLED;
        let p = super::logs::record(&r);
        assert_eq!(p.severity_number, number);
        assert_eq!(p.severity_text, level.as_str());
        assert!(p.trace_id.is_empty() && p.span_id.is_empty());
        assert_eq!(p.flags, 0);
    }
}

fn snapshot(temporality: Temporality, families: Vec<MetricFamily>) -> MetricsSnapshot {
    let mut s = MetricsSnapshot::default();
    s.time = Some(t0());
    s.start_time = Some(t0() - Duration::from_secs(60));
    s.temporality = temporality;
    s.families = families;
    s
}

fn key(name: &'static str, labels: &[(&'static str, &'static str)]) -> Key<'static> {
    Key::with_labels(
        name,
        labels.iter().map(|(k, v)| Label::new(*k, *v)).collect(),
    )
}

fn histogram() -> HistogramSnapshot {
    let exemplar = Exemplar::new(0.7, trace_id(), span_id(), t0());
    let mut h = HistogramSnapshot::default();
    h.count = 4;
    h.sum = 4.2;
    h.min = 0.1;
    h.max = 2.5;
    h.buckets = vec![
        Bucket::new(0.5, 1, None),
        Bucket::new(1.0, 2, Some(exemplar)),
        Bucket::new(f64::INFINITY, 1, None),
    ];
    h
}

#[test]
fn metric_values_map_to_sums_gauges_and_histograms() {
    let families = vec![
        MetricFamily::new(
            "orders_total",
            InstrumentKind::Counter,
            Unit::custom("{order}"),
            "orders placed",
            vec![
                Series::new(
                    key("orders_total", &[("channel", "web")]),
                    SeriesValue::Counter(42),
                ),
                Series::new(
                    key("orders_total", &[("channel", "app")]),
                    SeriesValue::Counter(u64::MAX),
                ),
            ],
        ),
        MetricFamily::new(
            "cpu_seconds_total",
            InstrumentKind::Counter,
            Unit::SECONDS,
            "",
            vec![Series::new(
                key("cpu_seconds_total", &[]),
                SeriesValue::FloatCounter(1.5),
            )],
        ),
        MetricFamily::new(
            "in_flight",
            InstrumentKind::UpDownCounter,
            Unit::NONE,
            "",
            vec![Series::new(
                key("in_flight", &[]),
                SeriesValue::UpDownCounter {
                    value: -3,
                    high_water: 9,
                },
            )],
        ),
        MetricFamily::new(
            "temperature",
            InstrumentKind::Gauge,
            Unit::custom("Cel"),
            "",
            vec![Series::new(
                key("temperature", &[]),
                SeriesValue::Gauge(21.5),
            )],
        ),
        MetricFamily::new(
            "latency",
            InstrumentKind::Histogram,
            Unit::SECONDS,
            "request latency",
            vec![Series::new(
                key("latency", &[("route", "/orders")]),
                SeriesValue::Histogram(histogram()),
            )],
        ),
        MetricFamily::new("empty", InstrumentKind::Counter, Unit::NONE, "", vec![]),
    ];
    let request = metrics_request(
        [snapshot(Temporality::Cumulative, families)].iter(),
        &resource(),
    );
    let rm = &request.resource_metrics[0];
    assert_eq!(
        value(&rm.resource.as_ref().unwrap().attributes, "service.name"),
        Some(&V::StringValue("orders".into()))
    );
    let metrics = &rm.scope_metrics[0].metrics;
    let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "orders_total",
            "cpu_seconds_total",
            "in_flight",
            "temperature",
            "latency"
        ]
    );
    let cumulative = AggregationTemporality::Cumulative as i32;

    let orders = &metrics[0];
    assert_eq!(
        (orders.unit.as_str(), orders.description.as_str()),
        ("{order}", "orders placed")
    );
    let Some(metric::Data::Sum(sum)) = &orders.data else {
        panic!("{orders:?}")
    };
    assert!(sum.is_monotonic);
    assert_eq!(sum.aggregation_temporality, cumulative);
    let p = &sum.data_points[0];
    assert_eq!(p.value, Some(number_data_point::Value::AsInt(42)));
    assert_eq!(
        value(&p.attributes, "channel"),
        Some(&V::StringValue("web".into()))
    );
    assert_eq!(
        (p.start_time_unix_nano, p.time_unix_nano),
        (T0_NANOS - 60_000_000_000, T0_NANOS)
    );
    assert_eq!(
        sum.data_points[1].value,
        Some(number_data_point::Value::AsInt(i64::MAX))
    );

    let Some(metric::Data::Sum(cpu)) = &metrics[1].data else {
        panic!()
    };
    assert_eq!(
        cpu.data_points[0].value,
        Some(number_data_point::Value::AsDouble(1.5))
    );
    let Some(metric::Data::Sum(up_down)) = &metrics[2].data else {
        panic!()
    };
    assert!(!up_down.is_monotonic);
    assert_eq!(
        up_down.data_points[0].value,
        Some(number_data_point::Value::AsInt(-3))
    );
    let Some(metric::Data::Gauge(gauge)) = &metrics[3].data else {
        panic!()
    };
    assert_eq!(
        gauge.data_points[0].value,
        Some(number_data_point::Value::AsDouble(21.5))
    );

    let Some(metric::Data::Histogram(h)) = &metrics[4].data else {
        panic!()
    };
    assert_eq!(h.aggregation_temporality, cumulative);
    let p = &h.data_points[0];
    assert_eq!(
        (p.count, p.sum, p.min, p.max),
        (4, Some(4.2), Some(0.1), Some(2.5))
    );
    assert_eq!(p.explicit_bounds, [0.5, 1.0]);
    assert_eq!(p.bucket_counts, [1, 2, 1]);
    let e = &p.exemplars[0];
    assert_eq!(e.trace_id, trace_id().to_bytes());
    assert_eq!(e.span_id, span_id().to_bytes());
    assert_eq!(e.time_unix_nano, T0_NANOS);
    assert_eq!(
        e.value,
        Some(opentelemetry_proto::tonic::metrics::v1::exemplar::Value::AsDouble(0.7))
    );
}

#[test]
fn delta_snapshots_are_sent_as_delta() {
    let families = vec![MetricFamily::new(
        "latency",
        InstrumentKind::Histogram,
        Unit::SECONDS,
        "",
        vec![Series::new(
            key("latency", &[]),
            SeriesValue::Histogram(HistogramSnapshot::default()),
        )],
    )];
    let request = metrics_request(
        [snapshot(Temporality::Delta, families)].iter(),
        &Resource::empty(),
    );
    let Some(metric::Data::Histogram(h)) =
        &request.resource_metrics[0].scope_metrics[0].metrics[0].data
    else {
        panic!()
    };
    assert_eq!(
        h.aggregation_temporality,
        AggregationTemporality::Delta as i32
    );
    let p = &h.data_points[0];
    assert_eq!(
        (p.count, p.min, p.max),
        (0, None, None),
        "an empty histogram has no min or max"
    );
    assert_eq!(p.bucket_counts, [0], "one overflow bucket, no bounds");
}

#[test]
fn buckets_become_bounds_and_per_bucket_counts() {
    let b = |bounds: &[(f64, u64)]| {
        buckets(
            &bounds
                .iter()
                .map(|(ub, c)| Bucket::new(*ub, *c, None))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        b(&[(1.0, 2), (2.0, 3), (f64::INFINITY, 4)]),
        (vec![1.0, 2.0], vec![2, 3, 4])
    );
    assert_eq!(
        b(&[(1.0, 2), (2.0, 3)]),
        (vec![1.0, 2.0], vec![2, 3, 0]),
        "no +Inf: an empty overflow bucket"
    );
    assert_eq!(
        b(&[(2.0, 1), (1.0, 5), (3.0, 1)]),
        (vec![2.0, 3.0], vec![1, 6, 0]),
        "out of order: merged forward"
    );
    assert_eq!(b(&[(f64::NAN, 1), (1.0, 1)]), (vec![1.0], vec![2, 0]));
    assert_eq!(b(&[]), (vec![], vec![0]));
}

// ---- property tests: any input converts without panicking, and encodes ----

fn time(nanos: i128) -> SystemTime {
    if nanos >= 0 {
        UNIX_EPOCH + Duration::from_nanos(nanos as u64)
    } else {
        UNIX_EPOCH - Duration::from_nanos(nanos.unsigned_abs() as u64)
    }
}

fn any_field_value() -> impl Strategy<Value = (String, u8, i64, f64)> {
    (".{0,40}", 0u8..5, any::<i64>(), any::<f64>())
}

fn attributes_of(values: &[(String, u8, i64, f64)]) -> Attributes {
    let mut a = Attributes::new();
    for (text, kind, int, float) in values {
        let value = match kind {
            0 => Value::Str(text),
            1 => Value::I64(*int),
            2 => Value::U64(int.unsigned_abs()),
            3 => Value::F64(*float),
            _ => Value::Bool(*int % 2 == 0),
        };
        a.push(&Field::new(text, value));
    }
    a
}

proptest! {
    #[test]
    fn any_span_converts_and_encodes(
        name in ".{0,60}",
        ids in (any::<u128>(), any::<u64>(), proptest::option::of(any::<u64>())),
        times in (any::<i64>(), any::<i64>()),
        values in proptest::collection::vec(any_field_value(), 0..8),
        dropped in any::<u32>(),
    ) {
        let mut s = span_record();
        s.name = name.into();
        s.context = omniscope::SpanContext::new(TraceId::from_u128(ids.0), SpanId::from_u64(ids.1), s.context.flags());
        s.parent_span_id = ids.2.map(SpanId::from_u64);
        s.start_time = time(i128::from(times.0) * 1000);
        s.end_time = time(i128::from(times.1) * 1000);
        s.attributes = attributes_of(&values);
        s.events[0].attributes = attributes_of(&values);
        s.dropped_attributes = dropped;
        let request = trace_request([s].iter(), &Resource::new("svc"));
        let bytes = request.encode_to_vec();
        let decoded = opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest::decode(&bytes[..]).unwrap();
        prop_assert_eq!(decoded, request);
    }

    #[test]
    fn any_log_record_converts_and_encodes(
        message in ".{0,80}",
        target in ".{0,20}",
        ids in proptest::option::of((any::<u128>(), any::<u64>())),
        values in proptest::collection::vec(any_field_value(), 0..8),
        t in any::<i64>(),
    ) {
        let mut r = log_record();
        r.message = message;
        r.target = target.into();
        r.trace_id = ids.map(|i| TraceId::from_u128(i.0));
        r.span_id = ids.map(|i| SpanId::from_u64(i.1));
        r.timestamp = time(i128::from(t));
        r.fields = attributes_of(&values);
        let request = logs_request([r].iter(), &Resource::empty());
        prop_assert!(serde_json::to_vec(&request).is_ok());
        prop_assert!(!request.encode_to_vec().is_empty());
    }

    #[test]
    fn any_histogram_converts_to_valid_buckets(
        raw in proptest::collection::vec((any::<f64>(), any::<u64>()), 0..20),
        count in any::<u64>(),
        sum in any::<f64>(),
    ) {
        let mut h = HistogramSnapshot::default();
        h.count = count;
        h.sum = sum;
        h.min = sum;
        h.max = sum;
        h.buckets = raw.iter().map(|(ub, c)| Bucket::new(*ub, *c, None)).collect();
        let (bounds, counts) = buckets(&h.buckets);
        prop_assert_eq!(counts.len(), bounds.len() + 1);
        prop_assert!(bounds.iter().all(|b| b.is_finite()));
        prop_assert!(bounds.windows(2).all(|w| w[0] < w[1]));
        let total = raw.iter().fold(0u64, |acc, (_, c)| acc.saturating_add(*c));
        let kept = counts.iter().fold(0u64, |acc, c| acc.saturating_add(*c));
        prop_assert_eq!(kept, total);
        let families = vec![MetricFamily::new("h", InstrumentKind::Histogram, Unit::NONE, "", vec![
            Series::new(Key::from_name("h"), SeriesValue::Histogram(h)),
        ])];
        let request = metrics_request([snapshot(Temporality::Cumulative, families)].iter(), &Resource::empty());
        prop_assert!(!request.encode_to_vec().is_empty());
    }
}
