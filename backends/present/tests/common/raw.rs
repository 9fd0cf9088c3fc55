//! Requests the shared client cannot make: with a `Host` of the test's
//! choosing, or a connection the test drops before the answer.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// `GET path` with `Host: host` and `headers`, one request per connection:
/// the status and the body.
pub fn get_as(addr: SocketAddr, path: &str, host: &str, headers: &[(&str, &str)]) -> (u16, String) {
    let mut stream = open(addr, path, host, headers);
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete answer");
    let status = head[9..12].parse().unwrap();
    (status, body.to_owned())
}

/// A connection that has sent `GET path` with `Host: host` and `headers`,
/// and waits at most 90 s for each read.
pub fn open(addr: SocketAddr, path: &str, host: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(90)))
        .unwrap();
    let mut head = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream
}
