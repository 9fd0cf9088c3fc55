//! [`Signal`]: traces, metrics or logs, as exporters and the `OTEL_*`
//! variables split telemetry.

use std::fmt;

/// A kind of telemetry an exporter takes, as the OpenTelemetry
/// specification splits it (`OTEL_TRACES_EXPORTER`,
/// `OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`, `/v1/logs`, …). Handled errors
/// travel with logs.
///
/// One definition for every crate: the kit chooses backends per signal,
/// the OTLP backend configures each signal's endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Signal {
    /// Spans.
    Traces,
    /// Counters, gauges and histograms.
    Metrics,
    /// Log records (and handled errors and panics).
    Logs,
}

impl Signal {
    /// Every signal, in the order of [`Signal::index`].
    pub const ALL: [Signal; 3] = [Signal::Traces, Signal::Metrics, Signal::Logs];

    /// The lower-case name (`traces`, `metrics`, `logs`).
    pub const fn name(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Metrics => "metrics",
            Signal::Logs => "logs",
        }
    }

    /// The position in [`Signal::ALL`] (0, 1, 2): an index into an array
    /// holding one value per signal.
    pub const fn index(self) -> usize {
        match self {
            Signal::Traces => 0,
            Signal::Metrics => 1,
            Signal::Logs => 2,
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_position_in_all() {
        for (i, signal) in Signal::ALL.into_iter().enumerate() {
            assert_eq!(signal.index(), i);
            assert_eq!(signal.to_string(), signal.name());
        }
    }
}
