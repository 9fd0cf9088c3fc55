//! The environment variables, read by
//! [`StatsdBuilder::from_env`](crate::StatsdBuilder::from_env) and parsed
//! by `build`, so that a bad value is an error naming the variable and the
//! value.

use std::path::PathBuf;

use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::BuildError;

use crate::encode::{Flavor, HistogramAs};
use crate::transport::Endpoint;

/// The plain statsd daemon's host (an IP address or a name).
pub const STATSD_HOST_ENV: &str = "STATSD_HOST";
/// The plain statsd daemon's UDP port.
pub const STATSD_PORT_ENV: &str = "STATSD_PORT";
/// The Datadog agent's host (Datadog's variable); wins over `STATSD_HOST`.
pub const DD_AGENT_HOST_ENV: &str = "DD_AGENT_HOST";
/// The Datadog agent's DogStatsD port; wins over `STATSD_PORT`.
pub const DD_DOGSTATSD_PORT_ENV: &str = "DD_DOGSTATSD_PORT";
/// Where DogStatsD listens, as a URL: `udp://host:port`,
/// `unix:///path` or `unixgram:///path` (datagram), `unixstream:///path`;
/// wins over the host and port variables.
pub const DD_DOGSTATSD_URL_ENV: &str = "DD_DOGSTATSD_URL";
/// `statsd` or `dogstatsd` (omniscope's variable). Unset: `dogstatsd` when
/// a `DD_` variable above is set, else `statsd`.
pub const FLAVOR_ENV: &str = "OMNISCOPE_STATSD_FLAVOR";
/// `timer`, `histogram` or `distribution` (omniscope's variable).
pub const HISTOGRAM_ENV: &str = "OMNISCOPE_STATSD_HISTOGRAM";
/// A prefix for every metric name (omniscope's variable).
pub const PREFIX_ENV: &str = "OMNISCOPE_STATSD_PREFIX";

/// The default port of statsd and DogStatsD.
pub const DEFAULT_PORT: u16 = 8125;
/// The default host.
pub const DEFAULT_HOST: &str = "127.0.0.1";

/// The raw values found; `None` for a variable unset or blank.
#[derive(Clone, Debug, Default)]
pub(crate) struct EnvValues {
    values: Vec<(&'static str, String)>,
    /// The first variable whose value is not UTF-8: it fails the build.
    unreadable: Option<EnvError>,
}

/// What the environment says, parsed.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub(crate) flavor: Option<Flavor>,
    pub(crate) endpoint: Option<Endpoint>,
    pub(crate) histograms: Option<HistogramAs>,
    pub(crate) prefix: Option<String>,
}

impl EnvValues {
    pub(crate) fn read(lookup: Lookup<'_>) -> EnvValues {
        let mut out = EnvValues::default();
        for name in [
            STATSD_HOST_ENV,
            STATSD_PORT_ENV,
            DD_AGENT_HOST_ENV,
            DD_DOGSTATSD_PORT_ENV,
            DD_DOGSTATSD_URL_ENV,
            FLAVOR_ENV,
            HISTOGRAM_ENV,
            PREFIX_ENV,
        ] {
            match env::get(lookup, name) {
                Ok(Some(v)) => out.values.push((name, v)),
                Ok(None) => {}
                Err(e) => {
                    out.unreadable.get_or_insert(e);
                }
            }
        }
        out
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.trim())
    }

    pub(crate) fn parse(&self) -> Result<Parsed, BuildError> {
        if let Some(e) = &self.unreadable {
            return Err(invalid(e.to_string()));
        }
        let flavor = match self.get(FLAVOR_ENV) {
            Some(v) => Some(Flavor::from_name(v).ok_or_else(|| {
                bad(
                    FLAVOR_ENV,
                    v,
                    "not a statsd flavour: use statsd or dogstatsd",
                )
            })?),
            None => [
                DD_AGENT_HOST_ENV,
                DD_DOGSTATSD_PORT_ENV,
                DD_DOGSTATSD_URL_ENV,
            ]
            .iter()
            .any(|n| self.get(n).is_some())
            .then_some(Flavor::DogStatsd),
        };
        let histograms = match self.get(HISTOGRAM_ENV) {
            Some(v) => Some(HistogramAs::from_name(v).ok_or_else(|| {
                bad(
                    HISTOGRAM_ENV,
                    v,
                    "not a histogram mode: use timer, histogram or distribution",
                )
            })?),
            None => None,
        };
        let endpoint = match self.get(DD_DOGSTATSD_URL_ENV) {
            Some(url) => Some(parse_url(url)?),
            None => {
                let host = self.get(DD_AGENT_HOST_ENV).map(|h| (DD_AGENT_HOST_ENV, h));
                let host = host.or(self.get(STATSD_HOST_ENV).map(|h| (STATSD_HOST_ENV, h)));
                let port = self
                    .get(DD_DOGSTATSD_PORT_ENV)
                    .map(|p| (DD_DOGSTATSD_PORT_ENV, p));
                let port = port.or(self.get(STATSD_PORT_ENV).map(|p| (STATSD_PORT_ENV, p)));
                if host.is_none() && port.is_none() {
                    None
                } else {
                    let host = match host {
                        Some((name, h)) => parse_host(name, h)?,
                        None => DEFAULT_HOST.to_owned(),
                    };
                    let port = match port {
                        Some((name, p)) => parse_port(name, p)?,
                        None => DEFAULT_PORT,
                    };
                    Some(Endpoint::Udp { host, port })
                }
            }
        };
        Ok(Parsed {
            flavor,
            endpoint,
            histograms,
            prefix: self.get(PREFIX_ENV).map(str::to_owned),
        })
    }
}

pub(crate) fn invalid(message: impl Into<String>) -> BuildError {
    BuildError::new("statsd", message)
}

fn bad(name: &str, value: &str, problem: &str) -> BuildError {
    invalid(format!("{name}={value:?} is {problem}"))
}

/// A host name or IP address: no scheme, port, path or blanks.
fn parse_host(name: &str, value: &str) -> Result<String, BuildError> {
    let bare = value.trim_start_matches('[').trim_end_matches(']');
    let ip = bare.parse::<std::net::IpAddr>().is_ok();
    let hostname = !bare.is_empty()
        && bare.len() <= 253
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if ip || hostname {
        Ok(bare.to_owned())
    } else {
        Err(bad(
            name,
            value,
            "not a host name or IP address: give one such as 127.0.0.1 or statsd.internal",
        ))
    }
}

/// Digits only, 1 to 65535.
fn parse_port(name: &str, value: &str) -> Result<u16, BuildError> {
    let port = match value.bytes().all(|b| b.is_ascii_digit()) {
        true => value.parse::<u16>().ok().filter(|p| *p != 0),
        false => None,
    };
    port.ok_or_else(|| {
        bad(
            name,
            value,
            "not a port number: give 1 to 65535 (default 8125)",
        )
    })
}

/// `udp://host:port`, `unix:///path`, `unixgram:///path`,
/// `unixstream:///path`.
fn parse_url(value: &str) -> Result<Endpoint, BuildError> {
    let name = DD_DOGSTATSD_URL_ENV;
    let path = |rest: &str| -> Result<PathBuf, BuildError> {
        if rest.starts_with('/') {
            Ok(PathBuf::from(rest))
        } else {
            Err(bad(
                name,
                value,
                "not a socket path: write unix:///absolute/path",
            ))
        }
    };
    if let Some(rest) = value.strip_prefix("unixstream://") {
        return Ok(Endpoint::UnixStream(path(rest)?));
    }
    if let Some(rest) = value
        .strip_prefix("unixgram://")
        .or_else(|| value.strip_prefix("unix://"))
    {
        return Ok(Endpoint::UnixDatagram(path(rest)?));
    }
    if let Some(rest) = value.strip_prefix("udp://") {
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.is_empty() && (!h.contains(':') || h.ends_with(']')) => (h, p),
            _ => {
                return Err(bad(
                    name,
                    value,
                    "not a UDP address: write udp://host:port, such as udp://127.0.0.1:8125",
                ))
            }
        };
        return Ok(Endpoint::Udp {
            host: parse_host(name, host)?,
            port: parse_port(name, port)?,
        });
    }
    Err(bad(
        name,
        value,
        "not a DogStatsD URL: use udp://host:port, unix:///path, unixgram:///path or unixstream:///path",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(vars: &[(&str, &str)]) -> Result<Parsed, BuildError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = env::infallible(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        });
        EnvValues::read(&lookup).parse()
    }

    #[test]
    fn dogstatsd_url_schemes() {
        let p = parse(&[("DD_DOGSTATSD_URL", "unix:///run/dsd.sock")]).unwrap();
        assert_eq!(
            p.endpoint,
            Some(Endpoint::UnixDatagram("/run/dsd.sock".into()))
        );
        assert_eq!(p.flavor, Some(Flavor::DogStatsd));
        let p = parse(&[("DD_DOGSTATSD_URL", "unixstream:///s")]).unwrap();
        assert_eq!(p.endpoint, Some(Endpoint::UnixStream("/s".into())));
        let p = parse(&[("DD_DOGSTATSD_URL", "udp://[::1]:9125")]).unwrap();
        assert_eq!(
            p.endpoint,
            Some(Endpoint::Udp {
                host: "::1".into(),
                port: 9125
            })
        );
    }

    #[test]
    fn host_and_port_fall_back_to_statsd_variables() {
        let p = parse(&[
            ("STATSD_HOST", "statsd.internal"),
            ("DD_DOGSTATSD_PORT", "9000"),
        ])
        .unwrap();
        assert_eq!(
            p.endpoint,
            Some(Endpoint::Udp {
                host: "statsd.internal".into(),
                port: 9000
            })
        );
        assert_eq!(p.flavor, Some(Flavor::DogStatsd));
        assert_eq!(parse(&[]).unwrap().endpoint, None);
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        for (var, value) in [
            ("STATSD_PORT", "81x"),
            ("STATSD_PORT", "0"),
            ("DD_DOGSTATSD_PORT", "70000"),
            ("STATSD_HOST", "http://h"),
            ("DD_DOGSTATSD_URL", "tcp://h:1"),
            ("DD_DOGSTATSD_URL", "unix://relative"),
            ("DD_DOGSTATSD_URL", "udp://nohost"),
            ("OMNISCOPE_STATSD_FLAVOR", "graphite"),
            ("OMNISCOPE_STATSD_HISTOGRAM", "summary"),
        ] {
            let message = parse(&[(var, value)]).unwrap_err().to_string();
            assert!(message.contains(&format!("{var}={value:?}")), "{message}");
        }
    }

    #[test]
    fn non_utf8_is_an_error_naming_the_variable() {
        let lookup = |name: &str| match name {
            "STATSD_PORT" => Err(EnvError::new("STATSD_PORT", std::ffi::OsString::from("x"))),
            _ => Ok(None),
        };
        let message = EnvValues::read(&lookup).parse().unwrap_err().to_string();
        assert!(message.contains("STATSD_PORT"), "{message}");
    }
}
