//! Metrics: [`SdkMeter`], the SDK's [`Meter`](omniscope::Meter), and the
//! readers that collect it ([`SdkMeter::snapshot`] for pull exporters,
//! [`DeltaReader`], [`PeriodicReader`] for push exporters), producing
//! [`MetricsSnapshot`]s.
//!
//! # Instruments
//!
//! - **Counters** (`u64`, monotonic), sharded per thread (below).
//! - **Up-down counters** (`i64`): one atomic add, plus a high-water mark
//!   (`fetch_max`, only when the sum rises above it) for in-flight counts.
//! - **Gauges** (`f64`): `set` is one atomic store of the bits, `add` a
//!   compare-and-swap loop. Callback gauges ([`Meter::observe_gauge`](omniscope::Meter::observe_gauge))
//!   and callback counters ([`SdkMeter::observe_counter`]) are read at
//!   collection.
//! - **Histograms** (`f64`): explicit buckets (Prometheus' by default,
//!   configurable per metric), exact `count`, `sum`, `min`, `max`, p50/p90/p99
//!   from a quantile sketch, and per bucket an exemplar: the last sample
//!   recorded while a span was current, with its trace and span ids.
//!
//! Registration (`Meter::counter` and friends) may take a lock; recording
//! through a handle never does. Every registration of the same name and
//! labels, from any number of call sites, lands in one series; labels are
//! compared as a set (sorted by name). A name keeps the kind of instrument
//! it was first registered as: asking for another kind returns a no-op
//! handle and counts in `omniscope.metric.kind_conflicts{metric}`.
//!
//! # Sharding: why a counter increment shares no cache line
//!
//! A shared `AtomicU64::fetch_add` is one locked instruction when one
//! thread uses it, but threads incrementing the same counter fight over its
//! cache line. Here every counter series gets a dense id, and every thread
//! gets its own table of `AtomicU64` cells indexed by id (128-byte-aligned
//! chunks of 64 cells, allocated on first use, in a two-level directory).
//! Only the owning thread writes its cells, with a relaxed **load and store**
//! — not a read-modify-write, so not even the `lock` prefix of an
//! uncontended `fetch_add`. The tables are registered in the meter; a
//! collection sums each id over them with relaxed loads. When a thread
//! exits, its thread-local destructor folds its cells into the series'
//! shared "retired" cells and unregisters the table, under the same mutex
//! the collector holds while summing, so nothing is lost or counted twice.
//! Increments made where no table is available (inside thread-local
//! destructors during teardown, or beyond 262 144 ids) go to those shared
//! cells with an ordinary `fetch_add`.
//!
//! Histograms use the same tables for their bucket counts and their sum
//! (the count is the sum of the buckets). One `record` is: the sketch bin
//! from the float's bits, which also finds the explicit bucket through a
//! per-layout table (a load and a compare instead of a binary search), two
//! per-thread load/stores, **one** atomic add (the sketch bin: the sketch
//! stays shared, so that its memory does not grow with the number of
//! threads), two relaxed loads for min and max, and one thread-local check
//! for a current span. An exemplar is written only when a span is current.
//!
//! Per-CPU shards were the alternative; they need a CPU id per increment
//! (`rdtscp`/`getcpu`, or `rseq`, which std does not offer) and still a
//! `fetch_add` (a thread can migrate), so they are slower on one thread.
//! The cost of the per-thread design is memory: about 2.5 KiB per recording
//! thread per meter, plus 512 bytes per 64 ids the thread touches. A
//! thread's first increment of a meter registers its table (one mutex
//! acquisition); a thread that outlives a meter reuses its table for the
//! next one.
//!
//! # The quantile sketch and its error
//!
//! Histograms keep a DDSketch-style sketch with relative error `α`
//! (default 1%, [`MeterBuilder::with_sketch_relative_error`]): **every
//! reported quantile `q` is within `α` (relative) of the exact sample of
//! rank `⌊q · (n − 1)⌋`**, for positive and negative values alike (zero is
//! exact). Values are mapped to log-linear bins read off the f64's bits (its
//! exponent and the top mantissa bits: 64 bins per octave at `α = 1%`, one
//! shift on the recording path); bins are allocated in pages as values
//! arrive, at most 3,776 per sign at `α = 1%` (values spanning 2^58).
//! Values outside `[2^-64, 2^64)` and
//! samples beyond the bin budget are counted in the nearest bin and lose the
//! guarantee; `NaN` is ignored. Quantiles are clamped into the exact
//! `[min, max]`.
//!
//! # Families and cardinality
//!
//! A meter holds at most [`MeterBuilder::with_family_limit`] metric names
//! (default 2000). Past it, registering a new name returns a no-op handle
//! and counts in `omniscope.metric.family_overflow`; names already
//! registered are unaffected, and recording through a handle never checks
//! the limit (it applies when a registration looks up a name it does not
//! find).
//!
//! Each metric name holds at most [`MeterBuilder::with_cardinality_limit`]
//! label sets (default 2000). Past it, handles for new label sets record
//! into one overflow series labelled `otel.metric.overflow="true"`, and each
//! refusal counts in `omniscope.metric.cardinality_overflow{metric}`.
//!
//! # Snapshots
//!
//! [`SdkMeter::snapshot`] is cumulative; a [`DeltaReader`] returns the
//! differences since its previous collection (counters and histograms with
//! no new samples left out, see [`DeltaReader::collect`]). Families are
//! sorted by name; series are in registration order, the overflow series
//! last. Each series carries its start time ([`Series::start_time`]): when
//! it was registered, or for a delta the start of its interval.

mod cells;
mod collect;
mod counter;
mod exemplar;
mod gauge;
mod histogram;
mod meter;
mod padded;
mod reader;
mod registry;
mod sketch;
mod snapshot;

pub use meter::{DeltaReader, MeterBuilder, SdkMeter, HTTP_DURATION_BUCKETS, RPC_DURATION_BUCKETS};
pub use reader::PeriodicReader;
pub use snapshot::*;
