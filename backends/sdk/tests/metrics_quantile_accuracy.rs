//! Quantile accuracy within the stated relative error on known
//! distributions (uniform, exponential, bimodal, log-normal-ish, signed):
//! 100k deterministic samples each, compared with the exact sorted sample
//! of rank ⌊q·(n−1)⌋.

use omniscope::metrics::{Key, MetricMeta};
use omniscope::Meter;
use omniscope_sdk::metrics::{HistogramSnapshot, SdkMeter, SeriesValue};

const N: usize = 100_000;
/// Float slack on top of the guarantee.
const SLACK: f64 = 1e-9;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in (0, 1).
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.unit().ln()
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.unit().ln()).sqrt() * (std::f64::consts::TAU * self.unit()).cos()
    }
}

fn check(name: &str, alpha: f64, samples: Vec<f64>) {
    let meter = match SdkMeter::builder()
        .with_sketch_relative_error(alpha)
        .build()
    {
        Ok(meter) => meter,
        Err(e) => panic!("{e}"),
    };
    let h = meter.histogram(&Key::from_name("h"), &MetricMeta::EMPTY);
    for &v in &samples {
        h.record(v);
    }
    let snap = meter.snapshot();
    let hist: HistogramSnapshot = match snap.series("h", &[]).map(|s| &s.value) {
        Some(SeriesValue::Histogram(h)) => h.clone(),
        other => panic!("{other:?}"),
    };
    let mut sorted = samples;
    sorted.sort_by(f64::total_cmp);
    assert_eq!(hist.count, N as u64);
    assert_eq!(hist.relative_error, alpha);
    assert_eq!(hist.min, sorted[0], "{name}: min is exact");
    assert_eq!(hist.max, sorted[N - 1], "{name}: max is exact");
    let qs: Vec<f64> = hist.quantiles.iter().map(|&(q, _)| q).collect();
    assert_eq!(qs, [0.5, 0.9, 0.99]);
    for &(q, got) in &hist.quantiles {
        let exact = sorted[(q * (N - 1) as f64).floor() as usize];
        let err = ((got - exact) / exact).abs();
        assert!(
            err <= alpha + SLACK,
            "{name} α={alpha}: p{q}: got {got}, exact {exact}, error {err}"
        );
    }
}

#[test]
fn uniform() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    check("uniform", 0.01, (0..N).map(|_| rng.unit() * 10.0).collect());
}

#[test]
fn exponential() {
    let mut rng = Rng(42);
    check(
        "exponential",
        0.01,
        (0..N).map(|_| rng.exponential(0.05)).collect(),
    );
}

#[test]
fn bimodal() {
    let mut rng = Rng(7);
    let samples = (0..N)
        .map(|_| {
            if rng.unit() < 0.7 {
                0.002 + 0.0005 * rng.normal().abs()
            } else {
                1.5 + 0.3 * rng.normal().abs()
            }
        })
        .collect();
    check("bimodal", 0.01, samples);
}

#[test]
fn log_normal_wide_range() {
    let mut rng = Rng(11);
    check(
        "log-normal",
        0.01,
        (0..N).map(|_| (rng.normal() * 4.0).exp()).collect(),
    );
}

#[test]
fn tighter_and_looser_errors() {
    let mut rng = Rng(3);
    let samples: Vec<f64> = (0..N).map(|_| rng.exponential(1.0)).collect();
    check("exponential α=0.1%", 0.001, samples.clone());
    check("exponential α=5%", 0.05, samples);
}

#[test]
fn negative_values_mirror() {
    let mut rng = Rng(5);
    // Mostly negative so that p50, p90 and p99 are all away from zero.
    check(
        "negative",
        0.01,
        (0..N).map(|_| -rng.exponential(2.0) - 0.001).collect(),
    );
}
