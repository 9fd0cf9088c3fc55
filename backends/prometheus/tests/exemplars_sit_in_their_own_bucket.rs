//! Regression test for issue #12 (item 5): an exemplar is written on the
//! bucket its sample fell into, and on no other. Before, one exemplar was
//! copied onto every bucket from its own up to `+Inf`, so most exemplars
//! Prometheus stored lay below their bucket's lower bound, and it stored
//! about twelve copies per observation.
//!
//! Property: for any histogram (hand-built, with exemplars in the wrong
//! bucket, NaN or out-of-order bounds) every exemplar in the OpenMetrics
//! text lies within its bucket, `(previous le, le]`; and through the real
//! SDK meter, one exemplar per bucket that received a sample inside a span.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::time::{Duration, UNIX_EPOCH};

use omniscope::metrics::{InstrumentKind, Key, MetricMeta, Unit};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_prometheus::{render, Format};
use omniscope_sdk::metrics::{Bucket, Exemplar, MetricFamily, MetricsSnapshot, SdkMeter, Series};
use omniscope_sdk::Resource;
use proptest::prelude::*;

/// `(le, exemplar value)` of every bucket line that carries an exemplar,
/// and the `le` of every bucket line, in order, per series.
fn bucket_lines(text: &str) -> Vec<Vec<(f64, Option<f64>)>> {
    let mut series: Vec<Vec<(f64, Option<f64>)>> = Vec::new();
    let mut last_labels = None;
    for line in text.lines().filter(|l| l.contains("_bucket{")) {
        let (sample, exemplar) = match line.split_once(" # ") {
            Some((s, e)) => (s, Some(e)),
            None => (line, None),
        };
        let le_at = sample.find("le=\"").unwrap() + 4;
        let le_text = &sample[le_at..le_at + sample[le_at..].find('"').unwrap()];
        let le = match le_text {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            other => other.parse().unwrap(),
        };
        let labels = sample[..sample.find("le=\"").unwrap()].to_owned();
        if last_labels.as_ref() != Some(&labels) {
            series.push(Vec::new());
            last_labels = Some(labels);
        }
        let value = exemplar.map(|e| {
            let after = e.split_once("} ").unwrap().1;
            let v = after.split(' ').next().unwrap();
            match v {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                "NaN" => f64::NAN,
                other => other.parse().unwrap(),
            }
        });
        series.last_mut().unwrap().push((le, value));
    }
    series
}

/// Panics unless every exemplar lies in `(previous le, le]` (the first
/// bucket's lower bound is `-Inf`, inclusive).
fn assert_in_own_bucket(text: &str) {
    for buckets in bucket_lines(text) {
        let mut previous = f64::NEG_INFINITY;
        for (le, exemplar) in buckets {
            if let Some(v) = exemplar {
                let above = v > previous || previous == f64::NEG_INFINITY;
                assert!(
                    above && v <= le,
                    "exemplar {v} is not within its bucket ({previous}, {le}]:\n{text}"
                );
            }
            previous = le;
        }
    }
}

#[test]
fn sdk_exemplars_are_one_per_bucket_that_got_a_sample() {
    let meter = SdkMeter::new();
    let meta = MetricMeta::new(Unit::SECONDS, "Request duration.");
    let h = meter.histogram(&Key::from_name("http.server.request.duration"), &meta);
    // Prometheus' default buckets: 0.005 … 10. Samples in spans fall into
    // the 0.01, 0.25 and +Inf buckets; one outside a span into 2.5.
    h.record(2.0);
    for (i, v) in [0.007, 0.2, 0.21, 42.0].into_iter().enumerate() {
        let cx = SpanContext::new(
            TraceId::from_u128(0xabc0 + i as u128),
            SpanId::from_u64(0x10 + i as u64),
            TraceFlags::SAMPLED,
        );
        let _guard = Context::new().with_remote_span(cx).attach();
        h.record(v);
    }
    let om = render(
        &meter.snapshot(),
        &Resource::new("svc"),
        Format::OpenMetrics,
    );
    common::check(&om, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{om}"));
    assert_in_own_bucket(&om);
    let with: Vec<(f64, f64)> = bucket_lines(&om)
        .concat()
        .into_iter()
        .filter_map(|(le, e)| Some((le, e?)))
        .collect();
    // The 0.25 bucket keeps its latest sample (0.21).
    assert_eq!(
        with,
        [(0.01, 0.007), (0.25, 0.21), (f64::INFINITY, 42.0)],
        "{om}"
    );
}

fn exemplar(value: f64) -> Exemplar {
    Exemplar::new(
        value,
        TraceId::from_u128(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736),
        SpanId::from_u64(0x00f0_67aa_0ba9_02b7),
        UNIX_EPOCH + Duration::from_secs(1_700_000_000),
    )
}

fn any_bound() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -100.0..100.0f64,
        1 => prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_exemplar_lies_within_its_bucket(
        buckets in prop::collection::vec(
            (any_bound(), 0u64..5, prop::option::of(any_bound())),
            1..12,
        ),
        sorted in any::<bool>(),
    ) {
        let mut buckets = buckets;
        if sorted {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
        }
        let buckets: Vec<Bucket> = buckets
            .into_iter()
            .map(|(le, count, e)| Bucket::new(le, count, e.map(exemplar)))
            .collect();
        let value = common::histogram(buckets, 1.0, 0.0, 1.0, vec![]);
        let mut snapshot = MetricsSnapshot::default();
        snapshot.families = vec![MetricFamily::new(
            "h",
            InstrumentKind::Histogram,
            Unit::NONE,
            "",
            vec![Series::new(common::key("h", &[]), value)],
        )];
        let om = render(&snapshot, &Resource::empty(), Format::OpenMetrics);
        assert_in_own_bucket(&om);
    }
}
