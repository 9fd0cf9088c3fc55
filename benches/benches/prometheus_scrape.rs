//! A Prometheus scrape of 10,000 series (issue #6): the cost of answering
//! one scrape, snapshot included, with omniscope-prometheus and with
//! `metrics-exporter-prometheus`, the same series recorded in each, in one
//! run. Group and id names are fixed: `scripts/bench-report` and earlier
//! results refer to them.
//!
//! The series: 90 counters × 100 `route` labels (9,000 counter series,
//! `requests_{i}_total{route="/r{j}",status="200"}`) and 10 histograms ×
//! 100 routes (1,000 histogram series with Prometheus' 11 default buckets,
//! three values each). No resource, no global labels.
//!
//! - `render_10k_series/omniscope`: `Prometheus::scrape_snapshot` of
//!   `SdkMeter::snapshot()`, classic text, not compressed — the work of a
//!   scrape without `Accept` headers.
//! - `render_10k_series/omniscope_openmetrics_gzip`: the same as Prometheus
//!   asks for it: OpenMetrics, gzipped (fastest level).
//! - `render_10k_series/metrics_exporter_prometheus`: `PrometheusHandle::render()`
//!   of a recorder built with the same buckets (classic text, what its
//!   HTTP listener serves).
//!
//! One `bench-note` line gives the size of each answer.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use metrics::Recorder as _;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use omniscope::metrics::{Key, Label, MetricMeta};
use omniscope::Meter as _;
use omniscope_benches::{note, HISTOGRAM_VALUES};
use omniscope_prometheus::Prometheus;
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;

const COUNTERS: usize = 90;
const HISTOGRAMS: usize = 10;
const ROUTES: usize = 100;
/// Prometheus' default buckets, which both crates use.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Calls `f(name, route, n)` for every counter series and `h(name, route,
/// value)` for every histogram value, in the same order for both crates.
fn each_series(mut f: impl FnMut(&str, &str, u64), mut h: impl FnMut(&str, &str, f64)) {
    for j in 0..ROUTES {
        let route = format!("/r{j}");
        for i in 0..COUNTERS {
            f(&format!("requests_{i}_total"), &route, (i + j + 1) as u64);
        }
        for i in 0..HISTOGRAMS {
            let name = format!("latency_{i}_seconds");
            for k in 0..3 {
                h(
                    &name,
                    &route,
                    HISTOGRAM_VALUES[(i + j + k) % HISTOGRAM_VALUES.len()],
                );
            }
        }
    }
}

fn omniscope_meter() -> SdkMeter {
    let meter = SdkMeter::new();
    each_series(
        |name, route, n| {
            let labels = [Label::new("route", route), Label::new("status", "200")];
            meter
                .counter(&Key::new(name, &labels), &MetricMeta::EMPTY)
                .increment(n);
        },
        |name, route, v| {
            let labels = [Label::new("route", route)];
            meter
                .histogram(&Key::new(name, &labels), &MetricMeta::EMPTY)
                .record(v);
        },
    );
    meter
}

fn metrics_exporter() -> PrometheusHandle {
    let recorder = match PrometheusBuilder::new().set_buckets(&BUCKETS) {
        Ok(builder) => builder.build_recorder(),
        Err(e) => panic!("metrics-exporter-prometheus buckets: {e}"),
    };
    let metadata = metrics::Metadata::new(module_path!(), metrics::Level::INFO, None);
    each_series(
        |name, route, n| {
            let labels = vec![
                metrics::Label::new("route", route.to_owned()),
                metrics::Label::new("status", "200"),
            ];
            let key = metrics::Key::from_parts(name.to_owned(), labels);
            recorder.register_counter(&key, &metadata).increment(n);
        },
        |name, route, v| {
            let labels = vec![metrics::Label::new("route", route.to_owned())];
            let key = metrics::Key::from_parts(name.to_owned(), labels);
            recorder.register_histogram(&key, &metadata).record(v);
        },
    );
    recorder.handle()
}

fn render_10k_series(c: &mut Criterion) {
    let meter = omniscope_meter();
    let resource = Resource::empty();
    let prometheus = Prometheus::default();
    let peer = metrics_exporter();
    let om = "application/openmetrics-text;version=1.0.0";
    let ours = prometheus.scrape_snapshot(&meter.snapshot(), &resource, None, None);
    let zipped = prometheus.scrape_snapshot(&meter.snapshot(), &resource, Some(om), Some("gzip"));
    let theirs = peer.render();
    let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count();
    note(&format!(
        "render_10k_series: omniscope {} bytes ({} lines), OpenMetrics gzipped {} bytes; \
         metrics_exporter_prometheus {} bytes ({} lines)",
        ours.body().len(),
        lines(ours.body()),
        zipped.body().len(),
        theirs.len(),
        lines(theirs.as_bytes()),
    ));

    let mut group = c.benchmark_group("render_10k_series");
    group.bench_function("omniscope", |b| {
        b.iter(|| black_box(prometheus.scrape_snapshot(&meter.snapshot(), &resource, None, None)));
    });
    group.bench_function("omniscope_openmetrics_gzip", |b| {
        b.iter(|| {
            black_box(prometheus.scrape_snapshot(
                &meter.snapshot(),
                &resource,
                Some(om),
                Some("gzip"),
            ))
        });
    });
    group.bench_function("metrics_exporter_prometheus", |b| {
        b.iter(|| black_box(peer.render()));
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = omniscope_benches::criterion();
    targets = render_10k_series
}
criterion_main!(benches);
