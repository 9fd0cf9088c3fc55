//! The page and its script and style, compiled into the binary: the
//! dashboard works offline and loads nothing from anywhere else (the
//! Content-Security-Policy header forbids it).

use hyper::header::{HeaderValue, CONTENT_SECURITY_POLICY, REFERRER_POLICY};
use hyper::{Response, StatusCode};

use super::response::{with_type, Body};

const INDEX: &str = include_str!("../../assets/index.html");
const SCRIPT: &str = include_str!("../../assets/app.js");
const STYLE: &str = include_str!("../../assets/app.css");
const ICON: &str = include_str!("../../assets/icon.svg");

/// Everything from this origin, nothing from anywhere else.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
                      img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
                      form-action 'none'; frame-ancestors 'none'";

/// The asset at `path`, if there is one.
pub(crate) fn get(path: &str) -> Option<Response<Body>> {
    let (content_type, body) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX),
        "/app.js" => ("text/javascript; charset=utf-8", SCRIPT),
        "/app.css" => ("text/css; charset=utf-8", STYLE),
        "/favicon.ico" | "/icon.svg" => ("image/svg+xml", ICON),
        _ => return None,
    };
    let mut response = with_type(StatusCode::OK, content_type, body);
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Some(response)
}
