//! The SDK's own health as ordinary metrics: what every pipeline exported,
//! dropped (by reason) and retried, queue lengths, spans sampled out, cut
//! by limits or not recorded, log records suppressed by rate limiting or
//! lost, values whose formatting panicked, and what the facade dropped
//! (its pre-init buffer, its re-entrancy guard). They are read at collection time from
//! the parts' counters, so recording costs nothing extra, and they reach
//! every exporter and the dashboard like any other metric.
//!
//! Named as OpenTelemetry names metrics: the crate docs ("Metric names")
//! list them.

use std::sync::Arc;

use omniscope::metrics::{Key, Label, MetricMeta, Unit};

use crate::export::PipelineStats;
use crate::sdk::Sdk;

type StatsSource = Arc<dyn Fn() -> Vec<PipelineStats> + Send + Sync>;

/// Registers every self-metric of `sdk` on its meter.
pub(crate) fn register(sdk: &Sdk) {
    let source: StatsSource = {
        let sdk = sdk.clone();
        Arc::new(move || sdk.pipeline_stats())
    };
    register_pipelines(sdk, &source);
    register_parts(sdk);
}

fn owned_key(name: &str, labels: &[(&str, &str)]) -> Key<'static> {
    let labels = labels
        .iter()
        .map(|(k, v)| Label::new((*k).to_owned(), (*v).to_owned()))
        .collect();
    Key::with_labels(name.to_owned(), labels)
}

/// One callback per pipeline metric series; each reads the stats afresh and
/// picks its own value.
fn register_pipelines(sdk: &Sdk, source: &StatsSource) {
    for stats in source() {
        stats.for_each_metric(|name, labels, _, is_counter| {
            let key = owned_key(name, labels);
            let wanted = key.clone();
            let source = source.clone();
            let read = move || {
                let mut found = 0.0;
                for stats in source() {
                    stats.for_each_metric(|n, l, value, _| {
                        if n == wanted.name() && owned_key(n, l) == wanted {
                            found = value;
                        }
                    });
                }
                found
            };
            let meta = pipeline_meta(name);
            if is_counter {
                sdk.meter().observe_counter(&key, &meta, Box::new(read));
            } else {
                omniscope::Meter::observe_gauge(sdk.meter(), &key, &meta, Box::new(read));
            }
        });
    }
}

/// The unit and description of a pipeline self-metric.
fn pipeline_meta(name: &str) -> MetricMeta {
    let (unit, description) = match name {
        PipelineStats::EXPORTED => ("{item}", "Items an export pipeline's backend accepted"),
        PipelineStats::DROPPED => ("{item}", "Items an export pipeline dropped, by reason"),
        PipelineStats::ERRORS => (
            "{attempt}",
            "Failed export attempts of an export pipeline, retried or not",
        ),
        PipelineStats::RETRIES => ("{retry}", "Retries of an export pipeline"),
        PipelineStats::QUEUE_LENGTH => ("{item}", "Items waiting in an export pipeline's queue"),
        PipelineStats::QUEUE_CAPACITY => ("{item}", "The capacity of an export pipeline's queue"),
        _ => ("{item}", "omniscope export pipeline health"),
    };
    MetricMeta::new(Unit::custom(unit), description)
}

fn register_parts(sdk: &Sdk) {
    let meter = sdk.meter();
    let labelled = |name: &'static str,
                    label: (&str, &str),
                    unit: &'static str,
                    description: &'static str,
                    read: Box<dyn Fn() -> f64 + Send + Sync>| {
        meter.observe_counter(
            &owned_key(name, &[label]),
            &MetricMeta::new(Unit::custom(unit), description),
            read,
        );
    };
    let counter = |name: &'static str,
                   unit: &'static str,
                   description: &'static str,
                   read: Box<dyn Fn() -> f64 + Send + Sync>| {
        meter.observe_counter(
            &Key::from_name(name),
            &MetricMeta::new(Unit::custom(unit), description),
            read,
        );
    };
    if let Some(tracer) = sdk.tracer().cloned() {
        let t = tracer.clone();
        counter(
            "omniscope.spans.sampled_out",
            "{span}",
            "Spans not recorded because of head sampling",
            Box::new(move || t.sampled_out() as f64),
        );
        const SPANS_DROPPED: &str = "Spans sampled in but not recorded: their thread held its \
                                     most open spans (buffer_full), or had no recording state \
                                     (unrecordable)";
        let t = tracer.clone();
        labelled(
            "omniscope.spans.dropped",
            ("reason", "buffer_full"),
            "{span}",
            SPANS_DROPPED,
            Box::new(move || t.stats().dropped_buffer_full as f64),
        );
        let t = tracer.clone();
        labelled(
            "omniscope.spans.dropped",
            ("reason", "unrecordable"),
            "{span}",
            SPANS_DROPPED,
            Box::new(move || t.stats().dropped_unrecordable as f64),
        );
        counter(
            "omniscope.span_limits.dropped",
            "{item}",
            "Attributes, events and links cut by span limits",
            Box::new(move || tracer.limits_dropped().total() as f64),
        );
    }
    if let Some(logger) = sdk.logger().cloned() {
        let l = logger.clone();
        counter(
            "omniscope.log_records.suppressed",
            "{log_record}",
            "Log records suppressed by per-call-site rate limiting",
            Box::new(move || l.suppressed_total() as f64),
        );
        counter(
            "omniscope.log_records.lost",
            "{log_record}",
            "Log records lost to a panic inside the logger",
            Box::new(move || logger.lost_total() as f64),
        );
    }
    counter(
        "omniscope.format_panics",
        "{value}",
        "Values recorded as <panicked while formatting> because their Display or Debug panicked",
        Box::new(|| crate::attributes::format_panics() as f64),
    );
    const REENTRY: &str =
        "Telemetry the facade dropped because its thread was inside a backend's dispatch";
    labelled(
        "omniscope.dropped_on_reentry",
        ("signal", "logs"),
        "{item}",
        REENTRY,
        Box::new(|| omniscope::dropped_on_reentry().logs as f64),
    );
    labelled(
        "omniscope.dropped_on_reentry",
        ("signal", "traces"),
        "{item}",
        REENTRY,
        Box::new(|| omniscope::dropped_on_reentry().spans as f64),
    );
    labelled(
        "omniscope.dropped_on_reentry",
        ("signal", "errors"),
        "{item}",
        REENTRY,
        Box::new(|| omniscope::dropped_on_reentry().errors as f64),
    );
    counter(
        "omniscope.preinit.dropped",
        "{item}",
        "Logs and errors the facade's pre-init buffer could not keep",
        Box::new(|| omniscope::preinit::dropped() as f64),
    );
}
