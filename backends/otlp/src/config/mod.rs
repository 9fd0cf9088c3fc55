//! [`OtlpBuilder`]: code settings, then the `OTEL_EXPORTER_OTLP_*`
//! variables, then defaults.

mod endpoint;
mod env;
mod headers;
mod resolve;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::BuildError;

pub(crate) use endpoint::origin;
pub(crate) use resolve::SignalConfig;

use crate::otlp::Otlp;
use crate::protocol::{Compression, Protocol};
use crate::signal::Signal;
use env::EnvSettings;

/// The gRPC endpoint when neither code nor the environment sets one.
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://localhost:4317";

/// The OTLP/HTTP base endpoint when neither code nor the environment sets
/// one (`/v1/traces`, `/v1/metrics`, `/v1/logs` are appended).
pub const DEFAULT_HTTP_ENDPOINT: &str = "http://localhost:4318";

/// How long one export request may take when neither code nor the
/// environment says (OpenTelemetry's default).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest timeout accepted, from code or the environment: one day
/// ([`omniscope_sdk::env::MAX_MILLIS`]). A longer one is a unit slip.
pub const MAX_TIMEOUT: Duration = Duration::from_millis(omniscope_sdk::env::MAX_MILLIS);

/// The largest certificate file read (1 MiB, thousands of certificates): a
/// path naming something else (`/dev/zero`, a log file) fails the build
/// instead of filling memory.
pub const MAX_CERTIFICATE_FILE: u64 = 1024 * 1024;

/// Configures an [`Otlp`] exporter set. Start with [`Otlp::builder`].
///
/// Code wins over the environment: what a `with_*` setter sets is kept,
/// [`from_env`](OtlpBuilder::from_env) fills only what code left unset
/// (a signal's own variable before the generic one), and defaults fill the
/// rest. Values are checked in [`build`](OtlpBuilder::build), whose errors
/// name the variable (or the setter), the value and the fix.
#[derive(Clone)]
#[must_use]
pub struct OtlpBuilder {
    pub(crate) endpoint: Option<String>,
    pub(crate) signal_endpoints: [Option<String>; 3],
    pub(crate) protocol: Option<Protocol>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) compression: Option<Compression>,
    pub(crate) certificate: Option<PathBuf>,
    pub(crate) temporality: Option<Temporality>,
    pub(crate) name: &'static str,
    pub(crate) default_endpoints: (&'static str, &'static str),
    pub(crate) env: EnvSettings,
}

impl Default for OtlpBuilder {
    fn default() -> OtlpBuilder {
        OtlpBuilder {
            endpoint: None,
            signal_endpoints: [None, None, None],
            protocol: None,
            headers: Vec::new(),
            timeout: None,
            compression: None,
            certificate: None,
            temporality: None,
            name: "otlp",
            default_endpoints: (DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT),
            env: EnvSettings::default(),
        }
    }
}

impl fmt::Debug for OtlpBuilder {
    /// Header values are left out: they often hold credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OtlpBuilder")
            .field("endpoint", &self.endpoint)
            .field("signal_endpoints", &self.signal_endpoints)
            .field("protocol", &self.protocol)
            .field("headers", &header_names)
            .field("timeout", &self.timeout)
            .field("compression", &self.compression)
            .field("certificate", &self.certificate)
            .field("temporality", &self.temporality)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl OtlpBuilder {
    /// The endpoint of every signal. For gRPC it is used as it is (its path
    /// is ignored); for OTLP/HTTP it is a base URL to which `v1/traces`,
    /// `v1/metrics` or `v1/logs` is appended. Default:
    /// `OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT` (used as it is), else
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` (a base), else
    /// [`DEFAULT_GRPC_ENDPOINT`] or [`DEFAULT_HTTP_ENDPOINT`] by protocol.
    pub fn with_endpoint(mut self, url: impl Into<String>) -> OtlpBuilder {
        self.endpoint = Some(url.into());
        self
    }

    /// The full endpoint of one signal, used as it is (no path appended),
    /// winning over [`with_endpoint`](OtlpBuilder::with_endpoint). Default:
    /// as for `with_endpoint`.
    pub fn with_signal_endpoint(mut self, signal: Signal, url: impl Into<String>) -> OtlpBuilder {
        self.signal_endpoints[signal.index()] = Some(url.into());
        self
    }

    /// The transport and encoding. Default:
    /// `OTEL_EXPORTER_OTLP_{SIGNAL}_PROTOCOL`, else
    /// `OTEL_EXPORTER_OTLP_PROTOCOL`, else [`Protocol::HttpProtobuf`].
    pub fn with_protocol(mut self, protocol: Protocol) -> OtlpBuilder {
        self.protocol = Some(protocol);
        self
    }

    /// A header sent with every request (`authorization`, `api-key`…),
    /// added to the headers of the environment and replacing one of the
    /// same name there. Default: the headers of
    /// `OTEL_EXPORTER_OTLP_{SIGNAL}_HEADERS`, else `OTEL_EXPORTER_OTLP_HEADERS`.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> OtlpBuilder {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// How long one export request may take (connecting included) before it
    /// fails with `ExportError::Timeout`; the SDK pipeline then retries
    /// within its own budget. Default: `OTEL_EXPORTER_OTLP_{SIGNAL}_TIMEOUT`,
    /// else `OTEL_EXPORTER_OTLP_TIMEOUT` (milliseconds), else
    /// [`DEFAULT_TIMEOUT`] (10 s). At most [`MAX_TIMEOUT`] (one day).
    pub fn with_timeout(mut self, timeout: Duration) -> OtlpBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// Request body compression. Default:
    /// `OTEL_EXPORTER_OTLP_{SIGNAL}_COMPRESSION`, else
    /// `OTEL_EXPORTER_OTLP_COMPRESSION`, else [`Compression::None`].
    pub fn with_compression(mut self, compression: Compression) -> OtlpBuilder {
        self.compression = Some(compression);
        self
    }

    /// A PEM file of the certificate authorities to trust for `https://`
    /// endpoints, instead of the system's. Default:
    /// `OTEL_EXPORTER_OTLP_{SIGNAL}_CERTIFICATE`, else
    /// `OTEL_EXPORTER_OTLP_CERTIFICATE`, else the system's roots. The file
    /// may hold at most [`MAX_CERTIFICATE_FILE`] bytes (1 MiB).
    pub fn with_certificate(mut self, pem_file: impl Into<PathBuf>) -> OtlpBuilder {
        self.certificate = Some(pem_file.into());
        self
    }

    /// The temporality the metrics exporter asks for (see
    /// [`Otlp::temporality`]). Default:
    /// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (`cumulative`,
    /// `delta`, or `lowmemory`, taken as delta), else cumulative.
    pub fn with_temporality(mut self, temporality: Temporality) -> OtlpBuilder {
        self.temporality = Some(temporality);
        self
    }

    /// The exporter name in self-metrics (`exporter="otlp"`). Default:
    /// `otlp`. Distributions of OTLP (such as `omniscope-jaeger`) set their own.
    pub fn with_name(mut self, name: &'static str) -> OtlpBuilder {
        self.name = name;
        self
    }

    /// The endpoints used when neither code nor the environment sets one: a
    /// gRPC endpoint and an OTLP/HTTP base. Default:
    /// [`DEFAULT_GRPC_ENDPOINT`] and [`DEFAULT_HTTP_ENDPOINT`].
    pub fn with_default_endpoints(mut self, grpc: &'static str, http: &'static str) -> OtlpBuilder {
        self.default_endpoints = (grpc, http);
        self
    }

    /// Reads the `OTEL_EXPORTER_OTLP_*` variables now, to fill what code
    /// leaves unset. Empty values count as unset; bad values (and values
    /// that are not UTF-8) make [`build`](OtlpBuilder::build) fail with an
    /// error naming the variable.
    ///
    /// | variable (and its `_TRACES_`, `_METRICS_`, `_LOGS_` forms) | value |
    /// |---|---|
    /// | `OTEL_EXPORTER_OTLP_ENDPOINT` | URL (generic: a base for HTTP; per signal: used as it is); a port from 1 to 65535 |
    /// | `OTEL_EXPORTER_OTLP_PROTOCOL` | `grpc`, `http/protobuf`, `http/json` |
    /// | `OTEL_EXPORTER_OTLP_HEADERS` | `key=value,key2=value2` (values percent-encoded: `%` then two hex digits, UTF-8) |
    /// | `OTEL_EXPORTER_OTLP_TIMEOUT` | milliseconds, 1 to 86400000 (one day) |
    /// | `OTEL_EXPORTER_OTLP_COMPRESSION` | `gzip`, `none` |
    /// | `OTEL_EXPORTER_OTLP_CERTIFICATE` | path of a PEM file of trusted CAs, at most 1 MiB |
    /// | `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` | `cumulative`, `delta`, `lowmemory` |
    pub fn from_env(mut self) -> OtlpBuilder {
        self.env = EnvSettings::read(&omniscope_sdk::env::var);
        self
    }

    /// [`from_env`](OtlpBuilder::from_env) with the variables of `lookup`
    /// (read now) instead of the process environment.
    pub fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> OtlpBuilder {
        self.env = EnvSettings::read(&omniscope_sdk::env::infallible(lookup));
        self
    }

    /// Checks every setting, starts the exporter's I/O thread and prepares
    /// (without connecting) one client per signal.
    ///
    /// # Errors
    /// A bad endpoint, protocol, header list, timeout, compression or
    /// temporality (from code or from the environment, named in the
    /// message), a variable whose value is not UTF-8, an unreadable, empty
    /// or oversized certificate file, or an I/O thread that cannot be
    /// started.
    pub fn build(self) -> Result<Otlp, BuildError> {
        if let Some(message) = &self.env.unreadable {
            return Err(invalid(message.clone()));
        }
        let configs = [
            resolve::signal(&self, Signal::Traces)?,
            resolve::signal(&self, Signal::Metrics)?,
            resolve::signal(&self, Signal::Logs)?,
        ];
        let temporality = resolve::temporality(&self)?;
        Otlp::start(self.name, configs, temporality)
    }
}

pub(crate) fn invalid(message: String) -> BuildError {
    BuildError::new("otlp", message)
}

#[cfg(test)]
mod tests;
