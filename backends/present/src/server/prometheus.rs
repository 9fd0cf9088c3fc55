//! `/metrics`: the SDK's meter in Prometheus exposition format, written by
//! `omniscope-prometheus` (the classic text format, or OpenMetrics when the
//! scraper asks for it), with label values cut to the dashboard's string
//! length.

use hyper::header::ACCEPT;
use hyper::{HeaderMap, Response, StatusCode};
use omniscope_prometheus::Format;

use super::response::{with_type, Body};
use super::App;
use crate::truncate;

/// Answers a scrape.
pub(crate) fn scrape(app: &App, headers: &HeaderMap) -> Response<Body> {
    let accept = headers.get(ACCEPT).and_then(|v| v.to_str().ok());
    let format = Format::negotiate(accept);
    let snapshot = truncate::snapshot(app.sdk.meter().snapshot(), app.state.max_string_len);
    let text = omniscope_prometheus::render(&snapshot, app.sdk.resource(), format);
    with_type(StatusCode::OK, format.content_type(), text)
}
