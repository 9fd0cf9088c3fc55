//! Regression test for issue #11 (item 9): clients that ask for a large
//! answer and never read it once held every slot (and their answers in
//! memory) for as long as they liked. Now the connection idle the longest
//! makes room for a new one, so a fresh request is answered, and the bytes
//! of unread answers stay within the server's limit.

mod common;

use std::net::TcpStream;

use common::{builder, connect, get, send, start, BIG};
use omniscope_serve::DEFAULT_MAX_BUFFERED_BYTES;

#[test]
fn a_request_is_answered_while_64_clients_never_read_a_large_answer() {
    let server = start(builder());
    let addr = server.local_addr();
    let host = addr.to_string();
    // As many as the default slots, each asking for 16 MiB it never reads.
    let stalled: Vec<TcpStream> = (0..omniscope_serve::DEFAULT_MAX_CONNECTIONS)
        .map(|_| {
            let mut stream = connect(addr);
            send(&mut stream, "/big", &host).unwrap();
            stream
        })
        .collect();

    let answer = get(addr, "/");
    assert!(
        matches!(&answer, Ok((200, body)) if body == "hello"),
        "the fresh request was not answered: {answer:?}"
    );
    let stats = server.stats();
    assert!(
        stats.buffered_bytes <= DEFAULT_MAX_BUFFERED_BYTES,
        "{stats:?} holds more than the limit"
    );
    // 64 answers of 16 MiB do not fit in 64 MiB: the oldest unread went.
    assert!(stats.evicted_connections > 0, "{stats:?}");
    const { assert!(DEFAULT_MAX_BUFFERED_BYTES < 64 * BIG) };
    drop(stalled);
}
