//! [`UberTraceIdPropagator`]: Jaeger's `uber-trace-id` and `uberctx-*` headers.

use std::collections::HashMap;

use omniscope::baggage::{MAX_BYTES, MAX_MEMBERS};
use omniscope::propagation::{percent_decode_lossy, Carrier, Propagator};
use omniscope::{Baggage, Context, SpanContext, SpanId, TraceFlags, TraceId, TraceState};

/// The trace context header: `{trace-id}:{span-id}:{parent-span-id}:{flags}`.
pub const UBER_TRACE_ID: &str = "uber-trace-id";

/// The prefix of baggage headers: `uberctx-{key}: {value}`.
pub const BAGGAGE_PREFIX: &str = "uberctx-";

/// Jaeger's native propagation format, for services still instrumented
/// with Jaeger clients. Run it beside the W3C propagators (a
/// [`CompositePropagator`](omniscope::propagation::CompositePropagator)) to
/// read both formats and write both.
///
/// `uber-trace-id: {trace-id}:{span-id}:{parent-span-id}:{flags}`, as
/// Jaeger's client documentation specifies it:
///
/// - `trace-id`: 64 or 128 bits in hex, leading zeros optional; 0 is invalid.
/// - `span-id`: 64 bits in hex, leading zeros optional; 0 is invalid.
/// - `parent-span-id`: deprecated; ignored when reading, `0` when writing.
/// - `flags`: a one-byte bitmap in hex; bit 1 is "sampled", bit 2 is
///   "debug" (which implies sampled).
///
/// `extract` also accepts the colons URL-encoded (`%3A`, as some HTTP
/// stacks write them) and ignores an invalid header, leaving the context
/// as it was. Baggage travels as one `uberctx-{key}` header per entry
/// (values percent-decoded on the way in, encoded on the way out).
/// `extract` adds `uberctx-*` entries to the context's baggage while the
/// whole stays within W3C baggage's limits (180 members, 8192 bytes of
/// `key=value` members): entries that do not fit are left out whole, in
/// the carrier's order.
///
/// # Examples
///
/// ```
/// use std::collections::HashMap;
/// use omniscope::propagation::Propagator;
/// use omniscope::Context;
/// use omniscope_jaeger::UberTraceIdPropagator;
///
/// let mut headers = HashMap::new();
/// headers.insert("uber-trace-id".to_string(), "d3c9d5dd2e4d4a3c:13d02a0f2d54e26c:0:1".to_string());
/// headers.insert("uberctx-tenant".to_string(), "acme%20corp".to_string());
///
/// let cx = UberTraceIdPropagator.extract(Context::new(), &headers);
/// let parent = cx.span_context().expect("a valid header");
/// assert_eq!(parent.trace_id().to_string(), "0000000000000000d3c9d5dd2e4d4a3c");
/// assert!(parent.is_sampled() && parent.is_remote());
/// assert_eq!(cx.baggage().get("tenant"), Some("acme corp"));
///
/// let mut outgoing = HashMap::new();
/// UberTraceIdPropagator.inject(&cx, &mut outgoing);
/// assert_eq!(outgoing["uber-trace-id"], "0000000000000000d3c9d5dd2e4d4a3c:13d02a0f2d54e26c:0:1");
/// assert_eq!(outgoing["uberctx-tenant"], "acme%20corp");
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct UberTraceIdPropagator;

impl Propagator for UberTraceIdPropagator {
    fn inject(&self, cx: &Context, carrier: &mut dyn Carrier) {
        if let Some(span) = cx.span_context().filter(|s| s.is_valid()) {
            carrier.set(UBER_TRACE_ID, format(span));
        }
        for (key, value) in cx.baggage().iter() {
            carrier.set(&format!("{BAGGAGE_PREFIX}{key}"), percent_encode(value));
        }
    }

    fn extract(&self, mut cx: Context, carrier: &dyn Carrier) -> Context {
        if let Some(span) = carrier.get(UBER_TRACE_ID).and_then(parse) {
            cx = cx.with_remote_span(span);
        }
        let baggage = baggage(carrier, cx.baggage().clone());
        if !baggage.is_empty() {
            cx = cx.with_baggage(baggage);
        }
        cx
    }

    /// `uber-trace-id` only: baggage headers have one name per key.
    fn fields(&self) -> Vec<&'static str> {
        vec![UBER_TRACE_ID]
    }
}

/// The header value for `span`: the full 128-bit trace id, `0` for the
/// deprecated parent, the sampled bit and the debug bit.
pub(crate) fn format(span: &SpanContext) -> String {
    let flags = u8::from(span.is_sampled()) | u8::from(span.is_debug()) << 1;
    format!("{}:{}:0:{flags:x}", span.trace_id(), span.span_id())
}

/// The span context of a header value, if it is valid.
pub(crate) fn parse(header: &str) -> Option<SpanContext> {
    let header = header.trim();
    let decoded;
    let header = if header.contains('%') {
        decoded = header.replace("%3A", ":").replace("%3a", ":");
        decoded.as_str()
    } else {
        header
    };
    let mut parts = header.split(':');
    let (trace, span, parent, flags) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !is_hex(parent, 16) {
        return None;
    }
    let trace_id = TraceId::from_u128(u128::from_str_radix(hex(trace, 32)?, 16).ok()?);
    let span_id = SpanId::from_u64(u64::from_str_radix(hex(span, 16)?, 16).ok()?);
    let flags = u8::from_str_radix(hex(flags, 2)?, 16).ok()?;
    if !trace_id.is_valid() || !span_id.is_valid() {
        return None;
    }
    // Debug (bit 2) asks for the trace to be kept whatever the samplers
    // say: sampled, and marked so that the SDK and the next hop keep it too.
    let debug = flags & 0b10 != 0;
    let sampled = flags & 0b01 != 0 || debug;
    Some(
        SpanContext::new_remote(
            trace_id,
            span_id,
            TraceFlags::NOT_SAMPLED.with_sampled(sampled),
            TraceState::new(),
        )
        .with_debug(debug),
    )
}

/// `s` if it is 1 to `max` hex digits.
fn hex(s: &str, max: usize) -> Option<&str> {
    is_hex(s, max).then_some(s)
}

fn is_hex(s: &str, max: usize) -> bool {
    !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `base` with the `uberctx-*` headers added (keys lower case, the first
/// spelling's position and the last one's value), in the carrier's order,
/// while the whole stays within W3C baggage's limits: [`MAX_MEMBERS`]
/// members and [`MAX_BYTES`] bytes of `key=value` members joined by commas
/// (values decoded). Members that do not fit are left out whole; a key
/// already present may still be replaced if its new value fits.
///
/// Linear in the headers: they are gathered by key first, because each
/// [`Baggage::insert`] copies the baggage, so only the members kept (at most
/// [`MAX_MEMBERS`] plus replacements of `base`'s keys) are inserted.
fn baggage(carrier: &dyn Carrier, base: Baggage) -> Baggage {
    let mut gathered: HashMap<String, (usize, &str)> = HashMap::new();
    for (position, key) in carrier.keys().into_iter().enumerate() {
        let Some(name) = key
            .get(..BAGGAGE_PREFIX.len())
            .filter(|p| p.eq_ignore_ascii_case(BAGGAGE_PREFIX))
            .and_then(|_| key.get(BAGGAGE_PREFIX.len()..))
            .filter(|n| !n.is_empty())
        else {
            continue;
        };
        let Some(value) = carrier.get(key) else {
            continue;
        };
        gathered
            .entry(name.to_ascii_lowercase())
            .and_modify(|(_, v)| *v = value)
            .or_insert((position, value));
    }
    if gathered.is_empty() {
        return base;
    }
    let mut members: Vec<_> = gathered.into_iter().collect();
    members.sort_unstable_by_key(|(_, (position, _))| *position);

    // Member sizes of what the baggage holds, and their total with commas.
    let mut sizes: HashMap<String, usize> = base
        .iter()
        .map(|(k, v)| (k.to_owned(), member_len(k, v)))
        .collect();
    let mut bytes = sizes.values().sum::<usize>() + sizes.len().saturating_sub(1);
    let mut out = base;
    for (name, (_, raw)) in members {
        let old = sizes.get(&name).copied();
        if old.is_none() && sizes.len() >= MAX_MEMBERS {
            continue;
        }
        let value = percent_decode_lossy(raw);
        let len = member_len(&name, &value);
        let total = match old {
            Some(old) => bytes - old + len,
            None => bytes + len + usize::from(!sizes.is_empty()),
        };
        if total > MAX_BYTES {
            continue;
        }
        // An invalid key (not a token) is refused before anything is copied.
        if let Ok(next) = out.insert(&name, &value) {
            out = next;
            bytes = total;
            sizes.insert(name, len);
        }
    }
    out
}

/// The bytes of `key=value` in a `baggage` header, the value unencoded.
fn member_len(key: &str, value: &str) -> usize {
    key.len() + 1 + value.len()
}

/// Everything but unreserved characters (RFC 3986) as `%XX`.
fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests;
