//! The environment variables of the scrape endpoint, read by
//! [`PrometheusBuilder::from_env`](crate::PrometheusBuilder::from_env) and
//! parsed by `build`, so that a bad value is an error naming it.

use std::net::{IpAddr, Ipv4Addr};

use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::BuildError;

use crate::builder::invalid;

/// The host to listen on (OpenTelemetry's variable for Prometheus
/// exporters): an IP address or `localhost`.
pub const HOST_ENV: &str = "OTEL_EXPORTER_PROMETHEUS_HOST";
/// The port to listen on (OpenTelemetry's variable for Prometheus
/// exporters).
pub const PORT_ENV: &str = "OTEL_EXPORTER_PROMETHEUS_PORT";
/// `false` serves the classic text format even to scrapers that ask for
/// OpenMetrics (omniscope's variable).
pub const OPENMETRICS_ENV: &str = "OMNISCOPE_PROMETHEUS_OPENMETRICS";

/// The raw values found; `None` for a variable unset or blank.
#[derive(Clone, Debug, Default)]
pub(crate) struct EnvValues {
    pub(crate) host: Option<String>,
    pub(crate) port: Option<String>,
    pub(crate) openmetrics: Option<String>,
    /// The first variable whose value is not UTF-8: it fails the build.
    pub(crate) unreadable: Option<EnvError>,
}

impl EnvValues {
    pub(crate) fn read(lookup: Lookup<'_>) -> EnvValues {
        let mut unreadable = None;
        let mut get = |name: &str| {
            env::get(lookup, name).unwrap_or_else(|e| {
                unreadable.get_or_insert(e);
                None
            })
        };
        let (host, port, openmetrics) = (get(HOST_ENV), get(PORT_ENV), get(OPENMETRICS_ENV));
        EnvValues {
            host,
            port,
            openmetrics,
            unreadable,
        }
    }
}

/// An IP address (IPv6 with or without brackets) or `localhost`. Host
/// names are not resolved: listening needs an address of this machine.
pub(crate) fn parse_host(value: &str) -> Result<IpAddr, BuildError> {
    let host = value.trim();
    if host.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().map_err(|_| {
        invalid(format!(
            "{HOST_ENV}={value:?} is not an IP address or `localhost`: give the address to listen on, \
             such as 127.0.0.1 (the default) or 0.0.0.0 (every interface)"
        ))
    })
}

/// Digits only (`u16`'s parser would take `+80`), 0 to 65535.
pub(crate) fn parse_port(value: &str) -> Result<u16, BuildError> {
    let digits = value.trim();
    let port = match digits.bytes().all(|b| b.is_ascii_digit()) {
        true => digits.parse().ok(),
        false => None,
    };
    port.ok_or_else(|| {
        invalid(format!(
            "{PORT_ENV}={value:?} is not a port number: give 0 to 65535 (default 9464; 0 picks a free port)"
        ))
    })
}

pub(crate) fn parse_bool(variable: &str, value: &str) -> Result<bool, BuildError> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") => Ok(true),
        v if v.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(invalid(format!(
            "{variable}={value:?} is not `true` or `false`: write one of them, or unset it"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(parse_host("localhost").unwrap(), Ipv4Addr::LOCALHOST);
        assert_eq!(parse_host(" 10.0.0.1 ").unwrap().to_string(), "10.0.0.1");
        assert_eq!(parse_host("[::1]").unwrap().to_string(), "::1");
        assert_eq!(parse_host("::").unwrap().to_string(), "::");
        assert!(parse_host("[::1").is_err());
        assert!(parse_host("example.com").is_err());
    }

    #[test]
    fn ports_and_booleans() {
        assert_eq!(parse_port("0").unwrap(), 0);
        assert_eq!(parse_port(" 65535 ").unwrap(), 65535);
        assert!(parse_port("-1").is_err());
        assert!(parse_port("+80").is_err());
        assert!(parse_port("65536").is_err());
        assert!(parse_bool(OPENMETRICS_ENV, "TRUE").unwrap());
        assert!(!parse_bool(OPENMETRICS_ENV, "False").unwrap());
        assert!(parse_bool(OPENMETRICS_ENV, "0").is_err());
    }
}
