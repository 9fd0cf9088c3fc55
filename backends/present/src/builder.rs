//! [`PresentBuilder`]: where the dashboard listens, who may read it, and
//! how much it keeps.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use omniscope_sdk::BuildError;
use omniscope_serve::check_loopback;

use crate::capture::Captures;
use crate::history::MetricHistory;
use crate::present::{Present, ServerConfig};
use crate::state::State;
use crate::store::{Ring, TraceLimits, TraceStore};

/// The default address: loopback only, port 9000.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 9000);

/// At most this many metric series have recent values kept.
pub const MAX_HISTORY_SERIES: usize = 4096;

/// Configures a [`Present`]. Every setter states its default.
#[must_use]
#[derive(Clone)]
pub struct PresentBuilder {
    addr: SocketAddr,
    public: bool,
    bearer_token: Option<String>,
    limits: TraceLimits,
    max_logs: usize,
    max_errors: usize,
    metric_samples: usize,
    sample_interval: Duration,
}

impl fmt::Debug for PresentBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentBuilder")
            .field("addr", &self.addr)
            .field("public", &self.public)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("limits", &self.limits)
            .field("max_logs", &self.max_logs)
            .field("max_errors", &self.max_errors)
            .field("metric_samples", &self.metric_samples)
            .field("sample_interval", &self.sample_interval)
            .finish()
    }
}

impl Default for PresentBuilder {
    fn default() -> PresentBuilder {
        PresentBuilder {
            addr: DEFAULT_ADDR,
            public: false,
            bearer_token: None,
            limits: TraceLimits {
                max_traces: 200,
                max_slowest: 20,
                max_spans_per_trace: 256,
            },
            max_logs: 2000,
            max_errors: 200,
            metric_samples: 60,
            sample_interval: Duration::from_secs(5),
        }
    }
}

impl PresentBuilder {
    /// The address to listen on. Default: [`DEFAULT_ADDR`], `127.0.0.1:9000`.
    /// Port 0 picks a free port ([`Server::local_addr`](crate::Server::local_addr)
    /// tells which). A non-loopback address also needs
    /// [`with_public(true)`](PresentBuilder::with_public).
    pub fn with_addr(mut self, addr: SocketAddr) -> PresentBuilder {
        self.addr = addr;
        self
    }

    /// Allows a non-loopback address: the dashboard shows logs, traces and
    /// errors, so exposing it to the network must be a decision. Set a
    /// bearer token too. Default: `false`.
    pub fn with_public(mut self, public: bool) -> PresentBuilder {
        self.public = public;
        self
    }

    /// Requires `Authorization: Bearer <token>` on the JSON API and
    /// `/metrics` (the page itself holds no data and asks for the token).
    /// Default: none.
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> PresentBuilder {
        self.bearer_token = Some(token.into());
        self
    }

    /// How many of the most recent traces are kept. Default: 200.
    pub fn with_max_traces(mut self, n: usize) -> PresentBuilder {
        self.limits.max_traces = n;
        self
    }

    /// How many of the slowest traces (by root duration) are kept besides
    /// the recent ones. Default: 20.
    pub fn with_max_slowest_traces(mut self, n: usize) -> PresentBuilder {
        self.limits.max_slowest = n;
        self
    }

    /// How many spans of one trace are kept; later spans are counted and
    /// dropped (the root always finds room). Default: 256.
    pub fn with_max_spans_per_trace(mut self, n: usize) -> PresentBuilder {
        self.limits.max_spans_per_trace = n;
        self
    }

    /// How many of the most recent log records are kept. Default: 2000.
    pub fn with_max_logs(mut self, n: usize) -> PresentBuilder {
        self.max_logs = n;
        self
    }

    /// How many of the most recent errors are kept. Default: 200.
    pub fn with_max_errors(mut self, n: usize) -> PresentBuilder {
        self.max_errors = n;
        self
    }

    /// How many recent values are kept per metric series (of at most
    /// [`MAX_HISTORY_SERIES`] series). Default: 60.
    pub fn with_metric_samples(mut self, n: usize) -> PresentBuilder {
        self.metric_samples = n;
        self
    }

    /// How often the server samples every metric for the recent values.
    /// Default: 5 s.
    pub fn with_sample_interval(mut self, interval: Duration) -> PresentBuilder {
        self.sample_interval = interval;
        self
    }

    /// Checks the configuration and makes the stores (nothing listens yet:
    /// see [`Present::serve`]).
    ///
    /// # Errors
    /// A non-loopback address without [`with_public(true)`](PresentBuilder::with_public),
    /// an empty or malformed bearer token, or a zero sample interval.
    pub fn build(self) -> Result<Present, BuildError> {
        check_loopback(self.addr, self.public).map_err(|refused| {
            BuildError::new(
                "dashboard",
                format!(
                    "{refused}, and the dashboard shows logs, traces and errors: \
                     call with_public(true) to expose it (and set with_bearer_token), \
                     or listen on 127.0.0.1"
                ),
            )
        })?;
        if let Some(token) = &self.bearer_token {
            check_token(token)?;
        }
        if self.sample_interval.is_zero() {
            return Err(BuildError::new(
                "dashboard",
                "the metric sample interval is zero: give with_sample_interval a positive duration",
            ));
        }
        let state = State {
            traces: Mutex::new(TraceStore::new(self.limits)),
            logs: Mutex::new(Ring::new(self.max_logs)),
            errors: Mutex::new(Ring::new(self.max_errors)),
            captures: Captures::default(),
            history: Mutex::new(MetricHistory::new(self.metric_samples, MAX_HISTORY_SERIES)),
            started: SystemTime::now(),
        };
        Ok(Present::new(
            Arc::new(state),
            ServerConfig {
                addr: self.addr,
                bearer_token: self.bearer_token,
                sample_interval: self.sample_interval,
            },
        ))
    }
}

/// A token must be sendable as-is in an `Authorization` header.
fn check_token(token: &str) -> Result<(), BuildError> {
    if token.is_empty() {
        return Err(BuildError::new(
            "dashboard",
            "the bearer token is empty: give with_bearer_token a secret, or do not call it",
        ));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BuildError::new(
            "dashboard",
            "the bearer token has spaces, control or non-ASCII characters: \
             use printable ASCII only (e.g. a hex or base64 secret)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_address_needs_the_opt_in() {
        let addr: SocketAddr = "0.0.0.0:9000".parse().unwrap();
        let err = PresentBuilder::default()
            .with_addr(addr)
            .build()
            .unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("0.0.0.0:9000 is not a loopback address"),
            "{message}"
        );
        assert!(message.contains("with_public(true)"), "{message}");
        assert!(PresentBuilder::default()
            .with_addr(addr)
            .with_public(true)
            .build()
            .is_ok());
        let v6: SocketAddr = "[::1]:0".parse().unwrap();
        assert!(PresentBuilder::default().with_addr(v6).build().is_ok());
    }

    #[test]
    fn bad_tokens_and_intervals_are_refused() {
        for bad in ["", "has space", "tab\t", "é"] {
            let err = PresentBuilder::default()
                .with_bearer_token(bad)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("bearer token"), "{err}");
        }
        let err = PresentBuilder::default()
            .with_sample_interval(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("sample interval"), "{err}");
    }

    #[test]
    fn debug_hides_the_token() {
        let b = PresentBuilder::default().with_bearer_token("s3cret");
        assert!(!format!("{b:?}").contains("s3cret"));
    }
}
