//! Redaction of secret-bearing fields, shared by logs and errors.
//!
//! A field is redacted when its name matches a configured name, comparing
//! case-insensitively (ASCII) and ignoring the separators `_`, `-`, `.` and
//! space, so `card_number`, `cardNumber`, `card.number`, `Card-Number` and
//! `CARD NUMBER` all match `card number`. A dotted key is also redacted when
//! its last segment matches (`user.password`, `http.request.header.authorization`).
//!
//! Matching allocates nothing: a name is normalized on the fly into a hash,
//! looked up among the configured names' hashes, and confirmed byte by byte.

use std::fmt;

use omniscope::{Field, Value};

use crate::attributes::Attributes;

/// What a redacted field's value becomes.
pub const REDACTED: &str = "[REDACTED]";

/// The field names redacted unless configured otherwise (see
/// [`LoggerBuilder::with_redacted_fields`](super::LoggerBuilder::with_redacted_fields)).
pub const DEFAULT_REDACTED_FIELDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "client_secret",
    "token",
    "access_token",
    "refresh_token",
    "id_token",
    "auth_token",
    "session_token",
    "authorization",
    "proxy_authorization",
    "api_key",
    "x_api_key",
    "cookie",
    "set_cookie",
    "card_number",
    "credit_card",
    "cvv",
    "cvc",
    "private_key",
];

/// A set of field names to redact, normalized once.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Redactor {
    /// `(hash, normalized name)`, sorted by hash.
    names: Vec<(u64, Box<[u8]>)>,
    /// The shortest normalized name: a shorter key cannot match.
    min_len: usize,
}

impl Default for Redactor {
    fn default() -> Redactor {
        Redactor::new(DEFAULT_REDACTED_FIELDS.iter().copied())
    }
}

impl Redactor {
    /// A redactor of `names` (names that normalize to nothing are ignored).
    pub(crate) fn new<I, S>(names: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut r = Redactor {
            names: Vec::new(),
            min_len: usize::MAX,
        };
        r.extend(names);
        r
    }

    /// Adds `names` to the set.
    pub(crate) fn extend<I, S>(&mut self, names: I)
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for name in names {
            let normalized: Box<[u8]> = normalized(name.as_ref()).collect();
            if normalized.is_empty() {
                continue;
            }
            let hash = hash(normalized.iter().copied());
            if !self.names.iter().any(|(_, n)| *n == normalized) {
                self.min_len = self.min_len.min(normalized.len());
                self.names.push((hash, normalized));
            }
        }
        self.names.sort_by_key(|(h, _)| *h);
    }

    /// Whether nothing is redacted.
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether a field named `key` is redacted.
    pub(crate) fn is_redacted(&self, key: &str) -> bool {
        if self.is_empty() || key.len() < self.min_len {
            return false;
        }
        if self.matches(key) {
            return true;
        }
        match key.rsplit_once('.') {
            Some((_, last)) => self.matches(last),
            None => false,
        }
    }

    fn matches(&self, name: &str) -> bool {
        if name.len() < self.min_len {
            return false;
        }
        let h = hash(normalized(name));
        let start = self.names.partition_point(|(x, _)| *x < h);
        self.names[start..]
            .iter()
            .take_while(|(x, _)| *x == h)
            .any(|(_, n)| normalized(name).eq(n.iter().copied()))
    }

    /// Appends `fields` to `out`, redacting values of matching names, keeping
    /// at most `max_fields` fields and cutting string values to
    /// `max_value_len` bytes. Returns how many fields were dropped.
    pub(crate) fn push_fields(
        &self,
        out: &mut Attributes,
        fields: &[Field<'_>],
        max_fields: usize,
        max_value_len: Option<usize>,
    ) -> usize {
        let kept = fields.len().min(max_fields);
        for field in &fields[..kept] {
            if self.is_redacted(field.key()) {
                out.push(&redacted(field));
            } else {
                out.push_limited(field, max_value_len);
            }
        }
        fields.len() - kept
    }
}

impl fmt::Debug for Redactor {
    /// The normalized names (`cardnumber` for `card_number`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(self.names.iter().map(|(_, n)| String::from_utf8_lossy(n)))
            .finish()
    }
}

/// `field` with its value replaced by [`REDACTED`], keeping a `'static` key
/// without copying it.
fn redacted<'a>(field: &Field<'a>) -> Field<'a> {
    match field.static_key() {
        Some(key) => Field::new_static(key, Value::Str(REDACTED)),
        None => Field::new(field.key(), Value::Str(REDACTED)),
    }
}

/// The bytes of `name`, ASCII-lowercased, without separators.
fn normalized(name: &str) -> impl Iterator<Item = u8> + '_ {
    name.bytes()
        .filter(|b| !matches!(b, b'_' | b'-' | b'.' | b' '))
        .map(|b| b.to_ascii_lowercase())
}

/// FNV-1a over normalized bytes.
fn hash(bytes: impl Iterator<Item = u8>) -> u64 {
    bytes.fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_separators_and_case() {
        let r = Redactor::new(["card number"]);
        for key in [
            "card_number",
            "cardNumber",
            "card.number",
            "Card-Number",
            "CARDNUMBER",
            "payment.card_number",
        ] {
            assert!(r.is_redacted(key), "{key}");
        }
        assert!(!r.is_redacted("card"));
        assert!(!r.is_redacted("card_numbers"));
        assert!(!r.is_redacted("card_number.kind"));
    }

    #[test]
    fn default_list_and_dotted_keys() {
        let r = Redactor::default();
        for key in [
            "password",
            "user.password",
            "Authorization",
            "http.request.header.authorization",
            "apiKey",
            "X-Api-Key",
            "set-cookie",
        ] {
            assert!(r.is_redacted(key), "{key}");
        }
        for key in ["user", "order.id", "password_hint_shown", ""] {
            assert!(!r.is_redacted(key), "{key}");
        }
    }

    #[test]
    fn empty_set_redacts_nothing() {
        let r = Redactor::new(Vec::<String>::new());
        assert!(r.is_empty());
        assert!(!r.is_redacted("password"));
        let r = Redactor::new(["", "_-."]);
        assert!(r.is_empty());
    }

    #[test]
    fn pushes_redacted_and_limited_fields() {
        let r = Redactor::default();
        let secret = String::from("hunter2");
        let mut out = Attributes::new();
        let dropped = r.push_fields(
            &mut out,
            &[
                Field::new_static("user", Value::Str("ada")),
                Field::new("db.Password", Value::Str(&secret)),
                Field::new_static("note", Value::Str("abcdef")),
                Field::new_static("extra", Value::I64(1)),
            ],
            3,
            Some(3),
        );
        assert_eq!(dropped, 1);
        assert_eq!(out.get("user").and_then(|v| v.as_str()), Some("ada"));
        assert_eq!(
            out.get("db.Password").and_then(|v| v.as_str()),
            Some(REDACTED)
        );
        assert_eq!(out.get("note").and_then(|v| v.as_str()), Some("abc"));
        assert!(out.get("extra").is_none());
    }
}
