//! `with_log_bridge()`: the `log` records of a library reach the kit's
//! backends with their key-values typed, inside the application's span,
//! filtered by the kit's log filter; `log`'s level follows it.
#![cfg(all(feature = "log", feature = "console"))]

use std::error::Error;
use std::fmt;

use omniscope_kit::console::{Console, FileTarget, Format};
use omniscope_kit::Signal;

/// A library that logs through `log`, with key-values, as a dependency does.
mod payments {
    use super::{Declined, Insufficient};

    pub(crate) fn charge(amount: f64, attempt: u64) {
        log::info!(
            amount, attempt, approved = false, card = "visa", cause:err = Declined(Insufficient);
            "charge declined"
        );
        log::debug!("below the kit's level");
        log::warn!(target: "noisy", "below its target's level");
    }
}

#[derive(Debug)]
struct Declined(Insufficient);
#[derive(Debug)]
struct Insufficient;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("card declined")
    }
}

impl fmt::Display for Insufficient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("insufficient funds")
    }
}

impl Error for Declined {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

impl Error for Insufficient {}

#[test]
fn log_records_of_a_library_join_the_trace() {
    let dir = std::env::temp_dir().join(format!("omniscope-kit-log-{}", std::process::id()));
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
        .with_log_filter("info,noisy=error")
        .with_log_bridge()
        .without_panic_hook()
        .install()
        .unwrap();
    assert_eq!(log::max_level(), log::LevelFilter::Info);
    {
        let _span = omniscope::span!("handle_order");
        payments::charge(12.5, 2);
    }
    drop(telemetry);

    let text = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let logs: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l.get("message").is_some())
        .collect();
    assert_eq!(logs.len(), 1, "{text}");
    let log = logs[0];
    assert_eq!(log["message"], "charge declined", "{text}");
    assert_eq!(log["target"], module_path!().to_owned() + "::payments");
    let fields = &log["fields"];
    assert_eq!(fields["amount"], 12.5, "{text}");
    assert_eq!(fields["attempt"], 2, "{text}");
    assert_eq!(fields["approved"], false, "{text}");
    assert_eq!(fields["card"], "visa", "{text}");
    // The console writes an error field's own message (omniscope-log's
    // tests check that the chain reaches the logger).
    assert_eq!(fields["cause"], "card declined", "{text}");
    let span = lines
        .iter()
        .find(|l| l.get("name").and_then(|n| n.as_str()) == Some("handle_order"))
        .unwrap_or_else(|| panic!("no span line in {text}"));
    assert_eq!(log["trace_id"], span["trace_id"], "{text}");
    assert_eq!(log["span_id"], span["span_id"], "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
