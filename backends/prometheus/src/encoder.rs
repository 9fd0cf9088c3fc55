//! [`Encoder`]: a snapshot and a resource to exposition text, and
//! [`render`] with the defaults.

use std::fmt;

use omniscope_sdk::metrics::{MetricsSnapshot, SeriesValue};
use omniscope_sdk::Resource;

use crate::encode::write_families;
use crate::format::Format;
use crate::model::{families, Extras};

/// Renders `snapshot` and `resource` in `format` with the default
/// [`Encoder`] (no quantile summaries, `target_info` on).
///
/// Give it a cumulative snapshot, such as [`SdkMeter::snapshot`](omniscope_sdk::SdkMeter::snapshot):
/// Prometheus reads counters and histograms as totals since the start.
pub fn render(snapshot: &MetricsSnapshot, resource: &Resource, format: Format) -> String {
    Encoder::new().render(snapshot, resource, format)
}

/// Writes metrics snapshots as Prometheus exposition text. Pure: no I/O, no
/// state between calls, never panics. See the [crate docs](crate) for how
/// names, units, labels and values are mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoder {
    quantiles: bool,
    target_info: bool,
    created: bool,
}

impl Encoder {
    /// The encoder with the defaults (see [`EncoderBuilder`]).
    pub const fn new() -> Encoder {
        Encoder {
            quantiles: false,
            target_info: true,
            created: true,
        }
    }

    /// A builder starting from the defaults.
    pub const fn builder() -> EncoderBuilder {
        EncoderBuilder {
            encoder: Encoder::new(),
        }
    }

    /// `snapshot` and `resource` as text in `format`.
    pub fn render(
        &self,
        snapshot: &MetricsSnapshot,
        resource: &Resource,
        format: Format,
    ) -> String {
        let mut out = String::with_capacity(estimated_len(snapshot));
        // Writing into a `String` cannot fail.
        let _ = self.write(&mut out, snapshot, resource, format);
        out
    }

    /// Writes `snapshot` and `resource` as text in `format` into `out`.
    ///
    /// # Errors
    /// Only those of `out`.
    pub fn write<W: fmt::Write>(
        &self,
        out: &mut W,
        snapshot: &MetricsSnapshot,
        resource: &Resource,
        format: Format,
    ) -> fmt::Result {
        let extras = Extras {
            target_info: self.target_info,
            quantiles: self.quantiles,
            created: self.created,
        };
        let families = families(snapshot, resource, extras);
        write_families(out, &families, format)
    }
}

/// About how long the text of `snapshot` is, so that the output grows
/// once or not at all (a big scrape is megabytes).
fn estimated_len(snapshot: &MetricsSnapshot) -> usize {
    let lines: usize = snapshot
        .families
        .iter()
        .flat_map(|f| &f.series)
        .map(|s| match &s.value {
            SeriesValue::Histogram(h) => h.buckets.len() + 3,
            _ => 1,
        })
        .sum();
    512 + 128 * snapshot.families.len() + 48 * lines
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder::new()
    }
}

/// Builds an [`Encoder`]; see each setter for its default. Every setting is
/// valid, so [`build`](EncoderBuilder::build) cannot fail and returns the
/// encoder itself.
#[derive(Clone, Copy, Debug)]
#[must_use]
pub struct EncoderBuilder {
    encoder: Encoder,
}

impl EncoderBuilder {
    /// Whether each histogram is followed by a summary family
    /// `<name>_quantiles` with the quantiles of its sketch (p50, p90, p99 by
    /// default, within the sketch's relative error), its `_count` and its
    /// `_sum` (default `false`: histograms only, as Prometheus aggregates
    /// buckets and not quantiles).
    pub const fn with_quantiles(mut self, quantiles: bool) -> EncoderBuilder {
        self.encoder.quantiles = quantiles;
        self
    }

    /// Whether the resource's attributes are written as `target_info`, an
    /// OpenMetrics `info` metric (a gauge of value 1 in the classic format),
    /// as OpenTelemetry specifies (default `true`; an empty resource writes
    /// nothing either way).
    pub const fn with_target_info(mut self, target_info: bool) -> EncoderBuilder {
        self.encoder.target_info = target_info;
        self
    }

    /// Whether OpenMetrics text carries a `_created` sample for each
    /// counter, histogram and summary series: the time it started counting
    /// (its [`Series::start_time`](omniscope_sdk::metrics::Series::start_time),
    /// else the snapshot's), as OpenMetrics defines (default `true`; the
    /// classic format has no such sample). Prometheus before 2.50, and
    /// later ones without `--enable-feature=created-timestamp-zero-ingestion`,
    /// store each as a series of its own (`<name>_created`): turn this off
    /// to spare them.
    pub const fn with_created(mut self, created: bool) -> EncoderBuilder {
        self.encoder.created = created;
        self
    }

    /// The encoder.
    pub const fn build(self) -> Encoder {
        self.encoder
    }
}
