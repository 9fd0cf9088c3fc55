//! Regression test for issue #11: a log record whose message argument or
//! field panics while formatted is not lost (it was, uncounted): it is
//! delivered with the placeholder, as spans are, and the panic is counted.

use std::fmt;
use std::time::{Duration, Instant};

use omniscope::Value;
use omniscope_sdk::attributes::{format_panics, PANICKED_WHILE_FORMATTING};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;

/// Formatting it panics.
struct Panics;

impl fmt::Display for Panics {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        panic!("Display of Panics");
    }
}

#[test]
fn panicking_values_are_recorded_as_the_placeholder() {
    let (exporter, received) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();

    omniscope::info!(logger: &logger, "order {} failed", Panics; id = 7);
    omniscope::info!(logger: &logger, "field"; bad = %Panics, id = 8);
    let long = "x".repeat(100);
    omniscope::info!(logger: &logger, "{long} {}", Panics);

    logger
        .shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let logs = received.items();
    assert_eq!(logs.len(), 3, "no record lost");
    assert_eq!(
        logs[0].message,
        format!("order {PANICKED_WHILE_FORMATTING}")
    );
    assert!(matches!(logs[0].fields.get("id"), Some(Value::I64(7))));
    assert_eq!(logs[1].message, "field");
    assert_eq!(
        logs[1].fields.get("bad").and_then(|v| v.as_str()),
        Some(PANICKED_WHILE_FORMATTING)
    );
    assert!(matches!(logs[1].fields.get("id"), Some(Value::I64(8))));
    assert_eq!(
        logs[2].message,
        format!("{long} {PANICKED_WHILE_FORMATTING}")
    );
    assert_eq!(format_panics(), 3, "each panic counted");
    for stats in logger.pipeline_stats() {
        assert_eq!(stats.exported + stats.dropped.total(), 3, "{stats:?}");
    }
    assert_eq!(logger.lost_total(), 0);
}
