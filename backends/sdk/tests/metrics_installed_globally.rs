//! `SdkMeter` installed with `omniscope::set_meter` receives the facade's
//! macros, including call sites that ran before the install (late binding)
//! and dynamic labels. One install per process: this file is its own test.

use omniscope::metrics::{Key, MetricMeta, Unit};
use omniscope_sdk::metrics::{SdkMeter, SeriesValue};

fn record(method: &str) {
    omniscope::counter!("requests_total", "method" => method).increment(1);
}

#[test]
fn macros_record_into_the_installed_meter() {
    // Before install: nothing recorded, nothing breaks.
    omniscope::counter!("early_total").increment(100);
    omniscope::metrics::observe_gauge(
        &Key::from_name("pending_gauge"),
        &MetricMeta::new(Unit::BYTES, "heap"),
        Box::new(|| 64.0),
    );

    let meter = SdkMeter::new();
    omniscope::set_meter(meter.clone()).unwrap();

    for _ in 0..3 {
        omniscope::counter!("early_total").increment(1);
        omniscope::counter!("orders_created_total", "channel" => "web").increment(2);
        omniscope::histogram!("request_duration_seconds", "route" => "/orders").record(0.012);
        omniscope::gauge!("temperature").set(21.0);
        omniscope::up_down_counter!("connections").add(1);
    }
    let method = String::from("GET");
    record(&method);
    record(&method);
    record("POST");

    let snap = meter.snapshot();
    assert_eq!(
        snap.series("early_total", &[]).unwrap().value,
        SeriesValue::Counter(3)
    );
    assert_eq!(
        snap.series("orders_created_total", &[("channel", "web")])
            .unwrap()
            .value,
        SeriesValue::Counter(6)
    );
    assert_eq!(
        snap.series("requests_total", &[("method", "GET")])
            .unwrap()
            .value,
        SeriesValue::Counter(2)
    );
    assert_eq!(
        snap.series("requests_total", &[("method", "POST")])
            .unwrap()
            .value,
        SeriesValue::Counter(1)
    );
    match &snap
        .series("request_duration_seconds", &[("route", "/orders")])
        .unwrap()
        .value
    {
        SeriesValue::Histogram(h) => assert_eq!((h.count, h.buckets[2].count), (3, 3)),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        snap.series("temperature", &[]).unwrap().value,
        SeriesValue::Gauge(21.0)
    );
    assert_eq!(
        snap.series("connections", &[]).unwrap().value,
        SeriesValue::UpDownCounter {
            value: 3,
            high_water: 3
        }
    );
    // A gauge callback registered before the install is handed over.
    let pending = snap.family("pending_gauge").unwrap();
    assert_eq!(pending.unit, Unit::BYTES);
    assert_eq!(pending.series[0].value, SeriesValue::Gauge(64.0));
}
