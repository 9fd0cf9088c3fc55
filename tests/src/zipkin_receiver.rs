//! The Zipkin receiver of `scripts/zipkin-receiver` as a process under
//! test: it validates every posted body against the official
//! `zipkin2-api.yaml` (jsonschema) and prints one JSON line per request
//! (`valid`, `gzip`, `spans`). `scripts/test-all` installs it
//! (`scripts/zipkin-receiver install`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The receiver process and the lines it printed, one per request; killed
/// on drop.
#[derive(Debug)]
pub struct ZipkinReceiver {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<Value>>>,
}

impl ZipkinReceiver {
    /// Starts it on a free loopback port; `status`: answer that to every
    /// request instead of 202.
    pub fn start(status: Option<u16>) -> ZipkinReceiver {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/zipkin-receiver");
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
            let _ = child.wait();
            panic!("the receiver did not start ({e}): run `scripts/zipkin-receiver install`")
        });
        let port = ready["port"].as_u64().unwrap() as u16;
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                // A line that is not JSON is kept as it came, so that a
                // check of the requests fails on it instead of missing it.
                let v = serde_json::from_str(&line).unwrap_or(Value::String(line));
                omniscope::sync::lock(&sink).push(v);
            }
        });
        ZipkinReceiver { child, port, lines }
    }

    /// Where to post spans: `http://127.0.0.1:PORT/api/v2/spans`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/api/v2/spans", self.port)
    }

    /// Every request seen so far, as the receiver printed it.
    pub fn requests(&self) -> Vec<Value> {
        omniscope::sync::lock(&self.lines).clone()
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Value> {
        self.requests()
            .iter()
            .flat_map(|r| r["spans"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Drop for ZipkinReceiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `ready` until it holds, at most `wait`; panics saying `what` was
/// not seen.
pub fn wait_until(what: &str, wait: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + wait;
    while !ready() {
        assert!(Instant::now() < deadline, "not within {wait:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}
