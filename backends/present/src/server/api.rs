//! The JSON endpoints: each reads the stores or the SDK and answers one
//! document (see the crate docs for their shapes).

use std::time::Duration;

use hyper::{Response, StatusCode};
use regex::{Regex, RegexBuilder};

use super::query::{trace_id, BadParam, Query};
use super::response::{error, json, with_type, Body};
use super::App;
use crate::capture::MAX_WAITING;
use crate::present::stats_of;
use crate::state::lock;
use crate::truncate;
use crate::view::{
    CallGraph, ErrorList, ErrorQuery, FunctionList, InFlightList, LogList, LogQuery, MetricList,
    MetricQuery, Status, TraceDetail, TraceList, TraceQuery,
};

/// How long a capture waits when the request does not say.
const CAPTURE_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a capture may wait.
const CAPTURE_MAX_TIMEOUT: Duration = Duration::from_secs(600);
/// The largest compiled pattern a capture accepts.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

impl From<BadParam> for Response<Body> {
    fn from(bad: BadParam) -> Response<Body> {
        error(StatusCode::BAD_REQUEST, &bad.0)
    }
}

/// `/api/status`.
pub(crate) fn status(app: &App) -> Response<Body> {
    let stats = stats_of(&app.state);
    let pipelines = app.sdk.pipeline_stats();
    let waiting = app.state.captures.waiting();
    let view = Status::of(
        app.sdk.resource(),
        app.state.started,
        &stats,
        waiting,
        &pipelines,
    );
    json(StatusCode::OK, &view)
}

/// `/api/metrics?q=&names=&limit=`.
pub(crate) fn metrics(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let query = MetricQuery {
        text: q.get("q").map(str::to_owned),
        names: q
            .get("names")
            .map(|n| n.split(',').map(|s| s.trim().to_owned()).collect()),
        limit: q.limit(usize::MAX, usize::MAX)?,
    };
    let snapshot = truncate::snapshot(app.sdk.meter().snapshot(), app.state.max_string_len);
    let view = MetricList::of(&snapshot, &lock(&app.state.history), &query);
    Ok(json(StatusCode::OK, &view))
}

/// `/api/funcs`.
pub(crate) fn funcs(app: &App) -> Response<Body> {
    json(StatusCode::OK, &FunctionList::of(&app.sdk.function_stats()))
}

/// `/api/callgraph`.
pub(crate) fn callgraph(app: &App) -> Response<Body> {
    json(
        StatusCode::OK,
        CallGraph::of(&app.sdk.function_stats()).view(),
    )
}

/// `/api/callgraph.dot`.
pub(crate) fn callgraph_dot(app: &App) -> Response<Body> {
    let dot = CallGraph::of(&app.sdk.function_stats()).to_dot();
    with_type(StatusCode::OK, "text/vnd.graphviz; charset=utf-8", dot)
}

/// `/api/traces?root=&function=&min_ms=&errors=&attr=&limit=`.
pub(crate) fn traces(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let query = TraceQuery {
        root: q.get("root").map(str::to_owned),
        function: q.get("function").map(str::to_owned),
        min_ms: q.millis("min_ms")?,
        errors: q.flag("errors")?,
        attr: q.get("attr").map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (a.to_owned(), None),
        }),
        limit: q.limit(100, 10_000)?,
    };
    let view = TraceList::of(&lock(&app.state.traces), &query);
    Ok(json(StatusCode::OK, &view))
}

/// `/api/traces/{trace_id}`.
pub(crate) fn trace(app: &App, id: &str) -> Result<Response<Body>, BadParam> {
    let id = trace_id(id)?;
    let traces = lock(&app.state.traces);
    Ok(match traces.get(&id) {
        Some(trace) => json(StatusCode::OK, &TraceDetail::of(trace)),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("trace {id} is not kept (never seen, or evicted to make room)"),
        ),
    })
}

/// `/api/traces/capture?name=REGEX&timeout=30s`: waits for the next trace
/// with a span whose name matches, and answers it.
pub(crate) async fn capture(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let pattern = q.get("name").map(compile).transpose()?;
    let timeout = q.timeout(CAPTURE_TIMEOUT, CAPTURE_MAX_TIMEOUT)?;
    let what = match &pattern {
        Some(p) => format!("with a span matching {:?}", p.as_str()),
        None => "at all".to_owned(),
    };
    let Ok(mut waiting) = app.state.captures.register(pattern) else {
        return Ok(error(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("{MAX_WAITING} trace captures are waiting already: retry when one has ended"),
        ));
    };
    // Dropped with this future when the client goes (hyper notices its
    // connection closing): the place is given back at once.
    Ok(tokio::select! {
        got = waiting.trace() => match got {
            Ok(detail) => json(StatusCode::OK, &detail),
            Err(_) => shutting_down(),
        },
        _ = tokio::time::sleep(timeout) => error(
            StatusCode::REQUEST_TIMEOUT,
            &format!(
                "no trace {what} ended within {timeout:?}: make the request that should produce it, \
                 or wait longer with a larger `timeout`"
            ),
        ),
        () = app.stopping.stopped() => shutting_down(),
    })
}

fn compile(pattern: &str) -> Result<Regex, BadParam> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| {
            BadParam(format!(
                "bad `name` parameter {pattern:?}: not a valid regular expression: {e}"
            ))
        })
}

fn shutting_down() -> Response<Body> {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the dashboard is shutting down",
    )
}

/// `/api/inflight?limit=N`.
pub(crate) fn inflight(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let limit = q.limit(500, 10_000)?;
    let spans = app.sdk.tracer().map(|t| t.in_flight()).unwrap_or_default();
    let view = InFlightList::of(spans, limit, app.state.max_string_len);
    Ok(json(StatusCode::OK, &view))
}

/// `/api/logs?level=&q=&trace=&limit=`.
pub(crate) fn logs(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let query = LogQuery {
        level: q.level()?,
        text: q.get("q").map(str::to_owned),
        trace: q.trace()?,
        limit: q.limit(200, usize::MAX)?,
    };
    let view = {
        let logs = lock(&app.state.logs);
        LogList::of(&logs, &lock(&app.state.pinned_logs), &query)
    };
    Ok(json(StatusCode::OK, &view))
}

/// `/api/errors?trace=&type=&site=&limit=`.
pub(crate) fn errors(app: &App, q: &Query) -> Result<Response<Body>, BadParam> {
    let query = ErrorQuery {
        trace: q.trace()?,
        type_name: q.get("type").map(str::to_owned),
        site: q.get("site").map(str::to_owned),
        limit: q.limit(100, usize::MAX)?,
    };
    let view = {
        let groups = lock(&app.state.error_groups);
        let errors = lock(&app.state.errors);
        ErrorList::of(&errors, &lock(&app.state.pinned_errors), &groups, &query)
    };
    Ok(json(StatusCode::OK, &view))
}
