//! Histogram series: explicit buckets, a quantile sketch, exact min and max,
//! and one exemplar per bucket.
//!
//! One `record` of a positive value costs: the sketch index (a shift of
//! the float's bits), which also finds the bucket through a per-layout table
//! (a load and a compare, instead of a binary search), a
//! load-and-store on two per-thread cells (the bucket's count and the sum;
//! the histogram's count is the sum of its buckets), one atomic add on a
//! sketch bin, two relaxed loads for min and max (a compare-and-swap only
//! when a new extreme arrives), and a thread-local check for a current
//! span, which writes the bucket's exemplar only when there is one.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, OnceLock};

use omniscope::metrics::HistogramFn;
use omniscope::{Context, SpanId, TraceId};

use super::cells::{self, atomic_add_f64, Cells, Totals, CHUNK_CELLS, NO_CELL};
use super::exemplar::ExemplarSlot;
use super::sketch::{Mapping, Sketch, SketchCounts};
use super::snapshot::Exemplar;
use crate::clock;

/// The most bounds a bucket layout may have.
pub(crate) const MAX_BOUNDS: usize = 4096;

/// Explicit bucket bounds, and for each sketch bin the first bucket whose
/// bound is not below the bin (shared by every series of the layout).
pub(crate) struct Buckets {
    bounds: Box<[f64]>,
    by_bin: Box<[u16]>,
}

impl Buckets {
    /// A layout for `bounds` (sorted, finite, at most [`MAX_BOUNDS`]).
    pub(crate) fn new(bounds: &[f64], mapping: &Mapping) -> Buckets {
        let by_bin = (0..mapping.bins())
            .map(|bin| {
                let first = bounds.partition_point(|&b| b <= 0.0 || mapping.offset(b) < bin);
                u16::try_from(first).unwrap_or(u16::MAX)
            })
            .collect();
        Buckets {
            bounds: bounds.into(),
            by_bin,
        }
    }

    /// The bucket of positive `value` whose sketch bin is at `offset`. The
    /// bin of a positive f64 is read off its bits, so it is monotonic in the
    /// value exactly: every bound in a lower bin is below `value`, every
    /// bound in a higher one above it, and only the bounds in `value`'s own
    /// bin need a comparison (one, where the bin holds none).
    #[inline]
    fn of_positive(&self, value: f64, offset: usize) -> usize {
        let mut b = self.by_bin.get(offset).map_or(0, |&b| usize::from(b));
        while self.bounds.get(b).is_some_and(|&bound| bound < value) {
            b += 1;
        }
        b
    }

    /// The bucket of any value: the first whose bound is `>= value`, else
    /// the `+Inf` bucket.
    fn of(&self, value: f64) -> usize {
        self.bounds.partition_point(|&b| b < value)
    }
}

/// One histogram series.
pub(crate) struct HistogramSeries {
    uid: u64,
    /// The sum's cell; bucket `b`'s count is cell `first + 1 + b`.
    first: u32,
    cells: Arc<Cells>,
    /// Shared cells, same layout: exited threads and fallbacks.
    shared: Arc<[AtomicU64]>,
    buckets: Arc<Buckets>,
    min: AtomicU64,
    max: AtomicU64,
    sketch: Sketch,
    exemplars: OnceLock<Box<[ExemplarSlot]>>,
}

/// A histogram's state at one collection (cumulative), before it becomes a
/// [`HistogramSnapshot`](super::HistogramSnapshot).
#[derive(Clone, Debug, Default)]
pub(crate) struct HistogramRead {
    /// One count per bucket, the last one `+Inf`.
    pub(crate) counts: Vec<u64>,
    pub(crate) sum: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    /// The sketch's bins, when the reader needs them (delta readers).
    pub(crate) sketch: SketchCounts,
    /// [`QUANTILES`], when read straight from the sketch instead.
    pub(crate) quantiles: Option<[f64; 3]>,
    /// One per bucket, or empty when no exemplar was ever recorded.
    pub(crate) exemplars: Vec<Option<Exemplar>>,
}

/// The quantiles every histogram reports.
pub(crate) const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

impl HistogramRead {
    pub(crate) fn count(&self) -> u64 {
        self.counts.iter().sum()
    }
}

impl HistogramSeries {
    pub(crate) fn new(
        uid: u64,
        cells: &Arc<Cells>,
        buckets: Arc<Buckets>,
        mapping: Mapping,
    ) -> HistogramSeries {
        let len = buckets.bounds.len() + 2;
        let shared: Arc<[AtomicU64]> = (0..len).map(|_| AtomicU64::new(0)).collect();
        let first = cells.allocate(len, 1, &shared).unwrap_or(NO_CELL);
        HistogramSeries {
            uid,
            first,
            cells: cells.clone(),
            shared,
            buckets,
            min: AtomicU64::new(f64::INFINITY.to_bits()),
            max: AtomicU64::new(f64::NEG_INFINITY.to_bits()),
            sketch: Sketch::new(mapping),
            exemplars: OnceLock::new(),
        }
    }

    /// The upper bounds of the finite buckets.
    pub(crate) fn bounds(&self) -> &[f64] {
        &self.buckets.bounds
    }

    /// The ids this series' cells need in a [`Totals`].
    pub(crate) fn cells_end(&self) -> usize {
        if self.first == NO_CELL {
            0
        } else {
            self.first as usize + self.shared.len()
        }
    }

    /// The series' state, from a collection's cell totals; with the
    /// sketch's bins if `copy_sketch`, else with its [`QUANTILES`].
    pub(crate) fn read(&self, totals: &Totals, copy_sketch: bool) -> HistogramRead {
        let (sum, counts) = if self.first == NO_CELL {
            let sum = f64::from_bits(self.shared[0].load(Relaxed));
            (
                sum,
                self.shared[1..].iter().map(|c| c.load(Relaxed)).collect(),
            )
        } else {
            let first = self.first as usize;
            let counts = (1..self.shared.len())
                .map(|i| totals.int(first + i))
                .collect();
            (totals.float(first), counts)
        };
        let mut read = HistogramRead {
            counts,
            sum,
            min: f64::from_bits(self.min.load(Relaxed)),
            max: f64::from_bits(self.max.load(Relaxed)),
            sketch: if copy_sketch {
                self.sketch.read()
            } else {
                SketchCounts::default()
            },
            quantiles: (!copy_sketch).then(|| self.sketch.quantiles(QUANTILES)),
            exemplars: self.exemplars.get().map_or_else(Vec::new, |slots| {
                let cal = clock::calibration();
                slots.iter().map(|slot| slot.read(&cal)).collect()
            }),
        };
        if read.count() == 0 {
            read.min = f64::NAN;
            read.max = f64::NAN;
        }
        read
    }

    /// This thread's first record, another meter, no cells, or more than a
    /// chunk of buckets: the general path.
    #[cold]
    #[inline(never)]
    fn record_slow(&self, bucket: usize, value: f64) {
        let first = self.first as usize;
        let local = self.first != NO_CELL
            && cells::with_table(self.uid, &self.cells, |t| {
                t.add_f64(first, value) && t.add(first + 1 + bucket, 1)
            }) == Some(true);
        if !local {
            atomic_add_f64(&self.shared[0], value);
            self.shared[1 + bucket].fetch_add(1, Relaxed);
        }
    }

    #[cold]
    fn update_min(&self, value: f64) {
        let _ = self.min.fetch_update(Relaxed, Relaxed, |b| {
            (value < f64::from_bits(b)).then_some(value.to_bits())
        });
    }

    #[cold]
    fn update_max(&self, value: f64) {
        let _ = self.max.fetch_update(Relaxed, Relaxed, |b| {
            (value > f64::from_bits(b)).then_some(value.to_bits())
        });
    }

    #[cold]
    fn write_exemplar(&self, bucket: usize, value: f64, ids: (TraceId, SpanId)) {
        let slots = self.exemplars.get_or_init(|| {
            (0..=self.buckets.bounds.len())
                .map(|_| ExemplarSlot::default())
                .collect()
        });
        if let Some(slot) = slots.get(bucket) {
            slot.write(value, ids.0, ids.1);
        }
    }
}

impl HistogramFn for HistogramSeries {
    #[inline]
    fn record(&self, value: f64) {
        self.record_sample(value, omniscope::context::current_ids);
    }

    #[inline]
    fn record_in(&self, value: f64, cx: &Context) {
        self.record_sample(value, || {
            cx.span_context().map(|s| (s.trace_id(), s.span_id()))
        });
    }
}

impl HistogramSeries {
    /// Records `value`, with the span ids `exemplar` gives (the current
    /// span's, or a given context's), if any, as the bucket's exemplar.
    #[inline]
    fn record_sample(&self, value: f64, exemplar: impl FnOnce() -> Option<(TraceId, SpanId)>) {
        let bucket = if value > 0.0 {
            let offset = self.sketch.mapping().offset(value);
            self.sketch.add_positive(offset);
            self.buckets.of_positive(value, offset)
        } else if value.is_nan() {
            return;
        } else {
            self.sketch.add(value);
            self.buckets.of(value)
        };
        let first = self.first as usize;
        // Sum and bucket share a chunk when the run fits in one.
        let local = self.shared.len() <= CHUNK_CELLS
            && cells::with_chunk(self.uid, first, |chunk| {
                chunk.add_f64(first, value);
                chunk.add(first + 1 + bucket, 1);
            });
        if !local {
            self.record_slow(bucket, value);
        }
        if value < f64::from_bits(self.min.load(Relaxed)) {
            self.update_min(value);
        }
        if value > f64::from_bits(self.max.load(Relaxed)) {
            self.update_max(value);
        }
        if let Some(ids) = exemplar() {
            self.write_exemplar(bucket, value, ids);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bin_table_finds_the_exact_bucket() {
        let mapping = Mapping::new(0.01);
        let bounds = [-1.0, 0.0, 0.005, 0.01, 0.0101, 0.0102, 1.0, 2.5, 1e30];
        let buckets = Buckets::new(&bounds, &mapping);
        let mut x = 1e-25_f64;
        while x < 1e35 {
            for v in [
                x,
                f64::from_bits(x.to_bits() - 1),
                f64::from_bits(x.to_bits() + 1),
            ] {
                assert_eq!(
                    buckets.of_positive(v, mapping.offset(v)),
                    buckets.of(v),
                    "{v}"
                );
            }
            x *= 1.0009;
        }
        for &b in &bounds[2..] {
            for v in [
                b,
                f64::from_bits(b.to_bits() - 1),
                f64::from_bits(b.to_bits() + 1),
            ] {
                assert_eq!(
                    buckets.of_positive(v, mapping.offset(v)),
                    buckets.of(v),
                    "{v}"
                );
            }
        }
        assert_eq!(buckets.of(f64::INFINITY), bounds.len());
        assert_eq!(buckets.of(-5.0), 0);
    }
}
