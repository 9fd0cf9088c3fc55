//! [`SentryReporter`]: the error reporter, on the SDK's error pipeline.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::Resource;

use crate::breadcrumbs::{Breadcrumbs, Key};
use crate::event::{to_sentry, Convert};
use crate::transport::{Outbox, Outcome, Sender};

/// What the reporters of one [`Sentry`](crate::Sentry) share.
pub(crate) struct Shared {
    pub(crate) client: sentry::Client,
    pub(crate) outbox: Arc<Outbox>,
    pub(crate) sender: Mutex<Sender>,
    pub(crate) breadcrumbs: Arc<Breadcrumbs>,
    pub(crate) convert: Convert,
    pub(crate) counts: Counts,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the client: its options print the DSN, which holds the key.
        f.debug_struct("Shared")
            .field("sender", &self.sender)
            .field("convert", &self.convert)
            .field("counts", &self.counts)
            .finish_non_exhaustive()
    }
}

/// What became of the events handed to Sentry, beyond the pipeline's
/// counts.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    pub(crate) sent: AtomicU64,
    pub(crate) discarded: AtomicU64,
    pub(crate) rate_limited: AtomicU64,
    pub(crate) failed: AtomicU64,
}

/// Sends each handled error and panic to Sentry, on the SDK's error
/// pipeline thread: add it to [`SdkErrors`](omniscope_sdk::SdkErrors) with
/// [`with_reporter`](omniscope_sdk::errors::ErrorsBuilder::with_reporter),
/// or let the kit do it. From [`Sentry::reporter`](crate::Sentry::reporter).
///
/// Each event in a batch is built (with its trace's breadcrumbs), passed
/// through the `sentry` client (sample rate, `before_send`, client
/// reports) and posted at once. What reaches the pipeline's counts:
/// events rate-limited (now or by an earlier answer) or refused by the
/// server are `rejected`; a batch that no event of could be delivered
/// (server down, slow past the timeout, answering errors) fails as a whole
/// (`export_failed`). Once one post fails for want of an answer, the rest
/// of the batch is not tried, so a slow server costs one timeout per batch.
/// Nothing is retried (as sentry's own transports do not): the event was
/// already through `before_send` and sampling.
#[derive(Debug)]
pub struct SentryReporter {
    pub(crate) shared: Arc<Shared>,
}

impl Exporter<ErrorEvent> for SentryReporter {
    fn name(&self) -> &str {
        "sentry"
    }

    fn export(
        &mut self,
        batch: &Batch<ErrorEvent>,
        resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let shared = &*self.shared;
        let counts = &shared.counts;
        let recorder = shared.outbox.recorder();
        let mut sender = omniscope::sync::lock(&shared.sender);
        let deadline = Instant::now() + sender.timeout();
        let (mut rejected, mut failed, mut delivered) = (0u64, 0u64, 0u64);
        let mut unreachable: Option<String> = None;
        let mut last_error: Option<String> = None;
        for event in batch.iter() {
            if unreachable.is_some() {
                failed += 1;
                continue;
            }
            if sender.errors_limited().is_some() {
                Sender::record_backoff(&recorder);
                rejected += 1;
                continue;
            }
            let key = match (event.trace_id, &event.thread) {
                (Some(trace), _) => Some(Key::Trace(trace)),
                (None, Some(thread)) => Some(Key::Thread(thread.clone())),
                (None, None) => None,
            };
            let crumbs =
                key.map_or_else(Vec::new, |k| shared.breadcrumbs.trail(&k, event.timestamp));
            let sentry_event = to_sentry(event, resource, crumbs, &shared.convert);
            shared.client.capture_event(sentry_event, None);
            let envelopes = shared.outbox.take();
            if envelopes.is_empty() {
                // Sampled out or dropped by `before_send`: chosen, not lost
                // (sentry's client report counts it).
                counts.discarded.fetch_add(1, Ordering::Relaxed);
                delivered += 1;
                continue;
            }
            let mut outcome = Outcome::Sent;
            for envelope in envelopes {
                let this = sender.send(envelope, &recorder, deadline);
                if outcome == Outcome::Sent {
                    outcome = this;
                }
            }
            match outcome {
                Outcome::Sent => {
                    counts.sent.fetch_add(1, Ordering::Relaxed);
                    delivered += 1;
                }
                Outcome::RateLimited => rejected += 1,
                Outcome::Failed(message) => {
                    failed += 1;
                    last_error = Some(message);
                }
                Outcome::Unreachable(message) => {
                    failed += 1;
                    unreachable = Some(message);
                }
            }
        }
        counts.rate_limited.fetch_add(rejected, Ordering::Relaxed);
        counts.failed.fetch_add(failed, Ordering::Relaxed);
        match unreachable.or(last_error) {
            Some(message) if delivered == 0 && rejected == 0 => Err(ExportError::Internal(message)),
            _ if rejected + failed > 0 => Ok(Accepted::Partial {
                rejected: rejected + failed,
            }),
            _ => Ok(Accepted::All),
        }
    }

    /// The handling site's stack trace, when backtraces are enabled.
    fn wants_backtraces(&self) -> bool {
        true
    }

    fn flush(&mut self, _deadline: Instant) -> Result<(), ExportError> {
        // Every event is posted within `export`: nothing waits here.
        Ok(())
    }
}
