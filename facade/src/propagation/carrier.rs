//! The [`Carrier`] trait: the string map propagators read and write.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasher;

/// A string map that carries propagation fields: HTTP headers, message
/// metadata, a plain `HashMap`.
///
/// Keys are matched case-insensitively (ASCII), as HTTP header names are:
/// an implementation's `get` should find `traceparent` under `Traceparent`
/// too. Propagators always pass lower-case keys.
///
/// Implemented for `HashMap<String, String>` and `BTreeMap<String, String>`;
/// adapters implement it for their frameworks' header maps.
pub trait Carrier {
    /// The value under `key`, matched case-insensitively.
    fn get(&self, key: &str) -> Option<&str>;

    /// Sets `key` to `value`, replacing any value under the same key in any
    /// letter case.
    fn set(&mut self, key: &str, value: String);

    /// All keys present.
    fn keys(&self) -> Vec<&str>;
}

/// Tries the exact key first (the common case), then a case-insensitive scan.
impl<S: BuildHasher> Carrier for HashMap<String, String, S> {
    fn get(&self, key: &str) -> Option<&str> {
        HashMap::get(self, key)
            .or_else(|| {
                self.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
    }

    /// Stores the key in lower case, after removing other spellings of it.
    fn set(&mut self, key: &str, value: String) {
        let key = key.to_ascii_lowercase();
        self.retain(|k, _| !k.eq_ignore_ascii_case(&key));
        self.insert(key, value);
    }

    fn keys(&self) -> Vec<&str> {
        HashMap::keys(self).map(String::as_str).collect()
    }
}

/// Tries the exact key first (the common case), then a case-insensitive scan.
impl Carrier for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<&str> {
        BTreeMap::get(self, key)
            .or_else(|| {
                self.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(key))
                    .map(|(_, v)| v)
            })
            .map(String::as_str)
    }

    /// Stores the key in lower case, after removing other spellings of it.
    fn set(&mut self, key: &str, value: String) {
        let key = key.to_ascii_lowercase();
        self.retain(|k, _| !k.eq_ignore_ascii_case(&key));
        self.insert(key, value);
    }

    fn keys(&self) -> Vec<&str> {
        BTreeMap::keys(self).map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(carrier: &mut dyn Carrier) {
        carrier.set("TraceParent", "a".to_owned());
        assert_eq!(carrier.get("traceparent"), Some("a"));
        assert_eq!(carrier.get("TRACEPARENT"), Some("a"));
        carrier.set("traceparent", "b".to_owned());
        assert_eq!(carrier.keys(), ["traceparent"]);
        assert_eq!(carrier.get("Traceparent"), Some("b"));
        assert_eq!(carrier.get("baggage"), None);
    }

    #[test]
    fn maps_match_keys_case_insensitively() {
        exercise(&mut HashMap::new());
        exercise(&mut BTreeMap::new());
        let mut m = HashMap::new();
        m.insert("Baggage".to_owned(), "x".to_owned());
        assert_eq!(Carrier::get(&m, "baggage"), Some("x"));
    }
}
