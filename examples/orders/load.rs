//! The built-in load generator: a real HTTP client that sends `--load N`
//! requests per second to the service — creates (some invalid, some with
//! a declined card), gets (some of unknown orders) and lists — so that
//! the dashboard has something to show. It records no telemetry itself.

use std::error::Error;
use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use serde_json::json;
use tokio::task::JoinSet;
use tokio::time::{timeout, MissedTickBehavior};

use crate::payment::DECLINED_CARD;
use crate::sim::Sim;
use crate::validate::CATALOG;

/// Requests allowed in flight at once; beyond that, ticks are skipped.
const MAX_IN_FLIGHT: usize = 256;

/// How long one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

const CUSTOMERS: &[&str] = &["ada", "grace", "linus", "barbara", "ken", "margaret"];
const CHANNELS: &[&str] = &["web", "mobile", "api"];
const VALID_CARD: &str = "4242 4242 4242 4242";

type HttpClient = Client<HttpConnector, Full<Bytes>>;
type RequestError = Box<dyn Error + Send + Sync>;

/// What is wrong with a generated order, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flaw {
    None,
    ZeroQuantity,
    UnknownSku,
    BadCardNumber,
    DeclinedCard,
    BrokenJson,
}

/// How the answers went.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    success: AtomicU64,
    client_error: AtomicU64,
    server_error: AtomicU64,
    failed: AtomicU64,
    skipped: AtomicU64,
}

impl Tally {
    fn record(&self, outcome: &Result<StatusCode, RequestError>) {
        let counter = match outcome {
            Ok(s) if s.is_success() => &self.success,
            Ok(s) if s.is_client_error() => &self.client_error,
            Ok(_) => &self.server_error,
            Err(_) => &self.failed,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Answers of any status (not failed or skipped requests).
    #[cfg(test)]
    pub(crate) fn answered(&self) -> u64 {
        [&self.success, &self.client_error, &self.server_error]
            .iter()
            .map(|c| c.load(Ordering::Relaxed))
            .sum()
    }

    /// Requests that got no answer.
    #[cfg(test)]
    pub(crate) fn failed(&self) -> u64 {
        self.failed.load(Ordering::Relaxed)
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        write!(
            f,
            "{} answered 2xx, {} 4xx, {} 5xx; {} failed, {} skipped",
            n(&self.success),
            n(&self.client_error),
            n(&self.server_error),
            n(&self.failed),
            n(&self.skipped),
        )
    }
}

/// Sends requests to one service.
#[derive(Debug)]
pub(crate) struct LoadGenerator {
    client: HttpClient,
    base: String,
    per_second: u32,
    sim: Sim,
    last_order_id: AtomicU64,
    tally: Arc<Tally>,
}

impl LoadGenerator {
    /// A generator of `per_second` requests to the service listening on `addr`.
    pub(crate) fn new(addr: SocketAddr, per_second: u32, sim: Sim) -> LoadGenerator {
        // A service listening on every interface is reached through loopback.
        let target = if addr.ip().is_unspecified() {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), addr.port())
        } else {
            addr
        };
        LoadGenerator {
            client: Client::builder(TokioExecutor::new()).build_http(),
            base: format!("http://{target}"),
            per_second,
            sim,
            last_order_id: AtomicU64::new(0),
            tally: Arc::default(),
        }
    }

    /// The running count of answers.
    pub(crate) fn tally(&self) -> Arc<Tally> {
        self.tally.clone()
    }

    /// Sends requests until `stop` completes, then waits for those in
    /// flight; returns how the answers went.
    pub(crate) async fn run(self, stop: impl Future<Output = ()>) -> Arc<Tally> {
        let this = Arc::new(self);
        let mut tasks = JoinSet::new();
        let mut ticks = tokio::time::interval(Duration::from_secs(1) / this.per_second.max(1));
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => break,
                _ = ticks.tick() => {}
            }
            while tasks.try_join_next().is_some() {}
            if tasks.len() >= MAX_IN_FLIGHT {
                this.tally.skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            let generator = this.clone();
            tasks.spawn(async move { generator.one_request().await });
        }
        while tasks.join_next().await.is_some() {}
        this.tally()
    }

    async fn one_request(&self) {
        let outcome = match self.sim.between(0..=99) {
            0..=59 => self.create().await,
            60..=84 => self.get().await,
            _ => self
                .send(Method::GET, "/orders", String::new())
                .await
                .map(|(s, _)| s),
        };
        self.tally.record(&outcome);
    }

    async fn create(&self) -> Result<StatusCode, RequestError> {
        let (status, body) = self
            .send(Method::POST, "/orders", self.order_body())
            .await?;
        #[derive(Deserialize)]
        struct Created {
            id: u64,
        }
        if let Ok(created) = serde_json::from_slice::<Created>(&body) {
            self.last_order_id.fetch_max(created.id, Ordering::Relaxed);
        }
        Ok(status)
    }

    async fn get(&self) -> Result<StatusCode, RequestError> {
        let last = self.last_order_id.load(Ordering::Relaxed);
        // One get in ten asks for an order that does not exist.
        let id = if last == 0 || self.sim.chance(0.1) {
            last + 1000
        } else {
            self.sim.between(1..=last)
        };
        let (status, _) = self
            .send(Method::GET, &format!("/orders/{id}"), String::new())
            .await?;
        Ok(status)
    }

    /// A JSON order: valid four times out of five.
    fn order_body(&self) -> String {
        let flaw = match self.sim.between(0..=99) {
            0..=3 => Flaw::ZeroQuantity,
            4..=6 => Flaw::UnknownSku,
            7..=9 => Flaw::BadCardNumber,
            10..=17 => Flaw::DeclinedCard,
            18 => Flaw::BrokenJson,
            _ => Flaw::None,
        };
        if flaw == Flaw::BrokenJson {
            return r#"{"customer": "ada", "items": ["#.to_owned();
        }
        let mut items: Vec<(&str, u64)> = (0..self.sim.between(1..=3))
            .map(|_| {
                let sku = self.sim.pick(CATALOG).map_or("mug", |(sku, _)| *sku);
                (sku, self.sim.between(1..=3))
            })
            .collect();
        if let Some(first) = items.first_mut() {
            match flaw {
                Flaw::ZeroQuantity => first.1 = 0,
                Flaw::UnknownSku => first.0 = "yacht",
                _ => {}
            }
        }
        let items: Vec<_> = items
            .iter()
            .map(|(sku, qty)| json!({ "sku": sku, "qty": qty }))
            .collect();
        let card = match flaw {
            Flaw::BadCardNumber => "4242 4242 4242 4241",
            Flaw::DeclinedCard => DECLINED_CARD,
            _ => VALID_CARD,
        };
        json!({
            "customer": self.sim.pick(CUSTOMERS),
            "items": items,
            "card": card,
            "channel": self.sim.pick(CHANNELS),
        })
        .to_string()
    }

    /// Sends one request; returns the status and the body.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: String,
    ) -> Result<(StatusCode, Bytes), RequestError> {
        let request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)))?;
        let exchange = async {
            let response = self.client.request(request).await?;
            let status = response.status();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, RequestError>((status, body))
        };
        timeout(REQUEST_TIMEOUT, exchange).await?
    }
}
