//! Property: whatever the names, labels, units and values — including names
//! that collide after sanitizing, reserved names, NaN, infinities and
//! nonsense buckets — rendering never panics, and both formats pass the
//! strict checker: valid metric and label names, valid escapes and values,
//! samples inside their family, no family and no series written twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, UNIX_EPOCH};

use omniscope::metrics::{InstrumentKind, Unit};
use omniscope::{OwnedValue, SpanId, TraceId};
use omniscope_prometheus::{Encoder, Format};
use omniscope_sdk::metrics::{
    Bucket, Exemplar, MetricFamily, MetricsSnapshot, Series, SeriesValue,
};
use omniscope_sdk::Resource;
use proptest::prelude::*;

const UNITS: [&str; 14] = [
    "",
    "s",
    "ms",
    "By",
    "1",
    "%",
    "{request}",
    "By/s",
    "{packet}/s",
    "a b",
    "{",
    "/",
    "total",
    "_",
];

/// Names and label names: arbitrary text, or one of the tricky ones.
fn any_name() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,10}",
        "[a-z_.:0-9-]{0,8}",
        prop::sample::select(vec![
            "",
            "_",
            "__name__",
            "le",
            "quantile",
            "target",
            "target_info",
            "x_total",
            "x_count",
            "x_bucket",
            "x_sum",
            "x",
            "9",
            "a:b",
            "a.b",
            "a_b",
            "total",
            "_total",
        ])
        .prop_map(str::to_owned),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e-7,
            1e20,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY
        ]),
    ]
}

fn exemplar() -> impl Strategy<Value = Option<Exemplar>> {
    prop::option::of((float(), any::<u128>(), any::<u64>(), any::<u32>())).prop_map(|e| {
        e.map(|(v, trace, span, secs)| {
            let time = UNIX_EPOCH + Duration::from_secs(u64::from(secs));
            Exemplar::new(v, TraceId::from_u128(trace), SpanId::from_u64(span), time)
        })
    })
}

fn value(kind: InstrumentKind) -> BoxedStrategy<SeriesValue> {
    let histogram = (
        prop::collection::vec((float(), any::<u64>(), exemplar()), 0..5),
        float(),
        prop::collection::vec((float(), float()), 0..4),
    )
        .prop_map(|(buckets, sum, quantiles)| {
            let buckets = buckets
                .into_iter()
                .map(|(bound, count, e)| Bucket::new(bound, count, e))
                .collect();
            common::histogram(buckets, sum, f64::NAN, f64::NAN, quantiles)
        });
    match kind {
        InstrumentKind::Histogram => histogram.boxed(),
        // Any value under any kind: a mismatch must be skipped, not written.
        _ => prop_oneof![
            any::<u64>().prop_map(SeriesValue::Counter),
            float().prop_map(SeriesValue::FloatCounter),
            float().prop_map(SeriesValue::Gauge),
            (any::<i64>(), any::<i64>())
                .prop_map(|(value, high_water)| SeriesValue::UpDownCounter { value, high_water }),
            histogram,
        ]
        .boxed(),
    }
}

fn family() -> impl Strategy<Value = MetricFamily> {
    let kind = prop::sample::select(vec![
        InstrumentKind::Counter,
        InstrumentKind::UpDownCounter,
        InstrumentKind::Gauge,
        InstrumentKind::Histogram,
    ]);
    (
        any_name(),
        kind,
        prop::sample::select(UNITS.to_vec()),
        ".{0,12}",
    )
        .prop_flat_map(|(name, kind, unit, help)| {
            let labels = prop::collection::vec((any_name(), ".{0,6}"), 0..4);
            prop::collection::vec((labels, value(kind)), 0..4).prop_map(move |series| {
                let series = series
                    .into_iter()
                    .map(|(labels, value)| {
                        let labels: Vec<(&str, &str)> = labels
                            .iter()
                            .map(|(k, v)| (k.as_str(), v.as_str()))
                            .collect();
                        Series::new(common::key(&name, &labels), value)
                    })
                    .collect();
                MetricFamily::new(name.clone(), kind, Unit::custom(unit), help.clone(), series)
            })
        })
}

fn resource() -> impl Strategy<Value = Resource> {
    prop::collection::vec((any_name(), ".{0,6}"), 0..4).prop_map(|attributes| {
        attributes
            .into_iter()
            .fold(Resource::empty(), |r, (k, v)| r.with(k, OwnedValue::Str(v)))
    })
}

/// `le` and `quantile` values as numbers: the formats write `1` and `1.0`.
fn normalize((name, value): (String, String)) -> (String, String) {
    match (name.as_str(), value.parse::<f64>()) {
        ("le" | "quantile", Ok(v)) => (name, format!("{v:?}")),
        _ => (name, value),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_snapshot_renders_valid_text(
        families in prop::collection::vec(family(), 0..6),
        resource in resource(),
        quantiles in any::<bool>(),
    ) {
        let mut snapshot = MetricsSnapshot::default();
        snapshot.families = families;
        let encoder = Encoder::builder().with_quantiles(quantiles).build();
        let mut seen = Vec::new();
        for format in [Format::Text004, Format::OpenMetrics] {
            let text = encoder.render(&snapshot, &resource, format);
            let parsed = common::check(&text, format);
            prop_assert!(parsed.is_ok(), "{}\n{}", parsed.err().unwrap_or_default(), text);
            let mut series: Vec<_> = parsed
                .unwrap_or_default()
                .series
                .into_iter()
                .map(|(name, labels)| (name, labels.into_iter().map(normalize).collect::<Vec<_>>()))
                .collect();
            series.sort();
            seen.push(series);
        }
        // Both formats hold the same series.
        prop_assert_eq!(&seen[0], &seen[1]);
    }
}
