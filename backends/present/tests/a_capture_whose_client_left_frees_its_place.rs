//! Regression test for issue #11 (item 10): a capture whose client has
//! gone gives its waiting place back at once, so that clients that start
//! captures and leave cannot use every place up.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::{get, get_json};
use omniscope_present::Present;
use omniscope_sdk::Sdk;

/// The most captures that wait at once (the crate docs' API table).
const PLACES: usize = 32;

fn waiting(addr: SocketAddr) -> u64 {
    get_json(addr, "/api/status")["captures_waiting"]
        .as_u64()
        .unwrap()
}

fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "not within 30 s: {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn every_place_is_free_again_once_the_clients_left() {
    let present = Present::builder()
        .with_addr("127.0.0.1:0".parse().unwrap())
        .build()
        .unwrap();
    let server = present.serve(Sdk::builder().build().unwrap()).unwrap();
    let addr = server.local_addr();

    let clients: Vec<TcpStream> = (0..PLACES)
        .map(|_| common::open(addr, "GET", "/api/traces/capture?timeout=600s", &[]))
        .collect();
    wait_until("every place is taken", || waiting(addr) == PLACES as u64);
    let full = get(addr, "/api/traces/capture?timeout=50ms");
    assert_eq!(full.status, 503, "{}", full.body);

    drop(clients);
    wait_until("the places are given back", || waiting(addr) == 0);
    let reply = get(addr, "/api/traces/capture?timeout=50ms");
    assert_eq!(reply.status, 408, "{}", reply.body);
}
