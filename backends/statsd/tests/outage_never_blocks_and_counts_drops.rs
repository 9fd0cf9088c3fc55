//! Issue #16: with no daemon on the UDP port, a missing socket path, or a
//! listener that never reads (its socket buffer fills: `EAGAIN`), every
//! export returns at once (bounded here by a liveness check, not a
//! threshold) and what was not delivered is counted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step is a failed test

use std::os::unix::net::UnixDatagram;
use std::sync::mpsc;
use std::time::Duration;

use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::metrics::{MetricsSnapshot, SdkMeter};
use omniscope_sdk::Resource;
use omniscope_statsd::{Endpoint, Statsd, StatsdStats};

fn snapshot(series: u64) -> MetricsSnapshot {
    let meter = SdkMeter::new();
    let mut reader = meter.delta_reader();
    for i in 0..series {
        let labels = [Label::new("shard", i.to_string())];
        meter
            .counter(&Key::new("jobs_total", &labels), &MetricMeta::EMPTY)
            .increment(1);
    }
    reader.collect()
}

/// Runs `exports` exports of `series` series on a thread; fails if they
/// do not all return within 30 s (a hang, not a speed check).
fn export_bounded(statsd: &Statsd, exports: usize, series: u64) -> StatsdStats {
    let mut exporter = statsd.metrics();
    let snapshot = snapshot(series);
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || {
        for _ in 0..exports {
            let _ = exporter.export(&Batch::from_vec(vec![snapshot.clone()]), &Resource::empty());
        }
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(30))
        .expect("the exports blocked");
    statsd.stats()
}

#[test]
fn no_daemon_on_the_udp_port() {
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let statsd = Statsd::builder()
        .with_udp("127.0.0.1", port)
        .build()
        .unwrap();
    let stats = export_bounded(&statsd, 20, 100);
    // The first datagrams leave; the ICMP "port unreachable" they cause
    // makes the following sends fail, and those are counted.
    assert!(stats.lines_dropped_failed() > 0, "{stats:?}");
    assert_eq!(stats.lines_sent() + stats.dropped(), 20 * 100, "{stats:?}");
}

#[test]
fn missing_socket_path() {
    let statsd = Statsd::builder()
        .with_endpoint(Endpoint::UnixDatagram(
            "/nonexistent/omniscope/dsd.sock".into(),
        ))
        .build()
        .unwrap();
    let snapshot = snapshot(10);
    let mut exporter = statsd.metrics();
    let error = exporter
        .export(&Batch::from_vec(vec![snapshot]), &Resource::empty())
        .unwrap_err();
    assert!(
        error.to_string().contains("every payload was dropped"),
        "{error}"
    );
    let stats = export_bounded(&statsd, 5, 10);
    assert_eq!(stats.lines_dropped_failed(), 60, "{stats:?}");
    assert_eq!(stats.lines_sent(), 0);
}

#[test]
fn full_socket_buffer_drops_and_counts() {
    let dir = std::env::temp_dir().join(format!("omniscope-statsd-full-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("dsd.sock");
    // Bound and never read: its receive queue fills.
    let _listener = UnixDatagram::bind(&path).unwrap();
    let statsd = Statsd::builder()
        .with_endpoint(Endpoint::UnixDatagram(path))
        .with_max_payload(512)
        .build()
        .unwrap();
    let stats = export_bounded(&statsd, 10, 2000);
    assert!(stats.lines_dropped_full() > 0, "{stats:?}");
    assert_eq!(stats.lines_sent() + stats.dropped(), 10 * 2000, "{stats:?}");
    let _ = std::fs::remove_dir_all(dir);
}
