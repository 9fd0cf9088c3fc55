use omniscope::metrics::{InstrumentKind, Key, Label, Unit};
use omniscope::OwnedValue;
use omniscope_sdk::metrics::{
    HistogramSnapshot, MetricFamily, MetricsSnapshot, Series, SeriesValue,
};
use proptest::prelude::*;

use super::*;

fn encoding(flavor: Flavor) -> Encoding {
    Encoding {
        flavor,
        histograms: match flavor {
            Flavor::Statsd => HistogramAs::Timer,
            Flavor::DogStatsd => HistogramAs::Distribution,
        },
        labels: LabelScheme::Pairs,
        prefix: String::new(),
        constant_tags: Vec::new(),
        unified_service_tags: true,
        multi_value: false,
        container_id: None,
        timestamps: false,
        max_samples: 64,
    }
}

fn snapshot(families: Vec<MetricFamily>) -> MetricsSnapshot {
    let mut s = MetricsSnapshot::default();
    s.families = families;
    s
}

fn family(name: &str, kind: InstrumentKind, unit: Unit, series: Vec<Series>) -> MetricFamily {
    MetricFamily::new(name, kind, unit, "", series)
}

fn series(name: &str, labels: &[(&str, &str)], value: SeriesValue) -> Series {
    let labels = labels
        .iter()
        .map(|(k, v)| Label::new(k.to_string(), v.to_string()))
        .collect();
    Series::new(Key::with_labels(name.to_owned(), labels), value)
}

fn histogram(count: u64, sum: f64, min: f64, max: f64) -> SeriesValue {
    let mut h = HistogramSnapshot::default();
    h.count = count;
    h.sum = sum;
    h.min = min;
    h.max = max;
    SeriesValue::Histogram(h)
}

fn lines(s: &MetricsSnapshot, resource: &Resource, e: &Encoding) -> Vec<String> {
    let mut out = Vec::new();
    encode(s, resource, e, |l| out.push(l.to_owned()));
    out
}

#[test]
fn plain_statsd_folds_labels_into_graphite_safe_names() {
    let s = snapshot(vec![
        family(
            "http.requests",
            InstrumentKind::Counter,
            Unit::NONE,
            vec![series(
                "http.requests",
                &[("status", "200"), ("method", "GET /x")],
                SeriesValue::Counter(3),
            )],
        ),
        family(
            "queue.depth",
            InstrumentKind::UpDownCounter,
            Unit::NONE,
            vec![series(
                "queue.depth",
                &[],
                SeriesValue::UpDownCounter {
                    value: -2,
                    high_water: 4,
                },
            )],
        ),
        family(
            "temp",
            InstrumentKind::Gauge,
            Unit::NONE,
            vec![series("temp", &[("room", "a.b")], SeriesValue::Gauge(21.5))],
        ),
    ]);
    let got = lines(&s, &Resource::new("svc"), &encoding(Flavor::Statsd));
    assert_eq!(
        got,
        [
            "http.requests.method.GET__x.status.200:3|c",
            "queue.depth:0|g",
            "queue.depth:-2|g",
            "temp.room.a_b:21.5|g",
        ]
    );
    let mut values = encoding(Flavor::Statsd);
    values.labels = LabelScheme::Values;
    values.prefix = "app".into();
    assert_eq!(
        lines(&s, &Resource::new("svc"), &values)[0],
        "app.http.requests.GET__x.200:3|c"
    );
}

#[test]
fn dogstatsd_tags_carry_labels_constant_and_unified_service_tags() {
    let s = snapshot(vec![family(
        "jobs",
        InstrumentKind::Counter,
        Unit::NONE,
        vec![series(
            "jobs",
            &[("queue", "a,b|c")],
            SeriesValue::Counter(2),
        )],
    )]);
    let resource = Resource::empty()
        .with(Resource::SERVICE_NAME, OwnedValue::Str("orders".into()))
        .with(Resource::SERVICE_VERSION, OwnedValue::Str("1.2".into()))
        .with(
            Resource::DEPLOYMENT_ENVIRONMENT,
            OwnedValue::Str("prod".into()),
        );
    let mut e = encoding(Flavor::DogStatsd);
    e.constant_tags = vec![("region".into(), "eu".into())];
    e.container_id = Some("abc".into());
    assert_eq!(
        lines(&s, &resource, &e),
        ["jobs:2|c|#region:eu,service:orders,env:prod,version:1.2,queue:a_b_c|c:abc"]
    );
    e.unified_service_tags = false;
    e.constant_tags.clear();
    e.container_id = None;
    assert_eq!(lines(&s, &resource, &e), ["jobs:2|c|#queue:a_b_c"]);
}

#[test]
fn histograms_rebuild_count_sum_min_and_max() {
    let s = snapshot(vec![family(
        "lat",
        InstrumentKind::Histogram,
        Unit::SECONDS,
        vec![series("lat", &[], histogram(4, 1.0, 0.1, 0.5))],
    )]);
    let got = lines(&s, &Resource::empty(), &encoding(Flavor::Statsd));
    assert_eq!(
        got,
        ["lat:100|ms", "lat:500|ms", "lat:200|ms", "lat:200|ms"]
    );
    let mut e = encoding(Flavor::DogStatsd);
    e.multi_value = true;
    assert_eq!(lines(&s, &Resource::empty(), &e), ["lat:0.1:0.5:0.2:0.2|d"]);
    e.multi_value = false;
    e.max_samples = 1;
    assert_eq!(
        lines(&s, &Resource::empty(), &e),
        ["lat:0.1|d", "lat:0.5|d", "lat:0.2|d|@0.5"]
    );
}

#[test]
fn non_finite_values_are_left_out_and_counted() {
    let s = snapshot(vec![family(
        "g",
        InstrumentKind::Gauge,
        Unit::NONE,
        vec![
            series("g", &[], SeriesValue::Gauge(f64::NAN)),
            series("g", &[("a", "b")], SeriesValue::Gauge(1.0)),
        ],
    )]);
    let mut out = Vec::new();
    let counts = encode(&s, &Resource::empty(), &encoding(Flavor::Statsd), |l| {
        out.push(l.to_owned())
    });
    assert_eq!(out, ["g.a.b:1|g"]);
    assert_eq!(counts.non_finite, 1);
}

fn any_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect())
}

proptest! {
    /// Whatever the names, labels and tags, each line is one well-formed
    /// statsd line: no newline, the name free of `:|@#`, tags free of
    /// their separators.
    #[test]
    fn lines_never_carry_separators_from_input(
        name in any_text(),
        labels in proptest::collection::vec((any_text(), any_text()), 0..4),
        prefix in any_text(),
        tag in (any_text(), any_text()),
        value in any::<f64>(),
        dog in any::<bool>(),
    ) {
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let s = snapshot(vec![family(
            &name,
            InstrumentKind::Gauge,
            Unit::NONE,
            vec![series(&name, &labels, SeriesValue::Gauge(value))],
        )]);
        let mut e = encoding(if dog { Flavor::DogStatsd } else { Flavor::Statsd });
        e.prefix = prefix;
        e.constant_tags = vec![tag];
        let resource = Resource::empty().with(Resource::SERVICE_NAME, OwnedValue::Str(name.clone()));
        for line in lines(&s, &resource, &e) {
            prop_assert!(!line.contains('\n') && !line.contains('\r'), "{line:?}");
            let (name_part, rest) = line.split_once(':').unwrap();
            prop_assert!(!name_part.contains(['|', '@', '#', ' ']), "{line:?}");
            prop_assert!(name_part.is_ascii(), "{line:?}");
            let fields: Vec<&str> = rest.split('|').collect();
            prop_assert!(fields[0].parse::<f64>().is_ok(), "{line:?}");
            prop_assert_eq!(fields[1], "g");
            match fields.get(2) {
                None => prop_assert_eq!(fields.len(), 2),
                Some(tags) => {
                    prop_assert!(dog);
                    prop_assert_eq!(fields.len(), 3, "{:?}", line);
                    let tags = tags.strip_prefix('#').unwrap();
                    for tag in tags.split(',') {
                        let (k, _) = tag.split_once(':').unwrap();
                        prop_assert!(!k.is_empty() && !tag.contains(['#', '@', ' ']), "{line:?}");
                    }
                }
            }
            if !dog {
                prop_assert!(!name_part.starts_with('.') && !name_part.contains(".."), "{line:?}");
            }
        }
    }
}

#[test]
fn two_samples_keep_the_sum_exact() {
    let s = snapshot(vec![family(
        "lat",
        InstrumentKind::Histogram,
        Unit::MILLISECONDS,
        vec![series("lat", &[], histogram(2, 40.0, 10.0, 29.888))],
    )]);
    assert_eq!(
        lines(&s, &Resource::empty(), &encoding(Flavor::Statsd)),
        ["lat:10|ms", "lat:30|ms"]
    );
}
