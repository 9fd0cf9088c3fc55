//! [`OtlpExporter`]: what [`Otlp`](crate::Otlp) hands to the SDK, one per signal.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Instant;

use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::Resource;

use crate::config::SignalConfig;
use crate::convert;
use crate::runtime::IoRuntime;
use crate::transport::{Payload, Transport};

/// A signal's checked settings and its client.
#[derive(Debug)]
pub(crate) struct SignalExport {
    pub(crate) config: SignalConfig,
    pub(crate) transport: Transport,
}

/// Exports one signal's batches (`T` is [`SpanData`], [`LogData`] or
/// [`MetricsSnapshot`]) over OTLP.
///
/// It runs on the SDK pipeline's export thread: the batch is converted to
/// the OTLP messages there, then sent from the exporter's I/O thread while
/// the pipeline thread waits, at most the configured timeout. Answers map
/// to what the pipeline understands:
///
/// | answer | result | the pipeline |
/// |---|---|---|
/// | success | `Accepted::All` | counts the items exported |
/// | partial success (`rejected_*` > 0) | `Accepted::Partial` | counts the rejected items dropped (`reason="rejected"`) |
/// | gRPC `UNAVAILABLE`, `RESOURCE_EXHAUSTED`, `CANCELLED`, `DEADLINE_EXCEEDED`, `ABORTED`, `OUT_OF_RANGE`, `DATA_LOSS`; HTTP 429, 502, 503, 504; no connection | `ExportError::Retryable` (with `RetryInfo` / `Retry-After`) | retries with backoff |
/// | no answer within the timeout | `ExportError::Timeout` | retries with backoff |
/// | any other status | `ExportError::Internal` | drops and counts (`reason="export_failed"`) |
pub struct OtlpExporter<T> {
    name: &'static str,
    signal: Arc<SignalExport>,
    runtime: Arc<IoRuntime>,
    shut_down: bool,
    _items: PhantomData<fn(&T)>,
}

impl<T> OtlpExporter<T> {
    pub(crate) fn new(
        name: &'static str,
        signal: Arc<SignalExport>,
        runtime: Arc<IoRuntime>,
    ) -> OtlpExporter<T> {
        OtlpExporter {
            name,
            signal,
            runtime,
            shut_down: false,
            _items: PhantomData,
        }
    }

    fn send(&self, payload: Payload, items: usize) -> Result<Accepted, ExportError> {
        if self.shut_down {
            return Err(ExportError::AlreadyShutdown);
        }
        let transport = self.signal.transport.clone();
        let accepted = self
            .runtime
            .run(self.signal.config.timeout, transport.send(payload))??;
        // Metrics count rejected data points, not snapshots: never claim
        // more rejected items than the batch held.
        Ok(match accepted {
            Accepted::Partial { rejected } => Accepted::Partial {
                rejected: rejected.min(items as u64),
            },
            all => all,
        })
    }
}

impl<T> fmt::Debug for OtlpExporter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtlpExporter")
            .field("name", &self.name)
            .field("signal", &self.signal.config.signal)
            .field("protocol", &self.signal.config.protocol)
            .field("endpoint", &self.signal.config.endpoint)
            .field("shut_down", &self.shut_down)
            .finish()
    }
}

/// `Exporter<$item>`, converting each batch with `$convert` into `$payload`.
macro_rules! otlp_exporter {
    ($item:ty, $convert:path, $payload:ident) => {
        impl Exporter<$item> for OtlpExporter<$item> {
            fn name(&self) -> &str {
                self.name
            }

            fn export(
                &mut self,
                batch: &Batch<$item>,
                resource: &Resource,
            ) -> Result<Accepted, ExportError> {
                if self.shut_down {
                    return Err(ExportError::AlreadyShutdown);
                }
                let payload = Payload::$payload($convert(batch.iter(), resource));
                self.send(payload, batch.len())
            }

            /// Nothing is buffered here: the pipeline holds what is pending.
            fn flush(&mut self, _deadline: Instant) -> Result<(), ExportError> {
                Ok(())
            }

            fn shutdown(&mut self, _deadline: Instant) -> Result<(), ExportError> {
                self.shut_down = true;
                Ok(())
            }
        }
    };
}

otlp_exporter!(SpanData, convert::trace_request, Traces);
otlp_exporter!(LogData, convert::logs_request, Logs);
otlp_exporter!(MetricsSnapshot, convert::metrics_request, Metrics);
