//! [`PresentBuilder`]: where the dashboard listens, who may read it, and
//! how much it keeps.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use omniscope_sdk::BuildError;
use omniscope_serve::{check_host_name, check_loopback};

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

/// The shortest bearer token accepted, in characters: 16. Use a random
/// secret of 128 bits or more (32 hex digits, 22 base64 characters).
pub const MIN_TOKEN_LEN: usize = 16;

/// The longest string the dashboard keeps or shows, in bytes, unless
/// [`with_max_string_len`](PresentBuilder::with_max_string_len) says
/// otherwise: 4096.
pub const DEFAULT_MAX_STRING_LEN: usize = 4096;

/// The smallest [`with_max_string_len`](PresentBuilder::with_max_string_len)
/// accepted, in bytes: 64 (room for the `…` and, in a label value, the hash
/// that keeps series apart).
pub const MIN_MAX_STRING_LEN: usize = 64;

/// Configures a [`Present`]. Every setter states its default.
#[must_use]
#[derive(Clone)]
pub struct PresentBuilder {
    addr: SocketAddr,
    public: bool,
    unauthenticated: bool,
    bearer_token: Option<String>,
    allowed_hosts: Vec<String>,
    limits: TraceLimits,
    max_logs: usize,
    max_errors: usize,
    metric_samples: usize,
    sample_interval: Duration,
    max_string_len: usize,
}

impl fmt::Debug for PresentBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentBuilder")
            .field("addr", &self.addr)
            .field("public", &self.public)
            .field("unauthenticated", &self.unauthenticated)
            .field(
                "bearer_token",
                &self.bearer_token.as_ref().map(|_| "<redacted>"),
            )
            .field("allowed_hosts", &self.allowed_hosts)
            .field("limits", &self.limits)
            .field("max_logs", &self.max_logs)
            .field("max_errors", &self.max_errors)
            .field("metric_samples", &self.metric_samples)
            .field("sample_interval", &self.sample_interval)
            .field("max_string_len", &self.max_string_len)
            .finish()
    }
}

impl Default for PresentBuilder {
    fn default() -> PresentBuilder {
        PresentBuilder {
            addr: DEFAULT_ADDR,
            public: false,
            unauthenticated: false,
            bearer_token: None,
            allowed_hosts: Vec::new(),
            limits: TraceLimits {
                max_traces: 200,
                max_slowest: 20,
                max_spans_per_trace: 256,
            },
            max_logs: 2000,
            max_errors: 200,
            metric_samples: 60,
            sample_interval: Duration::from_secs(5),
            max_string_len: DEFAULT_MAX_STRING_LEN,
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
    /// errors, so exposing it to the network must be a decision, and it
    /// then needs a [bearer token](PresentBuilder::with_bearer_token) (or
    /// [`with_unauthenticated_public_access(true)`](PresentBuilder::with_unauthenticated_public_access)).
    /// Default: `false`.
    pub fn with_public(mut self, public: bool) -> PresentBuilder {
        self.public = public;
        self
    }

    /// Serves a non-loopback address without a bearer token: anyone who
    /// reaches the port reads the logs, traces and errors, and starts trace
    /// captures. Only for a network you trust entirely (a container's
    /// private network behind an authenticating proxy, say); without it,
    /// [`build`](PresentBuilder::build) refuses a public address without a
    /// token. Default: `false`.
    pub fn with_unauthenticated_public_access(mut self, allow: bool) -> PresentBuilder {
        self.unauthenticated = allow;
        self
    }

    /// Requires `Authorization: Bearer <token>` (the scheme in any case) on
    /// the JSON API and `/metrics`; the page itself holds no data and asks
    /// for the token. At least [`MIN_TOKEN_LEN`] (16) printable ASCII
    /// characters: use a random secret of 128 bits or more (32 hex
    /// digits). Required for a non-loopback address. Default: none.
    pub fn with_bearer_token(mut self, token: impl Into<String>) -> PresentBuilder {
        self.bearer_token = Some(token.into());
        self
    }

    /// Serves requests whose `Host` header names `name` (a DNS name, with
    /// any port), besides `localhost` and IP addresses: give the names
    /// browsers use to reach an exposed dashboard. Other names are answered
    /// `421`, so that no web site can read the dashboard through a name it
    /// points at this machine (DNS rebinding). Can be called more than
    /// once. Default: none.
    pub fn with_allowed_host(mut self, name: impl Into<String>) -> PresentBuilder {
        self.allowed_hosts.push(name.into());
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

    /// The longest string kept or shown, in bytes (at least
    /// [`MIN_MAX_STRING_LEN`]): span names, attribute keys and values, log
    /// messages and fields, error messages and backtraces, metric label
    /// values. A longer one is cut at a character boundary and ends with
    /// `…` (a label value also with 16 hex digits of a hash of the whole
    /// value, so that series stay apart), within the limit. Default:
    /// [`DEFAULT_MAX_STRING_LEN`], 4096.
    pub fn with_max_string_len(mut self, bytes: usize) -> PresentBuilder {
        self.max_string_len = bytes;
        self
    }

    /// Checks the configuration and makes the stores (nothing listens yet:
    /// see [`Present::serve`]).
    ///
    /// # Errors
    /// A non-loopback address without [`with_public(true)`](PresentBuilder::with_public),
    /// or without a bearer token (unless
    /// [`with_unauthenticated_public_access(true)`](PresentBuilder::with_unauthenticated_public_access));
    /// a bearer token shorter than [`MIN_TOKEN_LEN`] or not printable
    /// ASCII; an allowed host that is not a host name; a zero sample
    /// interval; a maximum string length below [`MIN_MAX_STRING_LEN`].
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
        } else if !self.addr.ip().is_loopback() && !self.unauthenticated {
            return Err(BuildError::new(
                "dashboard",
                format!(
                    "the dashboard would listen on {} without a bearer token, and anyone \
                     reaching it would read the logs, traces and errors: call \
                     with_bearer_token with a random secret of at least {MIN_TOKEN_LEN} \
                     characters, or listen on 127.0.0.1 (on a network you trust entirely, \
                     with_unauthenticated_public_access(true) serves it without one)",
                    self.addr
                ),
            ));
        }
        for name in &self.allowed_hosts {
            check_host_name(name)
                .map_err(|bad| BuildError::new("dashboard", format!("with_allowed_host: {bad}")))?;
        }
        if self.sample_interval.is_zero() {
            return Err(BuildError::new(
                "dashboard",
                "the metric sample interval is zero: give with_sample_interval a positive duration",
            ));
        }
        if self.max_string_len < MIN_MAX_STRING_LEN {
            return Err(BuildError::new(
                "dashboard",
                format!(
                    "with_max_string_len({}) is too short: give at least {MIN_MAX_STRING_LEN} bytes",
                    self.max_string_len
                ),
            ));
        }
        let state = State {
            traces: Mutex::new(TraceStore::new(self.limits)),
            logs: Mutex::new(Ring::new(self.max_logs)),
            errors: Mutex::new(Ring::new(self.max_errors)),
            captures: Captures::default(),
            history: Mutex::new(MetricHistory::new(self.metric_samples, MAX_HISTORY_SERIES)),
            started: SystemTime::now(),
            max_string_len: self.max_string_len,
            strings_truncated: AtomicU64::new(0),
        };
        Ok(Present::new(
            Arc::new(state),
            ServerConfig {
                addr: self.addr,
                bearer_token: self.bearer_token,
                allowed_hosts: self.allowed_hosts,
                sample_interval: self.sample_interval,
            },
        ))
    }
}

/// A token must be long enough not to be guessed, and sendable as-is in an
/// `Authorization` header. The messages never show it.
fn check_token(token: &str) -> Result<(), BuildError> {
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(BuildError::new(
            "dashboard",
            "the bearer token has spaces, control or non-ASCII characters: \
             use printable ASCII only (e.g. a hex or base64 secret)",
        ));
    }
    if token.len() < MIN_TOKEN_LEN {
        return Err(BuildError::new(
            "dashboard",
            format!(
                "the bearer token is only {} characters long: give with_bearer_token at \
                 least {MIN_TOKEN_LEN} characters of a random secret (32 hex digits make 128 bits)",
                token.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_address_needs_the_opt_in_and_a_token() {
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
        let public = PresentBuilder::default().with_addr(addr).with_public(true);
        let err = public.clone().build().unwrap_err().to_string();
        assert!(err.contains("without a bearer token"), "{err}");
        assert!(
            err.contains("with_unauthenticated_public_access(true)"),
            "{err}"
        );
        let token = "0123456789abcdef";
        assert!(public.clone().with_bearer_token(token).build().is_ok());
        assert!(public
            .with_unauthenticated_public_access(true)
            .build()
            .is_ok());
        let v6: SocketAddr = "[::1]:0".parse().unwrap();
        assert!(PresentBuilder::default().with_addr(v6).build().is_ok());
    }

    #[test]
    fn bad_tokens_hosts_intervals_and_lengths_are_refused() {
        for bad in [
            "",
            "short",
            "0123456789abcde",
            "has space 0123456789",
            "tab\t0123456789abcdef",
            "é0123456789abcdef",
        ] {
            let err = PresentBuilder::default()
                .with_bearer_token(bad)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("bearer token"), "{err}");
        }
        let err = PresentBuilder::default()
            .with_allowed_host("dash.example/")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("with_allowed_host"), "{err}");
        let err = PresentBuilder::default()
            .with_sample_interval(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("sample interval"), "{err}");
        let err = PresentBuilder::default()
            .with_max_string_len(MIN_MAX_STRING_LEN - 1)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("with_max_string_len(63)"), "{err}");
    }

    #[test]
    fn debug_hides_the_token() {
        let b = PresentBuilder::default().with_bearer_token("s3cret");
        assert!(!format!("{b:?}").contains("s3cret"));
    }
}
