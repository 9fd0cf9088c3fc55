//! Per-call-site rate limiting: a flood from one call site delivers at most
//! the limit, the suppressed count is reported exactly (one synthetic
//! record), and another call site is unaffected.

use std::time::{Duration, Instant};

use omniscope::{Level, Logger, Metadata, Record, SourceLocation, Value};
use omniscope_sdk::export::{InMemoryExporter, PipelineConfig};
use omniscope_sdk::logs::{SdkLogger, SUPPRESSED_FIELD};

const FLOOD: u64 = 10_000;
const LIMIT: u32 = 100;

fn log_at(logger: &SdkLogger, line: u32, n: u64) {
    let location = SourceLocation::new("orders::db", "src/db.rs", line);
    let metadata = Metadata::new(Level::Warn, "orders::db").with_location(&location);
    logger.log(&Record::new(
        metadata,
        format_args!("retrying query {n}"),
        &[],
    ));
}

#[test]
fn a_flood_is_cut_at_the_limit_and_the_rest_counted_exactly() {
    let (exporter, received) = InMemoryExporter::new();
    // One window for the whole test (no wall-clock dependence): an hour.
    let logger = SdkLogger::builder()
        .with_rate_limit(LIMIT, Duration::from_secs(3600))
        .with_pipeline_config(PipelineConfig::for_signal("logs").with_queue_capacity(100_000))
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();

    for n in 0..FLOOD {
        log_at(&logger, 10, n);
        if n % 1000 == 0 {
            log_at(&logger, 20, n); // another call site, 10 records
        }
    }
    assert_eq!(logger.suppressed_total(), FLOOD - u64::from(LIMIT));
    logger
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();

    let logs = received.take();
    let from = |line: u32| {
        logs.iter()
            .filter(move |l| l.location.as_ref().map(|loc| loc.2) == Some(line))
            .filter(|l| l.fields.get(SUPPRESSED_FIELD).is_none())
            .count()
    };
    assert_eq!(from(10), LIMIT as usize);
    assert_eq!(from(20), 10);
    let reports: Vec<_> = logs
        .iter()
        .filter(|l| l.fields.get(SUPPRESSED_FIELD).is_some())
        .collect();
    assert_eq!(reports.len(), 1, "{reports:?}");
    let report = reports[0];
    let suppressed = FLOOD - u64::from(LIMIT);
    assert!(matches!(report.fields.get(SUPPRESSED_FIELD), Some(Value::U64(n)) if n == suppressed));
    assert_eq!(
        report.message,
        format!("{suppressed} similar records suppressed")
    );
    assert_eq!(report.level, Level::Warn);
    assert_eq!(report.target, "orders::db");
    let location = report.location.as_ref().unwrap();
    assert_eq!((location.1.as_ref(), location.2), ("src/db.rs", 10));
    // The first records got through, in order.
    assert_eq!(logs[0].message, "retrying query 0");

    // The count is reported once: a second flush reports nothing new, and
    // the still-open window keeps suppressing (and counting) the site.
    log_at(&logger, 10, FLOOD);
    logger
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();
    let later = received.take();
    assert_eq!(later.len(), 1);
    assert!(matches!(
        later[0].fields.get(SUPPRESSED_FIELD),
        Some(Value::U64(1))
    ));
    assert_eq!(logger.suppressed_total(), suppressed + 1);
}

#[test]
fn the_count_is_reported_when_the_site_logs_in_a_new_window() {
    let (exporter, received) = InMemoryExporter::new();
    // A window short enough to pass inside the test; the test waits for it
    // to pass rather than asserting any timing.
    let window = Duration::from_millis(20);
    let logger = SdkLogger::builder()
        .with_rate_limit(2, window)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    let start = Instant::now();
    for n in 0..5 {
        log_at(&logger, 30, n);
    }
    let suppressed_in_window = logger.suppressed_total();
    std::thread::sleep(window.saturating_sub(start.elapsed()) + Duration::from_millis(5));
    log_at(&logger, 30, 99);
    logger
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();
    let messages: Vec<String> = received.take().into_iter().map(|l| l.message).collect();
    // All 5 may have landed in one window (3 suppressed) or, on a very slow
    // machine, in two; either way the report precedes the next record and
    // the counts add up.
    assert_eq!(
        messages.last().map(String::as_str),
        Some("retrying query 99")
    );
    let reports: Vec<u64> = messages
        .iter()
        .filter_map(|m| m.strip_suffix(" similar records suppressed"))
        .map(|n| n.parse::<u64>().unwrap())
        .collect();
    assert_eq!(reports.iter().sum::<u64>(), suppressed_in_window);
    assert_eq!(logger.suppressed_total(), suppressed_in_window);
    assert_eq!(
        messages.len() as u64,
        6 - suppressed_in_window + reports.len() as u64
    );
}

#[test]
fn zero_limits_are_rejected_and_limiting_can_be_turned_off() {
    let (exporter, _) = InMemoryExporter::new();
    let error = SdkLogger::builder()
        .with_rate_limit(0, Duration::from_secs(1))
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("without_rate_limit"), "{error}");
    let (exporter, _) = InMemoryExporter::new();
    let error = SdkLogger::builder()
        .with_rate_limit(5, Duration::ZERO)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap_err();
    assert!(error.to_string().contains("window is 0"), "{error}");

    let (exporter, received) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .without_rate_limit()
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    for n in 0..3000 {
        log_at(&logger, 40, n);
    }
    logger
        .flush(Instant::now() + Duration::from_secs(30))
        .unwrap();
    assert_eq!(received.len(), 3000);
    assert_eq!(logger.suppressed_total(), 0);
}
