//! [`Server`]: binding, the server's thread and runtime, and shutting it
//! down within a deadline.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper::{Request, Response};
use omniscope::sync::lock;
use tokio::sync::oneshot;

use crate::connection::Shared;
use crate::registry::Registry;
use crate::run::{run, Setup};
use crate::{Body, ServeError, ServerBuilder, ServerStats, ShutdownTimeout};

/// How long dropping a [`Server`] waits for requests in progress.
pub const DROP_TIMEOUT: Duration = Duration::from_secs(2);

/// How long past the deadline [`Server::shutdown`] waits for the thread to
/// tear down (drop the runtime and the requests cut off).
const TEARDOWN: Duration = Duration::from_millis(200);

/// A running server (from [`ServerBuilder::start`]). Dropping it shuts it
/// down, waiting at most [`DROP_TIMEOUT`].
pub struct Server {
    local_addr: SocketAddr,
    path: String,
    registry: Arc<Registry>,
    stop: Mutex<Option<oneshot::Sender<Instant>>>,
    /// Tells, once the thread is about to end, whether every connection
    /// closed before the deadline.
    done: Mutex<Option<(mpsc::Receiver<bool>, JoinHandle<()>)>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// A builder for a server on `addr` (port 0 picks a free port), with the
    /// defaults each setter states. Check the address with
    /// [`check_loopback`](crate::check_loopback) first.
    pub fn builder(addr: SocketAddr) -> ServerBuilder {
        ServerBuilder::new(addr)
    }

    /// The address it listens on (with the port chosen, for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The URL of what it serves, `http://<local_addr><path>` (with the
    /// path of [`with_path`](ServerBuilder::with_path): `http://127.0.0.1:9000/`,
    /// `http://127.0.0.1:9464/metrics`).
    pub fn url(&self) -> String {
        format!("http://{}{}", self.local_addr, self.path)
    }

    /// What it holds now (connections, answers not written yet) and what
    /// it has refused or cut off since it started.
    pub fn stats(&self) -> ServerStats {
        self.registry.stats()
    }

    /// Stops accepting connections, gives the [`Stopping`](crate::Stopping)
    /// signal (waiting handlers answer), closes idle connections, lets the
    /// requests in progress finish until `deadline`, and joins the thread.
    /// Idempotent: later calls return `Ok` at once.
    ///
    /// # Errors
    /// [`ShutdownTimeout`] when requests were still running at `deadline`.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ShutdownTimeout> {
        if let Some(stop) = lock(&self.stop).take() {
            // The thread may have ended already (a task panicked): fine.
            let _ = stop.send(deadline);
        }
        let Some((done, thread)) = lock(&self.done).take() else {
            return Ok(());
        };
        let wait = deadline.saturating_duration_since(Instant::now()) + TEARDOWN;
        match done.recv_timeout(wait) {
            Ok(drained) => {
                let _ = thread.join();
                drained.then_some(()).ok_or(ShutdownTimeout)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let _ = thread.join();
                Ok(())
            }
            // A handler blocks the thread: it ends on its own, unjoined.
            Err(mpsc::RecvTimeoutError::Timeout) => Err(ShutdownTimeout),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.shutdown(Instant::now() + DROP_TIMEOUT);
    }
}

/// Binds, makes the runtime, and starts the thread that runs the server.
pub(crate) fn start<H, F>(builder: ServerBuilder, handler: H) -> Result<Server, ServeError>
where
    H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
    F: Future<Output = Response<Body>> + Send + 'static,
{
    let ServerBuilder {
        addr,
        name,
        purpose,
        bind_hint,
        path,
        limits,
        hosts,
        tasks,
        stopping,
    } = builder;
    let fail = |message: String| move |source| ServeError::new(message, source);
    let listener = std::net::TcpListener::bind(addr).map_err(fail(format!(
        "cannot listen on {addr} for {purpose} ({bind_hint})"
    )))?;
    let local_addr = listener.local_addr().map_err(fail(format!(
        "cannot read the local address of the listener for {purpose} ({addr})"
    )))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(fail(format!("cannot start the runtime for {purpose}")))?;
    let setup_failed = fail(format!(
        "cannot set up the listener for {purpose} on {addr}"
    ));
    let listener = listener
        .set_nonblocking(true)
        .and_then(|()| {
            // Registers it with the runtime's reactor, which needs the
            // runtime entered; it is driven on the server's thread.
            let _entered = runtime.enter();
            tokio::net::TcpListener::from_std(listener)
        })
        .map_err(setup_failed)?;
    let registry = Registry::new(limits);
    let setup = Setup {
        shared: Arc::new(Shared {
            handler,
            hosts,
            registry: registry.clone(),
        }),
        tasks,
        stopping,
    };
    let (stop_tx, stop_rx) = oneshot::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let thread = std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            omniscope::suppress_current_thread();
            let drained = runtime.block_on(run(listener, setup, stop_rx));
            // Tasks still running (requests past the deadline) end here.
            drop(runtime);
            let _ = done_tx.send(drained);
        })
        .map_err(fail(format!("cannot start the thread for {purpose}")))?;
    Ok(Server {
        local_addr,
        path,
        registry,
        stop: Mutex::new(Some(stop_tx)),
        done: Mutex::new(Some((done_rx, thread))),
    })
}
