//! Query strings: `application/x-www-form-urlencoded` pairs, and the
//! parameter types the API takes (limits, levels, trace ids, durations).

use std::borrow::Cow;
use std::time::Duration;

use omniscope::propagation::percent_decode_lossy;
use omniscope::{Level, TraceId};

/// The decoded `name=value` pairs of a query string.
#[derive(Debug, Default)]
pub(crate) struct Query {
    pairs: Vec<(String, String)>,
}

/// A parameter that could not be read: the message says which and why.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadParam(pub(crate) String);

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (decode(k).into_owned(), decode(v).into_owned())
            })
            .collect();
        Query { pairs }
    }

    /// The first value of `name`; an empty value counts as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// `limit`: a whole number, `default` when absent, at most `max`.
    pub(crate) fn limit(&self, default: usize, max: usize) -> Result<usize, BadParam> {
        match self.get("limit") {
            None => Ok(default.min(max)),
            Some(v) => v
                .parse::<usize>()
                .map(|n| n.min(max))
                .map_err(|_| BadParam(format!("bad `limit` parameter {v:?}: give a whole number"))),
        }
    }

    /// A flag: `1`, `true`, `yes` or `on` (`false` when absent).
    pub(crate) fn flag(&self, name: &str) -> Result<bool, BadParam> {
        match self.get(name) {
            None | Some("0" | "false" | "no" | "off") => Ok(false),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some(v) => Err(BadParam(format!(
                "bad `{name}` parameter {v:?}: give 1 or 0 (true or false)"
            ))),
        }
    }

    /// A number of milliseconds, at least 0.
    pub(crate) fn millis(&self, name: &str) -> Result<Option<f64>, BadParam> {
        self.get(name)
            .map(|v| match v.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
                _ => Err(BadParam(format!(
                    "bad `{name}` parameter {v:?}: give a number of milliseconds, such as 250 or 1.5"
                ))),
            })
            .transpose()
    }

    /// `level`: records at least this severe (`error` … `trace`).
    pub(crate) fn level(&self) -> Result<Option<Level>, BadParam> {
        self.get("level")
            .map(|v| {
                v.parse::<Level>().map_err(|_| {
                    BadParam(format!(
                        "bad `level` parameter {v:?}: use error, warn, info, debug or trace"
                    ))
                })
            })
            .transpose()
    }

    /// `trace`: a trace id, 32 hex digits.
    pub(crate) fn trace(&self) -> Result<Option<TraceId>, BadParam> {
        self.get("trace").map(trace_id).transpose()
    }

    /// `timeout`: a duration (`30s`, `500ms`, `2m`, or seconds), at most `max`.
    pub(crate) fn timeout(&self, default: Duration, max: Duration) -> Result<Duration, BadParam> {
        match self.get("timeout") {
            None => Ok(default),
            Some(v) => match duration(v) {
                Some(d) if d <= max => Ok(d),
                Some(_) => Err(BadParam(format!(
                    "bad `timeout` parameter {v:?}: the longest wait is {}s",
                    max.as_secs()
                ))),
                None => Err(BadParam(format!(
                    "bad `timeout` parameter {v:?}: give a duration such as 30s, 500ms or 2m"
                ))),
            },
        }
    }
}

/// A trace id from its hex form, with a message naming `what` on failure.
pub(crate) fn trace_id(v: &str) -> Result<TraceId, BadParam> {
    match TraceId::from_hex(v) {
        Ok(id) if id.is_valid() => Ok(id),
        _ => Err(BadParam(format!(
            "bad trace id {v:?}: a trace id is 32 lower-case hex digits, not all zero"
        ))),
    }
}

/// `30s`, `1.5s`, `500ms`, `2m`, or a plain number of seconds.
fn duration(v: &str) -> Option<Duration> {
    let (number, scale) = if let Some(n) = v.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('m') {
        (n, 60.0)
    } else {
        (v, 1.0)
    };
    let secs = number.trim().parse::<f64>().ok()? * scale;
    Duration::try_from_secs_f64(secs).ok()
}

/// Percent-decoding, with `+` as a space (before decoding, so that `%2B`
/// stays a `+`), by the facade's decoder: malformed escapes stay as they
/// are, and invalid UTF-8 is replaced.
fn decode(s: &str) -> Cow<'_, str> {
    if !s.contains('+') {
        return percent_decode_lossy(s);
    }
    Cow::Owned(percent_decode_lossy(&s.replace('+', " ")).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_pairs() {
        let q = Query::parse(Some("name=%5EGET+%2Forders&empty=&flag&x=a%2"));
        assert_eq!(q.get("name"), Some("^GET /orders"));
        assert_eq!(q.get("empty"), None);
        assert_eq!(q.get("flag"), None);
        assert_eq!(q.get("x"), Some("a%2"));
        assert_eq!(decode("%C3%A9%ZZ"), "é%ZZ");
    }

    /// Issue #11: a sign is not a hex digit: `%+1` is `%`, a space and `1`
    /// (it was decoded to U+0001), and `%-1` stays as it is.
    #[test]
    fn signs_are_not_hex_digits() {
        assert_eq!(decode("%+1%-1"), "% 1%-1");
        assert_eq!(decode("a+b%2B%2b"), "a b++");
    }

    #[test]
    fn reads_typed_parameters() {
        let q = Query::parse(Some("limit=5&level=WARN&timeout=250ms"));
        assert_eq!(q.limit(100, 1000), Ok(5));
        assert_eq!(q.level(), Ok(Some(Level::Warn)));
        let max = Duration::from_secs(600);
        assert_eq!(
            q.timeout(Duration::from_secs(30), max),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(duration("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(duration("-1s"), None);
        assert_eq!(Query::parse(Some("limit=5000")).limit(100, 1000), Ok(1000));
        let q = Query::parse(Some("errors=1&min_ms=2.5&off=0"));
        assert_eq!(q.flag("errors"), Ok(true));
        assert_eq!(q.flag("off"), Ok(false));
        assert_eq!(q.flag("absent"), Ok(false));
        assert_eq!(q.millis("min_ms"), Ok(Some(2.5)));
        assert!(Query::parse(Some("min_ms=-1")).millis("min_ms").is_err());
        assert!(Query::parse(Some("errors=maybe")).flag("errors").is_err());
    }

    #[test]
    fn bad_parameters_say_what_to_do() {
        let q = Query::parse(Some("limit=ten&level=loud&trace=xyz&timeout=forever"));
        assert!(q.limit(1, 2).unwrap_err().0.contains("whole number"));
        assert!(q.level().unwrap_err().0.contains("use error, warn"));
        assert!(q
            .trace()
            .unwrap_err()
            .0
            .contains("32 lower-case hex digits"));
        let max = Duration::from_secs(600);
        let err = q.timeout(Duration::ZERO, max).unwrap_err().0;
        assert!(err.contains("such as 30s"), "{err}");
        let long = Query::parse(Some("timeout=1h")).timeout(Duration::ZERO, max);
        assert!(long.is_err());
    }
}
