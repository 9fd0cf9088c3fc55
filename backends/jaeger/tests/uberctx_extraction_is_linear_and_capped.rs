//! Regression test for issue #11: extracting `uberctx-*` baggage is linear
//! in the number of headers and keeps at most what a W3C `baggage` header
//! may carry (180 members, 8192 bytes). Before the fix every header copied
//! the whole baggage (16,000 headers: 40 s) and nothing bounded it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use omniscope::baggage::{MAX_BYTES as BYTES, MAX_MEMBERS as MEMBERS};
use omniscope::propagation::Propagator;
use omniscope::{Baggage, Context};
use omniscope_jaeger::UberTraceIdPropagator;

/// A liveness bound (the extraction must finish, not be fast).
const LIVENESS: Duration = Duration::from_secs(10);

/// `key=value` members joined by commas, as in a `baggage` header.
fn bytes(baggage: &Baggage) -> usize {
    let members: usize = baggage.iter().map(|(k, v)| k.len() + 1 + v.len()).sum();
    members + baggage.len().saturating_sub(1)
}

/// Runs `f` on a thread; a run past [`LIVENESS`] fails the test.
fn within_liveness<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || tx.send(f()));
    rx.recv_timeout(LIVENESS)
        .expect("uberctx extraction did not finish within the liveness bound")
}

/// `uberctx-k00000` … in key order (a `BTreeMap` carrier is ordered).
fn headers(n: usize, value: impl Fn(usize) -> String) -> BTreeMap<String, String> {
    (0..n)
        .map(|i| (format!("uberctx-k{i:05}"), value(i)))
        .collect()
}

#[test]
fn sixteen_thousand_headers_keep_the_first_180_members() {
    let baggage = within_liveness(|| {
        let carrier = headers(16_000, |i| format!("v{i}"));
        UberTraceIdPropagator
            .extract(Context::new(), &carrier)
            .baggage()
            .clone()
    });
    assert_eq!(baggage.len(), MEMBERS);
    assert!(bytes(&baggage) <= BYTES, "{} bytes", bytes(&baggage));
    let expected: Vec<(String, String)> = (0..MEMBERS)
        .map(|i| (format!("k{i:05}"), format!("v{i}")))
        .collect();
    let kept: Vec<(String, String)> = baggage
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    assert_eq!(kept, expected, "the first members in the carrier's order");
}

#[test]
fn large_values_stop_at_8192_bytes_and_leave_members_out_whole() {
    let baggage = within_liveness(|| {
        // 16,000 members of 207 bytes each: 39 fit in 8192 bytes.
        let carrier = headers(16_000, |_| "x".repeat(200));
        UberTraceIdPropagator
            .extract(Context::new(), &carrier)
            .baggage()
            .clone()
    });
    assert_eq!(baggage.len(), 39);
    assert!(bytes(&baggage) <= BYTES, "{} bytes", bytes(&baggage));
    assert!(
        baggage.iter().all(|(_, v)| v.len() == 200),
        "none truncated"
    );
    // A later small member still fits in the room left.
    let mut carrier = headers(100, |_| "x".repeat(200));
    carrier.insert("uberctx-zz".to_owned(), "small".to_owned());
    let cx = UberTraceIdPropagator.extract(Context::new(), &carrier);
    assert_eq!(cx.baggage().get("zz"), Some("small"));
    assert!(bytes(cx.baggage()) <= BYTES);
}

#[test]
fn the_limits_count_the_baggage_already_in_the_context() {
    let full = (0..MEMBERS)
        .try_fold(Baggage::new(), |b, i| b.insert(&format!("w{i}"), "1"))
        .unwrap();
    let mut carrier = headers(10, |i| format!("v{i}"));
    // An existing key can still be replaced: the count does not grow.
    carrier.insert("uberctx-w0".to_owned(), "2".to_owned());
    let cx = UberTraceIdPropagator.extract(Context::new().with_baggage(full), &carrier);
    assert_eq!(cx.baggage().len(), MEMBERS);
    assert_eq!(cx.baggage().get("w0"), Some("2"));
    assert_eq!(cx.baggage().get("k00000"), None);
}

#[test]
fn many_spellings_of_one_key_are_one_member() {
    let baggage = within_liveness(|| {
        // 2^14 spellings of `uberctx-abcdefghijklmn` that differ in case.
        let name = "abcdefghijklmn";
        let carrier: BTreeMap<String, String> = (0..1u32 << name.len())
            .map(|mask| {
                let spelled: String = name
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if mask >> i & 1 == 1 {
                            c.to_ascii_uppercase()
                        } else {
                            c
                        }
                    })
                    .collect();
                (format!("uberctx-{spelled}"), mask.to_string())
            })
            .collect();
        UberTraceIdPropagator
            .extract(Context::new(), &carrier)
            .baggage()
            .clone()
    });
    assert_eq!(baggage.len(), 1);
    assert!(baggage.get("abcdefghijklmn").is_some());
}
