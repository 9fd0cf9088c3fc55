//! Traces: [`SdkTracer`], the recording implementation of
//! [`omniscope::Tracer`], with head sampling ([`Sampler`]), span limits
//! ([`SpanLimits`]), an optional tail rule, and batched export of
//! [`SpanData`] to [`SpanExporter`](crate::export::SpanExporter)s.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::{Duration, Instant};
//! use omniscope_sdk::export::{InMemoryExporter, PipelineConfig};
//! use omniscope_sdk::trace::{Sampler, SdkTracer, SpanLimits};
//! use omniscope_sdk::Resource;
//!
//! let (exporter, _spans) = InMemoryExporter::new();
//! let tracer = SdkTracer::builder()
//!     .with_sampler(Sampler::parent_based(Sampler::TraceIdRatio(0.1)))
//!     .with_limits(SpanLimits::default().with_value_length(1024))
//!     .with_tail_keep_errors(false)
//!     .with_exporter(Box::new(exporter))
//!     .with_pipeline_config(PipelineConfig::for_signal("traces"))
//!     .with_resource(Arc::new(Resource::new("orders")))
//!     .build()?;
//! // omniscope::set_tracer(tracer.clone()) in `main`, then at exit:
//! tracer.shutdown(Instant::now() + Duration::from_secs(5))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How spans are recorded
//!
//! The hot path takes no lock:
//!
//! 1. **Start.** The sampler decides first. A child of an unsampled parent
//!    (under `ParentBased`) and a root under `AlwaysOff` need no ids at all:
//!    the tracer counts the span on a per-thread counter and returns at once.
//!    Otherwise the thread's own id generator makes the ids, and the span is
//!    written into a free *slot* of the thread's *slab* (per thread and per
//!    tracer): plain stores, then one `Release` store that publishes the
//!    slot as open. The slot's address is not the token: the token is
//!    `shard | index | generation`, checked on every use, so a stale or
//!    forged token finds no open slot of that generation and does nothing.
//! 2. **While open.** Attributes, events, links, status and renames claim
//!    the slot with one compare-and-swap (uncontended: the span is used by
//!    one thread at a time), change it, and release it. Attribute keys from
//!    the macros are kept as `'static` references and string values go to
//!    one text buffer per span ([`Attributes`](crate::Attributes)). No
//!    application code runs while a slot is claimed: a `Display`/`Debug`
//!    value given to `set_attribute` is formatted before the claim (it may
//!    record on the very span it belongs to), and event and link
//!    attributes are built before it too. A value whose formatting panics
//!    is recorded as
//!    [`PANICKED_WHILE_FORMATTING`](crate::attributes::PANICKED_WHILE_FORMATTING)
//!    and counted ([`format_panics`](crate::attributes::format_panics)),
//!    so a slot is never left claimed or lost, and no panic reaches the
//!    caller. At
//!    hand-off (step 4) the buffers move into the exported span and the slot
//!    takes buffers the export threads gave back after exporting earlier
//!    spans, so in steady state recording attributes allocates nothing and
//!    nothing is freed across threads. A name given at run time (not the
//!    site's) is kept once for the process and shared, up to a bound
//!    (`names.rs`): an HTTP server span's `GET` costs no copy either.
//! 3. **End.** One clock read and one compare-and-swap that marks the slot
//!    *done*, on whichever thread the span ends (async tasks migrate: a
//!    span started on one worker and ended on another is recorded once,
//!    with both timestamps). Nothing is copied or queued here.
//! 4. **Hand-off, in batches.** When a thread runs out of free slots, it
//!    drains its own done slots while they are still in its cache: converts
//!    them to [`SpanData`] (clock ticks become wall time), frees the slots,
//!    and pushes `Arc<[SpanData]>` chunks of one export batch to the
//!    [`Fanout`](crate::export::Fanout), one bounded pipeline per exporter.
//!    Slabs start at 64 slots and grow to about a thousand (further while most
//!    slots are open), so a busy thread hands off a few hundred spans at a
//!    time. A collector thread sweeps every slab each batch timeout, so the
//!    spans of idle threads (and of exited ones) are exported in time;
//!    `flush`, `shutdown` and `call_graph` sweep too. Call-graph edges are
//!    counted and the tail rule applied at hand-off, under one lock per batch.
//!
//! Draining on the owning thread costs it the conversion (amortized), but
//! keeps the slots in one core's cache; a design where another thread
//! converts the slots measured slower here, because every reused slot then
//! travels between cores twice.
//!
//! The clock is the TSC where the kernel trusts it (≈ 10 ns a read instead
//! of 20–30 ns for `SystemTime`); ticks become `SystemTime` at hand-off.
//!
//! Memory stays bounded: a thread holds at most
//! [`with_max_spans_per_thread`](TracerBuilder::with_max_spans_per_thread)
//! open and unconverted spans; beyond that (only with that many spans open
//! at once) new spans are not recorded and are counted
//! ([`TracerStats::dropped_buffer_full`]). The export queues are bounded by
//! the pipelines. A span that is never ended (a leaked guard) keeps its slot
//! and shows in [`SdkTracer::in_flight`] for ever. Spans started after
//! [`SdkTracer::shutdown`] are not recorded; each is counted as dropped
//! (`reason="shutdown"`) in every pipeline, as log records are.
//!
//! # Sampled-out spans and the facade
//!
//! When a span is not recorded because its parent is not sampled, or because
//! `AlwaysOff` drops every root, there is no new span: the parent's context
//! (or none) should stay current. The tracer returns the parent's context as
//! a non-recording span until the facade offers a "no new span" outcome that
//! also skips the context switch (see `unsampled` in the source).
//!
//! # The tail rule
//!
//! See [`TracerBuilder::with_tail_keep_errors`]: spans wait per trace until
//! the trace's local root ends; errored traces are exported whole, others
//! dropped and counted ([`TracerStats::tail_dropped`]); the buffer is bounded
//! ([`TracerBuilder::with_tail_limits`]).
//!
//! # Unsafe code
//!
//! Four places, each with its invariants written next to the `unsafe` block:
//! - the slot protocol (module `slab`) shares slot data between threads
//!   through `UnsafeCell`, with ownership handed over by the slot's state
//!   word, and drains finished slots into export chunks written in place
//!   (`Shard::drain_done`, an `unsafe fn`: the caller's closure must write
//!   every element);
//! - the tracer's drain (`tracer.rs`) is that caller: `SlotData::take`
//!   writes its output;
//! - chunk recycling (module `recycle`) reinterprets an exported
//!   `Arc<[SpanData]>` it holds alone as `Arc<[MaybeUninit<SpanData>]>` and
//!   drops the spans in place, so the chunk can be written again;
//! - the clock reads the TSC with `rdtsc`.
//!
//! `scripts/miri` (run by `.ci/run`) runs the slab and recycling unit tests
//! and a multi-threaded drain test under Miri.

mod builder;
mod collector;
mod data;
mod ids;
mod limits;
mod local;
mod names;
mod recycle;
mod sampler;
mod slab;
mod slot;
mod tail;
mod tracer;

pub use builder::TracerBuilder;
pub use collector::CallEdge;
pub use data::{SpanData, SpanEvent, SpanLink};
pub use ids::IdGenerator;
pub use limits::{LimitsDropped, SpanLimits};
pub use sampler::Sampler;
pub use slot::InFlightSpan;
pub use tracer::{SdkTracer, TracerStats};
