//! The one blocking HTTP/1.1 client of the tests, for servers on loopback:
//! one request per connection, `Content-Length` or chunked bodies, a read
//! timeout. A `Host` among the headers replaces the default (the server's
//! address); [`open`] leaves the answer unread, for tests that hang up.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long [`send`] and the functions built on it wait for an answer.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(90);

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The headers, in order.
    pub headers: Vec<(String, String)>,
    /// The body (dechunked) as text; see [`Reply::bytes`] for a body that
    /// is not text (gzip).
    pub body: String,
    /// The body (dechunked) as bytes.
    pub bytes: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The body as text, gunzipped if `Content-Encoding: gzip` says so.
    pub fn text(&self) -> String {
        match self.header("content-encoding") {
            Some(e) if e.eq_ignore_ascii_case("gzip") => {
                let mut text = String::new();
                flate2::read::GzDecoder::new(&self.bytes[..])
                    .read_to_string(&mut text)
                    .expect("a gzipped UTF-8 body");
                text
            }
            _ => String::from_utf8(self.bytes.clone()).expect("a UTF-8 body"),
        }
    }
}

/// `GET path` with extra headers; waits at most [`ANSWER_WITHIN`].
pub fn get_with(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    request(addr, "GET", path, headers)
}

/// `method path`, one request per connection.
pub fn request(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
    send(addr, method, path, headers, None)
}

/// `method path` with an optional JSON body; one request per connection,
/// waiting at most [`ANSWER_WITHIN`] for the whole answer. Panics (this is
/// test code) when there is no answer.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> Reply {
    try_send(addr, method, path, headers, json, ANSWER_WITHIN)
        .unwrap_or_else(|e| panic!("{method} {path} on {addr}: {e}"))
}

/// `GET path` for a server that may not listen yet: `None` when it does
/// not answer within 10 s (not listening, or not ready).
pub fn try_get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Option<Reply> {
    try_send(addr, "GET", path, headers, None, Duration::from_secs(10)).ok()
}

/// `method path` with an optional JSON body, waiting at most `timeout` for
/// each read: the answer, or why there was none.
pub fn try_send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
    timeout: Duration,
) -> io::Result<Reply> {
    let mut stream = connect(addr, timeout)?;
    write_request(&mut stream, addr, method, path, headers, json)?;
    let raw = read_response(&mut stream, method == "HEAD")?;
    parse(&raw)
}

/// A connection that has sent `method path` with `headers` and waits at
/// most [`ANSWER_WITHIN`] for each read; the answer is the caller's to
/// read, or not (a client that leaves).
pub fn open(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)]) -> TcpStream {
    let mut stream =
        connect(addr, ANSWER_WITHIN).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
    write_request(&mut stream, addr, method, path, headers, None)
        .unwrap_or_else(|e| panic!("cannot send {method} {path} to {addr}: {e}"));
    stream
}

/// `GET path`.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    get_with(addr, path, &[])
}

/// `GET path`, which must answer 200 with JSON.
pub fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let reply = get(addr, path);
    assert_eq!(reply.status, 200, "GET {path}: {}", reply.body);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    reply.json()
}

fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(timeout))?;
    Ok(stream)
}

/// The request head (and body), with `Host: addr` unless `headers` has
/// one, and `Connection: close`.
fn write_request(
    stream: &mut TcpStream,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> io::Result<()> {
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        head.push_str(&format!("Host: {addr}\r\n"));
    }
    head.push_str("Connection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = json {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(json.unwrap_or(""));
    stream.write_all(head.as_bytes())
}

/// Reads one response: its head only for `HEAD`; else up to its
/// `Content-Length`, the end of its chunks, or the end of the stream (some
/// servers keep the connection open even when asked to close it).
fn read_response(stream: &mut TcpStream, head_only: bool) -> io::Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(raw);
        }
        raw.extend_from_slice(&buf[..n]);
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        if head_only {
            return Ok(raw);
        }
        let head = String::from_utf8_lossy(&raw[..end]).to_ascii_lowercase();
        let body = &raw[end + 4..];
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        match length {
            Some(length) if body.len() >= length => return Ok(raw),
            None if head.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n") => {
                return Ok(raw)
            }
            _ => {}
        }
    }
}

fn parse(raw: &[u8]) -> io::Result<Reply> {
    let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_owned());
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no complete response head"))?;
    let head = std::str::from_utf8(&raw[..end]).map_err(|_| invalid("a head not in UTF-8"))?;
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status line"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v == "chunked");
    let body = &raw[end + 4..];
    let bytes = match chunked {
        true => dechunk(body).ok_or_else(|| invalid("a malformed chunked body"))?,
        false => body.to_vec(),
    };
    Ok(Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    })
}

/// The payload of a `Transfer-Encoding: chunked` body.
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line = body.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&body[..line]).ok()?;
        let size = usize::from_str_radix(size.trim(), 16).ok()?;
        let rest = &body[line + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(rest.get(..size)?);
        body = rest.get(size + 2..)?;
    }
}
