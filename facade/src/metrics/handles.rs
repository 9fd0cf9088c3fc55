//! Metric handles: small, clonable, and free when nothing is installed.

use std::sync::Arc;

use super::ThreadCell;
use crate::context::Context;

/// What a backend implements behind a [`Counter`].
pub trait CounterFn: Send + Sync {
    /// Adds `value` to the counter.
    fn increment(&self, value: u64);

    /// The calling thread's own cell of this counter, if the backend keeps
    /// one per thread: a [`counter!`](crate::counter) call site then adds to
    /// it directly on this thread (see [`ThreadCell`]). `None` (the default)
    /// keeps every increment on [`increment`](CounterFn::increment).
    fn thread_cell(&self) -> Option<ThreadCell> {
        None
    }
}

/// What a backend implements behind an [`UpDownCounter`].
pub trait UpDownCounterFn: Send + Sync {
    /// Adds `value` (possibly negative).
    fn add(&self, value: i64);
}

/// What a backend implements behind a [`Gauge`].
pub trait GaugeFn: Send + Sync {
    /// Sets the gauge to `value`.
    fn set(&self, value: f64);
    /// Adds `value` (possibly negative) to the gauge.
    fn add(&self, value: f64);
}

/// What a backend implements behind a [`Histogram`].
pub trait HistogramFn: Send + Sync {
    /// Records one sample.
    fn record(&self, value: f64);

    /// Records one sample taken in `cx` rather than in the current
    /// context: `cx`'s span is the one an exemplar names. By default, `cx`
    /// is made current around [`record`](HistogramFn::record); a backend
    /// that keeps exemplars reads the span from `cx` instead.
    fn record_in(&self, value: f64, cx: &Context) {
        let _entered = cx.attach_clone();
        self.record(value);
    }
}

macro_rules! handle {
    ($(#[$doc:meta])* $name:ident, $fn_trait:ident) => {
        $(#[$doc])*
        #[derive(Clone, Default)]
        #[must_use = "a metric handle does nothing until it is used"]
        pub struct $name(Option<Arc<dyn $fn_trait>>);

        impl $name {
            /// A handle that does nothing and allocates nothing.
            pub const fn noop() -> $name {
                $name(None)
            }

            /// A handle backed by `inner`.
            pub fn from_arc(inner: Arc<dyn $fn_trait>) -> $name {
                $name(Some(inner))
            }

            /// Whether this handle records anything.
            pub const fn is_noop(&self) -> bool {
                self.0.is_none()
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name)).field("noop", &self.is_noop()).finish()
            }
        }
    };
}

handle!(
    /// A monotonic counter (`requests_total`).
    Counter, CounterFn
);
handle!(
    /// A counter that goes up and down (`connections_open`).
    UpDownCounter, UpDownCounterFn
);
handle!(
    /// A value set or adjusted at any time (`temperature_celsius`).
    Gauge, GaugeFn
);
handle!(
    /// A distribution of samples (`request_duration_seconds`).
    Histogram, HistogramFn
);

impl Counter {
    /// Adds `value`.
    #[inline]
    pub fn increment(&self, value: u64) {
        if let Some(inner) = &self.0 {
            inner.increment(value);
        }
    }

    /// The backend's cell of this counter for the calling thread, if any.
    pub(crate) fn thread_cell(&self) -> Option<ThreadCell> {
        self.0.as_ref()?.thread_cell()
    }
}

impl UpDownCounter {
    /// Adds `value` (possibly negative).
    #[inline]
    pub fn add(&self, value: i64) {
        if let Some(inner) = &self.0 {
            inner.add(value);
        }
    }

    /// Adds one.
    #[inline]
    pub fn increment(&self) {
        self.add(1);
    }

    /// Subtracts one.
    #[inline]
    pub fn decrement(&self) {
        self.add(-1);
    }
}

impl Gauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        if let Some(inner) = &self.0 {
            inner.set(value);
        }
    }

    /// Adds `value` (possibly negative).
    #[inline]
    pub fn add(&self, value: f64) {
        if let Some(inner) = &self.0 {
            inner.add(value);
        }
    }
}

impl Histogram {
    /// Records one sample.
    #[inline]
    pub fn record(&self, value: f64) {
        if let Some(inner) = &self.0 {
            inner.record(value);
        }
    }

    /// Records a duration in seconds.
    #[inline]
    pub fn record_duration(&self, duration: std::time::Duration) {
        self.record(duration.as_secs_f64());
    }

    /// Records one sample taken in `cx` rather than in the current
    /// context (OpenTelemetry's `Record` with a context): `cx`'s span is
    /// the one the sample's exemplar names. For a measure taken where its
    /// span is not current, such as a request's duration recorded as the
    /// response body ends.
    ///
    /// ```
    /// use omniscope::metrics::{histogram, Key, MetricMeta};
    /// use omniscope::Context;
    ///
    /// let duration = histogram(&Key::from_static("request_seconds", &[]), &MetricMeta::EMPTY);
    /// duration.record_in(0.012, &Context::current());
    /// ```
    #[inline]
    pub fn record_in(&self, value: f64, cx: &Context) {
        if let Some(inner) = &self.0 {
            inner.record_in(value, cx);
        }
    }
}
