//! Per-function statistics (monkit's model) for `#[instrument]`ed functions.
//!
//! `#[omniscope::instrument]` records, per function, the meters
//! `function.calls`, `function.errors{kind}`, `function.user_errors{kind}`,
//! `function.panics`,
//! `function.in_flight` and `function.duration{outcome}` (all labelled
//! `function`; see [`omniscope::metrics::names`]), and the tracer counts
//! call-graph edges between instrumented functions. This module assembles
//! both into one record per function, for exporters and the dashboard.

use std::collections::BTreeMap;

use omniscope::metrics::names::{
    FUNCTION_CALLS, FUNCTION_DURATION, FUNCTION_ERRORS, FUNCTION_IN_FLIGHT, FUNCTION_PANICS,
    FUNCTION_USER_ERRORS,
};

use crate::metrics::{HistogramSnapshot, MetricsSnapshot, SeriesValue};
use crate::trace::CallEdge;

/// Everything known about one instrumented function.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct FunctionStats {
    /// The qualified name, `module::path::function`.
    pub name: String,
    /// Calls started.
    pub calls: u64,
    /// Calls that returned `Err`, by kind ([`omniscope::error::kind_label`]).
    pub errors: BTreeMap<String, u64>,
    /// Calls that returned an expected `Err` (an `omniscope::UserError`),
    /// by kind: not failures, so neither in `errors` nor in `failure`.
    pub user_errors: BTreeMap<String, u64>,
    /// Calls that panicked.
    pub panics: u64,
    /// Calls running now.
    pub in_flight: i64,
    /// The most calls ever running at once.
    pub high_water: i64,
    /// Durations of calls that succeeded.
    pub success: Option<HistogramSnapshot>,
    /// Durations of calls that returned `Err`.
    pub failure: Option<HistogramSnapshot>,
    /// Durations of calls that panicked.
    pub panicked: Option<HistogramSnapshot>,
    /// Functions that called this one, with counts (`""` for calls from
    /// outside any instrumented function).
    pub callers: BTreeMap<String, u64>,
}

impl FunctionStats {
    /// Errors of every kind.
    pub fn errors_total(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// Builds the per-function records from a metrics snapshot and the
/// tracer's call-graph edges, sorted by name.
pub fn function_stats(snapshot: &MetricsSnapshot, edges: &[CallEdge]) -> Vec<FunctionStats> {
    let mut by_name: BTreeMap<String, FunctionStats> = BTreeMap::new();
    for family in &snapshot.families {
        for series in &family.series {
            let Some(function) = series.key.label("function") else {
                continue;
            };
            let stats = entry(&mut by_name, function);
            match (family.name.as_str(), &series.value) {
                (FUNCTION_CALLS, SeriesValue::Counter(n)) => stats.calls += n,
                (FUNCTION_PANICS, SeriesValue::Counter(n)) => stats.panics += n,
                (FUNCTION_ERRORS, SeriesValue::Counter(n)) => {
                    let kind = series.key.label("kind").unwrap_or("Error");
                    *stats.errors.entry(kind.to_owned()).or_default() += n;
                }
                (FUNCTION_USER_ERRORS, SeriesValue::Counter(n)) => {
                    let kind = series.key.label("kind").unwrap_or("Error");
                    *stats.user_errors.entry(kind.to_owned()).or_default() += n;
                }
                (FUNCTION_IN_FLIGHT, SeriesValue::UpDownCounter { value, high_water }) => {
                    stats.in_flight = *value;
                    stats.high_water = *high_water;
                }
                (FUNCTION_DURATION, SeriesValue::Histogram(h)) => {
                    let slot = match series.key.label("outcome") {
                        Some("ok") => &mut stats.success,
                        Some("error") => &mut stats.failure,
                        _ => &mut stats.panicked,
                    };
                    *slot = Some(h.clone());
                }
                _ => {}
            }
        }
    }
    for edge in edges {
        *entry(&mut by_name, edge.callee)
            .callers
            .entry(edge.caller.to_owned())
            .or_default() += edge.calls;
    }
    by_name.into_values().collect()
}

fn entry<'m>(
    by_name: &'m mut BTreeMap<String, FunctionStats>,
    name: &str,
) -> &'m mut FunctionStats {
    by_name
        .entry(name.to_owned())
        .or_insert_with(|| FunctionStats {
            name: name.to_owned(),
            ..Default::default()
        })
}
