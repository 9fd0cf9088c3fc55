//! Metric identity: name, labels, unit and description.

use std::borrow::Cow;
use std::fmt;

/// One metric label (a name and a string value).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Label<'a> {
    key: Cow<'a, str>,
    value: Cow<'a, str>,
}

impl<'a> Label<'a> {
    /// A label from static strings, usable in `const` and `static` items.
    pub const fn from_static(key: &'static str, value: &'static str) -> Label<'static> {
        Label {
            key: Cow::Borrowed(key),
            value: Cow::Borrowed(value),
        }
    }

    /// A label from borrowed or owned strings.
    pub fn new(key: impl Into<Cow<'a, str>>, value: impl Into<Cow<'a, str>>) -> Label<'a> {
        Label {
            key: key.into(),
            value: value.into(),
        }
    }

    /// The label's name.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The label's value.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// An owned copy.
    pub fn into_owned(self) -> Label<'static> {
        Label {
            key: Cow::Owned(self.key.into_owned()),
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

/// A metric's identity: its name and labels. Borrowed at call sites, owned
/// (`Key<'static>`) where a backend stores it.
#[derive(Clone, Debug)]
pub struct Key<'a> {
    name: Cow<'a, str>,
    labels: Labels<'a>,
}

/// Borrowed or owned labels. Not `Cow<[Label]>`: that would make `Key`
/// invariant in `'a`, so a `Key<'static>` could not be compared with a
/// borrowed one.
#[derive(Clone, Debug)]
enum Labels<'a> {
    Borrowed(&'a [Label<'a>]),
    Owned(Vec<Label<'a>>),
}

impl<'a> Key<'a> {
    /// A key from a static name and static labels, usable in `static` items.
    pub const fn from_static(
        name: &'static str,
        labels: &'static [Label<'static>],
    ) -> Key<'static> {
        Key {
            name: Cow::Borrowed(name),
            labels: Labels::Borrowed(labels),
        }
    }

    /// A key with no labels.
    pub fn from_name(name: impl Into<Cow<'a, str>>) -> Key<'a> {
        Key {
            name: name.into(),
            labels: Labels::Borrowed(&[]),
        }
    }

    /// A key from a name and borrowed labels.
    pub fn new(name: impl Into<Cow<'a, str>>, labels: &'a [Label<'a>]) -> Key<'a> {
        Key {
            name: name.into(),
            labels: Labels::Borrowed(labels),
        }
    }

    /// A key from a name and owned labels.
    pub fn with_labels(name: impl Into<Cow<'a, str>>, labels: Vec<Label<'a>>) -> Key<'a> {
        Key {
            name: name.into(),
            labels: Labels::Owned(labels),
        }
    }

    /// The metric name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The labels, in the order given.
    pub fn labels(&self) -> &[Label<'a>] {
        match &self.labels {
            Labels::Borrowed(l) => l,
            Labels::Owned(l) => l,
        }
    }

    /// The value of label `key`, if present.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels()
            .iter()
            .find(|l| l.key() == key)
            .map(Label::value)
    }

    /// An owned copy, for storage.
    pub fn into_owned(self) -> Key<'static> {
        let labels = Labels::Owned(
            self.labels()
                .iter()
                .cloned()
                .map(Label::into_owned)
                .collect(),
        );
        Key {
            name: Cow::Owned(self.name.into_owned()),
            labels,
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.labels() == other.labels()
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.labels().hash(state);
    }
}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&self.name, self.labels()).cmp(&(&other.name, other.labels()))
    }
}

impl fmt::Display for Key<'_> {
    /// `name{k="v",…}`, as Prometheus writes a series.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)?;
        if self.labels().is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, l) in self.labels().iter().enumerate() {
            let sep = if i == 0 { "" } else { "," };
            write!(f, "{sep}{}={:?}", l.key(), l.value())?;
        }
        f.write_str("}")
    }
}

/// A unit of measure, as a UCUM code (the OpenTelemetry convention);
/// exporters map it (e.g. Prometheus appends `_seconds`, `_bytes`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Unit(&'static str);

impl Unit {
    /// No unit.
    pub const NONE: Unit = Unit("");
    /// Seconds (`s`).
    pub const SECONDS: Unit = Unit("s");
    /// Milliseconds (`ms`).
    pub const MILLISECONDS: Unit = Unit("ms");
    /// Microseconds (`us`).
    pub const MICROSECONDS: Unit = Unit("us");
    /// Bytes (`By`).
    pub const BYTES: Unit = Unit("By");
    /// A dimensionless number (`1`). For counts of things, OpenTelemetry
    /// prefers an annotation such as `Unit::custom("{request}")`: Prometheus
    /// exporters read `1` on a gauge as a ratio (`_ratio` suffix).
    pub const COUNT: Unit = Unit("1");
    /// A ratio, 0 to 1 (`1`), as OpenTelemetry writes utilisation.
    pub const RATIO: Unit = Unit("1");
    /// Percent (`%`).
    pub const PERCENT: Unit = Unit("%");

    /// Any other UCUM unit code, e.g. `"{request}"` or `"KiBy"`.
    pub const fn custom(ucum: &'static str) -> Unit {
        Unit(ucum)
    }

    /// The UCUM code (`""` for none).
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

/// What a metric measures, for exporters that print `HELP` or units.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct MetricMeta {
    unit: Unit,
    description: &'static str,
}

impl MetricMeta {
    /// No unit, no description.
    pub const EMPTY: MetricMeta = MetricMeta {
        unit: Unit::NONE,
        description: "",
    };

    /// A unit and a description.
    pub const fn new(unit: Unit, description: &'static str) -> MetricMeta {
        MetricMeta { unit, description }
    }

    /// The unit.
    pub const fn unit(&self) -> Unit {
        self.unit
    }

    /// The description (`""` if none).
    pub const fn description(&self) -> &'static str {
        self.description
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_and_dynamic_keys_compare_equal() {
        static LABELS: [Label<'static>; 1] = [Label::from_static("channel", "web")];
        let a = Key::from_static("orders_total", &LABELS);
        let owned = String::from("web");
        let b = Key::with_labels("orders_total", vec![Label::new("channel", owned.as_str())]);
        assert_eq!(a, b);
        assert_eq!(b.clone().into_owned(), a);
        assert_eq!(a.to_string(), "orders_total{channel=\"web\"}");
        assert_eq!(a.label("channel"), Some("web"));
    }
}
