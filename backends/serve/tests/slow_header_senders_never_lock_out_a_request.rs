//! Regression test for issue #11 (item 9): connections that trickle their
//! headers (slowloris) once held every slot for the header timeout, and a
//! new connection was closed at accept. Now, when the slots are full, the
//! connection idle the longest makes room, so a fresh request is answered.

mod common;

use std::io::Write;
use std::net::TcpStream;

use common::{builder, get, start};

#[test]
fn a_request_is_answered_while_200_connections_send_one_header_byte() {
    let server = start(builder());
    let addr = server.local_addr();
    // More than the 64 slots, all on 127.0.0.1 like the real user: each
    // sends the first byte of a request line and then nothing.
    let slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut stream = TcpStream::connect(addr).unwrap();
            stream.write_all(b"G").unwrap();
            stream
        })
        .collect();

    let answer = get(addr, "/");
    assert!(
        matches!(&answer, Ok((200, body)) if body == "hello"),
        "the fresh request was not answered: {answer:?}"
    );
    // The 64 slots were full: each newcomer closed the oldest idle one.
    let evicted = server.stats().evicted_connections;
    assert!(evicted >= 200 + 1 - 64, "{evicted} evicted");
    drop(slow);
}
