//! Test support: the real daemons (started by `scripts/statsd-daemons`),
//! the SDK wired to a statsd exporter, and a known workload.

#![allow(dead_code, unreachable_pub)] // each test file uses part of it; `pub` for them
#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed step is a failed test

use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope::metrics::{Key, Label, MetricMeta, Unit};
use omniscope::Meter;
use omniscope_sdk::export::{Pipeline, PipelineConfig};
use omniscope_sdk::metrics::{PeriodicReader, SdkMeter};
use omniscope_sdk::Resource;
use omniscope_statsd::{Statsd, StatsdStats};

/// A daemon started by the project's script, stopped (by its PID) on drop.
pub struct Daemon {
    child: Child,
    pub dir: PathBuf,
    pub port: u16,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/statsd-daemons")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omniscope-statsd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A UDP port free on 127.0.0.1 now.
pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for(what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(15);
    while !ready() {
        assert!(Instant::now() < deadline, "{what} not ready within 15 s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// collectd's statsd plugin (strict parser), flushing every second to CSV.
pub fn collectd() -> Daemon {
    let dir = temp_dir("collectd");
    let port = free_udp_port();
    let log = std::fs::File::create(dir.join("collectd.log")).unwrap();
    let child = Command::new(script())
        .args(["collectd", &port.to_string(), dir.to_str().unwrap()])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("scripts/statsd-daemons collectd (run `scripts/statsd-daemons install` first)");
    let sock = dir.join("collectd.sock");
    wait_for("collectd", || sock.exists());
    Daemon { child, dir, port }
}

/// The Etsy statsd daemon, one JSON line per 500 ms flush in `out.jsonl`.
pub fn etsy() -> Daemon {
    let dir = temp_dir("etsy");
    let (port, mgmt) = (free_udp_port(), free_tcp_port());
    let out = std::fs::File::create(dir.join("out.jsonl")).unwrap();
    let child = Command::new(script())
        .args([
            "etsy",
            &port.to_string(),
            &mgmt.to_string(),
            dir.to_str().unwrap(),
        ])
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .expect("scripts/statsd-daemons etsy (run `scripts/statsd-daemons install` first)");
    wait_for("etsy statsd", || {
        TcpStream::connect(("127.0.0.1", mgmt)).is_ok()
    });
    Daemon { child, dir, port }
}

/// An SDK meter pushing deltas to `statsd` when [`Sdk::round`] flushes.
pub struct Sdk {
    pub meter: SdkMeter,
    pub reader: PeriodicReader,
    pub stats: StatsdStats,
}

impl Sdk {
    pub fn new(statsd: &Statsd, resource: Resource) -> Sdk {
        let meter = SdkMeter::new();
        let pipeline = Pipeline::spawn(
            "metrics",
            Box::new(statsd.metrics()),
            Arc::new(resource),
            PipelineConfig::default(),
        )
        .unwrap();
        // A long interval: the test flushes each round itself, so that each
        // lands in its own daemon interval.
        let reader = PeriodicReader::spawn(
            meter.clone(),
            Duration::from_secs(3600),
            Statsd::TEMPORALITY,
            pipeline,
        )
        .unwrap();
        Sdk {
            meter,
            reader,
            stats: statsd.stats(),
        }
    }

    pub fn flush(&self) {
        self.reader
            .flush(Instant::now() + Duration::from_secs(5))
            .unwrap();
    }
}

/// One round of the known workload.
pub struct Round {
    pub jobs_a: u64,
    pub jobs_b: u64,
    pub temperature: f64,
    pub inflight: i64,
    pub latencies_ms: &'static [f64],
}

/// Three rounds; round 2 leaves `jobs{queue=b}` alone (a delta of 0 is
/// not sent) and, when `negative`, sets a negative gauge and up-down sum.
pub fn rounds(negative: bool) -> [Round; 3] {
    [
        Round {
            jobs_a: 3,
            jobs_b: 1,
            temperature: 21.5,
            inflight: 5,
            latencies_ms: &[100.0, 250.0, 500.0, 250.0],
        },
        Round {
            jobs_a: 5,
            jobs_b: 0,
            temperature: if negative { -4.25 } else { 4.25 },
            inflight: if negative { -7 } else { 2 },
            latencies_ms: &[40.0],
        },
        Round {
            jobs_a: 7,
            jobs_b: 2,
            temperature: 19.0,
            inflight: 1,
            latencies_ms: &[10.0, 30.0],
        },
    ]
}

/// Records one round through the facade's `Meter` trait.
pub fn record(meter: &SdkMeter, round: &Round) {
    let a = [Label::new("queue", "a")];
    let b = [Label::new("queue", "b")];
    let none = MetricMeta::EMPTY;
    meter
        .counter(&Key::new("jobs_total", &a), &none)
        .increment(round.jobs_a);
    if round.jobs_b > 0 {
        meter
            .counter(&Key::new("jobs_total", &b), &none)
            .increment(round.jobs_b);
    }
    meter
        .gauge(&Key::from_name("temperature"), &none)
        .set(round.temperature);
    meter
        .up_down_counter(&Key::from_name("inflight"), &none)
        .add(round.inflight);
    let latency = meter.histogram(
        &Key::from_name("latency"),
        &MetricMeta::new(Unit::MILLISECONDS, "request latency"),
    );
    for ms in round.latencies_ms {
        latency.record(*ms);
    }
}

/// Polls `check` until it passes or 15 s went by; returns its last result.
pub fn eventually<T>(mut check: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match check() {
            Ok(v) => return v,
            Err(e) if Instant::now() >= deadline => panic!("not reached within 15 s: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
}
