//! [`SdkErrors`]: count, filter, convert, fan out to reporters.

use std::backtrace::{Backtrace, BacktraceStatus};
use std::error::Error;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use omniscope::metrics::names::{ERRORS, PANICS, USER_ERRORS};
use omniscope::metrics::{Key, Label, LazyCounter, MetricMeta, Unit};
use omniscope::{ErrorContext, ErrorHandler, ErrorKind};

use super::builder::ErrorsBuilder;
use super::convert::{outer_type_name, to_event, FieldLimits};
use super::data::ErrorEvent;
use crate::build::BuildError;
use crate::export::{ExportError, Exporter, Fanout, Immediate, PipelineConfig, PipelineStats};
use crate::logs::redact::Redactor;
use crate::resource::Resource;

/// A predicate deciding whether an error is reported (`false` skips it).
pub(crate) type ErrorFilter =
    Box<dyn Fn(&(dyn Error + 'static), &ErrorContext<'_>) -> bool + Send + Sync>;

/// The SDK's [`ErrorHandler`]: counts every handled error by type and every
/// panic, skips what the filter rejects, and hands an [`ErrorEvent`] to
/// every [`ErrorReporter`](crate::export::ErrorReporter) — each on its own
/// pipeline thread, never on the caller's, except a reporter that asks for
/// [immediate](Exporter::immediate) delivery (the console's pretty
/// format), which reports on the caller's thread before `handle` returns.
///
/// Counting goes through the facade, so it lands in whatever meter is
/// installed (or an [`omniscope::testing::capture`]): `errors{kind}` for
/// each handled error (`kind` as [`omniscope::error::kind_label`] names it;
/// Prometheus shows `errors_total`) and `panics` for each panic (see
/// [`omniscope::metrics::names`]) — filtered ones included, since the filter
/// decides what is *reported*. [`handled_total`](SdkErrors::handled_total),
/// [`panics_total`](SdkErrors::panics_total) and
/// [`filtered_total`](SdkErrors::filtered_total) read the same counts.
///
/// Cheap to clone (an `Arc` inside): install one clone with
/// [`omniscope::set_error_handler`] and keep another to flush and shut down.
///
/// ```
/// use std::time::{Duration, Instant};
/// use omniscope::ErrorHandler;
/// use omniscope_sdk::errors::SdkErrors;
/// use omniscope_sdk::export::InMemoryExporter;
///
/// let (reporter, received) = InMemoryExporter::new();
/// let errors = SdkErrors::builder().with_reporter(Box::new(reporter)).build()?;
/// let e = std::io::Error::other("disk full");
/// errors.handle(&e, &omniscope::ErrorContext::new(&[]));
/// errors.flush(Instant::now() + Duration::from_secs(5))?;
/// assert_eq!(received.items()[0].message(), "disk full");
/// assert_eq!(errors.handled_total(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct SdkErrors {
    inner: Arc<Inner>,
}

struct Inner {
    filter: Option<ErrorFilter>,
    redactor: Redactor,
    limits: FieldLimits,
    fanout: Fanout<ErrorEvent>,
    immediate: Immediate<ErrorEvent>,
    /// Whether a reporter asked for the handling site's backtrace.
    backtraces: bool,
    handled: AtomicU64,
    panics: AtomicU64,
    filtered: AtomicU64,
    user_errors: AtomicU64,
    dropped_fields: AtomicU64,
}

impl SdkErrors {
    /// A builder with the defaults: no filter, the default redaction list,
    /// no reporter yet.
    pub fn builder() -> ErrorsBuilder {
        ErrorsBuilder::default()
    }

    pub(crate) fn start(
        filter: Option<ErrorFilter>,
        redactor: Redactor,
        limits: FieldLimits,
        reporters: Vec<Box<dyn Exporter<ErrorEvent>>>,
        resource: Arc<Resource>,
        config: PipelineConfig,
    ) -> Result<SdkErrors, BuildError> {
        let backtraces = reporters.iter().any(|r| r.wants_backtraces());
        let (immediate, reporters) = Immediate::split("errors", reporters, &resource);
        let fanout = Fanout::spawn("errors", reporters, &resource, &config)?;
        Ok(SdkErrors {
            inner: Arc::new(Inner {
                filter,
                redactor,
                limits,
                fanout,
                immediate,
                backtraces,
                handled: AtomicU64::new(0),
                panics: AtomicU64::new(0),
                filtered: AtomicU64::new(0),
                user_errors: AtomicU64::new(0),
                dropped_fields: AtomicU64::new(0),
            }),
        })
    }

    /// Handled errors seen so far (filtered ones included).
    pub fn handled_total(&self) -> u64 {
        self.inner.handled.load(Ordering::Relaxed)
    }

    /// Panics seen so far (filtered ones included).
    pub fn panics_total(&self) -> u64 {
        self.inner.panics.load(Ordering::Relaxed)
    }

    /// Expected errors seen so far ([`ErrorContext::is_user_error`]): counted,
    /// not reported, and not in [`handled_total`](SdkErrors::handled_total).
    pub fn user_errors_total(&self) -> u64 {
        self.inner.user_errors.load(Ordering::Relaxed)
    }

    /// Errors and panics the filter skipped.
    pub fn filtered_total(&self) -> u64 {
        self.inner.filtered.load(Ordering::Relaxed)
    }

    /// Fields dropped so far because an error had more than
    /// [`with_max_fields`](ErrorsBuilder::with_max_fields).
    pub fn dropped_fields_total(&self) -> u64 {
        self.inner.dropped_fields.load(Ordering::Relaxed)
    }

    /// Waits until every reporter has received the events handled so far
    /// (or `deadline` passes).
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed first;
    /// [`ExportError::AlreadyShutdown`] after [`shutdown`](SdkErrors::shutdown).
    pub fn flush(&self, deadline: Instant) -> Result<(), ExportError> {
        let batched = self.inner.fanout.flush(deadline);
        let immediate = self.inner.immediate.flush(deadline);
        batched.and(immediate)
    }

    /// Delivers what is queued, then shuts every reporter down by `deadline`;
    /// errors handled afterwards are counted but not reported.
    ///
    /// # Errors
    /// [`ExportError::Timeout`] when the deadline passed first;
    /// [`ExportError::AlreadyShutdown`] on a second call.
    pub fn shutdown(&self, deadline: Instant) -> Result<(), ExportError> {
        let batched = self.inner.fanout.shutdown(deadline);
        let immediate = self.inner.immediate.shutdown(deadline);
        batched.and(immediate)
    }

    /// Each reporter's pipeline statistics, in the order the reporters were
    /// added (an immediate reporter's queue capacity is 0).
    pub fn pipeline_stats(&self) -> Vec<PipelineStats> {
        self.inner
            .immediate
            .stats_in_order(self.inner.fanout.stats())
    }
}

/// `errors{kind}`: handled errors.
const ERRORS_META: MetricMeta = MetricMeta::new(
    Unit::custom("{error}"),
    "Errors handed to the error handler, by kind of error",
);

/// `user_errors{kind}`: expected errors handed to the handler.
const USER_ERRORS_META: MetricMeta = MetricMeta::new(
    Unit::custom("{error}"),
    "Expected errors (user errors) handed to the error handler, by kind of error: counted, not reported",
);

/// `panics`: panics the panic hook reported.
static PANICS_COUNTER: LazyCounter = LazyCounter::with_meta(
    Key::from_static(PANICS, &[]),
    MetricMeta::new(
        Unit::custom("{panic}"),
        "Panics the panic hook reported to the error handler",
    ),
);

impl Inner {
    fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
        let kind = context.kind();
        match kind {
            ErrorKind::Handled if context.is_user_error() => {
                self.user_errors.fetch_add(1, Ordering::Relaxed);
                let labels = [Label::new("kind", outer_type_name(error, kind))];
                omniscope::metrics::counter(&Key::new(USER_ERRORS, &labels), &USER_ERRORS_META)
                    .increment(1);
                // Not a failure: no reporter (Sentry) sees it.
                return;
            }
            ErrorKind::Handled => {
                self.handled.fetch_add(1, Ordering::Relaxed);
                let labels = [Label::new("kind", outer_type_name(error, kind))];
                omniscope::metrics::counter(&Key::new(ERRORS, &labels), &ERRORS_META).increment(1);
            }
            ErrorKind::Panic => {
                self.panics.fetch_add(1, Ordering::Relaxed);
                PANICS_COUNTER.increment(1);
            }
        }
        if let Some(filter) = &self.filter {
            // A filter that panics reports the error rather than losing it.
            let keep = catch_unwind(AssertUnwindSafe(|| filter(error, context))).unwrap_or(true);
            if !keep {
                self.filtered.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
        let (mut event, dropped) = to_event(
            error,
            context,
            &self.redactor,
            self.limits,
            SystemTime::now(),
        );
        if self.backtraces && kind == ErrorKind::Handled && event.backtrace.is_none() {
            // Unwinding only; symbols are resolved by the reporter.
            let backtrace = Backtrace::capture();
            if backtrace.status() == BacktraceStatus::Captured {
                event.handling_backtrace = Some(Arc::new(backtrace));
            }
        }
        if dropped > 0 {
            self.dropped_fields
                .fetch_add(dropped as u64, Ordering::Relaxed);
        }
        self.immediate.export(&event);
        self.fanout.push(Arc::from([event]));
    }
}

impl ErrorHandler for SdkErrors {
    fn handle(&self, error: &(dyn Error + 'static), context: &ErrorContext<'_>) {
        // A `Debug` or `Display` impl that panics must not unwind into the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| self.inner.handle(error, context)));
    }
}

impl fmt::Debug for SdkErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkErrors")
            .field("filter", &self.inner.filter.is_some())
            .field("handled_total", &self.handled_total())
            .field("panics_total", &self.panics_total())
            .field("filtered_total", &self.filtered_total())
            .field("user_errors_total", &self.user_errors_total())
            .finish_non_exhaustive()
    }
}
