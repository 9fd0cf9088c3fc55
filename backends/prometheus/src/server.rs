//! The built-in listener: the metrics at the configured path, served by
//! [`omniscope_serve`] (one dedicated thread running a private
//! single-threaded tokio runtime, so the application needs no runtime of
//! its own and scrapes never run on the application's).
//!
//! The thread suppresses the telemetry it emits
//! ([`omniscope::suppress_current_thread`]). Connections are limited
//! ([`MAX_CONNECTIONS`]; when all are open, the one idle the longest makes
//! room) and kept alive between scrapes, as Prometheus likes; a request's
//! headers must arrive within [`HEADER_TIMEOUT`], and its answer be read
//! within [`omniscope_serve::DEFAULT_WRITE_TIMEOUT`].
//!
//! On loopback, only requests for `localhost` or an IP address are
//! answered (DNS rebinding: no web page may read the metrics through a
//! name of its own). Bound beyond loopback (`with_public(true)`), every
//! `Host` is answered: scrapers name the endpoint as their service
//! discovery does, and what a rebinding page could read there, the network
//! offers already.
//! [`Server::shutdown`] stops accepting, closes idle connections, lets
//! scrapes in progress finish until the deadline, and joins the thread.

use std::future::{ready, Ready};
use std::net::SocketAddr;

use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use omniscope_serve::Body;
pub use omniscope_serve::{ServeError, Server, ShutdownTimeout, DROP_TIMEOUT, HEADER_TIMEOUT};

use crate::service::{text, MetricsService};

/// The most connections the endpoint serves at once; more are closed on
/// accept.
pub const MAX_CONNECTIONS: usize = 32;

/// Starts the listener (for [`Prometheus::serve`](crate::Prometheus::serve)):
/// `service` answers at `path`.
pub(crate) fn start(
    addr: SocketAddr,
    path: String,
    allowed_hosts: &[String],
    service: MetricsService,
) -> Result<Server, ServeError> {
    let server = Server::builder(addr)
        .with_name("omniscope-prometheus")
        .with_purpose("Prometheus scrapes")
        .with_bind_hint("pick another address with with_addr, or set OTEL_EXPORTER_PROMETHEUS_PORT")
        .with_path(path.clone())
        .with_max_connections(MAX_CONNECTIONS)
        .with_any_host(!addr.ip().is_loopback());
    allowed_hosts
        .iter()
        .fold(server, |server, name| {
            server.with_allowed_host(name.clone())
        })
        .start(move |request| route(&service, &path, &request))
}

/// The metrics at `path`; `404 Not Found` elsewhere.
fn route(
    service: &MetricsService,
    path: &str,
    request: &Request<Incoming>,
) -> Ready<Response<Body>> {
    ready(match request.uri().path() == path {
        true => service.respond(request.method(), request.headers()),
        false => text(
            StatusCode::NOT_FOUND,
            format!("not found: the metrics are at {path}\n"),
        ),
    })
}
