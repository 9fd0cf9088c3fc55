//! The Zipkin receiver of `scripts/zipkin-receiver` (official
//! `zipkin2-api.yaml`, jsonschema) run for a test, and an SDK exporting to it.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use omniscope_sdk::export::{PipelineConfig, PipelineStats};
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk, SdkGuard};
use omniscope_zipkin::Zipkin;
use serde_json::Value;

/// The receiver process and the lines it printed, one per request.
pub(crate) struct Receiver {
    child: Child,
    pub(crate) port: u16,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    /// Starts it on a free port (`status`: answer that to every request).
    pub(crate) fn start(status: Option<u16>) -> Receiver {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/zipkin-receiver");
        let mut command = Command::new(&script);
        command.args(["serve", "0"]);
        if let Some(status) = status {
            command.args(["--status", &status.to_string()]);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {}: {e} (run `scripts/zipkin-receiver install`)",
                    script.display()
                )
            });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut ready = String::new();
        stdout.read_line(&mut ready).unwrap();
        let ready: Value = serde_json::from_str(&ready).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("the receiver did not start ({e}): run `scripts/zipkin-receiver install`")
        });
        let port = ready["port"].as_u64().unwrap() as u16;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        Receiver { child, port, lines }
    }

    pub(crate) fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/api/v2/spans", self.port)
    }

    /// Every request seen so far.
    pub(crate) fn requests(&self) -> Vec<Value> {
        self.lines.lock().unwrap().clone()
    }

    /// Every span received so far.
    pub(crate) fn spans(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .flat_map(|r| r["spans"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A pipeline that batches quickly and retries a little.
pub(crate) fn pipeline(export_timeout: Duration) -> PipelineConfig {
    PipelineConfig::default()
        .with_queue_capacity(4096)
        .with_max_batch(64)
        .with_batch_timeout(Duration::from_millis(50))
        .with_export_timeout(export_timeout)
        .with_max_retries(3)
        .with_initial_backoff(Duration::from_millis(20))
        .with_max_backoff(Duration::from_millis(200))
}

/// Installs an SDK sending spans of service `orders` to each `zipkin`.
pub(crate) fn install(zipkins: &[Zipkin], config: PipelineConfig) -> SdkGuard {
    let mut tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_pipeline_config(config);
    for zipkin in zipkins {
        tracer = tracer.with_exporter(Box::new(zipkin.spans()));
    }
    Sdk::builder()
        .with_resource(Resource::new("orders"))
        .with_tracer(tracer)
        .with_shutdown_timeout(Duration::from_secs(10))
        .install()
        .unwrap()
}

/// The pipelines of the exporters named `zipkin`.
pub(crate) fn stats(sdk: &Sdk) -> Vec<PipelineStats> {
    sdk.pipeline_stats()
        .into_iter()
        .filter(|s| s.exporter == "zipkin")
        .collect()
}

/// Polls `ready` until it holds, at most `wait`.
pub(crate) fn wait_until(what: &str, wait: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + wait;
    while !ready() {
        assert!(Instant::now() < deadline, "not within {wait:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
