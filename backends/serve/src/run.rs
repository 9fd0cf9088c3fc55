//! On the server's thread: the accept loop, then the drain.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};

use crate::builder::Task;
use crate::connection::{serve, Shared};
use crate::{Body, Stopping, DROP_TIMEOUT};

/// What the server's thread runs besides the listener.
pub(crate) struct Setup<H> {
    pub(crate) shared: Arc<Shared<H>>,
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
    let deadline = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let stopping = Stopping::new(setup.stopping.subscribe());
                    serve(stream, &setup.shared, stopping);
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
    let drained = setup.shared.registry.drained();
    tokio::time::timeout_at(deadline.into(), drained)
        .await
        .is_ok()
}
