//! [`ServerBuilder`]: where a server listens, what it is called, how many
//! connections it serves, and what else runs beside them.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::sync::watch;

use crate::{Body, ServeError, Server, Stopping};

/// The most connections a server serves at once unless
/// [`with_max_connections`](ServerBuilder::with_max_connections) says
/// otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 64;

/// A task run beside the connections (from [`ServerBuilder::with_task`]).
pub(crate) type Task = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Configures a [`Server`] (from [`Server::builder`]); every setter states
/// its default. [`start`](ServerBuilder::start) binds and starts it.
#[must_use]
pub struct ServerBuilder {
    pub(crate) addr: SocketAddr,
    pub(crate) name: String,
    pub(crate) purpose: String,
    pub(crate) bind_hint: String,
    pub(crate) path: String,
    pub(crate) max_connections: usize,
    pub(crate) tasks: Vec<Task>,
    pub(crate) stopping: watch::Sender<bool>,
}

impl fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("addr", &self.addr)
            .field("name", &self.name)
            .field("purpose", &self.purpose)
            .field("bind_hint", &self.bind_hint)
            .field("path", &self.path)
            .field("max_connections", &self.max_connections)
            .field("tasks", &self.tasks.len())
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    pub(crate) fn new(addr: SocketAddr) -> ServerBuilder {
        ServerBuilder {
            addr,
            name: "omniscope-serve".to_owned(),
            purpose: "HTTP requests".to_owned(),
            bind_hint: "pick another address".to_owned(),
            path: "/".to_owned(),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            tasks: Vec::new(),
            stopping: watch::Sender::new(false),
        }
    }

    /// The name of the server's thread (what debuggers and `top -H` show).
    /// Default: `omniscope-serve`.
    pub fn with_name(mut self, name: impl Into<String>) -> ServerBuilder {
        self.name = name.into();
        self
    }

    /// What the server is for, as its errors say it: `cannot listen on
    /// <addr> for <purpose>`, such as `the dashboard`. Default:
    /// `HTTP requests`.
    pub fn with_purpose(mut self, purpose: impl Into<String>) -> ServerBuilder {
        self.purpose = purpose.into();
        self
    }

    /// What to do when the address cannot be bound, added to that error in
    /// parentheses (name the setter or variable that picks the address).
    /// Default: `pick another address`.
    pub fn with_bind_hint(mut self, hint: impl Into<String>) -> ServerBuilder {
        self.bind_hint = hint.into();
        self
    }

    /// The path [`Server::url`] points at; the handler still sees every
    /// path. Default: `/`.
    pub fn with_path(mut self, path: impl Into<String>) -> ServerBuilder {
        self.path = path.into();
        self
    }

    /// The most connections served at once; more are closed as soon as
    /// they are accepted (0 counts as 1). Default:
    /// [`DEFAULT_MAX_CONNECTIONS`], 64.
    pub fn with_max_connections(mut self, max: usize) -> ServerBuilder {
        self.max_connections = max;
        self
    }

    /// Runs `task` on the server's runtime beside the connections (periodic
    /// sampling, say), from [`start`](ServerBuilder::start) until it ends
    /// or the server begins to shut down, when it is dropped. Can be called
    /// more than once. Default: no task.
    pub fn with_task(mut self, task: impl Future<Output = ()> + Send + 'static) -> ServerBuilder {
        self.tasks.push(Box::pin(task));
        self
    }

    /// The signal the server gives when it begins to shut down, for
    /// handlers that wait (see [`Stopping`]): take it before
    /// [`start`](ServerBuilder::start) to put it in the handler's state.
    pub fn stopping(&self) -> Stopping {
        Stopping::new(self.stopping.subscribe())
    }

    /// Binds the address and starts the server on a thread of its own, with
    /// a private single-threaded tokio runtime (the application needs none,
    /// and requests never run on its runtime). The thread suppresses the
    /// telemetry it emits ([`omniscope::suppress_current_thread`]), so that
    /// serving never feeds logs or spans back into what is served.
    ///
    /// `handler` answers every request, on that runtime; a request's
    /// headers must arrive within [`HEADER_TIMEOUT`](crate::HEADER_TIMEOUT).
    ///
    /// # Errors
    /// The address cannot be bound (in use, or not an address of this
    /// machine), or the thread or its runtime cannot start. The message
    /// names the address, the [purpose](ServerBuilder::with_purpose) and,
    /// for the address, the [hint](ServerBuilder::with_bind_hint).
    pub fn start<H, F>(self, handler: H) -> Result<Server, ServeError>
    where
        H: Fn(Request<Incoming>) -> F + Send + Sync + 'static,
        F: Future<Output = Response<Body>> + Send + 'static,
    {
        crate::server::start(self, handler)
    }
}
