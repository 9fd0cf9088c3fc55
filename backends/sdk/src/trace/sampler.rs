//! Head sampling: [`Sampler`], with OpenTelemetry's semantics and
//! `OTEL_TRACES_SAMPLER` names.

use std::fmt;

use omniscope::{SpanContext, TraceId};

use crate::build::BuildError;

/// Decides, when a span starts, whether it is recorded and exported.
///
/// The semantics are OpenTelemetry's:
///
/// | sampler | no parent | parent sampled | parent not sampled |
/// |---|---|---|---|
/// | `AlwaysOn` | recorded | recorded | recorded |
/// | `AlwaysOff` | dropped | dropped | dropped |
/// | `TraceIdRatio(r)` | by trace id | by trace id | by trace id |
/// | `ParentBased { root }` | `root` decides | recorded | dropped |
///
/// `ParentBased` treats local and remote parents alike (OpenTelemetry's
/// defaults for its four parent delegates). A parent whose ids are invalid
/// counts as no parent. Children of one trace get the same `TraceIdRatio`
/// decision, in this process and in every other SDK following the
/// specification: the lower 8 bytes of the trace id, read big-endian and
/// shifted right by one, are compared with `ratio × 2⁶³`.
///
/// The default is `ParentBased { root: AlwaysOn }`, as in OpenTelemetry.
#[derive(Clone, Debug, PartialEq)]
pub enum Sampler {
    /// Records every span.
    AlwaysOn,
    /// Records no span.
    AlwaysOff,
    /// Records a fraction of traces, in `0.0..=1.0`, chosen by trace id.
    TraceIdRatio(f64),
    /// Follows the parent's decision; `root` decides for spans without one.
    ParentBased {
        /// The sampler for spans that start a trace.
        root: Box<Sampler>,
    },
}

impl Default for Sampler {
    /// `ParentBased { root: AlwaysOn }`.
    fn default() -> Sampler {
        Sampler::parent_based(Sampler::AlwaysOn)
    }
}

/// The `OTEL_TRACES_SAMPLER` values [`Sampler::from_env_values`] accepts.
const NAMES: &str = "always_on, always_off, traceidratio, parentbased_always_on, \
                     parentbased_always_off, parentbased_traceidratio";

impl Sampler {
    /// `ParentBased { root }`.
    pub fn parent_based(root: Sampler) -> Sampler {
        Sampler::ParentBased {
            root: Box::new(root),
        }
    }

    /// The sampler named by `OTEL_TRACES_SAMPLER` (`name`, case-insensitive)
    /// and `OTEL_TRACES_SAMPLER_ARG` (`arg`, the ratio of the
    /// `traceidratio` variants; 1.0 when absent, ignored by the others).
    ///
    /// # Errors
    /// An unsupported name (`jaeger_remote`, `xray`, a typo), or a ratio that
    /// is not a number in `0..=1`; the message names the value.
    ///
    /// # Examples
    /// ```
    /// use omniscope_sdk::trace::Sampler;
    /// let s = Sampler::from_env_values("parentbased_traceidratio", Some("0.25"))?;
    /// assert_eq!(s, Sampler::parent_based(Sampler::TraceIdRatio(0.25)));
    /// assert!(Sampler::from_env_values("traceidratio", Some("1.5")).is_err());
    /// # Ok::<(), omniscope_sdk::BuildError>(())
    /// ```
    pub fn from_env_values(name: &str, arg: Option<&str>) -> Result<Sampler, BuildError> {
        let ratio = || -> Result<f64, BuildError> {
            let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
                return Ok(1.0);
            };
            let r: f64 = arg.parse().map_err(|_| {
                BuildError::new(
                    "sampler",
                    format!("invalid OTEL_TRACES_SAMPLER_ARG `{arg}`: expected a ratio between 0 and 1, such as 0.25"),
                )
            })?;
            check_ratio(r, "OTEL_TRACES_SAMPLER_ARG")?;
            Ok(r)
        };
        let sampler = match name.trim().to_ascii_lowercase().as_str() {
            "always_on" => Sampler::AlwaysOn,
            "always_off" => Sampler::AlwaysOff,
            "traceidratio" => Sampler::TraceIdRatio(ratio()?),
            "parentbased_always_on" => Sampler::parent_based(Sampler::AlwaysOn),
            "parentbased_always_off" => Sampler::parent_based(Sampler::AlwaysOff),
            "parentbased_traceidratio" => Sampler::parent_based(Sampler::TraceIdRatio(ratio()?)),
            _ => {
                return Err(BuildError::new(
                    "sampler",
                    format!(
                        "unsupported OTEL_TRACES_SAMPLER `{}`: expected one of {NAMES}",
                        name.trim()
                    ),
                ))
            }
        };
        Ok(sampler)
    }

    /// Checks the ratios.
    ///
    /// # Errors
    /// A `TraceIdRatio` outside `0..=1` (or NaN).
    pub fn validate(&self) -> Result<(), BuildError> {
        match self {
            Sampler::TraceIdRatio(r) => check_ratio(*r, "TraceIdRatio"),
            Sampler::ParentBased { root } => root.validate(),
            Sampler::AlwaysOn | Sampler::AlwaysOff => Ok(()),
        }
    }

    /// Whether a span with this `parent` in trace `trace_id` is sampled (for
    /// a new trace, `trace_id` is the id it will get).
    pub fn should_sample(&self, parent: Option<&SpanContext>, trace_id: TraceId) -> bool {
        Decider::new(self).sampled(parent.filter(|p| p.is_valid()), trace_id)
    }
}

fn check_ratio(r: f64, what: &str) -> Result<(), BuildError> {
    if (0.0..=1.0).contains(&r) {
        Ok(())
    } else {
        Err(BuildError::new(
            "sampler",
            format!("invalid {what} ratio `{r}`: expected a number between 0 and 1"),
        ))
    }
}

impl fmt::Display for Sampler {
    /// The `OTEL_TRACES_SAMPLER` name, with the ratio in parentheses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Sampler::AlwaysOn => f.write_str("always_on"),
            Sampler::AlwaysOff => f.write_str("always_off"),
            Sampler::TraceIdRatio(r) => write!(f, "traceidratio({r})"),
            Sampler::ParentBased { root } => write!(f, "parentbased_{root}"),
        }
    }
}

/// What a root sampler does, precomputed for the hot path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Root {
    /// Record.
    On,
    /// Drop.
    Off,
    /// Record when `(lower 8 bytes of the trace id) >> 1 < bound`.
    Ratio(u64),
}

/// A [`Sampler`] compiled for the hot path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decider {
    pub(crate) parent_based: bool,
    pub(crate) root: Root,
}

impl Decider {
    /// Compiles `sampler` (nested `ParentBased` collapse into one).
    pub(crate) fn new(sampler: &Sampler) -> Decider {
        match sampler {
            Sampler::AlwaysOn => Decider {
                parent_based: false,
                root: Root::On,
            },
            Sampler::AlwaysOff => Decider {
                parent_based: false,
                root: Root::Off,
            },
            Sampler::TraceIdRatio(r) => Decider {
                parent_based: false,
                root: ratio_root(*r),
            },
            Sampler::ParentBased { root } => Decider {
                parent_based: true,
                root: Decider::new(root).root,
            },
        }
    }

    /// The decision of the root sampler for `trace_id`.
    #[inline]
    pub(crate) fn root_sampled(&self, trace_id: TraceId) -> bool {
        match self.root {
            Root::On => true,
            Root::Off => false,
            Root::Ratio(bound) => (trace_id.to_u128() as u64) >> 1 < bound,
        }
    }

    /// The decision for a span with a (valid) `parent`, or none.
    #[inline]
    pub(crate) fn sampled(&self, parent: Option<&SpanContext>, trace_id: TraceId) -> bool {
        match parent {
            Some(p) if self.parent_based => p.is_sampled(),
            _ => self.root_sampled(trace_id),
        }
    }
}

fn ratio_root(r: f64) -> Root {
    if r >= 1.0 {
        Root::On
    } else if r > 0.0 {
        // `as` saturates; the range was validated at build.
        Root::Ratio((r * (1u64 << 63) as f64) as u64)
    } else {
        Root::Off
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in NAMES.split(", ") {
            let s = Sampler::from_env_values(name, None).unwrap();
            assert_eq!(s.to_string().split('(').next(), Some(name));
        }
        assert_eq!(
            Sampler::from_env_values(" Always_Off ", None).ok(),
            Some(Sampler::AlwaysOff)
        );
    }

    #[test]
    fn errors_name_the_value() {
        let e = Sampler::from_env_values("jaeger_remote", None).unwrap_err();
        assert!(e.to_string().contains("`jaeger_remote`"), "{e}");
        let e = Sampler::from_env_values("traceidratio", Some("half")).unwrap_err();
        assert!(e.to_string().contains("`half`"), "{e}");
        let e = Sampler::from_env_values("parentbased_traceidratio", Some("-0.1")).unwrap_err();
        assert!(e.to_string().contains("-0.1"), "{e}");
        assert!(Sampler::TraceIdRatio(f64::NAN).validate().is_err());
    }

    #[test]
    fn ratio_edges() {
        let all_ones = TraceId::from_u128(u128::MAX);
        let low = TraceId::from_u128(1);
        assert!(Sampler::TraceIdRatio(1.0).should_sample(None, all_ones));
        assert!(!Sampler::TraceIdRatio(0.0).should_sample(None, low));
        assert!(Sampler::TraceIdRatio(0.5).should_sample(None, low));
        assert!(!Sampler::TraceIdRatio(0.5).should_sample(None, all_ones));
    }
}
