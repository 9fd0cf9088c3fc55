//! `promtool check metrics` (Prometheus' own linter, from Debian's
//! `prometheus` package) finds nothing to say about the classic text of
//! the golden snapshot, of the default encoder's output, and of a real
//! meter with the process metrics. (promtool reads the classic format only:
//! OpenMetrics is checked by a Prometheus server in
//! `prometheus_scrapes_both_formats.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_prometheus::{render, Encoder, Format};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;

/// Runs `promtool check metrics` on `text`; panics with its output unless
/// it exits 0 and prints nothing.
fn promtool_check(what: &str, text: &str) {
    let child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => panic!(
            "cannot run `promtool` ({e}): it comes with Debian's `prometheus` package; \
             run scripts/test-all, which installs it (or `apt-get install -y --no-install-recommends prometheus`)"
        ),
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics complained about {what} ({}):\n{said}\n--- input ---\n{text}",
        out.status
    );
}

#[test]
fn golden_snapshot_is_clean() {
    let encoder = Encoder::builder().with_quantiles(true).build();
    let text = encoder.render(&common::snapshot(), &common::resource(), Format::Text004);
    promtool_check("the golden snapshot", &text);
    let text = render(&common::snapshot(), &common::resource(), Format::Text004);
    promtool_check("the golden snapshot with the defaults", &text);
}

#[test]
fn a_real_meter_with_process_metrics_is_clean() {
    let meter = SdkMeter::new();
    omniscope_sdk::process::register(&meter);
    let labels = [Label::new("route", "/orders/{id}")];
    let key = Key::new("http.server.request.duration", &labels);
    let meta = MetricMeta::new(Unit::SECONDS, "Duration of HTTP server requests.");
    let histogram = meter.histogram(&key, &meta);
    for v in [0.001, 0.02, 0.3, 4.0, 50.0] {
        histogram.record(v);
    }
    let meta = MetricMeta::new(Unit::custom("{order}"), "Orders created.");
    meter
        .counter(&Key::new("orders.created", &labels), &meta)
        .increment(7);
    let meta = MetricMeta::new(Unit::custom("{request}"), "Requests in flight.");
    meter
        .up_down_counter(&Key::new("http.server.active_requests", &labels), &meta)
        .add(2);
    let text = Encoder::builder().with_quantiles(true).build().render(
        &meter.snapshot(),
        &Resource::new("orders"),
        Format::Text004,
    );
    promtool_check("a real meter", &text);
    // The process metrics keep their names: units and `_total` not doubled.
    for name in [
        "process_cpu_seconds_total ",
        "process_resident_memory_bytes ",
        "process_virtual_memory_bytes ",
        "process_open_fds ",
        "process_max_fds ",
        "process_threads ",
        "process_start_time_seconds ",
        "process_uptime_seconds ",
    ] {
        if cfg!(target_os = "linux") {
            assert!(
                text.contains(&format!("\n{name}")),
                "{name} missing:\n{text}"
            );
        }
    }
}

#[test]
fn the_check_catches_what_promtool_reports() {
    // A camelCase name is valid but not idiomatic: promtool's linter says
    // so, which proves its complaints reach this test.
    let meter = SdkMeter::new();
    meter
        .counter(&Key::from_name("ordersPlaced"), &MetricMeta::EMPTY)
        .increment(1);
    let text = render(&meter.snapshot(), &Resource::empty(), Format::Text004);
    let failure = std::panic::catch_unwind(|| promtool_check("a camelCase counter", &text))
        .expect_err("promtool accepted a camelCase name");
    let message = failure
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(message.contains("camelCase"), "{message}");
}
