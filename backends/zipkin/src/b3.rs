//! [`B3Propagator`]: Zipkin's B3 headers, single (`b3`) and multiple
//! (`X-B3-*`), as the openzipkin/b3-propagation specification defines them.

use std::fmt;

use omniscope::propagation::{Carrier, Propagator};
use omniscope::{Context, SamplingRequest, SpanContext, SpanId, TraceFlags, TraceId, TraceState};

use crate::encode::trace_id as trace_hex;

/// The single header: `{trace-id}-{span-id}-{sampling}-{parent-span-id}`,
/// the last two optional, or the sampling state alone.
pub const B3: &str = "b3";
/// Multiple headers: the trace id (16 or 32 lower-case hex digits).
pub const X_B3_TRACE_ID: &str = "x-b3-traceid";
/// Multiple headers: the span id (16 lower-case hex digits).
pub const X_B3_SPAN_ID: &str = "x-b3-spanid";
/// Multiple headers: the parent span id (optional).
pub const X_B3_PARENT_SPAN_ID: &str = "x-b3-parentspanid";
/// Multiple headers: the sampling decision, `1` or `0`.
pub const X_B3_SAMPLED: &str = "x-b3-sampled";
/// Multiple headers: `1` for debug (which implies sampled).
pub const X_B3_FLAGS: &str = "x-b3-flags";

/// Which headers [`B3Propagator`] writes. It reads both whatever this is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum B3Encoding {
    /// The single `b3` header (the default: one header, and what the
    /// specification recommends for new work).
    #[default]
    Single,
    /// The `X-B3-*` headers, for peers that only read those (older
    /// Spring Cloud Sleuth, Finagle, some Envoy set-ups).
    Multi,
    /// Both, for a fleet in transition.
    SingleAndMulti,
}

/// A sampling state, as B3 carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// `1` (or `true`): sampled.
    Accept,
    /// `0` (or `false`): not sampled.
    Deny,
    /// `d` (or `X-B3-Flags: 1`): debug, which implies sampled.
    Debug,
    /// Absent: the receiver decides.
    Defer,
}

impl Sampling {
    /// Whether spans under this state are recorded, as this crate reads
    /// it: a deferred decision counts as sampled (see [`B3Propagator`]).
    pub const fn is_sampled(self) -> bool {
        !matches!(self, Sampling::Deny)
    }

    /// The decision this state asks of the receiver, `None` when deferred.
    pub const fn request(self) -> Option<SamplingRequest> {
        match self {
            Sampling::Accept => Some(SamplingRequest::Accept),
            Sampling::Deny => Some(SamplingRequest::Deny),
            Sampling::Debug => Some(SamplingRequest::Debug),
            Sampling::Defer => None,
        }
    }

    /// The state as the single header writes it (empty when deferred).
    const fn single_value(self) -> &'static str {
        match self {
            Sampling::Accept => "1",
            Sampling::Deny => "0",
            Sampling::Debug => "d",
            Sampling::Defer => "",
        }
    }
}

/// What valid B3 headers hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum B3Header {
    /// A span context.
    Context {
        /// The trace id (a 64-bit one in the low half).
        trace_id: TraceId,
        /// The caller's span id.
        span_id: SpanId,
        /// The caller's parent, when given.
        parent_span_id: Option<SpanId>,
        /// The sampling state.
        sampling: Sampling,
    },
    /// A sampling state alone (`b3: 0`, or `X-B3-Sampled` without ids).
    SamplingOnly(Sampling),
}

/// Why B3 headers were ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum B3ErrorKind {
    /// The trace id is not 16 or 32 lower-case hex digits, or is all zeros.
    TraceId,
    /// The span id is not 16 lower-case hex digits, or is all zeros.
    SpanId,
    /// The parent span id is not 16 lower-case hex digits, or is all zeros.
    ParentSpanId,
    /// The sampling state is not `1`, `0` or `d` (`1`, `0`, `true` or
    /// `false` in `X-B3-Sampled`).
    Sampling,
    /// A trace id without a span id, or the reverse.
    MissingId,
    /// The single header has more than four fields, or an empty one.
    Fields,
}

/// B3 headers that were ignored: which header, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct B3Error {
    header: &'static str,
    kind: B3ErrorKind,
}

impl B3Error {
    /// The header that was wrong (lower case).
    pub fn header(&self) -> &'static str {
        self.header
    }

    /// Why.
    pub fn kind(&self) -> B3ErrorKind {
        self.kind
    }
}

impl fmt::Display for B3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.kind {
            B3ErrorKind::TraceId => "the trace id must be 16 or 32 lower-case hex digits, not all zeros",
            B3ErrorKind::SpanId => "the span id must be 16 lower-case hex digits, not all zeros",
            B3ErrorKind::ParentSpanId => {
                "the parent span id must be 16 lower-case hex digits, not all zeros"
            }
            B3ErrorKind::Sampling => "the sampling state must be 1, 0 or d",
            B3ErrorKind::MissingId => "a trace id and a span id go together",
            B3ErrorKind::Fields => {
                "the header must be {trace-id}-{span-id}[-{sampling}[-{parent-span-id}]] or a sampling state"
            }
        };
        write!(f, "invalid B3 header `{}`: {why}", self.header)
    }
}

impl std::error::Error for B3Error {}

fn err(header: &'static str, kind: B3ErrorKind) -> B3Error {
    B3Error { header, kind }
}

/// Parses a single `b3` header value.
///
/// # Errors
/// What is wrong with it.
///
/// # Examples
///
/// ```
/// use omniscope_zipkin::b3::{parse_single, B3Header, Sampling};
///
/// let header = parse_single("80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-05e3ac9a4f6e3b90")?;
/// let B3Header::Context { sampling, parent_span_id, .. } = header else { unreachable!() };
/// assert_eq!(sampling, Sampling::Accept);
/// assert!(parent_span_id.is_some());
/// assert_eq!(parse_single("0")?, B3Header::SamplingOnly(Sampling::Deny));
/// assert!(parse_single("80f198ee56343ba8-0000000000000000-1").is_err());
/// # Ok::<(), omniscope_zipkin::b3::B3Error>(())
/// ```
pub fn parse_single(value: &str) -> Result<B3Header, B3Error> {
    let value = value.trim();
    let mut fields = value.split('-');
    let first = fields.next().unwrap_or_default();
    let Some(span) = fields.next() else {
        return single_sampling(first).map(B3Header::SamplingOnly);
    };
    let sampling = fields.next().map(single_sampling).transpose()?;
    let parent = fields.next();
    if fields.next().is_some() {
        return Err(err(B3, B3ErrorKind::Fields));
    }
    Ok(B3Header::Context {
        trace_id: trace_id(first).ok_or(err(B3, B3ErrorKind::TraceId))?,
        span_id: span_id(span).ok_or(err(B3, B3ErrorKind::SpanId))?,
        parent_span_id: parent
            .map(|p| span_id(p).ok_or(err(B3, B3ErrorKind::ParentSpanId)))
            .transpose()?,
        sampling: sampling.unwrap_or(Sampling::Defer),
    })
}

fn single_sampling(value: &str) -> Result<Sampling, B3Error> {
    match value {
        "1" => Ok(Sampling::Accept),
        "0" => Ok(Sampling::Deny),
        "d" => Ok(Sampling::Debug),
        "" => Err(err(B3, B3ErrorKind::Fields)),
        _ => Err(err(B3, B3ErrorKind::Sampling)),
    }
}

/// Parses the `X-B3-*` headers of `carrier`; `Ok(None)` when there are
/// none.
///
/// # Errors
/// What is wrong with them.
pub fn parse_multi(carrier: &dyn Carrier) -> Result<Option<B3Header>, B3Error> {
    let get = |key| carrier.get(key).map(str::trim).filter(|v| !v.is_empty());
    let debug = get(X_B3_FLAGS) == Some("1");
    let sampling = match get(X_B3_SAMPLED) {
        _ if debug => Sampling::Debug,
        None => Sampling::Defer,
        Some(v) if v == "1" || v.eq_ignore_ascii_case("true") => Sampling::Accept,
        Some(v) if v == "0" || v.eq_ignore_ascii_case("false") => Sampling::Deny,
        Some(_) => return Err(err(X_B3_SAMPLED, B3ErrorKind::Sampling)),
    };
    let (trace, span) = match (get(X_B3_TRACE_ID), get(X_B3_SPAN_ID)) {
        (None, None) if sampling == Sampling::Defer => return Ok(None),
        (None, None) => return Ok(Some(B3Header::SamplingOnly(sampling))),
        (Some(_), None) => return Err(err(X_B3_SPAN_ID, B3ErrorKind::MissingId)),
        (None, Some(_)) => return Err(err(X_B3_TRACE_ID, B3ErrorKind::MissingId)),
        (Some(trace), Some(span)) => (trace, span),
    };
    Ok(Some(B3Header::Context {
        trace_id: trace_id(trace).ok_or(err(X_B3_TRACE_ID, B3ErrorKind::TraceId))?,
        span_id: span_id(span).ok_or(err(X_B3_SPAN_ID, B3ErrorKind::SpanId))?,
        parent_span_id: get(X_B3_PARENT_SPAN_ID)
            .map(|p| span_id(p).ok_or(err(X_B3_PARENT_SPAN_ID, B3ErrorKind::ParentSpanId)))
            .transpose()?,
        sampling,
    }))
}

/// 16 or 32 lower-case hex digits, not all zeros.
fn trace_id(hex: &str) -> Option<TraceId> {
    let id = match hex.len() {
        16 | 32 if is_lower_hex(hex) => TraceId::from_u128(u128::from_str_radix(hex, 16).ok()?),
        _ => return None,
    };
    id.is_valid().then_some(id)
}

/// 16 lower-case hex digits, not all zeros.
fn span_id(hex: &str) -> Option<SpanId> {
    if hex.len() != 16 || !is_lower_hex(hex) {
        return None;
    }
    let id = SpanId::from_u64(u64::from_str_radix(hex, 16).ok()?);
    id.is_valid().then_some(id)
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// B3 propagation, extract and inject.
///
/// `extract` reads the single `b3` header first and, when it is absent or
/// invalid, the `X-B3-*` headers: the single header wins when both are
/// valid. Invalid headers are ignored (the context stays as it was);
/// [`B3Propagator::extract_header`] says why, as a [`B3Error`].
///
/// - a sampling state alone (`b3: 0`, `b3: 1`, `b3: d`) becomes the
///   context's [`SamplingRequest`]: the SDK's first span follows it rather
///   than the root sampler, and `inject` sends it on while no span was
///   started (`b3: 0` denies the whole trace downstream);
/// - debug (`d`, `X-B3-Flags: 1`) marks the span context debug
///   ([`SpanContext::with_debug`]) and sampled: the SDK records the trace
///   whatever its sampler says, and the Zipkin exporter sets `debug`;
/// - a deferred decision (no sampling state) is read as sampled, so that a
///   trace the caller kept is not lost here;
/// - the parent span id is read and checked, but not kept: `inject`
///   writes none (the specification makes it optional).
///
/// `inject` writes the headers of its [`B3Encoding`] for a valid span
/// context: the trace id in 16 digits when its high half is zero (as a
/// 64-bit caller sent it), else 32; sampling `1`, `0` or `d` (multiple
/// headers: `X-B3-Sampled`, or `X-B3-Flags: 1` alone for debug, as the
/// specification asks). Without a span context, it writes the context's
/// sampling request alone, if any.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation::Propagator;
/// use omniscope::Context;
/// use omniscope_zipkin::b3::{B3Encoding, B3Propagator};
///
/// let mut incoming = HashMap::new();
/// incoming.insert("X-B3-TraceId".to_string(), "463ac35c9f6413ad48485a3953bb6124".to_string());
/// incoming.insert("X-B3-SpanId".to_string(), "a2fb4a1d1a96d312".to_string());
/// incoming.insert("X-B3-Sampled".to_string(), "1".to_string());
/// let cx = B3Propagator::default().extract(Context::new(), &incoming);
/// let parent = cx.span_context().expect("valid headers");
/// assert!(parent.is_sampled() && parent.is_remote());
///
/// let mut outgoing = HashMap::new();
/// B3Propagator::default().inject(&cx, &mut outgoing);
/// assert_eq!(outgoing["b3"], "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1");
///
/// let mut outgoing = HashMap::new();
/// B3Propagator::new(B3Encoding::Multi).inject(&cx, &mut outgoing);
/// assert_eq!(outgoing["x-b3-spanid"], "a2fb4a1d1a96d312");
/// assert_eq!(outgoing["x-b3-sampled"], "1");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct B3Propagator {
    encoding: B3Encoding,
}

impl B3Propagator {
    /// A propagator writing the headers of `encoding`.
    pub const fn new(encoding: B3Encoding) -> B3Propagator {
        B3Propagator { encoding }
    }

    /// The headers it writes.
    pub const fn encoding(&self) -> B3Encoding {
        self.encoding
    }

    /// What the B3 headers of `carrier` hold (`Ok(None)`: there are none):
    /// the single header if it is valid, else the multiple headers. The
    /// error is the single header's when both are invalid.
    ///
    /// # Errors
    /// Why the headers are ignored.
    pub fn extract_header(&self, carrier: &dyn Carrier) -> Result<Option<B3Header>, B3Error> {
        let single = carrier
            .get(B3)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(parse_single);
        match single {
            Some(Ok(header)) => Ok(Some(header)),
            Some(Err(single_error)) => match parse_multi(carrier) {
                Ok(Some(header)) => Ok(Some(header)),
                _ => Err(single_error),
            },
            None => parse_multi(carrier),
        }
    }
}

impl Propagator for B3Propagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        let span = cx.span_context().filter(|s| s.is_valid());
        let sampling = match (span, cx.sampling_request()) {
            (Some(span), _) if span.is_debug() => Sampling::Debug,
            (Some(span), _) if span.is_sampled() => Sampling::Accept,
            (Some(_), _) => Sampling::Deny,
            (None, Some(SamplingRequest::Debug)) => Sampling::Debug,
            (None, Some(SamplingRequest::Accept)) => Sampling::Accept,
            (None, Some(SamplingRequest::Deny)) => Sampling::Deny,
            (None, None) => return,
        };
        let ids = span.map(|s| (trace_hex(s.trace_id()), s.span_id().to_string()));
        if matches!(
            self.encoding,
            B3Encoding::Single | B3Encoding::SingleAndMulti
        ) {
            let state = sampling.single_value();
            let value = match &ids {
                Some((trace, span)) => format!("{trace}-{span}-{state}"),
                None => state.to_owned(),
            };
            carrier.set(B3, value);
        }
        if matches!(
            self.encoding,
            B3Encoding::Multi | B3Encoding::SingleAndMulti
        ) {
            if let Some((trace, span)) = ids {
                carrier.set(X_B3_TRACE_ID, trace);
                carrier.set(X_B3_SPAN_ID, span);
            }
            // Debug implies accept: the specification says not to send
            // `X-B3-Sampled` beside `X-B3-Flags`.
            match sampling {
                Sampling::Debug => carrier.set(X_B3_FLAGS, "1".to_owned()),
                other => carrier.set(X_B3_SAMPLED, other.single_value().to_owned()),
            }
        }
    }

    fn extract(&self, cx: Context, carrier: &dyn Carrier) -> Context {
        match self.extract_header(carrier) {
            Ok(Some(B3Header::Context {
                trace_id,
                span_id,
                sampling,
                ..
            })) => cx.with_remote_span(
                SpanContext::new_remote(
                    trace_id,
                    span_id,
                    TraceFlags::NOT_SAMPLED.with_sampled(sampling.is_sampled()),
                    TraceState::new(),
                )
                .with_debug(sampling == Sampling::Debug),
            ),
            Ok(Some(B3Header::SamplingOnly(sampling))) => match sampling.request() {
                Some(request) => cx.with_sampling_request(request),
                None => cx,
            },
            _ => cx,
        }
    }

    /// Every B3 header: it reads all of them whatever it writes.
    fn fields(&self) -> Vec<&'static str> {
        vec![
            B3,
            X_B3_TRACE_ID,
            X_B3_SPAN_ID,
            X_B3_PARENT_SPAN_ID,
            X_B3_SAMPLED,
            X_B3_FLAGS,
        ]
    }
}

#[cfg(test)]
mod tests;
