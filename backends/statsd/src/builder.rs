//! [`StatsdBuilder`] and [`Statsd`]: configuration, from code and the
//! environment (code wins, then the environment, then defaults).

use std::sync::Arc;
use std::time::Duration;

use omniscope_sdk::env;
use omniscope_sdk::metrics::Temporality;
use omniscope_sdk::BuildError;

use crate::encode::{Encoding, Flavor, HistogramAs, LabelScheme};
use crate::env::{invalid, EnvValues, DEFAULT_HOST, DEFAULT_PORT};
use crate::exporter::{StatsdExporter, StatsdStats};
use crate::transport::{Endpoint, StreamFraming, Transport};

/// How often a UDP host name is resolved again by default.
pub const DEFAULT_RESOLVE_INTERVAL: Duration = Duration::from_secs(30);
/// The default cap on reconstructed samples per histogram series and flush.
pub const DEFAULT_MAX_SAMPLES: u32 = 64;
/// The largest payload accepted (a UDP datagram's limit).
pub const MAX_PAYLOAD_LIMIT: usize = 65_507;

/// Configures a [`Statsd`] backend. Every setter's value wins over the
/// environment read by [`from_env`](StatsdBuilder::from_env).
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct StatsdBuilder {
    flavor: Option<Flavor>,
    endpoint: Option<Endpoint>,
    histograms: Option<HistogramAs>,
    labels: Option<LabelScheme>,
    prefix: Option<String>,
    constant_tags: Vec<(String, String)>,
    unified_service_tags: Option<bool>,
    multi_value: bool,
    container_id: Option<String>,
    timestamps: bool,
    max_payload: Option<usize>,
    max_samples: Option<u32>,
    framing: Option<StreamFraming>,
    resolve_interval: Option<Duration>,
    env: EnvValues,
}

impl StatsdBuilder {
    /// The dialect. Default: [`Flavor::Statsd`], or `OMNISCOPE_STATSD_FLAVOR`,
    /// or [`Flavor::DogStatsd`] when a `DD_` endpoint variable is set.
    pub fn with_flavor(mut self, flavor: Flavor) -> StatsdBuilder {
        self.flavor = Some(flavor);
        self
    }

    /// Where to send. Default: UDP to `127.0.0.1:8125`, or the endpoint
    /// variables.
    pub fn with_endpoint(mut self, endpoint: Endpoint) -> StatsdBuilder {
        self.endpoint = Some(endpoint);
        self
    }

    /// UDP to `host:port` (shorthand for [`with_endpoint`](Self::with_endpoint)).
    pub fn with_udp(self, host: impl Into<String>, port: u16) -> StatsdBuilder {
        self.with_endpoint(Endpoint::Udp {
            host: host.into(),
            port,
        })
    }

    /// How histograms are shipped. Default: [`HistogramAs::Timer`] in the
    /// plain flavour, [`HistogramAs::Distribution`] in DogStatsD, or
    /// `OMNISCOPE_STATSD_HISTOGRAM`.
    pub fn with_histograms(mut self, histograms: HistogramAs) -> StatsdBuilder {
        self.histograms = Some(histograms);
        self
    }

    /// How the plain flavour folds labels into names. Default:
    /// [`LabelScheme::Pairs`].
    pub fn with_label_scheme(mut self, labels: LabelScheme) -> StatsdBuilder {
        self.labels = Some(labels);
        self
    }

    /// A prefix for every name (`orders` gives `orders.jobs_total`).
    /// Default: none, or `OMNISCOPE_STATSD_PREFIX`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> StatsdBuilder {
        self.prefix = Some(prefix.into());
        self
    }

    /// A DogStatsD tag on every line. Default: none.
    pub fn with_constant_tag(
        mut self,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> StatsdBuilder {
        self.constant_tags.push((key.into(), value.into()));
        self
    }

    /// Whether DogStatsD lines carry `service:`, `env:` and `version:` from
    /// the resource (Datadog's unified service tagging). Default: `true`.
    pub fn with_unified_service_tags(mut self, on: bool) -> StatsdBuilder {
        self.unified_service_tags = Some(on);
        self
    }

    /// DogStatsD v1.1: a histogram's samples in one line
    /// (`name:1:2:3|d`). Default: `false` (the Etsy daemon does not read it).
    pub fn with_multi_value(mut self, on: bool) -> StatsdBuilder {
        self.multi_value = on;
        self
    }

    /// DogStatsD v1.2: `|c:<id>` on every line. Default: none.
    pub fn with_container_id(mut self, id: impl Into<String>) -> StatsdBuilder {
        self.container_id = Some(id.into());
        self
    }

    /// DogStatsD v1.3: `|T<unix seconds>` on counters and gauges. Default:
    /// `false`.
    pub fn with_timestamps(mut self, on: bool) -> StatsdBuilder {
        self.timestamps = on;
        self
    }

    /// The largest payload (datagram, or frame on a stream), in bytes, 1 to
    /// 65 507. Default: 1432 on UDP, 8192 on Unix sockets.
    pub fn with_max_payload(mut self, bytes: usize) -> StatsdBuilder {
        self.max_payload = Some(bytes);
        self
    }

    /// At most this many reconstructed samples per histogram series and
    /// flush; past it the mean goes once with a sample rate. Default: 64.
    pub fn with_max_samples(mut self, samples: u32) -> StatsdBuilder {
        self.max_samples = Some(samples);
        self
    }

    /// How payloads are framed on a Unix stream socket. Default:
    /// [`StreamFraming::LengthPrefixed`] in DogStatsD (the agent's
    /// protocol), [`StreamFraming::Newline`] in plain statsd.
    pub fn with_stream_framing(mut self, framing: StreamFraming) -> StatsdBuilder {
        self.framing = Some(framing);
        self
    }

    /// How often a UDP host name is resolved again (the address of a
    /// daemon may move). Default: 30 s.
    pub fn with_resolve_interval(mut self, interval: Duration) -> StatsdBuilder {
        self.resolve_interval = Some(interval);
        self
    }

    /// Reads the variables of [`crate::env`](crate#environment-variables)
    /// now, to fill what code left unset when [`build`](Self::build) runs.
    pub fn from_env(mut self) -> StatsdBuilder {
        self.env = EnvValues::read(&env::var);
        self
    }

    /// [`from_env`](Self::from_env) with the variables of `lookup` instead
    /// of the process environment.
    pub fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> StatsdBuilder {
        self.env = EnvValues::read(&env::infallible(lookup));
        self
    }

    /// Checks the configuration. Opens nothing: the socket is opened (and
    /// the host resolved) on the export thread.
    ///
    /// # Errors
    /// A variable read by `from_env` with a bad or non-UTF-8 value (the
    /// message names it and the value), a payload size of 0 or over
    /// 65 507, a zero resolve interval.
    pub fn build(self) -> Result<Statsd, BuildError> {
        let env = self.env.parse()?;
        let flavor = self.flavor.or(env.flavor).unwrap_or(Flavor::Statsd);
        let endpoint = self.endpoint.or(env.endpoint).unwrap_or(Endpoint::Udp {
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
        });
        let max_payload = self
            .max_payload
            .unwrap_or_else(|| endpoint.default_max_payload());
        if !(1..=MAX_PAYLOAD_LIMIT).contains(&max_payload) {
            return Err(invalid(format!(
                "the maximum payload of {max_payload} bytes is out of range: give 1 to {MAX_PAYLOAD_LIMIT}"
            )));
        }
        let resolve_interval = self.resolve_interval.unwrap_or(DEFAULT_RESOLVE_INTERVAL);
        if resolve_interval.is_zero() {
            return Err(invalid(
                "the resolve interval is zero: give a positive duration",
            ));
        }
        let histograms = self.histograms.or(env.histograms).unwrap_or(match flavor {
            Flavor::Statsd => HistogramAs::Timer,
            Flavor::DogStatsd => HistogramAs::Distribution,
        });
        let framing = self.framing.unwrap_or(match flavor {
            Flavor::Statsd => StreamFraming::Newline,
            Flavor::DogStatsd => StreamFraming::LengthPrefixed,
        });
        let encoding = Encoding {
            flavor,
            histograms,
            labels: self.labels.unwrap_or(LabelScheme::Pairs),
            prefix: self.prefix.or(env.prefix).unwrap_or_default(),
            constant_tags: self.constant_tags,
            unified_service_tags: self.unified_service_tags.unwrap_or(true),
            multi_value: self.multi_value,
            container_id: self.container_id,
            timestamps: self.timestamps,
            max_samples: self.max_samples.unwrap_or(DEFAULT_MAX_SAMPLES),
        };
        Ok(Statsd {
            encoding: Arc::new(encoding),
            endpoint,
            framing,
            max_payload,
            resolve_interval,
            stats: StatsdStats::default(),
        })
    }
}

/// A configured statsd backend: hand [`metrics`](Statsd::metrics) to the
/// SDK's periodic reader with [`Statsd::TEMPORALITY`] (the kit does).
#[derive(Debug)]
pub struct Statsd {
    encoding: Arc<Encoding>,
    endpoint: Endpoint,
    framing: StreamFraming,
    max_payload: usize,
    resolve_interval: Duration,
    stats: StatsdStats,
}

impl Statsd {
    /// The temporality the exporter needs: statsd counters are deltas.
    pub const TEMPORALITY: Temporality = Temporality::Delta;

    /// A builder with the defaults.
    pub fn builder() -> StatsdBuilder {
        StatsdBuilder::default()
    }

    /// A push exporter for delta snapshots. Each call gives an exporter
    /// with its own socket; all share [`stats`](Statsd::stats).
    pub fn metrics(&self) -> StatsdExporter {
        let transport = Transport::new(self.endpoint.clone(), self.framing, self.resolve_interval);
        StatsdExporter::new(
            self.encoding.clone(),
            transport,
            self.max_payload,
            self.stats.clone(),
        )
    }

    /// What the exporters sent and dropped.
    pub fn stats(&self) -> StatsdStats {
        self.stats.clone()
    }

    /// Where the lines go.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The dialect.
    pub fn flavor(&self) -> Flavor {
        self.encoding.flavor
    }
}
