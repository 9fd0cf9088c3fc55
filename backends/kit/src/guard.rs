//! [`TelemetryGuard`]: what `install` returns; dropping it flushes and
//! shuts everything down.

use std::time::{Duration, Instant};

use omniscope_sdk::{Sdk, SdkGuard};

use crate::backends::Servers;
use crate::Backend;

/// How long a backend's server (the dashboard, the Prometheus endpoint) may
/// take to stop after the SDK has shut down.
const SERVER_SHUTDOWN: Duration = Duration::from_secs(2);

/// Installed telemetry. Keep it alive for the life of the program: dropping
/// it delivers everything queued (within the shutdown timeout) and stops
/// the backends' threads; the facade's globals then discard what follows.
#[must_use = "dropping the guard shuts telemetry down at once"]
#[derive(Debug)]
pub struct TelemetryGuard {
    sdk: Option<SdkGuard>,
    /// The servers of the backends that needed one, stopped after the SDK.
    servers: Servers,
}

impl TelemetryGuard {
    pub(crate) fn new(sdk: Option<SdkGuard>, servers: Servers) -> TelemetryGuard {
        TelemetryGuard { sdk, servers }
    }

    /// The installed SDK (`None` when `OTEL_SDK_DISABLED=true`): pipeline
    /// statistics, function statistics, a metrics snapshot.
    pub fn sdk(&self) -> Option<&Sdk> {
        self.sdk.as_ref().map(SdkGuard::sdk)
    }

    /// The dashboard's address (`http://127.0.0.1:9000/`), when it runs.
    pub fn dashboard_url(&self) -> Option<String> {
        self.url(Backend::Present)
    }

    /// The Prometheus endpoint's address (`http://127.0.0.1:9464/metrics`),
    /// when it runs.
    pub fn prometheus_url(&self) -> Option<String> {
        self.url(Backend::Prometheus)
    }

    /// The address of `backend`'s server, when it runs one.
    fn url(&self, backend: Backend) -> Option<String> {
        self.servers
            .iter()
            .find(|(b, _)| *b == backend)
            .map(|(_, server)| server.url())
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // The SDK first: its last exports still reach the dashboard.
        drop(self.sdk.take());
        for (_, server) in self.servers.drain(..) {
            server.shutdown(Instant::now() + SERVER_SHUTDOWN);
        }
    }
}
