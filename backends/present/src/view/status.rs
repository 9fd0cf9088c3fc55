//! `/api/status`: the service, uptime, the stores' fill, and every export
//! pipeline's counters (drops show here).

use std::time::SystemTime;

use omniscope_sdk::export::PipelineStats;
use omniscope_sdk::Resource;
use serde::Serialize;

use super::values::unix_ms;
use crate::PresentStats;

/// `/api/status`.
#[derive(Debug, Serialize)]
pub(crate) struct Status {
    service: String,
    service_version: Option<String>,
    time_ms: f64,
    started_ms: f64,
    uptime_s: f64,
    /// Trace captures waiting for their trace.
    captures_waiting: usize,
    stores: Stores,
    pipelines: Vec<PipelineView>,
}

#[derive(Debug, Serialize)]
struct Stores {
    traces: usize,
    spans: usize,
    spans_received: u64,
    spans_dropped: u64,
    logs: usize,
    logs_received: u64,
    errors: usize,
    errors_received: u64,
    /// Strings cut to the maximum length in what the stores kept.
    strings_truncated: u64,
    /// OTLP requests taken and refused by the receiver.
    otlp_accepted: u64,
    otlp_refused: u64,
    /// Traces kept as failed, and records kept for slowest and failed traces.
    failed_traces: usize,
    pinned_logs: usize,
    pinned_errors: usize,
}

#[derive(Debug, Serialize)]
struct PipelineView {
    signal: &'static str,
    exporter: String,
    queued: u64,
    capacity: u64,
    exported: u64,
    dropped_total: u64,
    dropped_queue_full: u64,
    dropped_export_failed: u64,
    dropped_rejected: u64,
    dropped_shutdown: u64,
    errors: u64,
    retries: u64,
    last_error: Option<String>,
}

impl Status {
    pub(crate) fn of(
        resource: &Resource,
        started: SystemTime,
        stores: &PresentStats,
        captures_waiting: usize,
        pipelines: &[PipelineStats],
    ) -> Status {
        let now = SystemTime::now();
        Status {
            service: resource.service_name().to_owned(),
            service_version: resource
                .get(Resource::SERVICE_VERSION)
                .map(|v| v.to_string()),
            time_ms: unix_ms(now),
            started_ms: unix_ms(started),
            uptime_s: now
                .duration_since(started)
                .unwrap_or_default()
                .as_secs_f64(),
            captures_waiting,
            stores: Stores {
                traces: stores.traces,
                spans: stores.spans,
                spans_received: stores.spans_received,
                spans_dropped: stores.spans_dropped,
                logs: stores.logs,
                logs_received: stores.logs_received,
                errors: stores.errors,
                errors_received: stores.errors_received,
                strings_truncated: stores.strings_truncated,
                otlp_accepted: stores.otlp_accepted,
                otlp_refused: stores.otlp_refused,
                failed_traces: stores.failed_traces,
                pinned_logs: stores.pinned_logs,
                pinned_errors: stores.pinned_errors,
            },
            pipelines: pipelines
                .iter()
                .map(|p| PipelineView {
                    signal: p.signal,
                    exporter: p.exporter.clone(),
                    queued: p.queued,
                    capacity: p.capacity,
                    exported: p.exported,
                    dropped_total: p.dropped.total(),
                    dropped_queue_full: p.dropped.queue_full,
                    dropped_export_failed: p.dropped.export_failed,
                    dropped_rejected: p.dropped.rejected,
                    dropped_shutdown: p.dropped.shutdown,
                    errors: p.errors,
                    retries: p.retries,
                    last_error: p.last_error.clone(),
                })
                .collect(),
        }
    }
}
