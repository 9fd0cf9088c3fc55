//! Header lists: `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,key2=value2`,
//! values percent-decoded) and headers set in code.

use hyper::header::{HeaderName, HeaderValue};
use omniscope::propagation::percent_decode;

/// A validated header.
pub(crate) type Header = (HeaderName, HeaderValue);

/// Parses `key1=value1,key2=value2`: blanks around keys and values are
/// ignored, values are percent-decoded, empty members are skipped. A `%`
/// not followed by two hex digits, or an escape that is not UTF-8, is an
/// error, as in `OTEL_RESOURCE_ATTRIBUTES` (the same decoder): decoded
/// lossily, a mistyped credential would be sent as something else.
///
/// # Errors
/// What is wrong with the first bad member, for the caller to prefix with
/// where the list came from.
pub(crate) fn parse_list(list: &str) -> Result<Vec<Header>, String> {
    let mut headers = Vec::new();
    for (position, member) in list.split(',').filter(|m| !m.trim().is_empty()).enumerate() {
        let Some((key, value)) = member.split_once('=') else {
            // Its text is withheld: `Authorization: Bearer …` with `:` for
            // `=` is a credential.
            return Err(format!(
                "member {} has no `=` (its text is withheld, it may hold a credential): write key=value",
                position + 1
            ));
        };
        let key = key.trim();
        let value = percent_decode(value.trim()).ok_or_else(|| {
            format!(
                "the value of header {key} has an invalid percent-encoding (use %XX with two hex digits, UTF-8)"
            )
        })?;
        headers.push(header(key, &value)?);
    }
    Ok(headers)
}

/// A header from a name and value.
///
/// # Errors
/// A name or value HTTP does not allow.
pub(crate) fn header(name: &str, value: &str) -> Result<Header, String> {
    let name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("{name:?} is not a valid HTTP header name"))?;
    let value = HeaderValue::from_str(value)
        .map_err(|_| format!("the value of header {name} is not a valid HTTP header value"))?;
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_without_equals_sign_is_not_quoted() {
        let error = parse_list("x-tenant=a,Authorization: Bearer s3cret").unwrap_err();
        assert!(!error.contains("s3cret"), "{error}");
        assert!(error.starts_with("member 2 has no `=`"), "{error}");
    }

    #[test]
    fn parses_and_decodes() {
        let h = parse_list(" api-key = secret%3D1 ,, x-tenant=a%20b,x-pct=100%25").unwrap();
        let pairs: Vec<_> = h
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("api-key", "secret=1"),
                ("x-tenant", "a b"),
                ("x-pct", "100%")
            ]
        );
    }

    #[test]
    fn rejects_malformed_members() {
        assert!(parse_list("novalue").unwrap_err().contains("has no `=`"));
        assert!(parse_list("bad key=1")
            .unwrap_err()
            .contains("not a valid HTTP header name"));
        assert!(parse_list("=1").is_err());
        assert!(parse_list("k=a%0Ab")
            .unwrap_err()
            .contains("not a valid HTTP header value"));
        for bad in ["k=100%", "k=%zz", "k=%FF"] {
            assert!(
                parse_list(bad)
                    .unwrap_err()
                    .starts_with("the value of header k has an invalid percent-encoding"),
                "{bad}"
            );
        }
    }
}
