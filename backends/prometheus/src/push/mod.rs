//! [`PushGateway`]: a push exporter for batch jobs, which may end before
//! Prometheus scrapes them. The SDK's periodic reader drives it like any
//! other push exporter (a final push on shutdown included); each push
//! sends the newest cumulative snapshot in the classic text format to the
//! job's group on a Prometheus Pushgateway.

mod request;
mod url;

use std::fmt;
use std::time::{Duration, Instant};

use hyper::header::HeaderValue;
use hyper::Method;
use omniscope_sdk::export::http::HttpClient;
use omniscope_sdk::export::{Accepted, Batch, ExportError, Exporter};
use omniscope_sdk::metrics::{MetricsSnapshot, Temporality};
use omniscope_sdk::{BuildError, Resource};

use self::request::{refused, Push};
use self::url::{base64, BaseUrl, STANDARD};
use crate::encoder::Encoder;
use crate::format::Format;

/// How often the SDK pushes by default: OpenTelemetry's default export
/// interval.
pub const DEFAULT_PUSH_INTERVAL: Duration = Duration::from_secs(60);
/// How long one push may take by default, answer included.
pub const DEFAULT_PUSH_TIMEOUT: Duration = Duration::from_secs(10);

/// How a push replaces what the Pushgateway holds for the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PushMethod {
    /// `PUT`: the push replaces every metric of the group, so metrics the
    /// job no longer has disappear. Right for a whole snapshot, which is
    /// what the exporter sends.
    #[default]
    Put,
    /// `POST`: the push replaces only the metrics with the names it
    /// carries, and keeps the group's others (pushed by other processes
    /// sharing the group, say).
    Post,
}

impl PushMethod {
    fn http(self) -> Method {
        match self {
            PushMethod::Put => Method::PUT,
            PushMethod::Post => Method::POST,
        }
    }
}

/// Configures a [`PushGateway`]; each setter states its default. Only
/// [`with_url`](PushGatewayBuilder::with_url) is required.
#[must_use]
#[derive(Clone, Default)]
pub struct PushGatewayBuilder {
    url: Option<String>,
    job: Option<String>,
    grouping: Vec<(String, String)>,
    basic_auth: Option<(String, String)>,
    method: PushMethod,
    interval: Option<Duration>,
    timeout: Option<Duration>,
    encoder: Encoder,
}

impl fmt::Debug for PushGatewayBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushGatewayBuilder")
            .field("url", &self.url)
            .field("job", &self.job)
            .field("grouping", &self.grouping)
            .field(
                "basic_auth",
                &self.basic_auth.as_ref().map(|(user, _)| user),
            )
            .field("method", &self.method)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PushGatewayBuilder {
    /// The Pushgateway's base URL, `http://host:port`, with a path prefix
    /// if it sits behind a proxy (`http://proxy/pushgateway`). Required.
    pub fn with_url(mut self, url: impl Into<String>) -> PushGatewayBuilder {
        self.url = Some(url.into());
        self
    }

    /// The `job` label of the group. Default: the resource's
    /// `service.name`.
    pub fn with_job(mut self, job: impl Into<String>) -> PushGatewayBuilder {
        self.job = Some(job.into());
        self
    }

    /// Another grouping label of the group (`instance`, `shard`…), added to
    /// every metric by the Pushgateway. Any value works (values with `/`,
    /// other special characters or nothing at all travel base64-encoded).
    /// Default: none, the job alone.
    pub fn with_grouping(
        mut self,
        label: impl Into<String>,
        value: impl Into<String>,
    ) -> PushGatewayBuilder {
        self.grouping.push((label.into(), value.into()));
        self
    }

    /// HTTP basic authentication for every push. Over plain `http`, the
    /// password crosses the network readable: keep such a Pushgateway
    /// inside your network. Default: none.
    pub fn with_basic_auth(
        mut self,
        user: impl Into<String>,
        password: impl Into<String>,
    ) -> PushGatewayBuilder {
        self.basic_auth = Some((user.into(), password.into()));
        self
    }

    /// `PUT` or `POST` (see [`PushMethod`]). Default: [`PushMethod::Put`].
    pub fn with_method(mut self, method: PushMethod) -> PushGatewayBuilder {
        self.method = method;
        self
    }

    /// How often to push, for whoever installs the exporter (see
    /// [`PushGateway::interval`]); the last push happens at shutdown anyway.
    /// Default: [`DEFAULT_PUSH_INTERVAL`] (60 s).
    pub fn with_interval(mut self, interval: Duration) -> PushGatewayBuilder {
        self.interval = Some(interval);
        self
    }

    /// How long one push may take, connection and answer included; past it
    /// the push fails as [`ExportError::Timeout`] and the pipeline retries.
    /// Default: [`DEFAULT_PUSH_TIMEOUT`] (10 s).
    pub fn with_timeout(mut self, timeout: Duration) -> PushGatewayBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// How snapshots are written; pushes are always in the classic text
    /// format, which is what the Pushgateway reads. Default: [`Encoder::new()`].
    pub fn with_encoder(mut self, encoder: Encoder) -> PushGatewayBuilder {
        self.encoder = encoder;
        self
    }

    /// Checks the configuration. Nothing is sent (and no thread or runtime
    /// is started) before the first export.
    ///
    /// # Errors
    /// No URL, or one that is not `http://host[:port][/prefix]`; an empty
    /// job; a grouping label that is not a valid Prometheus label name, is
    /// `job`, starts with `__` or is given twice; a basic-auth user with a
    /// `:`; a zero interval or timeout.
    pub fn build(self) -> Result<PushGateway, BuildError> {
        let Some(url) = &self.url else {
            return Err(invalid(
                "no Pushgateway URL: call with_url(\"http://pushgateway:9091\")".to_owned(),
            ));
        };
        let base = BaseUrl::parse(url).map_err(invalid)?;
        if self.job.as_deref().is_some_and(str::is_empty) {
            return Err(invalid(
                "the job is empty: give with_job a name, or leave it unset for the service name"
                    .to_owned(),
            ));
        }
        check_grouping(&self.grouping)?;
        let interval = positive(self.interval, DEFAULT_PUSH_INTERVAL, "with_interval")?;
        let timeout = positive(self.timeout, DEFAULT_PUSH_TIMEOUT, "with_timeout")?;
        let authorization = self
            .basic_auth
            .as_ref()
            .map(|(user, password)| basic_auth(user, password))
            .transpose()?;
        Ok(PushGateway {
            base,
            job: self.job,
            grouping: self.grouping,
            authorization,
            method: self.method,
            interval,
            timeout,
            encoder: self.encoder,
            client: HttpClient::default(),
        })
    }
}

fn invalid(message: String) -> BuildError {
    BuildError::new("prometheus pushgateway", message)
}

fn positive(
    value: Option<Duration>,
    default: Duration,
    setter: &str,
) -> Result<Duration, BuildError> {
    match value {
        Some(d) if d.is_zero() => Err(invalid(format!(
            "{setter} was given zero: give a positive duration (default {default:?})"
        ))),
        Some(d) => Ok(d),
        None => Ok(default),
    }
}

fn check_grouping(grouping: &[(String, String)]) -> Result<(), BuildError> {
    for (i, (label, _)) in grouping.iter().enumerate() {
        let mut chars = label.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        let problem = if !valid {
            "is not a Prometheus label name (letters, digits and `_`, not starting with a digit)"
        } else if label == "job" {
            "is the job: give it to with_job"
        } else if label.starts_with("__") {
            "starts with `__`, which Prometheus reserves"
        } else if grouping[..i].iter().any(|(l, _)| l == label) {
            "is given twice"
        } else {
            continue;
        };
        return Err(invalid(format!("the grouping label {label:?} {problem}")));
    }
    Ok(())
}

fn basic_auth(user: &str, password: &str) -> Result<HeaderValue, BuildError> {
    if user.contains(':') {
        return Err(invalid(format!(
            "the basic-auth user {user:?} has a `:`, which HTTP basic authentication cannot carry"
        )));
    }
    let token = base64(format!("{user}:{password}").as_bytes(), STANDARD, true);
    let mut value = HeaderValue::from_str(&format!("Basic {token}"))
        .map_err(|e| invalid(format!("cannot make the basic-auth header: {e}")))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Pushes metrics to a Prometheus Pushgateway: an
/// [`Exporter<MetricsSnapshot>`] for the SDK's periodic reader (built by
/// [`PushGateway::builder`]).
///
/// Each export sends the newest snapshot of its batch (snapshots are
/// cumulative, so it holds everything) in the classic text format, with
/// `PUT` or `POST`, to `<url>/metrics/job/<job>/<label>/<value>…`. HTTP
/// runs on a private single-threaded tokio runtime made on the export
/// thread at the first push: the application needs no runtime. The
/// Pushgateway's `429`, `502`, `503` and `504` answers, timeouts and
/// connection failures are retried by the pipeline (honouring
/// `Retry-After`); other answers fail the push with the Pushgateway's
/// message.
///
/// Install it with [`Temporality::Cumulative`]: a delta snapshot is
/// refused, as it would make the Pushgateway's values go backwards.
pub struct PushGateway {
    base: BaseUrl,
    job: Option<String>,
    grouping: Vec<(String, String)>,
    authorization: Option<HeaderValue>,
    method: PushMethod,
    interval: Duration,
    timeout: Duration,
    encoder: Encoder,
    client: HttpClient,
}

impl fmt::Debug for PushGateway {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PushGateway")
            .field("url", &self.base.to_string())
            .field("job", &self.job)
            .field("grouping", &self.grouping)
            .field("basic_auth", &self.authorization.is_some())
            .field("method", &self.method)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl PushGateway {
    /// A builder with the defaults (each setter states its own).
    pub fn builder() -> PushGatewayBuilder {
        PushGatewayBuilder::default()
    }

    /// How often to push: give it to
    /// [`SdkBuilder::with_metric_exporter`](omniscope_sdk::SdkBuilder::with_metric_exporter).
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The URL of the group the metrics go to, for a job named after
    /// `resource`'s service unless [`with_job`](PushGatewayBuilder::with_job)
    /// named it.
    pub fn group_url(&self, resource: &Resource) -> String {
        let job = self.job.as_deref().unwrap_or(resource.service_name());
        self.base.group(job, &self.grouping)
    }
}

impl Exporter<MetricsSnapshot> for PushGateway {
    fn name(&self) -> &str {
        "prometheus_pushgateway"
    }

    fn export(
        &mut self,
        batch: &Batch<MetricsSnapshot>,
        resource: &Resource,
    ) -> Result<Accepted, ExportError> {
        let Some(snapshot) = batch.iter().last() else {
            return Ok(Accepted::All);
        };
        if snapshot.temporality == Temporality::Delta {
            return Err(ExportError::Internal(
                "the Pushgateway exporter received a delta snapshot: install it with \
                 Temporality::Cumulative, as the Pushgateway keeps totals"
                    .to_owned(),
            ));
        }
        let url = self.group_url(resource);
        let push = Push {
            method: self.method.http(),
            url: &url,
            authorization: self.authorization.as_ref(),
            body: self.encoder.render(snapshot, resource, Format::Text004),
        };
        let what = push.what();
        self.client
            .send(push.request()?, self.timeout, |status, said| {
                refused(&what, status, said)
            })?;
        Ok(Accepted::All)
    }

    fn shutdown(&mut self, _deadline: Instant) -> Result<(), ExportError> {
        // The client's runtime stops without waiting: nothing is in flight
        // after the last export.
        self.client = HttpClient::default();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(builder: PushGatewayBuilder) -> Result<PushGateway, String> {
        builder.build().map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_group_url() {
        let push = build(PushGateway::builder().with_url("http://pgw:9091")).unwrap();
        assert_eq!(push.interval(), DEFAULT_PUSH_INTERVAL);
        assert_eq!(push.timeout, DEFAULT_PUSH_TIMEOUT);
        assert_eq!(push.method, PushMethod::Put);
        assert_eq!(
            push.group_url(&Resource::new("nightly")),
            "http://pgw:9091/metrics/job/nightly"
        );
        let push = build(
            PushGateway::builder()
                .with_url("http://pgw:9091/")
                .with_job("backup")
                .with_grouping("instance", "db-1")
                .with_interval(Duration::from_secs(5)),
        )
        .unwrap();
        assert_eq!(push.interval(), Duration::from_secs(5));
        assert_eq!(
            push.group_url(&Resource::new("ignored")),
            "http://pgw:9091/metrics/job/backup/instance/db-1"
        );
    }

    #[test]
    fn bad_configurations_say_what_to_do() {
        let url = || PushGateway::builder().with_url("http://pgw:9091");
        let cases = [
            (PushGateway::builder(), "no Pushgateway URL: call with_url"),
            (url().with_job(""), "the job is empty"),
            (
                url().with_grouping("9x", "v"),
                "\"9x\" is not a Prometheus label name",
            ),
            (
                url().with_grouping("a-b", "v"),
                "\"a-b\" is not a Prometheus label name",
            ),
            (
                url().with_grouping("", "v"),
                "\"\" is not a Prometheus label name",
            ),
            (
                url().with_grouping("job", "v"),
                "is the job: give it to with_job",
            ),
            (url().with_grouping("__x", "v"), "starts with `__`"),
            (
                url().with_grouping("a", "1").with_grouping("a", "2"),
                "\"a\" is given twice",
            ),
            (url().with_basic_auth("a:b", "pw"), "has a `:`"),
            (
                url().with_interval(Duration::ZERO),
                "with_interval was given zero",
            ),
            (
                url().with_timeout(Duration::ZERO),
                "with_timeout was given zero",
            ),
            (PushGateway::builder().with_url("https://pgw"), "uses https"),
        ];
        for (builder, want) in cases {
            let message = build(builder).unwrap_err();
            assert!(message.contains(want), "{message}");
            assert!(message.starts_with("invalid prometheus pushgateway configuration: "));
        }
    }

    #[test]
    fn basic_auth_is_sensitive_and_redacted() {
        let builder = PushGateway::builder()
            .with_url("http://pgw:9091")
            .with_basic_auth("Aladdin", "open sesame");
        assert!(!format!("{builder:?}").contains("sesame"));
        let push = build(builder).unwrap();
        let header = push.authorization.as_ref().unwrap();
        // RFC 7617's example.
        assert_eq!(header, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(header.is_sensitive());
        assert!(!format!("{push:?}").contains("QWxh"));
    }

    #[test]
    fn delta_snapshots_are_refused_without_a_request() {
        let mut push = build(PushGateway::builder().with_url("http://pgw:9091")).unwrap();
        let mut snapshot = MetricsSnapshot::default();
        snapshot.temporality = Temporality::Delta;
        let error = push
            .export(&Batch::from_vec(vec![snapshot]), &Resource::new("x"))
            .unwrap_err();
        assert!(
            error.to_string().contains("Temporality::Cumulative"),
            "{error}"
        );
        let empty = push.export(&Batch::from_vec(vec![]), &Resource::new("x"));
        assert_eq!(empty, Ok(Accepted::All));
    }
}
