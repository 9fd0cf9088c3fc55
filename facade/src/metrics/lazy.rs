//! Late-binding metric handles for `static`s and macro call sites.
//!
//! A `Lazy*` handle holds a static key and binds to the installed meter on
//! its first use after [`set_meter`](crate::set_meter); until then every use
//! costs one relaxed atomic load and records nothing. So a handle declared
//! in a `static`, or a `counter!` call site, that ran before `main`
//! installed a backend starts reporting as soon as one is installed, where
//! the `metrics` crate's handles and OpenTelemetry's global meter stay
//! no-ops forever.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::{Counter, Gauge, Histogram, Key, Meter, MetricMeta, UpDownCounter};
use crate::global::{self, Signal};

macro_rules! lazy_handle {
    ($(#[$doc:meta])* $lazy:ident, $handle:ident, $method:ident, $noop:ident) => {
        static $noop: $handle = $handle::noop();

        $(#[$doc])*
        pub struct $lazy {
            key: Key<'static>,
            meta: MetricMeta,
            bound: OnceLock<$handle>,
        }

        impl $lazy {
            /// A handle for `key`, bound on first use after a meter is installed.
            pub const fn new(key: Key<'static>) -> $lazy {
                $lazy { key, meta: MetricMeta::EMPTY, bound: OnceLock::new() }
            }

            /// A handle for `key` with a unit and description.
            pub const fn with_meta(key: Key<'static>, meta: MetricMeta) -> $lazy {
                $lazy { key, meta, bound: OnceLock::new() }
            }

            /// The key.
            pub const fn key(&self) -> &Key<'static> {
                &self.key
            }

            /// The handle to use now: a scoped recorder's during a
            /// [`testing`](crate::testing) capture, else the installed meter's
            /// (bound once, then cached), else a no-op.
            #[inline]
            pub fn handle(&self) -> Cow<'_, $handle> {
                // One load decides the two common cases without a call:
                // nothing installed, and a bound handle with no capture active.
                let state = global::state() & (Signal::Meter.bit() | global::SCOPED);
                if state == 0 {
                    return Cow::Borrowed(&$noop);
                }
                if state == Signal::Meter.bit() {
                    if let Some(bound) = self.bound.get() {
                        return Cow::Borrowed(bound);
                    }
                }
                self.resolve(state)
            }

            /// Runs `f` on the handle to use now; with nothing installed, one
            /// relaxed load and nothing else (no handle is materialised).
            #[inline]
            fn with(&self, f: impl FnOnce(&$handle)) {
                let state = global::state() & (Signal::Meter.bit() | global::SCOPED);
                if state == 0 {
                    return;
                }
                if state == Signal::Meter.bit() {
                    if let Some(bound) = self.bound.get() {
                        return f(bound);
                    }
                }
                f(&self.resolve(state));
            }

            /// The uncommon paths: a capture is active, or the first use after install.
            #[cold]
            #[inline(never)]
            fn resolve(&self, state: u8) -> Cow<'_, $handle> {
                if state & global::SCOPED != 0 {
                    if let Some(scoped) = global::scoped(|s| s.meter().$method(&self.key, &self.meta)) {
                        return Cow::Owned(scoped);
                    }
                }
                if state & Signal::Meter.bit() == 0 {
                    return Cow::Borrowed(&$noop);
                }
                match global::installed_meter() {
                    Some(meter) => Cow::Borrowed(
                        self.bound.get_or_init(|| meter.$method(&self.key, &self.meta)),
                    ),
                    None => Cow::Borrowed(&$noop),
                }
            }
        }

        impl std::fmt::Debug for $lazy {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($lazy))
                    .field("key", &self.key)
                    .field("bound", &self.bound.get().is_some())
                    .finish()
            }
        }
    };
}

lazy_handle!(
    /// A [`Counter`] for a `static` or a call site, bound late.
    ///
    /// ```
    /// use omniscope::metrics::{Key, Label, LazyCounter};
    ///
    /// const WEB: &[Label<'static>] = &[Label::from_static("channel", "web")];
    /// static ORDERS: LazyCounter = LazyCounter::new(Key::from_static("orders_total", WEB));
    ///
    /// ORDERS.increment(1); // no meter yet: costs one atomic load, records nothing
    /// ```
    LazyCounter, Counter, counter, NOOP_COUNTER
);
lazy_handle!(
    /// An [`UpDownCounter`] for a `static` or a call site, bound late.
    LazyUpDownCounter, UpDownCounter, up_down_counter, NOOP_UP_DOWN
);
lazy_handle!(
    /// A [`Gauge`] for a `static` or a call site, bound late.
    LazyGauge, Gauge, gauge, NOOP_GAUGE
);
lazy_handle!(
    /// A [`Histogram`] for a `static` or a call site, bound late.
    LazyHistogram, Histogram, histogram, NOOP_HISTOGRAM
);

impl LazyCounter {
    /// Adds `value`.
    #[inline]
    pub fn increment(&self, value: u64) {
        self.with(|h| h.increment(value));
    }

    /// The installed meter's handle, once bound.
    pub(crate) fn bound(&self) -> Option<&Counter> {
        self.bound.get()
    }
}

impl LazyUpDownCounter {
    /// Adds `value` (possibly negative).
    #[inline]
    pub fn add(&self, value: i64) {
        self.with(|h| h.add(value));
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

impl LazyGauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        self.with(|h| h.set(value));
    }

    /// Adds `value` (possibly negative).
    #[inline]
    pub fn add(&self, value: f64) {
        self.with(|h| h.add(value));
    }
}

impl LazyHistogram {
    /// Records one sample.
    #[inline]
    pub fn record(&self, value: f64) {
        self.with(|h| h.record(value));
    }

    /// Records a duration in seconds.
    #[inline]
    pub fn record_duration(&self, duration: std::time::Duration) {
        self.record(duration.as_secs_f64());
    }
}

/// Resolves a handle for a key built at the call site (dynamic labels):
/// looked up on every call, a no-op with nothing installed (no allocation).
pub(crate) fn resolve<'k, H: Clone + 'static>(
    noop: &'static H,
    get: impl Fn(&dyn Meter) -> H,
) -> Cow<'k, H> {
    let state = global::state();
    if state & global::SCOPED != 0 {
        if let Some(scoped) = global::scoped(|s| get(s.meter())) {
            return Cow::Owned(scoped);
        }
    }
    if state & Signal::Meter.bit() == 0 {
        return Cow::Borrowed(noop);
    }
    Cow::Owned(get(global::meter()))
}

/// Dynamic-key resolution for the macros.
pub(crate) fn dynamic_counter(key: &Key<'_>) -> Cow<'static, Counter> {
    resolve(&NOOP_COUNTER, |m| m.counter(key, &MetricMeta::EMPTY))
}

/// Dynamic-key resolution for the macros.
pub(crate) fn dynamic_up_down_counter(key: &Key<'_>) -> Cow<'static, UpDownCounter> {
    resolve(&NOOP_UP_DOWN, |m| {
        m.up_down_counter(key, &MetricMeta::EMPTY)
    })
}

/// Dynamic-key resolution for the macros.
pub(crate) fn dynamic_gauge(key: &Key<'_>) -> Cow<'static, Gauge> {
    resolve(&NOOP_GAUGE, |m| m.gauge(key, &MetricMeta::EMPTY))
}

/// Dynamic-key resolution for the macros.
pub(crate) fn dynamic_histogram(key: &Key<'_>) -> Cow<'static, Histogram> {
    resolve(&NOOP_HISTOGRAM, |m| m.histogram(key, &MetricMeta::EMPTY))
}
