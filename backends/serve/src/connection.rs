//! One connection: HTTP/1.1 with a header timeout, closed gracefully when
//! the server stops.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

use crate::{Body, Stopping};

/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `stream` on a task of its own while it holds one of `slots`;
/// with none left, it is closed at once.
pub(crate) fn serve<H, F>(
    stream: TcpStream,
    handler: &Arc<H>,
    slots: &Arc<Semaphore>,
    stopping: Stopping,
) where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let Ok(slot) = slots.clone().try_acquire_owned() else {
        return; // Too many connections: dropping the stream closes it.
    };
    let handler = handler.clone();
    let service = service_fn(move |request| {
        let response = handler(request);
        async move { Ok::<_, Infallible>(response.await) }
    });
    tokio::spawn(async move {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => {}
            () = stopping.stopped() => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
        drop(slot);
    });
}
