//! Regression test for issue #11 (item 9): an answer had no deadline, so a
//! client that never read it kept its connection (and the answer in
//! memory) for as long as it liked. Now the connection is closed when the
//! write timeout passes, and the closing is counted.

mod common;

use std::io::Read;
use std::thread;
use std::time::{Duration, Instant};

use common::{builder, connect, send, start, BIG};

#[test]
fn a_client_that_does_not_read_in_time_is_cut_off() {
    let server = start(builder().with_write_timeout(Duration::from_millis(200)));
    let addr = server.local_addr();
    let mut stalled = connect(addr);
    send(&mut stalled, "/big", &addr.to_string()).unwrap();

    let until = Instant::now() + Duration::from_secs(30);
    while server.stats().write_timeouts == 0 {
        assert!(
            Instant::now() < until,
            "never cut off: {:?}",
            server.stats()
        );
        thread::sleep(Duration::from_millis(20));
    }
    let stats = server.stats();
    assert_eq!(
        (stats.connections, stats.buffered_bytes),
        (0, 0),
        "{stats:?}"
    );
    // What the kernel had buffered arrives, then the end: not the whole answer.
    let mut received = Vec::new();
    let _ = stalled.read_to_end(&mut received);
    assert!(received.len() < BIG, "the whole answer arrived");
}
