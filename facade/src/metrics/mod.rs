//! Metrics: the [`Meter`] trait, metric keys, and handles.
//!
//! Use the [`counter!`](crate::counter), [`gauge!`](crate::gauge),
//! [`histogram!`](crate::histogram) and [`up_down_counter!`](crate::up_down_counter)
//! macros at call sites: with literal labels the bound handle is cached per
//! call site, so the second call goes straight to the backend's series (for
//! a counter, to this thread's cell of it: [`CounterSite`]). Use
//! the `Lazy*` types for handles kept in `static`s, and [`counter`] & co. for
//! handles kept in structs. All of them bind late: created before a meter is
//! installed, they report once one is.
//!
//! Name metrics as OpenTelemetry does (`http.server.request.duration`, with
//! its [`Unit`]): [`names`] says how, and lists the metrics omniscope emits.

mod handles;
mod key;
mod lazy;
pub mod names;
mod site;

use std::sync::{Arc, OnceLock};

pub use handles::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, UpDownCounter, UpDownCounterFn,
};
pub use key::{Key, Label, MetricMeta, Unit};
pub(crate) use lazy::{dynamic_counter, dynamic_gauge, dynamic_histogram, dynamic_up_down_counter};
pub use lazy::{LazyCounter, LazyGauge, LazyHistogram, LazyUpDownCounter};
#[doc(hidden)]
pub use site::SiteCell;
pub use site::{retire_thread_cells, CounterSite, ThreadCell};

use crate::global::{self, Signal};

/// The kind of instrument a metric is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstrumentKind {
    /// A monotonic counter.
    Counter,
    /// A counter that goes up and down.
    UpDownCounter,
    /// A gauge.
    Gauge,
    /// A histogram.
    Histogram,
}

/// A source of metric handles; what a metrics backend implements.
///
/// Registration (these methods) may take a lock; recording through the
/// returned handles must not.
pub trait Meter: Send + Sync {
    /// The counter for `key`. Repeated calls for the same key must record
    /// into the same series.
    fn counter(&self, key: &Key<'_>, meta: &MetricMeta) -> Counter;

    /// The up-down counter for `key`.
    fn up_down_counter(&self, key: &Key<'_>, meta: &MetricMeta) -> UpDownCounter {
        let _ = (key, meta);
        UpDownCounter::noop()
    }

    /// The gauge for `key`.
    fn gauge(&self, key: &Key<'_>, meta: &MetricMeta) -> Gauge {
        let _ = (key, meta);
        Gauge::noop()
    }

    /// The histogram for `key`.
    fn histogram(&self, key: &Key<'_>, meta: &MetricMeta) -> Histogram {
        let _ = (key, meta);
        Histogram::noop()
    }

    /// Registers a gauge whose value `callback` reports at each collection
    /// (a pool size, a queue length).
    fn observe_gauge(
        &self,
        key: &Key<'_>,
        meta: &MetricMeta,
        callback: Box<dyn Fn() -> f64 + Send + Sync>,
    ) {
        let _ = (key, meta, callback);
    }
}

/// The meter used while none is installed: every handle is a no-op.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopMeter;

impl Meter for NoopMeter {
    fn counter(&self, _: &Key<'_>, _: &MetricMeta) -> Counter {
        Counter::noop()
    }
}

macro_rules! forward_meter {
    ($($ty:ty),*) => {$(
        impl<T: Meter + ?Sized> Meter for $ty {
            fn counter(&self, key: &Key<'_>, meta: &MetricMeta) -> Counter {
                (**self).counter(key, meta)
            }
            fn up_down_counter(&self, key: &Key<'_>, meta: &MetricMeta) -> UpDownCounter {
                (**self).up_down_counter(key, meta)
            }
            fn gauge(&self, key: &Key<'_>, meta: &MetricMeta) -> Gauge {
                (**self).gauge(key, meta)
            }
            fn histogram(&self, key: &Key<'_>, meta: &MetricMeta) -> Histogram {
                (**self).histogram(key, meta)
            }
            fn observe_gauge(&self, key: &Key<'_>, meta: &MetricMeta, callback: Box<dyn Fn() -> f64 + Send + Sync>) {
                (**self).observe_gauge(key, meta, callback)
            }
        }
    )*};
}

forward_meter!(&T, Box<T>, Arc<T>);

macro_rules! long_lived {
    ($(#[$doc:meta])* $fn_name:ident, $handle:ident, $fn_trait:ident, $method:ident) => {
        $(#[$doc])*
        ///
        /// A handle made during a [`testing`](crate::testing) capture
        /// records into that capture. Made with nothing installed yet, it
        /// binds late: it records nothing until a meter is installed, then
        /// reports there (and not into captures).
        pub fn $fn_name(key: &Key<'_>, meta: &MetricMeta) -> $handle {
            if let Some(scoped) = global::scoped(|s| s.meter().$method(key, meta)) {
                return scoped;
            }
            if global::state() & Signal::Meter.bit() != 0 {
                return global::meter().$method(key, meta);
            }
            struct Late {
                key: Key<'static>,
                meta: MetricMeta,
                bound: OnceLock<$handle>,
            }
            impl Late {
                fn bound(&self) -> Option<&$handle> {
                    if global::state() & Signal::Meter.bit() == 0 {
                        return None;
                    }
                    if let Some(bound) = self.bound.get() {
                        return Some(bound);
                    }
                    let meter = global::installed_meter()?;
                    Some(self.bound.get_or_init(|| meter.$method(&self.key, &self.meta)))
                }
            }
            late_impl!($fn_trait, Late);
            $handle::from_arc(Arc::new(Late { key: key.clone().into_owned(), meta: *meta, bound: OnceLock::new() }))
        }
    };
}

macro_rules! late_impl {
    (CounterFn, $late:ident) => {
        impl CounterFn for $late {
            fn increment(&self, value: u64) {
                if let Some(h) = self.bound() {
                    h.increment(value)
                }
            }
        }
    };
    (UpDownCounterFn, $late:ident) => {
        impl UpDownCounterFn for $late {
            fn add(&self, value: i64) {
                if let Some(h) = self.bound() {
                    h.add(value)
                }
            }
        }
    };
    (GaugeFn, $late:ident) => {
        impl GaugeFn for $late {
            fn set(&self, value: f64) {
                if let Some(h) = self.bound() {
                    h.set(value)
                }
            }
            fn add(&self, value: f64) {
                if let Some(h) = self.bound() {
                    h.add(value)
                }
            }
        }
    };
    (HistogramFn, $late:ident) => {
        impl HistogramFn for $late {
            fn record(&self, value: f64) {
                if let Some(h) = self.bound() {
                    h.record(value)
                }
            }
            fn record_in(&self, value: f64, cx: &crate::context::Context) {
                if let Some(h) = self.bound() {
                    h.record_in(value, cx)
                }
            }
        }
    };
}

long_lived!(
    /// A counter handle to keep (in a struct, say).
    counter, Counter, CounterFn, counter
);
long_lived!(
    /// An up-down counter handle to keep.
    up_down_counter, UpDownCounter, UpDownCounterFn, up_down_counter
);
long_lived!(
    /// A gauge handle to keep.
    gauge, Gauge, GaugeFn, gauge
);
long_lived!(
    /// A histogram handle to keep.
    histogram, Histogram, HistogramFn, histogram
);

/// Registers a gauge read by `callback` at each collection, on the installed
/// meter (or, if none is installed yet, on the first one installed).
pub fn observe_gauge(
    key: &Key<'_>,
    meta: &MetricMeta,
    callback: Box<dyn Fn() -> f64 + Send + Sync>,
) {
    global::observe_gauge(key.clone().into_owned(), *meta, callback);
}
