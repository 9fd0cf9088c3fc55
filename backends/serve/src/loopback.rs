//! The loopback policy: a server listens on a loopback address unless the
//! application decided to expose it.

use std::fmt;
use std::net::SocketAddr;

/// Checks the loopback policy every omniscope server keeps: `addr` must be
/// a loopback address (`127.0.0.0/8`, `::1`) unless `public` says the
/// application decided to expose the server to the network.
///
/// # Errors
/// [`NotLoopback`] when `addr` is not loopback and `public` is `false`;
/// the caller adds what the server would expose and which setter allows it.
///
/// ```
/// use omniscope_serve::check_loopback;
///
/// assert!(check_loopback("127.0.0.1:9000".parse()?, false).is_ok());
/// assert!(check_loopback("0.0.0.0:9000".parse()?, true).is_ok());
/// let refused = check_loopback("0.0.0.0:9000".parse()?, false).unwrap_err();
/// assert_eq!(refused.to_string(), "0.0.0.0:9000 is not a loopback address");
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub fn check_loopback(addr: SocketAddr, public: bool) -> Result<(), NotLoopback> {
    match public || addr.ip().is_loopback() {
        true => Ok(()),
        false => Err(NotLoopback { addr }),
    }
}

/// A non-loopback address without the decision to expose it (from
/// [`check_loopback`]). Its message, `<addr> is not a loopback address`,
/// starts the builder's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotLoopback {
    addr: SocketAddr,
}

impl NotLoopback {
    /// The address refused.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl fmt::Display for NotLoopback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not a loopback address", self.addr)
    }
}

impl std::error::Error for NotLoopback {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_passes_without_the_decision() {
        for ok in ["127.0.0.1:0", "127.0.0.2:9000", "[::1]:9464"] {
            assert_eq!(check_loopback(ok.parse().unwrap(), false), Ok(()), "{ok}");
        }
        for refused in ["0.0.0.0:9000", "[::]:9000", "192.0.2.1:80"] {
            let addr = refused.parse().unwrap();
            let err = check_loopback(addr, false).unwrap_err();
            assert_eq!(err.addr(), addr);
            assert_eq!(err.to_string(), format!("{addr} is not a loopback address"));
            assert_eq!(check_loopback(addr, true), Ok(()), "{refused}");
        }
    }
}
