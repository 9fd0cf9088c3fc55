//! The payment gateway: a separate HTTP service, served on its own loopback
//! port (in this process, for the example's sake), that the order service
//! calls through `omniscope_http`'s client instrumentation, so every order's
//! trace crosses a real HTTP hop. The simulated latency and failures live
//! here: it answers in 20–75 ms, declines one test card, and now and then
//! hangs past its callers' timeout.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use crate::sim::Sim;

/// The route that charges a card.
pub(crate) const CHARGES: &str = "/v1/charges";

/// The card the gateway always declines (a valid number otherwise).
pub(crate) const DECLINED_CARD: &str = "4000 0000 0000 0002";

/// How long a hung charge takes to give up: well past any caller's timeout.
const HANG: Duration = Duration::from_millis(400);

/// A charge, as the order service sends it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Charge {
    pub(crate) cents: u64,
    pub(crate) card: String,
}

/// Starts the gateway on a free loopback port; it serves until the runtime
/// stops.
pub(crate) async fn start(sim: Sim) -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let router = Router::new()
        .route(CHARGES, post(charge))
        .layer(omniscope_http::server())
        .with_state(Arc::new(sim));
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            omniscope::error!("the payment gateway stopped"; error = &e as &dyn std::error::Error);
        }
    });
    Ok(addr)
}

async fn charge(State(sim): State<Arc<Sim>>, Json(charge): Json<Charge>) -> StatusCode {
    if sim.chance(sim.faults().gateway_timeout) {
        // Real time even when latency is simulated away: the caller's
        // timeout is what this fault exercises.
        tokio::time::sleep(HANG).await;
        return StatusCode::GATEWAY_TIMEOUT;
    }
    sim.delay(20..=75).await;
    if charge.card == DECLINED_CARD {
        StatusCode::PAYMENT_REQUIRED
    } else {
        StatusCode::OK
    }
}
