//! [`Stopping`]: the signal that a server has begun to shut down.

use tokio::sync::watch;

/// Resolves [`stopped`](Stopping::stopped) once the server begins to shut
/// down (from [`ServerBuilder::stopping`](crate::ServerBuilder::stopping)).
/// A handler that waits long (a long poll) races its wait against it, so
/// that shutting down ends the wait instead of running into the deadline.
/// Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopping(watch::Receiver<bool>);

impl Stopping {
    pub(crate) fn new(receiver: watch::Receiver<bool>) -> Stopping {
        Stopping(receiver)
    }

    /// Resolves when the server begins to shut down, at once if it has (or
    /// if it never started).
    pub async fn stopped(&self) {
        let mut receiver = self.0.clone();
        // An error means the sender is gone: the server is stopping too.
        let _ = receiver.wait_for(|stopping| *stopping).await;
    }
}
