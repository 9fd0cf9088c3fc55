//! [`Otlp`]: the configured exporters of every signal.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::{MetricsSnapshot, Temporality};
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::BuildError;

use crate::config::{OtlpBuilder, SignalConfig};
use crate::exporter::{OtlpExporter, SignalExport};
use crate::protocol::{Compression, Protocol};
use crate::runtime::IoRuntime;
use crate::signal::Signal;
use crate::transport::Transport;

/// OTLP exporters for spans, metrics and logs, sharing one I/O thread.
///
/// Cheap to clone: clones share the thread and the connections.
#[derive(Clone)]
pub struct Otlp {
    name: &'static str,
    runtime: Arc<IoRuntime>,
    signals: [Arc<SignalExport>; 3],
    temporality: Temporality,
}

impl Otlp {
    /// Starts configuring: OTLP/HTTP with protobuf to
    /// `http://localhost:4318`, unless code or the environment says otherwise.
    pub fn builder() -> OtlpBuilder {
        OtlpBuilder::default()
    }

    pub(crate) fn start(
        name: &'static str,
        configs: [SignalConfig; 3],
        temporality: Temporality,
    ) -> Result<Otlp, BuildError> {
        let runtime = IoRuntime::start().map_err(|e| {
            BuildError::new(
                "otlp",
                format!("cannot start the exporter's I/O thread: {e}"),
            )
        })?;
        let [traces, metrics, logs] = configs;
        let signal = |config: SignalConfig| {
            let transport = runtime.enter(|| Transport::new(&config))?;
            Ok::<_, BuildError>(Arc::new(SignalExport { config, transport }))
        };
        let signals = [signal(traces)?, signal(metrics)?, signal(logs)?];
        Ok(Otlp {
            name,
            runtime: Arc::new(runtime),
            signals,
            temporality,
        })
    }

    fn exporter<T>(&self, signal: Signal) -> OtlpExporter<T> {
        OtlpExporter::new(
            self.name,
            self.signals[signal.index()].clone(),
            self.runtime.clone(),
        )
    }

    /// An exporter of finished spans, for `SdkTracer::builder().with_exporter(…)`.
    pub fn spans(&self) -> OtlpExporter<SpanData> {
        self.exporter(Signal::Traces)
    }

    /// An exporter of log records, for `SdkLogger::builder().with_exporter(…)`.
    pub fn logs(&self) -> OtlpExporter<LogData> {
        self.exporter(Signal::Logs)
    }

    /// An exporter of metric snapshots, for
    /// `SdkBuilder::with_metric_exporter(exporter, interval, otlp.temporality())`.
    pub fn metrics(&self) -> OtlpExporter<MetricsSnapshot> {
        self.exporter(Signal::Metrics)
    }

    /// The temporality to ask the SDK's periodic reader for.
    pub fn temporality(&self) -> Temporality {
        self.temporality
    }

    /// The URL a signal's batches go to (for OTLP/HTTP, with its path).
    pub fn endpoint(&self, signal: Signal) -> String {
        self.config(signal).endpoint.to_string()
    }

    /// A signal's protocol.
    pub fn protocol(&self, signal: Signal) -> Protocol {
        self.config(signal).protocol
    }

    /// A signal's request timeout.
    pub fn timeout(&self, signal: Signal) -> Duration {
        self.config(signal).timeout
    }

    /// A signal's compression.
    pub fn compression(&self, signal: Signal) -> Compression {
        self.config(signal).compression
    }

    /// The names of the headers a signal's requests carry (their values
    /// stay private: they often hold credentials).
    pub fn header_names(&self, signal: Signal) -> Vec<String> {
        self.config(signal)
            .headers
            .iter()
            .map(|(name, _)| name.as_str().to_owned())
            .collect()
    }

    fn config(&self, signal: Signal) -> &SignalConfig {
        &self.signals[signal.index()].config
    }
}

impl fmt::Debug for Otlp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Otlp");
        d.field("name", &self.name);
        for signal in Signal::ALL {
            d.field(
                signal.name(),
                &format_args!("{} {}", self.protocol(signal), self.endpoint(signal)),
            );
        }
        d.field("temporality", &self.temporality).finish()
    }
}
