//! Acceptance of issue #11: the `orders` service under `--load 200`, with
//! `OTEL_{TRACES,METRICS,LOGS}_EXPORTER=otlp` (OTLP/HTTP), while its
//! collector is absent, stalled, answering `503` with a `Retry-After` no
//! clock can count (`18446744073709551615` seconds, then a date in the
//! year 9999), then flapping — two seconds each — and finally healthy.
//! Every export thread stays alive (each pipeline exports again once the
//! collector is back, and none drops anything as `shutdown` before the
//! guard is dropped), the load generator gets an answer to every request,
//! and at exit `produced = exported + dropped` holds for every pipeline,
//! with the spans' pipeline produced what the tracer collected.
//!
//! In process, as the OTLP outage tests are: the service's modules are
//! compiled into this test (with the SDK installed for OTLP, as `main`
//! installs it from the environment), since `orders`' own test binary
//! installs in-memory exporters once for its process. Before the fix the
//! 503 phase killed all three export threads.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// The service's modules, as the `orders` binary compiles them; the test
// uses part of what they offer.
#![allow(dead_code)]

#[path = "../orders/api.rs"]
mod api;
#[path = "../orders/error.rs"]
mod error;
#[path = "../orders/gateway.rs"]
mod gateway;
#[path = "../orders/inventory.rs"]
mod inventory;
#[path = "../orders/load.rs"]
mod load;
#[path = "../orders/orders.rs"]
mod orders;
#[path = "../orders/payment.rs"]
mod payment;
#[path = "../orders/shipping.rs"]
mod shipping;
#[path = "../orders/sim.rs"]
mod sim;
#[path = "../orders/validate.rs"]
mod validate;

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::{Duration, Instant};

use omniscope_sdk::export::PipelineStats;
use omniscope_sdk::Sdk;
use omniscope_tests::otlp_receiver::{OtlpReceiver, Reply};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::inventory::Inventory;
use crate::load::LoadGenerator;
use crate::orders::{Orders, Store};
use crate::payment::Payments;
use crate::shipping::{Shipper, ShippingQueue};
use crate::sim::Sim;

/// How long each collector behaviour lasts.
const PHASE: Duration = Duration::from_secs(2);

/// How long the export threads may take to deliver again once the
/// collector is back (a batch may be inside its 10 s retry budget).
const RECOVERY: Duration = Duration::from_secs(30);

/// Installs telemetry as `orders`' `main` does, with the environment of
/// this scenario.
fn install(receiver: &OtlpReceiver) -> omniscope_kit::TelemetryGuard {
    let env = [
        ("OTEL_TRACES_EXPORTER", "otlp".to_owned()),
        ("OTEL_METRICS_EXPORTER", "otlp".to_owned()),
        ("OTEL_LOGS_EXPORTER", "otlp".to_owned()),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf".to_owned()),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.http_endpoint()),
        ("OTEL_EXPORTER_OTLP_TIMEOUT", "500".to_owned()),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200".to_owned()),
        ("RUST_LOG", "info".to_owned()),
    ];
    omniscope_kit::builder()
        .with_service_name("orders")
        .from_env_with(move |name| env.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
        .install()
        .unwrap()
}

/// The order service, its shipping worker and its payment gateway, as
/// `orders` builds them.
async fn build_service(sim: &Sim) -> (Arc<Orders>, tokio::task::JoinHandle<()>) {
    let store = Arc::new(Store::default());
    let (queue, jobs) = ShippingQueue::new(256);
    let shipper = tokio::spawn(Shipper::new(store.clone(), sim.fork()).run(jobs));
    let inventory = Inventory::new(sim.fork());
    let gateway = gateway::start(sim.fork()).await.unwrap();
    let payments = Payments::new(gateway).unwrap();
    (
        Arc::new(Orders::new(store, inventory, payments, queue)),
        shipper,
    )
}

fn sleep(d: Duration) {
    std::thread::sleep(d);
}

/// Waits until `ready` holds, at most `wait`.
fn wait_until(what: &str, wait: Duration, ready: impl Fn() -> bool) {
    let deadline = Instant::now() + wait;
    while !ready() {
        assert!(Instant::now() < deadline, "not within {wait:?}: {what}");
        sleep(Duration::from_millis(50));
    }
}

fn exported_by_pipeline(sdk: &Sdk) -> Vec<(String, u64)> {
    sdk.pipeline_stats()
        .iter()
        .map(|s| (format!("{}/{}", s.signal, s.exporter), s.exported))
        .collect()
}

#[test]
fn orders_survives_collector_outages() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // Absent: the ports are chosen, nothing listens yet.
    let mut receiver = OtlpReceiver::reserve();
    let guard = install(&receiver);
    let sdk = guard.sdk().expect("the sdk is installed").clone();

    let (stop_load, load_stopped) = oneshot::channel::<()>();
    let (server, shipper, load) = runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sim = Sim::new(7);
        let (service, shipper) = build_service(&sim).await;
        let server = tokio::spawn(axum::serve(listener, api::router(service)).into_future());
        let generator = LoadGenerator::new(addr, 200, sim.fork());
        let load = tokio::spawn(generator.run(async move {
            let _ = load_stopped.await;
        }));
        (server, shipper, load)
    });

    sleep(PHASE);
    receiver.stall();
    sleep(PHASE);
    receiver.set_reply(Reply::RetryAfter("18446744073709551615"));
    receiver.serve();
    sleep(PHASE);
    receiver.set_reply(Reply::RetryAfter("Fri, 31 Dec 9999 23:59:59 GMT"));
    sleep(PHASE);
    receiver.set_reply(Reply::Accept);
    for i in 0..8 {
        if i % 2 == 0 {
            receiver.kill();
        } else {
            receiver.serve();
        }
        sleep(PHASE / 8);
    }
    receiver.serve();

    // Healthy again: every export thread delivers.
    let before = exported_by_pipeline(&sdk);
    wait_until(
        "every pipeline exporting again after the outages",
        RECOVERY,
        || {
            let now = exported_by_pipeline(&sdk);
            before.iter().zip(&now).all(|((name, then), (_, now))| {
                // Errors are reported only when the service fails inside.
                name.starts_with("errors/") || now > then
            })
        },
    );
    for s in sdk.pipeline_stats() {
        assert_eq!(s.dropped.shutdown, 0, "an export thread died: {s:?}");
    }

    let _ = stop_load.send(());
    let tally = runtime.block_on(load).unwrap();
    assert!(
        tally.answered() > 0 && tally.to_string().ends_with("; 0 failed, 0 skipped"),
        "every request is answered: {tally}"
    );
    server.abort();
    shipper.abort();
    drop(guard);

    let stats = sdk.pipeline_stats();
    for s in &stats {
        assert_eq!((s.queued, s.in_flight), (0, 0), "{s:?}");
        assert_eq!(
            s.produced,
            s.exported + s.dropped.total(),
            "produced = exported + dropped: {s:?}"
        );
    }
    let spans: Vec<&PipelineStats> = stats.iter().filter(|s| s.signal == "traces").collect();
    let tracer = sdk.tracer().expect("a tracer").stats();
    assert_eq!(spans.len(), 1, "{stats:?}");
    assert_eq!(
        spans[0].produced,
        tracer.collected - tracer.tail_dropped - tracer.tail_overflow,
        "{tracer:?}"
    );
    for signal in ["traces", "logs", "metrics"] {
        assert!(
            stats.iter().any(|s| s.signal == signal && s.exported > 0),
            "{signal}: {stats:?}"
        );
    }
    drop(runtime);
}
