//! The service end to end, in-process: real HTTP over loopback, with the
//! SDK installed once for this test binary and exporting to memory. Each
//! test starts its own service and reads back only its own traces.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use omniscope::{SpanKind, Status, TraceId};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::logs::{LogData, SdkLogger};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData};
use omniscope_sdk::{Sdk, SdkErrors, SdkGuard};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::api::{self, TRACE_ID_HEADER};
use crate::args::Args;
use crate::load::LoadGenerator;
use crate::payment::DECLINED_CARD;
use crate::sim::{Faults, Sim};

/// How long to wait for something that happens in the background.
const PATIENCE: Duration = Duration::from_secs(10);

const NO_FAULTS: Faults = Faults {
    inventory_down: 0.0,
    out_of_stock: 0.0,
    gateway_timeout: 0.0,
    carrier_down: 0.0,
};

struct Telemetry {
    guard: SdkGuard,
    spans: InMemoryHandle<SpanData>,
    logs: InMemoryHandle<LogData>,
    errors: InMemoryHandle<ErrorEvent>,
}

/// The SDK, installed on first use (globals are set once per process).
fn telemetry() -> &'static Telemetry {
    static TELEMETRY: OnceLock<Telemetry> = OnceLock::new();
    TELEMETRY.get_or_init(|| {
        let (spans, span_handle) = InMemoryExporter::new();
        let (logs, log_handle) = InMemoryExporter::new();
        let (errors, error_handle) = InMemoryExporter::new();
        let guard = Sdk::builder()
            .with_tracer(
                SdkTracer::builder()
                    .with_sampler(Sampler::AlwaysOn)
                    .with_exporter(Box::new(spans)),
            )
            .with_logger(
                SdkLogger::builder()
                    .with_filter("info")
                    .with_exporter(Box::new(logs)),
            )
            .with_errors(SdkErrors::builder().with_reporter(Box::new(errors)))
            .install()
            .expect("the SDK installs");
        Telemetry {
            guard,
            spans: span_handle,
            logs: log_handle,
            errors: error_handle,
        }
    })
}

impl Telemetry {
    fn flush(&self) {
        self.guard
            .sdk()
            .flush(Instant::now() + PATIENCE)
            .expect("telemetry flushed");
    }

    /// The spans of `trace`, once `until` holds for them.
    async fn trace(&self, trace: TraceId, until: impl Fn(&[SpanData]) -> bool) -> Vec<SpanData> {
        eventually(|| {
            self.flush();
            let spans: Vec<_> = self
                .spans
                .items()
                .into_iter()
                .filter(|s| s.context.trace_id() == trace)
                .collect();
            until(&spans).then_some(spans)
        })
        .await
    }
}

/// Polls `check` until it returns something, for up to [`PATIENCE`].
async fn eventually<T>(check: impl Fn() -> Option<T>) -> T {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check() {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "gave up waiting after {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A service on a free port, without simulated latency.
struct Service {
    addr: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// An answer: status, trace id header, JSON body.
struct Answer {
    status: StatusCode,
    trace_id: TraceId,
    body: Value,
}

impl Service {
    async fn start(faults: Faults) -> Service {
        telemetry();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sim = Sim::new(1).with_faults(faults).without_latency();
        let (service, _shipper) = crate::build_service(&sim).await.unwrap();
        tokio::spawn(async move { axum::serve(listener, api::router(service)).await });
        let client = Client::builder(TokioExecutor::new()).build_http();
        Service { addr, client }
    }

    async fn call(&self, method: Method, path: &str, body: &str) -> Answer {
        let request = Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr))
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body.to_owned())))
            .unwrap();
        let response = self.client.request(request).await.unwrap();
        let status = response.status();
        let trace_id = response.headers()[TRACE_ID_HEADER]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            trace_id,
            body,
        }
    }

    async fn create(&self, order: &Value) -> Answer {
        self.call(Method::POST, "/orders", &order.to_string()).await
    }
}

fn order(card: &str) -> Value {
    json!({
        "customer": "ada",
        "items": [{ "sku": "mug", "qty": 2 }],
        "card": card,
        "channel": "web",
    })
}

fn span<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name:?} in {spans:#?}"))
}

fn is_child(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == Some(parent.context.span_id())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_is_one_trace_of_nested_spans_then_ships_in_a_linked_trace() {
    let service = Service::start(NO_FAULTS).await;
    let created = service.create(&order("4242 4242 4242 4242")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["total_cents"], 2 * 899);

    let spans = telemetry()
        .trace(created.trace_id, |s| {
            s.iter().any(|s| s.parent_span_id.is_none())
        })
        .await;
    let root = span(&spans, "POST /orders");
    assert_eq!((root.kind, root.parent_span_id), (SpanKind::Server, None));
    assert_eq!(
        root.attributes
            .get("http.response.status_code")
            .map(|v| v.to_string()),
        Some("201".into())
    );
    let create = span(&spans, "create_order");
    assert!(is_child(create, root));
    for step in ["validate", "reserve_inventory", "charge_payment"] {
        assert!(
            is_child(span(&spans, step), create),
            "{step} is a child of create_order"
        );
    }
    // The charge crosses a real HTTP hop: the gateway's server span is a
    // child of the client span, in the same trace.
    let of_kind = |kind: SpanKind| {
        spans
            .iter()
            .find(|s| s.name == "POST /v1/charges" && s.kind == kind)
            .unwrap_or_else(|| panic!("no {kind:?} span POST /v1/charges in {spans:#?}"))
    };
    let (charge_client, charge_server) = (of_kind(SpanKind::Client), of_kind(SpanKind::Server));
    assert!(is_child(charge_client, span(&spans, "charge_payment")));
    assert!(is_child(charge_server, charge_client));
    assert!(charge_server.parent_is_remote);

    let id = created.body["id"].as_u64().unwrap();
    let fetched = service
        .call(Method::GET, &format!("/orders/{id}"), "")
        .await;
    assert_eq!(
        (fetched.status, &fetched.body["id"]),
        (StatusCode::OK, &json!(id))
    );
    let listed = service.call(Method::GET, "/orders", "").await;
    assert!(listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["id"] == json!(id)));

    // The shipment: a trace of its own, linked to create_order.
    let shipment = eventually(|| {
        telemetry().flush();
        let spans = telemetry().spans.items();
        spans
            .into_iter()
            .find(|s| s.name == "shipment" && s.links.iter().any(|l| l.context == create.context))
    })
    .await;
    assert_ne!(shipment.context.trace_id(), created.trace_id);
    let shipped = telemetry()
        .trace(shipment.context.trace_id(), |s| s.len() == 2)
        .await;
    assert!(is_child(span(&shipped, "ship_order"), &shipment));
    let fetched = service
        .call(Method::GET, &format!("/orders/{id}"), "")
        .await;
    assert_eq!(fetched.body["status"], "shipped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_errors_are_4xx_logged_and_never_reported() {
    let service = Service::start(NO_FAULTS).await;
    let out_of_stock = Service::start(Faults {
        out_of_stock: 1.0,
        ..NO_FAULTS
    })
    .await;
    let mut bad_qty = order("4242 4242 4242 4242");
    bad_qty["items"][0]["qty"] = json!(0);
    let answers = [
        (
            service.create(&bad_qty).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            service.call(Method::POST, "/orders", "{\"customer\"").await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
        (
            service.create(&order(DECLINED_CARD)).await,
            StatusCode::PAYMENT_REQUIRED,
            "card_declined",
        ),
        (
            out_of_stock.create(&order("4242 4242 4242 4242")).await,
            StatusCode::CONFLICT,
            "out_of_stock",
        ),
        (
            service.call(Method::GET, "/orders/999", "").await,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            service.call(Method::GET, "/orders/abc", "").await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        ),
    ];
    for (answer, status, error) in &answers {
        assert_eq!(
            (answer.status, answer.body["error"].as_str()),
            (*status, Some(*error)),
            "{}",
            answer.body
        );
    }

    let declined = &answers[2].0;
    eventually(|| {
        telemetry().flush();
        let logs = telemetry().logs.items();
        logs.iter()
            .find(|l| l.trace_id == Some(declined.trace_id) && l.message == "order rejected")
            .map(|_| ())
    })
    .await;
    let ours: HashSet<_> = answers.iter().map(|(a, ..)| a.trace_id).collect();
    telemetry().flush();
    let reported = telemetry().errors.items();
    assert!(
        !reported
            .iter()
            .any(|e| e.trace_id.is_some_and(|t| ours.contains(&t))),
        "{reported:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_errors_are_503_and_reported_with_their_chain() {
    let payments_down = Service::start(Faults {
        gateway_timeout: 1.0,
        ..NO_FAULTS
    })
    .await;
    let answer = payments_down.create(&order("4242 4242 4242 4242")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body["error"], "payment_timeout");
    assert_eq!(answer.body["trace_id"], answer.trace_id.to_string());
    assert!(
        !answer.body["message"].as_str().unwrap().contains("gateway"),
        "internals stay inside"
    );

    let event = eventually(|| {
        telemetry().flush();
        telemetry()
            .errors
            .items()
            .into_iter()
            .find(|e| e.trace_id == Some(answer.trace_id))
    })
    .await;
    let chain: Vec<_> = event.chain.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(
        chain[..2],
        [
            "could not charge the card",
            "the payment gateway did not answer within 80 ms",
        ],
        "{chain:?}"
    );
    // Then reqwest's own words for the timeout.
    assert!(
        chain[2..].iter().any(|m| m.contains("timed out")),
        "{chain:?}"
    );
    let spans = telemetry()
        .trace(answer.trace_id, |s| {
            s.iter().any(|s| s.parent_span_id.is_none())
        })
        .await;
    assert!(matches!(
        span(&spans, "POST /orders").status,
        Status::Error(_)
    ));
    assert!(matches!(
        span(&spans, "charge_payment").status,
        Status::Error(_)
    ));
    let charge = spans
        .iter()
        .find(|s| s.name == "POST /v1/charges" && s.kind == SpanKind::Client)
        .unwrap_or_else(|| panic!("no client span in {spans:#?}"));
    assert!(matches!(charge.status, Status::Error(_)));
    assert_eq!(
        charge.attributes.get("error.type").map(|v| v.to_string()),
        Some("timeout".into())
    );

    let inventory_down = Service::start(Faults {
        inventory_down: 1.0,
        ..NO_FAULTS
    })
    .await;
    let answer = inventory_down.create(&order("4242 4242 4242 4242")).await;
    assert_eq!(
        (answer.status, answer.body["error"].as_str()),
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("inventory_unavailable")
        )
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_load_generator_gets_answers() {
    let service = Service::start(Faults::default()).await;
    let generator = LoadGenerator::new(service.addr, 200, Sim::new(2));
    let watched = generator.tally();
    let enough = async move { eventually(|| (watched.answered() >= 40).then_some(())).await };
    let tally = generator.run(enough).await;
    assert!(tally.answered() >= 40, "{tally}");
    assert_eq!(tally.failed(), 0, "{tally}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_shuts_down_by_itself_after_run_for() {
    telemetry();
    let args = Args {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        load: 50,
        run_for: Some(Duration::from_millis(500)),
        ..Args::default()
    };
    let outcome = tokio::time::timeout(PATIENCE, crate::run(args, None)).await;
    assert!(matches!(outcome, Ok(Ok(()))), "did not shut down cleanly");
}
