//! Snapshots group series by metric name: the same key from several call
//! sites is one series, labels in any order are one series, and unit and
//! description pass through.

use omniscope::metrics::{InstrumentKind, Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

#[test]
fn one_family_per_name_one_series_per_label_set() {
    let meter = SdkMeter::new();
    let web = [Label::new("channel", "web")];
    let app = [Label::new("channel", "app")];
    // Two call sites, same key.
    let site_a = meter.counter(&Key::new("orders_total", &web), &MetricMeta::EMPTY);
    let site_b = meter.counter(&Key::new("orders_total", &web), &MetricMeta::EMPTY);
    let site_c = meter.counter(&Key::new("orders_total", &app), &MetricMeta::EMPTY);
    site_a.increment(1);
    site_b.increment(2);
    site_c.increment(4);
    meter
        .counter(&Key::from_name("alpha_total"), &MetricMeta::EMPTY)
        .increment(1);

    let snap = meter.snapshot();
    let names: Vec<&str> = snap.families.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["alpha_total", "orders_total"], "sorted by name");
    let family = snap.family("orders_total").unwrap();
    assert_eq!(family.kind, InstrumentKind::Counter);
    assert_eq!(family.series.len(), 2);
    assert_eq!(
        family.series[0].key.to_string(),
        "orders_total{channel=\"web\"}",
        "registration order"
    );
    assert_eq!(
        snap.series("orders_total", &[("channel", "web")])
            .unwrap()
            .value,
        SeriesValue::Counter(3)
    );
    assert_eq!(
        snap.series("orders_total", &[("channel", "app")])
            .unwrap()
            .value,
        SeriesValue::Counter(4)
    );
    assert_eq!(
        snap.temporality,
        omniscope_sdk::metrics::Temporality::Cumulative
    );
    assert!(snap.start_time.unwrap() <= snap.time.unwrap());
}

#[test]
fn label_order_does_not_split_series() {
    let meter = SdkMeter::new();
    let ab = [Label::new("a", "1"), Label::new("b", "2")];
    let ba = [Label::new("b", "2"), Label::new("a", "1")];
    meter
        .counter(&Key::new("c", &ab), &MetricMeta::EMPTY)
        .increment(1);
    meter
        .counter(&Key::new("c", &ba), &MetricMeta::EMPTY)
        .increment(1);
    let snap = meter.snapshot();
    assert_eq!(snap.family("c").unwrap().series.len(), 1);
    assert_eq!(
        snap.series("c", &[("b", "2"), ("a", "1")]).unwrap().value,
        SeriesValue::Counter(2)
    );
}

#[test]
fn unit_and_description_pass_through() {
    let meter = SdkMeter::new();
    let meta = MetricMeta::new(Unit::SECONDS, "time to handle a request");
    meter
        .histogram(&Key::from_name("request_duration"), &meta)
        .record(0.1);
    // A later registration without meta (a dynamic call site) keeps it; one
    // with meta fills in a family registered without.
    meter
        .histogram(&Key::from_name("request_duration"), &MetricMeta::EMPTY)
        .record(0.2);
    meter
        .gauge(&Key::from_name("queue"), &MetricMeta::EMPTY)
        .set(1.0);
    meter
        .gauge(
            &Key::from_name("queue"),
            &MetricMeta::new(Unit::COUNT, "queued jobs"),
        )
        .set(2.0);

    let snap = meter.snapshot();
    let f = snap.family("request_duration").unwrap();
    assert_eq!(
        (f.unit, f.description.as_str()),
        (Unit::SECONDS, "time to handle a request")
    );
    assert_eq!(f.kind, InstrumentKind::Histogram);
    let q = snap.family("queue").unwrap();
    assert_eq!(
        (q.unit, q.description.as_str()),
        (Unit::COUNT, "queued jobs")
    );
    assert_eq!(
        snap.series("queue", &[]).unwrap().value,
        SeriesValue::Gauge(2.0)
    );
}

#[test]
fn a_name_keeps_its_first_kind() {
    let meter = SdkMeter::new();
    meter
        .counter(&Key::from_name("x"), &MetricMeta::EMPTY)
        .increment(1);
    let wrong = meter.histogram(&Key::from_name("x"), &MetricMeta::EMPTY);
    assert!(wrong.is_noop());
    wrong.record(1.0);
    assert!(meter
        .gauge(&Key::from_name("x"), &MetricMeta::EMPTY)
        .is_noop());
    let snap = meter.snapshot();
    assert_eq!(snap.family("x").unwrap().kind, InstrumentKind::Counter);
    assert_eq!(
        snap.series("omniscope.metric.kind_conflicts", &[("metric", "x")])
            .unwrap()
            .value,
        SeriesValue::Counter(2)
    );
}

#[test]
fn histogram_buckets_are_per_metric() {
    let meter = SdkMeter::builder()
        .with_histogram_buckets("size_bytes", vec![100.0, 1000.0])
        .with_default_buckets(vec![1.0])
        .build()
        .unwrap();
    meter
        .histogram(&Key::from_name("size_bytes"), &MetricMeta::EMPTY)
        .record(500.0);
    meter
        .histogram(&Key::from_name("other"), &MetricMeta::EMPTY)
        .record(0.5);
    let snap = meter.snapshot();
    let bounds = |name| match &snap.series(name, &[]).unwrap().value {
        SeriesValue::Histogram(h) => h
            .buckets
            .iter()
            .map(|b| (b.upper_bound, b.count))
            .collect::<Vec<_>>(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        bounds("size_bytes"),
        [(100.0, 0), (1000.0, 1), (f64::INFINITY, 0)]
    );
    assert_eq!(bounds("other"), [(1.0, 1), (f64::INFINITY, 0)]);

    let default = SdkMeter::new();
    default
        .histogram(&Key::from_name("d"), &MetricMeta::EMPTY)
        .record(0.3);
    match &default.snapshot().series("d", &[]).unwrap().value {
        SeriesValue::Histogram(h) => {
            let uppers: Vec<f64> = h.buckets.iter().map(|b| b.upper_bound).collect();
            assert_eq!(
                uppers,
                [
                    0.005,
                    0.01,
                    0.025,
                    0.05,
                    0.1,
                    0.25,
                    0.5,
                    1.0,
                    2.5,
                    5.0,
                    10.0,
                    f64::INFINITY
                ]
            );
            assert_eq!(h.buckets[6].count, 1, "0.3 falls in le=0.5");
        }
        other => panic!("{other:?}"),
    }
}

/// Issue #13: the HTTP and RPC duration histograms get the buckets their
/// semantic conventions advise, from `SdkMeter::new` and the builder alike,
/// unless the builder names them.
#[test]
fn http_and_rpc_durations_have_the_advised_buckets() {
    use omniscope_sdk::metrics::{HTTP_DURATION_BUCKETS, RPC_DURATION_BUCKETS};

    let uppers = |meter: &SdkMeter, name: &str| {
        meter
            .histogram(&Key::from_name(name), &MetricMeta::EMPTY)
            .record(0.3);
        match &meter.snapshot().series(name, &[]).unwrap().value {
            SeriesValue::Histogram(h) => {
                h.buckets.iter().map(|b| b.upper_bound).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        }
    };
    let built = SdkMeter::builder().build().unwrap();
    for meter in [&SdkMeter::new(), &built] {
        let http = uppers(meter, "http.server.request.duration");
        assert_eq!(http[..http.len() - 1], HTTP_DURATION_BUCKETS);
        let client = uppers(meter, "http.client.request.duration");
        assert_eq!(client[..client.len() - 1], HTTP_DURATION_BUCKETS);
        let rpc = uppers(meter, "rpc.server.duration");
        assert_eq!(rpc[..rpc.len() - 1], RPC_DURATION_BUCKETS);
    }
    let named = SdkMeter::builder()
        .with_histogram_buckets("http.server.request.duration", vec![1.0])
        .build()
        .unwrap();
    assert_eq!(
        uppers(&named, "http.server.request.duration"),
        [1.0, f64::INFINITY]
    );
}
