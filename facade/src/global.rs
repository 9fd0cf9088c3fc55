//! The process-wide backends: set once, read with one relaxed atomic load.
//!
//! One byte of state says which signals have a backend installed and whether
//! any scoped recorder (a [`testing`](crate::testing) capture) is active, so
//! with nothing installed every macro costs that one load. Each backend
//! lives in its own `OnceLock`; a second install hands the value back in
//! [`SetGlobalError`].

use std::cell::Cell;
use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::context::with_current;
use crate::error::{ErrorContext, ErrorHandler, NoopErrorHandler};
use crate::level::{base_max_level, store_max_level, LevelFilter};
use crate::log::{Logger, NoopLogger, Record};
use crate::metrics::{Key, Meter, MetricMeta, NoopMeter};
use crate::preinit;
use crate::sync::lock;
use crate::trace::{NoopTracer, SamplingHint, Tracer};

/// The four signals, as bits of the dispatch state.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Signal {
    Logger = 1,
    Meter = 2,
    Tracer = 4,
    Errors = 8,
}

impl Signal {
    pub(crate) const fn bit(self) -> u8 {
        self as u8
    }
}

/// Set while at least one scoped recorder is active somewhere.
pub(crate) const SCOPED: u8 = 16;

/// Set with `Signal::Logger` when the installed logger declared that it
/// emits no telemetry while logging ([`Logger::needs_reentrancy_guard`]).
const UNGUARDED_LOGGER: u8 = 32;

static STATE: AtomicU8 = AtomicU8::new(0);

/// The dispatch state: one relaxed load.
#[inline(always)]
pub(crate) fn state() -> u8 {
    STATE.load(Ordering::Relaxed)
}

static LOGGER: OnceLock<Box<dyn Logger>> = OnceLock::new();
static METER: OnceLock<Box<dyn Meter>> = OnceLock::new();
static TRACER: OnceLock<Box<dyn Tracer>> = OnceLock::new();
static ERRORS: OnceLock<Box<dyn ErrorHandler>> = OnceLock::new();

/// The error returned by a second install: the rejected value is handed back.
pub struct SetGlobalError<T>(T);

impl<T> SetGlobalError<T> {
    pub(crate) fn new(value: T) -> SetGlobalError<T> {
        SetGlobalError(value)
    }

    /// The value that was not installed.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for SetGlobalError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetGlobalError").finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SetGlobalError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a global backend of this kind is already installed: install once, at the start of main")
    }
}

impl<T> Error for SetGlobalError<T> {}

/// Stores `value` in `cell` unless it is set; hands `value` back otherwise.
fn install_once<T: 'static, D: ?Sized>(
    cell: &'static OnceLock<Box<D>>,
    value: T,
    boxed: impl FnOnce(T) -> Box<D>,
    fallback: impl FnOnce() -> Box<D>,
) -> Result<&'static D, SetGlobalError<T>> {
    let mut pending = Some(value);
    let installed = cell.get_or_init(|| match pending.take() {
        Some(v) => boxed(v),
        None => fallback(),
    });
    match pending {
        None => Ok(installed.as_ref()),
        Some(rejected) => Err(SetGlobalError(rejected)),
    }
}

/// Installs the global logger and sets the global level filter from its
/// [`max_level_hint`](Logger::max_level_hint). Records buffered before now
/// (see [`preinit`]) are replayed into it.
///
/// # Errors
/// A logger is already installed; `logger` is handed back.
pub fn set_logger<L: Logger + 'static>(logger: L) -> Result<(), SetGlobalError<L>> {
    let installed = install_once(&LOGGER, logger, |l| Box::new(l), || Box::new(NoopLogger))?;
    update_levels(|l| {
        l.logger = Some(installed.max_level_hint());
    });
    let unguarded = if installed.needs_reentrancy_guard() {
        0
    } else {
        UNGUARDED_LOGGER
    };
    STATE.fetch_or(Signal::Logger.bit() | unguarded, Ordering::Release);
    as_dispatch(|| preinit::replay_logs(installed));
    Ok(())
}

/// Installs the global meter. Late-binding handles created before now start
/// reporting into it, and gauges registered with
/// [`observe_gauge`](crate::metrics::observe_gauge) are registered on it.
///
/// # Errors
/// A meter is already installed; `meter` is handed back.
pub fn set_meter<M: Meter + 'static>(meter: M) -> Result<(), SetGlobalError<M>> {
    let installed = install_once(&METER, meter, |m| Box::new(m), || Box::new(NoopMeter))?;
    STATE.fetch_or(Signal::Meter.bit(), Ordering::Release);
    let pending = std::mem::take(&mut *lock(&PENDING_GAUGES));
    for (key, meta, callback) in pending {
        installed.observe_gauge(&key, &meta, callback);
    }
    Ok(())
}

/// Installs the global tracer.
///
/// # Errors
/// A tracer is already installed; `tracer` is handed back.
pub fn set_tracer<T: Tracer + 'static>(tracer: T) -> Result<(), SetGlobalError<T>> {
    let installed = install_once(&TRACER, tracer, |t| Box::new(t), || Box::new(NoopTracer))?;
    TRACER_HINT.store(installed.sampling_hint() as u8, Ordering::Relaxed);
    STATE.fetch_or(Signal::Tracer.bit(), Ordering::Release);
    Ok(())
}

/// The installed tracer's [`SamplingHint`], as its discriminant.
static TRACER_HINT: AtomicU8 = AtomicU8::new(SamplingHint::AskAlways as u8);

/// The installed tracer's [`SamplingHint`].
#[inline]
pub(crate) fn tracer_hint() -> SamplingHint {
    match TRACER_HINT.load(Ordering::Relaxed) {
        h if h == SamplingHint::Off as u8 => SamplingHint::Off,
        h if h == SamplingHint::SkipsUnsampledChildren as u8 => {
            SamplingHint::SkipsUnsampledChildren
        }
        _ => SamplingHint::AskAlways,
    }
}

/// Installs the global error handler. Errors handled before now (see
/// [`preinit`]) are replayed into it.
///
/// # Errors
/// A handler is already installed; `handler` is handed back.
pub fn set_error_handler<H: ErrorHandler + 'static>(handler: H) -> Result<(), SetGlobalError<H>> {
    let installed = install_once(
        &ERRORS,
        handler,
        |h| Box::new(h),
        || Box::new(NoopErrorHandler),
    )?;
    STATE.fetch_or(Signal::Errors.bit(), Ordering::Release);
    as_dispatch(|| preinit::replay_errors(installed));
    Ok(())
}

/// The installed logger, or [`NoopLogger`].
pub fn logger() -> &'static dyn Logger {
    LOGGER.get().map_or(&NoopLogger, |l| l.as_ref())
}

/// The installed meter, or [`NoopMeter`].
pub fn meter() -> &'static dyn Meter {
    METER.get().map_or(&NoopMeter, |m| m.as_ref())
}

/// The installed logger, if any (read by the pre-init buffer under its lock).
pub(crate) fn installed_logger() -> Option<&'static dyn Logger> {
    LOGGER.get().map(|l| l.as_ref())
}

/// The installed error handler, if any (read by the pre-init buffer under its lock).
pub(crate) fn installed_error_handler() -> Option<&'static dyn ErrorHandler> {
    ERRORS.get().map(|h| h.as_ref())
}

/// The installed meter, if any. Late-binding handles bind through this, not
/// [`meter`]: the state bit is read with a relaxed load, so a thread may
/// see it before the meter itself, and a handle must never cache the no-op.
pub(crate) fn installed_meter() -> Option<&'static dyn Meter> {
    METER.get().map(|m| m.as_ref())
}

/// The installed tracer, or [`NoopTracer`].
pub fn tracer() -> &'static dyn Tracer {
    TRACER.get().map_or(&NoopTracer, |t| t.as_ref())
}

/// The installed error handler, or [`NoopErrorHandler`].
pub fn error_handler() -> &'static dyn ErrorHandler {
    ERRORS.get().map_or(&NoopErrorHandler, |h| h.as_ref())
}

// ---- levels --------------------------------------------------------------

/// What the global level filter is computed from.
struct LevelInputs {
    /// Set by `set_max_level`, which wins over the logger's hint.
    requested: Option<LevelFilter>,
    /// The installed logger's hint.
    logger: Option<LevelFilter>,
    /// Active scoped recorders (they want everything).
    scopes: usize,
}

static LEVELS: Mutex<LevelInputs> = Mutex::new(LevelInputs {
    requested: None,
    logger: None,
    scopes: 0,
});

fn update_levels(change: impl FnOnce(&mut LevelInputs)) {
    let mut inputs = lock(&LEVELS);
    change(&mut inputs);
    let base = match (inputs.requested, inputs.logger) {
        (Some(requested), _) => requested,
        (None, Some(hint)) => hint,
        (None, None) => preinit::level(),
    };
    let effective = if inputs.scopes > 0 {
        LevelFilter::Trace
    } else {
        base
    };
    store_max_level(effective, base);
    for watcher in lock(&LEVEL_WATCHERS).iter() {
        watcher(effective);
    }
    if inputs.scopes > 0 {
        STATE.fetch_or(SCOPED, Ordering::Release);
    } else {
        STATE.fetch_and(!SCOPED, Ordering::Release);
    }
}

/// Called with the global level filter each time it is computed (see
/// [`watch_max_level`]).
static LEVEL_WATCHERS: Mutex<Vec<fn(LevelFilter)>> = Mutex::new(Vec::new());

/// Calls `watcher` with the global level filter ([`max_level`](crate::max_level))
/// now and each time it is computed again (a logger installed, `set_max_level`,
/// a `testing` capture starting or ending), in order, under the lock that
/// computes it: so another logging facade's own filter (the `log` crate's
/// `set_max_level`) follows omniscope's, and a disabled call there costs
/// one load too. `watcher` must only store the value: it must not log.
pub fn watch_max_level(watcher: fn(LevelFilter)) {
    update_levels(|_| lock(&LEVEL_WATCHERS).push(watcher));
}

pub(crate) fn set_requested_level(filter: LevelFilter) {
    update_levels(|l| l.requested = Some(filter));
}

pub(crate) fn refresh_levels() {
    update_levels(|_| {});
}

// ---- scoped recorders ----------------------------------------------------

/// A set of backends active only where a [`Context`](crate::Context)
/// carrying it is current (a `testing` capture).
pub(crate) struct Scope {
    logger: Arc<dyn Logger>,
    meter: Arc<dyn Meter>,
    tracer: Arc<dyn Tracer>,
    errors: Arc<dyn ErrorHandler>,
}

impl Scope {
    pub(crate) fn new(
        logger: Arc<dyn Logger>,
        meter: Arc<dyn Meter>,
        tracer: Arc<dyn Tracer>,
        errors: Arc<dyn ErrorHandler>,
    ) -> Scope {
        Scope {
            logger,
            meter,
            tracer,
            errors,
        }
    }

    pub(crate) fn logger(&self) -> &dyn Logger {
        &*self.logger
    }

    pub(crate) fn meter(&self) -> &dyn Meter {
        &*self.meter
    }

    pub(crate) fn tracer(&self) -> &dyn Tracer {
        &*self.tracer
    }

    pub(crate) fn errors(&self) -> &dyn ErrorHandler {
        &*self.errors
    }
}

/// Counts an active scope until dropped.
pub(crate) struct ScopeActive(());

impl ScopeActive {
    pub(crate) fn start() -> ScopeActive {
        update_levels(|l| l.scopes += 1);
        ScopeActive(())
    }
}

impl Drop for ScopeActive {
    fn drop(&mut self) {
        update_levels(|l| l.scopes = l.scopes.saturating_sub(1));
    }
}

/// Runs `f` on the current context's scope, if any scope is active and the
/// current context carries one.
#[inline]
pub(crate) fn scoped<R>(f: impl Fn(&Scope) -> R) -> Option<R> {
    if state() & SCOPED == 0 {
        return None;
    }
    with_current(|cx| cx.scope().map(|s| f(s)))
}

// ---- dispatch ------------------------------------------------------------

/// This thread's dispatch state, [`ACTIVE`] and [`SUPPRESSED`]: either flag
/// drops what the thread emits. One byte, so that the log path tests both
/// with one thread-pointer-relative load.
struct DispatchState {
    flags: Cell<u8>,
}

/// Set while a backend handles this thread's telemetry.
const ACTIVE: u8 = 1;
/// Set once the thread asked to emit nothing. A separate flag, so that
/// ending a dispatch clears its own mark only, never a suppression made
/// during it.
const SUPPRESSED: u8 = 2;

impl DispatchState {
    /// Sets or clears [`ACTIVE`], returning whether it was set.
    fn set_active(&self, active: bool) -> bool {
        let flags = self.flags.get();
        self.flags.set(if active {
            flags | ACTIVE
        } else {
            flags & !ACTIVE
        });
        flags & ACTIVE != 0
    }
}

thread_local! {
    static DISPATCH: DispatchState = const {
        DispatchState { flags: Cell::new(0) }
    };
}

/// Runs `f` unless this thread is already inside a dispatch (or
/// suppressed): a backend that logs or reports while handling a record
/// must not loop. What is dropped is counted as `signal`'s.
#[inline]
fn non_reentrant(signal: Signal, f: impl FnOnce()) {
    let entered = DISPATCH
        .try_with(|d| {
            let free = d.flags.get() == 0;
            if free {
                d.set_active(true);
            }
            free
        })
        .unwrap_or(false);
    if entered {
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                let _ = DISPATCH.try_with(|d| d.set_active(false));
            }
        }
        let _leave = Leave;
        f();
    } else {
        dropped_while_dispatching(signal);
    }
}

/// Runs `f`, a call into a backend outside `dispatch_*` (the pre-init
/// replay), as a dispatch: what the backend emits meanwhile is dropped.
fn as_dispatch(f: impl FnOnce()) {
    let was = DISPATCH.try_with(|d| d.set_active(true)).unwrap_or(true);
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = DISPATCH.try_with(|d| d.set_active(self.0));
        }
    }
    let _restore = Restore(was);
    f();
}

/// Whether this thread is inside a backend's dispatch, or suppressed (telemetry
/// produced now is about telemetry, and is dropped).
pub fn is_dispatching() -> bool {
    DISPATCH.try_with(|d| d.flags.get() != 0).unwrap_or(false)
}

/// Telemetry the facade dropped because the thread emitting it was already
/// inside a dispatch: emitted by a backend while it handled telemetry on
/// the same thread (by the value being formatted, by the backend's own
/// code), or while the pre-init buffer kept or replayed a record. Counted
/// since the process started; read it with [`dropped_on_reentry`].
///
/// What a thread emits after [`suppress_current_thread`] (an export thread's
/// transport stack) is telemetry about telemetry, discarded by design, and
/// not counted here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DroppedOnReentry {
    /// Log records (that passed the global level filter; a backend's own
    /// per-target filter was not asked).
    pub logs: u64,
    /// Spans, not started (the tracer's sampler was not asked).
    pub spans: u64,
    /// Handled errors and panics.
    pub errors: u64,
}

impl DroppedOnReentry {
    /// All signals together.
    pub fn total(&self) -> u64 {
        self.logs + self.spans + self.errors
    }
}

/// [`DroppedOnReentry`]'s counters: logs, spans, errors.
static DROPPED_ON_REENTRY: [AtomicU64; 3] =
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// What the re-entrancy guard dropped so far (see [`DroppedOnReentry`]),
/// for backends to report among their own health metrics.
pub fn dropped_on_reentry() -> DroppedOnReentry {
    let get = |i: usize| DROPPED_ON_REENTRY[i].load(Ordering::Relaxed);
    DroppedOnReentry {
        logs: get(0),
        spans: get(1),
        errors: get(2),
    }
}

/// Counts one `signal` item as dropped on re-entry if this thread is
/// inside a dispatch and has not suppressed itself (see
/// [`DroppedOnReentry`]). Out of line: the guard drops rarely, and the
/// paths that check it are hot.
#[cold]
#[inline(never)]
pub(crate) fn dropped_while_dispatching(signal: Signal) {
    let reentered = DISPATCH
        .try_with(|d| d.flags.get() == ACTIVE)
        .unwrap_or(false);
    if !reentered {
        return;
    }
    let index = match signal {
        Signal::Logger => 0,
        Signal::Tracer => 1,
        Signal::Errors => 2,
        // Metrics are never dropped on re-entry.
        Signal::Meter => return,
    };
    DROPPED_ON_REENTRY[index].fetch_add(1, Ordering::Relaxed);
}

/// Drops every log, span and handled error this thread emits from now on.
///
/// Export threads call this first, so that their transport stack (an HTTP
/// client that logs, say) never feeds telemetry back into the pipeline that
/// is exporting it. Metrics are not suppressed. It lasts for the thread's
/// life, also when called by a backend while it handles a record.
pub fn suppress_current_thread() {
    let _ = DISPATCH.try_with(|d| d.flags.set(d.flags.get() | SUPPRESSED));
}

/// Hands `record`, built outside the macros (by an adapter from another
/// logging library), to the scoped or installed logger as `info!` does once
/// its level checks passed: the re-entrancy guard, `testing` captures and
/// the pre-init buffer apply. The caller checks the level first
/// ([`max_level`](crate::max_level)), as the macros do.
pub fn dispatch(record: &Record<'_>) {
    dispatch_log(record);
}

pub(crate) fn dispatch_log(record: &Record<'_>) {
    dispatch_log_flagged(dispatch_flags(), record);
}

/// This thread's dispatch flags (see [`DispatchState`]), for
/// [`dispatch_log_flagged`].
///
/// Inlined into the log macros' expansion: there, in an executable, it is
/// one thread-pointer-relative load, where inside the facade (a library,
/// so the general-dynamic model) it is a call to `__tls_get_addr`, relaxed
/// to a load at link time but after the registers were chosen, which made
/// the dispatch save one across it.
#[inline(always)]
pub(crate) fn dispatch_flags() -> u8 {
    DISPATCH.try_with(|d| d.flags.get()).unwrap_or(ACTIVE)
}

/// [`dispatch_log`] with this thread's [`dispatch_flags`] read by the caller.
pub(crate) fn dispatch_log_flagged(flags: u8, record: &Record<'_>) {
    // Nothing to guard against, so only a check: what this thread emits
    // while another dispatch runs (or once suppressed) is still dropped.
    // Both tests in one branch, and one call either way (the installed
    // logger, or the other cases as a logger): `log`'s own path has no
    // branch.
    let state = state();
    let logger: &dyn Logger = match LOGGER.get() {
        Some(logger) if (((state & (SCOPED | UNGUARDED_LOG)) ^ UNGUARDED_LOG) | flags) == 0 => {
            &**logger
        }
        _ => &OtherCases,
    };
    logger.log(record);
}

/// The state in which a record goes straight to the installed logger: one
/// that needs no guard, and no capture.
const UNGUARDED_LOG: u8 = Signal::Logger.bit() | UNGUARDED_LOGGER;

/// [`dispatch_log`] off its fast path, as a logger so that the fast path
/// makes one call either way: a logger that needs the guard, a capture, no
/// logger, or this thread inside a dispatch.
struct OtherCases;

impl Logger for OtherCases {
    fn log(&self, record: &Record<'_>) {
        let state = state();
        if state & (SCOPED | UNGUARDED_LOG) == UNGUARDED_LOG {
            dropped_while_dispatching(Signal::Logger);
        } else {
            dispatch_log_guarded(state, record);
        }
    }
}

/// [`dispatch_log`] to a logger that may emit while logging, to a scoped
/// capture, or to the pre-init buffer. Out of line, so that the unguarded
/// path needs no stack frame.
#[inline(never)]
fn dispatch_log_guarded(state: u8, record: &Record<'_>) {
    non_reentrant(Signal::Logger, || {
        // The installed logger's case stays small: with the pre-init buffer
        // and scoped capture out of line, this saves no registers beyond
        // the call (inline, they made every record save six).
        if state & (SCOPED | Signal::Logger.bit()) == Signal::Logger.bit() {
            logger().log(record);
        } else {
            dispatch_log_uncommon(state, record);
        }
    });
}

/// [`dispatch_log`] with a scoped capture active or no logger installed.
#[cold]
#[inline(never)]
fn dispatch_log_uncommon(state: u8, record: &Record<'_>) {
    if state & SCOPED != 0 {
        if scoped(|s| s.logger().log(record)).is_some() {
            return;
        }
        // An active capture somewhere lets every level through the
        // macros; this record is not for it, so the installed logger
        // (or the buffer) gets only the levels it asked for.
        if record.level() > base_max_level() {
            return;
        }
    }
    if state & Signal::Logger.bit() != 0 {
        logger().log(record);
    } else {
        preinit::push_log(record);
    }
}

pub(crate) fn dispatch_error(error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
    non_reentrant(Signal::Errors, || {
        let state = state();
        if state & SCOPED != 0 && scoped(|s| s.errors().handle(error, context)).is_some() {
            return;
        }
        if state & Signal::Errors.bit() != 0 {
            error_handler().handle(error, context);
        } else {
            preinit::push_error(error, context);
        }
    });
}

type GaugeCallback = Box<dyn Fn() -> f64 + Send + Sync>;

static PENDING_GAUGES: Mutex<Vec<(Key<'static>, MetricMeta, GaugeCallback)>> =
    Mutex::new(Vec::new());

pub(crate) fn observe_gauge(key: Key<'static>, meta: MetricMeta, callback: GaugeCallback) {
    let mut pending = lock(&PENDING_GAUGES);
    if state() & Signal::Meter.bit() != 0 {
        drop(pending);
        meter().observe_gauge(&key, &meta, callback);
    } else {
        pending.push((key, meta, callback));
    }
}
