//! [`Carrier`]s over [`http::HeaderMap`]: [`HeaderCarrier`] reads and writes,
//! [`HeaderExtractor`] reads a map it may not change.
//!
//! A header may arrive on several lines. HTTP says such lines form one
//! comma-separated list (RFC 9110 §5.3), and so the W3C processing model
//! reads them: `tracestate` (and `baggage`) lines are joined in the order
//! they came; more than one `traceparent` makes the context invalid, so
//! `get("traceparent")` answers nothing and the request starts a new trace.
//! Other headers repeated are joined the same way; a propagator that needs
//! a single value (Jaeger's `uber-trace-id`, B3) then finds it malformed
//! and ignores it, as it should.
//!
//! Values that are not visible ASCII (`HeaderValue::to_str` fails) are
//! absent to propagators: every propagation format is ASCII.

use http::header::{HeaderMap, HeaderName, HeaderValue};
use omniscope::metrics::{Key, LazyCounter, MetricMeta, Unit};
use omniscope::propagation::Carrier;

/// The one header that must not be repeated.
const TRACEPARENT: &str = "traceparent";

/// Values a propagator set that are not valid header names or values.
static REJECTED: LazyCounter = LazyCounter::with_meta(
    Key::from_static("omniscope.http.carrier.rejected", &[]),
    MetricMeta::new(
        Unit::custom("{header}"),
        "Propagation headers not written because their name or value is not valid in HTTP",
    ),
);

/// The values of repeated headers, joined once when the carrier is made
/// (rare: the common request repeats no header, and that is one
/// comparison). `None` for an invalid repetition (`traceparent`) or a line
/// that is not visible ASCII.
#[derive(Debug, Default)]
struct Joined(Vec<(HeaderName, Option<String>)>);

impl Joined {
    fn of(headers: &HeaderMap) -> Joined {
        if headers.len() == headers.keys_len() {
            return Joined::default();
        }
        let mut joined = Vec::new();
        for name in headers.keys() {
            let mut lines = headers.get_all(name).iter();
            let (Some(first), Some(_)) = (lines.next(), lines.next()) else {
                continue;
            };
            let value = if name == TRACEPARENT {
                None
            } else {
                join(first, headers.get_all(name).iter().skip(1))
            };
            joined.push((name.clone(), value));
        }
        Joined(joined)
    }

    /// `Some(value)` when `key` is repeated (the value `None` if invalid).
    fn get(&self, key: &str) -> Option<Option<&str>> {
        if self.0.is_empty() {
            return None;
        }
        self.0
            .iter()
            .find(|(name, _)| name.as_str().eq_ignore_ascii_case(key))
            .map(|(_, value)| value.as_deref())
    }

    fn remove(&mut self, key: &str) {
        self.0
            .retain(|(name, _)| !name.as_str().eq_ignore_ascii_case(key));
    }
}

/// The lines of one header as one list, or `None` if one is not ASCII.
fn join<'a>(first: &HeaderValue, rest: impl Iterator<Item = &'a HeaderValue>) -> Option<String> {
    let mut out = first.to_str().ok()?.to_owned();
    for line in rest {
        out.push(',');
        out.push_str(line.to_str().ok()?);
    }
    Some(out)
}

/// The header names the built-in propagators ask for (W3C, Jaeger, B3),
/// built at compile time: a name given as text is parsed and checked byte
/// by byte before a lookup, a third of the extraction's time on a request.
static PROPAGATION: [HeaderName; 10] = [
    HeaderName::from_static("traceparent"),
    HeaderName::from_static("tracestate"),
    HeaderName::from_static("baggage"),
    HeaderName::from_static("uber-trace-id"),
    HeaderName::from_static("b3"),
    HeaderName::from_static("x-b3-traceid"),
    HeaderName::from_static("x-b3-spanid"),
    HeaderName::from_static("x-b3-parentspanid"),
    HeaderName::from_static("x-b3-sampled"),
    HeaderName::from_static("x-b3-flags"),
];

/// Where `key`, as a propagator asks for it, is in [`PROPAGATION`]. A
/// `match` on the text, which the compiler turns into a switch on the
/// length and a comparison or two, rather than a scan of the names (each
/// a call to `HeaderName::as_str` and to `memcmp`).
fn known(key: &str) -> Option<usize> {
    Some(match key {
        "traceparent" => 0,
        "tracestate" => 1,
        "baggage" => 2,
        "uber-trace-id" => 3,
        "b3" => 4,
        "x-b3-traceid" => 5,
        "x-b3-spanid" => 6,
        "x-b3-parentspanid" => 7,
        "x-b3-sampled" => 8,
        "x-b3-flags" => 9,
        _ => return None,
    })
}

/// The `x-forwarded-for` header.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The headers a server reads from every request, found in one pass over
/// the map: a lookup by name hashes the name and probes, about 150
/// instructions, and a request was looked up seven times. The first line
/// of each, as [`HeaderMap::get`] gives.
#[derive(Debug, Default)]
pub(crate) struct RequestHeaders<'a> {
    propagation: [Option<&'a HeaderValue>; PROPAGATION.len()],
    pub(crate) host: Option<&'a HeaderValue>,
    pub(crate) user_agent: Option<&'a HeaderValue>,
    pub(crate) forwarded_for: Option<&'a HeaderValue>,
    pub(crate) content_type: Option<&'a HeaderValue>,
    pub(crate) content_length: Option<&'a HeaderValue>,
}

impl<'a> RequestHeaders<'a> {
    pub(crate) fn of(headers: &'a HeaderMap) -> RequestHeaders<'a> {
        use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, USER_AGENT};
        let mut found = RequestHeaders::default();
        for (name, value) in headers {
            let slot = if *name == HOST {
                &mut found.host
            } else if *name == USER_AGENT {
                &mut found.user_agent
            } else if *name == CONTENT_TYPE {
                &mut found.content_type
            } else if *name == CONTENT_LENGTH {
                &mut found.content_length
            } else if *name == X_FORWARDED_FOR {
                &mut found.forwarded_for
            } else if let Some(slot) =
                known(name.as_str()).and_then(|i| found.propagation.get_mut(i))
            {
                slot
            } else {
                continue;
            };
            slot.get_or_insert(value);
        }
        found
    }
}

fn get<'a>(
    headers: &'a HeaderMap,
    joined: &'a Joined,
    found: Option<&[Option<&'a HeaderValue>; PROPAGATION.len()]>,
    key: &str,
) -> Option<&'a str> {
    if let Some(value) = joined.get(key) {
        return value;
    }
    let value = match (known(key), found) {
        (Some(i), Some(found)) => found.get(i).copied().flatten(),
        (Some(i), None) => PROPAGATION.get(i).and_then(|name| headers.get(name)),
        (None, _) => headers.get(key),
    };
    text(value?)
}

/// [`HeaderValue::to_str`] (visible ASCII and tabs), checking eight bytes
/// at a time rather than stopping at each: the values a request is read
/// for (`traceparent`, `user-agent`, `host`) took 7 instructions a byte.
/// A value of eight bytes or more ends with a word that overlaps the one
/// before (checking some bytes twice) rather than a byte-by-byte tail.
pub(crate) fn text(value: &HeaderValue) -> Option<&str> {
    let bytes = value.as_bytes();
    let mut rest = bytes;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        if !visible_chunk(word) {
            return None;
        }
        rest = tail;
    }
    let tail_visible = match bytes.last_chunk::<8>() {
        Some(last) => rest.is_empty() || visible_chunk(last),
        None => rest.iter().all(|b| visible(*b)),
    };
    if !tail_visible {
        return None;
    }
    std::str::from_utf8(bytes).ok()
}

/// Whether the 8 bytes of `chunk` are visible: as a word, or byte by byte
/// when the word test fails (it does on a tab).
fn visible_chunk(chunk: &[u8; 8]) -> bool {
    visible_word(u64::from_le_bytes(*chunk)) || chunk.iter().all(|b| visible(*b))
}

fn visible(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

/// `true` if every byte of `w` is in `0x20..0x7f` (a tab, also visible,
/// answers `false`: the caller checks such a word byte by byte). The
/// bit tricks of "Bit Twiddling Hacks": `hasless(w, 0x20)` and
/// `haszero(w ^ 0x7f…)`, plus the high bits.
fn visible_word(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let del = w ^ (ONES * 0x7f);
    let is_del = del.wrapping_sub(ONES) & !del & HIGH;
    (w & HIGH) | below_space | is_del == 0
}

fn keys(headers: &HeaderMap) -> Vec<&str> {
    headers.keys().map(HeaderName::as_str).collect()
}

/// A [`Carrier`] that reads and writes an [`http::HeaderMap`]: what a client
/// layer injects into, and what a proxy both reads and writes.
///
/// `get` follows the rules of the [module](self): repeated lines joined,
/// a repeated `traceparent` absent. `set` replaces every line of the header;
/// a name or value that HTTP does not allow is not written (and counted in
/// `omniscope.http.carrier.rejected`).
///
/// # Examples
///
/// ```
/// use http::HeaderMap;
/// use omniscope::propagation::{Carrier, Propagator, TraceContextPropagator};
/// use omniscope::Context;
/// use omniscope_http::HeaderCarrier;
///
/// let mut incoming = HeaderMap::new();
/// incoming.insert("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap());
/// incoming.append("tracestate", "rojo=00f067aa0ba902b7".parse().unwrap());
/// incoming.append("tracestate", "congo=t61rcWkgMzE".parse().unwrap());
///
/// let cx = TraceContextPropagator.extract(Context::new(), &HeaderCarrier::new(&mut incoming));
/// let parent = cx.span_context().unwrap();
/// assert_eq!(parent.trace_state().header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
///
/// let mut outgoing = HeaderMap::new();
/// TraceContextPropagator.inject(&cx, &mut HeaderCarrier::new(&mut outgoing));
/// assert_eq!(outgoing["tracestate"], "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
/// ```
#[derive(Debug)]
pub struct HeaderCarrier<'a> {
    headers: &'a mut HeaderMap,
    joined: Joined,
}

impl<'a> HeaderCarrier<'a> {
    /// A carrier over `headers`.
    pub fn new(headers: &'a mut HeaderMap) -> HeaderCarrier<'a> {
        let joined = Joined::of(headers);
        HeaderCarrier { headers, joined }
    }
}

impl Carrier for HeaderCarrier<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.headers, &self.joined, None, key)
    }

    fn set(&mut self, key: &str, value: String) {
        let name = match known(key).and_then(|i| PROPAGATION.get(i)) {
            Some(name) => Ok(name.clone()),
            None => HeaderName::from_bytes(key.to_ascii_lowercase().as_bytes()),
        };
        let (Ok(name), Ok(value)) = (name, HeaderValue::try_from(value)) else {
            REJECTED.increment(1);
            return;
        };
        self.joined.remove(key);
        self.headers.insert(name, value);
    }

    fn keys(&self) -> Vec<&str> {
        keys(self.headers)
    }
}

/// A read-only [`Carrier`] over an [`http::HeaderMap`]: what a server layer
/// extracts the caller's context from. `get` follows the rules of the
/// [module](self); `set` does nothing, since the map is borrowed shared
/// (use [`HeaderCarrier`] to write).
///
/// # Examples
///
/// ```
/// use http::HeaderMap;
/// use omniscope::propagation::{Propagator, TraceContextPropagator};
/// use omniscope::Context;
/// use omniscope_http::HeaderExtractor;
///
/// let mut headers = HeaderMap::new();
/// let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
/// headers.append("traceparent", tp.parse().unwrap());
/// let cx = TraceContextPropagator.extract(Context::new(), &HeaderExtractor::new(&headers));
/// assert!(cx.span_context().is_some());
///
/// // Two `traceparent` lines: invalid, so a new trace starts.
/// headers.append("traceparent", tp.parse().unwrap());
/// let cx = TraceContextPropagator.extract(Context::new(), &HeaderExtractor::new(&headers));
/// assert!(cx.span_context().is_none());
/// ```
#[derive(Debug)]
pub struct HeaderExtractor<'a> {
    headers: &'a HeaderMap,
    joined: Joined,
    /// The propagation headers, when the map was scanned already.
    found: Option<[Option<&'a HeaderValue>; PROPAGATION.len()]>,
}

impl<'a> HeaderExtractor<'a> {
    /// A read-only carrier over `headers`.
    pub fn new(headers: &'a HeaderMap) -> HeaderExtractor<'a> {
        HeaderExtractor {
            headers,
            joined: Joined::of(headers),
            found: None,
        }
    }

    /// A carrier over `headers` that answers for the propagation headers
    /// from `scan` of them, without looking them up.
    pub(crate) fn scanned(
        headers: &'a HeaderMap,
        scan: &RequestHeaders<'a>,
    ) -> HeaderExtractor<'a> {
        HeaderExtractor {
            headers,
            joined: Joined::of(headers),
            found: Some(scan.propagation),
        }
    }
}

impl Carrier for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        get(self.headers, &self.joined, self.found.as_ref(), key)
    }

    /// Does nothing: the map is borrowed shared.
    fn set(&mut self, _key: &str, _value: String) {}

    fn keys(&self) -> Vec<&str> {
        keys(self.headers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(lines: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in lines {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn single_lines_are_read_as_they_are() {
        let headers = map(&[("traceparent", "a"), ("baggage", "k=v")]);
        let carrier = HeaderExtractor::new(&headers);
        assert_eq!(carrier.get("Traceparent"), Some("a"));
        assert_eq!(carrier.get("baggage"), Some("k=v"));
        assert_eq!(carrier.get("tracestate"), None);
        let mut keys = carrier.keys();
        keys.sort_unstable();
        assert_eq!(keys, ["baggage", "traceparent"]);
    }

    #[test]
    fn repeated_lines_join_in_order_and_traceparent_twice_is_absent() {
        let headers = map(&[
            ("tracestate", "a=1"),
            ("traceparent", "x"),
            ("tracestate", "b=2"),
            ("traceparent", "y"),
            ("tracestate", "c=3"),
        ]);
        let carrier = HeaderExtractor::new(&headers);
        assert_eq!(carrier.get("tracestate"), Some("a=1,b=2,c=3"));
        assert_eq!(carrier.get("traceparent"), None);
    }

    #[test]
    fn a_line_that_is_not_ascii_is_absent() {
        let mut headers = HeaderMap::new();
        headers.append("baggage", HeaderValue::from_bytes(b"k=\xff").unwrap());
        assert_eq!(HeaderExtractor::new(&headers).get("baggage"), None);
        headers.append("baggage", HeaderValue::from_static("a=1"));
        assert_eq!(HeaderExtractor::new(&headers).get("baggage"), None);
    }

    #[test]
    fn text_is_visible_ascii_and_tabs_in_every_position() {
        let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ~\t!";
        for len in 0..valid.len() {
            let prefix = valid.get(..len).unwrap();
            let value = HeaderValue::from_str(prefix).unwrap();
            assert_eq!(text(&value), Some(prefix));
            for bad in [0x80u8, 0xff, 0x01, 0x1f] {
                let mut bytes = prefix.as_bytes().to_vec();
                bytes.push(bad);
                bytes.extend_from_slice(b"tail0123");
                if let Ok(value) = HeaderValue::from_bytes(&bytes) {
                    assert_eq!(text(&value), None, "{bytes:?}");
                    assert!(value.to_str().is_err());
                }
            }
        }
    }

    #[test]
    fn set_replaces_every_line_and_rejects_what_http_forbids() {
        let mut headers = map(&[("tracestate", "a=1"), ("tracestate", "b=2")]);
        let mut carrier = HeaderCarrier::new(&mut headers);
        carrier.set("TraceState", "c=3".to_owned());
        assert_eq!(carrier.get("tracestate"), Some("c=3"));
        carrier.set("bad name", "x".to_owned());
        carrier.set("baggage", "line\nbreak".to_owned());
        assert_eq!(carrier.get("baggage"), None);
        assert_eq!(headers.get_all("tracestate").iter().count(), 1);
        assert_eq!(headers.len(), 1);
    }

    #[test]
    fn a_scanned_extractor_answers_as_a_plain_one() {
        let headers = map(&[
            ("traceparent", "tp"),
            ("tracestate", "a=1"),
            ("host", "shop.example:8080"),
            ("tracestate", "b=2"),
            ("x-b3-sampled", "1"),
            ("x-other", "o"),
            ("user-agent", "ua"),
        ]);
        let scan = RequestHeaders::of(&headers);
        let scanned = HeaderExtractor::scanned(&headers, &scan);
        let plain = HeaderExtractor::new(&headers);
        for key in [
            "traceparent",
            "TraceParent",
            "tracestate",
            "baggage",
            "x-b3-sampled",
            "x-other",
            "b3",
        ] {
            assert_eq!(scanned.get(key), plain.get(key), "{key}");
        }
        assert_eq!(scanned.get("tracestate"), Some("a=1,b=2"));
        assert_eq!(scan.host.and_then(text), Some("shop.example:8080"));
        assert_eq!(scan.user_agent.and_then(text), Some("ua"));
        assert!(scan.content_type.is_none() && scan.forwarded_for.is_none());
    }

    #[test]
    fn known_names_match_their_places() {
        for (i, name) in PROPAGATION.iter().enumerate() {
            assert_eq!(known(name.as_str()), Some(i), "{name}");
        }
        assert_eq!(known("Traceparent"), None);
        assert_eq!(known("x-b3"), None);
    }

    #[test]
    fn the_extractor_ignores_set() {
        let headers = HeaderMap::new();
        let mut carrier = HeaderExtractor::new(&headers);
        carrier.set("traceparent", "x".to_owned());
        assert_eq!(carrier.get("traceparent"), None);
    }
}
