//! [`LogFilter`]: per-target level filters from `RUST_LOG`-style directives.

use std::fmt;
use std::str::FromStr;

use omniscope::{Level, LevelFilter, Metadata};

use crate::build::BuildError;

/// Level filters per target, parsed from `RUST_LOG`-style directives such as
/// `info,orders::db=debug,hyper=off`.
///
/// Each comma-separated directive is `level` (the default for targets no
/// other directive names), `target=level`, or `target` alone (meaning
/// `target=trace`). A target matches itself and the targets below it on `::`
/// boundaries (`orders::db` matches `orders::db::pool` but not
/// `orders::dbx`); the longest matching target wins, and a later directive
/// for the same target replaces an earlier one — as in `env_logger` and
/// `tracing-subscriber`'s `EnvFilter` for plain targets. Without a default
/// directive, targets no directive names are off; an empty string keeps
/// errors only. Level names are case-insensitive (`off`, `error`,
/// `warn`/`warning`, `info`, `debug`, `trace`).
///
/// Message filters (`/regex`) and span filters (`[span{field}]`) are rejected
/// with an error rather than ignored.
///
/// ```
/// use omniscope::{Level, LevelFilter};
/// use omniscope_sdk::logs::LogFilter;
///
/// let filter = LogFilter::parse("info,orders::db=debug").unwrap();
/// assert_eq!(filter.level_for("orders::db::pool"), LevelFilter::Debug);
/// assert_eq!(filter.level_for("orders::dbx"), LevelFilter::Info);
/// assert!(!filter.is_enabled(Level::Debug, "orders"));
/// assert_eq!(filter.max_level(), LevelFilter::Debug);
///
/// let err = LogFilter::parse("info,orders::db=loud").unwrap_err();
/// assert!(err.to_string().contains(r#"invalid log directive "orders::db=loud" (2nd): unknown level "loud""#));
/// ```
///
/// Two filters are equal when they hold the same default and the same level
/// for each target, whatever the order of their directives; [`Display`](fmt::Display)
/// writes directives that parse back to an equal filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogFilter {
    default: LevelFilter,
    /// Target directives, one per target, longest target first and targets
    /// of one length in reverse byte order: a canonical order, so that the
    /// derived equality compares what the filter does, not how it was
    /// written (and `Display`, walking it backwards, writes byte order).
    targets: Vec<(Box<str>, LevelFilter)>,
    max: LevelFilter,
}

impl Default for LogFilter {
    /// `info` for every target.
    fn default() -> LogFilter {
        LogFilter::from_level(LevelFilter::Info)
    }
}

impl LogFilter {
    /// One level for every target.
    pub fn from_level(level: LevelFilter) -> LogFilter {
        LogFilter {
            default: level,
            targets: Vec::new(),
            max: level,
        }
    }

    /// Parses comma-separated directives (see the type's docs).
    ///
    /// # Errors
    /// A [`BuildError`] for the component `"log filter"` naming the first bad
    /// directive and its position, e.g. `invalid log directive
    /// "orders::db=loud" (2nd): unknown level "loud"`.
    pub fn parse(directives: &str) -> Result<LogFilter, BuildError> {
        let mut default = None;
        let mut targets: Vec<(Box<str>, LevelFilter)> = Vec::new();
        let mut any = false;
        for (index, raw) in directives.split(',').enumerate() {
            let directive = raw.trim();
            if directive.is_empty() {
                continue;
            }
            any = true;
            match parse_directive(directive) {
                Ok((None, level)) => default = Some(level),
                Ok((Some(target), level)) => targets.push((target.into(), level)),
                Err(reason) => {
                    return Err(BuildError::new(
                        "log filter",
                        format!(
                            "invalid log directive \"{directive}\" ({}): {reason}",
                            Ordinal(index + 1)
                        ),
                    ))
                }
            }
        }
        let default = default.unwrap_or(if any {
            LevelFilter::Off
        } else {
            LevelFilter::Error
        });
        // A later directive for a target replaces an earlier one: reversed,
        // the stable sort puts the latest first among equal targets, and
        // `dedup_by` keeps the first (n log n, where removing the earlier
        // directive at each step was quadratic).
        targets.reverse();
        targets.sort_by(|(a, _), (b, _)| b.len().cmp(&a.len()).then_with(|| b.cmp(a)));
        targets.dedup_by(|later, kept| later.0 == kept.0);
        let max = targets
            .iter()
            .map(|(_, l)| *l)
            .fold(default, LevelFilter::max);
        Ok(LogFilter {
            default,
            targets,
            max,
        })
    }

    /// The level let through for `target`: the longest matching target
    /// directive's, else the default.
    pub fn level_for(&self, target: &str) -> LevelFilter {
        self.targets
            .iter()
            .find(|(t, _)| target_matches(t, target))
            .map_or(self.default, |(_, l)| *l)
    }

    /// Whether a record at `level` from `target` is let through.
    #[inline]
    pub fn is_enabled(&self, level: Level, target: &str) -> bool {
        if level > self.max {
            return false;
        }
        if self.targets.is_empty() {
            return level <= self.default;
        }
        level <= self.level_for(target)
    }

    /// Whether a record with this metadata is let through.
    #[inline]
    pub fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        self.is_enabled(metadata.level(), metadata.target())
    }

    /// The most verbose level any directive lets through (what
    /// [`Logger::max_level_hint`](omniscope::Logger::max_level_hint) reports).
    pub fn max_level(&self) -> LevelFilter {
        self.max
    }
}

impl FromStr for LogFilter {
    type Err = BuildError;

    fn from_str(s: &str) -> Result<LogFilter, BuildError> {
        LogFilter::parse(s)
    }
}

impl fmt::Display for LogFilter {
    /// The directives in a form [`LogFilter::parse`] accepts back, giving an
    /// equal filter: the default level, then `target=level` from the
    /// shortest target to the longest (`"b,a"` shows as
    /// `off,a=trace,b=trace`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.default.as_str().to_ascii_lowercase())?;
        for (target, level) in self.targets.iter().rev() {
            write!(f, ",{target}={}", level.as_str().to_ascii_lowercase())?;
        }
        Ok(())
    }
}

/// Whether directive target `prefix` covers `target` (on `::` boundaries).
fn target_matches(prefix: &str, target: &str) -> bool {
    match target.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with("::"),
        None => false,
    }
}

/// One trimmed, non-empty directive: `(target, level)`, no target for the default.
fn parse_directive(directive: &str) -> Result<(Option<&str>, LevelFilter), String> {
    if directive.contains('/') {
        return Err("message filters (\"/regex\") are not supported".into());
    }
    if directive.contains(['[', ']', '{', '}']) {
        return Err("span filters (\"[span{field}]\") are not supported".into());
    }
    let (target, level) = match directive.split_once('=') {
        None => match directive.parse::<LevelFilter>() {
            Ok(level) => return Ok((None, level)),
            Err(_) => (directive, None),
        },
        Some((target, level)) => (target.trim(), Some(level.trim())),
    };
    validate_target(target)?;
    let level = match level {
        None => LevelFilter::Trace,
        Some("") => return Err("missing level after \"=\"".into()),
        Some(level) if level.contains('=') => return Err("more than one \"=\"".into()),
        Some(level) => level.parse::<LevelFilter>().map_err(|_| {
            format!(
                "unknown level \"{level}\": expected one of off, error, warn, info, debug, trace"
            )
        })?,
    };
    Ok((Some(target), level))
}

fn validate_target(target: &str) -> Result<(), String> {
    if target.is_empty() {
        return Err("missing target before \"=\"".into());
    }
    if target.contains(char::is_whitespace) {
        return Err(format!("target \"{target}\" contains whitespace"));
    }
    if target.split("::").any(str::is_empty) {
        return Err(format!("target \"{target}\" has an empty \"::\" segment"));
    }
    Ok(())
}

/// `1st`, `2nd`, `3rd`, `4th`, … `11th`, `21st`.
struct Ordinal(usize);

impl fmt::Display for Ordinal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        let suffix = match (n % 10, n % 100) {
            (_, 11..=13) => "th",
            (1, _) => "st",
            (2, _) => "nd",
            (3, _) => "rd",
            _ => "th",
        };
        write!(f, "{n}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let s: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .iter()
            .map(|n| Ordinal(*n).to_string())
            .collect();
        assert_eq!(
            s,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }

    #[test]
    fn later_directive_for_a_target_wins_and_display_round_trips() {
        let f = LogFilter::parse(" warn , a=debug,a::b=error, a=trace ,").unwrap();
        assert_eq!(f.level_for("a"), LevelFilter::Trace);
        assert_eq!(f.level_for("a::b::c"), LevelFilter::Error);
        assert_eq!(f.level_for("z"), LevelFilter::Warn);
        assert_eq!(f.to_string(), "warn,a=trace,a::b=error");
        assert_eq!(LogFilter::parse(&f.to_string()).unwrap(), f);
    }

    #[test]
    fn bare_target_means_trace_and_no_default_means_off() {
        let f = LogFilter::parse("orders").unwrap();
        assert_eq!(f.level_for("orders::db"), LevelFilter::Trace);
        assert_eq!(f.level_for("hyper"), LevelFilter::Off);
        assert_eq!(
            LogFilter::parse("").unwrap().level_for("x"),
            LevelFilter::Error
        );
        assert_eq!(
            LogFilter::parse(" , ").unwrap().level_for("x"),
            LevelFilter::Error
        );
    }
}
