//! [`BuildError`]: what a builder's `build()` rejects.

use std::fmt;

/// A configuration a builder rejected: which component, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    component: &'static str,
    message: String,
}

impl BuildError {
    /// An error in `component` (`"tracer"`, `"log filter"`, `"pipeline"`…).
    pub fn new(component: &'static str, message: impl Into<String>) -> BuildError {
        BuildError {
            component,
            message: message.into(),
        }
    }

    /// The component whose configuration was rejected.
    pub fn component(&self) -> &'static str {
        self.component
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} configuration: {}",
            self.component, self.message
        )
    }
}

impl std::error::Error for BuildError {}
