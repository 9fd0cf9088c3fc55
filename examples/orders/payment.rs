//! Payments: charging the card through a (simulated) gateway that answers
//! in 20–80 ms, declines one test card, and sometimes times out.

use std::error::Error;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};

use omniscope::metrics::{Key, LazyHistogram, MetricMeta, Unit};
use omniscope::{span, FutureExt, SpanKind};

use crate::sim::Sim;

/// The card the gateway always declines (a valid number otherwise).
pub(crate) const DECLINED_CARD: &str = "4000 0000 0000 0002";

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
    GatewayTimeout { after: Duration, source: io::Error },
}

impl PaymentError {
    pub(crate) fn is_user_error(&self) -> bool {
        matches!(self, PaymentError::Declined)
    }

    pub(crate) fn reason(&self) -> &'static str {
        match self {
            PaymentError::Declined => "card_declined",
            PaymentError::GatewayTimeout { .. } => "payment_timeout",
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
        }
    }
}

impl Error for PaymentError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            PaymentError::Declined => None,
            PaymentError::GatewayTimeout { source, .. } => Some(source),
        }
    }
}

/// The payment gateway's client.
#[derive(Debug)]
pub(crate) struct Payments {
    sim: Sim,
}

impl Payments {
    pub(crate) fn new(sim: Sim) -> Payments {
        Payments { sim }
    }

    /// Charges `cents` to `card` (never recorded).
    #[omniscope::instrument(name = "charge_payment", skip(card))]
    pub(crate) async fn charge(&self, cents: u64, card: &str) -> Result<(), PaymentError> {
        let declined = card == DECLINED_CARD;
        let started = Instant::now();
        // The remote call is a child span of its own, as an HTTP client
        // layer would record it.
        let answer = self
            .call_gateway(declined)
            .in_span(span!(kind: SpanKind::Client, "POST /v1/charges",
                server.address = "payments.example"))
            .await;
        GATEWAY_DURATION.record_duration(started.elapsed());
        answer
    }

    async fn call_gateway(&self, declined: bool) -> Result<(), PaymentError> {
        if self.sim.chance(self.sim.faults().gateway_timeout) {
            self.sim
                .delay(GATEWAY_TIMEOUT_MS..=GATEWAY_TIMEOUT_MS)
                .await;
            let source = io::Error::new(io::ErrorKind::TimedOut, "read timed out");
            return Err(PaymentError::GatewayTimeout {
                after: Duration::from_millis(GATEWAY_TIMEOUT_MS),
                source,
            });
        }
        self.sim.delay(20..=75).await;
        if declined {
            return Err(PaymentError::Declined);
        }
        Ok(())
    }
}
