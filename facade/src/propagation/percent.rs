//! Percent-decoding (`%XX`), as W3C Baggage values, Jaeger's `uberctx-*`
//! headers and the `OTEL_*` variables that borrow the Baggage syntax
//! (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_EXPORTER_OTLP_HEADERS`) use it.
//!
//! Two flavours over one decoder, as with [`String::from_utf8`] and
//! [`String::from_utf8_lossy`]: [`percent_decode`] rejects a malformed input
//! (configuration, where a typo should be reported), and
//! [`percent_decode_lossy`] accepts anything (headers from other services,
//! where the W3C Baggage rules say what to do with bad input).

use std::borrow::Cow;

/// Decodes every `%XX` escape (two hex digits, either case) in `s`, or
/// `None` if `s` is malformed: a `%` not followed by two hex digits, or
/// escapes that do not decode to UTF-8. Borrows `s` when it has no `%`.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::percent_decode;
///
/// assert_eq!(percent_decode("a%20b%2Cc").as_deref(), Some("a b,c"));
/// assert_eq!(percent_decode("caf%C3%A9").as_deref(), Some("café"));
/// assert_eq!(percent_decode("100%"), None); // not followed by two hex digits
/// assert_eq!(percent_decode("%FF"), None); // not UTF-8
/// ```
pub fn percent_decode(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('%') {
        return Some(Cow::Borrowed(s));
    }
    let (bytes, malformed) = unescape(s);
    if malformed {
        return None;
    }
    String::from_utf8(bytes).ok().map(Cow::Owned)
}

/// Decodes every `%XX` escape (two hex digits, either case) in `s`, and
/// never fails: a `%` not followed by two hex digits is kept as it is, and
/// escapes that do not decode to UTF-8 become U+FFFD, as W3C Baggage asks
/// of values. Borrows `s` when it has no `%`.
///
/// # Examples
///
/// ```
/// use omniscope::propagation::percent_decode_lossy;
///
/// assert_eq!(percent_decode_lossy("acme%20corp"), "acme corp");
/// assert_eq!(percent_decode_lossy("100%"), "100%");
/// assert_eq!(percent_decode_lossy("%FF%41"), "\u{fffd}A");
/// ```
pub fn percent_decode_lossy(s: &str) -> Cow<'_, str> {
    if !s.contains('%') {
        return Cow::Borrowed(s);
    }
    let (bytes, _) = unescape(s);
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

/// The bytes of `s` with every valid escape decoded, and whether some `%`
/// started no valid escape (it is then kept as it is).
fn unescape(s: &str) -> (Vec<u8>, bool) {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut malformed = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let escaped = match (b, bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&hi), Some(&lo)) => hex(hi).zip(hex(lo)).map(|(hi, lo)| hi << 4 | lo),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                malformed |= b == b'%';
                out.push(b);
                i += 1;
            }
        }
    }
    (out, malformed)
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_escapes_in_either_case() {
        assert_eq!(percent_decode("%2c%2C%41").as_deref(), Some(",,A"));
        assert_eq!(percent_decode_lossy("%2c%2C%41"), ",,A");
    }

    #[test]
    fn strict_rejects_what_lossy_keeps() {
        for (input, lossy) in [
            ("100%", "100%"),
            ("%4", "%4"),
            ("%zz%41", "%zzA"),
            ("%+1", "%+1"),
            ("%ff%41", "\u{fffd}A"),
            ("%C3", "\u{fffd}"),
            ("%é", "%é"),
        ] {
            assert_eq!(percent_decode(input), None, "{input}");
            assert_eq!(percent_decode_lossy(input), lossy, "{input}");
        }
    }

    #[test]
    fn text_without_escapes_is_borrowed() {
        assert!(matches!(
            percent_decode("a+b c"),
            Some(Cow::Borrowed("a+b c"))
        ));
        assert!(matches!(percent_decode_lossy(""), Cow::Borrowed("")));
    }

    /// Every byte of `s` as `%XX`.
    fn escape_all(s: &str) -> String {
        s.bytes().map(|b| format!("%{b:02x}")).collect()
    }

    proptest! {
        #[test]
        fn escaped_text_decodes_to_itself(s in any::<String>()) {
            let escaped = escape_all(&s);
            let strict = percent_decode(&escaped);
            prop_assert_eq!(strict.as_deref(), Some(s.as_str()));
            prop_assert_eq!(percent_decode_lossy(&escaped), s.as_str());
        }

        #[test]
        fn both_agree_on_well_formed_input(s in "(%[0-9A-Fa-f]{2}|[a-z%é])*") {
            if let Some(strict) = percent_decode(&s) {
                prop_assert_eq!(percent_decode_lossy(&s), strict);
            }
        }

        #[test]
        fn lossy_never_fails_and_keeps_unescaped_text(s in "[^%]*") {
            prop_assert_eq!(percent_decode_lossy(&s), s.as_str());
        }
    }
}
