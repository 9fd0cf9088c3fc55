//! The registry: one family per metric name, one series per label set, the
//! family and cardinality limits, and kind conflicts.
//!
//! Lookups take a read lock (many threads at once); creating a series takes
//! the write lock. Labels are canonicalized (sorted by name; a repeated name
//! keeps its last value), so `a=1,b=2` and `b=2,a=1` are one series.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::SystemTime;

use omniscope::metrics::{Counter, InstrumentKind, Key, Label, MetricMeta, Unit};

use super::cells::Cells;
use super::counter::{CounterSeries, UpDownSeries};
use super::gauge::{Callback, GaugeSeries};
use super::histogram::{Buckets, HistogramSeries};
use super::sketch::Mapping;

/// The self-metric counting label sets refused by the cardinality limit,
/// per metric (label `metric`).
pub(crate) const OVERFLOW_METRIC: (&str, MetricMeta) = (
    "omniscope.metric.cardinality_overflow",
    MetricMeta::new(
        Unit::custom("{registration}"),
        "Label sets refused by the cardinality limit of a metric",
    ),
);
/// The self-metric counting registrations of new metric names refused by
/// the family limit (no label: a label per refused name would grow without
/// bound, which is what the limit prevents).
pub(crate) const FAMILY_OVERFLOW_METRIC: (&str, MetricMeta) = (
    "omniscope.metric.family_overflow",
    MetricMeta::new(
        Unit::custom("{registration}"),
        "New metric names refused by the meter's family limit",
    ),
);
/// The self-metric counting registrations of a name with another kind of
/// instrument than its first registration (label `metric`).
pub(crate) const CONFLICT_METRIC: (&str, MetricMeta) = (
    "omniscope.metric.kind_conflicts",
    MetricMeta::new(
        Unit::custom("{registration}"),
        "Registrations of a metric name as another kind of instrument than its first",
    ),
);
/// The label of a metric's overflow series.
pub(crate) const OVERFLOW_LABEL: &str = "otel.metric.overflow";

/// Meter-wide settings the registry applies.
pub(crate) struct Config {
    pub(crate) family_limit: usize,
    pub(crate) cardinality_limit: usize,
    pub(crate) buckets: HashMap<String, Arc<Buckets>>,
    pub(crate) default_buckets: Arc<Buckets>,
    pub(crate) mapping: Mapping,
}

/// What records into a series.
#[derive(Clone)]
pub(crate) enum Instrument {
    Counter(Arc<CounterSeries>),
    UpDownCounter(Arc<UpDownSeries>),
    Gauge(Arc<GaugeSeries>),
    Histogram(Arc<HistogramSeries>),
    /// A gauge read from a callback.
    ObservedGauge(Arc<Callback>),
    /// A float counter read from a callback.
    ObservedCounter(Arc<Callback>),
}

impl Instrument {
    fn is_observed(&self) -> bool {
        matches!(
            self,
            Instrument::ObservedGauge(_) | Instrument::ObservedCounter(_)
        )
    }
}

/// One series: a stable id (for delta readers), its key, its instrument,
/// and when it was registered (its start time in snapshots).
pub(crate) struct SeriesEntry {
    pub(crate) uid: u64,
    pub(crate) key: Key<'static>,
    pub(crate) instrument: Instrument,
    pub(crate) created: SystemTime,
}

/// A family as a collection sees it: copied out of the lock.
pub(crate) struct FamilyView {
    pub(crate) name: Arc<str>,
    pub(crate) kind: InstrumentKind,
    pub(crate) meta: MetricMeta,
    /// The series, in registration order, the overflow series last.
    pub(crate) series: Vec<Arc<SeriesEntry>>,
}

struct Family {
    name: Arc<str>,
    kind: InstrumentKind,
    meta: MetricMeta,
    /// Label-set hash → indexes into `series`.
    index: HashMap<u64, Vec<usize>>,
    series: Vec<Arc<SeriesEntry>>,
    overflow: Option<Arc<SeriesEntry>>,
    refused: Option<Counter>,
    conflicts: Option<Counter>,
}

impl Family {
    fn find(&self, hash: u64, labels: &[Label<'_>]) -> Option<usize> {
        self.index
            .get(&hash)?
            .iter()
            .copied()
            .find(|&i| self.series[i].key.labels() == labels)
    }
}

#[derive(Default)]
struct Families {
    by_name: HashMap<Box<str>, usize>,
    list: Vec<Family>,
    next_uid: u64,
    /// Families subject to the family limit: all but the registry's own
    /// overflow and conflict counters, which must exist to count refusals.
    limited: usize,
    /// Counts in [`FAMILY_OVERFLOW_METRIC`]; created at the first refusal.
    refused: Option<Counter>,
}

/// The registry of one meter.
pub(crate) struct Registry {
    uid: u64,
    config: Config,
    cells: Arc<Cells>,
    families: RwLock<Families>,
    hasher: RandomState,
}

/// What a registration asks for.
pub(crate) enum Request {
    /// A handle of this kind.
    Handle(InstrumentKind),
    /// A callback series of this kind (gauge or counter).
    Observe(InstrumentKind, Box<dyn Fn() -> f64 + Send + Sync>),
}

impl Registry {
    pub(crate) fn new(uid: u64, config: Config) -> Registry {
        Registry {
            uid,
            config,
            cells: Arc::new(Cells::new()),
            families: RwLock::new(Families::default()),
            hasher: RandomState::new(),
        }
    }

    pub(crate) fn cells(&self) -> &Cells {
        &self.cells
    }

    pub(crate) fn mapping(&self) -> &Mapping {
        &self.config.mapping
    }

    fn read(&self) -> RwLockReadGuard<'_, Families> {
        self.families.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Families> {
        self.families.write().unwrap_or_else(|p| p.into_inner())
    }

    /// The instrument of `key` for a handle of `kind`: found, created, or
    /// the overflow series. `None` when the name (or the key) is already
    /// another kind of instrument (counted in [`CONFLICT_METRIC`]).
    pub(crate) fn instrument(
        &self,
        key: &Key<'_>,
        meta: &MetricMeta,
        kind: InstrumentKind,
    ) -> Option<Instrument> {
        let labels = canonical(key.labels());
        let hash = self.hasher.hash_one(&*labels);
        {
            let families = self.read();
            if let Some(family) = families.by_name.get(key.name()).map(|&f| &families.list[f]) {
                let meta_missing = *meta != MetricMeta::EMPTY && family.meta == MetricMeta::EMPTY;
                if family.kind != kind {
                    if let Some(conflicts) = &family.conflicts {
                        conflicts.increment(1);
                        return None;
                    }
                } else if let Some(i) = family.find(hash, &labels) {
                    let instrument = &family.series[i].instrument;
                    if !meta_missing && !instrument.is_observed() {
                        return Some(instrument.clone());
                    }
                } else if family.series.len() >= self.config.cardinality_limit {
                    if let (Some(overflow), Some(refused)) = (&family.overflow, &family.refused) {
                        refused.increment(1);
                        return Some(overflow.instrument.clone());
                    }
                }
            } else if families.limited >= self.config.family_limit {
                // A refused name is refused again under the read lock, so a
                // dynamic call site past the limit does not serialize threads.
                if let Some(refused) = &families.refused {
                    refused.increment(1);
                    return None;
                }
            }
        }
        let mut families = self.write();
        self.register(
            &mut families,
            key.name(),
            &labels,
            hash,
            meta,
            Request::Handle(kind),
        )
    }

    /// Registers a callback series (replacing an earlier callback for the
    /// same key).
    pub(crate) fn observe(&self, key: &Key<'_>, meta: &MetricMeta, request: Request) {
        let labels = canonical(key.labels());
        let hash = self.hasher.hash_one(&*labels);
        let mut families = self.write();
        let _ = self.register(&mut families, key.name(), &labels, hash, meta, request);
    }

    fn register(
        &self,
        families: &mut Families,
        name: &str,
        labels: &[Label<'_>],
        hash: u64,
        meta: &MetricMeta,
        request: Request,
    ) -> Option<Instrument> {
        let kind = match &request {
            Request::Handle(kind) | Request::Observe(kind, _) => *kind,
        };
        let f = self.limited_family(families, name, kind, meta)?;
        let limit = self.config.cardinality_limit;
        let family = &mut families.list[f];
        if *meta != MetricMeta::EMPTY && family.meta == MetricMeta::EMPTY {
            family.meta = *meta;
        }
        let existing = family.find(hash, labels);
        let conflict = family.kind != kind
            || existing.is_some_and(|i| match &request {
                Request::Handle(_) => family.series[i].instrument.is_observed(),
                Request::Observe(..) => false,
            });
        if conflict {
            let counter = match &family.conflicts {
                Some(c) => c.clone(),
                None => {
                    let c =
                        self.self_counter(families, CONFLICT_METRIC, &[Label::new("metric", name)]);
                    families.list[f].conflicts = Some(c.clone());
                    c
                }
            };
            counter.increment(1);
            return None;
        }
        families.next_uid += 1;
        let uid = families.next_uid;
        let family = &mut families.list[f];
        match (existing, request) {
            (Some(i), Request::Handle(_)) => Some(family.series[i].instrument.clone()),
            (Some(i), Request::Observe(_, callback)) => {
                // A callback takes the series over; the old handles' writes
                // are no longer read.
                let old = &family.series[i];
                let instrument = observed(kind, callback);
                family.series[i] = Arc::new(SeriesEntry {
                    uid: old.uid,
                    key: old.key.clone(),
                    instrument,
                    created: SystemTime::now(),
                });
                None
            }
            (None, request) if family.series.len() >= limit => {
                let overflow = match (&family.overflow, &request) {
                    (Some(o), _) => Some(o.instrument.clone()),
                    (None, Request::Handle(kind)) => {
                        let instrument = self.new_instrument(name, *kind);
                        let key = Key::with_labels(
                            name.to_owned(),
                            vec![Label::from_static(OVERFLOW_LABEL, "true")],
                        );
                        family.overflow = Some(Arc::new(SeriesEntry {
                            uid,
                            key,
                            instrument: instrument.clone(),
                            created: SystemTime::now(),
                        }));
                        Some(instrument)
                    }
                    (None, Request::Observe(..)) => None,
                };
                let refused = match &families.list[f].refused {
                    Some(c) => c.clone(),
                    None => {
                        let c = self.self_counter(
                            families,
                            OVERFLOW_METRIC,
                            &[Label::new("metric", name)],
                        );
                        families.list[f].refused = Some(c.clone());
                        c
                    }
                };
                refused.increment(1);
                match request {
                    Request::Handle(_) => overflow,
                    Request::Observe(..) => None,
                }
            }
            (None, request) => {
                let instrument = match request {
                    Request::Handle(kind) => self.new_instrument(name, kind),
                    Request::Observe(kind, callback) => observed(kind, callback),
                };
                let key = Key::with_labels(
                    name.to_owned(),
                    labels.iter().cloned().map(Label::into_owned).collect(),
                );
                family
                    .index
                    .entry(hash)
                    .or_default()
                    .push(family.series.len());
                family.series.push(Arc::new(SeriesEntry {
                    uid,
                    key,
                    instrument: instrument.clone(),
                    created: SystemTime::now(),
                }));
                Some(instrument)
            }
        }
    }

    fn new_instrument(&self, name: &str, kind: InstrumentKind) -> Instrument {
        match kind {
            InstrumentKind::Counter => {
                Instrument::Counter(Arc::new(CounterSeries::new(self.uid, &self.cells)))
            }
            InstrumentKind::UpDownCounter => {
                Instrument::UpDownCounter(Arc::new(UpDownSeries::new()))
            }
            InstrumentKind::Gauge => Instrument::Gauge(Arc::new(GaugeSeries::new())),
            InstrumentKind::Histogram => {
                let buckets = self
                    .config
                    .buckets
                    .get(name)
                    .unwrap_or(&self.config.default_buckets)
                    .clone();
                Instrument::Histogram(Arc::new(HistogramSeries::new(
                    self.uid,
                    &self.cells,
                    buckets,
                    self.config.mapping,
                )))
            }
        }
    }

    /// The index of family `name`, created unless the meter already holds
    /// [`Config::family_limit`] families; past it, `None`, counted in
    /// [`FAMILY_OVERFLOW_METRIC`].
    fn limited_family(
        &self,
        families: &mut Families,
        name: &str,
        kind: InstrumentKind,
        meta: &MetricMeta,
    ) -> Option<usize> {
        if let Some(&f) = families.by_name.get(name) {
            return Some(f);
        }
        if families.limited >= self.config.family_limit {
            let refused = match &families.refused {
                Some(c) => c.clone(),
                None => {
                    let c = self.self_counter(families, FAMILY_OVERFLOW_METRIC, &[]);
                    families.refused = Some(c.clone());
                    c
                }
            };
            refused.increment(1);
            return None;
        }
        families.limited += 1;
        Some(family_index(families, name, kind, meta))
    }

    /// The counter `family{labels}` of a self-metric (`labels` canonical):
    /// never refused by the limits, and a no-op if the name is taken by
    /// another kind.
    fn self_counter(
        &self,
        families: &mut Families,
        (family, meta): (&str, MetricMeta),
        labels: &[Label<'_>],
    ) -> Counter {
        let f = family_index(families, family, InstrumentKind::Counter, &meta);
        let hash = self.hasher.hash_one(labels);
        families.next_uid += 1;
        let uid = families.next_uid;
        let fam = &mut families.list[f];
        if fam.kind != InstrumentKind::Counter {
            return Counter::noop();
        }
        let instrument = match fam.find(hash, labels) {
            Some(i) => fam.series[i].instrument.clone(),
            None => {
                let instrument = self.new_instrument(family, InstrumentKind::Counter);
                let key = Key::with_labels(
                    family.to_owned(),
                    labels.iter().cloned().map(Label::into_owned).collect(),
                );
                fam.index.entry(hash).or_default().push(fam.series.len());
                fam.series.push(Arc::new(SeriesEntry {
                    uid,
                    key,
                    instrument: instrument.clone(),
                    created: SystemTime::now(),
                }));
                instrument
            }
        };
        match instrument {
            Instrument::Counter(c) => Counter::from_arc(c),
            _ => Counter::noop(),
        }
    }

    /// Every family, copied out of the lock (cheap: `Arc` clones).
    pub(crate) fn families(&self) -> Vec<FamilyView> {
        let families = self.read();
        families
            .list
            .iter()
            .map(|f| FamilyView {
                name: f.name.clone(),
                kind: f.kind,
                meta: f.meta,
                series: f.series.iter().chain(&f.overflow).cloned().collect(),
            })
            .collect()
    }
}

fn family_index(
    families: &mut Families,
    name: &str,
    kind: InstrumentKind,
    meta: &MetricMeta,
) -> usize {
    if let Some(&f) = families.by_name.get(name) {
        return f;
    }
    let f = families.list.len();
    families.list.push(Family {
        name: Arc::from(name),
        kind,
        meta: *meta,
        index: HashMap::new(),
        series: Vec::new(),
        overflow: None,
        refused: None,
        conflicts: None,
    });
    families.by_name.insert(Box::from(name), f);
    f
}

fn observed(kind: InstrumentKind, callback: Box<dyn Fn() -> f64 + Send + Sync>) -> Instrument {
    let callback = Arc::new(Callback::new(callback));
    match kind {
        InstrumentKind::Counter => Instrument::ObservedCounter(callback),
        _ => Instrument::ObservedGauge(callback),
    }
}

/// Labels sorted by name, a repeated name keeping its last value. Borrowed
/// when already canonical (the usual case: no allocation).
fn canonical<'a>(labels: &'a [Label<'a>]) -> Cow<'a, [Label<'a>]> {
    if labels.windows(2).all(|w| w[0].key() < w[1].key()) {
        return Cow::Borrowed(labels);
    }
    let mut sorted = labels.to_vec();
    sorted.sort_by(|a, b| a.key().cmp(b.key()));
    let mut out: Vec<Label<'a>> = Vec::with_capacity(sorted.len());
    for label in sorted {
        match out.last_mut() {
            Some(last) if last.key() == label.key() => *last = label,
            _ => out.push(label),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_sorts_and_keeps_the_last_duplicate() {
        let sorted = [Label::new("a", "1"), Label::new("b", "2")];
        assert!(matches!(canonical(&sorted), Cow::Borrowed(_)));
        let messy = [
            Label::new("b", "2"),
            Label::new("a", "1"),
            Label::new("b", "3"),
        ];
        let c = canonical(&messy);
        assert_eq!(&*c, &[Label::new("a", "1"), Label::new("b", "3")]);
    }
}
