//! The sockets: UDP (IPv4 or IPv6, the host name resolved again
//! periodically), Unix datagram and Unix stream. All non-blocking: a full
//! socket buffer (`EAGAIN`) or any other failure drops the payload, which
//! the exporter counts; nothing here waits.

use std::io::{self, Write as _};
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the lines go.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// UDP to `host:port`; the host is an IP address or a name, resolved
    /// when the exporter starts and again every
    /// [`with_resolve_interval`](crate::StatsdBuilder::with_resolve_interval).
    Udp {
        /// IP address (IPv6 with or without brackets) or host name.
        host: String,
        /// UDP port.
        port: u16,
    },
    /// A Unix datagram socket (`unixgram://` in `DD_DOGSTATSD_URL`).
    UnixDatagram(PathBuf),
    /// A Unix stream socket (`unixstream://`).
    UnixStream(PathBuf),
}

impl Endpoint {
    /// The default payload size: 1432 bytes on UDP (fits an Ethernet MTU
    /// with IPv6 headers), 8192 on Unix sockets.
    pub fn default_max_payload(&self) -> usize {
        match self {
            Endpoint::Udp { .. } => 1432,
            _ => 8192,
        }
    }
}

/// How payloads are delimited on a stream socket, where the datagram
/// boundary is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamFraming {
    /// Each payload followed by `\n` (statsd over TCP or a Unix stream:
    /// Telegraf, the Etsy daemon's TCP server).
    Newline,
    /// Each payload preceded by its length as 4 bytes little-endian (the
    /// Datagram agent's `unixstream` protocol).
    LengthPrefixed,
}

/// Why a payload was not sent.
#[derive(Debug)]
pub(crate) enum SendError {
    /// The socket buffer is full (`EAGAIN`).
    WouldBlock,
    /// Anything else (no listener, a missing socket path, resolution).
    Failed(io::Error),
}

/// How often a socket that could not be opened is tried again.
const RECONNECT_INTERVAL: Duration = Duration::from_secs(1);

/// Resolves a UDP host: the system's resolver, or a test's.
type Resolve = fn(&str, u16) -> io::Result<SocketAddr>;

pub(crate) struct Transport {
    endpoint: Endpoint,
    framing: StreamFraming,
    resolve_interval: Duration,
    resolve: Resolve,
    socket: Option<Socket>,
    /// When the UDP host was last resolved, or a Unix socket last tried.
    opened: Option<Instant>,
    /// The unsent tail of a stream payload: sent first next time, so that
    /// a line is never cut on the wire.
    pending: Vec<u8>,
}

enum Socket {
    Udp(UdpSocket),
    Datagram(UnixDatagram),
    Stream(UnixStream),
}

impl Transport {
    pub(crate) fn new(
        endpoint: Endpoint,
        framing: StreamFraming,
        resolve_interval: Duration,
    ) -> Transport {
        Transport {
            endpoint,
            framing,
            resolve_interval,
            resolve: system_resolve,
            socket: None,
            opened: None,
            pending: Vec::new(),
        }
    }

    /// Sends one payload, or fails at once.
    pub(crate) fn send(&mut self, payload: &[u8]) -> Result<(), SendError> {
        self.ensure_open()?;
        let result = match &mut self.socket {
            Some(Socket::Udp(s)) => s.send(payload).map(drop),
            Some(Socket::Datagram(s)) => s.send(payload).map(drop),
            Some(Socket::Stream(_)) => return self.send_stream(payload),
            None => Err(io::Error::new(io::ErrorKind::NotConnected, "no socket")),
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(SendError::WouldBlock),
            Err(e) => {
                // A Unix datagram socket whose listener went away needs a new
                // connection; UDP's "connection refused" only reports an
                // earlier datagram, the socket stays usable.
                if matches!(self.socket, Some(Socket::Datagram(_))) {
                    self.socket = None;
                }
                Err(SendError::Failed(e))
            }
        }
    }

    fn send_stream(&mut self, payload: &[u8]) -> Result<(), SendError> {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            match self.write_stream(&pending) {
                Ok(0) => {}
                Ok(unsent) => {
                    self.pending = pending[pending.len() - unsent..].to_vec();
                    return Err(SendError::WouldBlock);
                }
                Err(e) => return Err(e),
            }
        }
        let mut framed = Vec::with_capacity(payload.len() + 4);
        match self.framing {
            StreamFraming::LengthPrefixed => {
                let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
                framed.extend_from_slice(&len.to_le_bytes());
                framed.extend_from_slice(payload);
            }
            StreamFraming::Newline => {
                framed.extend_from_slice(payload);
                framed.push(b'\n');
            }
        }
        match self.write_stream(&framed) {
            Ok(0) => Ok(()),
            // Part of it went out: the rest must follow before anything
            // else, or the reader would see a cut line. It is sent first
            // next time; the payload counts as sent.
            Ok(unsent) if unsent < framed.len() => {
                self.pending = framed[framed.len() - unsent..].to_vec();
                Ok(())
            }
            Ok(_) => Err(SendError::WouldBlock),
            Err(e) => Err(e),
        }
    }

    /// Writes what the socket takes now; returns how many bytes were not
    /// written.
    fn write_stream(&mut self, mut bytes: &[u8]) -> Result<usize, SendError> {
        let Some(Socket::Stream(stream)) = &mut self.socket else {
            return Err(SendError::Failed(io::Error::new(
                io::ErrorKind::NotConnected,
                "no socket",
            )));
        };
        while !bytes.is_empty() {
            match stream.write(bytes) {
                Ok(0) => {
                    self.socket = None;
                    return Err(SendError::Failed(io::ErrorKind::WriteZero.into()));
                }
                Ok(n) => bytes = &bytes[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(bytes.len()),
                Err(e) => {
                    // The listener went away; a new connection next time
                    // (what was pending is lost with the connection).
                    self.socket = None;
                    self.pending.clear();
                    return Err(SendError::Failed(e));
                }
            }
        }
        Ok(0)
    }

    /// Opens the socket, or re-resolves the UDP host once its interval has
    /// passed. A Unix socket that failed is tried again after the same
    /// interval at most once per second, so that an absent listener costs
    /// one failed `connect` per flush at most.
    fn ensure_open(&mut self) -> Result<(), SendError> {
        let now = Instant::now();
        let due = self
            .opened
            .is_none_or(|t| now.saturating_duration_since(t) >= self.resolve_interval);
        let retry = match &self.socket {
            None => self.opened.is_none_or(|t| {
                now.saturating_duration_since(t) >= RECONNECT_INTERVAL.min(self.resolve_interval)
            }),
            Some(Socket::Udp(_)) => due,
            Some(_) => false,
        };
        if retry {
            self.opened = Some(now);
            match self.open() {
                Ok(socket) => {
                    self.socket = Some(socket);
                    self.pending.clear();
                }
                // A failed re-resolution keeps the socket it had.
                Err(e) if self.socket.is_none() => return Err(SendError::Failed(e)),
                Err(_) => {}
            }
        }
        match self.socket {
            Some(_) => Ok(()),
            None => Err(SendError::Failed(io::Error::new(
                io::ErrorKind::NotConnected,
                "not connected (retried at most once a second)",
            ))),
        }
    }

    fn open(&self) -> io::Result<Socket> {
        match &self.endpoint {
            Endpoint::Udp { host, port } => {
                let addr = (self.resolve)(host, *port)?;
                let local: SocketAddr = match addr {
                    SocketAddr::V4(_) => ([0, 0, 0, 0], 0).into(),
                    SocketAddr::V6(_) => (std::net::Ipv6Addr::UNSPECIFIED, 0).into(),
                };
                let socket = UdpSocket::bind(local)?;
                socket.connect(addr)?;
                socket.set_nonblocking(true)?;
                Ok(Socket::Udp(socket))
            }
            Endpoint::UnixDatagram(path) => {
                let socket = UnixDatagram::unbound()?;
                socket.connect(path)?;
                socket.set_nonblocking(true)?;
                Ok(Socket::Datagram(socket))
            }
            Endpoint::UnixStream(path) => {
                // A local connect does not wait for the listener to accept.
                let stream = UnixStream::connect(path)?;
                stream.set_nonblocking(true)?;
                Ok(Socket::Stream(stream))
            }
        }
    }
}

/// The first address the system's resolver gives for `host` (an IP
/// address, bracketed or not, or a name).
fn system_resolve(host: &str, port: u16) -> io::Result<SocketAddr> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    (bare, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, format!("{host} has no address")))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU8, Ordering};

    use super::*;

    /// The last octet of the address `moving.test` resolves to.
    static MOVING_HOST: AtomicU8 = AtomicU8::new(2);

    fn moving_resolve(host: &str, port: u16) -> io::Result<SocketAddr> {
        assert_eq!(host, "moving.test");
        let octet = MOVING_HOST.load(Ordering::SeqCst);
        Ok(([127, 0, 0, octet], port).into())
    }

    fn listener(octet: u8, port: u16) -> UdpSocket {
        let socket = UdpSocket::bind(("127.0.0.".to_owned() + &octet.to_string(), port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        socket
    }

    fn receive(socket: &UdpSocket) -> Vec<u8> {
        let mut buf = [0; 64];
        let n = socket.recv(&mut buf).unwrap();
        buf[..n].to_vec()
    }

    /// Issue #16: a host name is resolved again once the interval has
    /// passed, so that lines follow a daemon that moved; before that, the
    /// socket resolved at start is kept.
    #[test]
    fn a_host_that_moves_is_followed_after_the_resolve_interval() {
        let first = listener(2, 0);
        let port = first.local_addr().unwrap().port();
        let second = listener(3, port);
        let endpoint = Endpoint::Udp {
            host: "moving.test".to_owned(),
            port,
        };
        let interval = Duration::from_millis(200);
        let mut transport = Transport::new(endpoint, StreamFraming::Newline, interval);
        transport.resolve = moving_resolve;

        transport.send(b"a:1|c").unwrap();
        assert_eq!(receive(&first), b"a:1|c");
        MOVING_HOST.store(3, Ordering::SeqCst);
        transport.send(b"b:1|c").unwrap();
        assert_eq!(receive(&first), b"b:1|c", "kept until the interval passes");
        std::thread::sleep(interval);
        transport.send(b"c:1|c").unwrap();
        assert_eq!(receive(&second), b"c:1|c", "resolved again");
    }
}
