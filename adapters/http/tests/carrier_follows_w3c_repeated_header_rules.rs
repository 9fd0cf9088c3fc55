//! The W3C processing model over real header maps: `tracestate` split over
//! several lines is one list, in line order, and passes on whole; two
//! `traceparent` lines are invalid, so the context starts a new trace
//! (and `tracestate` is then ignored too).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use http::{HeaderMap, HeaderValue};
use omniscope::propagation::{Propagator, TraceContextPropagator};
use omniscope::Context;
use omniscope_http::{HeaderCarrier, HeaderExtractor};

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn headers(lines: &[(&'static str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in lines {
        map.append(*name, HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn tracestate_lines_form_one_list_that_passes_on_whole() {
    let incoming = headers(&[
        ("traceparent", TP),
        ("tracestate", "rojo=00f067aa0ba902b7"),
        ("tracestate", "congo=t61rcWkgMzE,a=1"),
    ]);
    let cx = TraceContextPropagator.extract(Context::new(), &HeaderExtractor::new(&incoming));
    let parent = cx.span_context().expect("a valid parent");
    assert_eq!(parent.trace_state().get("congo"), Some("t61rcWkgMzE"));

    let mut outgoing = HeaderMap::new();
    TraceContextPropagator.inject(&cx, &mut HeaderCarrier::new(&mut outgoing));
    assert_eq!(outgoing.get_all("tracestate").iter().count(), 1);
    assert_eq!(
        outgoing["tracestate"],
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,a=1"
    );
    assert_eq!(outgoing["traceparent"], TP);
}

#[test]
fn two_traceparent_lines_start_a_new_trace() {
    let incoming = headers(&[
        ("traceparent", TP),
        ("traceparent", TP),
        ("tracestate", "rojo=1"),
    ]);
    let cx = TraceContextPropagator.extract(Context::new(), &HeaderExtractor::new(&incoming));
    assert!(cx.span_context().is_none());
}

#[test]
fn injecting_replaces_stale_lines() {
    let mut map = headers(&[("traceparent", "stale"), ("traceparent", "stale too")]);
    let source = headers(&[("traceparent", TP)]);
    let cx = TraceContextPropagator.extract(Context::new(), &HeaderExtractor::new(&source));
    TraceContextPropagator.inject(&cx, &mut HeaderCarrier::new(&mut map));
    let lines: Vec<_> = map.get_all("traceparent").iter().collect();
    assert_eq!(lines, [TP]);
}
