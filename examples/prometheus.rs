//! Metrics for Prometheus: business code records with the `omniscope`
//! facade alone; `main` serves them on `http://127.0.0.1:9464/metrics`
//! (OpenMetrics with exemplars for Prometheus, the classic text format for
//! everyone else), and prints what a scrape sees.
//!
//! Run: `cargo run -p omniscope-examples --example prometheus -- --serve-for 60`
//! then `curl -s localhost:9464/metrics` (or point a Prometheus at it).
//! Without `--serve-for`, it prints one scrape and exits.
//! `OTEL_EXPORTER_PROMETHEUS_HOST` and `OTEL_EXPORTER_PROMETHEUS_PORT` move
//! the endpoint; a batch job would push instead, with
//! `omniscope_prometheus::PushGateway`.

use std::error::Error;
use std::time::Duration;

use omniscope::{counter, histogram, span};
use omniscope_prometheus::Prometheus;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_sdk::{Resource, Sdk};

/// The business code: knows nothing of Prometheus.
fn process_job(queue: &str, n: u64) {
    let _span = span!("process_job", queue = queue);
    let seconds = 0.001 * (n % 7) as f64;
    histogram!("job_duration_seconds", "queue" => queue).record(seconds);
    counter!("jobs_processed_total", "queue" => queue).increment(1);
}

/// `--serve-for SECONDS`, if given.
fn serve_for() -> Result<Option<Duration>, Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(None),
        (Some("--serve-for"), Some(s)) => {
            Ok(Some(Duration::from_secs(s.parse().map_err(|_| {
                format!("--serve-for takes a number of seconds, not {s:?}")
            })?)))
        }
        (Some(other), _) => {
            Err(format!("unknown argument {other:?}: use --serve-for SECONDS").into())
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let serve_for = serve_for()?;
    // A tracer, so that histogram samples carry their span's trace id
    // (OpenMetrics exemplars).
    let sdk = Sdk::builder()
        .with_resource(Resource::new("prometheus-example"))
        .with_tracer(SdkTracer::builder().with_sampler(Sampler::AlwaysOn))
        .build()?;
    let prometheus = Prometheus::builder().from_env().build()?;
    let server = prometheus.serve(&sdk)?;
    let guard = sdk.clone().install()?;
    println!("prometheus: scrape {}", server.url());

    for n in 0..100 {
        process_job(if n % 3 == 0 { "email" } else { "billing" }, n);
    }

    // What Prometheus would get (it asks for OpenMetrics).
    let scrape = prometheus.scrape(&sdk, Some("application/openmetrics-text"), None);
    let text = String::from_utf8_lossy(scrape.body());
    for line in text
        .lines()
        .filter(|l| l.starts_with("jobs_processed_total"))
    {
        println!("prometheus: {line}");
    }
    if let Some(line) = text.lines().find(|l| l.contains("# {trace_id=")) {
        println!("prometheus: {line}");
    }

    if let Some(duration) = serve_for {
        println!("prometheus: serving for {duration:?}");
        std::thread::sleep(duration);
    }
    drop(guard);
    drop(server);
    Ok(())
}
