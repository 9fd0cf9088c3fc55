//! The HTTP edge: routes, one server span per request, and the mapping of
//! errors to answers — user errors become a 4xx, internal ones are
//! reported with `omniscope::handle_error` and become a 503.

use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{MatchedPath, Path, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use omniscope::metrics::{self, Key, Label, MetricMeta, Unit};
use omniscope::{debug, error, info, span, FutureExt, Instrumented, Span, SpanKind, Status};
use serde::Serialize;

use crate::error::OrderError;
use crate::inventory::InventoryError;
use crate::orders::{NewOrder, Order, Orders};
use crate::payment::PaymentError;

/// How many orders `GET /orders` returns.
const LIST_LIMIT: usize = 20;

/// The header that tells the caller which trace served the request.
pub(crate) const TRACE_ID_HEADER: &str = "x-trace-id";

/// The service's routes.
pub(crate) fn router(orders: Arc<Orders>) -> Router {
    Router::new()
        .route("/orders", post(create_order).get(list_orders))
        .route("/orders/{id}", get(get_order))
        .route("/healthz", get(|| async { "ok" }))
        // Outermost, so that the request span covers routing's answers too.
        .layer(middleware::from_fn(trace_request))
        .with_state(orders)
}

async fn create_order(
    State(orders): State<Arc<Orders>>,
    body: Result<Json<NewOrder>, JsonRejection>,
) -> Result<(StatusCode, Json<Order>), ApiError> {
    let Json(new) = body?;
    let order = orders.create_order(new).await?;
    Ok((StatusCode::CREATED, Json(order)))
}

async fn get_order(
    State(orders): State<Arc<Orders>>,
    id: Result<Path<u64>, PathRejection>,
) -> Result<Json<Order>, ApiError> {
    let Path(id) = id?;
    orders.get_order(id).map(Json).ok_or(ApiError::NotFound(id))
}

async fn list_orders(State(orders): State<Arc<Orders>>) -> Json<Vec<Order>> {
    Json(orders.list_orders(LIST_LIMIT))
}

/// `http.server.request.duration`: how long the server took to answer.
const REQUEST_DURATION: MetricMeta =
    MetricMeta::new(Unit::SECONDS, "Duration of HTTP server requests");

/// One server span per request (the root of its trace), the request
/// duration histogram, and the trace id in a response header.
async fn trace_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    // A `Span`, not the `!Send` guard `span!` returns: this future is `Send`.
    let span: Span = span!(kind: SpanKind::Server, "http_request",
        http.request.method = method.as_str(), http.route = route.as_str())
    .into();
    span.update_name(&format!("{method} {route}"));
    let started = Instant::now();
    let mut response = inside(&span, next.run(request)).await;
    record_duration(&span, [method.as_str(), &route], response.status(), started);
    record_response(&span, &mut response);
    response
}

/// OpenTelemetry's HTTP server metric, its name, unit and attributes as the
/// semantic conventions give them (Prometheus shows
/// `http_server_request_duration_seconds{http_request_method,…}`), recorded
/// inside the request's span, so that its exemplar is the request's trace.
fn record_duration(span: &Span, [method, route]: [&str; 2], status: StatusCode, started: Instant) {
    let _entered = span.as_context().cloned().map(omniscope::Context::attach);
    let labels = [
        Label::new("http.request.method", method),
        Label::new("http.route", route),
        Label::new("http.response.status_code", status.as_str()),
    ];
    metrics::histogram(
        &Key::new("http.server.request.duration", &labels),
        &REQUEST_DURATION,
    )
    .record_duration(started.elapsed());
}

/// The status on the span; the trace id in a header, for the caller.
fn record_response(span: &Span, response: &mut Response) {
    let status = response.status();
    span.set_attribute("http.response.status_code", i64::from(status.as_u16()));
    if status.is_server_error() {
        span.set_status(Status::error(status.to_string()));
    }
    if let Some(context) = span.context() {
        if let Ok(value) = HeaderValue::from_str(&context.trace_id().to_string()) {
            response.headers_mut().insert(TRACE_ID_HEADER, value);
        }
    }
}

/// Runs `future` inside `span` while the caller keeps the span, to record
/// the response on it afterwards (`in_span` would take it).
fn inside<F: Future>(span: &Span, future: F) -> Instrumented<F> {
    let _entered = span.as_context().cloned().map(omniscope::Context::attach);
    future.in_current_span()
}

/// Why a request failed.
#[derive(Debug)]
enum ApiError {
    /// The body or the path could not be parsed (axum chose the status).
    Rejected { status: StatusCode, message: String },
    /// No order has this id.
    NotFound(u64),
    /// Placing the order failed.
    Order(OrderError),
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        ApiError::Rejected {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::Rejected {
            status: rejection.status(),
            message: rejection.body_text(),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> ApiError {
        ApiError::Order(e)
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Serialize)]
struct ErrorBody {
    error: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<String>,
}

impl IntoResponse for ApiError {
    // Runs inside the request span, so logs and reports carry its trace id.
    fn into_response(self) -> Response {
        let (status, error, message) = match &self {
            ApiError::Rejected { status, message } => {
                debug!("request rejected"; error = message.as_str());
                (*status, "bad_request", message.clone())
            }
            ApiError::NotFound(id) => {
                (StatusCode::NOT_FOUND, "not_found", format!("no order {id}"))
            }
            ApiError::Order(e) if e.is_user_error() => {
                info!("order rejected"; reason = e.reason(), error = %chain(e));
                (status_of(e), e.reason(), chain(e))
            }
            ApiError::Order(e) => {
                error!("order failed"; reason = e.reason(), error = %chain(e));
                omniscope::handle_error(e);
                let message = "internal error: please retry later".to_owned();
                (status_of(e), e.reason(), message)
            }
        };
        let trace_id = omniscope::context::current_ids().map(|(trace, _)| trace.to_string());
        let body = ErrorBody {
            error,
            message,
            trace_id,
        };
        (status, Json(body)).into_response()
    }
}

/// The status for an order that could not be placed.
fn status_of(e: &OrderError) -> StatusCode {
    match e {
        OrderError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        OrderError::Inventory(InventoryError::OutOfStock { .. }) => StatusCode::CONFLICT,
        OrderError::Payment(PaymentError::Declined) => StatusCode::PAYMENT_REQUIRED,
        OrderError::Inventory(InventoryError::Unavailable(_))
        | OrderError::Payment(PaymentError::GatewayTimeout { .. }) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// `error: cause: cause…`, for logs and user-facing messages.
fn chain(e: &(dyn Error + 'static)) -> String {
    omniscope::error_chain(e).join(": ")
}
