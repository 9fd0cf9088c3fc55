//! [`MetricsService`]: the scrape endpoint as a `tower` service, to mount
//! in an axum or hyper router of the application's own. The built-in
//! listener answers through it too.

use std::convert::Infallible;
use std::fmt;
use std::future::{ready, Ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, ACCEPT, ACCEPT_ENCODING, ALLOW};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::{Resource, Sdk};
use omniscope_serve::with_type;

use crate::scrape::Exposition;

/// What a scrape reads: the meter, and the resource written as
/// `target_info`.
#[derive(Clone)]
pub(crate) struct Source {
    pub(crate) meter: SdkMeter,
    pub(crate) resource: Arc<Resource>,
}

impl Source {
    /// `sdk`'s meter and resource, with the process metrics registered on
    /// the meter (registering again replaces them, so this is idempotent).
    pub(crate) fn of(sdk: &Sdk) -> Source {
        omniscope_sdk::process::register(sdk.meter());
        Source {
            meter: sdk.meter().clone(),
            resource: sdk.resource().clone(),
        }
    }
}

/// The answer to a request for the metrics: a scrape for `GET` and `HEAD`,
/// `405 Method Not Allowed` for anything else.
fn respond(
    exposition: &Exposition,
    source: &Source,
    method: &Method,
    headers: &HeaderMap,
) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("method {method} not allowed: scrape the metrics with GET\n"),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    exposition
        .scrape(
            &source.meter.snapshot(),
            &source.resource,
            header(ACCEPT),
            header(ACCEPT_ENCODING),
        )
        .into_response()
}

/// A plain-text answer.
pub(crate) fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    with_type(status, "text/plain; charset=utf-8", body)
}

/// The scrape endpoint as a [`tower_service::Service`], from
/// [`Prometheus::service`](crate::Prometheus::service): mount it in your
/// own router, and it answers every `GET` and `HEAD` it receives with the
/// metrics (negotiating the format and gzip like the built-in listener),
/// and other methods with `405 Method Not Allowed`. Routing is the
/// router's job: the request's path is not looked at.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use axum::Router;
/// use omniscope_prometheus::Prometheus;
///
/// let sdk = omniscope_sdk::Sdk::builder().build()?;
/// let prometheus = Prometheus::builder().build()?;
/// let app: Router = Router::new().route_service("/metrics", prometheus.service(&sdk));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// axum::serve(listener, app).await?;
/// # Ok(())
/// # }
/// ```
///
/// A scrape renders on the calling task: it takes a snapshot of the meter
/// (which never makes recording threads wait) and writes the text, about
/// as long as [`Encoder::render`](crate::Encoder::render) takes for your
/// series (see the crate docs for figures).
#[derive(Clone)]
pub struct MetricsService {
    exposition: Exposition,
    source: Source,
}

impl MetricsService {
    pub(crate) fn new(exposition: Exposition, source: Source) -> MetricsService {
        MetricsService { exposition, source }
    }

    /// The answer to a request with this method and these headers.
    pub(crate) fn respond(&self, method: &Method, headers: &HeaderMap) -> Response<Full<Bytes>> {
        respond(&self.exposition, &self.source, method, headers)
    }
}

impl fmt::Debug for MetricsService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetricsService")
            .field("exposition", &self.exposition)
            .field("service", &self.source.resource.service_name())
            .finish_non_exhaustive()
    }
}

impl<B> tower_service::Service<Request<B>> for MetricsService {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Response<Full<Bytes>>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        ready(Ok(self.respond(request.method(), request.headers())))
    }
}
