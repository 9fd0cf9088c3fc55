//! The call graph counts (caller function → callee function) edges of
//! instrumented functions, with `CallEdge::ROOT` for calls without an
//! instrumented parent.

use omniscope::{span, Context, Span, SpanSite};
use omniscope_sdk::trace::{CallEdge, Sampler, SdkTracer};

static HANDLER: SpanSite =
    SpanSite::new("handler", "app", file!(), line!()).with_function("app::handler");
static LOAD: SpanSite = SpanSite::new("load", "app", file!(), line!()).with_function("app::load");
static SAVE: SpanSite = SpanSite::new("save", "app", file!(), line!()).with_function("app::save");

fn call(site: &'static SpanSite, body: impl FnOnce()) {
    let _g = Span::start_in(&Context::current(), site, None, &[]).enter();
    body();
}

#[test]
fn counts_edges() {
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    for _ in 0..3 {
        call(&HANDLER, || {
            call(&LOAD, || {});
            call(&LOAD, || {});
            call(&SAVE, || {});
        });
    }
    call(&SAVE, || {});
    // A plain span in between hides the caller.
    call(&HANDLER, || {
        let _plain = span!("plain");
        call(&LOAD, || {});
    });

    let graph: Vec<_> = tracer
        .call_graph()
        .into_iter()
        .map(|e| (e.caller, e.callee, e.calls))
        .collect();
    let expected = [
        (CallEdge::ROOT, "app::handler", 4),
        (CallEdge::ROOT, "app::load", 1),
        (CallEdge::ROOT, "app::save", 1),
        ("app::handler", "app::load", 6),
        ("app::handler", "app::save", 3),
    ];
    assert_eq!(graph, expected);
}
