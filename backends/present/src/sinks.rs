//! The exporters that feed the dashboard: [`SpanSink`], [`LogSink`] and
//! [`ErrorSink`]. They run on the SDK's pipeline threads and only copy
//! items into the bounded stores, cutting long strings on the way.

use std::fmt;
use std::sync::{Arc, Mutex};

use omniscope::TraceId;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::state::{lock, State};
use crate::store::Pinned;
use crate::truncate;

/// The exporter name the SDK's self-metrics show for the dashboard.
const NAME: &str = "present";

/// Finished spans into the dashboard's trace store. Made by
/// [`Present::spans`](crate::Present::spans); give it to
/// `SdkTracer::builder().with_exporter(..)`.
pub struct SpanSink {
    state: Arc<State>,
}

/// Log records into the dashboard's log ring. Made by
/// [`Present::logs`](crate::Present::logs); give it to
/// `SdkLogger::builder().with_exporter(..)`.
pub struct LogSink {
    state: Arc<State>,
}

/// Handled errors and panics into the dashboard's error ring. Made by
/// [`Present::errors`](crate::Present::errors); give it to
/// `SdkErrors::builder().with_reporter(..)`.
pub struct ErrorSink {
    state: Arc<State>,
}

impl SpanSink {
    pub(crate) fn new(state: Arc<State>) -> SpanSink {
        SpanSink { state }
    }
}

impl LogSink {
    pub(crate) fn new(state: Arc<State>) -> LogSink {
        LogSink { state }
    }
}

impl ErrorSink {
    pub(crate) fn new(state: Arc<State>) -> ErrorSink {
        ErrorSink { state }
    }
}

macro_rules! debug_as_name {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty)).finish_non_exhaustive()
            }
        }
    )*};
}

debug_as_name!(SpanSink, LogSink, ErrorSink);

impl Exporter<SpanData> for SpanSink {
    fn name(&self) -> &str {
        NAME
    }

    fn export(
        &mut self,
        batch: &Batch<SpanData>,
        _resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let max = self.state.max_string_len;
        let mut cut = 0;
        let mut traces = lock(&self.state.traces);
        let mut completed = Vec::new();
        for span in batch.iter() {
            completed.extend(traces.insert(&truncate::span(span, max, &mut cut)));
        }
        self.state.count_truncated(cut);
        if self.state.captures.any_waiting() {
            for id in completed {
                if let Some(trace) = traces.get(&id) {
                    self.state.captures.offer(trace);
                }
            }
        }
        Ok(Accepted::All)
    }
}

impl Exporter<LogData> for LogSink {
    fn name(&self) -> &str {
        NAME
    }

    fn export(
        &mut self,
        batch: &Batch<LogData>,
        _resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let max = self.state.max_string_len;
        let mut cut = 0;
        let evicted: Vec<LogData> = {
            let mut logs = lock(&self.state.logs);
            batch
                .iter()
                .filter_map(|log| logs.push(truncate::log(log, max, &mut cut)))
                .filter(|log| log.trace_id.is_some())
                .collect()
        };
        self.state.count_truncated(cut);
        pin(&self.state, &self.state.pinned_logs, evicted, |l| {
            l.trace_id
        });
        Ok(Accepted::All)
    }
}

impl Exporter<ErrorEvent> for ErrorSink {
    fn name(&self) -> &str {
        NAME
    }

    fn export(
        &mut self,
        batch: &Batch<ErrorEvent>,
        _resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let max = self.state.max_string_len;
        let mut cut = 0;
        let evicted: Vec<ErrorEvent> = {
            let mut groups = lock(&self.state.error_groups);
            let mut errors = lock(&self.state.errors);
            batch
                .iter()
                .filter_map(|e| {
                    let e = truncate::error(e, max, &mut cut);
                    groups.add(&e);
                    errors.push(e)
                })
                .filter(|e| e.trace_id.is_some())
                .collect()
        };
        self.state.count_truncated(cut);
        pin(&self.state, &self.state.pinned_errors, evicted, |e| {
            e.trace_id
        });
        Ok(Accepted::All)
    }
}

/// Saves the items the recent ring forgot that belong to a pinned trace
/// (one of the slowest or failed kept), so they last as long as it does.
fn pin<T>(
    state: &State,
    pinned: &Mutex<Pinned<T>>,
    evicted: Vec<T>,
    trace_of: impl Fn(&T) -> Option<TraceId>,
) {
    if evicted.is_empty() {
        return;
    }
    let traces = lock(&state.traces);
    let mut pinned = lock(pinned);
    for item in evicted {
        if let Some(id) = trace_of(&item).filter(|id| traces.is_pinned(id)) {
            pinned.keep(id, item, |t| traces.is_pinned(t));
        }
    }
}
