//! `with_tracing_bridge()`: the `tracing` spans and events of a library
//! reach the kit's backends, nested with the application's omniscope spans
//! in one trace, events filtered by the kit's log filter.
#![cfg(all(feature = "tracing", feature = "console"))]

use omniscope_kit::console::{Console, FileTarget, Format};
use omniscope_kit::Signal;

/// A library that emits through `tracing`, as hyper or sqlx do.
mod db {
    pub(crate) fn query(rows: u64) {
        let _query = tracing::info_span!("query", db.rows = rows).entered();
        tracing::info!(rows, cached = false, "rows fetched");
        tracing::debug!("below the kit's level");
    }
}

#[test]
fn tracing_spans_and_events_of_a_library_join_the_trace() {
    let dir = std::env::temp_dir().join(format!("omniscope-kit-tracing-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.jsonl");
    let telemetry = omniscope_kit::builder()
        .with_exporters(Signal::Traces, [omniscope_kit::Backend::Console])
        .with_exporters(Signal::Logs, [omniscope_kit::Backend::Console])
        .with_exporters(Signal::Metrics, [])
        .with_console(
            Console::builder()
                .with_format(Format::Json)
                .with_target(FileTarget::new(&file)),
        )
        .with_log_filter("info")
        .with_tracing_bridge()
        .without_panic_hook()
        .install()
        .unwrap();
    {
        let _span = omniscope::span!("handle_order");
        db::query(3);
    }
    drop(telemetry);

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let named = |name: &str| {
        lines
            .iter()
            .find(|l| l.get("name").and_then(|n| n.as_str()) == Some(name))
            .unwrap_or_else(|| panic!("no span {name} in {text}"))
    };
    let (handle, query) = (named("handle_order"), named("query"));
    assert_eq!(query["trace_id"], handle["trace_id"], "{text}");
    assert_eq!(query["parent_span_id"], handle["span_id"], "{text}");
    let logs: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("message").is_some())
        .collect();
    assert_eq!(logs.len(), 1, "{text}");
    let log = logs[0];
    assert_eq!(log["message"], "rows fetched", "{text}");
    assert_eq!(log["target"], module_path!().to_owned() + "::db");
    assert_eq!(log["fields"]["rows"], 3, "{text}");
    assert_eq!(log["fields"]["cached"], false, "{text}");
    assert_eq!(log["span_id"], query["span_id"], "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
