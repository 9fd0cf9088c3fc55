//! [`MetricHistory`]: the last few values of every metric series, sampled
//! on a timer by the server, for the dashboard's recent values and charts:
//! the value (a histogram's count), a histogram's bucket counts (so that
//! its percentiles can be told for each interval, not since the start),
//! and the exemplars (samples recorded inside a span, with its trace) seen.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::SystemTime;

use omniscope::metrics::Key;
use omniscope::{SpanId, TraceId};
use omniscope_sdk::metrics::{MetricsSnapshot, SeriesValue};

use crate::view::unix_ms;

/// At most this many exemplars are kept per series (the latest).
pub(crate) const EXEMPLARS_PER_SERIES: usize = 30;

/// One sample: `(unix ms, value)`, and a histogram's bucket counts.
#[derive(Clone, Debug)]
pub(crate) struct Sample {
    pub(crate) time_ms: f64,
    pub(crate) value: f64,
    /// A histogram's count per bucket, its minimum and its maximum (all
    /// since the start).
    pub(crate) buckets: Option<(Box<[u64]>, f64, f64)>,
}

/// A sample recorded inside a span.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ExemplarSample {
    pub(crate) time_ms: f64,
    pub(crate) value: f64,
    pub(crate) trace_id: TraceId,
    pub(crate) span_id: SpanId,
}

#[derive(Debug, Default)]
struct Series {
    samples: VecDeque<Sample>,
    exemplars: VecDeque<ExemplarSample>,
    /// A histogram's bucket upper bounds (the last `+Inf`).
    bounds: Box<[f64]>,
}

/// Recent samples per series.
#[derive(Debug)]
pub(crate) struct MetricHistory {
    per_series: usize,
    max_series: usize,
    series: HashMap<Key<'static>, Series>,
}

impl MetricHistory {
    /// Keeps `per_series` samples of at most `max_series` series.
    pub(crate) fn new(per_series: usize, max_series: usize) -> MetricHistory {
        MetricHistory {
            per_series,
            max_series,
            series: HashMap::new(),
        }
    }

    /// Appends one sample of every series in `snapshot`, and forgets the
    /// series it no longer has.
    pub(crate) fn record(&mut self, snapshot: &MetricsSnapshot) {
        if self.per_series == 0 {
            return;
        }
        let time_ms = unix_ms(snapshot.time.unwrap_or_else(SystemTime::now));
        let mut seen = HashSet::new();
        for series in snapshot.families.iter().flat_map(|f| &f.series) {
            seen.insert(&series.key);
            if !self.series.contains_key(&series.key) && self.series.len() >= self.max_series {
                continue;
            }
            let kept = self.series.entry(series.key.clone()).or_default();
            if kept.samples.len() == self.per_series {
                kept.samples.pop_front();
            }
            let buckets = match &series.value {
                SeriesValue::Histogram(h) => {
                    let bounds: Vec<f64> = h.buckets.iter().map(|b| b.upper_bound).collect();
                    if *kept.bounds != *bounds {
                        // New bounds: earlier counts cannot be compared.
                        kept.bounds = bounds.into();
                        kept.samples.iter_mut().for_each(|s| s.buckets = None);
                    }
                    let counts = h.buckets.iter().map(|b| b.count).collect();
                    Some((counts, h.min, h.max))
                }
                _ => None,
            };
            kept.samples.push_back(Sample {
                time_ms,
                value: scalar(&series.value),
                buckets,
            });
            if let SeriesValue::Histogram(h) = &series.value {
                for e in h.buckets.iter().filter_map(|b| b.exemplar.as_ref()) {
                    let sample = ExemplarSample {
                        time_ms: unix_ms(e.time),
                        value: e.value,
                        trace_id: e.trace_id,
                        span_id: e.span_id,
                    };
                    if kept.exemplars.contains(&sample) {
                        continue;
                    }
                    if kept.exemplars.len() == EXEMPLARS_PER_SERIES.min(self.per_series) {
                        kept.exemplars.pop_front();
                    }
                    kept.exemplars.push_back(sample);
                }
            }
        }
        self.series.retain(|key, _| seen.contains(key));
    }

    /// The samples of `key`, oldest first.
    pub(crate) fn samples(&self, key: &Key<'static>) -> impl Iterator<Item = &Sample> + '_ {
        self.series.get(key).into_iter().flat_map(|s| &s.samples)
    }

    /// The `(unix ms, value)` samples of `key`, oldest first.
    pub(crate) fn recent(&self, key: &Key<'static>) -> Vec<(f64, f64)> {
        self.samples(key).map(|s| (s.time_ms, s.value)).collect()
    }

    /// A histogram's p50, p90 and p99 in each interval between two samples
    /// of `key`, as `(unix ms at its end, [p50, p90, p99])`, oldest first;
    /// intervals without a new sample are left out. Interpolated within
    /// the explicit buckets, narrowed to the smallest and largest sample
    /// ever seen (so that microseconds in a first bucket of 5 ms do not
    /// read as milliseconds).
    pub(crate) fn interval_quantiles(&self, key: &Key<'static>) -> Vec<(f64, [f64; 3])> {
        let Some(series) = self.series.get(key) else {
            return Vec::new();
        };
        let samples: Vec<&Sample> = series.samples.iter().collect();
        samples
            .windows(2)
            .filter_map(|pair| {
                let (before, _, _) = pair[0].buckets.as_ref()?;
                let (after, min, max) = pair[1].buckets.as_ref()?;
                let delta: Vec<u64> = after
                    .iter()
                    .zip(before.iter())
                    .map(|(a, b)| a.saturating_sub(*b))
                    .collect();
                let q = |at| interpolate(&series.bounds, &delta, (*min, *max), at);
                Some((pair[1].time_ms, [q(0.5)?, q(0.9)?, q(0.99)?]))
            })
            .collect()
    }

    /// The exemplars of `key`, oldest first.
    pub(crate) fn exemplars(
        &self,
        key: &Key<'static>,
    ) -> impl Iterator<Item = &ExemplarSample> + '_ {
        self.series.get(key).into_iter().flat_map(|s| &s.exemplars)
    }

    /// How many series have samples.
    pub(crate) fn len(&self) -> usize {
        self.series.len()
    }

    /// How many samples and exemplars are kept, over all series.
    pub(crate) fn sample_count(&self) -> usize {
        self.series
            .values()
            .map(|s| s.samples.len() + s.exemplars.len())
            .sum()
    }
}

/// Quantile `q` of the samples counted in `counts` (one per bucket of
/// `bounds`), interpolated linearly within its bucket narrowed to
/// `[min, max]` (no sample lies outside); the first bucket starts at 0 (or
/// its bound, if negative), the `+Inf` one ends at `max`.
fn interpolate(bounds: &[f64], counts: &[u64], (min, max): (f64, f64), q: f64) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = q * total as f64;
    let mut below = 0.0;
    for (i, &count) in counts.iter().enumerate() {
        let count = count as f64;
        if count > 0.0 && below + count >= rank {
            let lower = if i == 0 {
                bounds.first().map_or(0.0, |b| b.min(0.0))
            } else {
                bounds[i - 1]
            };
            let upper = match bounds.get(i) {
                Some(b) if b.is_finite() => *b,
                _ if max.is_finite() => max.max(lower),
                _ => lower,
            };
            let lower = if min.is_finite() {
                lower.max(min)
            } else {
                lower
            };
            let upper = if max.is_finite() {
                upper.min(max)
            } else {
                upper
            }
            .max(lower);
            return Some(lower + (upper - lower) * ((rank - below) / count).clamp(0.0, 1.0));
        }
        below += count;
    }
    None
}

/// One number per series: the value, or a histogram's count.
pub(crate) fn scalar(value: &SeriesValue) -> f64 {
    match value {
        SeriesValue::Counter(n) => *n as f64,
        SeriesValue::FloatCounter(v) | SeriesValue::Gauge(v) => *v,
        SeriesValue::UpDownCounter { value, .. } => *value as f64,
        SeriesValue::Histogram(h) => h.count as f64,
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use omniscope::Meter as _;
    use omniscope_sdk::SdkMeter;

    #[test]
    fn keeps_the_last_samples_and_forgets_vanished_series() {
        let meter = SdkMeter::new();
        let counter = meter.counter(
            &Key::from_name("requests_total"),
            &omniscope::metrics::MetricMeta::EMPTY,
        );
        let mut history = MetricHistory::new(3, 100);
        for _ in 0..5 {
            counter.increment(1);
            history.record(&meter.snapshot());
        }
        let values: Vec<f64> = history
            .recent(&Key::from_name("requests_total"))
            .iter()
            .map(|s| s.1)
            .collect();
        assert_eq!(values, [3.0, 4.0, 5.0]);
        history.record(&MetricsSnapshot::default());
        assert_eq!(history.len(), 0);
    }

    #[test]
    fn percentiles_are_told_per_interval() {
        let meter = SdkMeter::new();
        let h = meter.histogram(
            &Key::from_name("latency"),
            &omniscope::metrics::MetricMeta::EMPTY,
        );
        let mut history = MetricHistory::new(10, 100);
        for _ in 0..100 {
            h.record(0.003); // in (0, 0.005]
        }
        history.record(&meter.snapshot());
        for _ in 0..100 {
            h.record(0.3); // in (0.25, 0.5]
        }
        history.record(&meter.snapshot());
        let q = history.interval_quantiles(&Key::from_name("latency"));
        assert_eq!(q.len(), 1, "one interval: {q:?}");
        let [p50, _, p99] = q[0].1;
        // Only the second interval's samples, not the 200 since the start.
        assert!(p50 > 0.25 && p50 <= 0.5, "{p50}");
        assert!(p99 > 0.25 && p99 <= 0.5, "{p99}");
    }

    #[test]
    fn tracks_at_most_max_series() {
        let meter = SdkMeter::new();
        for name in ["a_total", "b_total", "c_total"] {
            meter
                .counter(
                    &Key::from_name(name),
                    &omniscope::metrics::MetricMeta::EMPTY,
                )
                .increment(1);
        }
        let mut history = MetricHistory::new(3, 2);
        history.record(&meter.snapshot());
        assert_eq!(history.len(), 2);
    }
}
