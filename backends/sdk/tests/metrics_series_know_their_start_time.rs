//! Regression test for issue #12 (item 5): every series of a snapshot says
//! since when it counts, so that exporters can write OpenMetrics'
//! `_created` samples and OTLP start times per series: a cumulative
//! snapshot gives the time the series was registered, a delta snapshot the
//! start of its interval (or the registration, when later).

use std::time::SystemTime;

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::SdkMeter;

#[test]
fn series_start_when_registered() {
    let meter = SdkMeter::new();
    let mut reader = meter.delta_reader();
    let early = SystemTime::now();
    meter
        .counter(&Key::from_name("early"), &MetricMeta::EMPTY)
        .increment(1);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let between = SystemTime::now();
    meter
        .histogram(&Key::from_name("late"), &MetricMeta::EMPTY)
        .record(1.0);
    let after = SystemTime::now();

    let snapshot = meter.snapshot();
    let start = |name: &str| snapshot.series(name, &[]).unwrap().start_time.unwrap();
    assert!(early <= start("early") && start("early") <= between);
    assert!(between <= start("late") && start("late") <= after);
    assert!(snapshot.start_time.unwrap() <= start("early"));

    // A delta: the first interval starts at the registration; the next one
    // where the previous collection ended.
    let first = reader.collect();
    let late = first.series("late", &[]).unwrap().start_time.unwrap();
    assert_eq!(late, start("late"));
    meter
        .counter(&Key::from_name("early"), &MetricMeta::EMPTY)
        .increment(1);
    let second = reader.collect();
    assert_eq!(
        second.series("early", &[]).unwrap().start_time,
        first.time,
        "the interval starts where the previous collection ended"
    );
}
