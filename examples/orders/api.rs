//! The HTTP edge: routes, one server span per request (`omniscope_http`'s
//! server layer: the caller's trace continued, the HTTP conventions'
//! attributes and metrics), and the mapping of errors to answers — user
//! errors become a 4xx, internal ones are reported with
//! `omniscope::handle_error` and become a 503.

use std::error::Error;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use omniscope::{debug, error, info};
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
        .layer(middleware::map_response(trace_id_header))
        // Last, so outermost: the request span (its attributes, status and
        // `http.server.request.duration`) covers everything inside.
        .layer(omniscope_http::server())
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

/// The trace id in a response header, for the caller. Runs inside the
/// request span that `omniscope_http::server()` started around it.
async fn trace_id_header(mut response: Response) -> Response {
    if let Some((trace_id, _)) = omniscope::context::current_ids() {
        if let Ok(value) = HeaderValue::from_str(&trace_id.to_string()) {
            response.headers_mut().insert(TRACE_ID_HEADER, value);
        }
    }
    response
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
        | OrderError::Payment(PaymentError::GatewayTimeout { .. } | PaymentError::Gateway(_)) => {
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// `error: cause: cause…`, for logs and user-facing messages.
fn chain(e: &(dyn Error + 'static)) -> String {
    omniscope::error_chain(e).join(": ")
}
