//! The exporters that feed the dashboard: [`SpanSink`], [`LogSink`] and
//! [`ErrorSink`]. They run on the SDK's pipeline threads and only copy
//! items into the bounded stores, cutting long strings on the way.

use std::fmt;
use std::sync::Arc;

use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::state::{lock, State};
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
        let mut logs = lock(&self.state.logs);
        batch
            .iter()
            .for_each(|log| logs.push(truncate::log(log, max, &mut cut)));
        self.state.count_truncated(cut);
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
        let mut errors = lock(&self.state.errors);
        batch
            .iter()
            .for_each(|e| errors.push(truncate::error(e, max, &mut cut)));
        self.state.count_truncated(cut);
        Ok(Accepted::All)
    }
}
