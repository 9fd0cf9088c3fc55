//! The W3C `traceparent` request header, `version-traceid-parentid-flags`,
//! and the `traceresponse` response header of the same shape,
//! `version-traceid-childid-flags`.
//!
//! Parsing follows the processing model of [W3C Trace Context Level 2][spec]:
//! version `00` is exactly 55 characters; a higher version (other than the
//! forbidden `ff`) may be longer, is read by the version `00` rules on its
//! first 55 characters, and then continues with `-` after the flags;
//! everything is lower-case hex and all-zero ids are invalid. Formatting
//! writes version `00` with the flags Level 2 defines (`sampled` and
//! `random`) and the reserved bits zeroed.
//!
//! [spec]: https://www.w3.org/TR/trace-context-2/#traceparent-header

use std::fmt;

use crate::propagation::excerpt;
use crate::trace::{hex_byte, SpanContext, SpanId, TraceFlags, TraceId};

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
    parse_header(header, Header::TraceParent)
}

/// Parses a `traceresponse` header value (W3C Trace Context Level 2: what a
/// server may answer with) into its trace id, child id (the server's span)
/// and flags, by the rules of [`parse_traceparent`].
///
/// A client may read it to learn the id of the server's span, or that the
/// server sampled a request it was asked not to (the `sampled` flag).
///
/// # Errors
///
/// As [`parse_traceparent`]; the message names `traceresponse`.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::parse_traceresponse;
///
/// let (trace_id, child_id, flags) =
///     parse_traceresponse("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")?;
/// assert_eq!(child_id.to_string(), "b7ad6b7169203331");
/// assert!(flags.is_sampled());
/// # Ok::<(), omniscope::propagation::TraceParentError>(())
/// ```
pub fn parse_traceresponse(
    header: &str,
) -> Result<(TraceId, SpanId, TraceFlags), TraceParentError> {
    parse_header(header, Header::TraceResponse)
}

fn parse_header(
    header: &str,
    which: Header,
) -> Result<(TraceId, SpanId, TraceFlags), TraceParentError> {
    let err = |kind| TraceParentError {
        header: which,
        kind,
        input: excerpt(header),
    };
    // Read as bytes: every field must be ASCII, so a non-ASCII byte is a
    // bad digit or separator wherever it sits, as it would be read as text.
    let bytes = header.as_bytes();
    let version = match bytes {
        [hi, lo, b'-', ..] => hex_byte(*hi, *lo),
        _ => None,
    };
    let version = version.ok_or_else(|| err(ErrorKind::Version))?;
    if version == 0xff {
        return Err(err(ErrorKind::ForbiddenVersion));
    }
    if bytes.len() < LEN || (version == 0 && bytes.len() != LEN) {
        return Err(err(ErrorKind::Length(bytes.len())));
    }
    if bytes.len() > LEN && !sep(bytes, LEN) {
        return Err(err(ErrorKind::Continuation));
    }
    if !sep(bytes, 35) || !sep(bytes, 52) {
        return Err(err(ErrorKind::Separator));
    }
    let trace_id = bytes.get(3..35).and_then(TraceId::from_hex_bytes);
    let trace_id = trace_id.ok_or_else(|| err(ErrorKind::TraceId))?;
    let span_id = bytes.get(36..52).and_then(SpanId::from_hex_bytes);
    let span_id = span_id.ok_or_else(|| err(ErrorKind::SpanId))?;
    let flags = match bytes.get(53..55) {
        Some([hi, lo]) => hex_byte(*hi, *lo),
        _ => None,
    };
    let flags = flags.ok_or_else(|| err(ErrorKind::Flags))?;
    Ok((trace_id, span_id, TraceFlags::new(flags)))
}

/// The version `00` `traceparent` header value of `span`, with the flags
/// W3C Trace Context Level 2 defines (`sampled` and `random`, as the span
/// has them) and the reserved bits zeroed.
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
/// assert_eq!(format_traceparent(&span), "00-00000000000000000000000000000001-0000000000000002-03");
/// ```
pub fn format_traceparent(span: &SpanContext) -> String {
    format_version_00(span)
}

/// The version `00` `traceresponse` header value for `span`, the server's
/// span of the request being answered (W3C Trace Context Level 2): its
/// trace id, its span id as the child id, and its `sampled` and `random`
/// flags (the reserved bits zeroed).
///
/// For an HTTP server layer: set it as the `traceresponse` response header
/// (lower case, as the specification recommends) when the server started
/// a span for the request; a client reads it with [`parse_traceresponse`].
/// Sending it is optional, and it reveals the server's span id to the
/// caller: leave it out of answers that cross a trust boundary.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::{format_traceresponse, parse_traceresponse};
/// use omniscope::trace::{SpanContext, SpanId, TraceFlags, TraceId};
///
/// let server_span = SpanContext::new(TraceId::from_u128(1), SpanId::from_u64(2), TraceFlags::SAMPLED);
/// let header = format_traceresponse(&server_span);
/// assert_eq!(header, "00-00000000000000000000000000000001-0000000000000002-01");
/// assert_eq!(parse_traceresponse(&header)?.1, server_span.span_id());
/// # Ok::<(), omniscope::propagation::TraceParentError>(())
/// ```
pub fn format_traceresponse(span: &SpanContext) -> String {
    format_version_00(span)
}

/// Both headers share the version `00` layout; only the meaning of the
/// span id differs (the caller's span, or the server's).
fn format_version_00(span: &SpanContext) -> String {
    let flags = span.flags().defined().to_u8();
    format!("00-{}-{}-{flags:02x}", span.trace_id(), span.span_id())
}

fn sep(header: &[u8], at: usize) -> bool {
    header.get(at) == Some(&b'-')
}

/// The error returned when a `traceparent` (or `traceresponse`) header is
/// invalid.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceParentError {
    header: Header,
    kind: ErrorKind,
    input: String,
}

/// Which header was parsed, for the message.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Header {
    TraceParent,
    TraceResponse,
}

impl Header {
    const fn name(self) -> &'static str {
        match self {
            Header::TraceParent => "traceparent",
            Header::TraceResponse => "traceresponse",
        }
    }

    const fn layout(self) -> &'static str {
        match self {
            Header::TraceParent => "version-traceid-parentid-flags",
            Header::TraceResponse => "version-traceid-childid-flags",
        }
    }

    /// What the header calls its span id.
    const fn span_id(self) -> &'static str {
        match self {
            Header::TraceParent => "parent id",
            Header::TraceResponse => "child id",
        }
    }
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
        let header = self.header;
        write!(f, "invalid {} `{}`: ", header.name(), self.input)?;
        match self.kind {
            ErrorKind::Version => {
                f.write_str("expected a version of two lower-case hex digits and `-`")
            }
            ErrorKind::ForbiddenVersion => f.write_str("version `ff` is forbidden"),
            ErrorKind::Length(len) => write!(
                f,
                "found {len} characters, expected `{}` \
                 (exactly {LEN} for version 00, at least {LEN} for later versions)",
                header.layout()
            ),
            ErrorKind::Continuation => {
                f.write_str("a later version may only continue with `-` after the flags")
            }
            ErrorKind::Separator => write!(
                f,
                "expected `-` between the trace id, {} and flags",
                header.span_id()
            ),
            ErrorKind::TraceId => {
                f.write_str("the trace id must be 32 lower-case hex digits, not all zero")
            }
            ErrorKind::SpanId => write!(
                f,
                "the {} must be 16 lower-case hex digits, not all zero",
                header.span_id()
            ),
            ErrorKind::Flags => f.write_str("the flags must be two lower-case hex digits"),
        }
    }
}

impl fmt::Debug for TraceParentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceParentError")
            .field("header", &self.header)
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
    fn format_keeps_only_the_defined_bits() {
        let span = SpanContext::new(
            TraceId::from_u128(1),
            SpanId::from_u64(2),
            TraceFlags::new(0x0a),
        );
        assert!(format_traceparent(&span).ends_with("-02"));
        let (t, s, _) = parse(&format_traceparent(&span)).unwrap();
        assert_eq!((t, s), (TraceId::from_u128(1), SpanId::from_u64(2)));
    }
}
