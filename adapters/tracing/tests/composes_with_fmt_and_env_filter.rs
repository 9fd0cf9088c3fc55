//! The layer composes with `fmt` and `EnvFilter`: what the filter lets
//! through reaches both `fmt`'s output and omniscope, and what it stops
//! reaches neither; `tracing::Span::current()` still works.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::EnvFilter;

/// `fmt`'s output, kept for the assertions.
#[derive(Clone, Default)]
struct Output(Arc<Mutex<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn fmt_env_filter_and_the_layer_share_one_registry() {
    let telemetry = common::install("trace");
    let output = Output::default();
    let writer = output.clone();
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("info,noisy=warn"))
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        )
        .with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", id = 7_u64);
        let _in = span.enter();
        assert_eq!(tracing::Span::current().id(), span.id());
        tracing::info!(sku = "A-1", "shown by both");
        tracing::info!(target: "noisy", "stopped by the filter");
        drop(tracing::debug_span!("stopped too"));
    });

    let text = String::from_utf8(output.0.lock().unwrap().clone()).unwrap();
    assert!(text.contains("shown by both"), "{text}");
    assert!(text.contains("request{id=7}"), "{text}");
    assert!(!text.contains("stopped by the filter"), "{text}");

    let (spans, logs) = telemetry.take();
    let names: Vec<_> = spans.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["request"]);
    assert_eq!(logs.len(), 1, "{logs:#?}");
    common::assert_in(common::log(&logs, "shown by both"), &spans[0]);
}
