//! [`SdkTracer`]: the recording [`Tracer`].

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use omniscope::trace::{SamplingHint, SamplingRequest, SpanStart, SpanToken, StartedSpan};
use omniscope::{Exception, Field, SpanContext, Status, TraceFlags, Tracer, Value};

use super::builder::TracerBuilder;
use super::collector::{CallEdge, Collector};
use super::data::{SpanData, SpanLink};
use super::limits::{LimitCounters, LimitsDropped, Owner, SpanLimits};
use super::local::{with_local, Local};
use super::recycle::SpanPool;
use super::sampler::{Decider, Root};
use super::slab::{Drained, FreeSlot, OwnerCounters, Registry, Release, Shard, Token};
use super::slot::{FinishedBatch, InFlightSpan, PendingEvent, SlotData};
use crate::attributes::{Attributes, FormattedText};
use crate::clock::{self, Tick};
use crate::export::{DropReason, ExportError, Fanout, PipelineStats};
use crate::resource::Resource;
use crate::sync::lock;

/// The SDK's tracer: samples, records spans without a lock per span, and
/// exports them in batches through one pipeline per exporter.
///
/// Cheap to clone (an `Arc` inside); install a clone with
/// [`omniscope::set_tracer`] and keep one to flush and shut down.
/// See the [module docs](super) for how recording works.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use omniscope_sdk::export::InMemoryExporter;
/// use omniscope_sdk::trace::{Sampler, SdkTracer};
///
/// let (exporter, spans) = InMemoryExporter::new();
/// let tracer = SdkTracer::builder()
///     .with_sampler(Sampler::AlwaysOn)
///     .with_exporter(Box::new(exporter))
///     .build()?;
/// omniscope::set_tracer(tracer.clone()).map_err(|_| "a tracer was already installed")?;
/// {
///     let _work = omniscope::span!("work", items = 3);
/// }
/// tracer.flush(Instant::now() + Duration::from_secs(5))?;
/// assert_eq!(spans.items()[0].name, "work");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SdkTracer {
    pub(crate) inner: Arc<Inner>,
}

/// The tracer's shared state.
pub(crate) struct Inner {
    /// Tells this tracer's thread-local state apart from other tracers'.
    pub(crate) id: u64,
    pub(crate) decider: Decider,
    pub(crate) limits: SpanLimits,
    pub(crate) max_slots: usize,
    pub(crate) registry: Registry,
    pub(crate) fanout: Fanout<SpanData>,
    pub(crate) resource: Arc<Resource>,
    pub(crate) collector: Mutex<Collector>,
    /// The spans a collection pass converts (the lock also keeps passes
    /// one at a time).
    pass_scratch: Mutex<FinishedBatch>,
    /// The largest export chunk (the collector's, copied for the drains).
    pub(crate) chunk: usize,
    /// Attribute buffers and chunks the exporters are done with.
    pub(crate) span_pool: Arc<SpanPool>,
    pub(crate) waker: OnceLock<std::thread::Thread>,
    shut_down: AtomicBool,
    pub(crate) limit_counters: LimitCounters,
    counters: Counters,
}

#[derive(Debug, Default)]
struct Counters {
    /// Sampled out where no thread state was at hand (teardown).
    sampled_out: AtomicU64,
    /// Sampled in but not recorded: the thread's slab was full.
    buffer_full: AtomicU64,
    /// Sampled in but not recorded: no thread state (teardown, re-entry,
    /// too many threads).
    unrecordable: AtomicU64,
}

static TRACER_IDS: AtomicU64 = AtomicU64::new(1);

/// What a tracer did, for self-metrics and the dashboard.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TracerStats {
    /// Spans not recorded because the sampler said so.
    pub sampled_out: u64,
    /// Spans sampled in but not recorded because their thread already held
    /// its maximum of open and unexported spans.
    pub dropped_buffer_full: u64,
    /// Spans sampled in but not recorded for want of thread state (during
    /// thread teardown, or beyond 4096 threads recording at once).
    pub dropped_unrecordable: u64,
    /// Spans collected from the threads (before the tail rule).
    pub collected: u64,
    /// Spans exported because their trace had an error (tail rule).
    pub tail_kept: u64,
    /// Spans dropped because their trace had no error (tail rule).
    pub tail_dropped: u64,
    /// Spans dropped because their trace held the most spans the tail
    /// buffer keeps per trace.
    pub tail_overflow: u64,
    /// Traces decided before their local root ended, because the tail buffer
    /// held its most traces.
    pub tail_evicted_traces: u64,
    /// Spans waiting in the tail buffer.
    pub tail_waiting: u64,
    /// What the span limits cut.
    pub limits: LimitsDropped,
}

impl Inner {
    pub(crate) fn new(
        decider: Decider,
        limits: SpanLimits,
        max_slots: usize,
        fanout: Fanout<SpanData>,
        resource: Arc<Resource>,
        collector: Collector,
    ) -> Inner {
        let span_pool = Arc::new(SpanPool::new(collector.chunk_len()));
        fanout.set_recycler(&SpanPool::recycler(&span_pool));
        Inner {
            id: TRACER_IDS.fetch_add(1, Ordering::Relaxed),
            decider,
            limits,
            max_slots,
            registry: Registry::new(),
            fanout,
            resource,
            chunk: collector.chunk_len(),
            span_pool,
            collector: Mutex::new(collector),
            pass_scratch: Mutex::new(FinishedBatch::default()),
            waker: OnceLock::new(),
            shut_down: AtomicBool::new(false),
            limit_counters: LimitCounters::default(),
            counters: Counters::default(),
        }
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::Acquire)
    }

    fn lock_collector(&self) -> MutexGuard<'_, Collector> {
        lock(&self.collector)
    }

    /// Runs a collection pass over every thread; with `wait`, also over
    /// slabs their owner is draining at the moment (after it is done).
    pub(crate) fn collect(&self, wait: bool) {
        let mut scratch = lock(&self.pass_scratch);
        let mut freed = Vec::new();
        for shard in self.registry.iter() {
            let drained = self.drain(shard, wait, &mut freed, &mut scratch);
            // Before other drains may run: a thread waiting for this one
            // finds the slots freed.
            shard.give_back(&mut freed);
            drop(drained);
        }
    }

    /// Converts `shard`'s ended spans (into `batch`, whose chunks it leaves
    /// empty), frees their slots into `freed`, and hands the spans to the
    /// collector before any other drain of the shard can: a shard's spans
    /// reach the collector in the order they ended. The drain holds off
    /// other drains of the shard until it drops. `None` if another drain of
    /// the shard is running and `wait` is false.
    fn drain<'s>(
        &self,
        shard: &'s Shard,
        wait: bool,
        freed: &mut Vec<FreeSlot>,
        batch: &mut FinishedBatch,
    ) -> Option<Drained<'s>> {
        let cal = clock::calibration();
        let FinishedBatch {
            chunks,
            meta,
            spare,
            spare_chunks,
        } = batch;
        self.span_pool.take_buffers(spare, shard.len());
        self.span_pool.take_chunks(
            spare_chunks,
            shard.len().div_ceil(self.chunk),
            spare,
            SpanPool::spare_buffers(shard.len()),
        );
        // SAFETY: `SlotData::take` writes its `out`.
        let drained = unsafe {
            shard.drain_done(
                wait,
                freed,
                self.chunk,
                chunks,
                |len| SpanPool::chunk(spare_chunks, len),
                |d, out| d.take(&cal, meta, spare, out),
            )
        }?;
        if drained.count > 0 {
            self.lock_collector().absorb(self, batch);
        }
        Some(drained)
    }

    fn wake_collector(&self) {
        if let Some(t) = self.waker.get() {
            t.unpark();
        }
    }

    fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        if !self.shut_down.swap(true, Ordering::AcqRel) {
            self.collect(true);
            self.lock_collector().decide_all(self);
            self.wake_collector();
        }
        self.fanout.shutdown(deadline)
    }

    /// Counts a span started after shutdown as dropped (`shutdown`) in
    /// every pipeline, as the logger counts a record logged after shutdown:
    /// so `produced = exported + dropped` holds for spans too. The sampler
    /// is not asked (a span it would have dropped is counted all the same).
    #[cold]
    fn started_after_shutdown(&self) {
        self.fanout.count_dropped(DropReason::Shutdown, 1);
    }

    fn sampled_out(&self, local: Option<&mut Local>) {
        match local {
            Some(l) => {
                OwnerCounters::bump(&l.shard.owner.sampled_out);
            }
            None => {
                self.counters.sampled_out.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    /// Sets an attribute whose value needs no formatting (no application
    /// code runs while the slot is claimed).
    #[inline]
    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        self.modify(token, |d| {
            let dropped = self.limits.push_fields(
                Owner::Span,
                &mut d.attributes,
                std::slice::from_ref(field),
                &self.limit_counters,
            );
            d.dropped_attributes = d.dropped_attributes.saturating_add(dropped);
        });
    }

    /// Stamps the end of the open span `token` names, marks it done and
    /// returns `f` of it; nothing happens for a stale or forged token.
    #[inline]
    fn end<R>(&self, token: SpanToken, f: impl FnOnce(&SlotData) -> R) -> Option<R> {
        let t = Token::decode(token.0);
        let slot = self.registry.get(t.shard)?.slot(t.index)?;
        let now = Tick::now();
        slot.claim(t.generation, |d| {
            d.end = now;
            (f(d), Release::Done)
        })
    }

    /// Claims the open span `token` names and runs `f` on it; nothing
    /// happens for a stale or forged token.
    #[inline]
    fn modify<R>(&self, token: SpanToken, f: impl FnOnce(&mut SlotData) -> R) -> Option<R> {
        let t = Token::decode(token.0);
        let slot = self.registry.get(t.shard)?.slot(t.index)?;
        slot.claim(t.generation, |d| (f(d), Release::Open))
    }
}

impl Drop for Inner {
    /// Exports what is left (the last clone is gone: nothing can be
    /// recorded any more).
    fn drop(&mut self) {
        let _ = self.shutdown(Instant::now() + std::time::Duration::from_secs(5));
    }
}

/// The outcome for a span that is not recorded and needs no context of its
/// own: the parent's context stays in force (the facade builds nothing, and
/// what runs in the span, `in_span` or entered, runs under the parent), so
/// the parent's trace id, flags and `tracestate` go downstream unchanged.
#[inline]
fn unsampled(_: &SpanStart<'_>) -> StartedSpan {
    StartedSpan::unsampled()
}

impl SdkTracer {
    /// A builder, with the defaults each setter documents.
    pub fn builder() -> TracerBuilder {
        TracerBuilder::default()
    }

    /// Exports every span that ended before this call, and waits for the
    /// exporters, until `deadline`. Spans still open are not affected; with
    /// the tail rule on, traces whose local root is still open keep waiting.
    ///
    /// # Errors
    /// [`ExportError::AlreadyShutdown`] after [`SdkTracer::shutdown`];
    /// [`ExportError::Timeout`] at the deadline; an exporter's flush error.
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        if self.inner.is_shut_down() {
            return Err(ExportError::AlreadyShutdown);
        }
        self.inner.collect(true);
        self.inner.fanout.flush(deadline)
    }

    /// Stops recording, exports every ended span (deciding every trace the
    /// tail rule holds), and shuts the exporters down by `deadline`.
    /// Idempotent; later calls return the exporters' first outcome.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] at the deadline; an exporter's error.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        self.inner.shutdown(deadline)
    }

    /// Each exporter pipeline's counters.
    pub fn pipeline_stats(&self) -> Vec<PipelineStats> {
        self.inner.fanout.stats()
    }

    /// The resource attached to every exported batch.
    pub fn resource(&self) -> &Arc<Resource> {
        &self.inner.resource
    }

    /// The tracer's counters.
    pub fn stats(&self) -> TracerStats {
        let inner = &*self.inner;
        let mut sampled_out = inner.counters.sampled_out.load(Ordering::Relaxed);
        for shard in inner.registry.iter() {
            sampled_out += shard.owner.sampled_out.load(Ordering::Relaxed);
        }
        let c = inner.lock_collector();
        let tail = c
            .tail
            .as_ref()
            .map(|t| (t.counters, t.waiting() as u64))
            .unwrap_or_default();
        TracerStats {
            sampled_out,
            dropped_buffer_full: inner.counters.buffer_full.load(Ordering::Relaxed),
            dropped_unrecordable: inner.counters.unrecordable.load(Ordering::Relaxed),
            collected: c.collected,
            tail_kept: tail.0.kept,
            tail_dropped: tail.0.dropped,
            tail_overflow: tail.0.overflow,
            tail_evicted_traces: tail.0.evicted,
            tail_waiting: tail.1,
            limits: inner.limit_counters.snapshot(),
        }
    }

    /// What the span limits cut, in total.
    pub fn limits_dropped(&self) -> LimitsDropped {
        self.inner.limit_counters.snapshot()
    }

    /// How many spans the sampler kept from being recorded.
    pub fn sampled_out(&self) -> u64 {
        self.stats().sampled_out
    }

    /// The call graph of instrumented functions
    /// ([`SpanSite::with_function`](omniscope::SpanSite::with_function)):
    /// one edge per (caller, callee), counting calls whose span ended and
    /// was recorded. Sorted by caller, then callee.
    pub fn call_graph(&self) -> Vec<CallEdge> {
        self.inner.collect(true);
        self.inner.lock_collector().call_graph()
    }

    /// The spans started and not yet ended, on every thread. Walks every
    /// thread's slab (briefly claiming each open slot), so it costs in
    /// proportion to the slots in use: fine for a dashboard, not for a loop.
    pub fn in_flight(&self) -> Vec<InFlightSpan> {
        let cal = clock::calibration();
        let now = Tick::now();
        let mut spans = Vec::new();
        for shard in self.inner.registry.iter() {
            shard.for_each_open(|d| spans.push(d.in_flight(now, &cal)));
        }
        spans
    }

    #[inline]
    fn record(
        &self,
        local: &mut Local,
        start: &SpanStart<'_>,
        parent: Option<&SpanContext>,
    ) -> StartedSpan {
        let inner = &*self.inner;
        let trace_id = match parent {
            Some(p) => p.trace_id(),
            None => local.ids.trace_id(),
        };
        let request = start.sampling_request();
        let debug = match parent {
            Some(p) => p.is_debug(),
            None => request == Some(SamplingRequest::Debug),
        };
        let sampled = match (parent, request) {
            _ if debug => true,
            // A caller's decision sent without ids stands for its sampled
            // or unsampled parent.
            (None, Some(request)) => request != SamplingRequest::Deny,
            _ => inner.decider.sampled(parent, trace_id),
        };
        if !sampled {
            inner.sampled_out(Some(local));
            if parent.is_some_and(|p| !p.is_sampled()) {
                return unsampled(start);
            }
            return StartedSpan::non_recording(context(
                trace_id,
                local.ids.span_id(),
                span_flags(parent, false),
                parent,
            ));
        }
        let span_id = local.ids.span_id();
        let flags = span_flags(parent, true);
        let cx = context(trace_id, span_id, flags, parent).with_debug(debug);
        let Some(slot) = local.free.pop().or_else(|| refill(inner, local)) else {
            inner.counters.buffer_full.fetch_add(1, Ordering::Relaxed);
            return StartedSpan::non_recording(cx);
        };
        let site = start.site();
        let name = start.name();
        let name = if std::ptr::eq(name, site.name()) {
            Cow::Borrowed(site.name())
        } else {
            local.names.name(name)
        };
        let fields = start.fields();
        let now = Tick::now();
        let token = local.shard.open(slot, |d| {
            d.trace_id = trace_id;
            d.span_id = span_id;
            d.flags = flags;
            d.debug = debug;
            if let Some(p) = parent {
                d.parent_span_id = p.span_id();
                d.parent_is_remote = p.is_remote();
                if !p.trace_state().is_empty() {
                    d.trace_state = p.trace_state().clone();
                }
            } else {
                d.parent_span_id = omniscope::SpanId::INVALID;
                d.parent_is_remote = false;
            }
            d.site = site;
            d.parent_site = start.parent_site();
            d.name = name;
            d.start = now;
            d.end = now;
            if !fields.is_empty() {
                d.dropped_attributes = inner.limits.push_fields(
                    Owner::Span,
                    &mut d.attributes,
                    fields,
                    &inner.limit_counters,
                );
            }
        });
        match token {
            Some(token) => StartedSpan::recording(cx, SpanToken(token)),
            None => {
                inner.counters.unrecordable.fetch_add(1, Ordering::Relaxed);
                StartedSpan::non_recording(cx)
            }
        }
    }
}

/// A new span's flags: `sampled` as decided; `random` (W3C Trace Context
/// Level 2) as the parent has it, or set on a root, whose trace id the
/// [`IdGenerator`](super::IdGenerator) made at random. The reserved bits of
/// a remote parent are not inherited: they would be sent on and exported.
#[inline]
fn span_flags(parent: Option<&SpanContext>, sampled: bool) -> TraceFlags {
    parent
        .map_or(TraceFlags::RANDOM, |p| p.flags().defined())
        .with_sampled(sampled)
}

fn context(
    trace_id: omniscope::TraceId,
    span_id: omniscope::SpanId,
    flags: TraceFlags,
    parent: Option<&SpanContext>,
) -> SpanContext {
    let cx = SpanContext::new(trace_id, span_id, flags);
    match parent {
        Some(p) if !p.trace_state().is_empty() => cx.with_trace_state(p.trace_state().clone()),
        _ => cx,
    }
}

/// Below this many slots, a thread's slab grows rather than recycling its
/// ended spans at every refill (bigger batches, fewer hand-offs).
const MIN_SLAB: usize = 512;

/// Finds a free slot when the thread's list is empty: slots the collector
/// freed; else the thread's own ended spans, converted and handed to the
/// exporters here, while they are in this core's cache (one batch per
/// refill); the slab grows when that frees too few.
///
/// (Waking the collector to convert them on another core instead was
/// measured: on two cores the thread got no faster, the process spent 1.7×
/// the CPU per span, and the exporters fell behind.)
#[cold]
fn refill(inner: &Inner, local: &mut Local) -> Option<FreeSlot> {
    let shard = local.shard.clone();
    shard.take_remote_free(&mut local.free);
    if let Some(s) = local.free.pop() {
        return Some(s);
    }
    if inner
        .drain(&shard, false, &mut local.free, &mut local.finished)
        .is_none()
    {
        // A collection pass is converting this thread's spans right now:
        // wait for it, and take the slots it freed. The wait is the work
        // this thread would otherwise do itself; growing the slab instead
        // doubled it at every such collision (to 131072 slots in a
        // benchmark, whose export bursts then overflowed the queue).
        drop(inner.drain(&shard, true, &mut local.free, &mut local.finished));
        shard.take_remote_free(&mut local.free);
    }
    let len = shard.len();
    if local.free.len() < len / 4 || len < MIN_SLAB {
        shard.grow(inner.max_slots, &mut local.free);
    }
    local.free.pop()
}

impl Tracer for SdkTracer {
    /// Parent-based samplers never record a child of an unsampled parent, and
    /// an always-off sampler records nothing: the facade skips asking for
    /// those spans (so they are not counted as sampled out).
    fn sampling_hint(&self) -> SamplingHint {
        let decider = &self.inner.decider;
        if decider.parent_based {
            SamplingHint::SkipsUnsampledChildren
        } else if decider.root == Root::Off {
            SamplingHint::Off
        } else {
            SamplingHint::AskAlways
        }
    }

    #[inline]
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let inner = &*self.inner;
        if inner.shut_down.load(Ordering::Relaxed) {
            inner.started_after_shutdown();
            return unsampled(start);
        }
        let parent = start.parent().filter(|p| p.is_valid());
        // Decisions that need no new ids: a child of an unsampled parent
        // (not marked debug) under `ParentBased`, a root the caller denied
        // (`b3: 0`), a root under `AlwaysOff` that the caller did not ask for.
        let skip = match (parent, start.sampling_request()) {
            (Some(p), _) => inner.decider.parent_based && !p.is_sampled() && !p.is_debug(),
            (None, Some(request)) => request == SamplingRequest::Deny,
            (None, None) => inner.decider.root == Root::Off,
        };
        if skip {
            if with_local(&self.inner, |l| inner.sampled_out(Some(l))).is_none() {
                inner.sampled_out(None);
            }
            return unsampled(start);
        }
        match with_local(&self.inner, |local| self.record(local, start, parent)) {
            Some(started) => started,
            None => {
                inner.counters.unrecordable.fetch_add(1, Ordering::Relaxed);
                unsampled(start)
            }
        }
    }

    #[inline]
    fn end(&self, token: SpanToken) {
        self.inner.end(token, |_| ());
    }

    /// The span clock's ticks, converted by the latest calibration.
    fn times_spans(&self) -> bool {
        true
    }

    #[inline]
    fn end_timed(&self, token: SpanToken) -> Option<Duration> {
        let ticks = self.inner.end(token, |d| d.end.since(d.start))?;
        Some(clock::duration(ticks))
    }

    fn set_attribute(&self, token: SpanToken, field: &Field<'_>) {
        let inner = &*self.inner;
        let value = field.value();
        if let Value::Display(_) | Value::Debug(_) | Value::Error(_) = value {
            // Formatted before the slot is claimed: the value's code may
            // record on this very span (inside the claim it would wait for
            // itself for ever) or panic (caught in `FormattedText`).
            let text = FormattedText::of(&value);
            let text = Value::Str(text.as_str());
            let field = match field.static_key() {
                Some(key) => Field::new_static(key, text),
                None => Field::new(field.key(), text),
            };
            return inner.set_attribute(token, &field);
        }
        inner.set_attribute(token, field);
    }

    /// The `exception` event with OpenTelemetry's attributes (see
    /// [`Exception`]), message and backtrace formatted with their panics
    /// caught, as every value is; the message is also the error status.
    fn record_exception(&self, token: SpanToken, exception: &Exception<'_>) {
        let message = FormattedText::of(&Value::Error(exception.error()));
        let message = message.as_str();
        let stacktrace = exception
            .backtrace()
            .map(|b| FormattedText::of(&Value::Display(b)));
        exception.with_event_fields(
            message,
            stacktrace.as_ref().map(FormattedText::as_str),
            |fields| self.add_event(token, Exception::EVENT_NAME, fields),
        );
        self.set_status(token, &Status::Error(Cow::Owned(message.to_owned())));
    }

    fn add_event(&self, token: SpanToken, name: &str, fields: &[Field<'_>]) {
        let inner = &*self.inner;
        let at = Tick::now();
        let mut attributes = Attributes::new();
        let dropped_attributes =
            inner
                .limits
                .push_fields(Owner::Event, &mut attributes, fields, &inner.limit_counters);
        let event = PendingEvent {
            name: event_name(name),
            at,
            attributes,
            dropped_attributes,
        };
        let kept = inner.modify(token, |d| {
            let max = inner.limits.events() as usize;
            let extra = d.extra();
            if extra.events.len() < max {
                extra.events.push(event);
                true
            } else {
                extra.dropped_events = extra.dropped_events.saturating_add(1);
                false
            }
        });
        if kept == Some(false) {
            LimitCounters::add(&inner.limit_counters.events, 1);
        }
    }

    fn add_link(&self, token: SpanToken, link: &SpanContext, fields: &[Field<'_>]) {
        let inner = &*self.inner;
        let mut attributes = Attributes::new();
        let dropped_attributes =
            inner
                .limits
                .push_fields(Owner::Link, &mut attributes, fields, &inner.limit_counters);
        let link = SpanLink {
            context: link.clone(),
            attributes,
            dropped_attributes,
        };
        let kept = inner.modify(token, |d| {
            let max = inner.limits.links() as usize;
            let extra = d.extra();
            if extra.links.len() < max {
                extra.links.push(link);
                true
            } else {
                extra.dropped_links = extra.dropped_links.saturating_add(1);
                false
            }
        });
        if kept == Some(false) {
            LimitCounters::add(&inner.limit_counters.links, 1);
        }
    }

    fn set_status(&self, token: SpanToken, status: &Status) {
        self.inner.modify(token, |d| d.set_status(status));
    }

    fn update_name(&self, token: SpanToken, name: &str) {
        self.inner.modify(token, |d| {
            d.name = if name == d.site.name() {
                Cow::Borrowed(d.site.name())
            } else {
                Cow::Owned(name.to_owned())
            };
        });
    }
}

/// Event names the facade uses are kept without a copy.
fn event_name(name: &str) -> Cow<'static, str> {
    match name {
        "exception" => Cow::Borrowed("exception"),
        "panic" => Cow::Borrowed("panic"),
        other => Cow::Owned(other.to_owned()),
    }
}

impl std::fmt::Debug for SdkTracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkTracer")
            .field("sampler", &self.inner.decider)
            .field("limits", &self.inner.limits)
            .field("exporters", &self.inner.fanout.len())
            .field("shut_down", &self.inner.is_shut_down())
            .finish_non_exhaustive()
    }
}
