//! Metrics to statsd: business code records with the `omniscope` facade
//! alone; `main` sends the SDK's aggregates as statsd lines, as deltas on
//! each export interval, packed into UDP datagrams. To show the lines, the
//! example listens on a loopback UDP port itself and prints what arrives.
//!
//! Run: `cargo run -p omniscope-examples --example statsd`
//! With a real daemon, the same program needs only the environment:
//! `OTEL_METRICS_EXPORTER=statsd STATSD_HOST=127.0.0.1 STATSD_PORT=8125`
//! (or `DD_DOGSTATSD_URL=unix:///var/run/datadog/dsd.socket` for the
//! Datadog agent, which makes the flavour DogStatsD).

use std::error::Error;
use std::net::UdpSocket;
use std::time::Duration;

use omniscope::{counter, gauge, histogram};
use omniscope_kit::statsd::{Flavor, Statsd};
use omniscope_kit::{Backend, Signal};

/// The business code: knows nothing of statsd.
fn process_job(queue: &str, n: u64) {
    histogram!("job_duration_ms", "queue" => queue).record((n % 7) as f64);
    counter!("jobs_processed_total", "queue" => queue).increment(1);
    gauge!("queue_depth", "queue" => queue).set((10 - n % 10) as f64);
}

fn main() -> Result<(), Box<dyn Error>> {
    let daemon = UdpSocket::bind("127.0.0.1:0")?;
    daemon.set_read_timeout(Some(Duration::from_millis(500)))?;
    let port = daemon.local_addr()?.port();
    let telemetry = omniscope_kit::builder()
        .with_service_name("statsd-example")
        .with_exporters(Signal::Metrics, [Backend::Statsd])
        .with_statsd(
            Statsd::builder()
                .with_flavor(Flavor::DogStatsd)
                .with_udp("127.0.0.1", port),
        )
        .install()?;
    for n in 0..20 {
        process_job(if n % 3 == 0 { "email" } else { "billing" }, n);
    }
    drop(telemetry); // a last flush: every delta goes out
    let mut buf = [0u8; 65536];
    while let Ok(n) = daemon.recv(&mut buf) {
        println!("--- datagram of {n} bytes");
        println!("{}", String::from_utf8_lossy(&buf[..n]));
    }
    Ok(())
}
