//! Issue #15: with the `sentry` feature, setting `SENTRY_DSN` alone sends
//! handled errors and panics to Sentry (a real Bugsink) in addition to the
//! logs backends chosen otherwise (here the console); dropping the guard
//! delivers what is queued.
#![cfg(all(feature = "sentry", feature = "console"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::Duration;

use omniscope_tests::sentry_server::{assert_normalized_as_sent, SentryServer};

#[derive(Debug)]
struct PaymentFailed;

impl std::fmt::Display for PaymentFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("payment failed")
    }
}
impl std::error::Error for PaymentFailed {}

#[test]
fn sentry_dsn_alone_adds_sentry_for_errors() {
    let server = SentryServer::start();
    let vars: HashMap<&str, String> = HashMap::from([
        ("SENTRY_DSN", server.dsn().to_owned()),
        ("SENTRY_ENVIRONMENT", "staging".to_owned()),
        ("OTEL_LOGS_EXPORTER", "console".to_owned()),
        ("OTEL_TRACES_EXPORTER", "none".to_owned()),
        ("OTEL_METRICS_EXPORTER", "none".to_owned()),
    ]);
    let guard = omniscope_kit::builder()
        .with_service_name("orders")
        .with_service_version("2.0.0")
        .with_shutdown_timeout(Duration::from_secs(10))
        .from_env_with(move |k| vars.get(k).cloned())
        .install()
        .unwrap();

    omniscope::info!("charging the card");
    omniscope::handle_error(&PaymentFailed);
    let worker = std::thread::Builder::new()
        .name("worker".into())
        .spawn(|| panic!("ledger corrupted"))
        .unwrap();
    assert!(worker.join().is_err());

    let exporters: Vec<String> = guard
        .sdk()
        .unwrap()
        .pipeline_stats()
        .into_iter()
        .filter(|s| s.signal == "errors")
        .map(|s| s.exporter)
        .collect();
    assert!(exporters.contains(&"sentry".to_owned()), "{exporters:?}");
    assert!(exporters.contains(&"console".to_owned()), "{exporters:?}");
    drop(guard);

    let events = server.wait_for_events(2);
    let handled = events
        .iter()
        .find(|e| e["exception"]["values"][0]["type"] == "PaymentFailed")
        .unwrap_or_else(|| panic!("no PaymentFailed: {events:#?}"));
    assert_eq!(handled["environment"], "staging");
    assert_eq!(handled["release"], "2.0.0");
    assert_eq!(
        handled["breadcrumbs"]["values"][0]["message"],
        "charging the card"
    );
    let panic = events
        .iter()
        .find(|e| e["level"] == "fatal")
        .unwrap_or_else(|| panic!("no panic: {events:#?}"));
    assert_eq!(
        panic["exception"]["values"][0]["value"],
        "panicked: ledger corrupted"
    );
    assert_normalized_as_sent(&events);
}
