//! [`ServerBuilder`]: where a server listens, what it is called, which
//! hosts and how many connections it serves, what it holds in memory, and
//! what else runs beside them.

use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::{Request, Response};
use tokio::sync::watch;

use crate::host::Hosts;
use crate::registry::Limits;
use crate::{Body, ServeError, Server, Stopping};

/// The most connections a server serves at once unless
/// [`with_max_connections`](ServerBuilder::with_max_connections) says
/// otherwise.
pub const DEFAULT_MAX_CONNECTIONS: usize = 64;

/// The most bytes of answers a server holds for clients that have not read
/// them yet, unless
/// [`with_max_buffered_bytes`](ServerBuilder::with_max_buffered_bytes) says
/// otherwise: 64 MiB.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 64 << 20;

/// How long a client has to read an answer unless
/// [`with_write_timeout`](ServerBuilder::with_write_timeout) says
/// otherwise: 30 s.
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

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
    pub(crate) limits: Limits,
    pub(crate) hosts: Hosts,
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
            .field("limits", &self.limits)
            .field("hosts", &self.hosts)
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
            limits: Limits {
                max_connections: DEFAULT_MAX_CONNECTIONS,
                max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
                write_timeout: DEFAULT_WRITE_TIMEOUT,
            },
            hosts: Hosts::default(),
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

    /// The most connections served at once (0 counts as 1). When all are
    /// open, a new connection closes the one idle the longest (still
    /// sending its headers, kept alive between requests, or not reading
    /// its answer), so that a fresh request is always served however many
    /// slow clients there are; a connection whose handler is running is
    /// never closed, and when every one is, the new connection is closed
    /// instead. Both are counted in [`Server::stats`]. Default:
    /// [`DEFAULT_MAX_CONNECTIONS`], 64.
    pub fn with_max_connections(mut self, max: usize) -> ServerBuilder {
        self.limits.max_connections = max;
        self
    }

    /// The most bytes of answers held in memory for clients that have not
    /// read them yet, over all connections. A new answer that does not fit
    /// closes the connections that have left theirs unread the longest; an
    /// answer larger than this alone is replaced by a `503` saying so.
    /// Both are counted in [`Server::stats`]. Default:
    /// [`DEFAULT_MAX_BUFFERED_BYTES`], 64 MiB.
    pub fn with_max_buffered_bytes(mut self, max: usize) -> ServerBuilder {
        self.limits.max_buffered_bytes = max;
        self
    }

    /// How long a client has to read an answer, from the moment the
    /// handler returned it; a connection still writing it then is closed
    /// (counted in [`Server::stats`]). Default: [`DEFAULT_WRITE_TIMEOUT`],
    /// 30 s.
    pub fn with_write_timeout(mut self, timeout: Duration) -> ServerBuilder {
        self.limits.write_timeout = timeout;
        self
    }

    /// Serves requests whose `Host` header names `name` (with any port,
    /// ignoring case; check it with [`check_host_name`](crate::check_host_name)),
    /// besides `localhost` and IP addresses. Other names are answered
    /// `421 Misdirected Request` (counted in [`Server::stats`]): a web page
    /// can point a name of its own at this machine (DNS rebinding), and
    /// would then read the server as its own origin. Give the names
    /// clients use to reach an exposed server. Can be called more than
    /// once. Default: none.
    pub fn with_allowed_host(mut self, name: impl Into<String>) -> ServerBuilder {
        let name: String = name.into();
        let name = name.strip_suffix('.').unwrap_or(&name).to_owned();
        self.hosts.allowed.push(name);
        self
    }

    /// Serves requests whatever their `Host` header names: the DNS
    /// rebinding check is off. Only for a server exposed to the network on
    /// purpose, read by clients that name it as they like (Prometheus
    /// scrapers behind service discovery), which shows nothing a page on
    /// another site must not read. Default: `false`.
    pub fn with_any_host(mut self, any: bool) -> ServerBuilder {
        self.hosts.any = any;
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
    /// `handler` answers every request whose `Host` is
    /// [allowed](ServerBuilder::with_allowed_host), on that runtime; a
    /// request's headers must arrive within
    /// [`HEADER_TIMEOUT`](crate::HEADER_TIMEOUT), and its answer be read
    /// within the [write timeout](ServerBuilder::with_write_timeout).
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
