//! [`Error`]: why [`install`](crate::KitBuilder::install) refused.

use std::fmt;

use omniscope_sdk::env::EnvError;
use omniscope_sdk::{BuildError, InstallError};

/// Why the kit could not install telemetry: a bad environment variable, a
/// backend that is not compiled in, a rejected configuration, or globals
/// that were already installed. The message names the input and the fix.
///
/// Each error of the chain says its own part once (a backend that could not
/// start, then where it could not listen, then the system's reason): show
/// them all with [`omniscope::error_chain`]. `Debug` prints the whole chain,
/// `a: b: c`, so that `main` returning `Result<(), omniscope_kit::Error>`
/// shows it.
pub struct Error {
    kind: Kind,
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&omniscope::error_chain(self).join(": "))
    }
}

#[derive(Debug)]
enum Kind {
    /// An environment variable with a value the kit cannot use.
    Env {
        var: &'static str,
        value: String,
        problem: String,
    },
    /// An environment variable whose value is not UTF-8 (its message names
    /// the variable and shows the value escaped).
    Unreadable { var: &'static str, error: EnvError },
    /// A backend chosen in code that this build cannot provide.
    Backend(String),
    /// A backend that could not start (a dashboard port in use).
    Start {
        what: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A configuration a builder rejected (transparent).
    Build(BuildError),
    /// A global of some signal was already installed (transparent).
    Install(InstallError),
}

impl Error {
    pub(crate) fn env(var: &'static str, value: &str, problem: impl Into<String>) -> Error {
        Error {
            kind: Kind::Env {
                var,
                value: value.to_owned(),
                problem: problem.into(),
            },
        }
    }

    pub(crate) fn unreadable(var: &'static str, error: EnvError) -> Error {
        Error {
            kind: Kind::Unreadable { var, error },
        }
    }

    pub(crate) fn backend(message: impl Into<String>) -> Error {
        Error {
            kind: Kind::Backend(message.into()),
        }
    }

    pub(crate) fn start(
        what: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    ) -> Error {
        Error {
            kind: Kind::Start { what, source },
        }
    }

    /// The environment variable at fault, if the error came from one.
    pub fn variable(&self) -> Option<&'static str> {
        match &self.kind {
            Kind::Env { var, .. } | Kind::Unreadable { var, .. } => Some(var),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Env {
                var,
                value,
                problem,
            } => write!(f, "invalid {var}=`{value}`: {problem}"),
            Kind::Unreadable { error, .. } => error.fmt(f),
            Kind::Backend(message) => f.write_str(message),
            Kind::Start { what, .. } => write!(f, "{what} could not start"),
            Kind::Build(e) => e.fmt(f),
            Kind::Install(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            // Transparent: the message is theirs, so the chain goes on
            // below them.
            Kind::Build(e) => e.source(),
            Kind::Install(e) => e.source(),
            Kind::Start { source, .. } => Some(source.as_ref()),
            Kind::Env { .. } | Kind::Unreadable { .. } | Kind::Backend(_) => None,
        }
    }
}

impl From<BuildError> for Error {
    fn from(e: BuildError) -> Error {
        Error {
            kind: Kind::Build(e),
        }
    }
}

impl From<InstallError> for Error {
    fn from(e: InstallError) -> Error {
        Error {
            kind: Kind::Install(e),
        }
    }
}
