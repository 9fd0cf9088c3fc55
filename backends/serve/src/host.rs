//! The `Host` check that keeps other sites from reading a server through
//! DNS rebinding.
//!
//! A page on `evil.example` can point its own name at 127.0.0.1 once the
//! browser has loaded it; its scripts then talk to the loopback server as
//! "same origin", but every request still says `Host: evil.example`. So a
//! server answers only hosts that cannot be rebound: `localhost`, IP
//! addresses (an address is not a name a site controls; loopback ones are
//! what a local user types) and the names the application allowed.

use std::fmt;
use std::net::IpAddr;

use hyper::header::HOST;
use hyper::{HeaderMap, Response, StatusCode, Uri};

use crate::{with_type, Body};

/// Which `Host` headers a server answers (from the builder).
#[derive(Clone, Debug, Default)]
pub(crate) struct Hosts {
    /// Allowed names, without a trailing dot (compared ignoring case).
    pub(crate) allowed: Vec<String>,
    /// Every host is answered: the check is off.
    pub(crate) any: bool,
}

impl Hosts {
    /// `None` when the request may be answered, else the 421 answer. A
    /// request without a host (HTTP/1.0) comes from no browser, so it
    /// passes.
    pub(crate) fn refuse(&self, uri: &Uri, headers: &HeaderMap) -> Option<Response<Body>> {
        if self.any {
            return None;
        }
        let host = match headers.get(HOST) {
            Some(value) => value.to_str().unwrap_or("<not text>"),
            None => uri.host()?,
        };
        if self.allows(host) {
            return None;
        }
        Some(with_type(
            StatusCode::MISDIRECTED_REQUEST,
            "text/plain; charset=utf-8",
            format!(
                "host {host:?} is not served here: use localhost or an IP address \
                 (other names are refused so that no web site can read this server \
                 through DNS rebinding; the application allows more names with \
                 with_allowed_host)\n"
            ),
        ))
    }

    /// Whether `host` (a `Host` header: a name or address, with or without
    /// a port) is served.
    fn allows(&self, host: &str) -> bool {
        let name = strip_port(host);
        if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            return inner.parse::<IpAddr>().is_ok();
        }
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        let name = name.strip_suffix('.').unwrap_or(name);
        name.eq_ignore_ascii_case("localhost")
            || self.allowed.iter().any(|a| a.eq_ignore_ascii_case(name))
    }
}

/// `host` without its `:port`, if any (`[::1]:9000` → `[::1]`; a bare IPv6
/// address, with more than one colon, has no port).
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.split_once(':') {
        Some((name, port)) if !port.contains(':') => name,
        _ => host,
    }
}

/// Checks a name for [`with_allowed_host`](crate::ServerBuilder::with_allowed_host):
/// a DNS name (letters, digits, `-` and `.`, at most 253 characters), as a
/// `Host` header carries it, without scheme, port or path.
///
/// # Errors
/// [`BadHostName`] otherwise (`http://dash.example`, `dash.example:9000`,
/// an empty name).
///
/// ```
/// use omniscope_serve::check_host_name;
///
/// assert!(check_host_name("dashboard.internal.example").is_ok());
/// let bad = check_host_name("http://dashboard.example").unwrap_err();
/// assert!(bad.to_string().starts_with("\"http://dashboard.example\" is not a host name"));
/// ```
pub fn check_host_name(name: &str) -> Result<(), BadHostName> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    let labels_ok = trimmed.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    match !trimmed.is_empty() && trimmed.len() <= 253 && labels_ok {
        true => Ok(()),
        false => Err(BadHostName {
            name: name.to_owned(),
        }),
    }
}

/// A name that [`check_host_name`] refused; its message names it and says
/// what a host name looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadHostName {
    name: String,
}

impl fmt::Display for BadHostName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a host name: give the name alone, as in dashboard.example.com \
             (letters, digits, `-` and `.`; no scheme, port or path)",
            self.name
        )
    }
}

impl std::error::Error for BadHostName {}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(allowed: &[&str]) -> Hosts {
        Hosts {
            allowed: allowed.iter().map(|a| (*a).to_owned()).collect(),
            any: false,
        }
    }

    #[test]
    fn loopback_names_and_addresses_pass_other_names_do_not() {
        let h = hosts(&["dash.example"]);
        for ok in [
            "localhost",
            "localhost:9000",
            "LOCALHOST.",
            "127.0.0.1",
            "127.0.0.1:9000",
            "[::1]",
            "[::1]:9000",
            "::1",
            "192.0.2.7:80",
            "dash.example",
            "Dash.Example:9000",
        ] {
            assert!(h.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:9000",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[evil]:80",
            "",
            "dash.example.evil",
        ] {
            assert!(!h.allows(refused), "{refused}");
        }
    }

    #[test]
    fn the_answer_names_the_host_and_the_setter() {
        let h = hosts(&[]);
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "evil.example:9000".parse().unwrap());
        let refused = h.refuse(&Uri::from_static("/"), &headers).unwrap();
        assert_eq!(refused.status(), StatusCode::MISDIRECTED_REQUEST);
        assert!(h
            .refuse(&Uri::from_static("/"), &HeaderMap::new())
            .is_none());
        let any = Hosts {
            any: true,
            ..Hosts::default()
        };
        assert!(any.refuse(&Uri::from_static("/"), &headers).is_none());
    }

    #[test]
    fn host_names_are_checked() {
        for ok in [
            "a",
            "dash.example.com",
            "dash-1.example.",
            "xn--bcher-kva.example",
        ] {
            assert_eq!(check_host_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "http://a",
            "a:9000",
            "a/b",
            "a..b",
            "a b",
            "é.example",
        ] {
            assert!(check_host_name(bad).is_err(), "{bad}");
        }
    }
}
