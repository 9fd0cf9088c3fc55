//! Sending the envelopes the `sentry` client builds, from the SDK's
//! pipeline thread.
//!
//! The `sentry` client prepares each event (sample rate, `before_send`,
//! pending client reports) and hands the envelope to its transport. Ours,
//! [`Outbox`], only keeps it, so that the reporter sends it at once on its
//! pipeline thread through [`Sender`]: sentry's own transports would queue
//! it again behind a second, fixed-size channel whose drops omniscope could
//! not count. [`Sender`] does what sentry's ureq transport does — the DSN's
//! envelope URL and `X-Sentry-Auth`, sentry's [`RateLimiter`] fed by
//! `X-Sentry-Rate-Limits`, `Retry-After` and 429, losses recorded for
//! sentry's client reports — and reports each outcome, so that the SDK
//! pipeline counts it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sentry::client_report::{Reason as LossReason, Recorder};
use sentry::protocol::Event;
use sentry::transports::{RateLimiter, RateLimitingCategory};
use sentry::types::Dsn;
use sentry::{Envelope, Transport, TransportFactory, TransportOptions};

/// Where the client's transport leaves envelopes for the reporter.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    envelopes: Mutex<Vec<Envelope>>,
    recorder: Mutex<Option<Recorder>>,
}

impl Outbox {
    /// The envelopes left since the last call.
    pub(crate) fn take(&self) -> Vec<Envelope> {
        std::mem::take(&mut *omniscope::sync::lock(&self.envelopes))
    }

    /// The client's loss recorder (client reports), once the client exists.
    pub(crate) fn recorder(&self) -> Recorder {
        omniscope::sync::lock(&self.recorder)
            .clone()
            .unwrap_or_default()
    }
}

/// The transport factory given to the `sentry` client.
#[derive(Debug, Clone)]
pub(crate) struct OutboxFactory(pub(crate) Arc<Outbox>);

/// The transport: keeps envelopes in the outbox.
#[derive(Debug)]
struct OutboxTransport(Arc<Outbox>);

impl Transport for OutboxTransport {
    fn send_envelope(&self, envelope: Envelope) {
        omniscope::sync::lock(&self.0.envelopes).push(envelope);
    }
}

impl TransportFactory for OutboxFactory {
    fn create_transport_with_options(&self, options: TransportOptions) -> Arc<dyn Transport> {
        *omniscope::sync::lock(&self.0.recorder) = Some(options.client_report_recorder);
        Arc::new(OutboxTransport(self.0.clone()))
    }
}

/// What became of one envelope.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server took it.
    Sent,
    /// Dropped: the server rate-limits errors (answered 429 now, or earlier
    /// for a time that has not passed).
    RateLimited,
    /// Not delivered: the server answered with an error.
    Failed(String),
    /// Not delivered: no answer (refused connection, timeout, no time left).
    Unreachable(String),
}

/// Posts envelopes to the DSN's envelope endpoint, honouring rate limits.
pub(crate) struct Sender {
    agent: ureq::Agent,
    url: String,
    auth: String,
    limits: RateLimiter,
    timeout: Duration,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The auth header holds the DSN's key: left out.
        f.debug_struct("Sender")
            .field("url", &self.url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// A sender to `dsn`, each request bounded by `timeout`.
    pub(crate) fn new(dsn: &Dsn, user_agent: &str, timeout: Duration) -> Sender {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .provider(ureq::tls::TlsProvider::Rustls)
                    .build(),
            )
            .build()
            .new_agent();
        Sender {
            agent,
            url: dsn.envelope_api_url().to_string(),
            auth: dsn.to_auth(Some(user_agent)).to_string(),
            limits: RateLimiter::new(),
            timeout,
        }
    }

    /// The longest a post may take.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Whether errors are rate-limited now: the time left if so.
    pub(crate) fn errors_limited(&self) -> Option<Duration> {
        self.limits.is_disabled(RateLimitingCategory::Error)
    }

    /// Records an error event dropped before it was built (rate limit in
    /// force) for sentry's client reports.
    pub(crate) fn record_backoff(recorder: &Recorder) {
        recorder.record_lost_data(&Event::default(), LossReason::RatelimitBackoff);
    }

    /// Posts `envelope`, by `deadline` at the latest.
    pub(crate) fn send(
        &mut self,
        envelope: Envelope,
        recorder: &Recorder,
        deadline: Instant,
    ) -> Outcome {
        if self.errors_limited().is_some() {
            recorder.record_lost_data(&envelope, LossReason::RatelimitBackoff);
            return Outcome::RateLimited;
        }
        let mut body = Vec::new();
        if let Err(e) = envelope.to_writer(&mut body) {
            recorder.record_lost_data(&envelope, LossReason::InternalError);
            return Outcome::Failed(format!("cannot serialize a Sentry envelope: {e}"));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            recorder.record_lost_data(&envelope, LossReason::NetworkError);
            return Outcome::Unreachable(format!("no time left to send to {}", self.url));
        }
        let response = self
            .agent
            .post(&self.url)
            .header("X-Sentry-Auth", &self.auth)
            .header("Content-Type", "application/x-sentry-envelope")
            .config()
            .timeout_global(Some(left.min(self.timeout)))
            .build()
            .send(&body[..]);
        let mut response = match response {
            Ok(response) => response,
            Err(e) => {
                recorder.record_lost_data(&envelope, LossReason::NetworkError);
                return Outcome::Unreachable(omniscope::error::chain_message(
                    format!("cannot send to {}", self.url),
                    &e,
                ));
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let status = response.status().as_u16();
        if let Some(limits) = header("x-sentry-rate-limits") {
            self.limits.update_from_sentry_header(&limits);
        } else if let Some(after) = header("retry-after") {
            self.limits.update_from_retry_after(&after);
        } else if status == 429 {
            self.limits.update_from_429();
        }
        // Read (a bounded part of) the answer, so that the connection can
        // be used again, and keep it for the message.
        let text = response
            .body_mut()
            .with_config()
            .limit(4096)
            .read_to_string()
            .unwrap_or_default();
        match status {
            200..=299 => Outcome::Sent,
            // The server counts what it rate-limits itself: no client report.
            429 => Outcome::RateLimited,
            _ => {
                recorder.record_lost_data(&envelope, LossReason::SendError);
                let text: String = text.chars().take(200).collect();
                Outcome::Failed(format!("{} answered {status}: {}", self.url, text.trim()))
            }
        }
    }
}
