//! Whether a request comes from the dashboard's own page, or from no
//! browser at all: what starting a trace capture needs without the token.
//!
//! A capture holds one of a few waiting places for up to its timeout, so a
//! page on another site must not start one (a plain `<img>` or `fetch` to
//! 127.0.0.1 would do). Browsers say where a request comes from: `Origin`
//! (on cross-origin requests) and `Sec-Fetch-Site`; tools such as `curl`
//! send neither.

use hyper::header::{HeaderValue, HOST, ORIGIN};
use hyper::{HeaderMap, Response, StatusCode};

use super::response::{error, Body};
use crate::capture::MAX_WAITING;

/// The 403 answer when `headers` show a request from another origin;
/// `None` for a same-origin request or one from no browser.
pub(crate) fn refuse_cross_origin(headers: &HeaderMap) -> Option<Response<Body>> {
    let text = |v: &HeaderValue| v.to_str().unwrap_or("<not text>").to_owned();
    let site = headers.get("sec-fetch-site").map(text);
    if let Some(site) = site.filter(|s| s != "same-origin" && s != "none") {
        return Some(refused(&format!("Sec-Fetch-Site: {site}")));
    }
    let origin = headers.get(ORIGIN).map(text)?;
    let host = headers.get(HOST).map(text).unwrap_or_default();
    match origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    {
        Some(from) if !host.is_empty() && from.eq_ignore_ascii_case(&host) => None,
        _ => Some(refused(&format!("Origin: {origin}"))),
    }
}

fn refused(why: &str) -> Response<Body> {
    error(
        StatusCode::FORBIDDEN,
        &format!(
            "trace capture refused for a cross-origin request ({why}): a capture holds one of \
             {MAX_WAITING} waiting places, so only the dashboard's own page, a client that is \
             not a browser, or a request with the bearer token may start one"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_static("127.0.0.1:9000"));
        for (name, value) in pairs {
            h.insert(*name, HeaderValue::from_static(value));
        }
        h
    }

    #[test]
    fn only_the_own_page_or_no_browser_passes() {
        for ok in [
            &[][..],
            &[("origin", "http://127.0.0.1:9000")],
            &[("sec-fetch-site", "same-origin")],
            &[("sec-fetch-site", "none")],
        ] {
            assert!(refuse_cross_origin(&headers(ok)).is_none(), "{ok:?}");
        }
        for refused in [
            &[("origin", "http://evil.example")][..],
            &[("origin", "http://127.0.0.1:9001")],
            &[("origin", "null")],
            &[("sec-fetch-site", "cross-site")],
            &[("sec-fetch-site", "same-site")],
        ] {
            let answer = refuse_cross_origin(&headers(refused)).unwrap();
            assert_eq!(answer.status(), StatusCode::FORBIDDEN, "{refused:?}");
        }
    }
}
