//! The snapshot as Prometheus families: names and labels sanitized, families
//! whose names collide merged (or dropped when their types differ),
//! duplicate series dropped. Both formats are written from this model, so
//! they always hold the same families and series.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::SystemTime;

use omniscope::metrics::{InstrumentKind, Key};
use omniscope_sdk::hash::FxBuildHasher;
use omniscope_sdk::metrics::{HistogramSnapshot, MetricsSnapshot, SeriesValue};
use omniscope_sdk::Resource;

use crate::names::{family_name, sanitize};

/// A Prometheus metric type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Info,
}

impl Kind {
    fn of(kind: InstrumentKind) -> Kind {
        match kind {
            InstrumentKind::Counter => Kind::Counter,
            InstrumentKind::Histogram => Kind::Histogram,
            InstrumentKind::UpDownCounter | InstrumentKind::Gauge => Kind::Gauge,
        }
    }

    /// The sample-name suffixes this type writes after the family name.
    fn suffixes(self) -> &'static [&'static str] {
        match self {
            Kind::Counter => &["_total", "_created"],
            Kind::Gauge => &[],
            Kind::Histogram => &["_bucket", "_sum", "_count", "_created"],
            Kind::Summary => &["_sum", "_count", "_created"],
            Kind::Info => &["_info"],
        }
    }
}

/// Sorted `(name, value)` label pairs, names unique.
pub(crate) type Labels<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// One family to write.
#[derive(Debug)]
pub(crate) struct Family<'a> {
    /// The family name (before type suffixes such as `_total`).
    pub(crate) name: String,
    pub(crate) kind: Kind,
    /// The OpenMetrics unit (a suffix of `name`).
    pub(crate) unit: Option<String>,
    /// The description, or the recorded name when there is none (empty:
    /// no `HELP` line).
    pub(crate) help: &'a str,
    pub(crate) points: Vec<Point<'a>>,
}

/// One series of a family.
#[derive(Debug)]
pub(crate) struct Point<'a> {
    pub(crate) labels: Labels<'a>,
    pub(crate) value: Value<'a>,
    /// Since when it counts (OpenMetrics' `_created`), for counters,
    /// histograms and summaries; `None` when unknown or not wanted.
    pub(crate) created: Option<SystemTime>,
}

/// A series' value.
#[derive(Debug)]
pub(crate) enum Value<'a> {
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    /// A histogram (or, in a summary family, its quantiles).
    Distribution(&'a HistogramSnapshot),
    /// An info metric's constant 1.
    Info,
}

/// What to write besides the snapshot's own families.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Extras {
    /// `target` (the resource), first.
    pub(crate) target_info: bool,
    /// A `<name>_quantiles` summary after each histogram.
    pub(crate) quantiles: bool,
    /// Each series' start time, for `_created` samples.
    pub(crate) created: bool,
}

/// The families of `snapshot`, with the [`Extras`] asked for.
pub(crate) fn families<'a>(
    snapshot: &'a MetricsSnapshot,
    resource: &'a Resource,
    extras: Extras,
) -> Vec<Family<'a>> {
    let Extras {
        target_info,
        quantiles,
        created,
    } = extras;
    let mut set = FamilySet::default();
    if target_info {
        if let Some(target) = target(resource) {
            set.add(target);
        }
    }
    for metric in &snapshot.families {
        let name = family_name(&metric.name, metric.kind, metric.unit.as_str());
        let kind = Kind::of(metric.kind);
        let points = metric
            .series
            .iter()
            .filter_map(|s| {
                let mut point = point(&s.key, &s.value, kind)?;
                if created && kind != Kind::Gauge {
                    point.created = s.start_time.or(snapshot.start_time);
                }
                Some(point)
            })
            .collect();
        set.add(Family {
            name: name.name,
            kind,
            unit: name.unit,
            // Prometheus' linter wants HELP on every family, and the
            // facade's macros record none: the recorded name stands in.
            help: if metric.description.is_empty() {
                &metric.name
            } else {
                &metric.description
            },
            points,
        });
    }
    if quantiles {
        set.add_quantiles();
    }
    set.into_families()
}

/// Families being collected, with the sample names each one claims.
#[derive(Default)]
struct FamilySet<'a> {
    families: Vec<Family<'a>>,
    /// Every family and sample name in use, and the family using it.
    claimed: HashMap<String, usize>,
    /// For summaries: the index of the histogram they follow.
    follows: Vec<Option<usize>>,
}

impl<'a> FamilySet<'a> {
    /// Adds `family`: merged into an earlier family of the same name and
    /// type, dropped if one of its names is taken by another, else added.
    fn add(&mut self, family: Family<'a>) {
        self.add_after(family, None);
    }

    fn add_after(&mut self, family: Family<'a>, follows: Option<usize>) {
        if let Some(&i) = self.claimed.get(&family.name) {
            let existing = &mut self.families[i];
            if existing.name == family.name
                && existing.kind == family.kind
                && family.kind != Kind::Info
            {
                if existing.help.is_empty() {
                    existing.help = family.help;
                }
                existing.points.extend(family.points);
                return;
            }
        }
        let names = claims(&family.name, family.kind);
        if names.iter().any(|n| self.claimed.contains_key(n)) {
            return;
        }
        let index = self.families.len();
        for name in names {
            self.claimed.insert(name, index);
        }
        self.families.push(family);
        self.follows.push(follows);
    }

    /// A `<name>_quantiles` summary for each histogram.
    fn add_quantiles(&mut self) {
        for i in 0..self.families.len() {
            let histogram = &self.families[i];
            if histogram.kind != Kind::Histogram {
                continue;
            }
            let points = histogram
                .points
                .iter()
                .map(|p| Point {
                    labels: p.labels.clone(),
                    value: match p.value {
                        Value::Distribution(h) => Value::Distribution(h),
                        // `point` gives histogram families distributions only.
                        _ => Value::Info,
                    },
                    created: p.created,
                })
                .collect();
            let summary = Family {
                name: format!("{}_quantiles", histogram.name),
                kind: Kind::Summary,
                unit: None,
                help: histogram.help,
                points,
            };
            self.add_after(summary, Some(i));
        }
    }

    /// The families in order (summaries right after their histogram), each
    /// without duplicate series.
    fn into_families(self) -> Vec<Family<'a>> {
        let mut followers: Vec<Vec<Family<'a>>> = Vec::new();
        followers.resize_with(self.families.len(), Vec::new);
        let mut primary = Vec::with_capacity(self.families.len());
        for (family, follows) in self.families.into_iter().zip(self.follows) {
            match follows {
                Some(i) => followers[i].push(family),
                None => primary.push(family),
            }
        }
        // Summaries are added after every other family, so the histogram
        // at index `i` is `primary[i]`.
        let mut out = Vec::with_capacity(followers.len());
        for (family, after) in primary.into_iter().zip(followers) {
            out.push(family);
            out.extend(after);
        }
        for family in &mut out {
            dedup(&mut family.points);
        }
        out
    }
}

/// Every name a family of this type writes (or may write: `_created`).
fn claims(name: &str, kind: Kind) -> Vec<String> {
    std::iter::once(name.to_owned())
        .chain(kind.suffixes().iter().map(|s| format!("{name}{s}")))
        .collect()
}

/// Keeps the first of series with equal labels (hashed: a family may
/// have thousands of series, and this runs at every scrape).
fn dedup(points: &mut Vec<Point<'_>>) {
    if points.len() < 2 {
        return;
    }
    // Fx, not SipHash: the labels are the application's own, under the
    // SDK's cardinality limit.
    let mut seen = HashSet::with_capacity_and_hasher(points.len(), FxBuildHasher::default());
    let keep: Vec<bool> = points.iter().map(|p| seen.insert(&p.labels)).collect();
    drop(seen);
    let mut i = 0;
    points.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// A series as a point; `None` for a value that does not fit the family's
/// type, or a counter that is negative or NaN (OpenMetrics forbids both).
fn point<'a>(key: &'a Key<'static>, value: &'a SeriesValue, kind: Kind) -> Option<Point<'a>> {
    let value = match value {
        SeriesValue::Counter(v) => Value::Unsigned(*v),
        SeriesValue::FloatCounter(v) | SeriesValue::Gauge(v) => Value::Float(*v),
        SeriesValue::UpDownCounter { value, .. } => Value::Signed(*value),
        SeriesValue::Histogram(h) => Value::Distribution(h),
        _ => return None,
    };
    let fits = match (kind, &value) {
        (Kind::Counter, Value::Float(v)) => !v.is_nan() && *v >= 0.0,
        (Kind::Counter, Value::Unsigned(_)) => true,
        (Kind::Gauge, Value::Unsigned(_) | Value::Signed(_) | Value::Float(_)) => true,
        (Kind::Histogram, Value::Distribution(_)) => true,
        _ => false,
    };
    if !fits {
        return None;
    }
    let reserved: &[&str] = if kind == Kind::Histogram {
        &["le", "quantile"]
    } else {
        &[]
    };
    let pairs = key
        .labels()
        .iter()
        .map(|l| (l.key(), Cow::Borrowed(l.value())));
    Some(Point {
        labels: labels(pairs, reserved),
        value,
        created: None,
    })
}

/// `target` (written `target_info`): the resource's attributes as labels.
fn target(resource: &Resource) -> Option<Family<'_>> {
    let pairs: Vec<(&str, Cow<'_, str>)> = resource
        .attributes()
        .map(|(k, v)| (k, Cow::Owned(v.to_string())))
        .collect();
    if pairs.is_empty() {
        return None;
    }
    Some(Family {
        name: "target".to_owned(),
        kind: Kind::Info,
        unit: None,
        help: "Target metadata",
        points: vec![Point {
            labels: labels(pairs.into_iter(), &[]),
            value: Value::Info,
            created: None,
        }],
    })
}

/// Sanitized, sorted labels. Names in `reserved` (a histogram's `le`) get an
/// `exported_` prefix; names that become equal are merged, their values
/// joined with `;` in the order of the original names (as OpenTelemetry
/// specifies).
fn labels<'a>(
    pairs: impl Iterator<Item = (&'a str, Cow<'a, str>)>,
    reserved: &[&str],
) -> Labels<'a> {
    let mut named: Vec<(Cow<'a, str>, &'a str, Cow<'a, str>)> = pairs
        .map(|(original, value)| {
            let name = sanitize(original);
            let name = if reserved.contains(&name.as_ref()) {
                Cow::Owned(format!("exported_{name}"))
            } else {
                name
            };
            (name, original, value)
        })
        .collect();
    named.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    let mut out: Labels<'a> = Vec::with_capacity(named.len());
    for (name, _, value) in named {
        match out.last_mut() {
            Some((last, joined)) if *last == name => {
                let merged = joined.to_mut();
                merged.push(';');
                merged.push_str(&value);
            }
            _ => out.push((name, value)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label_list(
        pairs: &[(&'static str, &'static str)],
        reserved: &[&str],
    ) -> Vec<(String, String)> {
        labels(pairs.iter().map(|(k, v)| (*k, Cow::Borrowed(*v))), reserved)
            .into_iter()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn colliding_label_names_join_their_values() {
        let got = label_list(&[("b", "2"), ("a.b", "x"), ("a-b", "y"), ("a_b", "z")], &[]);
        let want = [("a_b", "y;x;z"), ("b", "2")];
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn reserved_label_names_are_prefixed() {
        let got = label_list(&[("le", "1"), ("quantile", "q")], &["le", "quantile"]);
        assert_eq!(got[0].0, "exported_le");
        assert_eq!(got[1].0, "exported_quantile");
    }

    #[test]
    fn dedup_keeps_the_first_series() {
        let point = |v: &'static str, n| Point {
            labels: vec![(Cow::Borrowed("a"), Cow::Borrowed(v))],
            value: Value::Unsigned(n),
            created: None,
        };
        let mut points = vec![
            point("x", 1),
            point("y", 2),
            point("x", 3),
            point("y", 4),
            point("z", 5),
        ];
        dedup(&mut points);
        let values: Vec<u64> = points
            .iter()
            .map(|p| match p.value {
                Value::Unsigned(n) => n,
                _ => 0,
            })
            .collect();
        assert_eq!(values, [1, 2, 5]);
    }
}
