//! [`Console`] and its builder.

use std::fmt;

use omniscope_sdk::env::{self, EnvError, Lookup};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::logs::LogData;
use omniscope_sdk::metrics::MetricsSnapshot;
use omniscope_sdk::trace::SpanData;
use omniscope_sdk::BuildError;

use crate::encode::Style;
use crate::exporter::ConsoleExporter;
use crate::options::{ColorChoice, Format};
use crate::sink::{lock, SharedSink, Sink};
use crate::target::Target;

/// The environment variable [`ConsoleBuilder::from_env`] reads the format
/// from: `json` or `pretty`.
pub const FORMAT_ENV: &str = "OMNISCOPE_LOG_FORMAT";

/// An open target (stdout, stderr or a file) and how records look there;
/// hands out one exporter per signal, all writing to that target.
///
/// Cheap to clone: clones share the target.
#[derive(Clone)]
pub struct Console {
    sink: SharedSink,
    style: Style,
}

impl Console {
    /// Starts configuring a console: pretty, coloured on terminals, to
    /// stdout.
    pub fn builder() -> ConsoleBuilder {
        ConsoleBuilder::default()
    }

    /// An exporter of log records, for `SdkLogger::builder().with_exporter(…)`.
    pub fn logs(&self) -> ConsoleExporter<LogData> {
        ConsoleExporter::new(self.sink.clone(), self.style)
    }

    /// An exporter of finished spans (one line per span), for
    /// `SdkTracer::builder().with_exporter(…)`.
    pub fn spans(&self) -> ConsoleExporter<SpanData> {
        ConsoleExporter::new(self.sink.clone(), self.style)
    }

    /// A reporter of handled errors and panics, for
    /// `SdkErrors::builder().with_reporter(…)`.
    pub fn errors(&self) -> ConsoleExporter<ErrorEvent> {
        ConsoleExporter::new(self.sink.clone(), self.style)
    }

    /// An exporter of metric snapshots (a table per snapshot in the pretty
    /// format, a line in JSON), for `SdkBuilder::with_metric_exporter(…)`,
    /// whose interval sets how often it prints.
    pub fn metrics(&self) -> ConsoleExporter<MetricsSnapshot> {
        ConsoleExporter::new(self.sink.clone(), self.style)
    }

    /// The format of the lines.
    pub fn format(&self) -> Format {
        self.style.format
    }

    /// Whether pretty lines carry colours (decided at build).
    pub fn is_colored(&self) -> bool {
        self.style.color
    }
}

impl fmt::Debug for Console {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Console")
            .field("target", &*lock(&self.sink))
            .field("format", &self.style.format)
            .field("color", &self.style.color)
            .finish()
    }
}

/// Configures a [`Console`]. Code wins over the environment: settings made
/// here are kept, [`from_env`](ConsoleBuilder::from_env) fills only what
/// code left unset, and defaults fill the rest.
#[derive(Clone, Debug, Default)]
#[must_use]
pub struct ConsoleBuilder {
    format: Option<Format>,
    /// `OMNISCOPE_LOG_FORMAT`, if `from_env` found it set and not blank
    /// (or its value was not UTF-8).
    env_format: Option<Result<String, EnvError>>,
    color: ColorChoice,
    target: Target,
}

impl ConsoleBuilder {
    /// The format of the lines. Default: [`Format::Pretty`], unless
    /// [`from_env`](ConsoleBuilder::from_env) found `OMNISCOPE_LOG_FORMAT`.
    pub fn with_format(mut self, format: Format) -> ConsoleBuilder {
        self.format = Some(format);
        self
    }

    /// Whether pretty lines are coloured. Default: [`ColorChoice::Auto`]
    /// (on a terminal, unless `NO_COLOR` is set).
    pub fn with_color(mut self, color: ColorChoice) -> ConsoleBuilder {
        self.color = color;
        self
    }

    /// Where lines go. Default: [`Target::Stdout`].
    pub fn with_target(mut self, target: impl Into<Target>) -> ConsoleBuilder {
        self.target = target.into();
        self
    }

    /// Reads [`FORMAT_ENV`] (`OMNISCOPE_LOG_FORMAT`: `json` or `pretty`,
    /// any case) now, to use if no format is set in code. An empty or blank
    /// value counts as unset; any other value (or one that is not UTF-8)
    /// makes [`build`](ConsoleBuilder::build) fail with an error naming the
    /// variable, the value and the accepted values.
    pub fn from_env(self) -> ConsoleBuilder {
        self.read_env(&env::var)
    }

    /// [`from_env`](ConsoleBuilder::from_env) with the variables of `lookup`
    /// (read now) instead of the process environment.
    pub fn from_env_with(self, lookup: impl Fn(&str) -> Option<String>) -> ConsoleBuilder {
        self.read_env(&env::infallible(lookup))
    }

    fn read_env(mut self, lookup: Lookup<'_>) -> ConsoleBuilder {
        self.env_format = env::get(lookup, FORMAT_ENV).transpose();
        self
    }

    /// Opens the target and returns the console.
    ///
    /// # Errors
    /// An invalid `OMNISCOPE_LOG_FORMAT` (when no format is set in code), a
    /// zero maximum size or age of a file, or a file that cannot be opened
    /// for appending (its directory missing or not writable).
    pub fn build(self) -> Result<Console, BuildError> {
        let format = self.resolve_format()?;
        if let Target::File(file) = &self.target {
            if file.max_size == 0 {
                return Err(invalid(format!(
                    "the maximum size of log file {} is 0: give at least 1 byte, or u64::MAX for no rotation by size",
                    file.path.display()
                )));
            }
            if file.max_age.is_some_and(|age| age.is_zero()) {
                return Err(invalid(format!(
                    "the maximum age of log file {} is 0: give a positive duration, or leave it unset for no rotation by age",
                    file.path.display()
                )));
            }
        }
        let sink = Sink::open(&self.target)?;
        // Any value but an empty one, UTF-8 or not, asks for no colour.
        let no_color = std::env::var_os("NO_COLOR");
        let color =
            format == Format::Pretty && self.color.resolve(sink.is_terminal(), no_color.as_deref());
        Ok(Console {
            sink: SharedSink::new(sink),
            style: Style { format, color },
        })
    }

    fn resolve_format(&self) -> Result<Format, BuildError> {
        if let Some(format) = self.format {
            return Ok(format);
        }
        match &self.env_format {
            None => Ok(Format::default()),
            Some(Err(e)) => Err(invalid(e.to_string())),
            Some(Ok(value)) => Format::from_name(value).ok_or_else(|| {
                invalid(format!(
                    "{FORMAT_ENV}={value:?} is not a log format: use {}",
                    Format::ACCEPTED
                ))
            }),
        }
    }
}

fn invalid(message: String) -> BuildError {
    BuildError::new("console", message)
}

#[cfg(test)]
mod tests;
