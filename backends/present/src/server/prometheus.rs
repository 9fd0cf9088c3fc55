//! `/metrics`: the SDK's meter in Prometheus exposition format, with label
//! values cut to the dashboard's string length, answered by
//! `omniscope-prometheus` exactly as its own endpoint answers: the format
//! from `Accept` (OpenMetrics when the scraper asks for it), gzip when
//! `Accept-Encoding` allows it, `Vary: Accept, Accept-Encoding`.

use hyper::header::{ACCEPT, ACCEPT_ENCODING};
use hyper::{HeaderMap, Response};
use omniscope_prometheus::Scrape;

use super::response::Body;
use super::App;
use crate::truncate;

/// Answers a scrape.
pub(crate) fn scrape(app: &App, headers: &HeaderMap) -> Response<Body> {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let snapshot = truncate::snapshot(app.sdk.meter().snapshot(), app.state.max_string_len);
    Scrape::new(
        &snapshot,
        app.sdk.resource(),
        header(ACCEPT),
        header(ACCEPT_ENCODING),
    )
    .into_response()
}
