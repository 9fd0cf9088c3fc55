//! Head sampling: the ratio sampler keeps the expected share of 100 000 ids
//! (fixed seed), the parent-based table, `OTEL_TRACES_SAMPLER` parsing, and
//! an installed `ParentBased(AlwaysOff)` tracer that records only children
//! of sampled remote parents and counts the rest.

use std::time::{Duration, Instant};

use omniscope::{span, Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};
use omniscope_sdk::export::InMemoryExporter;
use omniscope_sdk::trace::{IdGenerator, Sampler, SdkTracer};

fn remote(sampled: bool) -> SpanContext {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    SpanContext::new_remote(
        TraceId::from_u128(0xabc),
        SpanId::from_u64(0xdef),
        flags,
        TraceState::new(),
    )
}

fn local(sampled: bool) -> SpanContext {
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::NOT_SAMPLED
    };
    SpanContext::new(TraceId::from_u128(0xabc), SpanId::from_u64(0xdef), flags)
}

#[test]
fn ratio_keeps_its_share() {
    let mut ids = IdGenerator::from_seed(0x5eed);
    for ratio in [0.0, 0.01, 0.25, 0.5, 0.9, 1.0] {
        let sampler = Sampler::TraceIdRatio(ratio);
        let n = 100_000;
        let kept = (0..n)
            .filter(|_| sampler.should_sample(None, ids.trace_id()))
            .count() as f64;
        // Binomial: five standard deviations either side.
        let sd = (n as f64 * ratio * (1.0 - ratio)).sqrt();
        let expected = n as f64 * ratio;
        assert!(
            (kept - expected).abs() <= 5.0 * sd + 1.0,
            "ratio {ratio}: kept {kept}, expected {expected}"
        );
    }
}

#[test]
fn ratio_is_consistent_within_a_trace() {
    let mut ids = IdGenerator::from_seed(7);
    let sampler = Sampler::TraceIdRatio(0.5);
    for _ in 0..1000 {
        let t = ids.trace_id();
        let first = sampler.should_sample(None, t);
        let parent = SpanContext::new(t, SpanId::from_u64(1), TraceFlags::NOT_SAMPLED);
        assert_eq!(
            sampler.should_sample(Some(&parent), t),
            first,
            "a child gets its trace's decision"
        );
    }
}

#[test]
fn parent_based_table() {
    let t = TraceId::from_u128(0xabc);
    let on = Sampler::parent_based(Sampler::AlwaysOn);
    let off = Sampler::parent_based(Sampler::AlwaysOff);
    // (sampler, parent, expected)
    let table: [(&Sampler, Option<SpanContext>, bool); 10] = [
        (&on, None, true),
        (&off, None, false),
        (&on, Some(remote(true)), true),
        (&on, Some(remote(false)), false),
        (&off, Some(remote(true)), true),
        (&off, Some(remote(false)), false),
        (&on, Some(local(true)), true),
        (&on, Some(local(false)), false),
        (&off, Some(local(true)), true),
        (&off, Some(local(false)), false),
    ];
    for (i, (sampler, parent, expected)) in table.iter().enumerate() {
        assert_eq!(
            sampler.should_sample(parent.as_ref(), t),
            *expected,
            "row {i}"
        );
    }
    // An invalid parent counts as none.
    assert!(!off.should_sample(Some(&SpanContext::default()), t));
    // Non-parent-based samplers ignore the parent's flag.
    assert!(Sampler::AlwaysOn.should_sample(Some(&remote(false)), t));
    assert!(!Sampler::AlwaysOff.should_sample(Some(&remote(true)), t));
}

#[test]
fn env_names_and_errors() {
    let cases = [
        ("always_on", None, Sampler::AlwaysOn),
        ("always_off", None, Sampler::AlwaysOff),
        ("traceidratio", Some("0.5"), Sampler::TraceIdRatio(0.5)),
        ("traceidratio", None, Sampler::TraceIdRatio(1.0)),
        (
            "parentbased_always_on",
            None,
            Sampler::parent_based(Sampler::AlwaysOn),
        ),
        (
            "parentbased_always_off",
            Some("ignored"),
            Sampler::parent_based(Sampler::AlwaysOff),
        ),
        (
            "PARENTBASED_TRACEIDRATIO",
            Some(" 0.1 "),
            Sampler::parent_based(Sampler::TraceIdRatio(0.1)),
        ),
    ];
    for (name, arg, expected) in cases {
        assert_eq!(
            Sampler::from_env_values(name, arg).unwrap(),
            expected,
            "{name}"
        );
    }
    for (name, arg, bad) in [
        ("xray", None, "xray"),
        ("traceidratio", Some("2"), "2"),
        ("traceidratio", Some("x"), "x"),
    ] {
        let e = Sampler::from_env_values(name, arg).unwrap_err().to_string();
        assert!(e.contains(&format!("`{bad}`")), "{e}");
    }
    let e = SdkTracer::builder()
        .with_sampler(Sampler::TraceIdRatio(1.5))
        .build()
        .unwrap_err();
    assert!(e.to_string().contains("1.5"), "{e}");
}

#[test]
fn installed_parent_based_off_records_only_sampled_children() {
    let (exporter, spans) = InMemoryExporter::new();
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::parent_based(Sampler::AlwaysOff))
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).ok().unwrap();

    {
        let _root = span!("root");
        let _child = span!("child_of_dropped_root");
    }
    {
        let _g = Context::new().with_remote_span(remote(false)).attach();
        let _s = span!("child_of_unsampled_remote");
    }
    {
        let _g = Context::new().with_remote_span(remote(true)).attach();
        let _s = span!("child_of_sampled_remote");
        let _c = span!("grandchild");
    }
    tracer
        .flush(Instant::now() + Duration::from_secs(10))
        .unwrap();
    let mut names: Vec<_> = spans
        .items()
        .into_iter()
        .map(|s| s.name.into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["child_of_sampled_remote", "grandchild"]);
    // The two roots were sampled out by the tracer; the child of the
    // unsampled remote parent never reached it (the facade skips it by the
    // tracer's `SamplingHint::SkipsUnsampledChildren`), so it is not counted.
    assert_eq!(tracer.sampled_out(), 2);
    let recorded = spans.items();
    let child = recorded
        .iter()
        .find(|s| s.name == "child_of_sampled_remote")
        .unwrap();
    assert!(child.parent_is_remote);
    assert_eq!(child.parent_span_id, Some(SpanId::from_u64(0xdef)));
    assert_eq!(child.context.trace_id(), TraceId::from_u128(0xabc));
}
