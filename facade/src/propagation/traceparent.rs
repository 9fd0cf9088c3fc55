//! The W3C `traceparent` header: `version-traceid-parentid-flags`.
//!
//! Parsing follows the processing model of [W3C Trace Context level 1][spec]:
//! version `00` is exactly 55 characters; a higher version (other than the
//! forbidden `ff`) may be longer, and then continues with `-` after the
//! flags; everything is lower-case hex and all-zero ids are invalid.
//!
//! [spec]: https://www.w3.org/TR/trace-context-1/#traceparent-header

use std::fmt;

use crate::propagation::excerpt;
use crate::trace::{SpanContext, SpanId, TraceFlags, TraceId};

/// The length of a version `00` header, and of the part every version shares.
const LEN: usize = 55;

/// Parses a `traceparent` header value into its trace id, parent span id
/// and flags (all eight bits, as received).
///
/// The value is taken as is: trim surrounding whitespace first if the
/// carrier does not ([`TraceContextPropagator`](super::TraceContextPropagator) does).
///
/// # Errors
///
/// Anything the W3C processing model rejects: a short or (for version `00`)
/// long header, version `ff`, upper-case or non-hex digits, a missing `-`,
/// or an all-zero trace id or span id.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::parse_traceparent;
///
/// let (trace_id, span_id, flags) =
///     parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?;
/// assert_eq!(span_id.to_string(), "00f067aa0ba902b7");
/// assert!(flags.is_sampled());
/// assert!(parse_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").is_err());
/// # Ok::<(), omniscope::propagation::TraceParentError>(())
/// ```
pub fn parse_traceparent(header: &str) -> Result<(TraceId, SpanId, TraceFlags), TraceParentError> {
    let err = |kind| TraceParentError {
        kind,
        input: excerpt(header),
    };
    let version = field(header, 0, 2).filter(|v| is_lower_hex(v) && sep(header, 2));
    let version = version.ok_or_else(|| err(ErrorKind::Version))?;
    if version == "ff" {
        return Err(err(ErrorKind::ForbiddenVersion));
    }
    if header.len() < LEN || (version == "00" && header.len() != LEN) {
        return Err(err(ErrorKind::Length(header.len())));
    }
    if header.len() > LEN && !sep(header, LEN) {
        return Err(err(ErrorKind::Continuation));
    }
    if !sep(header, 35) || !sep(header, 52) {
        return Err(err(ErrorKind::Separator));
    }
    let trace_id = field(header, 3, 32).and_then(|h| TraceId::from_hex(h).ok());
    let trace_id = trace_id.ok_or_else(|| err(ErrorKind::TraceId))?;
    let span_id = field(header, 36, 16).and_then(|h| SpanId::from_hex(h).ok());
    let span_id = span_id.ok_or_else(|| err(ErrorKind::SpanId))?;
    let flags = field(header, 53, 2).filter(|f| is_lower_hex(f));
    let flags = flags
        .and_then(|f| u8::from_str_radix(f, 16).ok())
        .ok_or_else(|| err(ErrorKind::Flags))?;
    Ok((trace_id, span_id, TraceFlags::new(flags)))
}

/// The version `00` `traceparent` header value of `span`. Only the sampled
/// flag is written; the other bits are undefined in version `00`.
///
/// An invalid span context gives all-zero ids, which receivers reject;
/// check [`SpanContext::is_valid`] first.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::format_traceparent;
/// use omniscope::trace::{SpanContext, SpanId, TraceFlags, TraceId};
///
/// let span = SpanContext::new(TraceId::from_u128(1), SpanId::from_u64(2), TraceFlags::new(0xff));
/// assert_eq!(format_traceparent(&span), "00-00000000000000000000000000000001-0000000000000002-01");
/// ```
pub fn format_traceparent(span: &SpanContext) -> String {
    let flags = span.flags().to_u8() & TraceFlags::SAMPLED.to_u8();
    format!("00-{}-{}-{flags:02x}", span.trace_id(), span.span_id())
}

/// `len` bytes of `header` from `start`, if they are there (and on character
/// boundaries).
fn field(header: &str, start: usize, len: usize) -> Option<&str> {
    header.get(start..start + len)
}

fn sep(header: &str, at: usize) -> bool {
    header.as_bytes().get(at) == Some(&b'-')
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

/// The error returned when a `traceparent` header is invalid.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceParentError {
    kind: ErrorKind,
    input: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ErrorKind {
    Version,
    ForbiddenVersion,
    Length(usize),
    Continuation,
    Separator,
    TraceId,
    SpanId,
    Flags,
}

impl fmt::Display for TraceParentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid traceparent `{}`: ", self.input)?;
        match self.kind {
            ErrorKind::Version => {
                f.write_str("expected a version of two lower-case hex digits and `-`")
            }
            ErrorKind::ForbiddenVersion => f.write_str("version `ff` is forbidden"),
            ErrorKind::Length(len) => write!(
                f,
                "found {len} characters, expected `version-traceid-parentid-flags` \
                 (exactly {LEN} for version 00, at least {LEN} for later versions)"
            ),
            ErrorKind::Continuation => {
                f.write_str("a later version may only continue with `-` after the flags")
            }
            ErrorKind::Separator => {
                f.write_str("expected `-` between the trace id, parent id and flags")
            }
            ErrorKind::TraceId => {
                f.write_str("the trace id must be 32 lower-case hex digits, not all zero")
            }
            ErrorKind::SpanId => {
                f.write_str("the parent id must be 16 lower-case hex digits, not all zero")
            }
            ErrorKind::Flags => f.write_str("the flags must be two lower-case hex digits"),
        }
    }
}

impl fmt::Debug for TraceParentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceParentError")
            .field("kind", &self.kind)
            .field("input", &self.input)
            .finish()
    }
}

impl std::error::Error for TraceParentError {}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: &str = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7";

    fn parse(s: &str) -> Result<(TraceId, SpanId, TraceFlags), TraceParentError> {
        parse_traceparent(s)
    }

    #[test]
    fn accepts_version_00_and_future_versions() {
        let (t, s, f) = parse(&format!("00-{IDS}-01")).unwrap();
        assert_eq!(
            (t.to_string().as_str(), s.to_u64(), f.to_u8()),
            ("4bf92f3577b34da6a3ce929d0e0e4736", 0x00f0_67aa_0ba9_02b7, 1)
        );
        assert_eq!(parse(&format!("00-{IDS}-09")).unwrap().2.to_u8(), 9);
        assert!(parse(&format!("cc-{IDS}-01")).is_ok());
        assert!(parse(&format!("cc-{IDS}-01-what-the-future-will-be-like")).is_ok());
    }

    #[test]
    fn rejects_what_the_processing_model_rejects() {
        let zero_trace = "00-00000000000000000000000000000000-00f067aa0ba902b7-01";
        let zero_span = "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01";
        let cases = [
            format!("ff-{IDS}-01"),
            format!("00-{IDS}-01-"),
            format!("00-{IDS}-0"),
            format!("cc-{IDS}-01.what"),
            format!("0A-{IDS}-01"),
            format!("00-{}-01", IDS.to_uppercase()),
            format!("00-{IDS}-0G"),
            format!("00_{IDS}-01"),
            format!("00-{}", IDS.replace('-', "_")) + "-01",
            format!("é0-{IDS}-01"),
            format!("00-{IDS}-é"),
            zero_trace.to_owned(),
            zero_span.to_owned(),
            String::new(),
        ];
        for bad in &cases {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn errors_name_the_input() {
        let msg = parse("ff-x").unwrap_err().to_string();
        assert_eq!(msg, "invalid traceparent `ff-x`: version `ff` is forbidden");
    }

    #[test]
    fn format_keeps_only_the_sampled_bit() {
        let span = SpanContext::new(
            TraceId::from_u128(1),
            SpanId::from_u64(2),
            TraceFlags::new(0x08),
        );
        assert!(format_traceparent(&span).ends_with("-00"));
        let (t, s, _) = parse(&format_traceparent(&span)).unwrap();
        assert_eq!((t, s), (TraceId::from_u128(1), SpanId::from_u64(2)));
    }
}
