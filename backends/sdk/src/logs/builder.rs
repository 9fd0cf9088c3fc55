//! [`LoggerBuilder`]: configuration of an [`SdkLogger`].

use std::fmt;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use super::data::LogData;
use super::filter::LogFilter;
use super::logger::{Processor, SdkLogger};
use super::ratelimit::RateLimiter;
use super::redact::Redactor;
use crate::build::BuildError;
use crate::export::{Exporter, PipelineConfig};
use crate::resource::Resource;

/// The default rate limit: records per call site per [`DEFAULT_RATE_WINDOW`].
pub const DEFAULT_RATE_LIMIT: u32 = 1000;

/// The default rate-limit window.
pub const DEFAULT_RATE_WINDOW: Duration = Duration::from_secs(1);

/// The default for [`LoggerBuilder::with_max_fields`].
pub const DEFAULT_MAX_FIELDS: usize = 128;

/// The default for [`LoggerBuilder::with_max_field_len`], in bytes.
pub const DEFAULT_MAX_FIELD_LEN: usize = 8 * 1024;

enum FilterSource {
    Default,
    Directives(String),
    Parsed(LogFilter),
}

/// Configures and builds an [`SdkLogger`]; from [`SdkLogger::builder`].
#[must_use]
pub struct LoggerBuilder {
    filter: FilterSource,
    redactor: Redactor,
    rate_limit: Option<(u32, Duration)>,
    max_fields: usize,
    max_field_len: usize,
    exporters: Vec<Box<dyn Exporter<LogData>>>,
    pipeline: Option<PipelineConfig>,
    resource: Option<Arc<Resource>>,
}

impl Default for LoggerBuilder {
    fn default() -> LoggerBuilder {
        LoggerBuilder {
            filter: FilterSource::Default,
            redactor: Redactor::default(),
            rate_limit: Some((DEFAULT_RATE_LIMIT, DEFAULT_RATE_WINDOW)),
            max_fields: DEFAULT_MAX_FIELDS,
            max_field_len: DEFAULT_MAX_FIELD_LEN,
            exporters: Vec::new(),
            pipeline: None,
            resource: None,
        }
    }
}

impl LoggerBuilder {
    /// Level filters per target from `RUST_LOG`-style directives, such as
    /// `info,orders::db=debug` (syntax in [`LogFilter`]); parsed by
    /// [`build`](LoggerBuilder::build). Default: `info` for every target.
    pub fn with_filter(mut self, directives: impl Into<String>) -> LoggerBuilder {
        self.filter = FilterSource::Directives(directives.into());
        self
    }

    /// An already parsed filter (replaces [`with_filter`](LoggerBuilder::with_filter)).
    pub fn with_log_filter(mut self, filter: LogFilter) -> LoggerBuilder {
        self.filter = FilterSource::Parsed(filter);
        self
    }

    /// The field names whose values are replaced by `"[REDACTED]"`,
    /// replacing the default list ([`DEFAULT_REDACTED_FIELDS`](super::DEFAULT_REDACTED_FIELDS)).
    /// Names match case-insensitively, ignoring `_`, `-`, `.` and spaces,
    /// and also match a dotted key's last segment (see the
    /// [module docs](super#redaction)). An empty list turns redaction off.
    pub fn with_redacted_fields<I>(mut self, names: I) -> LoggerBuilder
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.redactor = Redactor::new(names.into_iter().map(Into::into));
        self
    }

    /// More field names to redact, on top of the current list (by default
    /// [`DEFAULT_REDACTED_FIELDS`](super::DEFAULT_REDACTED_FIELDS)).
    pub fn with_additional_redacted_fields<I>(mut self, names: I) -> LoggerBuilder
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.redactor.extend(names.into_iter().map(Into::into));
        self
    }

    /// Delivers at most `per_call_site` records per call site (file and
    /// line) in each window of `per`; later ones are dropped, counted, and
    /// reported as one synthetic record per site and window (see the
    /// [module docs](super#rate-limiting)). Default: 1000 per second
    /// ([`DEFAULT_RATE_LIMIT`] per [`DEFAULT_RATE_WINDOW`]). A zero limit or
    /// window is rejected by `build`; use
    /// [`without_rate_limit`](LoggerBuilder::without_rate_limit) to turn it off.
    pub fn with_rate_limit(mut self, per_call_site: u32, per: Duration) -> LoggerBuilder {
        self.rate_limit = Some((per_call_site, per));
        self
    }

    /// Turns rate limiting off. Default: on (see
    /// [`with_rate_limit`](LoggerBuilder::with_rate_limit)).
    pub fn without_rate_limit(mut self) -> LoggerBuilder {
        self.rate_limit = None;
        self
    }

    /// The most fields kept per record; later fields are dropped and counted
    /// ([`SdkLogger::dropped_fields_total`]). Default: 128.
    pub fn with_max_fields(mut self, fields: usize) -> LoggerBuilder {
        self.max_fields = fields;
        self
    }

    /// The longest string value kept, in bytes; longer values are cut at a
    /// character boundary. Default: 8 KiB.
    pub fn with_max_field_len(mut self, bytes: usize) -> LoggerBuilder {
        self.max_field_len = bytes;
        self
    }

    /// Adds an exporter; each gets its own pipeline (queue and thread), and
    /// every record reaches each of them. At least one is required.
    pub fn with_exporter(mut self, exporter: Box<dyn Exporter<LogData>>) -> LoggerBuilder {
        self.exporters.push(exporter);
        self
    }

    /// Queueing, batching and retries of every exporter's pipeline.
    /// Default: [`PipelineConfig::for_signal("logs")`](PipelineConfig::for_signal).
    pub fn with_pipeline_config(mut self, config: PipelineConfig) -> LoggerBuilder {
        self.pipeline = Some(config);
        self
    }

    /// The resource exporters receive with each batch. Default:
    /// [`Resource::default`] (`unknown_service` with detected attributes).
    pub fn with_resource(mut self, resource: Arc<Resource>) -> LoggerBuilder {
        self.resource = Some(resource);
        self
    }

    /// Validates the configuration and starts one pipeline per exporter.
    ///
    /// # Errors
    /// A bad filter directive (component `"log filter"`), a zero rate limit
    /// or window (`"log rate limit"`), no exporter (`"logger"`), or a
    /// pipeline that could not be configured or started (`"pipeline"`).
    pub fn build(self) -> Result<SdkLogger, BuildError> {
        let filter = match self.filter {
            FilterSource::Default => LogFilter::default(),
            FilterSource::Directives(d) => LogFilter::parse(&d)?,
            FilterSource::Parsed(f) => f,
        };
        let limiter = match self.rate_limit {
            None => None,
            Some((0, _)) => {
                return Err(BuildError::new(
                    "log rate limit",
                    "the limit per call site is 0: allow at least 1 record, or call without_rate_limit() to turn limiting off",
                ))
            }
            Some((_, per)) if per.is_zero() => {
                return Err(BuildError::new(
                    "log rate limit",
                    "the window is 0: give a positive duration (default 1s), or call without_rate_limit()",
                ))
            }
            Some((limit, per)) => Some(RateLimiter::new(limit, per)),
        };
        if self.exporters.is_empty() {
            return Err(BuildError::new(
                "logger",
                "no log exporter: add one with LoggerBuilder::with_exporter",
            ));
        }
        let config = self
            .pipeline
            .unwrap_or_else(|| PipelineConfig::for_signal("logs"));
        let resource = self
            .resource
            .unwrap_or_else(|| Arc::new(Resource::default()));
        let processor = Processor {
            filter,
            redactor: self.redactor,
            limiter,
            max_fields: self.max_fields,
            max_field_len: self.max_field_len,
            dropped_fields: AtomicU64::new(0),
            lost: AtomicU64::new(0),
        };
        SdkLogger::start(processor, self.exporters, resource, config)
    }
}

impl fmt::Debug for LoggerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let filter = match &self.filter {
            FilterSource::Default => LogFilter::default().to_string(),
            FilterSource::Directives(d) => d.clone(),
            FilterSource::Parsed(p) => p.to_string(),
        };
        let exporters: Vec<&str> = self.exporters.iter().map(|e| e.name()).collect();
        f.debug_struct("LoggerBuilder")
            .field("filter", &filter)
            .field("redactor", &self.redactor)
            .field("rate_limit", &self.rate_limit)
            .field("max_fields", &self.max_fields)
            .field("max_field_len", &self.max_field_len)
            .field("exporters", &exporters)
            .field("pipeline", &self.pipeline)
            .field("resource", &self.resource)
            .finish()
    }
}
