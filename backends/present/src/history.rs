//! [`MetricHistory`]: the last few values of every metric series, sampled
//! on a timer by the server, for the dashboard's recent values and charts:
//! the value (a histogram's count), a histogram's p50/p90/p99, and the
//! exemplars (samples recorded inside a span, with its trace) seen.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::SystemTime;

use omniscope::metrics::Key;
use omniscope::{SpanId, TraceId};
use omniscope_sdk::metrics::{MetricsSnapshot, SeriesValue};

use crate::view::unix_ms;

/// At most this many exemplars are kept per series (the latest).
pub(crate) const EXEMPLARS_PER_SERIES: usize = 30;

/// One sample: `(unix ms, value)`, and a histogram's quantiles.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub(crate) time_ms: f64,
    pub(crate) value: f64,
    /// p50, p90 and p99, for a histogram with samples.
    pub(crate) quantiles: Option<[f64; 3]>,
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
            let quantiles = match &series.value {
                SeriesValue::Histogram(h) if h.count > 0 => {
                    let q = |at: f64| {
                        h.quantiles
                            .iter()
                            .find(|(q, _)| (q - at).abs() < 1e-9)
                            .map_or(f64::NAN, |(_, v)| *v)
                    };
                    Some([q(0.5), q(0.9), q(0.99)])
                }
                _ => None,
            };
            kept.samples.push_back(Sample {
                time_ms,
                value: scalar(&series.value),
                quantiles,
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
