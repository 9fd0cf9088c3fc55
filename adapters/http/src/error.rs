//! [`BuildError`]: an option the builders cannot accept.

use std::fmt;

/// An option given to a builder of this crate is invalid; the message names
/// the setter and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildError {
    message: String,
}

impl BuildError {
    pub(crate) fn new(message: String) -> BuildError {
        BuildError { message }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BuildError {}
