//! The Sentry-protocol server of `scripts/sentry-server` (Bugsink, on
//! 127.0.0.1 with a private SQLite copy) as a process under test, its
//! stored events read back through its API, and Sentry Relay's own
//! normalizer over them (`scripts/sentry-server install` first).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::http;

/// How long Bugsink may take to start (migrated template copied, one
/// gunicorn worker).
pub const START_WAIT: Duration = Duration::from_secs(90);

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/sentry-server")
}

/// A running Bugsink; stopped (and its directory removed) on drop.
#[derive(Debug)]
pub struct SentryServer {
    child: Child,
    addr: SocketAddr,
    dsn: String,
    token: String,
    dir: PathBuf,
}

impl SentryServer {
    /// Starts Bugsink on a free loopback port and waits for it to answer.
    pub fn start() -> SentryServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir =
            std::env::temp_dir().join(format!("omniscope-bugsink-{}-{port}", std::process::id()));
        let mut child = Command::new(script())
            .args(["serve", &port.to_string()])
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run scripts/sentry-server: {e}"));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with("{\"ready\"") {
                    let _ = tx.send(line);
                }
            }
        });
        let stderr = child.stderr.take().unwrap();
        // Drained, so that the server never blocks on a full pipe.
        std::thread::spawn(
            move || for _ in BufReader::new(stderr).lines().map_while(Result::ok) {},
        );
        let line = rx.recv_timeout(START_WAIT).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("Bugsink did not start within {START_WAIT:?} ({e}): run `scripts/sentry-server install`")
        });
        let ready: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(ready["ready"], true, "Bugsink did not answer: {line}");
        SentryServer {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dsn: ready["dsn"].as_str().unwrap().to_owned(),
            token: ready["token"].as_str().unwrap().to_owned(),
            dir,
        }
    }

    /// The project's DSN (`http://key@127.0.0.1:port/1`).
    pub fn dsn(&self) -> &str {
        &self.dsn
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn api(&self, path: &str) -> Value {
        let auth = format!("Bearer {}", self.token);
        let reply = http::get_with(self.addr, path, &[("Authorization", &auth)]);
        assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
        reply.json()
    }

    /// Every stored event, as Bugsink keeps it (the event JSON the SDK
    /// sent), oldest first.
    pub fn events(&self) -> Vec<Value> {
        let mut events = Vec::new();
        let issues = self.api("/api/canonical/0/issues/?project=1");
        for issue in issues["results"].as_array().unwrap() {
            let id = issue["id"].as_str().unwrap();
            let list = self.api(&format!("/api/canonical/0/events/?issue={id}"));
            for event in list["results"].as_array().unwrap() {
                let eid = event["id"].as_str().unwrap();
                let full = self.api(&format!("/api/canonical/0/events/{eid}/"));
                events.push(full["data"].clone());
            }
        }
        events.sort_by(|a, b| {
            let t = |e: &Value| e["timestamp"].as_f64().unwrap_or(0.0);
            t(a).total_cmp(&t(b))
        });
        events
    }

    /// The stored events once there are at least `n` (within 30 s).
    pub fn wait_for_events(&self, n: usize) -> Vec<Value> {
        let until = Instant::now() + Duration::from_secs(30);
        loop {
            let events = self.events();
            if events.len() >= n || Instant::now() > until {
                assert!(
                    events.len() >= n,
                    "{} of {n} events arrived: {events:#?}",
                    events.len()
                );
                return events;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The issues Bugsink made of the events (`calculated_type`,
    /// `calculated_value`, `digested_event_count`, …).
    pub fn issues(&self) -> Vec<Value> {
        self.api("/api/canonical/0/issues/?project=1")["results"]
            .as_array()
            .unwrap()
            .clone()
    }
}

impl Drop for SentryServer {
    fn drop(&mut self) {
        // SIGTERM first: gunicorn then stops its worker too.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What Sentry Relay's normalizer (`StoreNormalizer`, the code Sentry's
/// ingest runs) reports for each event: `{"errors", "meta", "platform",
/// "level", "type"}`; an event Sentry takes as it is has `errors` and
/// `meta` null.
pub fn normalize(events: &[Value]) -> Vec<Value> {
    let mut child = Command::new(script())
        .arg("normalize")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run scripts/sentry-server normalize: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input: String = events.iter().map(|e| format!("{e}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        output.status.success(),
        "the normalizer failed: run `scripts/sentry-server install`"
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Asserts that Relay's normalizer neither fixed nor dropped anything in
/// any of `events`.
pub fn assert_normalized_as_sent(events: &[Value]) {
    let results = normalize(events);
    assert_eq!(results.len(), events.len());
    for (event, result) in events.iter().zip(&results) {
        assert!(
            result["errors"].is_null() && result["meta"].is_null(),
            "Sentry's normalizer changed this event: {result}\nevent: {event:#}"
        );
    }
}
