//! Trace and span identifiers, trace flags, and the span context that
//! propagation carries between processes.

use std::fmt;

use super::TraceState;

/// A 16-byte W3C trace id. The all-zero id is invalid.
// Aligned like a `u64`: byte arrays would be placed at odd offsets in the
// structs that carry them, and copied with slow unaligned moves.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(align(8))]
pub struct TraceId([u8; 16]);

/// An 8-byte W3C span id. The all-zero id is invalid.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
#[repr(align(8))]
pub struct SpanId([u8; 8]);

/// The error returned when a string is not a valid hex id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    what: &'static str,
    input: String,
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} `{}`: expected lower-case hex digits, not all zero",
            self.what, self.input
        )
    }
}

impl std::error::Error for ParseIdError {}

macro_rules! hex_id {
    ($ty:ident, $len:literal, $int:ty, $what:literal) => {
        impl $ty {
            /// The invalid all-zero id.
            pub const INVALID: $ty = $ty([0; $len]);

            /// The id made of these bytes.
            pub const fn from_bytes(bytes: [u8; $len]) -> $ty {
                $ty(bytes)
            }

            /// The id's bytes.
            pub const fn to_bytes(self) -> [u8; $len] {
                self.0
            }

            /// Whether this id is not all zero.
            pub const fn is_valid(&self) -> bool {
                let mut i = 0;
                while i < $len {
                    if self.0[i] != 0 {
                        return true;
                    }
                    i += 1;
                }
                false
            }

            /// Parses exactly
            #[doc = concat!(stringify!($len), " bytes as ", stringify!($len), "×2 lower-case hex digits; all-zero is rejected.")]
            ///
            /// # Errors
            /// A wrong length, a character outside `0-9a-f`, or an all-zero id.
            pub fn from_hex(hex: &str) -> Result<$ty, ParseIdError> {
                $ty::from_hex_bytes(hex.as_bytes()).ok_or_else(|| ParseIdError {
                    what: $what,
                    input: hex.chars().take(64).collect(),
                })
            }

            /// [`from_hex`](Self::from_hex) without the error (built by the
            /// caller, on the failure path only): what a `traceparent` parse
            /// calls on every request.
            pub(crate) fn from_hex_bytes(digits: &[u8]) -> Option<$ty> {
                let digits: &[u8; $len * 2] = digits.try_into().ok()?;
                // Built as one integer, not byte by byte: the bytes would
                // be stored one at a time, and read back whole.
                let mut value: $int = 0;
                for word in digits.chunks_exact(8) {
                    let word = u64::from_le_bytes(word.try_into().ok()?);
                    value = value << 32 | <$int>::from(hex_word(word)?);
                }
                (value != 0).then(|| $ty(value.to_be_bytes()))
            }
        }

        impl fmt::Display for $ty {
            /// Lower-case hex, as on the wire.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($ty), "({})"), self)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = ParseIdError;
            fn from_str(s: &str) -> Result<$ty, ParseIdError> {
                $ty::from_hex(s)
            }
        }
    };
}

hex_id!(TraceId, 16, u128, "trace id");
hex_id!(SpanId, 8, u64, "span id");

impl TraceId {
    /// The id as a big-endian `u128` (handy for ratio sampling).
    pub const fn to_u128(self) -> u128 {
        u128::from_be_bytes(self.0)
    }

    /// The id of a big-endian `u128`.
    pub const fn from_u128(v: u128) -> TraceId {
        TraceId(v.to_be_bytes())
    }
}

impl SpanId {
    /// The id as a big-endian `u64`.
    pub const fn to_u64(self) -> u64 {
        u64::from_be_bytes(self.0)
    }

    /// The id of a big-endian `u64`.
    pub const fn from_u64(v: u64) -> SpanId {
        SpanId(v.to_be_bytes())
    }
}

/// The number written by eight lower-case hex digits (read from the text
/// as a little-endian word), or `None` if one is not `0-9a-f`.
///
/// The eight digits are checked and converted together, by arithmetic on
/// the whole word ("SIMD within a register"): a digit at a time, with a
/// branch or a table load per digit, took most of a `traceparent`'s parse.
fn hex_word(w: u64) -> Option<u32> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = ONES * 0x80;
    const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    // Adding `0x80 - n` to a byte below 0x80 sets its high bit if and only
    // if the byte is at least `n`, and never carries into the next byte.
    let at_least = |n: u8| w.wrapping_add(ONES * (0x80 - u64::from(n)));
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let letter = at_least(b'a') & !at_least(b'f' + 1);
    if w & HIGH != 0 || (digit | letter) & HIGH != HIGH {
        return None;
    }
    // `0`-`9` are 0x30-0x39 and `a`-`f` 0x61-0x66: the low four bits, plus
    // 9 when bit 6 (a letter) is set, are the digit's value.
    let nibbles = (w & (ONES * 0x0f)) + ((w >> 6) & ONES) * 9;
    // Each pair of nibbles (first digit in the lower byte) into one byte,
    // then the four bytes next to each other, the first digits' lowest:
    // the number's bytes in big-endian order.
    let pairs = (nibbles & LOW_BYTES) << 4 | (nibbles >> 8) & LOW_BYTES;
    let quads = (pairs | pairs >> 8) & 0x0000_ffff_0000_ffff;
    Some(u32::from_be_bytes(
        ((quads | quads >> 16) as u32).to_le_bytes(),
    ))
}

/// The byte of two lower-case hex digits (a `traceparent`'s version and
/// flags).
pub(crate) fn hex_byte(hi: u8, lo: u8) -> Option<u8> {
    let word = u64::from_le_bytes([hi, lo, b'0', b'0', b'0', b'0', b'0', b'0']);
    hex_word(word).map(|number| (number >> 24) as u8)
}

/// The W3C trace flags byte, all eight bits as received.
///
/// W3C Trace Context Level 2 defines two flags: [`SAMPLED`](Self::SAMPLED)
/// and [`RANDOM`](Self::RANDOM). The others are reserved: they are kept as
/// received but never sent on ([`defined`](Self::defined)), as both levels
/// of the specification require.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Default)]
pub struct TraceFlags(u8);

impl TraceFlags {
    /// No flag set: not sampled.
    pub const NOT_SAMPLED: TraceFlags = TraceFlags(0);
    /// The `sampled` flag: the caller may have recorded the trace.
    pub const SAMPLED: TraceFlags = TraceFlags(1);
    /// The `random` flag (W3C Trace Context Level 2): at least the
    /// right-most 7 bytes of the trace id are random, so samplers and
    /// backends downstream may rely on them.
    pub const RANDOM: TraceFlags = TraceFlags(2);

    /// Flags from their byte.
    pub const fn new(byte: u8) -> TraceFlags {
        TraceFlags(byte)
    }

    /// The flags byte.
    pub const fn to_u8(self) -> u8 {
        self.0
    }

    /// Whether the `sampled` flag is set.
    pub const fn is_sampled(self) -> bool {
        self.0 & Self::SAMPLED.0 != 0
    }

    /// These flags with `sampled` set or cleared.
    pub const fn with_sampled(self, sampled: bool) -> TraceFlags {
        self.with(Self::SAMPLED, sampled)
    }

    /// Whether the `random` flag is set.
    pub const fn is_random(self) -> bool {
        self.0 & Self::RANDOM.0 != 0
    }

    /// These flags with `random` set or cleared.
    pub const fn with_random(self, random: bool) -> TraceFlags {
        self.with(Self::RANDOM, random)
    }

    /// Only the flags W3C Trace Context Level 2 defines (`sampled` and
    /// `random`), the reserved bits cleared: what `traceparent` carries on
    /// and what a span under these flags inherits.
    #[must_use]
    pub const fn defined(self) -> TraceFlags {
        TraceFlags(self.0 & (Self::SAMPLED.0 | Self::RANDOM.0))
    }

    const fn with(self, flag: TraceFlags, on: bool) -> TraceFlags {
        TraceFlags(if on {
            self.0 | flag.0
        } else {
            self.0 & !flag.0
        })
    }
}

impl fmt::Debug for TraceFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceFlags({:02x})", self.0)
    }
}

/// The part of a span that crosses process boundaries: ids, flags, whether
/// it came from another process, and the vendor `tracestate`.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct SpanContext {
    trace_id: TraceId,
    span_id: SpanId,
    flags: TraceFlags,
    is_remote: bool,
    debug: bool,
    trace_state: TraceState,
}

impl SpanContext {
    /// A context of a span in this process.
    pub const fn new(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> SpanContext {
        SpanContext {
            trace_id,
            span_id,
            flags,
            is_remote: false,
            debug: false,
            trace_state: TraceState::new(),
        }
    }

    /// A context received from another process (by propagation).
    pub const fn new_remote(
        trace_id: TraceId,
        span_id: SpanId,
        flags: TraceFlags,
        trace_state: TraceState,
    ) -> SpanContext {
        SpanContext {
            trace_id,
            span_id,
            flags,
            is_remote: true,
            debug: false,
            trace_state,
        }
    }

    /// This context with another `tracestate`.
    #[must_use]
    #[inline]
    pub fn with_trace_state(mut self, trace_state: TraceState) -> SpanContext {
        self.trace_state = trace_state;
        self
    }

    /// This context marked (or not) as debug: the caller asked that its
    /// trace be recorded whatever the samplers decide (B3's `d` and
    /// `X-B3-Flags: 1`). Not a W3C flag: `traceparent` never carries it;
    /// the SDK records such a span, marks its children debug too, and
    /// exporters that know the notion (Zipkin's `debug`) send it.
    #[must_use]
    #[inline]
    pub const fn with_debug(mut self, debug: bool) -> SpanContext {
        self.debug = debug;
        self
    }

    /// Whether the trace was asked to be recorded whatever the samplers
    /// decide (see [`SpanContext::with_debug`]).
    pub const fn is_debug(&self) -> bool {
        self.debug
    }

    /// The trace id.
    pub const fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The span id.
    pub const fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// The trace flags.
    pub const fn flags(&self) -> TraceFlags {
        self.flags
    }

    /// Whether the trace is sampled.
    pub const fn is_sampled(&self) -> bool {
        self.flags.is_sampled()
    }

    /// Whether this context came from another process.
    pub const fn is_remote(&self) -> bool {
        self.is_remote
    }

    /// The vendor `tracestate` carried along.
    pub const fn trace_state(&self) -> &TraceState {
        &self.trace_state
    }

    /// Whether both ids are valid (not all zero).
    pub const fn is_valid(&self) -> bool {
        self.trace_id.is_valid() && self.span_id.is_valid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let t = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        assert_eq!(t.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
        let s = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        assert_eq!(s.to_u64(), 0x00f0_67aa_0ba9_02b7);
        assert!(TraceId::from_hex("00000000000000000000000000000000").is_err());
        assert!(TraceId::from_hex("4BF92F3577B34DA6A3CE929D0E0E4736").is_err());
        assert!(SpanId::from_hex("00f067aa0ba902b").is_err());
        assert!(SpanId::from_hex("é0f067aa0ba902b").is_err());
    }

    #[test]
    fn every_byte_but_lower_hex_is_rejected_anywhere() {
        let digits = *b"00f067aa0ba902b7";
        for byte in 0..=u8::MAX {
            let valid = u8::from_str_radix(&char::from(byte).to_string(), 16).ok();
            let valid = valid.filter(|_| !byte.is_ascii_uppercase());
            for at in 0..digits.len() {
                let mut hex = digits;
                hex[at] = byte;
                let parsed = SpanId::from_hex_bytes(&hex);
                assert_eq!(parsed.is_some(), valid.is_some(), "{byte:#x} at {at}");
            }
            assert_eq!(hex_byte(b'0', byte), valid);
            assert_eq!(hex_byte(byte, b'0'), valid.map(|v| v << 4));
        }
    }

    #[test]
    fn ids_round_trip_through_hex() {
        let mut x: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
        for _ in 0..1000 {
            x = x.rotate_left(7) ^ x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let trace = TraceId::from_u128(x);
            assert_eq!(TraceId::from_hex(&trace.to_string()), Ok(trace));
            let span = SpanId::from_u64(x as u64);
            assert_eq!(SpanId::from_hex(&span.to_string()), Ok(span));
        }
    }

    #[test]
    fn flags() {
        assert!(TraceFlags::new(0x09).is_sampled());
        assert_eq!(TraceFlags::new(0x09).with_sampled(false).to_u8(), 0x08);
        assert!(TraceFlags::new(0x0a).is_random() && !TraceFlags::new(0x0a).is_sampled());
        assert_eq!(TraceFlags::new(0x0b).defined(), TraceFlags::new(0x03));
    }
}
