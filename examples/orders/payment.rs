//! Payments: charging the card through the payment gateway, a separate
//! HTTP service (see `gateway.rs`) called through `omniscope_http`'s
//! client instrumentation, which records the CLIENT span and carries the
//! trace to the gateway.

use std::error::Error;
use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use omniscope::metrics::{Key, LazyHistogram, MetricMeta, Unit};
use omniscope_http::UrlTemplate;
use reqwest_middleware::ClientWithMiddleware;

use crate::gateway::{Charge, CHARGES};

pub(crate) use crate::gateway::DECLINED_CARD;

/// How long the gateway gets to answer, in milliseconds.
const GATEWAY_TIMEOUT_MS: u64 = 80;

/// How long each call to the gateway took, answered or not.
static GATEWAY_DURATION: LazyHistogram = LazyHistogram::with_meta(
    Key::from_static("payment.gateway.duration", &[]),
    MetricMeta::new(Unit::SECONDS, "Duration of calls to the payment gateway"),
);

/// Why a card could not be charged.
#[derive(Debug)]
pub(crate) enum PaymentError {
    /// The bank said no (the user may try another card).
    Declined,
    /// The gateway did not answer in time.
    GatewayTimeout {
        after: Duration,
        source: reqwest_middleware::Error,
    },
    /// The gateway could not be reached, or answered with an error.
    Gateway(GatewayError),
}

/// What went wrong with the gateway, other than a timeout.
#[derive(Debug)]
pub(crate) enum GatewayError {
    /// It answered with this status.
    Status(StatusCode),
    /// The request failed.
    Request(reqwest_middleware::Error),
}

impl PaymentError {
    pub(crate) fn is_user_error(&self) -> bool {
        matches!(self, PaymentError::Declined)
    }

    pub(crate) fn reason(&self) -> &'static str {
        match self {
            PaymentError::Declined => "card_declined",
            PaymentError::GatewayTimeout { .. } => "payment_timeout",
            PaymentError::Gateway(_) => "payment_unavailable",
        }
    }
}

impl fmt::Display for PaymentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentError::Declined => f.write_str("the card was declined"),
            PaymentError::GatewayTimeout { after, .. } => write!(
                f,
                "the payment gateway did not answer within {} ms",
                after.as_millis()
            ),
            PaymentError::Gateway(GatewayError::Status(status)) => {
                write!(f, "the payment gateway answered {status}")
            }
            PaymentError::Gateway(GatewayError::Request(_)) => {
                f.write_str("the payment gateway could not be reached")
            }
        }
    }
}

impl Error for PaymentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PaymentError::Declined | PaymentError::Gateway(GatewayError::Status(_)) => None,
            PaymentError::GatewayTimeout { source, .. }
            | PaymentError::Gateway(GatewayError::Request(source)) => Some(source),
        }
    }
}

/// The payment gateway's client.
#[derive(Debug)]
pub(crate) struct Payments {
    client: ClientWithMiddleware,
    charges: String,
}

impl Payments {
    /// A client of the gateway at `gateway`.
    ///
    /// # Errors
    ///
    /// The HTTP client could not be built.
    pub(crate) fn new(gateway: SocketAddr) -> Result<Payments, PaymentsClientError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(GATEWAY_TIMEOUT_MS))
            .build()
            .map_err(PaymentsClientError::Http)?;
        // `omniscope_http::client(client)` is the one line; this one also
        // names the service called (`peer.service`).
        let instrumentation = omniscope_http::ClientLayer::builder()
            .with_peer_service("payments")
            .build_reqwest()
            .map_err(PaymentsClientError::Instrumentation)?;
        Ok(Payments {
            client: reqwest_middleware::ClientBuilder::new(client)
                .with(instrumentation)
                .build(),
            charges: format!("http://{gateway}{CHARGES}"),
        })
    }

    /// Charges `cents` to `card` (never recorded).
    #[omniscope::instrument(name = "charge_payment", skip(card))]
    pub(crate) async fn charge(&self, cents: u64, card: &str) -> Result<(), PaymentError> {
        let started = Instant::now();
        let answer = self.call_gateway(cents, card).await;
        GATEWAY_DURATION.record_duration(started.elapsed());
        answer
    }

    async fn call_gateway(&self, cents: u64, card: &str) -> Result<(), PaymentError> {
        let charge = Charge {
            cents,
            card: card.to_owned(),
        };
        let body = serde_json::to_string(&charge).unwrap_or_default();
        let sent = self
            .client
            .post(&self.charges)
            .header("content-type", "application/json")
            .body(body)
            // Names the client span `POST /v1/charges`, as the route does.
            .with_extension(UrlTemplate::new(CHARGES))
            .send()
            .await;
        match sent {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) if answer.status() == StatusCode::PAYMENT_REQUIRED => {
                Err(PaymentError::Declined)
            }
            Ok(answer) => Err(PaymentError::Gateway(GatewayError::Status(answer.status()))),
            Err(source) if is_timeout(&source) => Err(PaymentError::GatewayTimeout {
                after: Duration::from_millis(GATEWAY_TIMEOUT_MS),
                source,
            }),
            Err(source) => Err(PaymentError::Gateway(GatewayError::Request(source))),
        }
    }
}

/// Why the gateway's client could not be built.
#[derive(Debug)]
pub(crate) enum PaymentsClientError {
    Http(reqwest::Error),
    Instrumentation(omniscope_http::BuildError),
}

impl fmt::Display for PaymentsClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PaymentsClientError::Http(e) => e.fmt(f),
            PaymentsClientError::Instrumentation(e) => e.fmt(f),
        }
    }
}

/// Transparent: the same `Display`, and the inner error's sources.
impl Error for PaymentsClientError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PaymentsClientError::Http(e) => e.source(),
            PaymentsClientError::Instrumentation(e) => e.source(),
        }
    }
}

fn is_timeout(error: &reqwest_middleware::Error) -> bool {
    matches!(error, reqwest_middleware::Error::Reqwest(e) if e.is_timeout())
}
