//! Gauge series (set and add) and callback instruments read at collection.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use omniscope::metrics::GaugeFn;

use super::padded::CachePadded;

/// A gauge: the f64 bits of its value in one atomic.
pub(crate) struct GaugeSeries(CachePadded<AtomicU64>);

impl GaugeSeries {
    pub(crate) fn new() -> GaugeSeries {
        GaugeSeries(CachePadded::new(AtomicU64::new(0f64.to_bits())))
    }

    pub(crate) fn value(&self) -> f64 {
        f64::from_bits(self.0.load(Relaxed))
    }
}

impl GaugeFn for GaugeSeries {
    #[inline]
    fn set(&self, value: f64) {
        self.0.store(value.to_bits(), Relaxed);
    }

    #[inline]
    fn add(&self, value: f64) {
        let _ = self.0.fetch_update(Relaxed, Relaxed, |b| {
            Some((f64::from_bits(b) + value).to_bits())
        });
    }
}

/// A value read by a user callback at each collection (a callback gauge or
/// a callback counter such as process CPU seconds).
pub(crate) struct Callback(Box<dyn Fn() -> f64 + Send + Sync>);

impl Callback {
    pub(crate) fn new(f: Box<dyn Fn() -> f64 + Send + Sync>) -> Callback {
        Callback(f)
    }

    /// The callback's value; `None` if it panicked (the panic stays here:
    /// collection runs on an exporter's or a scraper's thread).
    pub(crate) fn read(&self) -> Option<f64> {
        catch_unwind(AssertUnwindSafe(|| (self.0)())).ok()
    }
}
