//! [`ErrorsBuilder`]: configuration of [`SdkErrors`].

use std::error::Error;
use std::fmt;
use std::sync::Arc;

use omniscope::ErrorContext;

use super::convert::FieldLimits;
use super::data::ErrorEvent;
use super::handler::{ErrorFilter, SdkErrors};
use crate::build::BuildError;
use crate::export::{Exporter, PipelineConfig};
use crate::logs::redact::Redactor;
use crate::logs::{DEFAULT_MAX_FIELDS, DEFAULT_MAX_FIELD_LEN};
use crate::resource::Resource;

/// Configures and builds [`SdkErrors`]; from [`SdkErrors::builder`].
#[must_use]
pub struct ErrorsBuilder {
    filter: Option<ErrorFilter>,
    redactor: Redactor,
    limits: FieldLimits,
    reporters: Vec<Box<dyn Exporter<ErrorEvent>>>,
    pipeline: Option<PipelineConfig>,
    resource: Option<Arc<Resource>>,
}

impl Default for ErrorsBuilder {
    fn default() -> ErrorsBuilder {
        ErrorsBuilder {
            filter: None,
            redactor: Redactor::default(),
            limits: FieldLimits {
                max_fields: DEFAULT_MAX_FIELDS,
                max_value_len: Some(DEFAULT_MAX_FIELD_LEN),
            },
            reporters: Vec::new(),
            pipeline: None,
            resource: None,
        }
    }
}

impl ErrorsBuilder {
    /// Adds a reporter; each gets its own pipeline (queue and thread), and
    /// every reported error reaches each of them. At least one is required.
    pub fn with_reporter(mut self, reporter: Box<dyn Exporter<ErrorEvent>>) -> ErrorsBuilder {
        self.reporters.push(reporter);
        self
    }

    /// Decides which errors and panics are reported: return `false` to skip
    /// one (a user error, say). Skipped errors are still counted in
    /// `errors`/`panics`, and in
    /// [`SdkErrors::filtered_total`]. It runs on the caller's thread, so
    /// keep it cheap; a filter that panics lets the error through.
    /// Default: report everything.
    ///
    /// ```
    /// # #[derive(Debug)] struct NotFound;
    /// # impl std::fmt::Display for NotFound { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("not found") } }
    /// # impl std::error::Error for NotFound {}
    /// let builder = omniscope_sdk::errors::SdkErrors::builder()
    ///     .with_filter(|error, _context| !error.is::<NotFound>());
    /// ```
    pub fn with_filter<F>(mut self, filter: F) -> ErrorsBuilder
    where
        F: Fn(&(dyn Error + 'static), &ErrorContext<'_>) -> bool + Send + Sync + 'static,
    {
        self.filter = Some(Box::new(filter));
        self
    }

    /// The field names whose values are replaced by `"[REDACTED]"`,
    /// replacing the default list; matching as for logs (see
    /// [`LoggerBuilder::with_redacted_fields`](crate::logs::LoggerBuilder::with_redacted_fields)).
    /// Default: [`DEFAULT_REDACTED_FIELDS`](crate::logs::DEFAULT_REDACTED_FIELDS).
    pub fn with_redacted_fields<I>(mut self, names: I) -> ErrorsBuilder
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.redactor = Redactor::new(names.into_iter().map(Into::into));
        self
    }

    /// More field names to redact, on top of the current list.
    pub fn with_additional_redacted_fields<I>(mut self, names: I) -> ErrorsBuilder
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.redactor.extend(names.into_iter().map(Into::into));
        self
    }

    /// The most fields kept per error; later fields are dropped and
    /// counted ([`SdkErrors::dropped_fields_total`]). Default: 128.
    pub fn with_max_fields(mut self, fields: usize) -> ErrorsBuilder {
        self.limits.max_fields = fields;
        self
    }

    /// The longest string field value kept, in bytes. Default: 8 KiB.
    pub fn with_max_field_len(mut self, bytes: usize) -> ErrorsBuilder {
        self.limits.max_value_len = Some(bytes);
        self
    }

    /// Queueing, batching and retries of every reporter's pipeline.
    /// Default: [`PipelineConfig::for_signal("errors")`](PipelineConfig::for_signal).
    pub fn with_pipeline_config(mut self, config: PipelineConfig) -> ErrorsBuilder {
        self.pipeline = Some(config);
        self
    }

    /// The resource reporters receive with each batch. Default:
    /// [`Resource::default`].
    pub fn with_resource(mut self, resource: Arc<Resource>) -> ErrorsBuilder {
        self.resource = Some(resource);
        self
    }

    /// Validates the configuration and starts one pipeline per reporter.
    /// With no reporter, handled errors and panics are only counted
    /// (`errors{kind}`, `panics`).
    ///
    /// # Errors
    /// A pipeline that could not be configured or started (`"pipeline"`).
    pub fn build(self) -> Result<SdkErrors, BuildError> {
        let config = self
            .pipeline
            .unwrap_or_else(|| PipelineConfig::for_signal("errors"));
        let resource = self
            .resource
            .unwrap_or_else(|| Arc::new(Resource::default()));
        SdkErrors::start(
            self.filter,
            self.redactor,
            self.limits,
            self.reporters,
            resource,
            config,
        )
    }
}

impl fmt::Debug for ErrorsBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reporters: Vec<&str> = self.reporters.iter().map(|r| r.name()).collect();
        f.debug_struct("ErrorsBuilder")
            .field("filter", &self.filter.is_some())
            .field("redactor", &self.redactor)
            .field("limits", &self.limits)
            .field("reporters", &reporters)
            .field("pipeline", &self.pipeline)
            .field("resource", &self.resource)
            .finish()
    }
}
