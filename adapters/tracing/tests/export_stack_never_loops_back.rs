//! What omniscope's own export stack emits through `tracing` while it
//! exports (tonic and h2 carrying OTLP/gRPC) never comes back as telemetry:
//! with the layer taking every `tracing` event at `TRACE`, one span and one
//! event exported over gRPC stay one span and one log at the receiver,
//! while the export threads did emit `tracing` events (counted beside the
//! layer, so a loop could have happened).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use omniscope_otlp::{Otlp, Protocol};
use omniscope_sdk::logs::SdkLogger;
use omniscope_sdk::trace::{Sampler, SdkTracer};
use omniscope_tests::otlp_receiver::{text, OtlpReceiver};
use tracing::Subscriber;
use tracing_subscriber::filter::dynamic_filter_fn;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::Layer;

/// The in-process receiver's own threads: its h2 server logs too, and is
/// not part of the exporting process's stack, so neither layer sees it
/// (a dynamic filter: asked for each span and event, not once per call site).
fn not_the_receiver() -> bool {
    std::thread::current().name() != Some("otlp-receiver")
}

/// Counts the events of the transport stack (`h2`, `tonic`, `hyper`).
static TRANSPORT_EVENTS: AtomicU64 = AtomicU64::new(0);

struct CountTransport;

impl<S: Subscriber> Layer<S> for CountTransport {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        let target = event.metadata().target();
        if ["h2", "tonic", "hyper"]
            .iter()
            .any(|t| target.starts_with(t))
        {
            TRANSPORT_EVENTS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[test]
fn the_export_stack_does_not_feed_itself() {
    let receiver = OtlpReceiver::start();
    let otlp = Otlp::builder()
        .with_protocol(Protocol::Grpc)
        .with_endpoint(receiver.grpc_endpoint())
        .build()
        .unwrap();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(otlp.spans()))
        .build()
        .unwrap();
    let logger = SdkLogger::builder()
        .with_filter("trace")
        .without_rate_limit()
        .with_exporter(Box::new(otlp.logs()))
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).unwrap();
    omniscope::set_logger(logger.clone()).unwrap();
    let subscriber = tracing_subscriber::registry()
        .with(omniscope_tracing::layer().with_filter(dynamic_filter_fn(|_, _| not_the_receiver())))
        .with(CountTransport.with_filter(dynamic_filter_fn(|_, _| not_the_receiver())));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    tracing::info_span!("work").in_scope(|| tracing::info!("hello"));
    // Several rounds: a loop would export the stack's records of one round
    // in the next.
    for _ in 0..4 {
        let deadline = Instant::now() + Duration::from_secs(10);
        tracer.flush(deadline).unwrap();
        logger.flush(deadline).unwrap();
        std::thread::sleep(Duration::from_millis(50));
    }
    receiver.wait_for("the span and the log", Duration::from_secs(10), |r| {
        !r.spans().is_empty() && !r.logs().is_empty()
    });

    assert!(
        TRANSPORT_EVENTS.load(Ordering::Relaxed) > 0,
        "the export stack emitted no `tracing` event: nothing could loop"
    );
    let spans = receiver.spans();
    let logs = receiver.logs();
    let bodies: Vec<_> = logs.iter().map(|l| text(&l.record.body)).collect();
    assert_eq!(spans.len(), 1, "{spans:#?}");
    assert_eq!(bodies, [Some("hello")]);
    let dropped = omniscope::dropped_on_reentry();
    assert_eq!(dropped.total(), 0, "{dropped:?}");
}
