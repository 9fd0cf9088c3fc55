//! The exporter's own tokio runtime: one I/O thread, whatever runtime (or
//! none) the application uses.

use std::future::Future;
use std::sync::mpsc;
use std::time::Duration;

use omniscope_sdk::export::ExportError;
use tokio::runtime::{Builder, Handle, Runtime};

/// The name of the I/O thread.
pub(crate) const THREAD_NAME: &str = "omniscope-otlp-io";

/// How long past the export timeout a caller waits for the I/O thread
/// before giving up on it (the thread itself enforces the timeout; this
/// only bounds the wait should that thread be starved).
const GRACE: Duration = Duration::from_millis(500);

/// A runtime whose thread never emits telemetry into the SDK (its
/// transport stack's logs and spans would otherwise loop back into the
/// pipelines it serves), and which shuts down without blocking when
/// dropped, even from inside another runtime.
#[derive(Debug)]
pub(crate) struct IoRuntime {
    runtime: Option<Runtime>,
    handle: Handle,
}

impl IoRuntime {
    pub(crate) fn start() -> std::io::Result<IoRuntime> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(THREAD_NAME)
            .on_thread_start(omniscope::suppress_current_thread)
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        Ok(IoRuntime {
            runtime: Some(runtime),
            handle,
        })
    }

    /// Runs `f` with this runtime as the current one (to create clients
    /// that spawn background tasks).
    pub(crate) fn enter<R>(&self, f: impl FnOnce() -> R) -> R {
        let _guard = self.handle.enter();
        f()
    }

    /// Runs `future` on the I/O thread and waits for it, at most `timeout`:
    /// the caller (an SDK pipeline thread) blocks, never the I/O thread, and
    /// it works from any thread, inside an async runtime or not.
    pub(crate) fn run<F>(&self, timeout: Duration, future: F) -> Result<F::Output, ExportError>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel(1);
        let task = self.handle.spawn(async move {
            let outcome = tokio::time::timeout(timeout, future).await;
            let _ = tx.send(outcome);
        });
        match rx.recv_timeout(timeout.saturating_add(GRACE)) {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(_elapsed)) => Err(ExportError::Timeout),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                task.abort();
                Err(ExportError::Timeout)
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(ExportError::Internal(
                "the otlp exporter's I/O thread stopped".into(),
            )),
        }
    }
}

impl Drop for IoRuntime {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
