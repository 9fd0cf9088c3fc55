//! Log records and a final metrics snapshot go through the real SDK
//! pipelines (built, not installed) to one JSON-lines file, and read back
//! as what was recorded.

mod common;

use std::time::{Duration, Instant};

use omniscope::metrics::{Key, Meter as _, MetricMeta};
use omniscope_console::{Console, FileTarget, Format};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::{Resource, Sdk};
use serde_json::Value;

#[test]
fn json_lines_through_the_sdk() {
    let dir = common::TempDir::new();
    let path = dir.path().join("app.log");
    let console = Console::builder()
        .with_format(Format::Json)
        .with_target(FileTarget::new(&path))
        .build()
        .unwrap();
    let sdk = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(console.logs())),
        )
        .with_metric_exporter(
            Box::new(console.metrics()),
            Duration::from_secs(3600), // only the final collection, at shutdown
            Temporality::Cumulative,
        )
        .build()
        .unwrap();
    sdk.meter()
        .counter(&Key::from_name("orders_created_total"), &MetricMeta::EMPTY)
        .increment(3);
    let logger = sdk.logger().unwrap();
    omniscope::info!(logger: logger, "order created"; order.id = 42, total = 12.5, note = "a \"quoted\"\nnote");
    omniscope::debug!(logger: logger, "filtered out");
    omniscope::warn!(logger: logger, target: "orders::stock", "low stock"; left = 2_u64, reorder = true);
    sdk.shutdown(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let text = std::fs::read_to_string(&path).unwrap();
    let (metrics, lines): (Vec<Value>, Vec<Value>) = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .partition(|line| line["type"] == "metrics");
    assert_eq!((lines.len(), metrics.len()), (2, 1), "{text}");
    let orders = metrics[0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "orders_created_total")
        .unwrap();
    assert_eq!(orders["value"], 3);
    let created = &lines[0];
    assert_eq!(created["level"], "INFO");
    assert_eq!(created["message"], "order created");
    assert_eq!(created["target"], module_path!());
    assert_eq!(created["fields"]["order.id"], 42);
    assert_eq!(created["fields"]["total"], 12.5);
    assert_eq!(created["fields"]["note"], "a \"quoted\"\nnote");
    assert_eq!(created["resource"]["service.name"], "orders");
    assert!(created["timestamp"].as_str().unwrap().ends_with('Z'));
    let stock = &lines[1];
    assert_eq!(stock["level"], "WARN");
    assert_eq!(stock["target"], "orders::stock");
    assert_eq!(stock["fields"]["left"], 2);
    assert_eq!(stock["fields"]["reorder"], true);
    let stats = sdk.pipeline_stats();
    let logs = stats.iter().find(|s| s.signal == "logs").unwrap();
    assert_eq!(logs.exporter, "console");
    assert_eq!((logs.exported, logs.dropped.total()), (2, 0));
}
