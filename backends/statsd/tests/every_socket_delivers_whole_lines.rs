//! Issue #16: over UDP on IPv6 (`[::1]`), a Unix datagram socket (plain
//! statsd) and a Unix stream socket (DogStatsD, length-prefixed frames), a
//! listener that parses every
//! line strictly gets every series whole: packing never splits a line,
//! no payload exceeds the maximum, and a line longer than the payload is
//! dropped and counted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step is a failed test

use std::io::Read;
use std::net::UdpSocket;
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::path::PathBuf;
use std::time::Duration;

use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::export::{Batch, Exporter};
use omniscope_sdk::metrics::{MetricsSnapshot, SdkMeter};
use omniscope_sdk::Resource;
use omniscope_statsd::{Endpoint, Flavor, Statsd};

const MAX: usize = 200;
const SERIES: u64 = 60;

fn snapshot() -> MetricsSnapshot {
    let meter = SdkMeter::new();
    let mut reader = meter.delta_reader();
    for i in 0..SERIES {
        let labels = [Label::new("shard", i.to_string())];
        meter
            .counter(&Key::new("jobs_total", &labels), &MetricMeta::EMPTY)
            .increment(i + 1);
    }
    let long = "x".repeat(MAX);
    let labels = [Label::new("note", long.as_str())];
    meter
        .counter(&Key::new("jobs_total", &labels), &MetricMeta::EMPTY)
        .increment(1);
    reader.collect()
}

/// `name:value|c` or `name:value|c|#k:v,...`, else a panic naming the line.
fn parse(line: &str) -> (String, u64) {
    let (name, rest) = line
        .split_once(':')
        .unwrap_or_else(|| panic!("no ':' in {line:?}"));
    assert!(
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
        "bad name in {line:?}"
    );
    let fields: Vec<&str> = rest.split('|').collect();
    let value = fields[0]
        .parse()
        .unwrap_or_else(|_| panic!("bad value in {line:?}"));
    assert_eq!(fields[1], "c", "bad type in {line:?}");
    let mut name = name.to_owned();
    match fields.get(2) {
        None => {}
        Some(tags) => {
            assert_eq!(fields.len(), 3, "extra fields in {line:?}");
            let tags = tags
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("bad tags in {line:?}"));
            for tag in tags.split(',') {
                let (k, v) = tag
                    .split_once(':')
                    .unwrap_or_else(|| panic!("bad tag in {line:?}"));
                assert!(!k.is_empty() && !v.is_empty(), "bad tag in {line:?}");
                name.push_str(&format!(";{k}={v}"));
            }
        }
    }
    (name, value)
}

fn check(payloads: &[Vec<u8>]) {
    let mut got = Vec::new();
    for p in payloads {
        assert!(p.len() <= MAX, "payload of {} bytes", p.len());
        for line in std::str::from_utf8(p).unwrap().split('\n') {
            got.push(parse(line));
        }
    }
    assert_eq!(got.len() as u64, SERIES, "{got:?}");
    let total: u64 = got.iter().map(|(_, v)| v).sum();
    assert_eq!(total, SERIES * (SERIES + 1) / 2);
    assert!(payloads.len() > 1, "the lines needed several payloads");
}

/// Every datagram `recv` gets until it times out.
fn datagrams(mut recv: impl FnMut(&mut [u8]) -> std::io::Result<usize>) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    let mut buf = [0u8; 65536];
    while let Ok(n) = recv(&mut buf) {
        payloads.push(buf[..n].to_vec());
    }
    payloads
}

fn dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omniscope-statsd-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn udp_over_ipv6_gets_whole_lines() {
    let listener = UdpSocket::bind("[::1]:0").unwrap();
    listener
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::Statsd)
        .with_udp("::1", port)
        .with_max_payload(MAX)
        .build()
        .unwrap();
    let mut exporter = statsd.metrics();
    exporter
        .export(&Batch::from_vec(vec![snapshot()]), &Resource::empty())
        .unwrap();
    check(&datagrams(|buf| listener.recv(buf)));
    assert_eq!(statsd.stats().lines_too_long(), 1);
    assert_eq!(statsd.stats().lines_sent(), SERIES);
}

#[test]
fn unix_datagram_socket_gets_whole_lines() {
    let dir = dir("dgram");
    let path = dir.join("statsd.sock");
    let listener = UnixDatagram::bind(&path).unwrap();
    listener
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::Statsd)
        .with_endpoint(Endpoint::UnixDatagram(path))
        .with_max_payload(MAX)
        .build()
        .unwrap();
    let mut exporter = statsd.metrics();
    exporter
        .export(&Batch::from_vec(vec![snapshot()]), &Resource::empty())
        .unwrap();
    check(&datagrams(|buf| listener.recv(buf)));
    assert_eq!(statsd.stats().lines_too_long(), 1);
    assert_eq!(statsd.stats().lines_sent(), SERIES);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unix_stream_socket_gets_whole_lines_in_length_prefixed_frames() {
    let dir = dir("stream");
    let path = dir.join("dsd.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let statsd = Statsd::builder()
        .with_flavor(Flavor::DogStatsd)
        .with_endpoint(Endpoint::UnixStream(path))
        .with_max_payload(MAX)
        .with_unified_service_tags(false)
        .build()
        .unwrap();
    let mut exporter = statsd.metrics();
    exporter
        .export(&Batch::from_vec(vec![snapshot()]), &Resource::empty())
        .unwrap();
    drop(exporter); // closes the connection: the reader sees the end
    let (mut stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let mut payloads = Vec::new();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let len = u32::from_le_bytes(rest[..4].try_into().unwrap()) as usize;
        payloads.push(rest[4..4 + len].to_vec());
        rest = &rest[4 + len..];
    }
    check(&payloads);
    assert_eq!(statsd.stats().lines_too_long(), 1);
    let _ = std::fs::remove_dir_all(dir);
}
