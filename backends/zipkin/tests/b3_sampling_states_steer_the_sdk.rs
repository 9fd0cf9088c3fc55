//! Issue #17: B3's sampling states reach the SDK's decision and the Zipkin
//! export, under a sampler that would otherwise record everything:
//! - `b3: 0` alone denies the trace (nothing is exported) and is sent on;
//! - `d` (debug) is exported as `debug: true` on the caller's trace, for the
//!   span and its children, and sent on as `d`;
//! - a trace without B3 headers is recorded as the sampler says.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{install_sampling, pipeline, wait_until, Receiver};
use omniscope::propagation::Propagator;
use omniscope::{Context, SpanKind};
use omniscope_sdk::trace::Sampler;
use omniscope_zipkin::{B3Propagator, Zipkin};

/// Handles one request carrying `headers`: a server span and a child,
/// returning the B3 headers the child would send downstream.
fn handle(name: &'static str, headers: &[(&str, &str)]) -> HashMap<String, String> {
    let incoming: HashMap<String, String> = headers
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let _cx = B3Propagator::default()
        .extract(Context::new(), &incoming)
        .attach();
    let _server = omniscope::span!(kind: SpanKind::Server, "request", case = name);
    let _call = omniscope::span!(kind: SpanKind::Client, "downstream call");
    let mut outgoing = HashMap::new();
    B3Propagator::default().inject(&Context::current(), &mut outgoing);
    outgoing
}

#[test]
fn b3_sampling_states_steer_the_sdk() {
    let receiver = Receiver::start(None);
    let zipkin = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .build()
        .unwrap();
    let guard = install_sampling(
        &[zipkin],
        pipeline(Duration::from_secs(30)),
        Sampler::ParentBased {
            root: Box::new(Sampler::AlwaysOn),
        },
    );

    let denied = handle("denied", &[("b3", "0")]);
    assert_eq!(denied["b3"], "0", "the denial is sent on alone");
    let debug = handle(
        "debug",
        &[("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-d")],
    );
    assert!(
        debug["b3"].starts_with("80f198ee56343ba864fe8b2a57d3eff7-") && debug["b3"].ends_with("-d"),
        "{debug:?}"
    );
    let plain = handle("plain", &[]);
    assert!(plain["b3"].ends_with("-1"), "{plain:?}");

    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    wait_until("4 spans", Duration::from_secs(20), || {
        receiver.spans().len() >= 4
    });
    // Let a late batch arrive, if one were (wrongly) on its way.
    std::thread::sleep(Duration::from_millis(200));
    let spans = receiver.spans();
    let named = |name: &str| spans.iter().filter(|s| s["tags"]["case"] == name).count();
    assert_eq!(named("denied"), 0, "{spans:?}");
    assert_eq!(spans.len(), 4, "{spans:?}");

    let server = spans.iter().find(|s| s["tags"]["case"] == "debug").unwrap();
    assert_eq!(server["traceId"], "80f198ee56343ba864fe8b2a57d3eff7");
    assert_eq!(server["parentId"], "e457b5a2e4d86bd1");
    for s in &spans {
        let in_debug_trace = s["traceId"] == "80f198ee56343ba864fe8b2a57d3eff7";
        assert_eq!(
            s.get("debug").is_some_and(|d| d == true),
            in_debug_trace,
            "{s}"
        );
    }
}
