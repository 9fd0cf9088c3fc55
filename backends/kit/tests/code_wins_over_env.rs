//! Values set in code win over the environment.
#![cfg(feature = "console")]

use omniscope_kit::console::{Console, FileTarget, Format};
use omniscope_kit::sdk::trace::Sampler;
use omniscope_kit::{Backend, Signal};

#[test]
fn code_wins_over_env() {
    let dir = std::env::temp_dir().join(format!("omniscope-kit-code-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("out.log");
    let telemetry = omniscope_kit::builder()
        .with_service_name("from-code")
        .with_resource_attribute("deployment.environment.name", "code")
        .with_exporters(Signal::Logs, [Backend::Console])
        .with_exporters(Signal::Traces, [])
        .with_exporters(Signal::Metrics, [])
        .with_sampler(Sampler::AlwaysOn)
        .with_log_filter("debug")
        .with_console(
            Console::builder()
                .with_format(Format::Pretty)
                .with_target(FileTarget::new(&file)),
        )
        .from_env_with(|var| {
            let value = match var {
                "OTEL_SERVICE_NAME" => "from-env",
                "OTEL_RESOURCE_ATTRIBUTES" => "deployment.environment.name=env",
                "OTEL_LOGS_EXPORTER" => "none",
                "OTEL_TRACES_SAMPLER" => "always_off",
                "RUST_LOG" => "error",
                "OMNISCOPE_LOG_FORMAT" => "json",
                _ => return None,
            };
            Some(value.to_owned())
        })
        .without_panic_hook()
        .install()
        .unwrap();
    let resource = telemetry.sdk().unwrap().resource().clone();
    assert_eq!(resource.service_name(), "from-code");
    assert_eq!(
        resource.get("deployment.environment.name"),
        Some(&omniscope::OwnedValue::Str("code".into()))
    );
    assert!(
        telemetry.sdk().unwrap().tracer().is_none(),
        "traces: none in code"
    );
    omniscope::debug!("debug passes the code's filter");
    drop(telemetry);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("debug passes the code's filter"), "{text}");
    assert!(
        !text.trim_start().starts_with('{'),
        "pretty from code, not json: {text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
