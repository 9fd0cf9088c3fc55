//! The dashboard's HTTP server: the router and its handlers, served by
//! [`omniscope_serve`] (one dedicated thread running a private
//! single-threaded tokio runtime, so the application needs no runtime of
//! its own and the dashboard never runs on the application's).
//!
//! The thread suppresses the telemetry it emits
//! ([`omniscope::suppress_current_thread`]), so serving the dashboard never
//! feeds logs or spans back into it. Only `localhost`, IP addresses and
//! the allowed host names are served (DNS rebinding). Connections are
//! limited ([`MAX_CONNECTIONS`]; when all are open, the one idle the
//! longest makes room); a request's headers must arrive within
//! [`HEADER_TIMEOUT`], and its answer be read within
//! [`omniscope_serve::DEFAULT_WRITE_TIMEOUT`]. [`Server::shutdown`] stops accepting, ends waiting
//! trace captures (through [`Stopping`]), lets requests in progress finish
//! until the deadline, and joins the thread. The server also samples every
//! metric, for the recent values.

mod api;
mod assets;
mod auth;
mod origin;
mod otlp;
mod otlp_convert;
mod prometheus;
mod query;
mod response;
mod router;

use std::sync::Arc;
use std::time::Duration;

use omniscope_sdk::Sdk;
use omniscope_serve::Stopping;
pub use omniscope_serve::{
    ServeError, Server, ServerStats, ShutdownTimeout, DROP_TIMEOUT, HEADER_TIMEOUT,
};
pub(crate) use otlp::start as start_otlp;
pub use otlp::MAX_OTLP_BODY;

use crate::present::ServerConfig;
use crate::state::{lock, State};
use crate::truncate;

/// The most connections the dashboard serves at once: a new one closes the
/// connection idle the longest (or, when every one runs a handler, is
/// closed itself).
pub const MAX_CONNECTIONS: usize = 64;

/// What the request handlers share.
pub(crate) struct App {
    pub(crate) state: Arc<State>,
    pub(crate) sdk: Sdk,
    pub(crate) token: Option<String>,
    /// Resolves when the server shuts down.
    pub(crate) stopping: Stopping,
}

/// Starts the dashboard's server (for [`Present::serve`](crate::Present::serve)),
/// and registers the process metrics on `sdk`'s meter.
pub(crate) fn start(
    state: Arc<State>,
    config: &ServerConfig,
    sdk: Sdk,
) -> Result<Server, ServeError> {
    let server = config.allowed_hosts.iter().fold(
        Server::builder(config.addr)
            .with_name("omniscope-present")
            .with_purpose("the dashboard")
            .with_bind_hint("pick another address with with_addr or OMNISCOPE_DASHBOARD_ADDR")
            .with_max_connections(MAX_CONNECTIONS),
        |server, name| server.with_allowed_host(name.clone()),
    );
    omniscope_sdk::process::register(sdk.meter());
    let app = Arc::new(App {
        state,
        sdk,
        token: config.bearer_token.clone(),
        stopping: server.stopping(),
    });
    server
        .with_task(sample_metrics(app.clone(), config.sample_interval))
        .start(move |request| {
            let app = app.clone();
            async move { router::route(&app, request).await }
        })
}

/// Samples every metric each `interval`, for the recent values.
async fn sample_metrics(app: Arc<App>, interval: Duration) {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // Cut as the views show it, so the keys match theirs and stay short.
        let snapshot = truncate::snapshot(app.sdk.meter().snapshot(), app.state.max_string_len);
        lock(&app.state.history).record(&snapshot);
    }
}
