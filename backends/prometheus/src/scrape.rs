//! [`Scrape`]: one answer to a scraper, in the format its `Accept` header
//! asked for and gzipped when its `Accept-Encoding` allows it; and
//! [`Exposition`], the settings that decide both.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{HeaderValue, CONTENT_ENCODING, VARY};
use hyper::{Response, StatusCode};
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::{Resource, Sdk};
use omniscope_serve::with_type;

use crate::encoder::Encoder;
use crate::format::Format;

/// Renders what `sdk`'s meter holds now for a scraper that sent these
/// `Accept` and `Accept-Encoding` headers, with the default settings
/// (OpenMetrics when asked for, gzip when accepted, the default
/// [`Encoder`]). [`Prometheus::scrape`](crate::Prometheus::scrape) does the
/// same with a configured endpoint's settings.
///
/// Use it to answer scrapes from an HTTP server of your own; the
/// [`MetricsService`](crate::MetricsService) does it for tower/axum routers.
///
/// ```
/// use omniscope_prometheus::{render_scrape, Format};
/// use omniscope_sdk::Sdk;
///
/// let sdk = Sdk::builder().build()?;
/// let scrape = render_scrape(&sdk, Some("application/openmetrics-text"), None);
/// assert_eq!(scrape.format(), Format::OpenMetrics);
/// assert_eq!(scrape.content_encoding(), None);
/// assert!(scrape.body().ends_with(b"# EOF\n"));
/// # Ok::<(), omniscope_sdk::BuildError>(())
/// ```
pub fn render_scrape(sdk: &Sdk, accept: Option<&str>, accept_encoding: Option<&str>) -> Scrape {
    Scrape::new(
        &sdk.meter().snapshot(),
        sdk.resource(),
        accept,
        accept_encoding,
    )
}

/// A rendered scrape: the body, and the headers to send it with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scrape {
    format: Format,
    gzip: bool,
    body: Vec<u8>,
}

impl Scrape {
    /// Renders `snapshot` and `resource` for a scraper that sent these
    /// `Accept` and `Accept-Encoding` headers, with the default settings,
    /// as [`render_scrape`] does for an SDK's meter. For snapshots changed
    /// on the way (the dashboard cuts long label values first), so that
    /// every `/metrics` negotiates the same way.
    ///
    /// ```
    /// use omniscope_prometheus::{Format, Scrape};
    /// use omniscope_sdk::metrics::MetricsSnapshot;
    /// use omniscope_sdk::Resource;
    ///
    /// let scrape = Scrape::new(&MetricsSnapshot::default(), &Resource::new("svc"), None, Some("gzip"));
    /// assert_eq!(scrape.format(), Format::Text004);
    /// assert_eq!(scrape.content_encoding(), Some("gzip"));
    /// ```
    pub fn new(
        snapshot: &MetricsSnapshot,
        resource: &Resource,
        accept: Option<&str>,
        accept_encoding: Option<&str>,
    ) -> Scrape {
        Exposition::default().scrape(snapshot, resource, accept, accept_encoding)
    }

    /// The format of the (uncompressed) body.
    pub fn format(&self) -> Format {
        self.format
    }

    /// The `Content-Type` header to send.
    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// The `Content-Encoding` header to send: `Some("gzip")` when the body
    /// is gzipped, `None` when it is plain text.
    pub fn content_encoding(&self) -> Option<&'static str> {
        self.gzip.then_some("gzip")
    }

    /// The body, as it goes on the wire (gzipped if
    /// [`content_encoding`](Scrape::content_encoding) says so).
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body, owned.
    pub fn into_body(self) -> Vec<u8> {
        self.body
    }

    /// A `200 OK` response with the body and its `Content-Type`,
    /// `Content-Encoding` and `Vary: Accept, Accept-Encoding` headers, and
    /// `Cache-Control: no-store` and `X-Content-Type-Options: nosniff` (as
    /// [`omniscope_serve::with_type`] sets them).
    pub fn into_response(self) -> Response<Full<Bytes>> {
        let content_type = self.content_type();
        let gzip = self.gzip;
        let mut response = with_type(StatusCode::OK, content_type, self.body);
        let headers = response.headers_mut();
        if gzip {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        headers.insert(VARY, HeaderValue::from_static("Accept, Accept-Encoding"));
        response
    }
}

/// How scrapes are answered: the encoder, whether OpenMetrics may be
/// negotiated, whether gzip may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Exposition {
    pub(crate) encoder: Encoder,
    pub(crate) openmetrics: bool,
    pub(crate) gzip: bool,
}

impl Default for Exposition {
    fn default() -> Exposition {
        Exposition {
            encoder: Encoder::new(),
            openmetrics: true,
            gzip: true,
        }
    }
}

impl Exposition {
    /// `snapshot` and `resource` as the scraper asked for them.
    pub(crate) fn scrape(
        &self,
        snapshot: &MetricsSnapshot,
        resource: &Resource,
        accept: Option<&str>,
        accept_encoding: Option<&str>,
    ) -> Scrape {
        let format = match self.openmetrics {
            true => Format::negotiate(accept),
            false => Format::Text004,
        };
        let text = self.encoder.render(snapshot, resource, format);
        if self.gzip && accepts_gzip(accept_encoding) {
            if let Some(body) = gzip(text.as_bytes()) {
                return Scrape {
                    format,
                    gzip: true,
                    body,
                };
            }
        }
        Scrape {
            format,
            gzip: false,
            body: text.into_bytes(),
        }
    }
}

/// `bytes`, gzipped at the fastest level: a scrape is frequent, and the
/// text compresses well even so. `None` only if the encoder failed, in
/// which case the caller sends the text as it is.
fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4 + 64),
        Compression::fast(),
    );
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// Whether an `Accept-Encoding` header allows gzip: `gzip` (or `x-gzip`)
/// with a quality above zero, or `*` above zero when gzip is not listed.
/// No header, or one that cannot be read, means no.
fn accepts_gzip(accept_encoding: Option<&str>) -> bool {
    let Some(header) = accept_encoding else {
        return false;
    };
    let (mut gzip, mut any) = (None, None);
    for item in header.split(',') {
        let mut params = item.split(';');
        let coding = params.next().unwrap_or_default().trim();
        let q = params
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
            .map_or(1.0, |(_, v)| v.trim().parse::<f64>().unwrap_or(0.0));
        let q = if q.is_nan() { 0.0 } else { q };
        if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            gzip = Some(gzip.map_or(q, |g: f64| g.max(q)));
        } else if coding == "*" {
            any = Some(q);
        }
    }
    match (gzip, any) {
        (Some(q), _) => q > 0.0,
        (None, Some(q)) => q > 0.0,
        (None, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn gzip_follows_accept_encoding() {
        let cases = [
            (None, false),
            (Some(""), false),
            (Some("gzip"), true),
            (Some("GZIP"), true),
            (Some("x-gzip"), true),
            (Some("deflate, gzip;q=1.0, *;q=0.5"), true),
            (Some("gzip;q=0"), false),
            (Some("gzip;q=0.0, *"), false),
            (Some("*"), true),
            (Some("*;q=0"), false),
            (Some("identity"), false),
            (Some("br, deflate"), false),
            (Some("gzip;q=nan"), false),
            (Some("gzip;q=oops"), false),
            (Some(";;,,=;q"), false),
        ];
        for (header, want) in cases {
            assert_eq!(accepts_gzip(header), want, "{header:?}");
        }
    }

    #[test]
    fn scrapes_negotiate_format_and_encoding() {
        let snapshot = MetricsSnapshot::default();
        let resource = Resource::new("svc");
        let exposition = Exposition::default();
        let om = "application/openmetrics-text; version=1.0.0";

        let plain = exposition.scrape(&snapshot, &resource, None, None);
        assert_eq!(plain.format(), Format::Text004);
        assert_eq!(plain.content_encoding(), None);
        let text = String::from_utf8(plain.body().to_vec()).unwrap();
        assert!(text.contains("service_name=\"svc\""), "{text}");

        let zipped = exposition.scrape(&snapshot, &resource, Some(om), Some("gzip"));
        assert_eq!(zipped.format(), Format::OpenMetrics);
        assert_eq!(zipped.content_encoding(), Some("gzip"));
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(zipped.body())
            .read_to_string(&mut unzipped)
            .unwrap();
        assert!(unzipped.ends_with("# EOF\n"), "{unzipped}");

        let text_only = Exposition {
            openmetrics: false,
            gzip: false,
            ..exposition
        };
        let scrape = text_only.scrape(&snapshot, &resource, Some(om), Some("gzip"));
        assert_eq!(
            (scrape.format(), scrape.content_encoding()),
            (Format::Text004, None)
        );
    }

    #[test]
    fn responses_carry_the_headers() {
        let exposition = Exposition::default();
        let scrape = exposition.scrape(
            &MetricsSnapshot::default(),
            &Resource::new("svc"),
            None,
            Some("gzip"),
        );
        let response = scrape.into_response();
        let headers = response.headers();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            headers[hyper::header::CONTENT_TYPE],
            Format::Text004.content_type()
        );
        assert_eq!(headers[CONTENT_ENCODING], "gzip");
        assert_eq!(headers[VARY], "Accept, Accept-Encoding");
        assert_eq!(headers[hyper::header::CACHE_CONTROL], "no-store");
    }
}
