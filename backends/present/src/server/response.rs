//! Building responses: JSON documents and JSON errors; text and assets use
//! [`with_type`] directly. Each has headers that keep browsers from caching
//! or sniffing it.

use hyper::{Response, StatusCode};
pub(crate) use omniscope_serve::{with_type, Body};
use serde::Serialize;

/// `value` as JSON with `status`.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> Response<Body> {
    match serde_json::to_vec(value) {
        Ok(body) => with_type(status, "application/json", body),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot encode the response as JSON: {e}"),
        ),
    }
}

/// `{"error": message}` with `status`.
pub(crate) fn error(status: StatusCode, message: &str) -> Response<Body> {
    let body = serde_json::json!({ "error": message }).to_string();
    with_type(status, "application/json", body.into_bytes())
}
