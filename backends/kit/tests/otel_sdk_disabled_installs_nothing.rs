//! `OTEL_SDK_DISABLED=true` installs nothing: every call stays a no-op.

#[test]
fn otel_sdk_disabled_installs_nothing() {
    let telemetry = omniscope_kit::builder()
        .with_service_name("disabled")
        .from_env_with(|v| (v == "OTEL_SDK_DISABLED").then(|| "true".to_owned()))
        .install()
        .unwrap();
    assert!(telemetry.sdk().is_none());
    assert_eq!(telemetry.dashboard_url(), None);
    // Nothing was installed: a second install is not refused.
    let second = omniscope_kit::builder()
        .with_exporters(omniscope_kit::Signal::Traces, [])
        .with_exporters(omniscope_kit::Signal::Metrics, [])
        .with_exporters(omniscope_kit::Signal::Logs, [])
        .without_panic_hook()
        .install();
    assert!(second.is_ok(), "{:?}", second.err());
}
