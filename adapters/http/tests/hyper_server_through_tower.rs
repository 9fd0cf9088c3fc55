//! A plain hyper server (HTTP/1.1 and HTTP/2) with the layer applied
//! through tower: no router, so the span is named by the method; the
//! protocol version and host come from the request as hyper parsed it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::convert::Infallible;

use bytes::Bytes;
use common::{attr, runtime, telemetry};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::service::TowerToHyperService;
use omniscope::SpanKind;
use tower::ServiceBuilder;

async fn hello(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let status = if request.uri().path() == "/broken" {
        500
    } else {
        200
    };
    let mut response = Response::new(Full::new(Bytes::from_static(b"hello")));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    Ok(response)
}

fn serve() -> std::net::SocketAddr {
    let listener = runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let service = ServiceBuilder::new()
        .layer(omniscope_http::server())
        .service_fn(hello);
    runtime().spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let service = TowerToHyperService::new(service.clone());
            tokio::spawn(async move {
                let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    addr
}

#[test]
fn hyper_http1_and_http2_requests_get_server_spans() {
    let t = telemetry();
    let addr = serve();
    runtime().block_on(async {
        let http1 = Client::builder(TokioExecutor::new()).build_http::<Empty<Bytes>>();
        let uri: hyper::Uri = format!("http://{addr}/items?id=3").parse().unwrap();
        let response = http1.get(uri).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.into_body().collect().await.unwrap().to_bytes(),
            "hello"
        );

        let http2 = Client::builder(TokioExecutor::new())
            .http2_only(true)
            .build_http::<Empty<Bytes>>();
        let uri: hyper::Uri = format!("http://{addr}/broken").parse().unwrap();
        let response = http2.get(uri).await.unwrap();
        assert_eq!(response.status(), 500);
        response.into_body().collect().await.unwrap();
    });

    let span = t.wait_span(|s| attr(s, "url.path").as_deref() == Some("/items"));
    assert_eq!((span.name.as_ref(), span.kind), ("GET", SpanKind::Server));
    assert_eq!(
        attr(&span, "network.protocol.version").as_deref(),
        Some("1.1")
    );
    assert_eq!(attr(&span, "url.query").as_deref(), Some("id=3"));
    assert_eq!(attr(&span, "server.address").as_deref(), Some("127.0.0.1"));
    assert_eq!(
        attr(&span, "http.response.status_code").as_deref(),
        Some("200")
    );
    assert_eq!(attr(&span, "http.route"), None);
    assert_eq!(span.parent_span_id, None);

    let span = t.wait_span(|s| attr(s, "url.path").as_deref() == Some("/broken"));
    assert_eq!(
        attr(&span, "network.protocol.version").as_deref(),
        Some("2")
    );
    assert_eq!(
        attr(&span, "server.port").as_deref(),
        Some(addr.port().to_string().as_str())
    );
    assert_eq!(attr(&span, "error.type").as_deref(), Some("500"));
    let labels = [
        ("http.request.method", "GET"),
        ("http.response.status_code", "500"),
        ("error.type", "500"),
        ("url.scheme", "http"),
        ("network.protocol.version", "2"),
    ];
    let duration = t.histogram("http.server.request.duration", &labels);
    assert_eq!(
        duration.map(|h| h.count),
        Some(1),
        "{:#?}",
        t.series_of("http.server.request.duration")
    );
}
