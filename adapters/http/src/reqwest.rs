//! The `reqwest-middleware` middleware (feature `reqwest`).

use std::sync::Arc;

use http::Extensions;
use omniscope::FutureExt;
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};

use crate::client::{self, ClientOptions, Outgoing, UrlTemplate};
use crate::exchange::Exchange;

/// Instruments a [`reqwest::Client`]: one CLIENT span per request (per
/// resend, with `http.request.resend_count`, when a retry middleware runs
/// before it), its context injected into the request's headers, the HTTP
/// client attributes, and `http.client.request.duration`. See
/// [`ClientLayer`](crate::ClientLayer) for what is recorded; here the span
/// ends when the response head arrives (reqwest owns the body).
///
/// Add a [`UrlTemplate`] to the request's extensions
/// (`RequestBuilder::with_extension`) to name the span by it.
///
/// # Examples
///
/// ```
/// let client = omniscope_http::client(reqwest::Client::new());
/// # let _ = client;
/// ```
#[derive(Clone, Default)]
pub struct ReqwestMiddleware {
    options: Arc<ClientOptions>,
}

impl std::fmt::Debug for ReqwestMiddleware {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReqwestMiddleware").finish_non_exhaustive()
    }
}

impl ReqwestMiddleware {
    pub(crate) fn new(options: Arc<ClientOptions>) -> ReqwestMiddleware {
        ReqwestMiddleware { options }
    }
}

/// `client` with [`ReqwestMiddleware`] (default options): the one line
/// for reqwest.
pub fn client(client: reqwest::Client) -> ClientWithMiddleware {
    reqwest_middleware::ClientBuilder::new(client)
        .with(ReqwestMiddleware::default())
        .build()
}

#[async_trait::async_trait]
impl Middleware for ReqwestMiddleware {
    async fn handle(
        &self,
        mut request: reqwest::Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        let resend = next_resend(extensions);
        let uri: Option<http::Uri> = request.url().as_str().parse().ok();
        let Some(uri) = uri else {
            // Not a URI `http` can parse: sent uninstrumented, as it was.
            return next.run(request, extensions).await;
        };
        let method = request.method().clone();
        let mut exchange: Exchange = client::start(
            Outgoing {
                method: &method,
                uri: &uri,
                headers: request.headers_mut(),
                template: extensions.get::<UrlTemplate>(),
                resend,
            },
            &self.options,
        );
        let sent = exchange.in_span(|| next.run(request, extensions).in_current_span());
        match sent.await {
            Ok(response) => {
                client::response(
                    &mut exchange,
                    &self.options,
                    response.status(),
                    response.version(),
                    response.headers(),
                );
                Ok(response)
            }
            Err(error) => {
                let kind = match &error {
                    reqwest_middleware::Error::Reqwest(e) if e.is_timeout() => "timeout".into(),
                    reqwest_middleware::Error::Reqwest(e) if e.is_connect() => "connect".into(),
                    other => omniscope::error::kind_label(other).into(),
                };
                exchange.failed(
                    kind,
                    &omniscope::error::chain_message(String::new(), &error),
                );
                Err(error)
            }
        }
    }
}

/// Keeps the resend count of a request across a retry loop that reuses
/// its extensions (reqwest-middleware does).
fn next_resend(extensions: &mut Extensions) -> u32 {
    #[derive(Clone, Copy)]
    struct Sent(u32);
    match extensions.get_mut::<Sent>() {
        Some(sent) => {
            sent.0 += 1;
            sent.0
        }
        None => {
            extensions.insert(Sent(0));
            0
        }
    }
}
