//! W3C `tracestate`: vendor-specific trace data carried beside the ids.
//!
//! The grammar is that of [W3C Trace Context Level 2][spec]: a comma-separated
//! list of at most 32 `key=value` members, newest first. Empty members (only
//! spaces and tabs) are allowed and skipped. A key is
//! `( lcalpha / DIGIT ) 0*255 ( keychar )`, `keychar` being a lower-case
//! letter, a digit or one of `_-*/@`: it may start with a digit, and a
//! multi-tenant key (`tenant@system`) is just a key with `@` in it, limited
//! to 256 characters as a whole (Level 1's separate limits of 241 and 14
//! characters for the tenant and system parts are gone). A key may appear
//! once; a member that repeats a key is dropped, as Level 2 allows, so one
//! bad vendor entry does not cost the others theirs.
//!
//! [spec]: https://www.w3.org/TR/trace-context-2/#tracestate-header

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use crate::propagation::excerpt;

/// The most list-members a `tracestate` may hold.
const MAX_MEMBERS: usize = 32;
/// The longest key, and the longest value.
const MAX_KEY: usize = 256;
const MAX_VALUE: usize = 256;

/// An immutable, cheaply cloned list of `tracestate` members (newest first).
///
/// # Examples
///
/// ```
/// use omniscope::TraceState;
///
/// let state: TraceState = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".parse()?;
/// assert_eq!(state.get("congo"), Some("t61rcWkgMzE"));
///
/// // Updating a key moves it to the front, as the specification requires.
/// let state = state.insert("congo", "ucfJifl5GOE")?;
/// assert_eq!(state.header(), "congo=ucfJifl5GOE,rojo=00f067aa0ba902b7");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct TraceState(Option<Arc<[(String, String)]>>);

impl TraceState {
    /// The empty trace state.
    pub const fn new() -> TraceState {
        TraceState(None)
    }

    /// Whether there are no members.
    pub fn is_empty(&self) -> bool {
        self.0.as_ref().is_none_or(|m| m.is_empty())
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.members().len()
    }

    /// Parses a `tracestate` header value.
    ///
    /// Spaces and tabs around members and empty members are ignored, so
    /// several `tracestate` headers joined with `,` parse as one list. A
    /// member whose key an earlier member has is dropped, keeping the first
    /// (the newest) and every other member.
    ///
    /// # Errors
    ///
    /// A member without `=`, a key or value outside the W3C grammar (in any
    /// member, dropped or not), or more than 32 members.
    pub fn parse(header: &str) -> Result<TraceState, TraceStateError> {
        let mut members: Vec<(String, String)> = Vec::new();
        // Every `key=value` member counts, repeated ones too: the list may
        // hold 32 of them.
        let mut count = 0;
        for (index, raw) in header.split(',').enumerate() {
            let member = raw.trim_matches(is_ows);
            if member.is_empty() {
                continue;
            }
            if count == MAX_MEMBERS {
                return Err(TraceStateError::new(ErrorKind::TooManyMembers, None, ""));
            }
            count += 1;
            let at = Some(index + 1);
            let (key, value) = member
                .split_once('=')
                .ok_or_else(|| TraceStateError::new(ErrorKind::MissingEquals, at, member))?;
            check(key, value, at)?;
            if !members.iter().any(|(k, _)| k == key) {
                members.push((key.to_owned(), value.to_owned()));
            }
        }
        Ok(TraceState::from_vec(members))
    }

    /// The `tracestate` header value: `key=value` members joined by `,`.
    /// Empty when there are no members.
    pub fn header(&self) -> String {
        let mut out = String::new();
        for (key, value) in self.members() {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(key);
            out.push('=');
            out.push_str(value);
        }
        out
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.members()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A trace state with `key` set to `value` and moved to the front (the
    /// specification's rule for added and updated members). If that makes
    /// 33 members, the last one is dropped, as the specification requires.
    ///
    /// # Errors
    ///
    /// A key or value outside the W3C grammar.
    pub fn insert(&self, key: &str, value: &str) -> Result<TraceState, TraceStateError> {
        check(key, value, None)?;
        let mut members = Vec::with_capacity(self.len() + 1);
        members.push((key.to_owned(), value.to_owned()));
        let others = self.members().iter().filter(|(k, _)| k != key);
        members.extend(others.cloned());
        members.truncate(MAX_MEMBERS);
        Ok(TraceState::from_vec(members))
    }

    /// A trace state without `key` (a clone of this one if it is absent).
    #[must_use]
    pub fn remove(&self, key: &str) -> TraceState {
        if self.get(key).is_none() {
            return self.clone();
        }
        let kept = self.members().iter().filter(|(k, _)| k != key);
        TraceState::from_vec(kept.cloned().collect())
    }

    /// The members as `(key, value)`, newest first.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> + '_ {
        self.members().iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn members(&self) -> &[(String, String)] {
        self.0.as_deref().unwrap_or(&[])
    }

    /// Keeps the empty state as `None`, so that derived equality holds.
    fn from_vec(members: Vec<(String, String)>) -> TraceState {
        if members.is_empty() {
            TraceState(None)
        } else {
            TraceState(Some(members.into()))
        }
    }
}

impl FromStr for TraceState {
    type Err = TraceStateError;

    fn from_str(s: &str) -> Result<TraceState, TraceStateError> {
        TraceState::parse(s)
    }
}

impl fmt::Display for TraceState {
    /// The header value, as [`TraceState::header`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header())
    }
}

/// `OWS` of RFC 7230: spaces and horizontal tabs.
fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn check(key: &str, value: &str, at: Option<usize>) -> Result<(), TraceStateError> {
    if !is_valid_key(key) {
        return Err(TraceStateError::new(ErrorKind::InvalidKey, at, key));
    }
    if !is_valid_value(value) {
        return Err(TraceStateError::new(ErrorKind::InvalidValue, at, value));
    }
    Ok(())
}

/// `( lcalpha / DIGIT ) 0*255 ( keychar )`, `keychar` being
/// `lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"` (Level 2).
fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            bytes.len() <= MAX_KEY
                && (first.is_ascii_lowercase() || first.is_ascii_digit())
                && rest.iter().all(is_key_char)
        }
        None => false,
    }
}

fn is_key_char(c: &u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'*' | b'/' | b'@')
}

/// `0*255(chr) nblk-chr`: 1 to 256 printable ASCII characters other than
/// `,` and `=`, the last one not a space.
fn is_valid_value(value: &str) -> bool {
    let bytes = value.as_bytes();
    let chr = |c: &u8| matches!(c, 0x20..=0x7e) && *c != b',' && *c != b'=';
    match bytes.last() {
        Some(last) => bytes.len() <= MAX_VALUE && *last != b' ' && bytes.iter().all(chr),
        None => false,
    }
}

/// The error returned when a `tracestate` header, key or value is invalid.
#[derive(Clone, PartialEq, Eq)]
pub struct TraceStateError {
    kind: ErrorKind,
    member: Option<usize>,
    input: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum ErrorKind {
    MissingEquals,
    InvalidKey,
    InvalidValue,
    TooManyMembers,
}

impl TraceStateError {
    fn new(kind: ErrorKind, member: Option<usize>, input: &str) -> TraceStateError {
        TraceStateError {
            kind,
            member,
            input: excerpt(input),
        }
    }
}

impl fmt::Display for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (what, rule) = match self.kind {
            ErrorKind::TooManyMembers => {
                return write!(f, "tracestate has more than {MAX_MEMBERS} members: keep at most {MAX_MEMBERS}")
            }
            ErrorKind::MissingEquals => ("invalid tracestate member", "expected `key=value`"),
            ErrorKind::InvalidKey => (
                "invalid tracestate key",
                "keys are lower-case letters, digits and `_-*/@`, start with a lower-case letter or a digit \
                 and have at most 256 characters",
            ),
            ErrorKind::InvalidValue => (
                "invalid tracestate value",
                "values are 1 to 256 printable ASCII characters other than `,` and `=`, not ending in a space",
            ),
        };
        write!(f, "{what} `{}`", self.input)?;
        if let Some(member) = self.member {
            write!(f, " in member {member}")?;
        }
        write!(f, ": {rule}")
    }
}

impl fmt::Debug for TraceStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TraceStateError")
            .field("kind", &self.kind)
            .field("member", &self.member)
            .field("input", &self.input)
            .finish()
    }
}

impl std::error::Error for TraceStateError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_example_and_skips_empty_members() {
        let s = TraceState::parse(" rojo=00f067aa0ba902b7 ,\t, congo=t61rcWkgMzE,").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.header(), "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
        assert_eq!(TraceState::parse(" , ").unwrap(), TraceState::new());
    }

    #[test]
    fn keys_follow_the_grammar() {
        for good in ["a", "a_b-c*d/e9", "0tenant@sys", "1", "a@1b", "a@", "a@b@c"] {
            assert!(is_valid_key(good), "{good}");
        }
        assert!(is_valid_key(&"a".repeat(256)));
        assert!(!is_valid_key(&"a".repeat(257)));
        assert!(is_valid_key(&format!(
            "{}@{}",
            "t".repeat(200),
            "s".repeat(55)
        )));
        for bad in ["", "Foo", "@b", "_a", "a b", "a.b", "é", "a=b"] {
            assert!(!is_valid_key(bad), "{bad}");
        }
    }

    #[test]
    fn values_follow_the_grammar() {
        assert!(is_valid_value(" x"));
        assert!(is_valid_value(&"v".repeat(256)));
        for bad in ["", "x ", "a,b", "a=b", "a\tb", "é", &"v".repeat(257)] {
            assert!(!is_valid_value(bad), "{bad}");
        }
    }

    #[test]
    fn rejects_bad_headers_with_a_message_naming_the_input() {
        let err = TraceState::parse("a=1,Foo=2").unwrap_err();
        assert!(err
            .to_string()
            .starts_with("invalid tracestate key `Foo` in member 2: keys are lower-case"));
        assert_eq!(
            TraceState::parse("a=1,b=2,a=3").unwrap().header(),
            "a=1,b=2"
        );
        assert!(TraceState::parse("a").is_err());
        let many: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
        assert!(TraceState::parse(&many[..32].join(",")).is_ok());
        assert!(TraceState::parse(&many.join(",")).is_err());
    }

    #[test]
    fn insert_moves_to_front_and_caps_at_32() {
        let s = TraceState::parse("a=1,b=2,c=3").unwrap();
        assert_eq!(s.insert("b", "9").unwrap().header(), "b=9,a=1,c=3");
        assert_eq!(s.insert("d", "4").unwrap().header(), "d=4,a=1,b=2,c=3");
        assert!(s.insert("B", "1").is_err());
        assert_eq!(s.remove("a").header(), "b=2,c=3");
        assert_eq!(s.remove("zz"), s);
        let full = (0..32)
            .try_fold(TraceState::new(), |s, i| s.insert(&format!("k{i}"), "v"))
            .unwrap();
        let over = full.insert("new", "v").unwrap();
        assert_eq!(over.len(), 32);
        assert_eq!(over.get("k0"), None);
        assert_eq!(
            TraceState::new().insert("a", "1").unwrap().remove("a"),
            TraceState::new()
        );
    }
}
