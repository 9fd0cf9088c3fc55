//! [`PipelineConfig`]: queue size, batching, export timeout and retries.

use std::time::Duration;

use crate::build::BuildError;

/// How a [`Pipeline`](super::Pipeline) queues, batches and retries.
///
/// Built by value from [`PipelineConfig::default`] (or
/// [`PipelineConfig::for_signal`]) with `with_*` setters; each setter
/// states its default. [`Pipeline::spawn`](super::Pipeline::spawn) calls
/// [`validate`](PipelineConfig::validate).
///
/// # Queue sizes per signal
///
/// The queue is counted in items. [`PipelineConfig::for_signal`] picks:
///
/// | signal | queue capacity | why |
/// |---|---|---|
/// | `"traces"` (`"spans"`) | 8192 | many small items, bursts |
/// | `"logs"` | 8192 | as spans |
/// | `"errors"` | 1024 | rare, larger (chains, backtraces) |
/// | `"metrics"` | 16 | one snapshot per collection period |
/// | anything else | 8192 | the default |
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use omniscope_sdk::export::PipelineConfig;
///
/// let config = PipelineConfig::default()
///     .with_queue_capacity(4096)
///     .with_max_batch(256)
///     .with_batch_timeout(Duration::from_millis(500))
///     .with_max_retries(3);
/// assert!(config.validate().is_ok());
/// assert!(PipelineConfig::default().with_max_batch(0).validate().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct PipelineConfig {
    queue_capacity: usize,
    max_batch: usize,
    batch_timeout: Duration,
    export_timeout: Duration,
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for PipelineConfig {
    /// Queue of 8192 items, batches of 512 or every second, 10 s export
    /// timeout, 5 retries backing off from 100 ms to 5 s.
    fn default() -> PipelineConfig {
        PipelineConfig {
            queue_capacity: 8192,
            max_batch: 512,
            batch_timeout: Duration::from_secs(1),
            export_timeout: Duration::from_secs(10),
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl PipelineConfig {
    /// The defaults, with the queue capacity suggested for `signal` (see
    /// the table above); the batch size is capped at that capacity.
    pub fn for_signal(signal: &str) -> PipelineConfig {
        let base = PipelineConfig::default();
        let capacity = match signal {
            "errors" => 1024,
            "metrics" => 16,
            _ => base.queue_capacity,
        };
        let max_batch = base.max_batch.min(capacity);
        base.with_queue_capacity(capacity).with_max_batch(max_batch)
    }

    /// How many items may wait in the queue; a chunk that does not fit
    /// whole is dropped whole and counted (`reason="queue_full"`).
    /// Default: 8192.
    pub fn with_queue_capacity(mut self, items: usize) -> PipelineConfig {
        self.queue_capacity = items;
        self
    }

    /// The most items per export call (a single chunk larger than this is
    /// exported whole). Full batches are sent as soon as a quarter of the
    /// queue waits (at least one batch); a partial one after the batch
    /// timeout. Default: 512.
    pub fn with_max_batch(mut self, items: usize) -> PipelineConfig {
        self.max_batch = items;
        self
    }

    /// How long a partial batch may wait before it is sent. Default: 1 s.
    pub fn with_batch_timeout(mut self, timeout: Duration) -> PipelineConfig {
        self.batch_timeout = timeout;
        self
    }

    /// The time budget of one batch, retries included: no attempt starts,
    /// and no backoff is waited, past it; the batch is then dropped and
    /// counted (`reason="export_failed"`). The pipeline cannot interrupt an
    /// exporter call that is already running: exporters bound their own I/O
    /// (with this value, typically); one that never returns holds only its
    /// own pipeline, and `shutdown` abandons it at its deadline.
    /// Default: 10 s.
    pub fn with_export_timeout(mut self, timeout: Duration) -> PipelineConfig {
        self.export_timeout = timeout;
        self
    }

    /// How many times a batch is retried after a retryable failure.
    /// Default: 5.
    pub fn with_max_retries(mut self, retries: u32) -> PipelineConfig {
        self.max_retries = retries;
        self
    }

    /// The backoff ceiling before the first retry; it doubles each retry
    /// up to the maximum, and the actual wait is drawn uniformly below it
    /// ("full jitter"). Default: 100 ms.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> PipelineConfig {
        self.initial_backoff = backoff;
        self
    }

    /// The largest backoff ceiling. A server's `retry_after` may ask for
    /// longer, and is honoured within the export timeout: a wait that would
    /// end past it (or past the shutdown deadline) drops the batch at once,
    /// counted (`reason="export_failed"`). Default: 5 s.
    pub fn with_max_backoff(mut self, backoff: Duration) -> PipelineConfig {
        self.max_backoff = backoff;
        self
    }

    /// The queue capacity, in items.
    pub fn queue_capacity(&self) -> usize {
        self.queue_capacity
    }

    /// The most items per export call.
    pub fn max_batch(&self) -> usize {
        self.max_batch
    }

    /// How long a partial batch may wait.
    pub fn batch_timeout(&self) -> Duration {
        self.batch_timeout
    }

    /// The time budget of one batch, retries included.
    pub fn export_timeout(&self) -> Duration {
        self.export_timeout
    }

    /// How many retries a batch gets.
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The first backoff ceiling.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The largest backoff ceiling.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Checks the values.
    ///
    /// # Errors
    /// A zero `queue_capacity`, `max_batch`, `batch_timeout` or
    /// `export_timeout`, or an `initial_backoff` above `max_backoff`; the
    /// message names the field.
    pub fn validate(&self) -> Result<(), BuildError> {
        let invalid = |message: String| Err(BuildError::new("pipeline", message));
        if self.queue_capacity == 0 {
            return invalid(
                "queue_capacity is 0: it must hold at least 1 item (default 8192)".into(),
            );
        }
        if self.max_batch == 0 {
            return invalid(
                "max_batch is 0: a batch must hold at least 1 item (default 512)".into(),
            );
        }
        if self.batch_timeout.is_zero() {
            return invalid("batch_timeout is 0: it must be positive (default 1s)".into());
        }
        if self.export_timeout.is_zero() {
            return invalid("export_timeout is 0: it must be positive (default 10s)".into());
        }
        if self.initial_backoff > self.max_backoff {
            return invalid(format!(
                "initial_backoff ({:?}) is above max_backoff ({:?}): lower it or raise max_backoff",
                self.initial_backoff, self.max_backoff
            ));
        }
        Ok(())
    }

    /// The queue length at which a batch is sent without waiting: the
    /// batch size, or the capacity if smaller (else a full queue would
    /// wait for the timer while dropping).
    pub(crate) fn send_threshold(&self) -> usize {
        self.max_batch.min(self.queue_capacity).max(1)
    }

    /// The queue length at which a producer wakes a sleeping export thread:
    /// a quarter of the queue, at least one batch. A wake-up is a system
    /// call on the recording thread (and a context switch on the other), so
    /// each wake-up hands over several batches; three quarters of the queue
    /// stay free for what arrives meanwhile, and the batch timeout sends
    /// what is left.
    pub(crate) fn wake_threshold(&self) -> usize {
        (self.queue_capacity / 4).max(self.send_threshold())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn producers_wake_the_export_thread_once_a_quarter_of_the_queue_waits() {
        let c = PipelineConfig::default();
        assert_eq!(c.wake_threshold(), 8192 / 4);
        let small = c.clone().with_queue_capacity(600).with_max_batch(512);
        assert_eq!(small.wake_threshold(), 512, "at least one batch");
        let tiny = c.with_queue_capacity(100).with_max_batch(512);
        assert_eq!(tiny.wake_threshold(), 100, "at most the whole queue");
    }

    fn rejected(config: PipelineConfig) -> String {
        match config.validate() {
            Err(e) => e.to_string(),
            Ok(()) => panic!("accepted {config:?}"),
        }
    }

    #[test]
    fn defaults_are_valid() {
        assert_eq!(PipelineConfig::default().validate(), Ok(()));
        for signal in ["traces", "spans", "logs", "errors", "metrics", "other"] {
            let config = PipelineConfig::for_signal(signal);
            assert_eq!(config.validate(), Ok(()), "{signal}");
            assert!(config.max_batch() <= config.queue_capacity());
        }
        assert_eq!(PipelineConfig::for_signal("metrics").queue_capacity(), 16);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (
                PipelineConfig::default().with_queue_capacity(0),
                "queue_capacity",
            ),
            (PipelineConfig::default().with_max_batch(0), "max_batch"),
            (
                PipelineConfig::default().with_batch_timeout(Duration::ZERO),
                "batch_timeout",
            ),
            (
                PipelineConfig::default().with_export_timeout(Duration::ZERO),
                "export_timeout",
            ),
            (
                PipelineConfig::default().with_initial_backoff(Duration::from_secs(9)),
                "initial_backoff",
            ),
        ];
        for (config, field) in cases {
            let message = rejected(config);
            assert!(message.contains(field), "{message}");
            assert!(
                message.starts_with("invalid pipeline configuration: "),
                "{message}"
            );
        }
    }

    #[test]
    fn threshold_is_capped_by_capacity() {
        let config = PipelineConfig::default()
            .with_queue_capacity(100)
            .with_max_batch(512);
        assert_eq!(config.send_threshold(), 100);
        assert_eq!(PipelineConfig::default().send_threshold(), 512);
    }
}
