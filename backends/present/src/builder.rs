//! [`PresentBuilder`]: where the dashboard listens, who may read it, and
//! how much it keeps.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::BuildError;
use omniscope_serve::{check_host_name, check_loopback};

use crate::capture::Captures;
use crate::history::MetricHistory;
use crate::present::{Present, ServerConfig};
use crate::state::State;
use crate::store::{ErrorGroups, Pinned, Ring, TraceLimits, TraceStore};

/// The default address: loopback only, port 9000.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 9000);

/// Where [`Present::serve_otlp`](crate::Present::serve_otlp) listens
/// unless [`PresentBuilder::with_otlp_addr`] or [`OTLP_ADDR_ENV`] say
/// otherwise: OTLP/HTTP's port on loopback, `127.0.0.1:4318`.
pub const DEFAULT_OTLP_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 4318);

/// The variable [`PresentBuilder::from_env`] reads for the address when
/// code sets none: `127.0.0.1:9001`, `[::1]:9001` or `localhost:9001`.
pub const ADDR_ENV: &str = "OMNISCOPE_DASHBOARD_ADDR";

/// The variable [`PresentBuilder::from_env`] reads to turn the OTLP/HTTP
/// receiver on when code did not: where it listens, `127.0.0.1:4318`
/// (same forms as [`ADDR_ENV`]). Unset: off.
pub const OTLP_ADDR_ENV: &str = "OMNISCOPE_DASHBOARD_OTLP_ADDR";

/// At most this many metric series have recent values kept.
pub const MAX_HISTORY_SERIES: usize = 4096;

/// At most this many error groups (by type and site) are counted; errors
/// of further groups are counted as ungrouped.
pub const MAX_ERROR_GROUPS: usize = 500;

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
    /// The address from code; `None`: [`ADDR_ENV`] when read, else
    /// [`DEFAULT_ADDR`].
    addr: Option<SocketAddr>,
    /// [`ADDR_ENV`] as read by `from_env` (`None`: unset or not read).
    env_addr: Option<Result<String, EnvError>>,
    public: bool,
    unauthenticated: bool,
    bearer_token: Option<String>,
    allowed_hosts: Vec<String>,
    limits: TraceLimits,
    max_logs: usize,
    max_errors: usize,
    max_pinned_logs: usize,
    max_pinned_errors: usize,
    metric_samples: usize,
    sample_interval: Duration,
    max_string_len: usize,
    otlp_addr: Option<SocketAddr>,
    env_otlp_addr: Option<Result<String, EnvError>>,
}

impl fmt::Debug for PresentBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentBuilder")
            .field("addr", &self.addr)
            .field("env_addr", &self.env_addr)
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
            .field("max_pinned_logs", &self.max_pinned_logs)
            .field("max_pinned_errors", &self.max_pinned_errors)
            .field("metric_samples", &self.metric_samples)
            .field("sample_interval", &self.sample_interval)
            .field("max_string_len", &self.max_string_len)
            .field("otlp_addr", &self.otlp_addr)
            .field("env_otlp_addr", &self.env_otlp_addr)
            .finish()
    }
}

impl Default for PresentBuilder {
    fn default() -> PresentBuilder {
        PresentBuilder {
            addr: None,
            env_addr: None,
            public: false,
            unauthenticated: false,
            bearer_token: None,
            allowed_hosts: Vec::new(),
            limits: TraceLimits {
                max_traces: 200,
                max_slowest: 20,
                max_failed: 20,
                max_spans_per_trace: 256,
            },
            max_logs: 2000,
            max_errors: 200,
            max_pinned_logs: 2000,
            max_pinned_errors: 200,
            metric_samples: 60,
            sample_interval: Duration::from_secs(5),
            max_string_len: DEFAULT_MAX_STRING_LEN,
            otlp_addr: None,
            env_otlp_addr: None,
        }
    }
}

impl PresentBuilder {
    /// The address to listen on. Default: [`ADDR_ENV`]
    /// (`OMNISCOPE_DASHBOARD_ADDR`) when [`from_env`](PresentBuilder::from_env)
    /// read it, else [`DEFAULT_ADDR`], `127.0.0.1:9000`. Port 0 picks a free
    /// port ([`Server::local_addr`](crate::Server::local_addr) tells which).
    /// A non-loopback address also needs
    /// [`with_public(true)`](PresentBuilder::with_public).
    pub fn with_addr(mut self, addr: SocketAddr) -> PresentBuilder {
        self.addr = Some(addr);
        self
    }

    /// Reads [`ADDR_ENV`] (`OMNISCOPE_DASHBOARD_ADDR`: `127.0.0.1:9001`,
    /// `[::1]:9001` or `localhost:9001`) now, for the address if code sets
    /// none. An empty or blank value counts as unset; any other value that
    /// is not an address and port (or is not UTF-8) makes
    /// [`build`](PresentBuilder::build) fail with an error naming the
    /// variable and the value. A non-loopback address still needs
    /// [`with_public(true)`](PresentBuilder::with_public) and a token, in
    /// code: the dashboard shows logs, traces and errors.
    pub fn from_env(self) -> PresentBuilder {
        self.read_env(&env::var)
    }

    /// [`from_env`](PresentBuilder::from_env) with the variables of `lookup`
    /// (read now) instead of the process environment.
    pub fn from_env_with(self, lookup: impl Fn(&str) -> Option<String>) -> PresentBuilder {
        self.read_env(&env::infallible(lookup))
    }

    fn read_env(mut self, lookup: Lookup<'_>) -> PresentBuilder {
        self.env_addr = env::get(lookup, ADDR_ENV).transpose();
        self.env_otlp_addr = env::get(lookup, OTLP_ADDR_ENV).transpose();
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

    /// How many of the latest traces with an error span are kept besides
    /// the recent and slowest ones. Default: 20.
    pub fn with_max_failed_traces(mut self, n: usize) -> PresentBuilder {
        self.limits.max_failed = n;
        self
    }

    /// How many spans of one trace are kept. Past it, the root always
    /// finds room, and a span takes the place of the shortest error-free
    /// one if it is slower or failed; the others are counted as dropped.
    /// Default: 256.
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

    /// How many log records of the traces kept as slowest or failed are
    /// kept once the recent ones ([`with_max_logs`](PresentBuilder::with_max_logs))
    /// have moved past them, so a kept trace still shows its logs; when
    /// full, those of traces no longer kept make room, else newer ones are
    /// dropped. Default: 2000.
    pub fn with_max_pinned_logs(mut self, n: usize) -> PresentBuilder {
        self.max_pinned_logs = n;
        self
    }

    /// Like [`with_max_pinned_logs`](PresentBuilder::with_max_pinned_logs),
    /// for errors. Default: 200.
    pub fn with_max_pinned_errors(mut self, n: usize) -> PresentBuilder {
        self.max_pinned_errors = n;
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

    /// Turns the OTLP/HTTP receiver on, listening on `addr`: the kit then
    /// starts it with the dashboard (without the kit, call
    /// [`Present::serve_otlp`](crate::Present::serve_otlp)). Default: off,
    /// unless [`OTLP_ADDR_ENV`] (`OMNISCOPE_DASHBOARD_OTLP_ADDR`) was read
    /// by [`from_env`](PresentBuilder::from_env); `serve_otlp` then listens
    /// on [`DEFAULT_OTLP_ADDR`], `127.0.0.1:4318`. Port 0 picks a free port.
    /// A non-loopback address needs
    /// [`with_public(true)`](PresentBuilder::with_public) and a
    /// [bearer token](PresentBuilder::with_bearer_token), which senders
    /// must then give (`OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20…`).
    pub fn with_otlp_addr(mut self, addr: SocketAddr) -> PresentBuilder {
        self.otlp_addr = Some(addr);
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
    /// interval; a maximum string length below [`MIN_MAX_STRING_LEN`]; an
    /// OTLP address beyond loopback without `with_public(true)` and a
    /// bearer token.
    pub fn build(self) -> Result<Present, BuildError> {
        let addr = self.resolve_addr()?;
        check_loopback(addr, self.public).map_err(|refused| {
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
        } else if !addr.ip().is_loopback() && !self.unauthenticated {
            return Err(BuildError::new(
                "dashboard",
                format!(
                    "the dashboard would listen on {} without a bearer token, and anyone \
                     reaching it would read the logs, traces and errors: call \
                     with_bearer_token with a random secret of at least {MIN_TOKEN_LEN} \
                     characters, or listen on 127.0.0.1 (on a network you trust entirely, \
                     with_unauthenticated_public_access(true) serves it without one)",
                    addr
                ),
            ));
        }
        let otlp_on = self.resolve_otlp_addr()?;
        let otlp_addr = otlp_on.unwrap_or(DEFAULT_OTLP_ADDR);
        check_loopback(otlp_addr, self.public).map_err(|refused| {
            BuildError::new(
                "dashboard",
                format!(
                    "with_otlp_addr: {refused}, and anyone reaching it could add spans and logs \
                     to the dashboard: call with_public(true) and with_bearer_token to expose \
                     it, or listen on 127.0.0.1"
                ),
            )
        })?;
        if !otlp_addr.ip().is_loopback() && self.bearer_token.is_none() {
            return Err(BuildError::new(
                "dashboard",
                format!(
                    "the OTLP receiver would listen on {} without a bearer token: call \
                     with_bearer_token (senders then give it), or listen on 127.0.0.1",
                    otlp_addr
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
            pinned_logs: Mutex::new(Pinned::new(self.max_pinned_logs)),
            pinned_errors: Mutex::new(Pinned::new(self.max_pinned_errors)),
            error_groups: Mutex::new(ErrorGroups::new(MAX_ERROR_GROUPS)),
            captures: Captures::default(),
            history: Mutex::new(MetricHistory::new(self.metric_samples, MAX_HISTORY_SERIES)),
            started: SystemTime::now(),
            max_string_len: self.max_string_len,
            strings_truncated: AtomicU64::new(0),
            otlp_accepted: AtomicU64::new(0),
            otlp_refused: AtomicU64::new(0),
        };
        Ok(Present::new(
            Arc::new(state),
            ServerConfig {
                addr,
                bearer_token: self.bearer_token,
                allowed_hosts: self.allowed_hosts,
                sample_interval: self.sample_interval,
                otlp_addr,
                otlp_on: otlp_on.is_some(),
            },
        ))
    }
}

impl PresentBuilder {
    /// The address from code, else from the environment, else the default.
    fn resolve_addr(&self) -> Result<SocketAddr, BuildError> {
        match (self.addr, &self.env_addr) {
            (Some(code), _) => Ok(code),
            (None, Some(Err(unreadable))) => {
                Err(BuildError::new("dashboard", unreadable.to_string()))
            }
            (None, Some(Ok(value))) => parse_addr(ADDR_ENV, value),
            (None, None) => Ok(DEFAULT_ADDR),
        }
    }

    /// The OTLP receiver's address from code, else from the environment;
    /// `None`: the receiver is off.
    fn resolve_otlp_addr(&self) -> Result<Option<SocketAddr>, BuildError> {
        match (self.otlp_addr, &self.env_otlp_addr) {
            (Some(code), _) => Ok(Some(code)),
            (None, Some(Err(unreadable))) => {
                Err(BuildError::new("dashboard", unreadable.to_string()))
            }
            (None, Some(Ok(value))) => parse_addr(OTLP_ADDR_ENV, value).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// An address and port from the variable `var` ([`ADDR_ENV`],
/// [`OTLP_ADDR_ENV`]): an IP address (IPv6 in brackets) or `localhost`,
/// which is `127.0.0.1`. Host names are not resolved: listening needs an
/// address of this machine.
fn parse_addr(var: &str, value: &str) -> Result<SocketAddr, BuildError> {
    let trimmed = value.trim();
    let localhost = trimmed
        .strip_prefix("localhost:")
        .map(|port| format!("127.0.0.1:{port}"));
    let port_is_digits = trimmed
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()));
    match localhost.as_deref().unwrap_or(trimmed).parse() {
        Ok(addr) if port_is_digits => Ok(addr),
        _ => Err(BuildError::new(
            "dashboard",
            format!(
                "{var}=`{value}` is not an address to listen on: give an IP address and \
                 a port, such as 127.0.0.1:9001, [::1]:9001 or localhost:9001 (port 0 picks a \
                 free one)"
            ),
        )),
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

    /// Issue #12: the address can come from `OMNISCOPE_DASHBOARD_ADDR`.
    #[test]
    fn the_address_from_the_environment() {
        let env = |value: &'static str| {
            PresentBuilder::default().from_env_with(move |v| (v == ADDR_ENV).then(|| value.into()))
        };
        let addr = |b: PresentBuilder| b.resolve_addr();
        assert_eq!(addr(env("[::1]:9001")), Ok("[::1]:9001".parse().unwrap()));
        assert_eq!(
            addr(env(" localhost:9001 ")),
            Ok("127.0.0.1:9001".parse().unwrap())
        );
        assert_eq!(addr(env("")), Ok(DEFAULT_ADDR));
        let code = "127.0.0.1:9002".parse().unwrap();
        assert_eq!(addr(env("127.0.0.1:9001").with_addr(code)), Ok(code));
        for bad in [
            "9001",
            "127.0.0.1",
            "127.0.0.1:+1",
            "127.0.0.1:65536",
            "host:1",
        ] {
            let message = addr(env(bad)).unwrap_err().to_string();
            assert!(
                message.contains(&format!("{ADDR_ENV}=`{bad}`")),
                "{message}"
            );
        }
    }

    /// Issue #18: the OTLP receiver is off unless code or
    /// `OMNISCOPE_DASHBOARD_OTLP_ADDR` turns it on; code wins.
    #[test]
    fn the_otlp_receiver_is_off_unless_turned_on() {
        let env = |value: &'static str| {
            PresentBuilder::default()
                .from_env_with(move |v| (v == OTLP_ADDR_ENV).then(|| value.into()))
        };
        let otlp = |b: PresentBuilder| b.build().map(|p| p.otlp_addr());
        assert_eq!(otlp(PresentBuilder::default()), Ok(None));
        assert_eq!(otlp(env("")), Ok(None));
        let on = "127.0.0.1:4319".parse().unwrap();
        assert_eq!(otlp(env("127.0.0.1:4319")), Ok(Some(on)));
        let code = "127.0.0.1:4320".parse().unwrap();
        assert_eq!(
            otlp(env("127.0.0.1:4319").with_otlp_addr(code)),
            Ok(Some(code))
        );
        let message = otlp(env("4319")).unwrap_err().to_string();
        assert!(
            message.contains("OMNISCOPE_DASHBOARD_OTLP_ADDR=`4319`"),
            "{message}"
        );
        let public = otlp(env("0.0.0.0:4318")).unwrap_err().to_string();
        assert!(public.contains("with_public(true)"), "{public}");
    }

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
