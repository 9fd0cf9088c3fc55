//! [`TracerBuilder`]: configures and starts an [`SdkTracer`].

use std::sync::Arc;

use super::collector::{self, Collector};
use super::data::SpanData;
use super::limits::SpanLimits;
use super::sampler::{Decider, Sampler};
use super::slab::MAX_SLOTS;
use super::tail::TailBuffer;
use super::tracer::{Inner, SdkTracer};
use crate::build::BuildError;
use crate::clock;
use crate::export::{Exporter, Fanout, PipelineConfig};
use crate::resource::Resource;

/// The default of [`TracerBuilder::with_max_spans_per_thread`].
const DEFAULT_MAX_SPANS_PER_THREAD: usize = 65_536;

/// Configures an [`SdkTracer`]; made by [`SdkTracer::builder`].
#[must_use]
pub struct TracerBuilder {
    sampler: Sampler,
    limits: SpanLimits,
    tail_keep_errors: bool,
    tail_max_traces: usize,
    tail_max_spans_per_trace: usize,
    exporters: Vec<Box<dyn Exporter<SpanData>>>,
    pipeline_config: Option<PipelineConfig>,
    resource: Option<Arc<Resource>>,
    max_spans_per_thread: usize,
}

impl Default for TracerBuilder {
    fn default() -> TracerBuilder {
        TracerBuilder {
            sampler: Sampler::default(),
            limits: SpanLimits::default(),
            tail_keep_errors: false,
            tail_max_traces: 1024,
            tail_max_spans_per_trace: 256,
            exporters: Vec::new(),
            pipeline_config: None,
            resource: None,
            max_spans_per_thread: DEFAULT_MAX_SPANS_PER_THREAD,
        }
    }
}

impl std::fmt::Debug for TracerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let exporters: Vec<&str> = self.exporters.iter().map(|e| e.name()).collect();
        f.debug_struct("TracerBuilder")
            .field("sampler", &self.sampler)
            .field("limits", &self.limits)
            .field("tail_keep_errors", &self.tail_keep_errors)
            .field("tail_max_traces", &self.tail_max_traces)
            .field("tail_max_spans_per_trace", &self.tail_max_spans_per_trace)
            .field("exporters", &exporters)
            .field("pipeline_config", &self.pipeline_config)
            .field("max_spans_per_thread", &self.max_spans_per_thread)
            .finish_non_exhaustive()
    }
}

impl TracerBuilder {
    /// The head sampler. Default: `ParentBased { root: AlwaysOn }`.
    pub fn with_sampler(mut self, sampler: Sampler) -> TracerBuilder {
        self.sampler = sampler;
        self
    }

    /// The span limits. Default: [`SpanLimits::default`] (OpenTelemetry's).
    pub fn with_limits(mut self, limits: SpanLimits) -> TracerBuilder {
        self.limits = limits;
        self
    }

    /// Turns on the tail rule "keep every trace in which a span errored"
    /// (see [`TracerBuilder::with_tail_limits`] for its bounds). Default: off.
    pub fn with_tail_keep_errors(mut self, on: bool) -> TracerBuilder {
        self.tail_keep_errors = on;
        self
    }

    /// Bounds of the tail rule's buffer: how many traces may wait for their
    /// local root, and how many spans each. Default: 1024 traces of up to
    /// 256 spans.
    pub fn with_tail_limits(
        mut self,
        max_traces: usize,
        max_spans_per_trace: usize,
    ) -> TracerBuilder {
        self.tail_max_traces = max_traces;
        self.tail_max_spans_per_trace = max_spans_per_trace;
        self
    }

    /// Adds an exporter, behind a pipeline of its own. Default: none (spans
    /// are recorded, counted and dropped; the in-flight view and the call
    /// graph still work).
    pub fn with_exporter(mut self, exporter: Box<dyn Exporter<SpanData>>) -> TracerBuilder {
        self.exporters.push(exporter);
        self
    }

    /// The configuration of every exporter's pipeline. Its batch timeout is
    /// also how often idle threads' ended spans are collected. Default:
    /// [`PipelineConfig::for_signal("traces")`](PipelineConfig::for_signal).
    pub fn with_pipeline_config(mut self, config: PipelineConfig) -> TracerBuilder {
        self.pipeline_config = Some(config);
        self
    }

    /// The resource sent with every batch. Default: [`Resource::default`].
    pub fn with_resource(mut self, resource: Arc<Resource>) -> TracerBuilder {
        self.resource = Some(resource);
        self
    }

    /// How many spans one thread may hold, open or ended and not yet
    /// collected, in `64..=1048576` (rounded up to the slab's bucket sizes).
    /// Beyond it, new spans on that thread are not recorded and are counted
    /// (`dropped_buffer_full`). Default: 65536.
    pub fn with_max_spans_per_thread(mut self, n: usize) -> TracerBuilder {
        self.max_spans_per_thread = n;
        self
    }

    /// Starts the tracer: one export pipeline (and thread) per exporter,
    /// and the span collector thread.
    ///
    /// # Errors
    /// An invalid sampler ratio, span-per-thread or tail bound, an invalid
    /// pipeline configuration, or a thread that could not be started.
    pub fn build(self) -> Result<SdkTracer, BuildError> {
        self.sampler.validate()?;
        if !(64..=MAX_SLOTS).contains(&self.max_spans_per_thread) {
            return Err(BuildError::new(
                "tracer",
                format!(
                    "invalid max spans per thread `{}`: expected 64 to {MAX_SLOTS}",
                    self.max_spans_per_thread
                ),
            ));
        }
        if self.tail_keep_errors
            && (self.tail_max_traces == 0 || self.tail_max_spans_per_trace == 0)
        {
            return Err(BuildError::new(
                "tracer",
                format!(
                    "invalid tail limits `{} traces, {} spans per trace`: both must be at least 1",
                    self.tail_max_traces, self.tail_max_spans_per_trace
                ),
            ));
        }
        let config = self
            .pipeline_config
            .unwrap_or_else(|| PipelineConfig::for_signal("traces"));
        config.validate()?;
        let resource = self.resource.unwrap_or_default();
        let fanout = Fanout::spawn("traces", self.exporters, &resource, &config)?;
        clock::init();
        let tail = self
            .tail_keep_errors
            .then(|| TailBuffer::new(self.tail_max_traces, self.tail_max_spans_per_trace));
        let collector = Collector::new(tail, config.max_batch());
        let inner = Arc::new(Inner::new(
            Decider::new(&self.sampler),
            self.limits,
            self.max_spans_per_thread,
            fanout,
            resource,
            collector,
        ));
        let thread = collector::spawn(&inner, config.batch_timeout())?;
        let _ = inner.waker.set(thread);
        Ok(SdkTracer { inner })
    }
}
