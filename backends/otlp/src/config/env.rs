//! The `OTEL_EXPORTER_OTLP_*` variables, read once and kept with their
//! names so that errors can name them.

use omniscope_sdk::env::{self, Lookup};

use crate::signal::Signal;

/// A setting each signal has, and the suffix of its variables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Endpoint,
    Protocol,
    Headers,
    Timeout,
    Compression,
    Certificate,
}

impl Field {
    const ALL: [Field; 6] = [
        Field::Endpoint,
        Field::Protocol,
        Field::Headers,
        Field::Timeout,
        Field::Compression,
        Field::Certificate,
    ];

    const fn suffix(self) -> &'static str {
        match self {
            Field::Endpoint => "ENDPOINT",
            Field::Protocol => "PROTOCOL",
            Field::Headers => "HEADERS",
            Field::Timeout => "TIMEOUT",
            Field::Compression => "COMPRESSION",
            Field::Certificate => "CERTIFICATE",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// The variable for `field`: `OTEL_EXPORTER_OTLP_{FIELD}`, or with the
/// signal's part (`OTEL_EXPORTER_OTLP_TRACES_{FIELD}`).
pub(crate) fn variable(signal: Option<Signal>, field: Field) -> String {
    match signal {
        Some(s) => format!(
            "OTEL_EXPORTER_OTLP_{}_{}",
            crate::signal::env_part(s),
            field.suffix()
        ),
        None => format!("OTEL_EXPORTER_OTLP_{}", field.suffix()),
    }
}

/// The variable choosing the metrics temporality.
pub(crate) const TEMPORALITY_VARIABLE: &str = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";

/// A variable that was set (and not empty), with its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvValue {
    pub(crate) variable: String,
    pub(crate) value: String,
}

type Fields = [Option<EnvValue>; 6];

/// Every OTLP variable that was set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct EnvSettings {
    generic: Fields,
    signals: [Fields; 3],
    pub(crate) temporality: Option<EnvValue>,
    /// Why the first variable whose value is not UTF-8 cannot be used: it
    /// fails the build, whichever setting it was for.
    pub(crate) unreadable: Option<String>,
}

impl EnvSettings {
    /// Reads every variable through `lookup`; empty values count as unset.
    pub(crate) fn read(lookup: Lookup<'_>) -> EnvSettings {
        let unreadable = std::cell::RefCell::new(None);
        let read_one = |variable: String| match env::get(lookup, &variable) {
            Ok(value) => value.map(|value| EnvValue { variable, value }),
            Err(e) => {
                unreadable.borrow_mut().get_or_insert_with(|| {
                    match variable.ends_with(Field::Headers.suffix()) {
                        // Header values often hold credentials.
                        true => {
                            format!("{variable} is not valid UTF-8: write it in UTF-8, or unset it")
                        }
                        false => e.to_string(),
                    }
                });
                None
            }
        };
        let read_fields =
            |signal: Option<Signal>| Field::ALL.map(|f| read_one(variable(signal, f)));
        let generic = read_fields(None);
        let signals = Signal::ALL.map(|s| read_fields(Some(s)));
        let temporality = read_one(TEMPORALITY_VARIABLE.to_owned());
        EnvSettings {
            generic,
            signals,
            temporality,
            unreadable: unreadable.into_inner(),
        }
    }

    /// The signal's own variable for `field`, if set.
    pub(crate) fn specific(&self, signal: Signal, field: Field) -> Option<&EnvValue> {
        self.signals[signal.index()][field.index()].as_ref()
    }

    /// The generic variable for `field`, if set.
    pub(crate) fn generic(&self, field: Field) -> Option<&EnvValue> {
        self.generic[field.index()].as_ref()
    }

    /// The signal's own variable, else the generic one (the spec's precedence).
    pub(crate) fn get(&self, signal: Signal, field: Field) -> Option<&EnvValue> {
        self.specific(signal, field).or_else(|| self.generic(field))
    }
}
