//! Metric snapshots: a compact table in the pretty format (counters still
//! at zero left out), one JSON line per snapshot with every series
//! otherwise.
//!
//! ```text
//! 2026-11-21T10:00:00.123Z METRICS  4 series, cumulative, 2 zero counters not shown
//!     orders_created_total{channel="web"}  counter          42
//!     orders_in_flight                     up_down_counter  3 (high 7)
//!     temperature_celsius                  gauge            21.5
//!     request_seconds{route="/orders"}     histogram        count=10 sum=1.2 min=0.01 p50=0.1 p90=0.2 p99=0.3 max=0.5
//! ```
//!
//! ```text
//! {"type":"metrics","timestamp":"…","start_time":"…","temporality":"cumulative","metrics":[{"name":"orders_created_total","labels":{"channel":"web"},"kind":"counter","value":42},{"name":"request_seconds","labels":{…},"kind":"histogram","count":10,"sum":1.2,"min":0.01,"max":0.5,"quantiles":{"0.5":0.1,…}},…],"resource":{…}}
//! ```

use std::fmt::Write as _;

use omniscope_sdk::metrics::{
    HistogramSnapshot, MetricsSnapshot, Series, SeriesValue, Temporality,
};
use omniscope_sdk::Resource;

use super::json::{self, Object};
use super::pretty::{level_column, timestamp, Paint, CYAN};

pub(super) fn pretty(snapshot: &MetricsSnapshot, color: bool, out: &mut String) {
    let paint = Paint(color);
    let all = snapshot.families.iter().flat_map(|f| f.series.iter());
    let series: Vec<(String, &Series)> = all
        .clone()
        .filter(|s| !is_zero_counter(&s.value))
        .map(|s| (series_name(s), s))
        .collect();
    let hidden = all.count() - series.len();
    if let Some(time) = snapshot.time {
        timestamp(out, paint, time);
        out.push(' ');
    }
    level_column(out, paint, ("METRICS", CYAN));
    out.push_str("  ");
    let _ = write!(
        out,
        "{} series, {}",
        series.len(),
        temporality(snapshot.temporality)
    );
    if hidden > 0 {
        let _ = write!(out, ", {hidden} zero counters not shown");
    }
    out.push('\n');
    let width = series
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(0);
    for (name, s) in &series {
        let kind = kind(&s.value);
        let _ = write!(out, "    {name:width$}  {kind:15}  ");
        match &s.value {
            SeriesValue::Counter(v) => write_display(out, v),
            SeriesValue::FloatCounter(v) | SeriesValue::Gauge(v) => short(out, *v),
            SeriesValue::UpDownCounter { value, high_water } => {
                let _ = write!(out, "{value} (high {high_water})");
            }
            SeriesValue::Histogram(h) => histogram_summary(out, h),
            other => {
                let _ = write!(out, "{other:?}");
            }
        }
        out.push('\n');
    }
}

pub(super) fn json(snapshot: &MetricsSnapshot, resource: &Resource, out: &mut String) {
    let mut o = Object::open(out);
    o.str("type", "metrics");
    if let Some(time) = snapshot.time {
        o.time("timestamp", time);
    }
    if let Some(start) = snapshot.start_time {
        o.time("start_time", start);
    }
    o.str("temporality", temporality(snapshot.temporality));
    let series: Vec<&Series> = snapshot
        .families
        .iter()
        .flat_map(|f| f.series.iter())
        .collect();
    json::array(o.key("metrics"), &series, |out, s| json_series(out, s));
    json::service(o.key("resource"), resource);
    o.close();
    out.push('\n');
}

fn json_series(out: &mut String, series: &Series) {
    let mut o = Object::open(out);
    o.str("name", series.key.name());
    let mut labels = Object::open(o.key("labels"));
    for label in series.key.labels() {
        labels.str(label.key(), label.value());
    }
    labels.close();
    o.str("kind", kind(&series.value));
    match &series.value {
        SeriesValue::Counter(v) => write_display(o.key("value"), v),
        SeriesValue::FloatCounter(v) | SeriesValue::Gauge(v) => json::number(o.key("value"), *v),
        SeriesValue::UpDownCounter { value, high_water } => {
            write_display(o.key("value"), value);
            write_display(o.key("high_water"), high_water);
        }
        SeriesValue::Histogram(h) => {
            write_display(o.key("count"), &h.count);
            json::number(o.key("sum"), h.sum);
            json::number(o.key("min"), h.min);
            json::number(o.key("max"), h.max);
            let mut q = Object::open(o.key("quantiles"));
            for (quantile, value) in &h.quantiles {
                json::number(q.key(&quantile.to_string()), *value);
            }
            q.close();
        }
        other => o.str("value", &format!("{other:?}")),
    }
    o.close();
}

/// `name{key="value",…}`, label values quoted with Rust escapes.
fn series_name(series: &Series) -> String {
    let mut name = series.key.name().to_owned();
    let labels = series.key.labels();
    if !labels.is_empty() {
        name.push('{');
        for (i, label) in labels.iter().enumerate() {
            if i > 0 {
                name.push(',');
            }
            let _ = write!(name, "{}={:?}", label.key(), label.value());
        }
        name.push('}');
    }
    name
}

/// `count=10 sum=1.2 min=0.01 p50=0.1 p90=0.2 p99=0.3 max=0.5`.
fn histogram_summary(out: &mut String, h: &HistogramSnapshot) {
    let _ = write!(out, "count={} sum=", h.count);
    short(out, h.sum);
    if h.count == 0 {
        return;
    }
    out.push_str(" min=");
    short(out, h.min);
    for (q, v) in &h.quantiles {
        // 0.5 → p50, 0.999 → p99.9 (rounded, so 0.29 * 100 is not p28.999…).
        let percent = (q * 1000.0).round() / 10.0;
        let _ = write!(out, " p{percent}=");
        short(out, *v);
    }
    out.push_str(" max=");
    short(out, h.max);
}

/// `v` with four significant digits at most, trailing zeros dropped
/// (`0.5049` → `0.505`, `21.50` → `21.5`), integers up to 10^15 in full:
/// a table for reading, where the sketch's quantiles are approximate anyway.
pub(super) fn short(out: &mut String, v: f64) {
    if !v.is_finite() || v == 0.0 || (v.fract() == 0.0 && v.abs() < 1e15) {
        let _ = write!(out, "{v}");
        return;
    }
    let magnitude = v.abs().log10().floor() as i32;
    let decimals = (3 - magnitude).clamp(0, 17) as usize;
    let text = format!("{v:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    out.push_str(text);
}

fn write_display(out: &mut String, v: &impl std::fmt::Display) {
    let _ = write!(out, "{v}");
}

/// Counters still at zero (mostly drop and error counters that never
/// fired) are left out of the pretty table to keep it short.
fn is_zero_counter(value: &SeriesValue) -> bool {
    match value {
        SeriesValue::Counter(v) => *v == 0,
        SeriesValue::FloatCounter(v) => *v == 0.0,
        _ => false,
    }
}

fn kind(value: &SeriesValue) -> &'static str {
    match value {
        SeriesValue::Counter(_) | SeriesValue::FloatCounter(_) => "counter",
        SeriesValue::UpDownCounter { .. } => "up_down_counter",
        SeriesValue::Gauge(_) => "gauge",
        SeriesValue::Histogram(_) => "histogram",
        _ => "other",
    }
}

fn temporality(t: Temporality) -> &'static str {
    match t {
        Temporality::Cumulative => "cumulative",
        Temporality::Delta => "delta",
    }
}
