//! omniscope and `tracing` spans nest in one trace in any order on one
//! thread: an omniscope span inside a `tracing` span inside an omniscope
//! span, and the other way round; logs of both kinds land in the innermost.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use tracing_subscriber::layer::SubscriberExt as _;

#[test]
fn the_two_kinds_of_span_nest_in_any_order() {
    let telemetry = common::install("trace");
    let subscriber = tracing_subscriber::registry().with(omniscope_tracing::layer());
    tracing::subscriber::with_default(subscriber, || {
        let _a = omniscope::span!("omni outer");
        let t = tracing::info_span!("tracing middle");
        t.in_scope(|| {
            let _b = omniscope::span!("omni inner");
            tracing::info!("tracing event in omni inner");
            let _c = tracing::info_span!("tracing innermost").entered();
            omniscope::info!("omniscope log in tracing innermost");
        });
        // Left again: what follows is in the outer omniscope span.
        tracing::info!("back in omni outer");
        drop(t);

        let t_outer = tracing::info_span!("tracing outer").entered();
        let _d = omniscope::span!("omni middle");
        drop(tracing::info_span!("tracing inner"));
        drop(t_outer);
    });

    let (spans, logs) = telemetry.take();
    let s = |name| common::span(&spans, name);
    common::assert_child(s("tracing middle"), s("omni outer"));
    common::assert_child(s("omni inner"), s("tracing middle"));
    common::assert_child(s("tracing innermost"), s("omni inner"));
    common::assert_in(
        common::log(&logs, "tracing event in omni inner"),
        s("omni inner"),
    );
    common::assert_in(
        common::log(&logs, "omniscope log in tracing innermost"),
        s("tracing innermost"),
    );
    common::assert_in(common::log(&logs, "back in omni outer"), s("omni outer"));
    common::assert_child(s("omni middle"), s("tracing outer"));
    common::assert_child(s("tracing inner"), s("omni middle"));
}
