//! [`Fanout`]: every exporter of one signal, each behind its own pipeline.

use std::sync::Arc;
use std::time::Instant;

use super::pipeline::{Pipeline, Recycler};
use super::stats::{DropReason, PipelineStats};
use super::PipelineConfig;
use super::{ExportError, Exporter};
use crate::build::BuildError;
use crate::resource::Resource;

/// The pipelines of one signal: a pushed chunk goes to each of them (the
/// `Arc` is cloned, the items are not). Each pipeline has its own queue and
/// thread, so one exporter's full queue, failures or hang never affect the
/// others.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use std::time::{Duration, Instant};
/// use omniscope_sdk::export::{Fanout, InMemoryExporter, Pipeline, PipelineConfig};
/// use omniscope_sdk::Resource;
///
/// let resource = Arc::new(Resource::new("orders"));
/// let (a, got_a) = InMemoryExporter::<u64>::with_capacity("a", 1000);
/// let (b, got_b) = InMemoryExporter::<u64>::with_capacity("b", 1000);
/// let fanout = Fanout::new(vec![
///     Pipeline::spawn("traces", Box::new(a), resource.clone(), PipelineConfig::default())?,
///     Pipeline::spawn("traces", Box::new(b), resource, PipelineConfig::default())?,
/// ]);
/// fanout.push(Arc::from(vec![7, 8]));
/// fanout.flush(Instant::now() + Duration::from_secs(5))?;
/// assert_eq!((got_a.items(), got_b.items()), (vec![7, 8], vec![7, 8]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Fanout<T> {
    pipelines: Vec<Pipeline<T>>,
}

impl<T> std::fmt::Debug for Fanout<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.pipelines).finish()
    }
}

impl<T> Default for Fanout<T> {
    /// No pipelines: pushes are discarded (nothing is counted).
    fn default() -> Fanout<T> {
        Fanout {
            pipelines: Vec::new(),
        }
    }
}

impl<T: Send + Sync + 'static> Fanout<T> {
    /// One pipeline per exporter, all for `signal`, sharing `resource` and
    /// `config`: how every signal of the SDK starts its exporters.
    ///
    /// # Errors
    /// An invalid `config`, or an export thread that cannot start.
    pub fn spawn(
        signal: &'static str,
        exporters: Vec<Box<dyn Exporter<T>>>,
        resource: &Arc<Resource>,
        config: &PipelineConfig,
    ) -> Result<Fanout<T>, BuildError> {
        let pipelines = exporters
            .into_iter()
            .map(|exporter| Pipeline::spawn(signal, exporter, resource.clone(), config.clone()))
            .collect::<Result<_, _>>()?;
        Ok(Fanout { pipelines })
    }
}

impl<T> Fanout<T> {
    /// The signal's pipelines (all should carry the same signal name).
    pub fn new(pipelines: Vec<Pipeline<T>>) -> Fanout<T> {
        Fanout { pipelines }
    }

    /// Adds a pipeline.
    pub fn add(&mut self, pipeline: Pipeline<T>) {
        self.pipelines.push(pipeline);
    }

    /// Hands the chunks of every exported batch to `recycler` instead of
    /// dropping them on the export threads.
    pub(crate) fn set_recycler(&self, recycler: &Recycler<T>) {
        for pipeline in &self.pipelines {
            pipeline.set_recycler(recycler.clone());
        }
    }

    /// Hands `chunk` to every pipeline; never blocks (see [`Pipeline::push`]).
    pub fn push(&self, chunk: Arc<[T]>) {
        if let Some((last, others)) = self.pipelines.split_last() {
            for pipeline in others {
                pipeline.push(chunk.clone());
            }
            last.push(chunk);
        }
    }

    /// Flushes every pipeline by one shared deadline (all of them work at
    /// once).
    ///
    /// # Errors
    /// The first pipeline's error, in order; every pipeline is flushed
    /// regardless.
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        let requests: Vec<_> = self
            .pipelines
            .iter()
            .map(|p| p.request_flush(deadline))
            .collect();
        let mut outcome = Ok(());
        for (pipeline, request) in self.pipelines.iter().zip(requests) {
            let result = request.and_then(|generation| pipeline.wait_flush(generation, deadline));
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// Shuts every pipeline down by one shared deadline (all of them drain
    /// at once); see [`Pipeline::shutdown`]. Idempotent.
    ///
    /// # Errors
    /// The first pipeline's error, in order; every pipeline is shut down
    /// regardless.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        for pipeline in &self.pipelines {
            pipeline.begin_shutdown(deadline);
        }
        let mut outcome = Ok(());
        for pipeline in &self.pipelines {
            let result = pipeline.wait_shutdown(deadline);
            if outcome.is_ok() {
                outcome = result;
            }
        }
        outcome
    }

    /// Each pipeline's counters.
    pub fn stats(&self) -> Vec<PipelineStats> {
        self.pipelines.iter().map(Pipeline::stats).collect()
    }

    /// The pipelines.
    pub fn pipelines(&self) -> &[Pipeline<T>] {
        &self.pipelines
    }

    /// Whether there are no pipelines.
    pub fn is_empty(&self) -> bool {
        self.pipelines.is_empty()
    }

    /// How many pipelines there are.
    pub fn len(&self) -> usize {
        self.pipelines.len()
    }

    /// Counts `n` items as dropped in every pipeline, without queueing them.
    pub(crate) fn count_dropped(&self, reason: DropReason, n: u64) {
        for pipeline in &self.pipelines {
            pipeline.count_dropped(reason, n);
        }
    }
}

impl<T> Drop for Fanout<T> {
    /// Shuts the pipelines down together (each pipeline's own `Drop` would
    /// wait for them one after the other).
    fn drop(&mut self) {
        if self.pipelines.iter().any(|p| !p.is_shut_down()) {
            let _ = self.shutdown(super::deadline::after(super::pipeline::DROP_DEADLINE));
        }
    }
}
