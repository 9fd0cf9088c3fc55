//! Writes [`Family`]s as classic text (0.0.4) or OpenMetrics 1.0 text.

use std::fmt::{self, Write};
use std::time::SystemTime;

use omniscope_sdk::metrics::{Exemplar, HistogramSnapshot};

use crate::format::Format;
use crate::model::{Family, Kind, Labels, Value};
use crate::number::{
    write_canonical_label, write_classic_label, write_integer, write_timestamp, write_value,
};

/// Writes `families` in `format` (ending with `# EOF` in OpenMetrics).
pub(crate) fn write_families<W: Write>(
    out: &mut W,
    families: &[Family<'_>],
    format: Format,
) -> fmt::Result {
    let mut w = Writer {
        out: &mut *out,
        format,
        labels: String::new(),
        bounds: Vec::new(),
    };
    for family in families {
        w.metadata(family)?;
        for point in &family.points {
            w.point(family, &point.labels, &point.value)?;
            if let (true, Some(created)) = (w.openmetrics(), point.created) {
                w.created(&family.name, &point.labels, created)?;
            }
        }
    }
    if format == Format::OpenMetrics {
        out.write_str("# EOF\n")?;
    }
    Ok(())
}

/// An extra label of one sample: `le` or `quantile`.
type Extra = Option<(&'static str, f64)>;

struct Writer<'w, W: Write> {
    out: &'w mut W,
    format: Format,
    /// The current point's labels, escaped, without braces: written once
    /// per point, copied into each of its samples (a histogram has many).
    labels: String,
    /// `le` and `quantile` values already formatted, by their bits: the
    /// series of a family share their bucket bounds.
    bounds: Vec<(u64, String)>,
}

impl<W: Write> Writer<'_, W> {
    fn openmetrics(&self) -> bool {
        self.format == Format::OpenMetrics
    }

    /// `TYPE`, `UNIT` and `HELP` (OpenMetrics' order), or `HELP` and `TYPE`
    /// under the classic name of counters (`_total`) and info (`_info`).
    fn metadata(&mut self, family: &Family<'_>) -> fmt::Result {
        let name = &family.name;
        if self.openmetrics() {
            let kind = match family.kind {
                Kind::Counter => "counter",
                Kind::Gauge => "gauge",
                Kind::Histogram => "histogram",
                Kind::Summary => "summary",
                Kind::Info => "info",
            };
            writeln!(self.out, "# TYPE {name} {kind}")?;
            if let Some(unit) = &family.unit {
                writeln!(self.out, "# UNIT {name} {unit}")?;
            }
            return self.help(name, "", family.help);
        }
        let (suffix, kind) = match family.kind {
            Kind::Counter => ("_total", "counter"),
            Kind::Gauge => ("", "gauge"),
            Kind::Histogram => ("", "histogram"),
            Kind::Summary => ("", "summary"),
            Kind::Info => ("_info", "gauge"),
        };
        self.help(name, suffix, family.help)?;
        writeln!(self.out, "# TYPE {name}{suffix} {kind}")
    }

    fn help(&mut self, name: &str, suffix: &str, help: &str) -> fmt::Result {
        if help.is_empty() {
            return Ok(());
        }
        write!(self.out, "# HELP {name}{suffix} ")?;
        // Classic HELP knows only `\\` and `\n`; OpenMetrics also `\"`.
        escape(self.out, help, self.openmetrics())?;
        self.out.write_char('\n')
    }

    fn point(
        &mut self,
        family: &Family<'_>,
        labels: &Labels<'_>,
        value: &Value<'_>,
    ) -> fmt::Result {
        let name = &family.name;
        self.labels.clear();
        for (i, (k, v)) in labels.iter().enumerate() {
            if i > 0 {
                self.labels.push(',');
            }
            self.labels.push_str(k);
            self.labels.push_str("=\"");
            escape(&mut self.labels, v, true)?;
            self.labels.push('"');
        }
        match (family.kind, value) {
            (Kind::Counter, Value::Unsigned(v)) => self.integer(name, "_total", labels, *v),
            (Kind::Counter, Value::Float(v)) => self.sample(name, "_total", labels, None, *v),
            (_, Value::Unsigned(v)) => self.integer(name, "", labels, *v),
            (_, Value::Signed(v)) => {
                self.series(name, "", labels, None)?;
                writeln!(self.out, " {v}")
            }
            (_, Value::Float(v)) => self.sample(name, "", labels, None, *v),
            (Kind::Info, Value::Info) => self.integer(name, "_info", labels, 1),
            (Kind::Histogram, Value::Distribution(h)) => self.histogram(name, labels, h),
            (Kind::Summary, Value::Distribution(h)) => self.summary(name, labels, h),
            _ => Ok(()),
        }
    }

    /// Buckets made cumulative, with `+Inf` last; `_count` and `_sum` only
    /// when the sum can be a counter (see [`reports_sum`]).
    fn histogram(&mut self, name: &str, labels: &Labels<'_>, h: &HistogramSnapshot) -> fmt::Result {
        let mut total = 0u64;
        let mut last_bound = f64::NEG_INFINITY;
        // Each bucket line shows only an exemplar of its own samples, never
        // a lower bucket's: Prometheus stores every exemplar it reads, so a
        // copy on each bucket above would store one observation a dozen
        // times, mostly outside the bucket it is shown on. Buckets folded
        // into the next line (below) hand it their exemplars, which must
        // still lie within that line's range.
        let mut exemplar: Option<&Exemplar> = None;
        for bucket in &h.buckets {
            total = total.saturating_add(bucket.count);
            exemplar = bucket.exemplar.as_ref().or(exemplar);
            // Out-of-order or NaN bounds (a hand-built snapshot) are folded
            // into the next valid bucket, so `le` always increases.
            if bucket.upper_bound.is_nan() || bucket.upper_bound <= last_bound {
                continue;
            }
            let own = exemplar
                .take()
                .filter(|e| within(e.value, last_bound, bucket.upper_bound));
            last_bound = bucket.upper_bound;
            self.bucket(name, labels, bucket.upper_bound, total, own)?;
        }
        if last_bound != f64::INFINITY {
            let own = exemplar.filter(|e| within(e.value, last_bound, f64::INFINITY));
            self.bucket(name, labels, f64::INFINITY, total, own)?;
        }
        if reports_sum(h) {
            self.integer(name, "_count", labels, total)?;
            self.sample(name, "_sum", labels, None, h.sum)?;
        }
        Ok(())
    }

    /// The sketch's quantiles (each `q` within `[0, 1]` once), `_count`,
    /// and `_sum` when it can be a counter.
    fn summary(&mut self, name: &str, labels: &Labels<'_>, h: &HistogramSnapshot) -> fmt::Result {
        for (i, &(q, v)) in h.quantiles.iter().enumerate() {
            let repeated = h.quantiles[..i].iter().any(|&(earlier, _)| earlier == q);
            if (0.0..=1.0).contains(&q) && !repeated {
                self.sample(name, "", labels, Some(("quantile", q)), v)?;
            }
        }
        self.integer(name, "_count", labels, h.count)?;
        if reports_sum(h) {
            self.sample(name, "_sum", labels, None, h.sum)?;
        }
        Ok(())
    }

    fn bucket(
        &mut self,
        name: &str,
        labels: &Labels<'_>,
        le: f64,
        cumulative: u64,
        exemplar: Option<&Exemplar>,
    ) -> fmt::Result {
        self.series(name, "_bucket", labels, Some(("le", le)))?;
        self.out.write_char(' ')?;
        write_integer(self.out, cumulative)?;
        self.exemplar(exemplar)?;
        self.out.write_char('\n')
    }

    /// `<name>_created`: when the point's series started counting, in
    /// seconds since the Unix epoch (OpenMetrics only).
    fn created(&mut self, name: &str, labels: &Labels<'_>, time: SystemTime) -> fmt::Result {
        self.series(name, "_created", labels, None)?;
        self.out.write_char(' ')?;
        write_timestamp(self.out, time)?;
        self.out.write_char('\n')
    }

    fn integer(&mut self, name: &str, suffix: &str, labels: &Labels<'_>, v: u64) -> fmt::Result {
        self.series(name, suffix, labels, None)?;
        self.out.write_char(' ')?;
        write_integer(self.out, v)?;
        self.out.write_char('\n')
    }

    fn sample(
        &mut self,
        name: &str,
        suffix: &str,
        labels: &Labels<'_>,
        extra: Extra,
        v: f64,
    ) -> fmt::Result {
        self.series(name, suffix, labels, extra)?;
        self.out.write_char(' ')?;
        write_value(self.out, v)?;
        self.out.write_char('\n')
    }

    /// ` # {trace_id="…",span_id="…"} value timestamp`, in OpenMetrics only.
    fn exemplar(&mut self, exemplar: Option<&Exemplar>) -> fmt::Result {
        let (true, Some(e)) = (self.openmetrics(), exemplar) else {
            return Ok(());
        };
        write!(
            self.out,
            " # {{trace_id=\"{}\",span_id=\"{}\"}} ",
            e.trace_id, e.span_id
        )?;
        write_value(self.out, e.value)?;
        self.out.write_char(' ')?;
        write_timestamp(self.out, e.time)
    }

    /// `name{labels}` for the current point (its labels were rendered by
    /// [`point`](Writer::point)), without braces when there are no labels.
    fn series(
        &mut self,
        name: &str,
        suffix: &str,
        labels: &Labels<'_>,
        extra: Extra,
    ) -> fmt::Result {
        self.out.write_str(name)?;
        self.out.write_str(suffix)?;
        if labels.is_empty() && extra.is_none() {
            return Ok(());
        }
        self.out.write_char('{')?;
        self.out.write_str(&self.labels)?;
        if let Some((k, v)) = extra {
            if !labels.is_empty() {
                self.out.write_char(',')?;
            }
            self.out.write_str(k)?;
            self.out.write_str("=\"")?;
            let bound = self.bound(v)?;
            self.out.write_str(&self.bounds[bound].1)?;
            self.out.write_char('"')?;
        }
        self.out.write_char('}')
    }

    /// The index in `bounds` of `v` formatted as an `le` or `quantile`
    /// value, formatting it the first time.
    fn bound(&mut self, v: f64) -> Result<usize, fmt::Error> {
        let bits = v.to_bits();
        if let Some(i) = self.bounds.iter().position(|(b, _)| *b == bits) {
            return Ok(i);
        }
        let mut text = String::new();
        if self.openmetrics() {
            write_canonical_label(&mut text, v)?;
        } else {
            write_classic_label(&mut text, v)?;
        }
        // A family with ever-changing bounds (hand-built snapshots) must
        // not grow the cache without end.
        if self.bounds.len() >= MAX_CACHED_BOUNDS {
            self.bounds.clear();
        }
        self.bounds.push((bits, text));
        Ok(self.bounds.len() - 1)
    }
}

/// Whether `value` lies in the bucket `(lower, upper]`; the first bucket
/// (`lower` is `-Inf`) takes `-Inf` too.
fn within(value: f64, lower: f64, upper: f64) -> bool {
    (value > lower || lower == f64::NEG_INFINITY) && value <= upper
}

/// How many formatted bounds [`Writer::bound`] keeps.
const MAX_CACHED_BOUNDS: usize = 64;

/// Whether a histogram's `_sum` (and, by OpenMetrics' rule, its `_count`)
/// is written: only when it is a counter, never decreasing — no negative
/// sample, no negative bucket bound, not NaN (OpenMetrics and
/// OpenTelemetry both ask for this).
fn reports_sum(h: &HistogramSnapshot) -> bool {
    let non_negative = |v: f64| v.is_nan() || v >= 0.0;
    h.sum >= 0.0 && non_negative(h.min) && h.buckets.iter().all(|b| non_negative(b.upper_bound))
}

/// Writes `text` with `\\` and newlines escaped, and `"` too when `quotes`
/// (label values in both formats; HELP in OpenMetrics).
fn escape<W: Write>(out: &mut W, text: &str, quotes: bool) -> fmt::Result {
    let mut rest = text;
    while let Some(i) = rest.find(|c| c == '\\' || c == '\n' || (quotes && c == '"')) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            _ => "\\\"",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        let mut s = String::new();
        escape(&mut s, "a\\b\"c\nd", true).unwrap();
        assert_eq!(s, "a\\\\b\\\"c\\nd");
        s.clear();
        escape(&mut s, "a\\b\"c\nd", false).unwrap();
        assert_eq!(s, "a\\\\b\"c\\nd");
    }
}
