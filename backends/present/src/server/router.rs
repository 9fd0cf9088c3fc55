//! Which handler answers which path, after the method and token checks
//! (and, for a trace capture without a token, the same-origin check).

use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::{Method, Request, Response, StatusCode};

use super::query::{BadParam, Query};
use super::response::{error, Body};
use super::{api, assets, auth, origin, App};

/// Answers one request.
pub(crate) async fn route(app: &App, req: Request<Incoming>) -> Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            &format!(
                "method {} is not supported: the dashboard only reads (GET)",
                req.method()
            ),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let path = req.uri().path();
    // The page and its assets hold no data, so they need no token: the
    // page asks for it and sends it with every API call.
    if let Some(asset) = assets::get(path) {
        return asset;
    }
    if let Some(token) = &app.token {
        if !auth::authorized(req.headers(), token) {
            return auth::unauthorized();
        }
    }
    let query = Query::parse(req.uri().query());
    match data(app, path, &query, &req).await {
        Ok(response) => response,
        Err(bad) => bad.into(),
    }
}

async fn data(
    app: &App,
    path: &str,
    q: &Query,
    req: &Request<Incoming>,
) -> Result<Response<Body>, BadParam> {
    Ok(match path {
        "/metrics" => super::prometheus::scrape(app, req.headers()),
        "/api/status" => api::status(app),
        "/api/metrics" => api::metrics(app, q)?,
        "/api/funcs" => api::funcs(app),
        "/api/callgraph" => api::callgraph(app),
        "/api/callgraph.dot" => api::callgraph_dot(app),
        "/api/traces" => api::traces(app, q)?,
        "/api/traces/capture" => match app.token.is_some() {
            // With a token, the request carried it: it may come from anywhere.
            true => api::capture(app, q).await?,
            false => match origin::refuse_cross_origin(req.headers()) {
                None => api::capture(app, q).await?,
                Some(refused) => refused,
            },
        },
        "/api/inflight" => api::inflight(app, q)?,
        "/api/logs" => api::logs(app, q)?,
        "/api/errors" => api::errors(app, q)?,
        other => match other.strip_prefix("/api/traces/") {
            Some(id) if !id.contains('/') => api::trace(app, id)?,
            _ => not_found(other),
        },
    })
}

fn not_found(path: &str) -> Response<Body> {
    error(
        StatusCode::NOT_FOUND,
        &format!(
            "no such endpoint: {path}; the dashboard is at /, the JSON API under /api/ \
             (status, metrics, funcs, callgraph, callgraph.dot, traces, traces/{{trace_id}}, \
             traces/capture, inflight, logs, errors), Prometheus metrics at /metrics"
        ),
    )
}
