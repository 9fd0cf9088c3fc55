//! The OpenTelemetry semantic conventions this crate follows: attribute and
//! metric names, the advisory bucket boundaries, and the small pure
//! functions that turn a request into attribute values (method
//! normalization, redaction, host and port).

use http::{Method, Uri, Version};

/// `http.server.request.duration`: seconds, from the request head received
/// until the response body ended.
pub const SERVER_REQUEST_DURATION: &str = "http.server.request.duration";
/// `http.server.active_requests`: requests whose response has not ended.
pub const SERVER_ACTIVE_REQUESTS: &str = "http.server.active_requests";
/// `http.server.request.body.size` (opt-in): bytes, from `Content-Length`.
pub const SERVER_REQUEST_BODY_SIZE: &str = "http.server.request.body.size";
/// `http.server.response.body.size` (opt-in): bytes sent.
pub const SERVER_RESPONSE_BODY_SIZE: &str = "http.server.response.body.size";
/// `http.client.request.duration`: seconds, from sending the request until
/// the response body ended (tower) or its head arrived (reqwest).
pub const CLIENT_REQUEST_DURATION: &str = "http.client.request.duration";
/// `rpc.server.duration`: milliseconds, one gRPC call served.
pub const RPC_SERVER_DURATION: &str = "rpc.server.duration";
/// `rpc.client.duration`: milliseconds, one gRPC call made.
pub const RPC_CLIENT_DURATION: &str = "rpc.client.duration";

// The bucket boundaries the conventions advise for the duration
// histograms are applied by the SDK, which knows these names
// (`omniscope_sdk::metrics::HTTP_DURATION_BUCKETS`): the facade carries no
// advice with an instrument.

/// The query parameters whose values the conventions say to redact by
/// default (signed URLs of cloud storage).
pub const DEFAULT_SENSITIVE_QUERY_PARAMETERS: [&str; 4] =
    ["AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"];

/// What redacted values are replaced by.
pub const REDACTED: &str = "REDACTED";

/// The method as `http.request.method` wants it: one of the known methods,
/// or `_OTHER` (then `http.request.method_original` keeps the original).
pub(crate) fn method(method: &Method) -> (&'static str, bool) {
    let known = match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ if method.as_str() == "QUERY" => "QUERY",
        _ => return ("_OTHER", false),
    };
    (known, true)
}

/// `network.protocol.version`.
pub(crate) fn protocol_version(version: Version) -> Option<&'static str> {
    Some(match version {
        Version::HTTP_09 => "0.9",
        Version::HTTP_10 => "1.0",
        Version::HTTP_11 => "1.1",
        Version::HTTP_2 => "2",
        Version::HTTP_3 => "3",
        _ => return None,
    })
}

/// `true` if `name` is one of the `sensitive` query parameter names.
fn is_sensitive(name: &str, sensitive: &[String]) -> bool {
    sensitive.iter().any(|s| s.as_str() == name)
}

/// The query with the values of `sensitive` parameters replaced by
/// `REDACTED` (borrowed as it is when none occurs, the common case, found
/// in one pass over the bytes).
pub(crate) fn redact_query<'a>(query: &'a str, sensitive: &[String]) -> std::borrow::Cow<'a, str> {
    // Only a `name=` can need redacting: look at each name before an `=`
    // (a pair's first one).
    let bytes = query.as_bytes();
    let mut start = 0;
    let mut in_value = false;
    let mut needs = false;
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'&' => {
                start = i + 1;
                in_value = false;
            }
            b'=' if !in_value => {
                in_value = true;
                if query
                    .get(start..i)
                    .is_some_and(|n| is_sensitive(n, sensitive))
                {
                    needs = true;
                    break;
                }
            }
            _ => {}
        }
    }
    if !needs {
        return std::borrow::Cow::Borrowed(query);
    }
    let mut out = String::with_capacity(query.len());
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, _)) if is_sensitive(name, sensitive) => {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `url.full` for a client request: credentials in the authority become
/// `REDACTED:REDACTED`, sensitive query values `REDACTED`.
pub(crate) fn full_url(uri: &Uri, sensitive: &[String]) -> String {
    let mut out = String::new();
    if let Some(scheme) = uri.scheme_str() {
        out.push_str(scheme);
        out.push_str("://");
    }
    if let Some(authority) = uri.authority() {
        let authority = authority.as_str();
        match authority.rsplit_once('@') {
            Some((_, host)) => {
                out.push_str(REDACTED);
                out.push(':');
                out.push_str(REDACTED);
                out.push('@');
                out.push_str(host);
            }
            None => out.push_str(authority),
        }
    }
    out.push_str(uri.path());
    if let Some(query) = uri.query() {
        out.push('?');
        out.push_str(&redact_query(query, sensitive));
    }
    out
}

/// Host and port of an authority (`host`, `host:port`, `[v6]:port`,
/// `user@host`), the port defaulted from the scheme. Searched byte by byte
/// from the end: an authority is short, and a call to `memrchr` per
/// separator cost more than the search.
pub(crate) fn host_and_port<'a>(authority: &'a str, scheme: &str) -> (&'a str, Option<u16>) {
    let last = |text: &'a str, byte: u8| text.as_bytes().iter().rposition(|b| *b == byte);
    // A user part is rare (and not allowed in `Host`): a test a word at a
    // time spares most authorities the search for `@` over all their
    // bytes, which was a third of this function's time.
    let at = if has_byte(authority.as_bytes(), b'@') {
        last(authority, b'@')
    } else {
        None
    };
    let authority = match at {
        Some(at) => authority.get(at + 1..).unwrap_or_default(),
        None => authority,
    };
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':')),
            None => (authority, None),
        }
    } else {
        match last(authority, b':') {
            Some(colon) => (
                authority.get(..colon).unwrap_or_default(),
                authority.get(colon + 1..),
            ),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok(),
        None => default_port(scheme),
    };
    (host, port)
}

/// Whether `bytes` holds `byte`, tested eight bytes at a time (the last
/// word overlapping the one before): `haszero(w ^ byte…)` of "Bit
/// Twiddling Hacks", exact for whether any byte matches.
fn has_byte(bytes: &[u8], byte: u8) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let Some(last) = bytes.len().checked_sub(8).and_then(|at| bytes.get(at..)) else {
        return bytes.contains(&byte);
    };
    bytes.chunks_exact(8).chain(Some(last)).any(|chunk| {
        <[u8; 8]>::try_from(chunk).is_ok_and(|word| {
            let x = u64::from_le_bytes(word) ^ (ONES * u64::from(byte));
            x.wrapping_sub(ONES) & !x & (ONES * 0x80) != 0
        })
    })
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" | "ws" => Some(80),
        "https" | "wss" => Some(443),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sensitive() -> Vec<String> {
        DEFAULT_SENSITIVE_QUERY_PARAMETERS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    #[test]
    fn methods_outside_the_known_set_are_other() {
        assert_eq!(method(&Method::GET), ("GET", true));
        assert_eq!(
            method(&Method::from_bytes(b"QUERY").unwrap()),
            ("QUERY", true)
        );
        assert_eq!(
            method(&Method::from_bytes(b"get").unwrap()),
            ("_OTHER", false)
        );
        assert_eq!(
            method(&Method::from_bytes(b"PURGE").unwrap()),
            ("_OTHER", false)
        );
    }

    #[test]
    fn sensitive_query_values_are_redacted() {
        let s = sensitive();
        assert_eq!(redact_query("a=1&b=2", &s), "a=1&b=2");
        assert!(matches!(
            redact_query("a=sig=1&sig&b=Signature", &s),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            redact_query("a=1&X-Goog-Signature=", &s),
            "a=1&X-Goog-Signature=REDACTED"
        );
        assert_eq!(
            redact_query("sig=abc&a=1&Signature=x&sig", &s),
            "sig=REDACTED&a=1&Signature=REDACTED&sig"
        );
    }

    #[test]
    fn url_full_hides_credentials() {
        let uri: Uri = "https://user:pw@example.com:8443/p?sig=1&q=2"
            .parse()
            .unwrap();
        assert_eq!(
            full_url(&uri, &sensitive()),
            "https://REDACTED:REDACTED@example.com:8443/p?sig=REDACTED&q=2"
        );
    }

    #[test]
    fn host_and_port_default_by_scheme() {
        assert_eq!(
            host_and_port("a.example:81", "http"),
            ("a.example", Some(81))
        );
        assert_eq!(
            host_and_port("a.example", "https"),
            ("a.example", Some(443))
        );
        assert_eq!(host_and_port("[::1]:9", "http"), ("::1", Some(9)));
        assert_eq!(host_and_port("[::1]", "http"), ("::1", Some(80)));
        assert_eq!(host_and_port("u:p@h:1", "http"), ("h", Some(1)));
        assert_eq!(host_and_port("h:", "https"), ("h", None));
        assert_eq!(
            host_and_port("a@b@c.example:8", "http"),
            ("c.example", Some(8))
        );
    }

    #[test]
    fn has_byte_finds_it_anywhere() {
        for len in 0..20 {
            let text = vec![b'a'; len];
            assert!(!has_byte(&text, b'@'));
            for at in 0..len {
                let mut text = text.clone();
                text[at] = b'@';
                assert!(has_byte(&text, b'@'), "{len} {at}");
                // Neighbours of `@` (0x40) in value do not match.
                text[at] = b'?';
                assert!(!has_byte(&text, b'@'), "{len} {at}");
                text[at] = b'A';
                assert!(!has_byte(&text, b'@'), "{len} {at}");
                text[at] = 0xc0;
                assert!(!has_byte(&text, b'@'), "{len} {at}");
            }
        }
    }
}
