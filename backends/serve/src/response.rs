//! Building responses: complete bodies, with headers that keep browsers
//! from caching or sniffing them.

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use hyper::{Response, StatusCode};

/// Every response's body: complete in memory (what these servers answer is
/// small, and rendered before it is sent).
pub type Body = Full<Bytes>;

/// `body` with `status`, `Content-Type: content_type`,
/// `Cache-Control: no-store` (what a server shows is live: never keep it)
/// and `X-Content-Type-Options: nosniff`.
///
/// ```
/// use hyper::StatusCode;
/// use omniscope_serve::with_type;
///
/// let response = with_type(StatusCode::OK, "text/plain; charset=utf-8", "hello\n");
/// assert_eq!(response.headers()["content-type"], "text/plain; charset=utf-8");
/// assert_eq!(response.headers()["cache-control"], "no-store");
/// ```
pub fn with_type(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
