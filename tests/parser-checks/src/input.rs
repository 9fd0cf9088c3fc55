//! How the checks read their bytes: text, records, carriers and
//! environments, and the inverse for property tests that build inputs.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

/// `data` as text, invalid UTF-8 replaced by U+FFFD: the parsers take
/// `&str`, so a byte string that is not UTF-8 never reaches them.
pub fn text(data: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The records of `data`: the parts between NUL bytes, as [`text`].
pub fn records(data: &[u8]) -> impl Iterator<Item = Cow<'_, str>> {
    data.split(|b| *b == 0).map(text)
}

/// `records` joined with NUL bytes: the input whose [`records`] they are
/// (for records without NUL bytes).
pub fn join<S: AsRef<str>>(records: &[S]) -> Vec<u8> {
    let parts: Vec<&[u8]> = records.iter().map(|r| r.as_ref().as_bytes()).collect();
    parts.join(&0)
}

/// A carrier (header map) of `name:value` records; a record without `:`
/// is a name with an empty value, and a later record replaces an earlier
/// one of the same name.
pub fn carrier(data: &[u8]) -> HashMap<String, String> {
    records(data)
        .filter(|r| !r.is_empty())
        .map(|record| match record.split_once(':') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (record.into_owned(), String::new()),
        })
        .collect()
}

/// Environment variables from `data`: in each record, the first byte `b`
/// (never NUL, the separator) picks `names[(b - 1) % names.len()]` and the
/// rest is its value; a later record replaces an earlier one for the same
/// variable.
///
/// # Panics
/// If `names` is empty.
pub fn env(data: &[u8], names: &[&'static str]) -> BTreeMap<&'static str, String> {
    assert!(!names.is_empty(), "no variable names to choose from");
    data.split(|b| *b == 0)
        .filter_map(|record| {
            let (&pick, value) = record.split_first()?;
            let name = names[usize::from(pick.saturating_sub(1)) % names.len()];
            Some((name, text(value).into_owned()))
        })
        .collect()
}

/// The input whose [`env`](fn@env) over `names` is `vars` (each name must be one
/// of `names`; values without NUL bytes).
///
/// # Panics
/// If a variable is not in `names`, or there are more than 255 names.
pub fn join_env(vars: &[(&str, &str)], names: &[&'static str]) -> Vec<u8> {
    let records: Vec<Vec<u8>> = vars
        .iter()
        .map(|(name, value)| {
            let index = names.iter().position(|n| n == name);
            let index = index.unwrap_or_else(|| panic!("{name} is not among {names:?}"));
            let mut record = vec![u8::try_from(index + 1).expect("at most 255 names")];
            record.extend_from_slice(value.as_bytes());
            record
        })
        .collect();
    records.join(&0)
}

/// Whether `value` is set: OpenTelemetry (and every omniscope reader)
/// treats an empty or blank value as unset.
pub fn is_set(value: &str) -> bool {
    !value.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_carriers_and_envs_read_back_what_was_joined() {
        assert_eq!(
            records(&join(&["a", "", "b"])).collect::<Vec<_>>(),
            ["a", "", "b"]
        );
        let carrier = carrier(&join(&["traceparent:00-x", "baggage", "a:b:c"]));
        assert_eq!(carrier["traceparent"], "00-x");
        assert_eq!(carrier["baggage"], "");
        assert_eq!(carrier["a"], "b:c");
        let names = ["A", "B"];
        let env = env(
            &join_env(&[("B", "1"), ("A", "2"), ("B", "3")], &names),
            &names,
        );
        assert_eq!(
            env.into_iter().collect::<Vec<_>>(),
            [("A", "2".to_owned()), ("B", "3".to_owned())]
        );
    }
}
