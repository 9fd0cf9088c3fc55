//! A small tonic service (a hand-written prost message and a codegen-free
//! service, so no `protoc` is needed) behind `omniscope_http::server()`,
//! called through a tonic `Channel` wrapped in
//! `omniscope_http::client_layer()`: the spans follow the RPC conventions
//! (`{package.Service}/{Method}`, `rpc.system`, `rpc.service`,
//! `rpc.method`, `rpc.grpc.status_code` from the trailers or a
//! trailers-only answer), the server fails only on the codes that mean it
//! failed while the client fails on every code but OK, the client span is
//! the server span's parent, and `rpc.server.duration` /
//! `rpc.client.duration` are recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::{attr, runtime, telemetry};
use omniscope::{SpanKind, Status};
use tonic::codegen::http;
use tonic::server::NamedService;
use tonic::transport::{Channel, Server};
use tonic_prost::ProstCodec;
use tower::ServiceBuilder;

#[derive(Clone, PartialEq, prost::Message)]
struct ChargeRequest {
    #[prost(uint64, tag = "1")]
    amount: u64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ChargeReply {
    #[prost(string, tag = "1")]
    receipt: String,
}

/// `shop.v1.Payments`, with one method, `Charge`.
#[derive(Clone)]
struct Payments;

impl NamedService for Payments {
    const NAME: &'static str = "shop.v1.Payments";
}

async fn charge(
    request: tonic::Request<ChargeRequest>,
) -> Result<tonic::Response<ChargeReply>, tonic::Status> {
    match request.get_ref().amount {
        0 => Err(tonic::Status::invalid_argument("nothing to charge")),
        1001.. => Err(tonic::Status::internal("the gateway broke")),
        amount => Ok(tonic::Response::new(ChargeReply {
            receipt: format!("r-{amount}"),
        })),
    }
}

impl tower::Service<http::Request<tonic::body::Body>> for Payments {
    type Response = http::Response<tonic::body::Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        Box::pin(async move {
            if request.uri().path() != "/shop.v1.Payments/Charge" {
                return Ok(tonic::Status::unimplemented("no such method").into_http());
            }
            let mut grpc =
                tonic::server::Grpc::new(ProstCodec::<ChargeReply, ChargeRequest>::default());
            Ok(grpc.unary(tower::service_fn(charge), request).await)
        })
    }
}

async fn call(channel: Channel, amount: u64) -> Result<ChargeReply, tonic::Status> {
    let service = ServiceBuilder::new()
        .layer(omniscope_http::client_layer())
        .service(channel);
    let mut client = tonic::client::Grpc::new(service);
    client
        .ready()
        .await
        .map_err(|e| tonic::Status::unknown(e.to_string()))?;
    let path = http::uri::PathAndQuery::from_static("/shop.v1.Payments/Charge");
    let codec = ProstCodec::<ChargeRequest, ChargeReply>::default();
    client
        .unary(tonic::Request::new(ChargeRequest { amount }), path, codec)
        .await
        .map(tonic::Response::into_inner)
}

#[test]
fn grpc_calls_follow_the_rpc_conventions() {
    let t = telemetry();
    let listener = runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    runtime().spawn(
        Server::builder()
            .layer(omniscope_http::server())
            .add_service(Payments)
            .serve_with_incoming(tonic::transport::server::TcpIncoming::from(listener)),
    );

    runtime().block_on(async {
        let channel = Channel::from_shared(format!("http://{addr}"))
            .unwrap()
            .connect()
            .await
            .unwrap();
        assert_eq!(call(channel.clone(), 40).await.unwrap().receipt, "r-40");
        let invalid = call(channel.clone(), 0).await.unwrap_err();
        assert_eq!(invalid.code(), tonic::Code::InvalidArgument);
        let internal = call(channel, 5000).await.unwrap_err();
        assert_eq!(internal.code(), tonic::Code::Internal);
    });

    let server = |code: &'static str| {
        t.wait_span(move |s| {
            s.kind == SpanKind::Server && attr(s, "rpc.grpc.status_code").as_deref() == Some(code)
        })
    };
    let client = |code: &'static str| {
        t.wait_span(move |s| {
            s.kind == SpanKind::Client && attr(s, "rpc.grpc.status_code").as_deref() == Some(code)
        })
    };

    let (ok_server, ok_client) = (server("0"), client("0"));
    assert_eq!(ok_server.name, "shop.v1.Payments/Charge");
    assert_eq!(ok_client.name, "shop.v1.Payments/Charge");
    assert_eq!(ok_server.parent_span_id, Some(ok_client.context.span_id()));
    assert_eq!(ok_server.context.trace_id(), ok_client.context.trace_id());
    for span in [&ok_server, &ok_client] {
        assert_eq!(attr(span, "rpc.system").as_deref(), Some("grpc"));
        assert_eq!(
            attr(span, "rpc.service").as_deref(),
            Some("shop.v1.Payments")
        );
        assert_eq!(attr(span, "rpc.method").as_deref(), Some("Charge"));
        assert_eq!(
            attr(span, "http.request.method"),
            None,
            "RPC, not HTTP, attributes"
        );
        assert_eq!(span.status, Status::Unset);
    }

    // The server reads its address from `:authority`; tonic's `Channel`
    // adds the origin below the client layer, so the client span has none.
    assert_eq!(
        attr(&ok_server, "server.address").as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(
        attr(&ok_server, "network.protocol.version").as_deref(),
        Some("2")
    );

    // INVALID_ARGUMENT: the caller's fault, so only the client span fails.
    assert_eq!(server("3").status, Status::Unset);
    assert!(matches!(client("3").status, Status::Error(_)));
    // INTERNAL: both fail.
    assert!(matches!(server("13").status, Status::Error(_)));
    assert!(matches!(client("13").status, Status::Error(_)));

    for (name, code) in [("rpc.server.duration", "13"), ("rpc.client.duration", "0")] {
        let labels = [
            ("rpc.system", "grpc"),
            ("rpc.service", "shop.v1.Payments"),
            ("rpc.method", "Charge"),
            ("rpc.grpc.status_code", code),
        ];
        assert_eq!(
            t.histogram(name, &labels).map(|h| h.count),
            Some(1),
            "{name}: {:#?}",
            t.series_of(name)
        );
    }
}
