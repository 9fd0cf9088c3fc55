//! The meter builder rejects bad settings with an error naming them.

use omniscope_sdk::metrics::SdkMeter;

fn error(b: omniscope_sdk::metrics::MeterBuilder) -> String {
    match b.build() {
        Err(e) => e.to_string(),
        Ok(meter) => panic!("accepted: {meter:?}"),
    }
}

#[test]
fn bad_buckets_name_the_metric() {
    let e = error(SdkMeter::builder().with_histogram_buckets("latency", vec![1.0, 0.5]));
    assert!(
        e.contains("`latency`") && e.contains("strictly increasing"),
        "{e}"
    );
    let e = error(SdkMeter::builder().with_histogram_buckets("size", vec![]));
    assert!(e.contains("`size`") && e.contains("empty"), "{e}");
    let e = error(SdkMeter::builder().with_histogram_buckets("x", vec![1.0, f64::INFINITY]));
    assert!(e.contains("`x`") && e.contains("finite"), "{e}");
    let e = error(SdkMeter::builder().with_histogram_buckets("y", vec![f64::NAN]));
    assert!(e.contains("`y`"), "{e}");
    let e = error(SdkMeter::builder().with_histogram_buckets("z", vec![1.0, 1.0]));
    assert!(e.contains("`z`"), "{e}");
    let e = error(SdkMeter::builder().with_default_buckets(vec![]));
    assert!(e.contains("default"), "{e}");
}

#[test]
fn bad_limits_are_rejected() {
    let e = error(SdkMeter::builder().with_cardinality_limit(0));
    assert!(e.contains("cardinality limit"), "{e}");
    for alpha in [0.0, -0.1, 0.9, f64::NAN] {
        let e = error(SdkMeter::builder().with_sketch_relative_error(alpha));
        assert!(e.contains("relative error"), "{e}");
    }
    let ok = SdkMeter::builder()
        .with_cardinality_limit(1)
        .with_sketch_relative_error(0.001)
        .with_histogram_buckets("a", vec![-1.0, 0.0, 1.0])
        .with_histogram_buckets("a", vec![2.0])
        .build();
    assert!(ok.is_ok());
    assert!(format!("{:?}", ok.unwrap()).contains("SdkMeter"));
}

#[test]
fn a_family_limit_of_zero_is_rejected() {
    let e = error(SdkMeter::builder().with_family_limit(0));
    assert!(e.contains("family limit"), "{e}");
}
