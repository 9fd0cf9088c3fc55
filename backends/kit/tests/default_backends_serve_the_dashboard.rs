//! With nothing chosen, every compiled-in backend takes its default
//! signals: the dashboard serves the spans, logs and metrics recorded.
#![cfg(feature = "present")]

use omniscope_kit::present::Present;
use omniscope_tests::http::get_json;

#[test]
fn default_backends_serve_the_dashboard() {
    let telemetry = omniscope_kit::builder()
        .with_service_name("kit-test")
        .with_present(Present::builder().with_addr("127.0.0.1:0".parse().unwrap()))
        .without_panic_hook()
        .install()
        .unwrap();
    let url = telemetry
        .dashboard_url()
        .expect("the dashboard runs by default");
    let addr = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .unwrap();
    {
        let _span = omniscope::span!("kit_work");
        omniscope::info!("recorded through the kit");
        omniscope::counter!("kit_items_total").increment(3);
    }
    let sdk = telemetry.sdk().unwrap();
    sdk.flush(std::time::Instant::now() + std::time::Duration::from_secs(5))
        .unwrap();

    let traces = get_json(addr, "/api/traces");
    assert!(
        traces["recent"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["root"] == "kit_work"),
        "{traces}"
    );
    let logs = get_json(addr, "/api/logs");
    assert!(
        logs.to_string().contains("recorded through the kit"),
        "{logs}"
    );
    let metrics = get_json(addr, "/api/metrics");
    assert!(metrics.to_string().contains("kit_items_total"), "{metrics}");
    assert!(
        metrics
            .to_string()
            .contains("process_resident_memory_bytes"),
        "process metrics are registered: {metrics}"
    );
}
