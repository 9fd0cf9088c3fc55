//! [`SentryBuilder`] and [`Sentry`]: configuration, and the built backend
//! that hands out its reporter and its breadcrumb exporter.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use omniscope::Level;
use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::BuildError;
use sentry::protocol::Event;
use sentry::types::Dsn;
use sentry::{Client, ClientOptions};

use crate::breadcrumbs::{BreadcrumbExporter, Breadcrumbs};
use crate::event::{Convert, FingerprintFn};
use crate::reporter::{Counts, SentryReporter, Shared};
use crate::stacktrace::InApp;
use crate::transport::{Outbox, OutboxFactory, Sender};

/// `SENTRY_DSN`: where events go; setting it alone turns the backend on
/// in the kit.
pub const DSN_ENV: &str = "SENTRY_DSN";
/// `SENTRY_ENVIRONMENT`: the event's environment.
pub const ENVIRONMENT_ENV: &str = "SENTRY_ENVIRONMENT";
/// `SENTRY_RELEASE`: the event's release.
pub const RELEASE_ENV: &str = "SENTRY_RELEASE";

/// How many breadcrumbs an event carries at most, by default.
pub const DEFAULT_MAX_BREADCRUMBS: usize = 100;
/// How many traces (and threads) breadcrumbs are kept for, by default.
pub const DEFAULT_MAX_BREADCRUMB_TRACES: usize = 1024;
/// How long one batch of events may take to post, by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

type BeforeSend = Arc<dyn Fn(Event<'static>) -> Option<Event<'static>> + Send + Sync>;

/// Configures the Sentry backend. Every setter's value wins over the
/// environment read by [`from_env`](SentryBuilder::from_env).
#[derive(Clone, Default)]
#[must_use]
pub struct SentryBuilder {
    dsn: Option<String>,
    environment: Option<String>,
    release: Option<String>,
    server_name: Option<String>,
    sample_rate: Option<f32>,
    before_send: Option<BeforeSend>,
    fingerprint: Option<Arc<FingerprintFn>>,
    max_breadcrumbs: Option<usize>,
    breadcrumb_level: Option<Level>,
    max_breadcrumb_traces: Option<usize>,
    timeout: Option<Duration>,
    in_app: InApp,
    env: EnvValues,
}

/// What `from_env` read.
#[derive(Clone, Debug, Default)]
struct EnvValues {
    dsn: Option<String>,
    environment: Option<String>,
    release: Option<String>,
    error: Option<EnvError>,
}

impl EnvValues {
    fn read(lookup: Lookup<'_>) -> EnvValues {
        let mut values = EnvValues::default();
        let mut get = |name: &str| match env::get(lookup, name) {
            Ok(v) => v,
            Err(e) => {
                values.error.get_or_insert(e);
                None
            }
        };
        let dsn = get(DSN_ENV);
        let environment = get(ENVIRONMENT_ENV);
        let release = get(RELEASE_ENV);
        EnvValues {
            dsn,
            environment,
            release,
            ..values
        }
    }
}

impl std::fmt::Debug for SentryBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The DSN holds the project's key: only whether one is set.
        f.debug_struct("SentryBuilder")
            .field("dsn", &self.dsn.is_some())
            .field("environment", &self.environment)
            .field("release", &self.release)
            .field("sample_rate", &self.sample_rate)
            .field("before_send", &self.before_send.is_some())
            .field("fingerprint", &self.fingerprint.is_some())
            .field("max_breadcrumbs", &self.max_breadcrumbs)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SentryBuilder {
    /// The DSN (`https://key@host/project`). Default: `SENTRY_DSN`; one of
    /// them is required.
    pub fn with_dsn(mut self, dsn: impl Into<String>) -> SentryBuilder {
        self.dsn = Some(dsn.into());
        self
    }

    /// The environment. Default: `SENTRY_ENVIRONMENT`, else the resource's
    /// `deployment.environment.name`.
    pub fn with_environment(mut self, environment: impl Into<String>) -> SentryBuilder {
        self.environment = Some(environment.into());
        self
    }

    /// The release. Default: `SENTRY_RELEASE`, else the resource's
    /// `service.version`.
    pub fn with_release(mut self, release: impl Into<String>) -> SentryBuilder {
        self.release = Some(release.into());
        self
    }

    /// The server name. Default: the resource's `host.name`.
    pub fn with_server_name(mut self, name: impl Into<String>) -> SentryBuilder {
        self.server_name = Some(name.into());
        self
    }

    /// The share of events sent, from 0.0 to 1.0 (sentry's `sample_rate`;
    /// the others are counted in sentry's client reports). Default: 1.0.
    pub fn with_sample_rate(mut self, rate: f32) -> SentryBuilder {
        self.sample_rate = Some(rate);
        self
    }

    /// A hook that sees each event last, on the pipeline thread, and may
    /// change it or drop it (`None`). Default: none.
    pub fn with_before_send<F>(mut self, hook: F) -> SentryBuilder
    where
        F: Fn(Event<'static>) -> Option<Event<'static>> + Send + Sync + 'static,
    {
        self.before_send = Some(Arc::new(hook));
        self
    }

    /// How events are grouped into issues. Default:
    /// [`default_fingerprint`](crate::default_fingerprint), the outermost
    /// error's type and the handling site.
    pub fn with_fingerprint<F>(mut self, fingerprint: F) -> SentryBuilder
    where
        F: Fn(&ErrorEvent) -> Vec<String> + Send + Sync + 'static,
    {
        self.fingerprint = Some(Arc::new(fingerprint));
        self
    }

    /// How many of its trace's most recent log records an event carries
    /// (0: none). Default: [`DEFAULT_MAX_BREADCRUMBS`].
    pub fn with_max_breadcrumbs(mut self, records: usize) -> SentryBuilder {
        self.max_breadcrumbs = Some(records);
        self
    }

    /// The most verbose level kept as a breadcrumb. Default: [`Level::Info`].
    pub fn with_breadcrumb_level(mut self, level: Level) -> SentryBuilder {
        self.breadcrumb_level = Some(level);
        self
    }

    /// How many traces (and threads, for records outside a trace)
    /// breadcrumbs are kept for; the least recently logged to is forgotten
    /// first. Default: [`DEFAULT_MAX_BREADCRUMB_TRACES`].
    pub fn with_max_breadcrumb_traces(mut self, traces: usize) -> SentryBuilder {
        self.max_breadcrumb_traces = Some(traces);
        self
    }

    /// How long posting one batch of events may take. Default:
    /// [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(mut self, timeout: Duration) -> SentryBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// Crates whose stack frames are the application's, whatever else
    /// says. Default: every crate but the standard library, omniscope's,
    /// sentry's and well-known runtimes (tokio, hyper, …).
    pub fn with_in_app_include<I, S>(mut self, crates: I) -> SentryBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.in_app
            .include
            .extend(crates.into_iter().map(Into::into));
        self
    }

    /// Crates whose stack frames are not the application's. Default: none
    /// besides the built-in list.
    pub fn with_in_app_exclude<I, S>(mut self, crates: I) -> SentryBuilder
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.in_app
            .exclude
            .extend(crates.into_iter().map(Into::into));
        self
    }

    /// Reads `SENTRY_DSN`, `SENTRY_ENVIRONMENT` and `SENTRY_RELEASE` to fill
    /// what code left unset.
    pub fn from_env(mut self) -> SentryBuilder {
        self.env = EnvValues::read(&env::var);
        self
    }

    /// [`from_env`](Self::from_env) with the variables of `lookup` instead
    /// of the process environment.
    pub fn from_env_with(mut self, lookup: impl Fn(&str) -> Option<String>) -> SentryBuilder {
        self.env = EnvValues::read(&env::infallible(lookup));
        self
    }

    /// Whether a DSN is set, in code or in what `from_env` read.
    pub fn has_dsn(&self) -> bool {
        self.dsn.is_some() || self.env.dsn.is_some()
    }

    /// Checks the configuration and builds the `sentry` client. Opens
    /// nothing: events are posted from the SDK's error pipeline thread.
    ///
    /// # Errors
    /// No DSN, a DSN that does not parse (its value is withheld: it holds
    /// the project's key), a sample rate outside 0.0..=1.0, a zero timeout,
    /// or a variable whose value is not UTF-8.
    pub fn build(self) -> Result<Sentry, BuildError> {
        if let Some(e) = &self.env.error {
            return Err(BuildError::new("sentry", e.to_string()));
        }
        let (dsn, from) = match (self.dsn, self.env.dsn) {
            (Some(dsn), _) => (dsn, "with_dsn"),
            (None, Some(dsn)) => (dsn, DSN_ENV),
            (None, None) => {
                return Err(BuildError::new(
                    "sentry",
                    format!("no Sentry DSN: set {DSN_ENV} or call SentryBuilder::with_dsn"),
                ))
            }
        };
        let dsn: Dsn = dsn.trim().parse().map_err(|e| {
            BuildError::new(
                "sentry",
                format!("the Sentry DSN from {from} is not a DSN (value withheld): {e}"),
            )
        })?;
        let sample_rate = self.sample_rate.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&sample_rate) {
            return Err(BuildError::new(
                "sentry",
                format!("sample rate {sample_rate} is outside 0.0..=1.0"),
            ));
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        if timeout.is_zero() {
            return Err(BuildError::new(
                "sentry",
                "timeout is 0: it must be positive (default 5s)",
            ));
        }
        let outbox = Arc::new(Outbox::default());
        // In range (checked above), so `sample_rate` does not panic.
        let mut options = ClientOptions::default().sample_rate(sample_rate);
        options.dsn = Some(dsn.clone());
        options.transport = Some(Arc::new(OutboxFactory(outbox.clone())));
        // Our events are complete: no integration adds to them.
        options.default_integrations = false;
        options.before_send = self.before_send;
        let sender = Sender::new(&dsn, &options.user_agent, timeout);
        let client = Client::with_options(options);
        let breadcrumbs = Arc::new(Breadcrumbs::new(
            self.max_breadcrumbs.unwrap_or(DEFAULT_MAX_BREADCRUMBS),
            self.max_breadcrumb_traces
                .unwrap_or(DEFAULT_MAX_BREADCRUMB_TRACES),
            self.breadcrumb_level.unwrap_or(Level::Info),
        ));
        let convert = Convert {
            in_app: self.in_app,
            fingerprint: self.fingerprint,
            release: self.release.or(self.env.release),
            environment: self.environment.or(self.env.environment),
            server_name: self.server_name,
        };
        Ok(Sentry {
            shared: Arc::new(Shared {
                client,
                outbox,
                sender: Mutex::new(sender),
                breadcrumbs,
                convert,
                counts: Counts::default(),
            }),
        })
    }
}

/// The Sentry backend: its [`reporter`](Sentry::reporter) for the SDK's
/// error handler and its [`breadcrumbs`](Sentry::breadcrumbs) exporter for
/// the SDK's logger. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Sentry {
    shared: Arc<Shared>,
}

impl Sentry {
    /// A builder with the defaults.
    pub fn builder() -> SentryBuilder {
        SentryBuilder::default()
    }

    /// The error reporter; add it to
    /// [`SdkErrors`](omniscope_sdk::SdkErrors)' builder.
    pub fn reporter(&self) -> SentryReporter {
        SentryReporter {
            shared: self.shared.clone(),
        }
    }

    /// The log exporter that keeps each trace's recent records as
    /// breadcrumbs; add it to [`SdkLogger`](omniscope_sdk::SdkLogger)'s
    /// builder (it runs on the logging thread and only takes a lock).
    pub fn breadcrumbs(&self) -> BreadcrumbExporter {
        BreadcrumbExporter {
            store: self.shared.breadcrumbs.clone(),
        }
    }

    /// What became of the events so far.
    pub fn stats(&self) -> SentryStats {
        let c = &self.shared.counts;
        SentryStats {
            sent: c.sent.load(Ordering::Relaxed),
            discarded: c.discarded.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            breadcrumb_trails_evicted: self.shared.breadcrumbs.evicted_total(),
        }
    }
}

/// Counts of [`Sentry::stats`]. Rate-limited and failed events are also in
/// the pipeline's `omniscope.exporter.dropped` self-metric.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentryStats {
    /// Events the server took.
    pub sent: u64,
    /// Events the sample rate or `before_send` left out.
    pub discarded: u64,
    /// Events dropped for a rate limit (the server's 429, or a limit it set
    /// earlier that has not run out).
    pub rate_limited: u64,
    /// Events the server refused or could not be reached for.
    pub failed: u64,
    /// Breadcrumb trails forgotten to stay within
    /// [`with_max_breadcrumb_traces`](SentryBuilder::with_max_breadcrumb_traces).
    pub breadcrumb_trails_evicted: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dsn_key_is_never_printed() {
        let builder = Sentry::builder().with_dsn("https://secretkey123@sentry.example.com/42");
        assert!(!format!("{builder:?}").contains("secretkey123"));
        let sentry = builder.build().unwrap();
        assert!(!format!("{sentry:?}").contains("secretkey123"));
        assert!(!format!("{:?}", sentry.reporter()).contains("secretkey123"));
    }

    #[test]
    fn bad_configuration_is_refused_with_the_dsn_withheld() {
        let e = Sentry::builder()
            .from_env_with(|k| (k == DSN_ENV).then(|| "not a dsn secretkey123".to_owned()))
            .build()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("SENTRY_DSN") && !e.contains("secretkey123"),
            "{e}"
        );
        let e = Sentry::builder().build().unwrap_err().to_string();
        assert!(e.contains("no Sentry DSN"), "{e}");
        let e = Sentry::builder()
            .with_dsn("https://k@h/1")
            .with_sample_rate(1.5)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("1.5"), "{e}");
        let e = Sentry::builder()
            .with_dsn("https://k@h/1")
            .with_timeout(Duration::ZERO)
            .build()
            .unwrap_err()
            .to_string();
        assert!(e.contains("timeout"), "{e}");
    }

    #[test]
    fn code_wins_over_the_environment() {
        let sentry = Sentry::builder()
            .with_release("from-code")
            .from_env_with(|k| match k {
                DSN_ENV => Some("https://k@h/1".to_owned()),
                RELEASE_ENV => Some("from-env".to_owned()),
                ENVIRONMENT_ENV => Some("staging".to_owned()),
                _ => None,
            })
            .build()
            .unwrap();
        let convert = &sentry.shared.convert;
        assert_eq!(convert.release.as_deref(), Some("from-code"));
        assert_eq!(convert.environment.as_deref(), Some("staging"));
    }
}
