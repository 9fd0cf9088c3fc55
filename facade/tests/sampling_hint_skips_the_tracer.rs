//! A tracer that declares `SamplingHint::SkipsUnsampledChildren` is not asked
//! for children of unsampled parents: they cost a flag check, the parent
//! stays current, and sampled parents still get their children.

use std::sync::atomic::{AtomicU64, Ordering};

use omniscope::trace::{SamplingHint, SpanStart, SpanToken, StartedSpan};
use omniscope::{span, Context, SpanContext, SpanId, TraceFlags, TraceId, Tracer};

struct Counting {
    starts: AtomicU64,
}

impl Tracer for Counting {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let n = self.starts.fetch_add(1, Ordering::Relaxed) + 1;
        let trace_id = start
            .parent()
            .map_or(TraceId::from_u128(1), SpanContext::trace_id);
        StartedSpan::recording(
            SpanContext::new(trace_id, SpanId::from_u64(n), TraceFlags::SAMPLED),
            SpanToken(n),
        )
    }

    fn end(&self, _: SpanToken) {}

    fn sampling_hint(&self) -> SamplingHint {
        SamplingHint::SkipsUnsampledChildren
    }
}

static TRACER: Counting = Counting {
    starts: AtomicU64::new(0),
};

fn remote(sampled: bool) -> SpanContext {
    let flags = TraceFlags::NOT_SAMPLED.with_sampled(sampled);
    SpanContext::new_remote(
        TraceId::from_u128(7),
        SpanId::from_u64(9),
        flags,
        Default::default(),
    )
}

#[test]
fn children_of_unsampled_parents_never_reach_the_tracer() {
    omniscope::set_tracer(&TRACER).ok().unwrap();
    if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL {
        return;
    }
    {
        let _g = Context::new().with_remote_span(remote(false)).attach();
        let child = span!("skipped");
        assert!(child.context().is_none(), "no span of its own");
        assert_eq!(
            omniscope::context::current_ids(),
            Some((TraceId::from_u128(7), SpanId::from_u64(9)))
        );
    }
    assert_eq!(TRACER.starts.load(Ordering::Relaxed), 0);
    {
        let _g = Context::new().with_remote_span(remote(true)).attach();
        let child = span!("asked");
        assert_eq!(
            child.context().map(|c| c.trace_id()),
            Some(TraceId::from_u128(7))
        );
    }
    assert_eq!(TRACER.starts.load(Ordering::Relaxed), 1);
}
