//! What starting and stopping a server can fail with.

use std::fmt;
use std::io;

/// Why [`ServerBuilder::start`](crate::ServerBuilder::start) failed: its
/// message says what it was doing (naming the address and what the server
/// is for) and what to do; its [`source`](std::error::Error::source) is the
/// I/O error (`AddrInUse`, …), which the message does not repeat: print the
/// chain ([`omniscope::error_chain`]) to show both.
#[derive(Debug)]
pub struct ServeError {
    message: String,
    source: io::Error,
}

impl ServeError {
    /// `message` says what failed and what to do; `source` is why.
    pub(crate) fn new(message: String, source: io::Error) -> ServeError {
        ServeError { message, source }
    }
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// [`Server::shutdown`](crate::Server::shutdown) passed its deadline with
/// requests still running: they were cut off (or, if a handler blocks its
/// thread, the server thread ends on its own once it returns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShutdownTimeout;

impl fmt::Display for ShutdownTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the server did not stop by the deadline: requests were still running \
             (give shutdown a later deadline to let them finish)",
        )
    }
}

impl std::error::Error for ShutdownTimeout {}
