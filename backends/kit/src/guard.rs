//! [`TelemetryGuard`]: what `install` returns; dropping it flushes and
//! shuts everything down.

#[cfg(feature = "present")]
use std::time::{Duration, Instant};

use omniscope_sdk::{Sdk, SdkGuard};

#[cfg(feature = "present")]
/// How long the dashboard may take to stop after the SDK has shut down.
const SERVER_SHUTDOWN: Duration = Duration::from_secs(2);

/// Installed telemetry. Keep it alive for the life of the program: dropping
/// it delivers everything queued (within the shutdown timeout) and stops
/// the backends' threads; the facade's globals then discard what follows.
#[must_use = "dropping the guard shuts telemetry down at once"]
#[derive(Debug)]
pub struct TelemetryGuard {
    sdk: Option<SdkGuard>,
    #[cfg(feature = "present")]
    server: Option<omniscope_present::Server>,
}

impl TelemetryGuard {
    pub(crate) fn new(sdk: SdkGuard) -> TelemetryGuard {
        TelemetryGuard {
            sdk: Some(sdk),
            #[cfg(feature = "present")]
            server: None,
        }
    }

    /// This guard, stopping the dashboard's `server` after the SDK.
    #[cfg(feature = "present")]
    pub(crate) fn with_server(
        mut self,
        server: Option<omniscope_present::Server>,
    ) -> TelemetryGuard {
        self.server = server;
        self
    }

    /// The guard of `OTEL_SDK_DISABLED=true`: nothing installed.
    pub(crate) fn disabled() -> TelemetryGuard {
        TelemetryGuard {
            sdk: None,
            #[cfg(feature = "present")]
            server: None,
        }
    }

    /// The installed SDK (`None` when `OTEL_SDK_DISABLED=true`): pipeline
    /// statistics, function statistics, a metrics snapshot.
    pub fn sdk(&self) -> Option<&Sdk> {
        self.sdk.as_ref().map(SdkGuard::sdk)
    }

    /// The dashboard's address (`http://127.0.0.1:9000/`), when it runs.
    pub fn dashboard_url(&self) -> Option<String> {
        #[cfg(feature = "present")]
        return self.server.as_ref().map(omniscope_present::Server::url);
        #[cfg(not(feature = "present"))]
        None
    }
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        // The SDK first: its last exports still reach the dashboard.
        drop(self.sdk.take());
        #[cfg(feature = "present")]
        if let Some(server) = self.server.take() {
            let _ = server.shutdown(Instant::now() + SERVER_SHUTDOWN);
        }
    }
}
