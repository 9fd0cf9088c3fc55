//! Issue #17: under a sampler that records no new trace, a caller's `b3: 1`
//! or `b3: d` sent without ids still gets its trace recorded (it stands for
//! a sampled parent), while a request without B3 headers is not recorded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use common::{install_sampling, pipeline, wait_until, Receiver};
use omniscope::propagation::Propagator;
use omniscope::{Context, SpanKind};
use omniscope_sdk::trace::Sampler;
use omniscope_zipkin::{B3Propagator, Zipkin};

fn handle(name: &'static str, b3: Option<&str>) {
    let incoming: HashMap<String, String> = b3
        .map(|v| ("b3".to_owned(), v.to_owned()))
        .into_iter()
        .collect();
    let _cx = B3Propagator::default()
        .extract(Context::new(), &incoming)
        .attach();
    let _server = omniscope::span!(kind: SpanKind::Server, "request", case = name);
}

#[test]
fn b3_accept_alone_overrides_the_root_sampler() {
    let receiver = Receiver::start(None);
    let zipkin = Zipkin::builder()
        .with_endpoint(receiver.endpoint())
        .build()
        .unwrap();
    let guard = install_sampling(
        &[zipkin],
        pipeline(Duration::from_secs(30)),
        Sampler::ParentBased {
            root: Box::new(Sampler::AlwaysOff),
        },
    );
    handle("accepted", Some("1"));
    handle("debug", Some("d"));
    handle("no headers", None);
    guard
        .sdk()
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    wait_until("2 spans", Duration::from_secs(20), || {
        receiver.spans().len() >= 2
    });
    std::thread::sleep(Duration::from_millis(200));
    let spans = receiver.spans();
    let mut names: Vec<&str> = spans
        .iter()
        .map(|s| s["tags"]["case"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["accepted", "debug"], "{spans:?}");
    let debug = spans.iter().find(|s| s["tags"]["case"] == "debug").unwrap();
    assert_eq!(debug["debug"], true);
    let accepted = spans
        .iter()
        .find(|s| s["tags"]["case"] == "accepted")
        .unwrap();
    assert!(accepted.get("debug").is_none(), "{accepted}");
}
