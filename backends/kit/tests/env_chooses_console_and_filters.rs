//! `OTEL_*` variables and `RUST_LOG` choose backends, filter logs and name
//! the service, when code leaves them unset.
#![cfg(feature = "console")]

use std::collections::HashMap;

use omniscope_kit::console::{Console, FileTarget};

#[test]
fn env_chooses_console_and_filters() {
    let dir = std::env::temp_dir().join(format!("omniscope-kit-env-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.jsonl");
    let vars: HashMap<&str, &str> = [
        ("OTEL_SERVICE_NAME", "from-env"),
        (
            "OTEL_RESOURCE_ATTRIBUTES",
            "deployment.environment.name=test,team=a%20b",
        ),
        ("OTEL_TRACES_EXPORTER", "console"),
        ("OTEL_METRICS_EXPORTER", "none"),
        ("OTEL_LOGS_EXPORTER", "console"),
        ("OTEL_TRACES_SAMPLER", "always_on"),
        ("RUST_LOG", "warn,kept::target=debug"),
        ("OMNISCOPE_LOG_FORMAT", "json"),
    ]
    .into_iter()
    .collect();
    let telemetry = omniscope_kit::builder()
        .from_env_with(move |var| vars.get(var).map(|v| (*v).to_owned()))
        .with_console(Console::builder().with_target(FileTarget::new(&file)))
        .without_panic_hook()
        .install()
        .unwrap();
    assert_eq!(telemetry.dashboard_url(), None, "no signal chose present");
    let resource = telemetry.sdk().unwrap().resource().clone();
    assert_eq!(resource.service_name(), "from-env");
    assert!(resource.get("deployment.environment.name").is_some());
    {
        let _span = omniscope::span!("handle");
        omniscope::info!("dropped by RUST_LOG");
        omniscope::warn!("kept"; attempt = 2);
        omniscope::debug!(target: "kept::target", "kept by its directive");
    }
    drop(telemetry);

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.get("message").and_then(|m| m.as_str()))
        .collect();
    assert!(messages.contains(&"kept"), "{text}");
    assert!(messages.contains(&"kept by its directive"), "{text}");
    assert!(!messages.contains(&"dropped by RUST_LOG"), "{text}");
    let span = lines
        .iter()
        .find(|l| l.get("type").and_then(|t| t.as_str()) == Some("span"))
        .unwrap_or_else(|| panic!("no span line in {text}"));
    let log = lines
        .iter()
        .find(|l| l.get("message").and_then(|m| m.as_str()) == Some("kept"))
        .unwrap();
    assert_eq!(span["trace_id"], log["trace_id"], "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
