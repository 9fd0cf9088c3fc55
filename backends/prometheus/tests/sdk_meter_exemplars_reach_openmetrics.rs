//! A histogram recorded inside a span, through the real SDK meter, shows
//! the span's trace and span ids as an OpenMetrics exemplar on the bucket
//! the sample fell into (and on no other: issue #12), and nothing of it in
//! the classic format.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

mod common;

use omniscope::metrics::{Key, MetricMeta, Unit};
use omniscope::{Context, Meter, SpanContext, SpanId, TraceFlags, TraceId};
use omniscope_prometheus::{render, Format};
use omniscope_sdk::metrics::SdkMeter;
use omniscope_sdk::Resource;

#[test]
fn exemplars_carry_the_trace() {
    let meter = SdkMeter::new();
    let meta = MetricMeta::new(Unit::MILLISECONDS, "Checkout latency.");
    let latency = meter.histogram(&Key::from_name("checkout.latency"), &meta);
    latency.record(3.0); // outside a span: no exemplar of its own
    let trace = TraceId::from_u128(0x0af7_6519_16cd_43dd_8448_eb21_1c80_319c);
    let span = SpanId::from_u64(0xb7ad_6b71_6920_3331);
    {
        let cx = SpanContext::new(trace, span, TraceFlags::SAMPLED);
        let _guard = Context::new().with_remote_span(cx).attach();
        latency.record(0.5);
    }
    let snapshot = meter.snapshot();
    let om = render(&snapshot, &Resource::new("checkout"), Format::OpenMetrics);
    let parsed = common::check(&om, Format::OpenMetrics).unwrap_or_else(|e| panic!("{e}\n{om}"));
    let exemplar =
        "# {trace_id=\"0af7651916cd43dd8448eb211c80319c\",span_id=\"b7ad6b7169203331\"} 0.5 ";
    // 0.5 ms falls in the le="0.5" bucket; the buckets above do not repeat it.
    let bucket = |le: &str| {
        om.lines()
            .find(|l| {
                l.starts_with(&format!(
                    "checkout_latency_milliseconds_bucket{{le=\"{le}\"}}"
                ))
            })
            .unwrap_or_else(|| panic!("no bucket {le}:\n{om}"))
            .to_owned()
    };
    assert!(!bucket("0.25").contains('#'), "{om}");
    assert!(bucket("0.5").contains(exemplar), "{om}");
    assert!(!bucket("1.0").contains('#'), "{om}");
    assert!(!bucket("+Inf").contains('#'), "{om}");
    assert_eq!(parsed.exemplars, 1, "{om}");
    assert!(om.contains("# UNIT checkout_latency_milliseconds milliseconds\n"));
    assert!(om.contains("target_info{"));

    let text = render(&snapshot, &Resource::new("checkout"), Format::Text004);
    common::check(&text, Format::Text004).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert!(!text.contains("trace_id"), "{text}");
    assert!(!text.contains("# UNIT"), "{text}");
}
