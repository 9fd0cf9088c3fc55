//! Collection: reading every series into a [`MetricsSnapshot`], cumulative
//! or as deltas for one reader.
//!
//! A collection copies the series list out of the registry's read lock,
//! reads callbacks with no lock held (a collection started from inside a
//! callback skips callback series rather than recursing), then, under the meter's collection
//! mutex (which recording never takes), sums the per-thread cells and reads
//! the atomics. Each delta reader keeps the previous cumulative values of
//! every series and reports the differences, so readers are independent.
//!
//! Delta details: counters and histograms without new samples are left
//! out; gauges and up-down counters are always reported (an up-down
//! counter's `value` stays the current sum, its `high_water` is the
//! interval's). A delta histogram's quantiles come from the difference of
//! the sketches, so they keep the sketch's error bound; its `min`/`max` are
//! exact when the interval set a new all-time extreme, otherwise the
//! interval sketch's lowest/highest bin (within the relative error).
//! Exemplars older than the interval are left out.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use super::histogram::{HistogramRead, QUANTILES};
use super::registry::{FamilyView, Instrument, Registry, SeriesEntry};
use super::sketch::Mapping;
use super::snapshot::{
    Bucket, HistogramSnapshot, MetricFamily, MetricsSnapshot, Series, SeriesValue, Temporality,
};
use crate::sync::lock;

/// The collection state of one meter.
pub(crate) struct Collector {
    start: SystemTime,
    state: Mutex<CollectState>,
}

#[derive(Default)]
struct CollectState {
    next_reader: u64,
    readers: HashMap<u64, ReaderState>,
}

struct ReaderState {
    since: SystemTime,
    previous: HashMap<u64, Read>,
    /// Up-down counters: the highest value since this reader's last
    /// collection, fed by every delta collection of any reader.
    pending_high: HashMap<u64, i64>,
}

/// One series' cumulative state at a collection.
#[derive(Clone)]
enum Read {
    Counter(u64),
    FloatCounter(f64),
    UpDown { value: i64, high: i64 },
    Gauge(f64),
    Histogram(Box<HistogramRead>),
}

/// A family and its series' reads.
struct FamilyRead {
    view: FamilyView,
    reads: Vec<Option<Read>>,
}

impl Collector {
    pub(crate) fn new() -> Collector {
        Collector {
            start: SystemTime::now(),
            state: Mutex::new(CollectState::default()),
        }
    }

    /// Registers a delta reader; its first collection covers everything
    /// since the meter started.
    pub(crate) fn add_reader(&self) -> u64 {
        let mut state = lock(&self.state);
        state.next_reader += 1;
        let id = state.next_reader;
        state.readers.insert(
            id,
            ReaderState {
                since: self.start,
                previous: HashMap::new(),
                pending_high: HashMap::new(),
            },
        );
        id
    }

    pub(crate) fn remove_reader(&self, id: u64) {
        lock(&self.state).readers.remove(&id);
    }

    /// Everything since the meter started.
    pub(crate) fn cumulative(&self, registry: &Registry) -> MetricsSnapshot {
        let (families, observed) = prepare(registry);
        let _state = lock(&self.state);
        let reads = read_all(registry, families, observed, None);
        let now = SystemTime::now();
        let mapping = registry.mapping();
        MetricsSnapshot {
            time: Some(now),
            start_time: Some(self.start),
            temporality: Temporality::Cumulative,
            families: reads
                .into_iter()
                .filter_map(|f| {
                    let series = f.view.series.iter().zip(&f.reads);
                    let series = series
                        .filter_map(|(entry, read)| {
                            Some(series_out(
                                entry,
                                cumulative_value(entry, read.as_ref()?, mapping),
                                entry.created,
                            ))
                        })
                        .collect();
                    family_out(&f.view, series)
                })
                .collect(),
        }
    }

    /// What changed since reader `id` last collected.
    pub(crate) fn delta(&self, registry: &Registry, id: u64) -> MetricsSnapshot {
        let (families, observed) = prepare(registry);
        let mut state = lock(&self.state);
        let reads = read_all(registry, families, observed, Some(&mut state));
        let now = SystemTime::now();
        let mapping = registry.mapping();
        let Some(reader) = state.readers.get_mut(&id) else {
            return MetricsSnapshot::default();
        };
        let since = std::mem::replace(&mut reader.since, now);
        let mut out = Vec::with_capacity(reads.len());
        for f in reads {
            let mut series = Vec::new();
            for (entry, read) in f.view.series.iter().zip(f.reads) {
                let Some(read) = read else { continue };
                let previous = reader.previous.insert(entry.uid, read.clone());
                let high = match &read {
                    Read::UpDown { value, .. } => reader.pending_high.insert(entry.uid, *value),
                    _ => None,
                };
                if let Some(value) =
                    delta_value(entry, &read, previous.as_ref(), high, since, mapping)
                {
                    series.push(series_out(entry, value, since.max(entry.created)));
                }
            }
            out.extend(family_out(&f.view, series));
        }
        MetricsSnapshot {
            time: Some(now),
            start_time: Some(since),
            temporality: Temporality::Delta,
            families: out,
        }
    }
}

/// The series list (sorted by family name) and the callbacks' values, read
/// with no lock held.
fn prepare(registry: &Registry) -> (Vec<FamilyView>, HashMap<u64, f64>) {
    let mut families = registry.families();
    families.sort_by(|a, b| a.name.cmp(&b.name));
    let mut observed = HashMap::new();
    // A callback that collects (directly or not) gets a snapshot without
    // callback series instead of recursing.
    if IN_CALLBACK.try_with(|c| c.replace(true)).unwrap_or(true) {
        return (families, observed);
    }
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = IN_CALLBACK.try_with(|c| c.set(false));
        }
    }
    let _reset = Reset;
    for entry in families.iter().flat_map(|f| &f.series) {
        if let Instrument::ObservedGauge(cb) | Instrument::ObservedCounter(cb) = &entry.instrument {
            if let Some(v) = cb.read() {
                observed.insert(entry.uid, v);
            }
        }
    }
    (families, observed)
}

thread_local! {
    /// Set while this thread runs metric callbacks.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// Reads every series (call under the collection lock). With a delta
/// reader, ends the up-down counters' interval and hands each interval
/// high-water mark to every reader.
fn read_all(
    registry: &Registry,
    families: Vec<FamilyView>,
    observed: HashMap<u64, f64>,
    mut delta: Option<&mut CollectState>,
) -> Vec<FamilyRead> {
    let end = families
        .iter()
        .flat_map(|f| &f.series)
        .map(|s| match &s.instrument {
            Instrument::Counter(c) => c.cells_end(),
            Instrument::Histogram(h) => h.cells_end(),
            _ => 0,
        })
        .max()
        .unwrap_or(0);
    let totals = registry.cells().totals(end);
    families
        .into_iter()
        .map(|view| {
            let reads = view
                .series
                .iter()
                .map(|entry| {
                    Some(match &entry.instrument {
                        Instrument::Counter(c) => Read::Counter(c.read(&totals)),
                        Instrument::Histogram(h) => {
                            Read::Histogram(Box::new(h.read(&totals, delta.is_some())))
                        }
                        Instrument::Gauge(g) => Read::Gauge(g.value()),
                        Instrument::ObservedGauge(_) => Read::Gauge(*observed.get(&entry.uid)?),
                        Instrument::ObservedCounter(_) => {
                            Read::FloatCounter(*observed.get(&entry.uid)?)
                        }
                        Instrument::UpDownCounter(u) => match delta.as_mut() {
                            None => Read::UpDown {
                                value: u.value(),
                                high: u.high_water(),
                            },
                            Some(state) => {
                                let since_start = u.high_water();
                                let interval = u.take_interval_high();
                                for reader in state.readers.values_mut() {
                                    let high =
                                        reader.pending_high.entry(entry.uid).or_insert(since_start);
                                    *high = (*high).max(interval);
                                }
                                Read::UpDown {
                                    value: u.value(),
                                    high: since_start,
                                }
                            }
                        },
                    })
                })
                .collect();
            FamilyRead { view, reads }
        })
        .collect()
}

fn cumulative_value(entry: &SeriesEntry, read: &Read, mapping: &Mapping) -> SeriesValue {
    match read {
        Read::Counter(n) => SeriesValue::Counter(*n),
        Read::FloatCounter(x) => SeriesValue::FloatCounter(*x),
        Read::UpDown { value, high } => SeriesValue::UpDownCounter {
            value: *value,
            high_water: *high,
        },
        Read::Gauge(x) => SeriesValue::Gauge(*x),
        Read::Histogram(h) => SeriesValue::Histogram(histogram_out(bounds(entry), h, mapping)),
    }
}

fn delta_value(
    entry: &SeriesEntry,
    read: &Read,
    previous: Option<&Read>,
    pending_high: Option<i64>,
    since: SystemTime,
    mapping: &Mapping,
) -> Option<SeriesValue> {
    Some(match (read, previous) {
        (Read::Counter(n), previous) => {
            let before = match previous {
                Some(Read::Counter(p)) => *p,
                _ => 0,
            };
            let d = n.saturating_sub(before);
            (d != 0).then_some(SeriesValue::Counter(d))?
        }
        (Read::FloatCounter(x), previous) => {
            let before = match previous {
                Some(Read::FloatCounter(p)) => *p,
                _ => 0.0,
            };
            let d = x - before;
            (d != 0.0).then_some(SeriesValue::FloatCounter(d))?
        }
        (Read::UpDown { value, high }, _) => SeriesValue::UpDownCounter {
            value: *value,
            high_water: pending_high.unwrap_or(*high),
        },
        (Read::Gauge(x), _) => SeriesValue::Gauge(*x),
        (Read::Histogram(now), previous) => {
            let d = match previous {
                Some(Read::Histogram(before)) => histogram_delta(now, before, since, mapping),
                _ => (**now).clone(),
            };
            if d.count() == 0 {
                return None;
            }
            SeriesValue::Histogram(histogram_out(bounds(entry), &d, mapping))
        }
    })
}

fn histogram_delta(
    now: &HistogramRead,
    before: &HistogramRead,
    since: SystemTime,
    mapping: &Mapping,
) -> HistogramRead {
    let sketch = now.sketch.minus(&before.sketch);
    // A new all-time extreme happened in this interval; otherwise the
    // interval's extreme is estimated from its sketch.
    let [lowest, highest] = sketch.quantiles(mapping, [0.0, 1.0]);
    let min = if before.count() == 0 || now.min < before.min {
        now.min
    } else {
        clamp(lowest, now.min, now.max)
    };
    let max = if before.count() == 0 || now.max > before.max {
        now.max
    } else {
        clamp(highest, now.min, now.max)
    };
    HistogramRead {
        counts: now
            .counts
            .iter()
            .zip(before.counts.iter().chain(std::iter::repeat(&0)))
            .map(|(n, b)| n.saturating_sub(*b))
            .collect(),
        sum: now.sum - before.sum,
        min,
        max,
        sketch,
        quantiles: None,
        exemplars: now
            .exemplars
            .iter()
            .map(|e| e.clone().filter(|e| e.time >= since))
            .collect(),
    }
}

fn bounds(entry: &SeriesEntry) -> &[f64] {
    match &entry.instrument {
        Instrument::Histogram(h) => h.bounds(),
        _ => &[],
    }
}

/// `x` limited to `[lo, hi]`; unchanged when a bound is NaN (no panic).
fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

fn histogram_out(bounds: &[f64], read: &HistogramRead, mapping: &Mapping) -> HistogramSnapshot {
    let uppers = bounds.iter().copied().chain(std::iter::once(f64::INFINITY));
    let buckets = uppers
        .zip(&read.counts)
        .zip(read.exemplars.iter().chain(std::iter::repeat(&None)))
        .map(|((upper_bound, &count), exemplar)| Bucket {
            upper_bound,
            count,
            exemplar: exemplar.clone(),
        })
        .collect();
    let values = read
        .quantiles
        .unwrap_or_else(|| read.sketch.quantiles(mapping, QUANTILES));
    let quantiles = QUANTILES
        .iter()
        .zip(values)
        .map(|(&q, v)| (q, clamp(v, read.min, read.max)))
        .collect();
    HistogramSnapshot {
        count: read.count(),
        sum: read.sum,
        min: read.min,
        max: read.max,
        buckets,
        quantiles,
        relative_error: mapping.relative_error(),
    }
}

fn series_out(entry: &SeriesEntry, value: SeriesValue, start_time: SystemTime) -> Series {
    Series {
        key: entry.key.clone(),
        value,
        start_time: Some(start_time),
    }
}

fn family_out(view: &FamilyView, series: Vec<Series>) -> Option<MetricFamily> {
    if series.is_empty() {
        return None;
    }
    Some(MetricFamily {
        name: view.name.to_string(),
        kind: view.kind,
        unit: view.meta.unit(),
        description: view.meta.description().to_owned(),
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamp_ignores_nan_bounds() {
        assert_eq!(clamp(5.0, f64::NAN, f64::NAN), 5.0);
        assert_eq!(clamp(5.0, 6.0, 7.0), 6.0);
        assert_eq!(clamp(8.0, 6.0, 7.0), 7.0);
    }
}
