//! [`MetricHistory`]: the last few values of every metric series, sampled
//! on a timer by the server, for the dashboard's "recent values" column.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::SystemTime;

use omniscope::metrics::Key;
use omniscope_sdk::metrics::{MetricsSnapshot, SeriesValue};

use crate::view::unix_ms;

/// Recent `(unix ms, value)` samples per series.
#[derive(Debug)]
pub(crate) struct MetricHistory {
    per_series: usize,
    max_series: usize,
    series: HashMap<Key<'static>, VecDeque<(f64, f64)>>,
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
        let time = unix_ms(snapshot.time.unwrap_or_else(SystemTime::now));
        let mut seen = HashSet::new();
        for series in snapshot.families.iter().flat_map(|f| &f.series) {
            seen.insert(&series.key);
            if !self.series.contains_key(&series.key) && self.series.len() >= self.max_series {
                continue;
            }
            let samples = self.series.entry(series.key.clone()).or_default();
            if samples.len() == self.per_series {
                samples.pop_front();
            }
            samples.push_back((time, scalar(&series.value)));
        }
        self.series.retain(|key, _| seen.contains(key));
    }

    /// The samples of `key`, oldest first.
    pub(crate) fn recent(&self, key: &Key<'static>) -> Vec<(f64, f64)> {
        self.series
            .get(key)
            .map(|s| s.iter().copied().collect())
            .unwrap_or_default()
    }

    /// How many series have samples.
    pub(crate) fn len(&self) -> usize {
        self.series.len()
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
