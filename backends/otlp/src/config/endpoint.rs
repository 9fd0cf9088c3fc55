//! Endpoint URLs and the spec's path rules for OTLP/HTTP.

use hyper::Uri;

use crate::signal::Signal;

/// Parses an absolute `http://` or `https://` URL with a host.
///
/// # Errors
/// Why it is not one, for the caller to prefix with where it came from.
pub(crate) fn parse(url: &str) -> Result<Uri, String> {
    let url = url.trim();
    let uri: Uri = url.parse().map_err(|e| format!("is not a URL ({e})"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(format!(
                "has scheme `{other}`: OTLP uses http:// or https://"
            ))
        }
        None => return Err("has no scheme: start it with http:// or https://".into()),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    check_port(uri.authority().map_or("", |a| a.as_str()))?;
    Ok(uri)
}

/// The port of `authority` (`[user@]host[:port]`), if it has one, must be
/// 1 to 65535 in digits: hyper reads anything else as "no port" and
/// connects to the scheme's default.
fn check_port(authority: &str) -> Result<(), String> {
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    // An IPv6 literal holds colons of its own: the port follows `]`.
    let after_host = match host_port.rfind(']') {
        Some(end) => &host_port[end + 1..],
        None => host_port.find(':').map_or("", |colon| &host_port[colon..]),
    };
    let Some(port) = after_host.strip_prefix(':') else {
        return Ok(());
    };
    let valid = !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok_and(|p| p > 0);
    match valid {
        true => Ok(()),
        false => Err(format!("has port `{port}`, not a port from 1 to 65535")),
    }
}

/// A base URL (the generic endpoint, or the default) with the signal's
/// path appended to its own: `http://c:4318/base` → `http://c:4318/base/v1/traces`.
pub(crate) fn with_signal_path(base: &Uri, signal: Signal) -> Result<Uri, String> {
    let path = base.path().trim_end_matches('/');
    let query = base.query().map(|q| format!("?{q}")).unwrap_or_default();
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        format!("{path}/{}{query}", crate::signal::http_path(signal))
            .parse()
            .map_err(|e| format!("cannot take the signal path ({e})"))?,
    );
    Uri::from_parts(parts).map_err(|e| format!("cannot take the signal path ({e})"))
}

/// `scheme://authority`, what a gRPC channel connects to (gRPC ignores a
/// path: the service's path is fixed).
pub(crate) fn origin(uri: &Uri) -> String {
    format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("http"),
        uri.authority().map(|a| a.as_str()).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_signal_path() {
        let cases = [
            ("http://c:4318", "http://c:4318/v1/traces"),
            ("http://c:4318/", "http://c:4318/v1/traces"),
            ("https://c/base", "https://c/base/v1/traces"),
            ("https://c/base/?x=1", "https://c/base/v1/traces?x=1"),
        ];
        for (base, expected) in cases {
            let uri = with_signal_path(&parse(base).unwrap(), Signal::Traces).unwrap();
            assert_eq!(uri.to_string(), expected, "{base}");
        }
    }

    #[test]
    fn rejects_what_is_not_an_absolute_http_url() {
        assert!(parse("not a url").unwrap_err().starts_with("is not a URL"));
        assert!(parse("localhost:4317").unwrap_err().contains("http://"));
        assert!(parse("ftp://c").unwrap_err().contains("scheme `ftp`"));
        assert!(parse("/v1/traces").unwrap_err().contains("no scheme"));
        assert_eq!(
            origin(&parse("http://c:4317/x/y").unwrap()),
            "http://c:4317"
        );
    }
}
