//! W3C Baggage: application-defined key-value pairs that travel with the context.
//!
//! The header format is that of [W3C Baggage][spec]: a comma-separated list of
//! `key=value` members, each optionally followed by `;`-separated properties
//! (kept verbatim as the entry's *metadata*). Keys are RFC 7230 tokens; values
//! are percent-decoded when parsed and percent-encoded when serialized.
//!
//! # Limits
//!
//! A header carries at most 180 members and 8192 bytes. [`Baggage::parse`]
//! rejects a header over either limit; [`Baggage::header`] leaves out whole
//! members that do not fit (never a truncated one), so injection always
//! produces a header other services accept.
//!
//! [spec]: https://www.w3.org/TR/baggage/

use std::fmt::{self, Write as _};
use std::str::FromStr;
use std::sync::Arc;

use crate::propagation::{excerpt, percent_decode_lossy};

/// The most list-members a `baggage` header may hold; other baggage
/// formats (Jaeger's `uberctx-*` headers) keep the same limit.
pub const MAX_MEMBERS: usize = 180;
/// The most bytes a `baggage` header may hold; other baggage formats
/// (Jaeger's `uberctx-*` headers) keep the same limit.
pub const MAX_BYTES: usize = 8192;

/// An immutable, cheaply cloned set of baggage entries.
///
/// # Examples
///
/// ```
/// use omniscope::Baggage;
///
/// let baggage: Baggage = "userId=alice, serverNode=DF%2028;ttl=60".parse()?;
/// assert_eq!(baggage.get("serverNode"), Some("DF 28"));
/// assert_eq!(baggage.metadata("serverNode"), Some("ttl=60"));
///
/// let baggage = baggage.insert("isProduction", "false")?;
/// assert_eq!(baggage.header(), "userId=alice,serverNode=DF%2028;ttl=60,isProduction=false");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Baggage(Option<Arc<[Entry]>>);

/// One list-member: the decoded value and the verbatim properties.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Entry {
    key: String,
    value: String,
    metadata: Option<String>,
}

impl Baggage {
    /// Empty baggage.
    pub const fn new() -> Baggage {
        Baggage(None)
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|m| m.is_empty())
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Parses a `baggage` header value, percent-decoding the values.
    ///
    /// Spaces and tabs around members, keys, values and properties are
    /// ignored, and so are empty members. A key that appears twice keeps the
    /// last value. A `%` not followed by two hex digits is kept as is;
    /// escapes that do not decode to UTF-8 become U+FFFD (values are decoded
    /// by [`percent_decode_lossy`]).
    ///
    /// # Errors
    ///
    /// A header over 8192 bytes or 180 members, a member without `=`, a key
    /// that is not a token, a value with characters that must be
    /// percent-encoded, or a malformed property.
    pub fn parse(header: &str) -> Result<Baggage, BaggageError> {
        if header.len() > MAX_BYTES {
            return Err(BaggageError::new(
                ErrorKind::TooLong(header.len()),
                None,
                "",
            ));
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut count = 0;
        for (index, raw) in header.split(',').enumerate() {
            let member = trim_ows(raw);
            if member.is_empty() {
                continue;
            }
            count += 1;
            if count > MAX_MEMBERS {
                return Err(BaggageError::new(ErrorKind::TooManyMembers, None, ""));
            }
            upsert(&mut entries, parse_member(member, index + 1)?);
        }
        Ok(Baggage::from_vec(entries))
    }

    /// The `baggage` header value: members joined by `,`, values
    /// percent-encoded, metadata after `;`.
    ///
    /// Members that would take the header past 180 members or 8192 bytes are
    /// left out whole. Empty when there are no entries.
    pub fn header(&self) -> String {
        let mut out = String::new();
        let mut count = 0;
        for entry in self.entries() {
            let member = entry.encode();
            let len = out.len() + usize::from(!out.is_empty()) + member.len();
            if count == MAX_MEMBERS || len > MAX_BYTES {
                continue;
            }
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(&member);
            count += 1;
        }
        out
    }

    /// The (decoded) value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entry(key).map(|e| e.value.as_str())
    }

    /// The metadata (properties, verbatim) of `key`, if present and set.
    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.entry(key).and_then(|e| e.metadata.as_deref())
    }

    /// Baggage with `key` set to `value` (any text: it is percent-encoded in
    /// the header) and no metadata. An existing key keeps its position.
    ///
    /// # Errors
    ///
    /// A key that is not an RFC 7230 token.
    pub fn insert(&self, key: &str, value: &str) -> Result<Baggage, BaggageError> {
        self.insert_with_metadata(key, value, "")
    }

    /// Baggage with `key` set to `value` and `metadata`: `;`-separated
    /// properties, each `key` or `key=value` (empty for none).
    ///
    /// # Errors
    ///
    /// A key that is not an RFC 7230 token, or malformed metadata.
    pub fn insert_with_metadata(
        &self,
        key: &str,
        value: &str,
        metadata: &str,
    ) -> Result<Baggage, BaggageError> {
        if !is_token(key) {
            return Err(BaggageError::new(ErrorKind::InvalidKey, None, key));
        }
        let metadata = trim_ows(metadata);
        let metadata = if metadata.is_empty() {
            None
        } else {
            Some(check_metadata(metadata, None)?.to_owned())
        };
        let mut entries = self.entries().to_vec();
        upsert(
            &mut entries,
            Entry {
                key: key.to_owned(),
                value: value.to_owned(),
                metadata,
            },
        );
        Ok(Baggage::from_vec(entries))
    }

    /// Baggage without `key` (a clone of this one if it is absent).
    #[must_use]
    pub fn remove(&self, key: &str) -> Baggage {
        if self.entry(key).is_none() {
            return self.clone();
        }
        let kept = self.entries().iter().filter(|e| e.key != key);
        Baggage::from_vec(kept.cloned().collect())
    }

    /// The entries as `(key, value)`, in header order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.entries()
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str()))
    }

    fn entries(&self) -> &[Entry] {
        self.0.as_deref().unwrap_or(&[])
    }

    fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key == key)
    }

    /// Keeps empty baggage as `None`, so that derived equality holds.
    fn from_vec(entries: Vec<Entry>) -> Baggage {
        if entries.is_empty() {
            Baggage(None)
        } else {
            Baggage(Some(entries.into()))
        }
    }
}

impl FromStr for Baggage {
    type Err = BaggageError;

    fn from_str(s: &str) -> Result<Baggage, BaggageError> {
        Baggage::parse(s)
    }
}

impl fmt::Display for Baggage {
    /// The header value, as [`Baggage::header`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())
    }
}

impl Entry {
    fn encode(&self) -> String {
        let mut out = String::with_capacity(self.key.len() + self.value.len() + 1);
        out.push_str(&self.key);
        out.push('=');
        encode_value(&self.value, &mut out);
        if let Some(metadata) = &self.metadata {
            out.push(';');
            out.push_str(metadata);
        }
        out
    }
}

/// Replaces the entry with the same key in place, or appends.
fn upsert(entries: &mut Vec<Entry>, entry: Entry) {
    match entries.iter_mut().find(|e| e.key == entry.key) {
        Some(slot) => *slot = entry,
        None => entries.push(entry),
    }
}

fn parse_member(member: &str, at: usize) -> Result<Entry, BaggageError> {
    let (pair, metadata) = match member.split_once(';') {
        Some((pair, metadata)) => (pair, Some(check_metadata(trim_ows(metadata), Some(at))?)),
        None => (member, None),
    };
    let missing = || BaggageError::new(ErrorKind::MissingEquals, Some(at), member);
    let (key, value) = pair.split_once('=').ok_or_else(missing)?;
    let (key, value) = (trim_ows(key), trim_ows(value));
    if !is_token(key) {
        return Err(BaggageError::new(ErrorKind::InvalidKey, Some(at), key));
    }
    if !value.bytes().all(is_baggage_octet) {
        return Err(BaggageError::new(ErrorKind::InvalidValue, Some(at), value));
    }
    let metadata = metadata.map(str::to_owned);
    Ok(Entry {
        key: key.to_owned(),
        value: percent_decode_lossy(value).into_owned(),
        metadata,
    })
}

/// Checks `property *( OWS ";" OWS property )`, where a property is
/// `key OWS "=" OWS value` or `key OWS`.
fn check_metadata(metadata: &str, at: Option<usize>) -> Result<&str, BaggageError> {
    for property in metadata.split(';') {
        let property = trim_ows(property);
        let valid = match property.split_once('=') {
            Some((key, value)) => {
                is_token(trim_ows(key)) && trim_ows(value).bytes().all(is_baggage_octet)
            }
            None => is_token(property),
        };
        if !valid {
            return Err(BaggageError::new(ErrorKind::InvalidProperty, at, property));
        }
    }
    Ok(metadata)
}

fn trim_ows(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// `token` of RFC 7230: one or more `tchar`.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// `baggage-octet`: printable ASCII except space, `"`, `,`, `;` and `\`.
fn is_baggage_octet(c: u8) -> bool {
    matches!(c, 0x21 | 0x23..=0x2b | 0x2d..=0x3a | 0x3c..=0x5b | 0x5d..=0x7e)
}

/// Percent-encodes every byte that is not a baggage-octet, and always `%`
/// and `=` so that decoding is unambiguous.
fn encode_value(value: &str, out: &mut String) {
    for b in value.bytes() {
        if is_baggage_octet(b) && b != b'%' && b != b'=' {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
}

/// The error returned when a `baggage` header, key or metadata is invalid.
#[derive(Clone, PartialEq, Eq)]
pub struct BaggageError {
    kind: ErrorKind,
    member: Option<usize>,
    input: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ErrorKind {
    TooLong(usize),
    TooManyMembers,
    MissingEquals,
    InvalidKey,
    InvalidValue,
    InvalidProperty,
}

impl BaggageError {
    fn new(kind: ErrorKind, member: Option<usize>, input: &str) -> BaggageError {
        BaggageError {
            kind,
            member,
            input: excerpt(input),
        }
    }
}

impl fmt::Display for BaggageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, rule) = match self.kind {
            ErrorKind::TooLong(len) => {
                return write!(
                    f,
                    "baggage header is {len} bytes: at most {MAX_BYTES} are allowed"
                )
            }
            ErrorKind::TooManyMembers => {
                return write!(
                f,
                "baggage header has more than {MAX_MEMBERS} members: keep at most {MAX_MEMBERS}"
            )
            }
            ErrorKind::MissingEquals => ("invalid baggage member", "expected `key=value`"),
            ErrorKind::InvalidKey => (
                "invalid baggage key",
                "keys are RFC 7230 tokens: ASCII letters, digits and ``!#$%&'*+-.^_`|~``",
            ),
            ErrorKind::InvalidValue => (
                "invalid baggage value",
                "percent-encode spaces, `\"`, `,`, `;`, `\\`, control and non-ASCII characters",
            ),
            ErrorKind::InvalidProperty => (
                "invalid baggage property",
                "properties are `key` or `key=value` with a token key, separated by `;`",
            ),
        };
        write!(f, "{what} `{}`", self.input)?;
        if let Some(member) = self.member {
            write!(f, " in member {member}")?;
        }
        write!(f, ": {rule}")
    }
}

impl fmt::Debug for BaggageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BaggageError")
            .field("kind", &self.kind)
            .field("member", &self.member)
            .field("input", &self.input)
            .finish()
    }
}

impl std::error::Error for BaggageError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example() {
        let header = "key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue";
        let b = Baggage::parse(header).unwrap();
        assert_eq!(
            b.iter().collect::<Vec<_>>(),
            [("key1", "value1"), ("key2", "value2"), ("key3", "value3")]
        );
        assert_eq!(b.metadata("key1"), Some("property1;property2"));
        assert_eq!(b.metadata("key2"), None);
        assert_eq!(b.metadata("key3"), Some("propertyKey=propertyValue"));
        assert_eq!(
            b.header(),
            "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue"
        );
    }

    #[test]
    fn percent_codes_values() {
        let b = Baggage::new().insert("k", "a b,c;d=e%f\"\\é").unwrap();
        assert_eq!(b.header(), "k=a%20b%2Cc%3Bd%3De%25f%22%5C%C3%A9");
        assert_eq!(Baggage::parse(&b.header()).unwrap(), b);
        let parsed = Baggage::parse("a=%zz%4,b=%ff%41").unwrap();
        assert_eq!(parsed.get("a"), Some("%zz%4"), "a bad escape is kept");
        assert_eq!(parsed.get("b"), Some("\u{fffd}A"), "bad UTF-8 is replaced");
    }

    #[test]
    fn rejects_bad_headers() {
        let err = Baggage::parse("a=1, b c=2").unwrap_err();
        assert_eq!(
            err.to_string().split(':').next(),
            Some("invalid baggage key `b c` in member 2")
        );
        for bad in ["a", "=1", "a=b c", "a=1;", "a=1;p q", "a=1;=v", "é=1"] {
            assert!(Baggage::parse(bad).is_err(), "{bad}");
        }
        assert!(Baggage::parse(&"k=v,".repeat(181)).is_err());
        assert!(Baggage::parse(&"k=v,".repeat(180)).is_ok());
        assert!(Baggage::parse(&format!("k={}", "v".repeat(MAX_BYTES))).is_err());
        assert!(Baggage::new().insert("a b", "v").is_err());
        assert!(Baggage::new().insert_with_metadata("a", "v", "p;").is_err());
    }

    #[test]
    fn header_drops_whole_members_over_the_limits() {
        let big = "v".repeat(5000);
        let b = Baggage::new()
            .insert("a", &big)
            .unwrap()
            .insert("b", &big)
            .unwrap()
            .insert("c", "1")
            .unwrap();
        assert_eq!(b.header(), format!("a={big},c=1"));
        let many = (0..200)
            .try_fold(Baggage::new(), |b, i| b.insert(&format!("k{i}"), "v"))
            .unwrap();
        assert_eq!(Baggage::parse(&many.header()).unwrap().len(), MAX_MEMBERS);
    }

    #[test]
    fn insert_and_remove() {
        let b = Baggage::parse("a=1,b=2,a=3").unwrap();
        assert_eq!(b.header(), "a=3,b=2");
        assert_eq!(b.insert("b", "9").unwrap().header(), "a=3,b=9");
        assert_eq!(b.remove("a").remove("b"), Baggage::new());
        assert_eq!(b.remove("zz"), b);
    }
}
