//! With the SDK installed as the global, logs, spans and errors share one
//! pretty file; each record is one line, linked by the trace id.

mod common;

use std::time::Duration;

use omniscope_console::{ColorChoice, Console, FileTarget};
use omniscope_sdk::errors::SdkErrors;
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

#[derive(Debug)]
struct PaymentError;

impl std::fmt::Display for PaymentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("card declined")
    }
}

impl std::error::Error for PaymentError {}

#[test]
fn install_writes_every_signal_to_one_file() {
    let dir = common::TempDir::new();
    let path = dir.path().join("app.log");
    let console = Console::builder()
        .with_color(ColorChoice::Never)
        .with_target(FileTarget::new(&path))
        .build()
        .unwrap();
    let guard = Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(
            SdkTracer::builder()
                .with_sampler(Sampler::AlwaysOn)
                .with_exporter(Box::new(console.spans())),
        )
        .with_logger(
            SdkLogger::builder()
                .with_filter("info")
                .with_exporter(Box::new(console.logs())),
        )
        .with_errors(SdkErrors::builder().with_reporter(Box::new(console.errors())))
        .with_shutdown_timeout(Duration::from_secs(10))
        .install()
        .unwrap();

    let trace_id = {
        let checkout = omniscope::span!("checkout", amount = 12.5);
        omniscope::info!("order created"; order.id = 42);
        omniscope::handle_error!(&PaymentError; order.id = 42);
        checkout.context().unwrap().trace_id()
    };
    drop(guard); // flushes every pipeline

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    let find = |needle: &str| {
        lines
            .iter()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?} in\n{text}"))
    };
    let trace = format!("trace={trace_id}");
    let log = find(" INFO ");
    assert!(
        log.ends_with(&format!("  order created  order.id=42  {trace}")),
        "{log}"
    );
    let span = find(" SPAN ");
    assert!(span.contains("  checkout "), "{span}");
    assert!(
        span.contains(&format!("  amount=12.5  {trace} span=")),
        "{span}"
    );
    let error = find("ERROR PaymentError  card declined  order.id=42 at=");
    assert!(error.ends_with(&trace), "{error}");
}
