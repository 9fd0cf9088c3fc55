//! [`Format`] and [`ColorChoice`]: how lines look.

use std::ffi::OsStr;

/// The shape of each line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Human-readable, for development: an RFC 3339 timestamp, an aligned
    /// level column, the target, the message, fields as `key=value` and the
    /// trace id (the default).
    #[default]
    Pretty,
    /// One JSON object per line, for production and log shippers.
    Json,
}

impl Format {
    /// The names [`Format::from_name`] accepts, for error messages.
    pub const ACCEPTED: &'static str = "`json` or `pretty`";

    /// The format called `json` or `pretty` (any case, surrounding blanks
    /// ignored), as `OMNISCOPE_LOG_FORMAT` names it.
    pub fn from_name(value: &str) -> Option<Format> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if value.eq_ignore_ascii_case("pretty") {
            Some(Format::Pretty)
        } else {
            None
        }
    }
}

/// Whether [`Format::Pretty`] lines carry ANSI colours. JSON lines never do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ColorChoice {
    /// Colours only when the target is a terminal and the `NO_COLOR`
    /// environment variable is unset or empty (the default; see
    /// <https://no-color.org>).
    #[default]
    Auto,
    /// Always colour, even into a file or a pipe, whatever `NO_COLOR` says.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Whether to colour, given whether the target is a terminal and the
    /// value of `NO_COLOR` (any value but an empty one, even one that is not
    /// UTF-8, means no colour).
    pub(crate) fn resolve(self, is_terminal: bool, no_color: Option<&OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(OsStr::is_empty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_in_any_case() {
        assert_eq!(Format::from_name("json"), Some(Format::Json));
        assert_eq!(Format::from_name(" JSON "), Some(Format::Json));
        assert_eq!(Format::from_name("Pretty"), Some(Format::Pretty));
        assert_eq!(Format::from_name("xml"), None);
        assert_eq!(Format::from_name(""), None);
    }

    #[test]
    fn auto_colours_terminals_unless_no_color_is_set() {
        let set = |v: &'static str| Some(OsStr::new(v));
        assert!(ColorChoice::Auto.resolve(true, None));
        assert!(ColorChoice::Auto.resolve(true, set("")));
        assert!(!ColorChoice::Auto.resolve(true, set("1")));
        assert!(!ColorChoice::Auto.resolve(false, None));
        assert!(ColorChoice::Always.resolve(false, set("1")));
        assert!(!ColorChoice::Never.resolve(true, None));
    }

    #[cfg(unix)]
    #[test]
    fn no_color_not_in_utf8_still_means_no_colour() {
        use std::os::unix::ffi::OsStrExt;
        let value = OsStr::from_bytes(b"\xff");
        assert!(!ColorChoice::Auto.resolve(true, Some(value)));
    }
}
