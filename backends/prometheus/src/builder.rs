//! [`Prometheus`] and its builder: where the scrape endpoint listens, and
//! how it answers; code first, then the environment, then defaults.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::{BuildError, Resource, Sdk};
use omniscope_serve::{check_host_name, check_loopback};

use crate::encoder::Encoder;
use crate::env::{parse_bool, parse_host, parse_port, EnvValues};
use crate::scrape::{Exposition, Scrape};
use crate::server::{ServeError, Server};
use crate::service::{MetricsService, Source};

/// The default address: loopback only, on Prometheus' registered port for
/// OpenTelemetry exporters, 9464.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9464);

/// The default path of the metrics, `/metrics`.
pub const DEFAULT_PATH: &str = "/metrics";

/// Configures a [`Prometheus`] endpoint. Code wins over the environment:
/// what a `with_*` setter set is kept, [`from_env`](PrometheusBuilder::from_env)
/// fills only what code left unset, and defaults fill the rest.
#[must_use]
#[derive(Clone, Debug, Default)]
pub struct PrometheusBuilder {
    host: Option<IpAddr>,
    port: Option<u16>,
    public: Option<bool>,
    path: Option<String>,
    allowed_hosts: Vec<String>,
    encoder: Encoder,
    openmetrics: Option<bool>,
    gzip: Option<bool>,
    env: EnvValues,
}

impl PrometheusBuilder {
    /// The address to listen on. Default: `OTEL_EXPORTER_PROMETHEUS_HOST`
    /// and `_PORT` when read, else [`DEFAULT_ADDR`] (`127.0.0.1:9464`).
    /// Port 0 picks a free port ([`Server::local_addr`] tells which). A
    /// non-loopback address also needs [`with_public(true)`](PrometheusBuilder::with_public).
    pub fn with_addr(mut self, addr: SocketAddr) -> PrometheusBuilder {
        self.host = Some(addr.ip());
        self.port = Some(addr.port());
        self
    }

    /// The port to listen on, keeping the host. Default:
    /// `OTEL_EXPORTER_PROMETHEUS_PORT` when read, else 9464.
    pub fn with_port(mut self, port: u16) -> PrometheusBuilder {
        self.port = Some(port);
        self
    }

    /// Allows a non-loopback address (such as `0.0.0.0`, for a Prometheus
    /// on another machine): the metrics are then open to whoever reaches
    /// the port, so it must be a decision. Default: `false`, except that a
    /// non-loopback `OTEL_EXPORTER_PROMETHEUS_HOST` counts as that decision
    /// when code did not call this.
    pub fn with_public(mut self, public: bool) -> PrometheusBuilder {
        self.public = Some(public);
        self
    }

    /// Answers scrapes whose `Host` header names `name` (a DNS name, with
    /// any port) on a loopback listener, besides `localhost` and IP
    /// addresses: give the name a local scraper uses. Other names are
    /// answered `421`, so that no web site can read the metrics through a
    /// name it points at this machine (DNS rebinding). A public listener
    /// ([`with_public(true)`](PrometheusBuilder::with_public)) answers any
    /// name. Can be called more than once. Default: none.
    pub fn with_allowed_host(mut self, name: impl Into<String>) -> PrometheusBuilder {
        self.allowed_hosts.push(name.into());
        self
    }

    /// The path of the metrics on the built-in listener; other paths
    /// answer `404 Not Found`. Default: [`DEFAULT_PATH`] (`/metrics`).
    pub fn with_path(mut self, path: impl Into<String>) -> PrometheusBuilder {
        self.path = Some(path.into());
        self
    }

    /// How snapshots are written (quantile summaries, `target_info`).
    /// Default: [`Encoder::new()`].
    pub fn with_encoder(mut self, encoder: Encoder) -> PrometheusBuilder {
        self.encoder = encoder;
        self
    }

    /// Whether a scraper that asks for OpenMetrics (as Prometheus does) gets
    /// it, with exemplars; with `false`, every scrape gets the classic text
    /// format. Default: `OMNISCOPE_PROMETHEUS_OPENMETRICS` when read, else
    /// `true`.
    pub fn with_openmetrics(mut self, openmetrics: bool) -> PrometheusBuilder {
        self.openmetrics = Some(openmetrics);
        self
    }

    /// Whether scrapes are gzipped for scrapers that accept it (Prometheus
    /// does). Default: `true`.
    pub fn with_gzip(mut self, gzip: bool) -> PrometheusBuilder {
        self.gzip = Some(gzip);
        self
    }

    /// Reads the environment variables now, to fill what code left unset
    /// (an empty value counts as unset):
    ///
    /// | variable | fills | values |
    /// |---|---|---|
    /// | `OTEL_EXPORTER_PROMETHEUS_HOST` | the host of [`with_addr`](PrometheusBuilder::with_addr) | an IP address (`0.0.0.0`, `::1`, `[::1]`) or `localhost`; a non-loopback address also stands for [`with_public(true)`](PrometheusBuilder::with_public) |
    /// | `OTEL_EXPORTER_PROMETHEUS_PORT` | [`with_port`](PrometheusBuilder::with_port) | 0 to 65535 |
    /// | `OMNISCOPE_PROMETHEUS_OPENMETRICS` | [`with_openmetrics`](PrometheusBuilder::with_openmetrics) | `true` or `false` |
    ///
    /// A value that cannot be used (or is not UTF-8) makes
    /// [`build`](PrometheusBuilder::build) fail with an error naming the
    /// variable, its value and what to write.
    pub fn from_env(mut self) -> PrometheusBuilder {
        self.env = EnvValues::read(&omniscope_sdk::env::var);
        self
    }

    /// [`from_env`](PrometheusBuilder::from_env) with the variables of
    /// `lookup` (read now) instead of the process environment.
    pub fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> PrometheusBuilder {
        self.env = EnvValues::read(&omniscope_sdk::env::infallible(lookup));
        self
    }

    /// Checks the configuration (nothing listens yet: see
    /// [`Prometheus::serve`]).
    ///
    /// # Errors
    /// A variable read by [`from_env`](PrometheusBuilder::from_env) with a
    /// bad value (or one that is not UTF-8); a non-loopback address without
    /// [`with_public(true)`](PrometheusBuilder::with_public); a path that
    /// does not start with `/` or has a `?`, `#` or whitespace.
    pub fn build(self) -> Result<Prometheus, BuildError> {
        if let Some(e) = &self.env.unreadable {
            return Err(invalid(e.to_string()));
        }
        let env_host = self.env.host.as_deref().map(parse_host).transpose()?;
        let env_port = self.env.port.as_deref().map(parse_port).transpose()?;
        let env_openmetrics = self
            .env
            .openmetrics
            .as_deref()
            .map(|v| parse_bool(crate::env::OPENMETRICS_ENV, v))
            .transpose()?;
        let host = self.host.or(env_host).unwrap_or(DEFAULT_ADDR.ip());
        let port = self.port.or(env_port).unwrap_or(DEFAULT_ADDR.port());
        let addr = SocketAddr::new(host, port);
        let host_from_env = self.host.is_none() && env_host.is_some();
        check_public(addr, self.public, host_from_env)?;
        let path = self.path.unwrap_or_else(|| DEFAULT_PATH.to_owned());
        check_path(&path)?;
        for name in &self.allowed_hosts {
            check_host_name(name).map_err(|bad| invalid(format!("with_allowed_host: {bad}")))?;
        }
        Ok(Prometheus {
            addr,
            path,
            allowed_hosts: self.allowed_hosts,
            exposition: Exposition {
                encoder: self.encoder,
                openmetrics: self.openmetrics.or(env_openmetrics).unwrap_or(true),
                gzip: self.gzip.unwrap_or(true),
            },
        })
    }
}

/// A non-loopback address needs a decision: `with_public(true)` in code,
/// or (when code said nothing) the host coming from the environment.
fn check_public(
    addr: SocketAddr,
    public: Option<bool>,
    host_from_env: bool,
) -> Result<(), BuildError> {
    check_loopback(addr, public.unwrap_or(host_from_env)).map_err(|refused| {
        let origin = match host_from_env {
            true => format!(
                "{}={} is not a loopback address, and code called with_public(false)",
                crate::env::HOST_ENV,
                addr.ip()
            ),
            false => refused.to_string(),
        };
        invalid(format!(
            "{origin}: the metrics would be open to the network; call with_public(true) to expose them, \
             or listen on 127.0.0.1"
        ))
    })
}

fn check_path(path: &str) -> Result<(), BuildError> {
    let bad = |c: char| c == '?' || c == '#' || c.is_whitespace() || c.is_control();
    if !path.starts_with('/') || path.contains(bad) {
        return Err(invalid(format!(
            "the metrics path {path:?} is not a plain URL path: give one that starts with `/` \
             and has no `?`, `#` or spaces, such as \"/metrics\""
        )));
    }
    Ok(())
}

pub(crate) fn invalid(message: String) -> BuildError {
    BuildError::new("prometheus", message)
}

/// A Prometheus scrape endpoint, configured (from
/// [`Prometheus::builder`]): serve it on its own listener with
/// [`serve`](Prometheus::serve), mount it in your own router with
/// [`service`](Prometheus::service), or answer scrapes yourself with
/// [`scrape`](Prometheus::scrape).
#[derive(Clone)]
pub struct Prometheus {
    addr: SocketAddr,
    path: String,
    allowed_hosts: Vec<String>,
    exposition: Exposition,
}

impl fmt::Debug for Prometheus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prometheus")
            .field("addr", &self.addr)
            .field("path", &self.path)
            .field("allowed_hosts", &self.allowed_hosts)
            .field("encoder", &self.exposition.encoder)
            .field("openmetrics", &self.exposition.openmetrics)
            .field("gzip", &self.exposition.gzip)
            .finish()
    }
}

impl Default for Prometheus {
    /// The defaults of [`PrometheusBuilder`], without the environment.
    fn default() -> Prometheus {
        Prometheus {
            addr: DEFAULT_ADDR,
            path: DEFAULT_PATH.to_owned(),
            allowed_hosts: Vec::new(),
            exposition: Exposition::default(),
        }
    }
}

impl Prometheus {
    /// A builder with the defaults (each setter states its own).
    pub fn builder() -> PrometheusBuilder {
        PrometheusBuilder::default()
    }

    /// The address [`serve`](Prometheus::serve) listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The path of the metrics on the built-in listener.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Starts the built-in listener for `sdk`'s metrics on a thread of its
    /// own (`omniscope-prometheus`, with a private single-threaded tokio
    /// runtime: the application needs no runtime), and registers the
    /// process metrics ([`omniscope_sdk::process::register`]) on its meter.
    /// The SDK's own metrics (dropped items, queue lengths…) are on that
    /// meter already, so they are scraped like any other.
    ///
    /// # Errors
    /// The address cannot be bound (in use, or not an address of this
    /// machine), or the thread or its runtime cannot start.
    pub fn serve(&self, sdk: &Sdk) -> Result<Server, ServeError> {
        crate::server::start(
            self.addr,
            self.path.clone(),
            &self.allowed_hosts,
            self.service(sdk),
        )
    }

    /// The endpoint as a `tower` service for `sdk`'s metrics, to mount in
    /// your own axum or hyper router (see [`MetricsService`]). Registers the
    /// process metrics on `sdk`'s meter, as [`serve`](Prometheus::serve) does.
    pub fn service(&self, sdk: &Sdk) -> MetricsService {
        MetricsService::new(self.exposition, Source::of(sdk))
    }

    /// What `sdk`'s meter holds now, rendered for a scraper that sent these
    /// `Accept` and `Accept-Encoding` headers.
    pub fn scrape(&self, sdk: &Sdk, accept: Option<&str>, accept_encoding: Option<&str>) -> Scrape {
        self.scrape_snapshot(
            &sdk.meter().snapshot(),
            sdk.resource(),
            accept,
            accept_encoding,
        )
    }

    /// `snapshot` and `resource`, rendered for a scraper that sent these
    /// `Accept` and `Accept-Encoding` headers (for a meter without an
    /// [`Sdk`]: give it [`SdkMeter::snapshot`](omniscope_sdk::SdkMeter::snapshot)).
    pub fn scrape_snapshot(
        &self,
        snapshot: &MetricsSnapshot,
        resource: &Resource,
        accept: Option<&str>,
        accept_encoding: Option<&str>,
    ) -> Scrape {
        self.exposition
            .scrape(snapshot, resource, accept, accept_encoding)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_are_loopback_9464() {
        let prometheus = Prometheus::builder().build().unwrap();
        assert_eq!(prometheus.addr(), "127.0.0.1:9464".parse().unwrap());
        assert_eq!(prometheus.path(), "/metrics");
        assert_eq!(prometheus.exposition, Exposition::default());
    }

    #[test]
    fn env_fills_what_code_left_unset() {
        let vars = &[
            ("OTEL_EXPORTER_PROMETHEUS_HOST", "::1"),
            ("OTEL_EXPORTER_PROMETHEUS_PORT", "9100"),
            ("OMNISCOPE_PROMETHEUS_OPENMETRICS", "false"),
        ];
        let prometheus = Prometheus::builder()
            .from_env_with(env(vars))
            .build()
            .unwrap();
        assert_eq!(prometheus.addr(), "[::1]:9100".parse().unwrap());
        assert!(!prometheus.exposition.openmetrics);

        let prometheus = Prometheus::builder()
            .with_port(0)
            .with_openmetrics(true)
            .from_env_with(env(vars))
            .build()
            .unwrap();
        assert_eq!(prometheus.addr(), "[::1]:0".parse().unwrap());
        assert!(prometheus.exposition.openmetrics);

        let code = "127.0.0.2:1234".parse().unwrap();
        let prometheus = Prometheus::builder()
            .from_env_with(env(vars))
            .with_addr(code)
            .build()
            .unwrap();
        assert_eq!(prometheus.addr(), code);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let vars = &[
            ("OTEL_EXPORTER_PROMETHEUS_HOST", ""),
            ("OTEL_EXPORTER_PROMETHEUS_PORT", " "),
        ];
        let prometheus = Prometheus::builder()
            .from_env_with(env(vars))
            .build()
            .unwrap();
        assert_eq!(prometheus.addr(), DEFAULT_ADDR);
    }

    #[test]
    fn bad_variables_name_themselves() {
        let cases: [(&'static [(&str, &str)], &str); 4] = [
            (
                &[("OTEL_EXPORTER_PROMETHEUS_PORT", "nine")],
                "OTEL_EXPORTER_PROMETHEUS_PORT=\"nine\" is not a port number",
            ),
            (
                &[("OTEL_EXPORTER_PROMETHEUS_PORT", "70000")],
                "OTEL_EXPORTER_PROMETHEUS_PORT=\"70000\" is not a port number",
            ),
            (
                &[("OTEL_EXPORTER_PROMETHEUS_HOST", "metrics.example.com")],
                "OTEL_EXPORTER_PROMETHEUS_HOST=\"metrics.example.com\" is not an IP address",
            ),
            (
                &[("OMNISCOPE_PROMETHEUS_OPENMETRICS", "maybe")],
                "OMNISCOPE_PROMETHEUS_OPENMETRICS=\"maybe\" is not `true` or `false`",
            ),
        ];
        for (vars, want) in cases {
            let message = Prometheus::builder()
                .from_env_with(env(vars))
                .build()
                .unwrap_err()
                .to_string();
            assert!(message.contains(want), "{message}");
        }
    }

    #[test]
    fn a_public_address_needs_a_decision() {
        let any = "0.0.0.0:9464".parse().unwrap();
        let message = Prometheus::builder()
            .with_addr(any)
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("0.0.0.0:9464 is not a loopback address"),
            "{message}"
        );
        assert!(message.contains("with_public(true)"), "{message}");
        assert!(Prometheus::builder()
            .with_addr(any)
            .with_public(true)
            .build()
            .is_ok());

        // The environment's host is the operator's decision...
        let vars = &[("OTEL_EXPORTER_PROMETHEUS_HOST", "0.0.0.0")];
        let from_env = Prometheus::builder().from_env_with(env(vars)).build();
        assert_eq!(from_env.unwrap().addr(), any);
        // ...unless code said otherwise.
        let message = Prometheus::builder()
            .with_public(false)
            .from_env_with(env(vars))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("OTEL_EXPORTER_PROMETHEUS_HOST=0.0.0.0 is not a loopback address"),
            "{message}"
        );
    }

    #[test]
    fn paths_are_checked() {
        for bad in ["metrics", "/metrics?x=1", "/a b", "/m#x", ""] {
            let message = Prometheus::builder()
                .with_path(bad)
                .build()
                .unwrap_err()
                .to_string();
            assert!(message.contains("is not a plain URL path"), "{message}");
        }
        let prometheus = Prometheus::builder().with_path("/internal/metrics").build();
        assert_eq!(prometheus.unwrap().path(), "/internal/metrics");
    }
}
