//! A DDSketch-style quantile sketch: bins with a guaranteed relative
//! error, updated lock-free.
//!
//! # Mapping
//!
//! Log-linear bins (as HDR histograms): each octave `[2^e, 2^(e+1))` is cut
//! into `2^p` bins of equal width, so a positive value's bin is read off its
//! f64 bits — the exponent and the top `p` bits of the mantissa, one shift
//! and one subtraction on the recording path. A bin `[x_lo, x_hi)` is
//! reported as `2 · x_lo · x_hi / (x_lo + x_hi)`, within
//! `(x_hi − x_lo) / (x_hi + x_lo) ≤ 1 / (2^(p+1) + 1)` (relative) of every
//! value in it (the worst case is the lowest bin of an octave), and `p` is
//! the smallest that makes this at most `α`: 6 at the default 1% (0.78%).
//! So **each quantile is within relative error `α` of the exact sample at
//! rank `⌊q · (n − 1)⌋`**.
//!
//! The mapping used before (DDSketch's cubically interpolated logarithm,
//! about 35 bins per octave at 1%) needed a cubic polynomial and two
//! float–integer conversions per value: about 40 instructions of a
//! histogram record's 175, against 5 now (issue #19, callgrind). The price
//! is bins: 64 per octave at 1% instead of about 35, so 1.8 × the memory for
//! the same range of values.
//!
//! # Range and memory
//!
//! Values are indexed over `[2^-64, 2^64)` (about `5.4e-20` to `1.8e19`);
//! smaller positive values count in the lowest bin and larger ones (and
//! `+∞`) in the highest, where the guarantee does not hold (the exact `min`
//! and `max` kept beside the sketch clamp what quantiles report). Zero has
//! its own count. Negative values go to a mirrored store, allocated on the
//! first negative sample. `NaN` is ignored.
//!
//! Bins live in pages of 64, allocated on first use. A store allocates at
//! most [`max_bins`] bins (3,776 at α = 1%, enough for values spanning 2^58);
//! once that is used up, a sample whose page is missing is counted in the
//! nearest allocated bin (DDSketch's collapsing, applied at whichever end
//! the sample falls), and only such samples lose the guarantee.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::OnceLock;

/// The indexed range is `[2^-MAX_EXP, 2^MAX_EXP)`.
const MAX_EXP: i32 = 64;
/// The biased exponent of `2^-MAX_EXP`, the lowest indexed octave.
const LOWEST_EXP: u64 = (1023 - MAX_EXP) as u64;
/// The mantissa's bits in an f64.
const MANTISSA_BITS: u32 = 52;

/// Bins per page.
const PAGE: usize = 64;

/// The sketch's bin budget per store for relative error `alpha`: 3,776 at
/// the default 1%, scaling with `1 / α` so that values spanning 2^58 always
/// fit (rounded up to whole pages).
pub(crate) fn max_bins(alpha: f64) -> usize {
    (58 << precision(alpha)).max(PAGE) + PAGE
}

/// `p`: the smallest number of mantissa bits whose bins keep every value
/// within `alpha` of its bin's reported value (`1 / (2^(p+1) + 1) ≤ α`).
fn precision(alpha: f64) -> u32 {
    (0..MANTISSA_BITS)
        .find(|&p| 1.0 / (f64::from(1u32 << (p + 1)) + 1.0) <= alpha)
        .unwrap_or(MANTISSA_BITS)
}

/// Value ↔ bin index, for one relative error.
///
/// On the recording path a value's bin is found as an *offset* from the
/// lowest bin, `0..bins()`; bin index `i` (what [`SketchCounts`] holds) is
/// `offset + 1 − K` with `K = bins() / 2`, so that index 1 is the first bin
/// at or above 1.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mapping {
    alpha: f64,
    /// `p`: mantissa bits per bin index.
    precision: u32,
    bins: usize,
}

impl Mapping {
    /// The mapping for relative error `alpha`, in `(0, 1)`.
    pub(crate) fn new(alpha: f64) -> Mapping {
        let precision = precision(alpha);
        Mapping {
            alpha,
            precision,
            bins: (2 * MAX_EXP as usize) << precision,
        }
    }

    /// The guaranteed relative error.
    pub(crate) fn relative_error(&self) -> f64 {
        self.alpha
    }

    /// The bin of a positive value, as an offset in `0..bins()` (values out
    /// of range are clamped).
    #[inline]
    pub(crate) fn offset(&self, x: f64) -> usize {
        let bits = x.to_bits();
        let exp = bits >> MANTISSA_BITS;
        if exp < LOWEST_EXP {
            return 0;
        }
        // Exponent and top mantissa bits, counted from the lowest octave.
        let offset = (bits >> (MANTISSA_BITS - self.precision)) - (LOWEST_EXP << self.precision);
        (offset as usize).min(self.bins - 1)
    }

    /// The bin of a positive value (values out of range are clamped).
    #[cfg(test)]
    fn index(&self, x: f64) -> i32 {
        self.index_of(self.offset(x))
    }

    /// The bin index at `offset`.
    pub(crate) fn index_of(&self, offset: usize) -> i32 {
        offset as i32 + 1 - (self.bins / 2) as i32
    }

    /// The value reported for bin `i`: within `α` of every value in it.
    pub(crate) fn value(&self, i: i32) -> f64 {
        let offset =
            (i64::from(i) - 1 + (self.bins / 2) as i64).clamp(0, self.bins as i64 - 1) as u64;
        let bound = |o: u64| {
            f64::from_bits((o + (LOWEST_EXP << self.precision)) << (MANTISSA_BITS - self.precision))
        };
        let (lo, hi) = (bound(offset), bound(offset + 1));
        2.0 * lo * hi / (lo + hi)
    }

    /// How many bins the indexed range has.
    pub(crate) fn bins(&self) -> usize {
        self.bins
    }
}

/// Where a quantile was found: a bin of either sign, or zero.
#[derive(Clone, Copy)]
enum At {
    Negative(i32),
    Zero,
    Positive(i32),
}

/// A walk over bins in one direction that finds the bins of up to N
/// ranks (ascending, counted in the walk's direction): the sample of rank
/// `r` is in the first bin where the running count exceeds `r`.
struct Walk<const N: usize> {
    ranks: [u64; N],
    len: usize,
    found: [Option<At>; N],
    next: usize,
    seen: u64,
}

impl<const N: usize> Walk<N> {
    fn new(ranks: [u64; N], len: usize) -> Walk<N> {
        Walk {
            ranks,
            len,
            found: [None; N],
            next: 0,
            seen: 0,
        }
    }

    /// Counts a bin; `true` once every rank is found.
    #[inline]
    fn visit(&mut self, n: u64, at: At) -> bool {
        self.seen += n;
        while self.next < self.len && self.seen > self.ranks[self.next] {
            self.found[self.next] = Some(at);
            self.next += 1;
        }
        self.next == self.len
    }
}

/// The bins of quantiles `qs` (ascending) among `total` samples, for the
/// sample of rank `⌊q·(n−1)⌋`. Quantiles in the lower half are found by
/// `up` (a walk from the lowest value), the others by `down` (from the
/// highest), so p90 and p99 cost a short walk.
fn find<const N: usize>(
    total: u64,
    qs: [f64; N],
    up: impl FnOnce(&mut Walk<N>),
    down: impl FnOnce(&mut Walk<N>),
) -> [Option<At>; N] {
    if total == 0 {
        return [None; N];
    }
    let ranks = qs.map(|q| (q.clamp(0.0, 1.0) * (total - 1) as f64) as u64);
    let low = ranks.iter().take_while(|&&r| r < total / 2).count();
    let mut walk = Walk::new(ranks, low);
    if low > 0 {
        up(&mut walk);
    }
    let mut found = walk.found;
    let high = N - low;
    let mut from_top = [0u64; N];
    for (j, r) in from_top.iter_mut().take(high).enumerate() {
        *r = total - 1 - ranks[N - 1 - j];
    }
    let mut walk = Walk::new(from_top, high);
    if high > 0 {
        down(&mut walk);
    }
    for j in 0..high {
        found[N - 1 - j] = walk.found[j];
    }
    found
}

/// The values of found bins (`NaN` where none: an empty sketch).
fn values<const N: usize>(found: [Option<At>; N], mapping: &Mapping) -> [f64; N] {
    found.map(|at| match at {
        Some(At::Negative(i)) => -mapping.value(i),
        Some(At::Zero) => 0.0,
        Some(At::Positive(i)) => mapping.value(i),
        None => f64::NAN,
    })
}

/// Bin counts of one sign, in pages allocated on first use.
struct Store {
    pages: Box<[OnceLock<Box<[AtomicU64; PAGE]>>]>,
    used: AtomicUsize,
    max_pages: usize,
    mapping: Mapping,
}

impl Store {
    fn new(mapping: &Mapping, max_bins: usize) -> Store {
        let pages = mapping.bins().div_ceil(PAGE);
        Store {
            pages: (0..pages).map(|_| OnceLock::new()).collect(),
            used: AtomicUsize::new(0),
            max_pages: max_bins.div_ceil(PAGE).max(1),
            mapping: *mapping,
        }
    }

    /// Counts one sample in the bin at `offset`.
    #[inline]
    fn add(&self, offset: usize) {
        match self.pages.get(offset / PAGE).and_then(OnceLock::get) {
            Some(page) => {
                page[offset % PAGE].fetch_add(1, Relaxed);
            }
            None => self.add_cold(offset),
        }
    }

    #[cold]
    fn add_cold(&self, offset: usize) {
        let wanted = (offset / PAGE).min(self.pages.len().saturating_sub(1));
        let target = if self.used.load(Relaxed) < self.max_pages {
            Some((wanted, offset % PAGE))
        } else {
            self.nearest_allocated(wanted, offset % PAGE)
        };
        let (page, slot) = target.unwrap_or((wanted, offset % PAGE));
        if let Some(cell) = self.pages.get(page) {
            let page = cell.get_or_init(|| {
                self.used.fetch_add(1, Relaxed);
                Box::new(std::array::from_fn(|_| AtomicU64::new(0)))
            });
            page[slot].fetch_add(1, Relaxed);
        }
    }

    /// The closest allocated bin to a missing page: the top bin of the
    /// nearest page below, else the bottom bin of the nearest page above.
    fn nearest_allocated(&self, page: usize, slot: usize) -> Option<(usize, usize)> {
        let below = (0..page).rev().find(|&p| self.pages[p].get().is_some());
        let above = (page + 1..self.pages.len()).find(|&p| self.pages[p].get().is_some());
        match (below, above) {
            (Some(b), Some(a)) if a - page < page - b => Some((a, 0)),
            (Some(b), _) => Some((b, PAGE - 1)),
            (None, Some(a)) => Some((a, 0)),
            (None, None) => Some((page, slot)),
        }
    }

    /// The number of samples.
    fn total(&self) -> u64 {
        let pages = self.pages.iter().filter_map(OnceLock::get);
        pages
            .map(|page| page.iter().map(|c| c.load(Relaxed)).sum::<u64>())
            .sum()
    }

    /// Calls `f(index, count)` for non-empty bins in ascending (or
    /// descending) order until it returns `true`; whether it did.
    fn visit(&self, descending: bool, mut f: impl FnMut(i32, u64) -> bool) -> bool {
        let mut page_visit = |p: usize, page: &[AtomicU64; PAGE]| {
            let mut slot_visit = |slot: usize| {
                let n = page[slot].load(Relaxed);
                n != 0 && f(self.mapping.index_of(p * PAGE + slot), n)
            };
            if descending {
                (0..PAGE).rev().any(&mut slot_visit)
            } else {
                (0..PAGE).any(&mut slot_visit)
            }
        };
        let pages = self.pages.iter().enumerate();
        let mut pages = pages.filter_map(|(p, cell)| cell.get().map(|page| (p, page)));
        if descending {
            pages.rev().any(|(p, page)| page_visit(p, page))
        } else {
            pages.any(|(p, page)| page_visit(p, page))
        }
    }

    /// Non-empty bins, ascending.
    fn read(&self, out: &mut Vec<(i32, u64)>) {
        out.reserve(self.used.load(Relaxed) * PAGE);
        for (p, cell) in self.pages.iter().enumerate() {
            let Some(page) = cell.get() else { continue };
            for (slot, count) in page.iter().enumerate() {
                let n = count.load(Relaxed);
                if n != 0 {
                    out.push((self.mapping.index_of(p * PAGE + slot), n));
                }
            }
        }
    }
}

/// The concurrent sketch of one histogram series.
pub(crate) struct Sketch {
    mapping: Mapping,
    max_bins: usize,
    zero: AtomicU64,
    positive: Store,
    negative: OnceLock<Box<Store>>,
}

impl Sketch {
    pub(crate) fn new(mapping: Mapping) -> Sketch {
        let max_bins = max_bins(mapping.alpha);
        Sketch {
            mapping,
            max_bins,
            zero: AtomicU64::new(0),
            positive: Store::new(&mapping, max_bins),
            negative: OnceLock::new(),
        }
    }

    /// The sketch's mapping.
    #[inline]
    pub(crate) fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// Counts one positive sample whose bin is at `offset` (from this
    /// sketch's [`Mapping::offset`]).
    #[inline]
    pub(crate) fn add_positive(&self, offset: usize) {
        self.positive.add(offset);
    }

    /// Counts one sample (`NaN` is ignored).
    #[inline]
    pub(crate) fn add(&self, x: f64) {
        if x > 0.0 {
            self.positive.add(self.mapping.offset(x));
        } else if x < 0.0 {
            self.negative_store().add(self.mapping.offset(-x));
        } else if x == 0.0 {
            self.zero.fetch_add(1, Relaxed);
        }
    }

    #[cold]
    fn negative_store(&self) -> &Store {
        self.negative
            .get_or_init(|| Box::new(Store::new(&self.mapping, self.max_bins)))
    }

    /// The values at quantiles `qs` (ascending) of the samples so far,
    /// read straight from the bins (no copy); `NaN`s when empty.
    pub(crate) fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [f64; N] {
        let negative = self.negative.get();
        let zero = self.zero.load(Relaxed);
        let total = zero + self.positive.total() + negative.map_or(0, |s| s.total());
        // Counts may grow between the passes; a walk then stops earlier.
        let found = find(
            total,
            qs,
            |w| {
                let _ = negative.is_some_and(|s| s.visit(true, |i, n| w.visit(n, At::Negative(i))))
                    || w.visit(zero, At::Zero)
                    || self
                        .positive
                        .visit(false, |i, n| w.visit(n, At::Positive(i)));
            },
            |w| {
                let _ = self
                    .positive
                    .visit(true, |i, n| w.visit(n, At::Positive(i)))
                    || w.visit(zero, At::Zero)
                    || negative.is_some_and(|s| s.visit(false, |i, n| w.visit(n, At::Negative(i))));
            },
        );
        values(found, &self.mapping)
    }

    /// A plain copy of the counts.
    pub(crate) fn read(&self) -> SketchCounts {
        let mut counts = SketchCounts {
            zero: self.zero.load(Relaxed),
            ..SketchCounts::default()
        };
        self.positive.read(&mut counts.positive);
        if let Some(negative) = self.negative.get() {
            negative.read(&mut counts.negative);
        }
        counts
    }
}

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sketch")
            .field("relative_error", &self.mapping.alpha)
            .finish_non_exhaustive()
    }
}

/// The counts of a sketch at one moment (or their difference between two),
/// with bins as `(index, count)`, ascending by index, counts non-zero.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SketchCounts {
    pub(crate) zero: u64,
    pub(crate) positive: Vec<(i32, u64)>,
    /// Bins of the magnitudes of negative samples.
    pub(crate) negative: Vec<(i32, u64)>,
}

impl SketchCounts {
    /// How many samples.
    pub(crate) fn total(&self) -> u64 {
        let sum = |bins: &[(i32, u64)]| bins.iter().map(|&(_, n)| n).sum::<u64>();
        self.zero + sum(&self.positive) + sum(&self.negative)
    }

    /// The values at quantiles `qs` (each in `[0, 1]`, ascending); `NaN`s
    /// when empty.
    pub(crate) fn quantiles<const N: usize>(&self, mapping: &Mapping, qs: [f64; N]) -> [f64; N] {
        let found = find(
            self.total(),
            qs,
            |w| {
                let _ = self
                    .negative
                    .iter()
                    .rev()
                    .any(|&(i, n)| w.visit(n, At::Negative(i)))
                    || w.visit(self.zero, At::Zero)
                    || self
                        .positive
                        .iter()
                        .any(|&(i, n)| w.visit(n, At::Positive(i)));
            },
            |w| {
                let _ = self
                    .positive
                    .iter()
                    .rev()
                    .any(|&(i, n)| w.visit(n, At::Positive(i)))
                    || w.visit(self.zero, At::Zero)
                    || self
                        .negative
                        .iter()
                        .any(|&(i, n)| w.visit(n, At::Negative(i)));
            },
        );
        values(found, mapping)
    }

    /// These counts minus `earlier` (bin by bin, saturating), for deltas.
    pub(crate) fn minus(&self, earlier: &SketchCounts) -> SketchCounts {
        SketchCounts {
            zero: self.zero.saturating_sub(earlier.zero),
            positive: minus_bins(&self.positive, &earlier.positive),
            negative: minus_bins(&self.negative, &earlier.negative),
        }
    }
}

fn minus_bins(now: &[(i32, u64)], earlier: &[(i32, u64)]) -> Vec<(i32, u64)> {
    let mut out = Vec::new();
    let mut old = earlier.iter().peekable();
    for &(i, n) in now {
        while old.next_if(|&&(j, _)| j < i).is_some() {}
        let before = old.next_if(|&&(j, _)| j == i).map_or(0, |&(_, m)| m);
        let d = n.saturating_sub(before);
        if d != 0 {
            out.push((i, d));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_within_alpha_of_its_bin_value() {
        for alpha in [0.01, 0.001, 0.05] {
            let m = Mapping::new(alpha);
            let mut x = 1e-12;
            while x < 1e12 {
                let v = m.value(m.index(x));
                assert!(
                    ((v - x) / x).abs() <= alpha * (1.0 + 1e-9),
                    "x={x} v={v} α={alpha}"
                );
                x *= 1.0037;
            }
        }
    }

    #[test]
    fn index_is_monotonic_and_exact_at_powers_of_two() {
        let m = Mapping::new(0.01);
        let mut last = i32::MIN;
        let mut x = 1e-6;
        while x < 1e6 {
            let i = m.index(x);
            assert!(i >= last);
            last = i;
            x *= 1.001;
        }
        for e in -63..63 {
            let x = 2f64.powi(e);
            assert!(m.index(x) > m.index(f64::from_bits(x.to_bits() - 1)), "{x}");
            assert_eq!(m.value(m.index(x)), m.value(m.index(x * 1.001)));
        }
    }

    #[test]
    fn out_of_range_values_clamp() {
        let m = Mapping::new(0.01);
        assert_eq!(m.offset(f64::INFINITY), m.bins() - 1);
        assert_eq!(m.offset(1e300), m.bins() - 1);
        assert_eq!(m.offset(f64::MIN_POSITIVE / 4.0), 0);
        assert_eq!(m.offset(1e-30), 0);
        assert_eq!(m.offset(2f64.powi(-64)), 0);
        assert_eq!(m.offset(2f64.powi(64) * (1.0 - f64::EPSILON)), m.bins() - 1);
        assert_eq!(m.index_of(0), m.index(1e-30));
    }

    #[test]
    fn quantiles_cover_negatives_zero_and_positives() {
        let s = Sketch::new(Mapping::new(0.01));
        for v in [-4.0, -2.0, 0.0, 0.0, 1.0, 3.0, f64::NAN] {
            s.add(v);
        }
        let c = s.read();
        assert_eq!(c.total(), 6);
        let m = Mapping::new(0.01);
        let [lo, mid, hi] = c.quantiles(&m, [0.0, 0.5, 1.0]);
        assert!((lo + 4.0).abs() <= 0.04, "{lo}");
        assert_eq!(mid, 0.0);
        assert!((hi - 3.0).abs() <= 0.03, "{hi}");
        assert!(SketchCounts::default().quantiles(&m, [0.5])[0].is_nan());
    }

    #[test]
    fn direct_quantiles_match_the_copied_counts() {
        let m = Mapping::new(0.01);
        let s = Sketch::new(m);
        let mut x = -50.0;
        while x < 1e4 {
            s.add(x);
            s.add(0.0);
            x = if x < 0.0 {
                x * 0.9 + 0.001
            } else {
                x * 1.07 + 0.01
            };
        }
        let qs = [0.0, 0.1, 0.5, 0.9, 0.99, 1.0];
        let direct = s.quantiles(qs);
        assert_eq!(direct, s.read().quantiles(&m, qs));
        // Both walks agree with a single ascending one.
        let c = s.read();
        for (q, v) in qs.iter().zip(direct) {
            let mut rank = (q * (c.total() - 1) as f64) as u64 + 1;
            let mut expect = f64::NAN;
            let bins = c.negative.iter().rev().map(|&(i, n)| (n, -m.value(i)));
            let bins = bins
                .chain(std::iter::once((c.zero, 0.0)))
                .chain(c.positive.iter().map(|&(i, n)| (n, m.value(i))));
            for (n, value) in bins {
                if n >= rank {
                    expect = value;
                    break;
                }
                rank -= n;
            }
            assert_eq!(v, expect, "q={q}");
        }
        assert!(Sketch::new(m).quantiles([0.5])[0].is_nan());
    }

    #[test]
    fn bins_stay_bounded() {
        let m = Mapping::new(0.01);
        let s = Sketch::new(m);
        let mut x = 1e-19;
        while x < 1e19 {
            s.add(x);
            x *= 1.005;
        }
        let c = s.read();
        assert!(
            c.positive.len() <= max_bins(0.01) + PAGE,
            "{}",
            c.positive.len()
        );
        assert_eq!(c.total(), s.read().total());
        assert_eq!(max_bins(0.01), 58 * 64 + PAGE);
        assert_eq!(precision(0.01), 6);
    }

    #[test]
    fn minus_subtracts_bin_by_bin() {
        let a = SketchCounts {
            zero: 1,
            positive: vec![(1, 2), (5, 1)],
            negative: vec![],
        };
        let b = SketchCounts {
            zero: 3,
            positive: vec![(1, 2), (3, 4), (5, 2)],
            negative: vec![(2, 1)],
        };
        let d = b.minus(&a);
        assert_eq!(
            d,
            SketchCounts {
                zero: 2,
                positive: vec![(3, 4), (5, 1)],
                negative: vec![(2, 1)]
            }
        );
    }
}
