//! Tokens are plain numbers that safe code can forge: stale, forged and
//! double-used tokens are ignored (no panic, no damage to live spans).

mod common;

use std::time::{Duration, Instant};

use omniscope::trace::{SpanSite, SpanStart, SpanToken, StartedSpan};
use omniscope::{Field, SpanContext, Status, Tracer, Value};
use omniscope_sdk::trace::SdkTracer;

static SITE: SpanSite = SpanSite::new("real", "forged", file!(), line!());

/// The token the tracer handed out (the facade keeps it private; its
/// `Debug` form shows it).
fn token(started: &StartedSpan) -> Option<SpanToken> {
    let text = format!("{started:?}");
    let start = text.find("SpanToken(")? + "SpanToken(".len();
    let end = start + text[start..].find(')')?;
    text[start..end].parse().ok().map(SpanToken)
}

fn abuse(tracer: &SdkTracer, t: SpanToken) {
    let link = SpanContext::default();
    tracer.set_attribute(t, &Field::new("forged", Value::Bool(true)));
    tracer.add_event(t, "forged", &[]);
    tracer.add_link(t, &link, &[]);
    tracer.set_status(t, &Status::error("forged"));
    tracer.update_name(t, "forged");
    tracer.record_panic(t);
    tracer.end(t);
}

#[test]
fn forged_and_stale_tokens_are_ignored() {
    let (tracer, spans) = common::recording_tracer(SdkTracer::builder());

    let live = tracer.start(&SpanStart::new(&SITE, None, &[]));
    let live_token = token(&live).unwrap();

    // Random and edge-case tokens, none equal to the live one.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut forged = vec![0, 1, u64::MAX, u64::MAX >> 12, 1 << 52, (1 << 52) - 1];
    for _ in 0..10_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        forged.push(x);
    }
    // Same slot, other generations.
    forged.extend([
        live_token.0 + 1,
        live_token.0.wrapping_sub(1),
        live_token.0 ^ (1 << 31),
    ]);
    for t in forged.into_iter().filter(|&t| t != live_token.0) {
        abuse(&tracer, SpanToken(t));
    }

    tracer.set_attribute(live_token, &Field::new("real", Value::I64(1)));
    tracer.end(live_token);
    // Stale: the same token after the end, before and after collection.
    abuse(&tracer, live_token);
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    abuse(&tracer, live_token);
    // The slot is reused by the next span: the stale token must not reach it.
    let next = tracer.start(&SpanStart::new(&SITE, None, &[]));
    let next_token = token(&next).unwrap();
    abuse(&tracer, live_token);
    tracer.end(next_token);
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();

    let got = spans.items();
    assert_eq!(got.len(), 2);
    for s in &got {
        assert_eq!(s.name, "real");
        assert_eq!(s.status, Status::Unset);
        assert!(s.events.is_empty() && s.links.is_empty());
        assert!(s.attributes.get("forged").is_none());
    }
    assert!(matches!(got[0].attributes.get("real"), Some(Value::I64(1))));
    assert!(got[1].attributes.is_empty());
}
