//! One connection: HTTP/1.1 with a header timeout and a write deadline,
//! the `Host` check before the handler, closed when evicted to make room,
//! and gracefully when the server stops.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;

use crate::host::Hosts;
use crate::registry::{Registry, TooLarge};
use crate::watched::Watched;
use crate::{with_type, Body, Stopping};

/// How long a client may take to send a request's headers (and how long a
/// kept-alive connection may sit idle before its next request).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What every connection of a server shares.
pub(crate) struct Shared<H> {
    pub(crate) handler: H,
    pub(crate) hosts: Hosts,
    pub(crate) registry: Arc<Registry>,
}

/// Serves `stream` on a task of its own while it holds a slot of the
/// registry; with none to be had, it is closed at once.
pub(crate) fn serve<H, F>(stream: TcpStream, shared: &Arc<Shared<H>>, stopping: Stopping)
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let Some(admitted) = shared.registry.admit() else {
        return; // Every slot runs a handler: dropping the stream closes it.
    };
    let id = admitted.id();
    let for_service = shared.clone();
    let service = service_fn(move |request: Request<Incoming>| {
        let shared = for_service.clone();
        // hyper writes no body in answer to HEAD: nothing to hold for it.
        let head = request.method() == Method::HEAD;
        let refused = shared.hosts.refuse(request.uri(), request.headers());
        let answer = match refused {
            None => Ok((shared.handler)(request)),
            Some(refused) => {
                shared.registry.count_misdirected();
                Err(refused)
            }
        };
        let busy = Busy::begin(shared.registry.clone(), id);
        async move {
            let response = match answer {
                Ok(handling) => handling.await,
                Err(refused) => refused,
            };
            Ok::<_, Infallible>(busy.respond(response, head))
        }
    });
    let io = TokioIo::new(Watched::new(stream, shared.registry.clone(), id));
    tokio::spawn(async move {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(io, service);
        tokio::pin!(conn);
        // Evicted: dropping the connection closes it at once.
        tokio::select! {
            _ = conn.as_mut() => {}
            () = admitted.evicted() => {}
            () = stopping.stopped() => {
                conn.as_mut().graceful_shutdown();
                tokio::select! {
                    _ = conn.as_mut() => {}
                    () = admitted.evicted() => {}
                }
            }
        }
        drop(admitted);
    });
}

/// A handler running for connection `id`: the registry never evicts it.
/// Dropped without an answer (its client left), it frees the connection
/// for eviction again.
struct Busy {
    registry: Arc<Registry>,
    id: u64,
    answered: bool,
}

impl Busy {
    fn begin(registry: Arc<Registry>, id: u64) -> Busy {
        registry.begin(id);
        Busy {
            registry,
            id,
            answered: false,
        }
    }

    /// Hands `response` to the registry to be written (without its body
    /// for a `head` request), or a 503 in its place when it alone exceeds
    /// what the server holds in memory.
    fn respond(mut self, response: Response<Body>, head: bool) -> Response<Body> {
        self.answered = true;
        let size = if head { 0 } else { body_size(&response) };
        let Err(TooLarge { size, max }) = self.registry.respond(self.id, size) else {
            return response;
        };
        // A sentence, not counted against the limit.
        with_type(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            format!(
                "the answer is {size} bytes, more than this server holds in memory \
                 ({max} bytes): ask for less\n"
            ),
        )
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        if !self.answered {
            self.registry.abandon(self.id);
        }
    }
}

/// The bytes of `response`'s body (complete in memory: its size is exact).
fn body_size(response: &Response<Body>) -> usize {
    let hint = response.body().size_hint();
    let size = hint.exact().unwrap_or_else(|| hint.lower());
    usize::try_from(size).unwrap_or(usize::MAX)
}
