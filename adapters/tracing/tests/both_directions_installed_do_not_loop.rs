//! With both directions installed (`tracing` → omniscope through the layer,
//! omniscope → `tracing` through `TracingLogger` and `TracingTracer`), a
//! record in either world reaches the other once and never comes back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicU64, Ordering};

use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::Layer;

/// Counts what the `tracing` side sees, by target.
static BRIDGED_EVENTS: AtomicU64 = AtomicU64::new(0);
static OWN_EVENTS: AtomicU64 = AtomicU64::new(0);
static BRIDGED_SPANS: AtomicU64 = AtomicU64::new(0);

struct Count;

impl<S: Subscriber> Layer<S> for Count {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == omniscope_tracing::TARGET {
            BRIDGED_EVENTS.fetch_add(1, Ordering::Relaxed);
        } else {
            OWN_EVENTS.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::Id,
        _: Context<'_, S>,
    ) {
        if attrs.metadata().target() == omniscope_tracing::TARGET {
            BRIDGED_SPANS.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[test]
fn records_cross_once_and_stop() {
    tracing::subscriber::set_global_default(
        tracing_subscriber::registry()
            .with(omniscope_tracing::layer())
            .with(Count),
    )
    .unwrap();
    omniscope::set_tracer(omniscope_tracing::TracingTracer::new()).unwrap();
    omniscope::set_logger(omniscope_tracing::TracingLogger::new()).unwrap();

    {
        let _span = omniscope::span!("omniscope span");
        omniscope::info!("from omniscope");
    }
    tracing::info_span!("tracing span").in_scope(|| tracing::info!("from tracing"));

    // The omniscope log became one bridged event; the tracing event became
    // one omniscope log, which became one bridged event, and stopped there.
    assert_eq!(OWN_EVENTS.load(Ordering::Relaxed), 1);
    assert_eq!(BRIDGED_EVENTS.load(Ordering::Relaxed), 2);
    // The omniscope span, and the omniscope span the layer made of the
    // tracing span.
    assert_eq!(BRIDGED_SPANS.load(Ordering::Relaxed), 2);
}
