//! `/api/funcs`: per-function statistics of `#[instrument]`ed functions.

use std::collections::BTreeMap;

use omniscope_sdk::metrics::HistogramSnapshot;
use omniscope_sdk::FunctionStats;
use serde::Serialize;

use super::metrics::{finite, quantile};

/// `/api/funcs`.
#[derive(Debug, Serialize)]
pub(crate) struct FunctionList {
    functions: Vec<FunctionView>,
}

#[derive(Debug, Serialize)]
struct FunctionView {
    name: String,
    calls: u64,
    errors_total: u64,
    /// By error type.
    errors: BTreeMap<String, u64>,
    /// Calls that returned an expected error (`omniscope::UserError`): not
    /// failures, shown beside them.
    user_errors_total: u64,
    /// By error type.
    user_errors: BTreeMap<String, u64>,
    panics: u64,
    in_flight: i64,
    high_water: i64,
    /// Durations of calls that returned `Ok` (or had no `Result`).
    success: Option<Latency>,
    /// Durations of calls that returned `Err`.
    failure: Option<Latency>,
    /// Durations of calls that panicked.
    panicked: Option<Latency>,
    /// Calling functions with counts; `""` is "no instrumented caller".
    callers: BTreeMap<String, u64>,
}

/// Latency quantiles in milliseconds.
#[derive(Debug, Serialize)]
struct Latency {
    count: u64,
    mean_ms: Option<f64>,
    p50_ms: Option<f64>,
    p90_ms: Option<f64>,
    p99_ms: Option<f64>,
    max_ms: Option<f64>,
}

impl FunctionList {
    pub(crate) fn of(stats: &[FunctionStats]) -> FunctionList {
        FunctionList {
            functions: stats
                .iter()
                .map(|f| FunctionView {
                    name: f.name.clone(),
                    calls: f.calls,
                    errors_total: f.errors_total(),
                    errors: f.errors.clone(),
                    user_errors_total: f.user_errors.values().sum(),
                    user_errors: f.user_errors.clone(),
                    panics: f.panics,
                    in_flight: f.in_flight,
                    high_water: f.high_water,
                    success: f.success.as_ref().map(Latency::of),
                    failure: f.failure.as_ref().map(Latency::of),
                    panicked: f.panicked.as_ref().map(Latency::of),
                    callers: f.callers.clone(),
                })
                .collect(),
        }
    }
}

impl Latency {
    /// From a `function.duration` histogram.
    fn of(h: &HistogramSnapshot) -> Latency {
        let ms = |s: Option<f64>| s.map(|s| s * 1000.0);
        Latency {
            count: h.count,
            mean_ms: ms((h.count > 0).then(|| h.sum / h.count as f64)),
            p50_ms: ms(quantile(h, 0.5)),
            p90_ms: ms(quantile(h, 0.9)),
            p99_ms: ms(quantile(h, 0.99)),
            max_ms: ms(finite(h.max)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_errors_are_shown_apart_from_failures() {
        let mut lookup = FunctionStats::default();
        lookup.name = "shop::lookup".to_owned();
        lookup.calls = 10;
        lookup.errors.insert("Database".to_owned(), 1);
        lookup.user_errors.insert("NotFound".to_owned(), 3);
        lookup.user_errors.insert("Invalid".to_owned(), 2);
        let json = serde_json::to_value(FunctionList::of(&[lookup])).unwrap();
        let f = &json["functions"][0];
        assert_eq!(f["errors_total"], 1);
        assert_eq!(f["user_errors_total"], 5);
        assert_eq!(f["user_errors"]["NotFound"], 3);
        assert_eq!(f["user_errors"]["Invalid"], 2);
    }
}
