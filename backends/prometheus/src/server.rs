//! The built-in listener: one dedicated thread running a private
//! single-threaded tokio runtime, so the application needs no runtime of
//! its own and scrapes never run on the application's.
//!
//! The thread suppresses the telemetry it emits
//! ([`omniscope::suppress_current_thread`]). Connections are limited
//! ([`MAX_CONNECTIONS`]) and kept alive between scrapes, as Prometheus
//! likes; a request's headers must arrive within [`HEADER_TIMEOUT`].
//! [`Server::shutdown`] stops accepting, closes idle connections, lets
//! scrapes in progress finish until the deadline, and joins the thread.

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Semaphore};

use crate::service::{text, MetricsService};

/// The most connections served at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 32;
/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long dropping a [`Server`] waits for scrapes in progress.
pub const DROP_TIMEOUT: Duration = Duration::from_secs(2);

/// A running scrape endpoint (from [`Prometheus::serve`](crate::Prometheus::serve)).
/// Dropping it shuts it down, waiting at most [`DROP_TIMEOUT`].
pub struct Server {
    local_addr: SocketAddr,
    path: String,
    stop: Mutex<Option<oneshot::Sender<Instant>>>,
    done: Mutex<Option<(mpsc::Receiver<()>, JoinHandle<()>)>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Why [`Prometheus::serve`](crate::Prometheus::serve) failed: what it was
/// doing, and the I/O error.
#[derive(Debug)]
pub struct ServeError {
    message: String,
    source: std::io::Error,
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.message, self.source)
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// [`Server::shutdown`] passed its deadline; the server thread ends on its
/// own once the scrapes still running finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownTimeout;

impl fmt::Display for ShutdownTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the Prometheus endpoint did not stop by the deadline: scrapes were still running",
        )
    }
}

impl std::error::Error for ShutdownTimeout {}

/// What every connection shares.
struct App {
    service: MetricsService,
    path: String,
}

impl Server {
    pub(crate) fn start(
        addr: SocketAddr,
        path: String,
        service: MetricsService,
    ) -> Result<Server, ServeError> {
        let fail = |message: String| move |source| ServeError { message, source };
        let listener = std::net::TcpListener::bind(addr).map_err(fail(format!(
            "cannot listen on {addr} for Prometheus scrapes \
             (pick another address with with_addr, or set OTEL_EXPORTER_PROMETHEUS_PORT)"
        )))?;
        let local_addr = listener.local_addr().map_err(fail(format!(
            "cannot read the local address of the Prometheus endpoint ({addr})"
        )))?;
        listener.set_nonblocking(true).map_err(fail(format!(
            "cannot set up the Prometheus listener on {addr}"
        )))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(fail(
                "cannot start the Prometheus endpoint's runtime".to_owned(),
            ))?;
        let (stop_tx, stop_rx) = oneshot::channel();
        let (done_tx, done_rx) = mpsc::channel();
        let app = Arc::new(App {
            service,
            path: path.clone(),
        });
        let thread = std::thread::Builder::new()
            .name("omniscope-prometheus".into())
            .spawn(move || {
                omniscope::suppress_current_thread();
                runtime.block_on(run(listener, app, stop_rx));
                // Tasks still running (scrapes past the deadline) end here.
                drop(runtime);
                let _ = done_tx.send(());
            })
            .map_err(fail(
                "cannot start the Prometheus endpoint's thread".to_owned(),
            ))?;
        Ok(Server {
            local_addr,
            path,
            stop: Mutex::new(Some(stop_tx)),
            done: Mutex::new(Some((done_rx, thread))),
        })
    }

    /// The address it listens on (with the port chosen, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL of the metrics, `http://<local_addr><path>`
    /// (`http://127.0.0.1:9464/metrics`).
    pub fn url(&self) -> String {
        format!("http://{}{}", self.local_addr, self.path)
    }

    /// Stops accepting connections, closes idle ones, lets the scrapes in
    /// progress finish until `deadline`, and joins the thread. Idempotent.
    ///
    /// # Errors
    /// [`ShutdownTimeout`] when scrapes were still running at `deadline`.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ShutdownTimeout> {
        if let Some(stop) = lock(&self.stop).take() {
            // The thread may have ended already (its runtime failed): fine.
            let _ = stop.send(deadline);
        }
        let Some((done, thread)) = lock(&self.done).take() else {
            return Ok(());
        };
        // A little past the deadline: the thread needs it to tear down.
        let wait = deadline.saturating_duration_since(Instant::now()) + Duration::from_millis(200);
        match done.recv_timeout(wait) {
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                Ok(())
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ShutdownTimeout),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown(Instant::now() + DROP_TIMEOUT);
    }
}

/// A lock that shrugs off poisoning: the state it guards stays valid.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The accept loop, then the drain.
async fn run(listener: std::net::TcpListener, app: Arc<App>, mut stop: oneshot::Receiver<Instant>) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let (stopping_tx, stopping) = watch::channel(false);
    let deadline = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => serve(stream, &app, &slots, stopping.clone()),
                // Out of file descriptors, say: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            deadline = &mut stop => break deadline.unwrap_or_else(|_| Instant::now() + DROP_TIMEOUT),
        }
    };
    drop(listener);
    let _ = stopping_tx.send(true);
    // Every connection holds a slot: all slots back means all closed.
    let all = u32::try_from(MAX_CONNECTIONS).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout_at(deadline.into(), slots.acquire_many(all)).await;
}

/// Serves one connection on its own task, closing it gracefully when the
/// server stops.
fn serve(
    stream: TcpStream,
    app: &Arc<App>,
    slots: &Arc<Semaphore>,
    mut stopping: watch::Receiver<bool>,
) {
    let Ok(slot) = slots.clone().try_acquire_owned() else {
        return; // Too many connections: this one is closed at once.
    };
    let app = app.clone();
    let service = service_fn(move |request| {
        let response = route(&app, &request);
        async move { Ok::<_, Infallible>(response) }
    });
    tokio::spawn(async move {
        let conn = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        tokio::pin!(conn);
        tokio::select! {
            _ = conn.as_mut() => {}
            () = stopped(&mut stopping) => {
                conn.as_mut().graceful_shutdown();
                let _ = conn.await;
            }
        }
        drop(slot);
    });
}

/// Resolves when the server starts shutting down.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: the server is stopping too.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// The metrics at the configured path; `404 Not Found` elsewhere.
fn route(app: &App, request: &Request<Incoming>) -> Response<Full<Bytes>> {
    if request.uri().path() != app.path {
        return text(
            StatusCode::NOT_FOUND,
            format!("not found: the metrics are at {}\n", app.path),
        );
    }
    app.service.respond(request.method(), request.headers())
}
