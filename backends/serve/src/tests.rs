//! The server end to end over real loopback TCP: answering, the connection
//! limit and eviction, the stopping signal, the deadline, tasks, and bind errors.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use hyper::StatusCode;

use crate::{with_type, Server, ServerBuilder, ShutdownTimeout};

fn builder() -> ServerBuilder {
    Server::builder(SocketAddr::from(([127, 0, 0, 1], 0)))
        .with_name("omniscope-serve-test")
        .with_purpose("the test server")
}

fn deadline() -> Instant {
    Instant::now() + Duration::from_secs(30)
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
}

/// One GET on a kept-alive connection: the status and the body, or an
/// error when the server closed the connection instead of answering.
fn get(stream: &mut TcpStream, path: &str) -> io::Result<(u16, String)> {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
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

/// Polls `done` until it holds, for at most 30 s.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = deadline();
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

fn ok(body: String) -> hyper::Response<crate::Body> {
    with_type(StatusCode::OK, "text/plain; charset=utf-8", body)
}

#[test]
fn answers_on_its_own_suppressed_thread_then_shuts_down() {
    let server = builder()
        .with_path("/metrics")
        .start(|request| {
            let thread = thread::current().name().unwrap_or("?").to_owned();
            let suppressed = omniscope::is_dispatching();
            let path = request.uri().path().to_owned();
            async move { ok(format!("{path} {thread} {suppressed}")) }
        })
        .unwrap();
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert_eq!(server.url(), format!("http://{addr}/metrics"));
    let mut stream = connect(addr);
    let (status, body) = get(&mut stream, "/anything").unwrap();
    assert_eq!(status, 200);
    assert_eq!(body, "/anything omniscope-serve-test true");
    // Kept alive: a second request on the same connection.
    assert_eq!(get(&mut stream, "/again").unwrap().0, 200);

    server.shutdown(deadline()).unwrap();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).unwrap(); // the idle connection was closed
    assert!(rest.is_empty());
    assert!(TcpStream::connect(addr).is_err(), "still listening");
    server.shutdown(deadline()).unwrap(); // idempotent
}

#[test]
fn dropping_the_server_stops_it() {
    let server = builder().start(|_| async { ok(String::new()) }).unwrap();
    let addr = server.local_addr();
    assert_eq!(server.url(), format!("http://{addr}/"));
    drop(server);
    assert!(TcpStream::connect(addr).is_err(), "still listening");
}

#[test]
fn a_new_connection_evicts_the_longest_idle_unless_all_run_handlers() {
    let builder = builder().with_max_connections(2);
    let stopping = builder.stopping();
    let holding = Arc::new(AtomicUsize::new(0));
    let count = holding.clone();
    let server = builder
        .start(move |request| {
            let stopping = stopping.clone();
            let count = count.clone();
            async move {
                if request.uri().path() == "/hold" {
                    count.fetch_add(1, Ordering::SeqCst);
                    stopping.stopped().await;
                }
                ok("hello".to_owned())
            }
        })
        .unwrap();
    let addr = server.local_addr();
    let mut first = connect(addr);
    let mut second = connect(addr);
    // Both answered, and kept alive: both hold a slot, idle.
    assert_eq!(get(&mut first, "/").unwrap().0, 200);
    assert_eq!(get(&mut second, "/").unwrap().0, 200);

    // A third makes room by closing the one idle the longest.
    let mut third = connect(addr);
    assert_eq!(get(&mut third, "/").unwrap(), (200, "hello".to_owned()));
    assert!(get(&mut first, "/").is_err(), "the oldest idle one stayed");
    assert_eq!(get(&mut second, "/").unwrap().0, 200);
    assert_eq!(server.stats().evicted_connections, 1);

    // With both slots running a handler, a new connection is closed.
    let holds: Vec<_> = [second, third]
        .into_iter()
        .map(|mut stream| thread::spawn(move || get(&mut stream, "/hold")))
        .collect();
    wait_until("both handlers run", || holding.load(Ordering::SeqCst) == 2);
    let refused = get(&mut connect(addr), "/");
    assert!(
        refused.is_err(),
        "a third connection was served: {refused:?}"
    );
    let stats = server.stats();
    assert_eq!((stats.connections, stats.refused_connections), (2, 1));
    server.shutdown(deadline()).unwrap();
    for hold in holds {
        assert_eq!(hold.join().unwrap().unwrap(), (200, "hello".to_owned()));
    }
}

#[test]
fn stopping_ends_a_waiting_handler_within_the_deadline() {
    let builder = builder();
    let stopping = builder.stopping();
    let waiting = Arc::new(AtomicUsize::new(0));
    let count = waiting.clone();
    let server = builder
        .start(move |_| {
            let stopping = stopping.clone();
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                stopping.stopped().await;
                with_type(StatusCode::SERVICE_UNAVAILABLE, "text/plain", "stopping")
            }
        })
        .unwrap();
    let addr = server.local_addr();
    let poll = thread::spawn(move || get(&mut connect(addr), "/wait"));
    wait_until("the handler waits", || waiting.load(Ordering::SeqCst) == 1);
    server.shutdown(deadline()).unwrap();
    assert_eq!(poll.join().unwrap().unwrap(), (503, "stopping".to_owned()));
}

#[test]
fn a_request_running_past_the_deadline_is_cut_off_and_reported() {
    let entered = Arc::new(AtomicUsize::new(0));
    let count = entered.clone();
    let server = builder()
        .start(move |_| {
            count.fetch_add(1, Ordering::SeqCst);
            // Never answers, and ignores the stopping signal.
            std::future::pending()
        })
        .unwrap();
    let addr = server.local_addr();
    let hung = thread::spawn(move || get(&mut connect(addr), "/hang"));
    wait_until("the handler runs", || entered.load(Ordering::SeqCst) == 1);
    let past = Instant::now() + Duration::from_millis(50);
    assert_eq!(server.shutdown(past), Err(ShutdownTimeout));
    assert!(
        hung.join().unwrap().is_err(),
        "the cut-off request got an answer"
    );
    assert_eq!(server.shutdown(deadline()), Ok(()));
}

#[test]
fn tasks_run_beside_the_connections_until_shutdown() {
    struct SetOnDrop(Arc<AtomicBool>);
    impl Drop for SetOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let started = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let (on_start, guard) = (started.clone(), SetOnDrop(dropped.clone()));
    let server = builder()
        .with_task(async move {
            let _guard = guard;
            on_start.store(true, Ordering::SeqCst);
            std::future::pending::<()>().await;
        })
        .start(|_| async { ok(String::new()) })
        .unwrap();
    wait_until("the task runs", || started.load(Ordering::SeqCst));
    assert!(!dropped.load(Ordering::SeqCst));
    server.shutdown(deadline()).unwrap();
    assert!(
        dropped.load(Ordering::SeqCst),
        "the task outlived the server"
    );
}

#[test]
fn an_address_in_use_is_a_clear_error() {
    let first = builder().start(|_| async { ok(String::new()) }).unwrap();
    let addr = first.local_addr();
    let err = Server::builder(addr)
        .with_purpose("the test server")
        .with_bind_hint("pick another port")
        .start(|_| async { ok(String::new()) })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("cannot listen on {addr} for the test server (pick another port)")
    );
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert!(source.is_some_and(|s| !s.is_empty()), "the I/O error");
}

#[test]
fn a_head_request_holds_no_body_in_memory() {
    let server = builder().start(|_| async { ok("x".repeat(1000)) }).unwrap();
    let mut stream = connect(server.local_addr());
    write!(stream, "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut status = [0u8; 12];
    stream.read_exact(&mut status).unwrap();
    assert_eq!(&status[9..], b"200");
    assert_eq!(
        server.stats().buffered_bytes,
        0,
        "the body is never written"
    );
}
