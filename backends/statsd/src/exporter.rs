//! [`StatsdExporter`]: the SDK's push exporter for delta snapshots, and
//! [`StatsdStats`], what it sent and dropped.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::Resource;

use crate::encode::{encode, Encoding};
use crate::pack::{Packer, Pushed};
use crate::transport::{SendError, Transport};

/// Counts of what the exporter sent and dropped, shared with every clone
/// (read them from any thread; [`Statsd::stats`](crate::Statsd::stats)).
#[derive(Clone, Debug, Default)]
pub struct StatsdStats(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    lines_sent: AtomicU64,
    payloads_sent: AtomicU64,
    too_long: AtomicU64,
    would_block: AtomicU64,
    failed: AtomicU64,
    non_finite: AtomicU64,
}

impl StatsdStats {
    /// Lines in payloads the socket took.
    pub fn lines_sent(&self) -> u64 {
        self.0.lines_sent.load(Ordering::Relaxed)
    }

    /// Payloads (datagrams, or frames on a stream) the socket took.
    pub fn payloads_sent(&self) -> u64 {
        self.0.payloads_sent.load(Ordering::Relaxed)
    }

    /// Lines dropped because one alone is longer than the maximum payload.
    pub fn lines_too_long(&self) -> u64 {
        self.0.too_long.load(Ordering::Relaxed)
    }

    /// Lines dropped because the socket buffer was full (`EAGAIN`).
    pub fn lines_dropped_full(&self) -> u64 {
        self.0.would_block.load(Ordering::Relaxed)
    }

    /// Lines dropped because the send failed otherwise (no listener, a
    /// missing socket path, a host name that does not resolve).
    pub fn lines_dropped_failed(&self) -> u64 {
        self.0.failed.load(Ordering::Relaxed)
    }

    /// Values left out because they are NaN or infinite.
    pub fn values_non_finite(&self) -> u64 {
        self.0.non_finite.load(Ordering::Relaxed)
    }

    /// Every line or value dropped, for any reason.
    pub fn dropped(&self) -> u64 {
        self.lines_too_long()
            + self.lines_dropped_full()
            + self.lines_dropped_failed()
            + self.values_non_finite()
    }

    fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// Ships delta [`MetricsSnapshot`]s as statsd lines; runs on the SDK's
/// export thread for metrics (built by [`Statsd::metrics`](crate::Statsd::metrics)).
///
/// An export never waits on the socket: each payload is sent once,
/// non-blocking, and what the socket refuses is dropped and counted in
/// [`StatsdStats`]. It is never retried either, since statsd counters
/// are deltas and a payload sent twice would count twice: an export
/// returns `Ok` when at least one payload went out or there was nothing to
/// send, and [`ExportError::Internal`] (the snapshot counted as dropped by
/// the pipeline) when every payload was refused.
pub struct StatsdExporter {
    encoding: Arc<Encoding>,
    transport: Transport,
    max_payload: usize,
    stats: StatsdStats,
}

impl StatsdExporter {
    pub(crate) fn new(
        encoding: Arc<Encoding>,
        transport: Transport,
        max_payload: usize,
        stats: StatsdStats,
    ) -> StatsdExporter {
        StatsdExporter {
            encoding,
            transport,
            max_payload,
            stats,
        }
    }

    fn send(&mut self, payload: &[u8], lines: u64, outcome: &mut Outcome) {
        let counters = &self.stats.0;
        match self.transport.send(payload) {
            Ok(()) => {
                StatsdStats::add(&counters.payloads_sent, 1);
                StatsdStats::add(&counters.lines_sent, lines);
                outcome.sent += 1;
            }
            Err(SendError::WouldBlock) => {
                StatsdStats::add(&counters.would_block, lines);
                outcome.refused += 1;
            }
            Err(SendError::Failed(e)) => {
                StatsdStats::add(&counters.failed, lines);
                outcome.refused += 1;
                outcome.last_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
}

#[derive(Default)]
struct Outcome {
    sent: u64,
    refused: u64,
    last_error: Option<String>,
}

impl Exporter<MetricsSnapshot> for StatsdExporter {
    fn name(&self) -> &str {
        "statsd"
    }

    fn export(
        &mut self,
        batch: &Batch<MetricsSnapshot>,
        resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let mut packer = Packer::new(self.max_payload);
        let mut full = Vec::new();
        let mut too_long = 0;
        let encoding = self.encoding.clone();
        let mut outcome = Outcome::default();
        for snapshot in batch.iter() {
            let counts = encode(snapshot, resource, &encoding, |line| {
                match packer.push(line) {
                    Pushed::Added => {}
                    Pushed::Full(payload, lines) => full.push((payload, lines)),
                    Pushed::TooLong => too_long += 1,
                }
            });
            StatsdStats::add(&self.stats.0.non_finite, counts.non_finite);
            // Payloads go out as they fill, so that memory stays one
            // snapshot's worth of lines at most.
            for (payload, lines) in full.drain(..) {
                self.send(&payload, lines, &mut outcome);
            }
        }
        if let Some((payload, lines)) = packer.take() {
            self.send(&payload, lines, &mut outcome);
        }
        StatsdStats::add(&self.stats.0.too_long, too_long);
        match outcome {
            Outcome {
                sent: 0,
                refused: 1..,
                last_error,
            } => Err(ExportError::Internal(format!(
                "statsd: every payload was dropped ({})",
                last_error.as_deref().unwrap_or("socket buffer full")
            ))),
            _ => Ok(Accepted::All),
        }
    }
}

impl fmt::Debug for StatsdExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatsdExporter")
            .field("flavor", &self.encoding.flavor)
            .field("max_payload", &self.max_payload)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}
