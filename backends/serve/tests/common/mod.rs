//! Shared by the integration tests: a test server and a raw HTTP/1.1
//! client over loopback TCP, so that tests can also misbehave (send half a
//! request, never read the answer).

#![allow(dead_code, unreachable_pub)] // each test file uses part of it
// Test support: a failed step is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use hyper::body::Bytes;
use hyper::StatusCode;
use omniscope_serve::{with_type, Server, ServerBuilder};

/// How long a test waits for an answer before it counts as none.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(10);

/// The body `/big` answers: larger than what the kernel buffers for a
/// loopback socket, so a client that never reads leaves most of it unsent.
pub const BIG: usize = 16 << 20;

/// A builder for a server on a free loopback port.
pub fn builder() -> ServerBuilder {
    Server::builder(SocketAddr::from(([127, 0, 0, 1], 0)))
        .with_name("omniscope-serve-test")
        .with_purpose("the test server")
}

/// Starts `builder`: `/big` answers [`BIG`] bytes (one shared buffer, so
/// the test itself allocates it once), anything else `hello`.
pub fn start(builder: ServerBuilder) -> Server {
    let big = Bytes::from(vec![b'x'; BIG]);
    builder
        .start(move |request| {
            let body = match request.uri().path() {
                "/big" => big.clone(),
                _ => Bytes::from_static(b"hello"),
            };
            async move { with_type(StatusCode::OK, "text/plain", body) }
        })
        .unwrap()
}

/// A connection that waits at most [`ANSWER_WITHIN`] for each read.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(ANSWER_WITHIN)).unwrap();
    stream
}

/// Sends `GET path` with `Host: host` on `stream`, without reading.
pub fn send(stream: &mut TcpStream, path: &str, host: &str) -> io::Result<()> {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n")
}

/// `GET path` with `Host: host` on a new connection: the status and the
/// body, or an error when the server closed the connection (or sent
/// nothing within [`ANSWER_WITHIN`]) instead of answering.
pub fn get_as(addr: SocketAddr, path: &str, host: &str) -> io::Result<(u16, String)> {
    let mut stream = connect(addr);
    send(&mut stream, path, host)?;
    read_answer(&mut stream)
}

/// `GET path` on a new connection, with the server's address as `Host`.
pub fn get(addr: SocketAddr, path: &str) -> io::Result<(u16, String)> {
    get_as(addr, path, &addr.to_string())
}

/// Reads one answer with a `Content-Length`.
pub fn read_answer(stream: &mut TcpStream) -> io::Result<(u16, String)> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).unwrap();
    let status = head[9..12].parse().unwrap();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    Ok((status, String::from_utf8(body).unwrap()))
}
