//! Installed as the global logger, the SDK logger sets the facade's level
//! from its directives, and applies per-target filters to records the
//! macros send.

use std::time::{Duration, Instant};

use omniscope::{Level, LevelFilter};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::logs::SdkLogger;

#[test]
fn the_global_level_and_per_target_filters_follow_the_directives() {
    let (exporter, received) = InMemoryExporter::new();
    let logger = SdkLogger::builder()
        .with_filter("warn,orders::db=debug")
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    omniscope::set_logger(logger.clone()).unwrap();
    assert_eq!(omniscope::max_level(), LevelFilter::Debug);
    if omniscope::STATIC_MAX_LEVEL < LevelFilter::Debug {
        return; // levels compiled out (max_level_* features)
    }

    omniscope::debug!(target: "orders::db::pool", "kept"; password = "hunter2");
    omniscope::debug!(target: "orders", "dropped: orders is at warn");
    omniscope::trace!(target: "orders::db", "dropped by the global level");
    omniscope::warn!("kept too");
    assert!(omniscope::log_enabled!(target: "orders::db", Level::Debug));
    assert!(!omniscope::log_enabled!(target: "orders::api", Level::Info));

    logger
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let logs = received.take();
    let messages: Vec<&str> = logs.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(messages, ["kept", "kept too"]);
    assert_eq!(
        logs[0].fields.get("password").and_then(|v| v.as_str()),
        Some("[REDACTED]")
    );
    assert_eq!(logs[1].target, module_path!());
    let location = logs[1].location.as_ref().unwrap();
    assert_eq!(location.0, module_path!());
    assert_eq!(location.1, file!());
}
