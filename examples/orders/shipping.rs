//! Shipping: a bounded queue of paid orders, and the background worker
//! that hands them to the (simulated) carrier. Each shipment is a trace of
//! its own, linked to the request that placed the order.

use std::error::Error;
use std::fmt;
use std::io;
use std::sync::Arc;

use omniscope::metrics::{Key, LazyUpDownCounter, MetricMeta, Unit};
use omniscope::{counter, error, info, span, warn, FutureExt, Span, SpanContext, SpanKind};
use tokio::sync::mpsc::{self, error::TrySendError};

use crate::orders::Store;
use crate::sim::Sim;

/// Orders waiting in the queue.
static QUEUE_DEPTH: LazyUpDownCounter = LazyUpDownCounter::with_meta(
    Key::from_static("shipping.queue.depth", &[]),
    MetricMeta::new(Unit::custom("{order}"), "Paid orders waiting to be shipped"),
);

/// A paid order waiting for the carrier.
#[derive(Debug)]
struct Job {
    order_id: u64,
    /// The span that queued it, to link the shipment's trace to.
    queued_by: Option<SpanContext>,
}

/// The sending side of the queue, held by the order service.
#[derive(Clone, Debug)]
pub(crate) struct ShippingQueue {
    jobs: mpsc::Sender<Job>,
}

/// The receiving side of the queue, for [`Shipper::run`].
#[derive(Debug)]
pub(crate) struct Jobs(mpsc::Receiver<Job>);

impl ShippingQueue {
    /// A queue holding up to `capacity` orders.
    pub(crate) fn new(capacity: usize) -> (ShippingQueue, Jobs) {
        let (jobs, receiver) = mpsc::channel(capacity);
        (ShippingQueue { jobs }, Jobs(receiver))
    }

    /// Queues order `id` for shipping. Never waits: when the queue is full
    /// the order stays paid but unshipped (a real service would keep an
    /// outbox table and retry).
    pub(crate) fn enqueue(&self, order_id: u64) {
        let job = Job {
            order_id,
            queued_by: omniscope::context::current_span_context(),
        };
        // Counted before sending, so that the worker's decrement never comes first.
        QUEUE_DEPTH.add(1);
        if let Err(e) = self.jobs.try_send(job) {
            QUEUE_DEPTH.add(-1);
            counter!("shipping.queue.rejected").increment(1);
            let why = match e {
                TrySendError::Full(_) => "the shipping queue is full",
                TrySendError::Closed(_) => "shipping has stopped",
            };
            warn!("order not queued for shipping: {why}"; order.id = order_id);
        }
    }
}

/// Why the carrier did not take a shipment.
#[derive(Debug)]
pub(crate) struct ShippingError(io::Error);

impl fmt::Display for ShippingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the carrier did not accept the shipment")
    }
}

impl Error for ShippingError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.0)
    }
}

/// The background worker.
#[derive(Debug)]
pub(crate) struct Shipper {
    store: Arc<Store>,
    sim: Sim,
}

impl Shipper {
    pub(crate) fn new(store: Arc<Store>, sim: Sim) -> Shipper {
        Shipper { store, sim }
    }

    /// Ships queued orders, one at a time, until every sender is gone and
    /// the queue is empty.
    pub(crate) async fn run(self, mut jobs: Jobs) {
        while let Some(job) = jobs.0.recv().await {
            QUEUE_DEPTH.add(-1);
            self.process(job).await;
        }
    }

    async fn process(&self, job: Job) {
        // The worker has no current span, so this starts a new trace.
        let span: Span =
            span!(kind: SpanKind::Consumer, "shipment", order.id = job.order_id).into();
        if let Some(queued_by) = &job.queued_by {
            span.add_link(queued_by, &[]);
        }
        self.ship_and_record(job.order_id).in_span(span).await;
    }

    async fn ship_and_record(&self, order_id: u64) {
        match self.ship_order(order_id).await {
            Ok(tracking) => {
                counter!("orders.shipped").increment(1);
                info!("order shipped"; order.id = order_id, tracking = tracking.as_str());
                self.store.mark_shipped(order_id, tracking);
            }
            // The worker is the edge of this work: nobody above it will
            // report the error. The order stays paid (a real service would
            // retry it later).
            Err(e) => {
                let chain = omniscope::error_chain(&e).join(": ");
                error!("shipment failed"; order.id = order_id, error = chain.as_str());
                omniscope::handle_error!(&e; order.id = order_id);
            }
        }
    }

    /// Hands order `order_id` to the carrier; returns the tracking number.
    #[omniscope::instrument]
    async fn ship_order(&self, order_id: u64) -> Result<String, ShippingError> {
        self.sim.delay(5..=25).await;
        if self.sim.chance(self.sim.faults().carrier_down) {
            let cause = io::Error::new(
                io::ErrorKind::ConnectionRefused,
                "connection refused by carrier.example:443",
            );
            return Err(ShippingError(cause));
        }
        Ok(format!("TRK{order_id:08}"))
    }
}
