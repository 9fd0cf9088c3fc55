//! Issue #11 (item 9): what a server holds in memory for its clients is
//! bounded; an answer larger than the whole limit is replaced by a `503`
//! that says so, and counted.

mod common;

use common::{builder, get, start, BIG};

#[test]
fn an_oversized_answer_becomes_a_503() {
    let server = start(builder().with_max_buffered_bytes(BIG - 1));
    let addr = server.local_addr();
    let (status, body) = get(addr, "/big").unwrap();
    assert_eq!(status, 503);
    assert_eq!(
        body,
        format!(
            "the answer is {BIG} bytes, more than this server holds in memory ({} bytes): \
             ask for less\n",
            BIG - 1
        )
    );
    assert_eq!(server.stats().oversized_responses, 1);
    assert_eq!(get(addr, "/").unwrap(), (200, "hello".to_owned()));
}
