//! On the server's thread: the accept loop, then the drain.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch, Semaphore};

use crate::builder::Task;
use crate::connection::serve;
use crate::{Body, Stopping, DROP_TIMEOUT};

/// What the server's thread runs besides the listener.
pub(crate) struct Setup<H> {
    pub(crate) handler: Arc<H>,
    pub(crate) max_connections: usize,
    pub(crate) tasks: Vec<Task>,
    pub(crate) stopping: watch::Sender<bool>,
}

/// Accepts connections until `stop` gives the deadline, then gives the
/// stopping signal and waits until every connection closed or the
/// deadline passed. Returns whether every connection closed in time.
pub(crate) async fn run<H, F>(
    listener: TcpListener,
    setup: Setup<H>,
    mut stop: oneshot::Receiver<Instant>,
) -> bool
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let tasks: Vec<_> = setup.tasks.into_iter().map(tokio::spawn).collect();
    // Every connection holds a slot, so that all slots back means all
    // closed; the semaphore counts in u32 and caps its permits.
    let max = setup
        .max_connections
        .clamp(1, Semaphore::MAX_PERMITS.min(u32::MAX as usize));
    let slots = Arc::new(Semaphore::new(max));
    let deadline = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let stopping = Stopping::new(setup.stopping.subscribe());
                    serve(stream, &setup.handler, &slots, stopping);
                }
                // Out of file descriptors, say: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            // The sender is gone only if the Server is: Drop's deadline.
            deadline = &mut stop => break deadline.unwrap_or_else(|_| Instant::now() + DROP_TIMEOUT),
        }
    };
    drop(listener);
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    setup.stopping.send_replace(true);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout_at(deadline.into(), slots.acquire_many(all)).await;
    drained.is_ok()
}
