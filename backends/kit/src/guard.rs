//! [`TelemetryGuard`]: what `install` returns; dropping it flushes and
//! shuts everything down.

#[cfg(any(feature = "present", feature = "prometheus"))]
use std::time::{Duration, Instant};

use omniscope_sdk::{Sdk, SdkGuard};

/// How long the dashboard (or the Prometheus endpoint) may take to stop
/// after the SDK has shut down.
#[cfg(any(feature = "present", feature = "prometheus"))]
const SERVER_SHUTDOWN: Duration = Duration::from_secs(2);

/// Installed telemetry. Keep it alive for the life of the program: dropping
/// it delivers everything queued (within the shutdown timeout) and stops
/// the backends' threads; the facade's globals then discard what follows.
#[must_use = "dropping the guard shuts telemetry down at once"]
#[derive(Debug)]
pub struct TelemetryGuard {
    sdk: Option<SdkGuard>,
    #[cfg(feature = "present")]
    dashboard: Option<omniscope_present::Server>,
    #[cfg(feature = "prometheus")]
    prometheus: Option<omniscope_prometheus::Server>,
}

impl TelemetryGuard {
    pub(crate) fn new(sdk: Option<SdkGuard>) -> TelemetryGuard {
        TelemetryGuard {
            sdk,
            #[cfg(feature = "present")]
            dashboard: None,
            #[cfg(feature = "prometheus")]
            prometheus: None,
        }
    }

    /// This guard, stopping the dashboard's `server` after the SDK.
    #[cfg(feature = "present")]
    pub(crate) fn with_dashboard(
        mut self,
        server: Option<omniscope_present::Server>,
    ) -> TelemetryGuard {
        self.dashboard = server;
        self
    }

    /// This guard, stopping the Prometheus endpoint after the SDK.
    #[cfg(feature = "prometheus")]
    pub(crate) fn with_prometheus(
        mut self,
        server: Option<omniscope_prometheus::Server>,
    ) -> TelemetryGuard {
        self.prometheus = server;
        self
    }

    /// The installed SDK (`None` when `OTEL_SDK_DISABLED=true`): pipeline
    /// statistics, function statistics, a metrics snapshot.
    pub fn sdk(&self) -> Option<&Sdk> {
        self.sdk.as_ref().map(SdkGuard::sdk)
    }

    /// The dashboard's address (`http://127.0.0.1:9000/`), when it runs.
    pub fn dashboard_url(&self) -> Option<String> {
        #[cfg(feature = "present")]
        return self.dashboard.as_ref().map(omniscope_present::Server::url);
        #[cfg(not(feature = "present"))]
        None
    }

    /// The Prometheus endpoint's address (`http://127.0.0.1:9464/metrics`),
    /// when it runs.
    pub fn prometheus_url(&self) -> Option<String> {
        #[cfg(feature = "prometheus")]
        return self
            .prometheus
            .as_ref()
            .map(omniscope_prometheus::Server::url);
        #[cfg(not(feature = "prometheus"))]
        None
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // The SDK first: its last exports still reach the dashboard.
        drop(self.sdk.take());
        #[cfg(feature = "present")]
        if let Some(server) = self.dashboard.take() {
            let _ = server.shutdown(Instant::now() + SERVER_SHUTDOWN);
        }
        #[cfg(feature = "prometheus")]
        if let Some(server) = self.prometheus.take() {
            let _ = server.shutdown(Instant::now() + SERVER_SHUTDOWN);
        }
    }
}
