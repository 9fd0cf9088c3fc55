//! The HTTP server: one dedicated thread running a private single-threaded
//! tokio runtime, so the application needs no runtime of its own and the
//! dashboard never runs on the application's.
//!
//! The thread suppresses the telemetry it emits
//! ([`omniscope::suppress_current_thread`]), so serving the dashboard never
//! feeds logs or spans back into it. Connections are limited
//! ([`MAX_CONNECTIONS`]); a request's headers must arrive within
//! [`HEADER_TIMEOUT`]. [`Server::shutdown`] stops accepting, ends waiting
//! trace captures, lets requests in progress finish until the deadline, and
//! joins the thread.

mod api;
mod assets;
mod auth;
mod prometheus;
mod query;
mod response;
mod router;

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use omniscope_sdk::Sdk;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, Semaphore};

use crate::present::ServerConfig;
use crate::state::{lock, State};

/// The most connections served at once; more are closed on accept.
pub const MAX_CONNECTIONS: usize = 64;
/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long dropping a [`Server`] waits for requests in progress.
pub const DROP_TIMEOUT: Duration = Duration::from_secs(2);

/// What the request handlers share.
pub(crate) struct App {
    pub(crate) state: Arc<State>,
    pub(crate) sdk: Sdk,
    pub(crate) token: Option<String>,
    /// Turns `true` when the server shuts down.
    pub(crate) stopping: watch::Receiver<bool>,
}

/// A running dashboard server (from [`Present::serve`](crate::Present::serve)).
/// Dropping it shuts it down, waiting at most [`DROP_TIMEOUT`].
pub struct Server {
    local_addr: SocketAddr,
    stop: Mutex<Option<oneshot::Sender<Instant>>>,
    done: Mutex<Option<(mpsc::Receiver<()>, JoinHandle<()>)>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

/// Why [`Present::serve`](crate::Present::serve) failed.
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

/// [`Server::shutdown`] passed its deadline; the server thread ends on
/// its own once the requests still running finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownTimeout;

impl fmt::Display for ShutdownTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the dashboard server did not stop by the deadline: requests were still running",
        )
    }
}

impl std::error::Error for ShutdownTimeout {}

impl Server {
    pub(crate) fn start(
        state: Arc<State>,
        config: &ServerConfig,
        sdk: Sdk,
    ) -> Result<Server, ServeError> {
        let addr = config.addr;
        let fail = |message: String| move |source| ServeError { message, source };
        let listener = std::net::TcpListener::bind(addr).map_err(fail(format!(
            "cannot listen on {addr} for the dashboard (pick another address with with_addr)"
        )))?;
        let local_addr = listener.local_addr().map_err(fail(format!(
            "cannot read the dashboard's local address ({addr})"
        )))?;
        listener.set_nonblocking(true).map_err(fail(format!(
            "cannot set up the dashboard listener on {addr}"
        )))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()
            .map_err(fail("cannot start the dashboard's runtime".to_owned()))?;
        omniscope_sdk::process::register(sdk.meter());
        let (stop_tx, stop_rx) = oneshot::channel();
        let (stopping_tx, stopping) = watch::channel(false);
        let (done_tx, done_rx) = mpsc::channel();
        let app = Arc::new(App {
            state,
            sdk,
            token: config.bearer_token.clone(),
            stopping,
        });
        let interval = config.sample_interval;
        let thread = std::thread::Builder::new()
            .name("omniscope-present".into())
            .spawn(move || {
                omniscope::suppress_current_thread();
                runtime.block_on(run(listener, app, stop_rx, stopping_tx, interval));
                // Tasks still running (requests past the deadline) end here.
                drop(runtime);
                let _ = done_tx.send(());
            })
            .map_err(fail("cannot start the dashboard's thread".to_owned()))?;
        Ok(Server {
            local_addr,
            stop: Mutex::new(Some(stop_tx)),
            done: Mutex::new(Some((done_rx, thread))),
        })
    }

    /// The address it listens on (with the port chosen, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The dashboard's URL, `http://<local_addr>/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.local_addr)
    }

    /// Stops accepting connections, ends waiting trace captures, lets the
    /// requests in progress finish until `deadline`, and joins the thread.
    /// Idempotent.
    ///
    /// # Errors
    /// [`ShutdownTimeout`] when requests were still running at `deadline`.
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

/// The accept loop, then the drain.
async fn run(
    listener: std::net::TcpListener,
    app: Arc<App>,
    mut stop: oneshot::Receiver<Instant>,
    stopping: watch::Sender<bool>,
    sample_interval: Duration,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let sampler = tokio::spawn(sample_metrics(app.clone(), sample_interval));
    let deadline = loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => serve(stream, &app, &slots),
                // Out of file descriptors, say: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            deadline = &mut stop => break deadline.unwrap_or_else(|_| Instant::now() + DROP_TIMEOUT),
        }
    };
    drop(listener);
    sampler.abort();
    let _ = stopping.send(true);
    // Every connection holds a slot: all slots back means all closed.
    let all = u32::try_from(MAX_CONNECTIONS).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout_at(deadline.into(), slots.acquire_many(all)).await;
}

/// Serves one connection on its own task, closing it gracefully when the
/// server stops.
fn serve(stream: TcpStream, app: &Arc<App>, slots: &Arc<Semaphore>) {
    let Ok(slot) = slots.clone().try_acquire_owned() else {
        return; // Too many connections: this one is closed at once.
    };
    let handler = app.clone();
    let service = service_fn(move |req| {
        let app = handler.clone();
        async move { Ok::<_, Infallible>(router::route(&app, req).await) }
    });
    let mut stopping = app.stopping.clone();
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
pub(crate) async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // An error means the sender is gone: the server is stopping too.
    let _ = stopping.wait_for(|stop| *stop).await;
}

/// Samples every metric each `interval`, for the recent values.
async fn sample_metrics(app: Arc<App>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let snapshot = app.sdk.meter().snapshot();
        lock(&app.state.history).record(&snapshot);
    }
}
