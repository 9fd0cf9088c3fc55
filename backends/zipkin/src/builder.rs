//! [`ZipkinBuilder`] and [`Zipkin`]: the configuration from code and the
//! `OTEL_EXPORTER_ZIPKIN_*` variables, checked once.

use std::time::Duration;

use http::Uri;
use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::BuildError;

use crate::encode::Encoding;
use crate::exporter::ZipkinExporter;

/// Where spans go unless configured: a Zipkin collector on this host, as
/// OpenTelemetry's specification says.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:9411/api/v2/spans";

/// How long one export may take unless configured (OpenTelemetry's
/// default for `OTEL_EXPORTER_ZIPKIN_TIMEOUT`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The collector's URL, `http://host:port/api/v2/spans`.
pub const ENDPOINT_VAR: &str = "OTEL_EXPORTER_ZIPKIN_ENDPOINT";

/// The export timeout in milliseconds.
pub const TIMEOUT_VAR: &str = "OTEL_EXPORTER_ZIPKIN_TIMEOUT";

/// The variables as read, checked in [`ZipkinBuilder::build`].
#[derive(Clone, Debug, Default)]
struct EnvValues {
    endpoint: Option<String>,
    timeout: Option<String>,
}

impl EnvValues {
    fn read(lookup: Lookup<'_>) -> Result<EnvValues, EnvError> {
        Ok(EnvValues {
            endpoint: env::get(lookup, ENDPOINT_VAR)?,
            timeout: env::get(lookup, TIMEOUT_VAR)?,
        })
    }
}

/// Configures the Zipkin exporter. Code wins over the environment, which
/// wins over the defaults.
///
/// ```
/// use std::time::Duration;
/// use omniscope_zipkin::Zipkin;
///
/// let zipkin = Zipkin::builder()
///     .with_endpoint("http://127.0.0.1:9411/api/v2/spans")
///     .with_timeout(Duration::from_secs(5))
///     .with_gzip(true)
///     .from_env() // OTEL_EXPORTER_ZIPKIN_* fill what code left unset
///     .build()?;
/// let _exporter = zipkin.spans(); // an Exporter<SpanData> for the SDK
/// # Ok::<(), omniscope_zipkin::BuildError>(())
/// ```
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ZipkinBuilder {
    endpoint: Option<String>,
    timeout: Option<Duration>,
    encoding: Encoding,
    gzip: bool,
    env: Option<Result<EnvValues, EnvError>>,
}

impl ZipkinBuilder {
    /// The collector's URL (an `http://` URL with its path, usually
    /// `/api/v2/spans`). Default: `OTEL_EXPORTER_ZIPKIN_ENDPOINT` when the
    /// environment is read, else [`DEFAULT_ENDPOINT`].
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> ZipkinBuilder {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// How long one export may take, answer included. Default:
    /// `OTEL_EXPORTER_ZIPKIN_TIMEOUT` (ms) when the environment is read,
    /// else [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> ZipkinBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// The body's wire format: [`Encoding::Json`] (the default) or
    /// [`Encoding::Proto3`].
    pub fn with_encoding(mut self, encoding: Encoding) -> ZipkinBuilder {
        self.encoding = encoding;
        self
    }

    /// Whether to gzip request bodies (`Content-Encoding: gzip`, which
    /// Zipkin's collector reads). Default: `false`.
    pub fn with_gzip(mut self, gzip: bool) -> ZipkinBuilder {
        self.gzip = gzip;
        self
    }

    /// Reads `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and
    /// `OTEL_EXPORTER_ZIPKIN_TIMEOUT` from the process environment, to fill
    /// what code leaves unset; [`build`](Self::build) checks them.
    pub fn from_env(self) -> ZipkinBuilder {
        self.read_env(&env::var)
    }

    /// [`from_env`](Self::from_env) with the variables of `lookup` instead
    /// of the process environment.
    pub fn from_env_with(self, lookup: impl Fn(&str) -> Option<String>) -> ZipkinBuilder {
        self.read_env(&env::infallible(lookup))
    }

    fn read_env(mut self, lookup: Lookup<'_>) -> ZipkinBuilder {
        self.env = Some(EnvValues::read(lookup));
        self
    }

    /// Checks the configuration. Connects to nothing: the client starts on
    /// the export thread.
    ///
    /// # Errors
    /// An endpoint that is not an `http://` URL with a host, a zero
    /// timeout, or a variable read by `from_env` with a bad or non-UTF-8
    /// value (the message names the variable and the value).
    pub fn build(self) -> Result<Zipkin, BuildError> {
        let env = match self.env {
            None => EnvValues::default(),
            Some(Ok(values)) => values,
            Some(Err(e)) => return Err(invalid(e.to_string())),
        };
        let (endpoint, from) = match (self.endpoint, env.endpoint) {
            (Some(code), _) => (code, "with_endpoint"),
            (None, Some(var)) => (var, ENDPOINT_VAR),
            (None, None) => (DEFAULT_ENDPOINT.to_owned(), "the default"),
        };
        let endpoint = parse_endpoint(endpoint.trim(), from)?;
        let timeout = match (self.timeout, env.timeout) {
            (Some(code), _) if code.is_zero() => {
                return Err(invalid(
                    "the timeout given to with_timeout is zero: give a positive duration",
                ));
            }
            (Some(code), _) => code,
            (None, Some(var)) => env::parse_millis(&var).ok_or_else(|| {
                invalid(format!(
                    "{TIMEOUT_VAR}={var:?} is not a timeout: give whole milliseconds from 1 to {}",
                    env::MAX_MILLIS
                ))
            })?,
            (None, None) => DEFAULT_TIMEOUT,
        };
        Ok(Zipkin {
            endpoint,
            timeout,
            encoding: self.encoding,
            gzip: self.gzip,
        })
    }
}

fn invalid(message: impl Into<String>) -> BuildError {
    BuildError::new("zipkin", message)
}

/// An `http://` URL with a host; `from` says where it came from.
fn parse_endpoint(endpoint: &str, from: &str) -> Result<Uri, BuildError> {
    let name = match from {
        ENDPOINT_VAR => format!("{ENDPOINT_VAR}={endpoint:?}"),
        _ => format!("the endpoint {endpoint:?} ({from})"),
    };
    let uri: Uri = endpoint
        .parse()
        .map_err(|e| invalid(format!("{name} is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(invalid(format!(
                "{name}: https is not supported by omniscope-zipkin yet: send to an http:// collector or a local proxy"
            )))
        }
        _ => {
            return Err(invalid(format!(
                "{name} is not an http:// URL: write it as http://host:9411/api/v2/spans"
            )))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid(format!("{name} has no host")));
    }
    Ok(uri)
}

/// A checked Zipkin configuration: hands out span exporters.
#[derive(Clone, Debug)]
pub struct Zipkin {
    endpoint: Uri,
    timeout: Duration,
    encoding: Encoding,
    gzip: bool,
}

impl Zipkin {
    /// Starts a configuration.
    pub fn builder() -> ZipkinBuilder {
        ZipkinBuilder::default()
    }

    /// The collector's URL.
    pub fn endpoint(&self) -> String {
        self.endpoint.to_string()
    }

    /// How long one export may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// A span exporter for the SDK's pipeline; each has its own client.
    pub fn spans(&self) -> ZipkinExporter {
        ZipkinExporter::new(
            self.endpoint.clone(),
            self.timeout,
            self.encoding,
            self.gzip,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn defaults_then_environment_then_code() {
        let z = Zipkin::builder().build().unwrap();
        assert_eq!(z.endpoint(), DEFAULT_ENDPOINT);
        assert_eq!(z.timeout(), DEFAULT_TIMEOUT);
        let vars = env(&[
            (ENDPOINT_VAR, "http://zipkin:9411/api/v2/spans"),
            (TIMEOUT_VAR, "2500"),
        ]);
        let z = Zipkin::builder().from_env_with(&vars).build().unwrap();
        assert_eq!(z.endpoint(), "http://zipkin:9411/api/v2/spans");
        assert_eq!(z.timeout(), Duration::from_millis(2500));
        let z = Zipkin::builder()
            .with_endpoint("http://127.0.0.1:1/x")
            .with_timeout(Duration::from_secs(1))
            .from_env_with(vars)
            .build()
            .unwrap();
        assert_eq!(z.endpoint(), "http://127.0.0.1:1/x");
        assert_eq!(z.timeout(), Duration::from_secs(1));
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        let cases: [(&'static [(&str, &str)], &str); 5] = [
            (
                &[(TIMEOUT_VAR, "10s")],
                "OTEL_EXPORTER_ZIPKIN_TIMEOUT=\"10s\" is not a timeout",
            ),
            (&[(TIMEOUT_VAR, "0")], "OTEL_EXPORTER_ZIPKIN_TIMEOUT=\"0\""),
            (
                &[(ENDPOINT_VAR, "zipkin:9411")],
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT=\"zipkin:9411\" is not an http:// URL",
            ),
            (
                &[(ENDPOINT_VAR, "https://z/api/v2/spans")],
                "https is not supported",
            ),
            (
                &[(ENDPOINT_VAR, "http:// bad")],
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT=\"http:// bad\" is not a URL",
            ),
        ];
        for (vars, expected) in cases {
            let e = Zipkin::builder()
                .from_env_with(env(vars))
                .build()
                .unwrap_err();
            assert!(e.to_string().contains(expected), "{e}");
        }
        let e = Zipkin::builder()
            .with_timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(e.to_string().contains("with_timeout"), "{e}");
    }
}
