//! [`Attributes`]: typed key-value lists for spans, events, links and logs,
//! stored without an allocation per value.
//!
//! Keys the macros produce are `'static` and kept as they are. String values
//! (and `Display`/`Debug`/error values, formatted once) of up to
//! [`INLINE_TEXT`] bytes are kept inside their entry; longer ones are
//! appended to one text buffer per list. So recording four attributes costs
//! one vector, and a second only when a value is long.
//!
//! # Values that panic while formatted
//!
//! A `Display` or `Debug` impl is the application's code, running on the
//! application's thread inside a telemetry call. If it panics, the panic is
//! caught around that call alone (further out, it would leave a span slot
//! or a log record half-built), the value is recorded as
//! [`PANICKED_WHILE_FORMATTING`], and the panic is counted in
//! [`format_panics`] (both the facade's, which formats values the same way
//! for the pre-init buffer and `testing`). Span, event and link attributes, log fields and
//! messages, and error fields all format through here, so every signal
//! behaves alike.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::ops::Range;

use omniscope::{Field, Value};

/// String values up to this many bytes are stored inside their entry.
pub const INLINE_TEXT: usize = 22;

pub use omniscope::{format_panics, PANICKED_WHILE_FORMATTING};
// The one place a value's formatting panic is caught and counted.
pub(crate) use omniscope::catch_format_panic as caught;

/// Whether a value was formatted, or panicked and was replaced by
/// [`PANICKED_WHILE_FORMATTING`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Formatted {
    Ok,
    Panicked,
}

#[derive(Clone, Debug, PartialEq)]
enum Stored {
    /// A short string, inline (`len` bytes of valid UTF-8).
    Inline {
        len: u8,
        bytes: [u8; INLINE_TEXT],
    },
    /// A longer string, in `Attributes::text`.
    Str(Range<u32>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// A list of attributes in the order recorded (a later value for a key
/// shadows an earlier one in [`Attributes::get`]).
#[derive(Clone, Default, PartialEq)]
pub struct Attributes {
    entries: Vec<(Cow<'static, str>, Stored)>,
    text: String,
}

impl Attributes {
    /// An empty list.
    pub const fn new() -> Attributes {
        Attributes {
            entries: Vec::new(),
            text: String::new(),
        }
    }

    /// An empty list with room for `n` attributes.
    pub fn with_capacity(n: usize) -> Attributes {
        Attributes {
            entries: Vec::with_capacity(n),
            text: String::new(),
        }
    }

    /// Makes room for `additional` more attributes at once.
    pub(crate) fn reserve(&mut self, additional: usize) {
        self.entries.reserve(additional);
    }

    /// The attributes of `fields`.
    pub fn from_fields(fields: &[Field<'_>]) -> Attributes {
        let mut a = Attributes::with_capacity(fields.len());
        for f in fields {
            a.push(f);
        }
        a
    }

    /// Appends a field, truncating string values to `max_len` bytes (at a
    /// character boundary) when given. A value whose formatting panics is
    /// stored as [`PANICKED_WHILE_FORMATTING`] (see the [module docs](self)).
    pub fn push_limited(&mut self, field: &Field<'_>, max_len: Option<usize>) {
        self.push_field(field, max_len);
    }

    /// [`push_limited`](Self::push_limited), telling whether the value
    /// panicked while formatted.
    pub(crate) fn push_field(&mut self, field: &Field<'_>, max_len: Option<usize>) -> Formatted {
        let key = match field.static_key() {
            Some(k) => Cow::Borrowed(k),
            None => Cow::Owned(field.key().to_owned()),
        };
        let stored = match field.value() {
            Value::I64(v) => Stored::I64(v),
            Value::U64(v) => Stored::U64(v),
            Value::F64(v) => Stored::F64(v),
            Value::Bool(v) => Stored::Bool(v),
            Value::Str(s) => {
                self.push_str(key, truncated(s, max_len.unwrap_or(usize::MAX)));
                return Formatted::Ok;
            }
            text => return self.push_text(key, &text, max_len.unwrap_or(usize::MAX)),
        };
        self.entries.push((key, stored));
        Formatted::Ok
    }

    /// Appends a string value: inside its entry when short, else in the
    /// text buffer. The common case, kept apart from formatted values: it
    /// needs no formatter and cannot panic (half the instructions of
    /// [`push_text`](Self::push_text) for a short string).
    fn push_str(&mut self, key: Cow<'static, str>, s: &str) {
        if s.len() <= INLINE_TEXT {
            // Pushed first and the bytes copied into the entry in place:
            // see `push_text`.
            let empty = Stored::Inline {
                len: s.len() as u8,
                bytes: [0; INLINE_TEXT],
            };
            self.entries.push((key, empty));
            if let Some((_, Stored::Inline { bytes, .. })) = self.entries.last_mut() {
                if let Some(place) = bytes.get_mut(..s.len()) {
                    place.copy_from_slice(s.as_bytes());
                }
            }
        } else {
            let start = self.text.len();
            self.text.push_str(s);
            let range = offset(start)..offset(self.text.len());
            self.entries.push((key, Stored::Str(range)));
        }
    }

    /// Appends a field.
    pub fn push(&mut self, field: &Field<'_>) {
        self.push_limited(field, None);
    }

    /// Appends a formatted value (`Display`, `Debug`, an error) of at most
    /// `max` bytes: inside its entry when short, else in the text buffer.
    fn push_text(&mut self, key: Cow<'static, str>, value: &Value<'_>, max: usize) -> Formatted {
        // The entry is pushed first and the text written straight into it.
        // Built on the stack and then moved, the bytes a copy had just
        // stored were read back at once in wider words, which stalls the
        // CPU's store forwarding: 60% of this function's time, measured.
        let index = self.entries.len();
        let empty = Stored::Inline {
            len: 0,
            bytes: [0; INLINE_TEXT],
        };
        self.entries.push((key, empty));
        // `None`: the value panicked.
        let fits = match self.entries.get_mut(index) {
            Some((_, Stored::Inline { len, bytes })) => {
                let mut inline = InlineText { len: 0, bytes };
                let fits = caught(|| write!(inline, "{value}"))
                    .map(|written| written.is_ok() && inline.len <= max);
                *len = inline.len as u8;
                fits
            }
            _ => Some(false),
        };
        let (long, formatted) = match fits {
            Some(true) => return Formatted::Ok,
            Some(false) => match self.push_long_text(value, max) {
                Some(range) => (range, Formatted::Ok),
                None => (self.push_placeholder(max), Formatted::Panicked),
            },
            None => (self.push_placeholder(max), Formatted::Panicked),
        };
        if let Some(entry) = self.entries.get_mut(index) {
            entry.1 = Stored::Str(long);
        }
        formatted
    }

    /// Appends [`PANICKED_WHILE_FORMATTING`], cut to `max` bytes, to the
    /// text buffer.
    #[cold]
    fn push_placeholder(&mut self, max: usize) -> Range<u32> {
        let start = self.text.len();
        self.text
            .push_str(truncated(PANICKED_WHILE_FORMATTING, max));
        offset(start)..offset(self.text.len())
    }

    /// Appends a formatted value of at most `max` bytes to the text
    /// buffer; `None` (and nothing appended) if the value panicked.
    fn push_long_text(&mut self, value: &Value<'_>, max: usize) -> Option<Range<u32>> {
        let start = self.text.len();
        if caught(|| write!(self.text, "{value}")).is_none() {
            self.text.truncate(start);
            return None;
        }
        let mut end = start.saturating_add(max);
        if end < self.text.len() {
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            self.text.truncate(end);
        }
        Some(offset(start)..offset(self.text.len()))
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the buffers have room for more than `entries` entries or
    /// `text` bytes of long values: a list reused from span to span is
    /// dropped rather than kept at that size.
    pub(crate) fn holds_more_than(&self, entries: usize, text: usize) -> bool {
        self.entries.capacity() > entries || self.text.capacity() > text
    }

    /// The attributes, in the order recorded.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, Value<'_>)> + '_ {
        self.entries
            .iter()
            .map(|(k, v)| (k.as_ref(), self.value(v)))
    }

    /// The last value recorded for `key`.
    pub fn get(&self, key: &str) -> Option<Value<'_>> {
        self.entries
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| self.value(v))
    }

    /// Removes every attribute.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.text.clear();
    }

    fn value<'s>(&'s self, stored: &'s Stored) -> Value<'s> {
        match stored {
            Stored::Inline { len, bytes } => {
                Value::Str(std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or(""))
            }
            Stored::Str(r) => Value::Str(
                self.text
                    .get(r.start as usize..r.end as usize)
                    .unwrap_or(""),
            ),
            Stored::I64(v) => Value::I64(*v),
            Stored::U64(v) => Value::U64(*v),
            Stored::F64(v) => Value::F64(*v),
            Stored::Bool(v) => Value::Bool(*v),
        }
    }
}

/// `s` cut to at most `max` bytes, at a character boundary.
fn truncated(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Bytes of text [`FormattedText`] keeps on the stack.
const STACK_TEXT: usize = 128;

/// A value's text, formatted ahead of time: on the stack up to
/// [`STACK_TEXT`] bytes, on the heap beyond. The tracer formats a value
/// before it claims the span's slot, so that the value's own code may
/// record on that very span while it is formatted.
pub(crate) struct FormattedText {
    len: usize,
    bytes: [u8; STACK_TEXT],
    heap: Option<String>,
}

impl FormattedText {
    /// The text of `value`, or [`PANICKED_WHILE_FORMATTING`] if formatting
    /// it panicked (counted in [`format_panics`]).
    pub(crate) fn of(value: &Value<'_>) -> FormattedText {
        let mut text = FormattedText {
            len: 0,
            bytes: [0; STACK_TEXT],
            heap: None,
        };
        // A `Display` that fails ends the text early, as elsewhere.
        if caught(|| write!(text, "{value}")).is_none() {
            text.len = 0;
            text.heap = None;
            let _ = text.write_str(PANICKED_WHILE_FORMATTING);
        }
        text
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.heap {
            Some(s) => s,
            None => self
                .bytes
                .get(..self.len)
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
        }
    }
}

impl fmt::Write for FormattedText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Some(heap) = &mut self.heap {
            heap.push_str(s);
            return Ok(());
        }
        let end = self.len + s.len();
        match self.bytes.get_mut(self.len..end) {
            Some(room) => {
                room.copy_from_slice(s.as_bytes());
                self.len = end;
            }
            None => {
                let mut heap = String::with_capacity(end.max(2 * STACK_TEXT));
                heap.push_str(self.as_str());
                heap.push_str(s);
                self.heap = Some(heap);
            }
        }
        Ok(())
    }
}

/// A writer into an entry's inline buffer; fails when the text does not fit.
struct InlineText<'a> {
    len: usize,
    bytes: &'a mut [u8; INLINE_TEXT],
}

impl fmt::Write for InlineText<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Text offsets fit in `u32`: attribute text beyond 4 GiB is not a real case,
/// and limits cut values long before.
fn offset(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fmt::Debug for Attributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_strings_of_every_length_are_copied_whole() {
        let text = "abcdefghijklmnopqrstuvwxyz";
        for n in 0..=INLINE_TEXT {
            let mut a = Attributes::new();
            a.push(&Field::new_static("k", Value::Str(&text[..n])));
            let got = a.get("k").and_then(|v| v.as_str().map(str::to_owned));
            assert_eq!(got.as_deref(), Some(&text[..n]), "length {n}");
        }
    }

    #[test]
    fn keeps_types_and_shadows() {
        let name = String::from("ada");
        let mut a = Attributes::from_fields(&[
            Field::new_static("user", Value::Str(&name)),
            Field::new_static("n", Value::I64(-3)),
            Field::new("dyn.key", Value::from_display(&1.5)),
        ]);
        a.push(&Field::new_static("n", Value::U64(7)));
        assert_eq!(a.len(), 4);
        assert_eq!(a.get("user").and_then(|v| v.as_str()), Some("ada"));
        assert!(matches!(a.get("n"), Some(Value::U64(7))));
        assert_eq!(a.get("dyn.key").and_then(|v| v.as_str()), Some("1.5"));
    }

    #[test]
    fn short_values_stay_inline_and_long_ones_go_to_the_text() {
        let long = "x".repeat(INLINE_TEXT + 1);
        let a = Attributes::from_fields(&[
            Field::new_static("short", Value::Str("héllo")),
            Field::new_static("exact", Value::Str(&long[..INLINE_TEXT])),
            Field::new_static("long", Value::Str(&long)),
            Field::new_static("shown", Value::from_display(&12.5)),
        ]);
        assert!(
            a.text.len() == long.len(),
            "only the long value is in the text"
        );
        assert_eq!(a.get("short").and_then(|v| v.as_str()), Some("héllo"));
        assert_eq!(
            a.get("exact").and_then(|v| v.as_str()).map(str::len),
            Some(INLINE_TEXT)
        );
        assert_eq!(a.get("long").and_then(|v| v.as_str()), Some(long.as_str()));
        assert_eq!(a.get("shown").and_then(|v| v.as_str()), Some("12.5"));
    }

    /// Writes `self.0` bytes, then panics.
    struct PanicsAfter(usize);

    impl fmt::Display for PanicsAfter {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&"x".repeat(self.0))?;
            panic!("formatting PanicsAfter");
        }
    }

    #[test]
    fn a_value_that_panics_is_stored_as_the_placeholder() {
        let before = format_panics();
        let (short, long) = (PanicsAfter(3), PanicsAfter(INLINE_TEXT + 5));
        let mut a = Attributes::new();
        a.push(&Field::new_static("short", Value::from_display(&short)));
        a.push(&Field::new_static("long", Value::from_display(&long)));
        a.push_limited(
            &Field::new_static("cut", Value::from_display(&short)),
            Some(4),
        );
        a.push(&Field::new_static("after", Value::from_display(&7)));
        let text = |k| a.get(k).and_then(|v| v.as_str());
        assert_eq!(text("short"), Some(PANICKED_WHILE_FORMATTING));
        assert_eq!(text("long"), Some(PANICKED_WHILE_FORMATTING));
        assert_eq!(text("cut"), Some("<pan"));
        assert_eq!(text("after"), Some("7"));
        assert!(format_panics() >= before + 3);
    }

    #[test]
    fn formatted_text_spills_to_the_heap() {
        let long = "é".repeat(STACK_TEXT);
        for s in ["short", long.as_str()] {
            assert_eq!(FormattedText::of(&Value::from_display(&s)).as_str(), s);
        }
        let panics = PanicsAfter(STACK_TEXT + 1);
        assert_eq!(
            FormattedText::of(&Value::from_display(&panics)).as_str(),
            PANICKED_WHILE_FORMATTING
        );
    }

    #[test]
    fn truncates_at_char_boundaries() {
        let mut a = Attributes::new();
        a.push_limited(&Field::new_static("s", Value::Str("héllo")), Some(2));
        assert_eq!(a.get("s").and_then(|v| v.as_str()), Some("h"));
    }
}
