//! [`Format`] and [`ColorChoice`]: how lines look.

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
    /// The values [`Format::parse`] accepts, for error messages.
    pub(crate) const ACCEPTED: &'static str = "`json` or `pretty`";

    /// Parses `json` or `pretty` (any case, surrounding blanks ignored).
    pub(crate) fn parse(value: &str) -> Option<Format> {
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
    /// value of `NO_COLOR`.
    pub(crate) fn resolve(self, is_terminal: bool, no_color: Option<&str>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(str::is_empty),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_formats_in_any_case() {
        assert_eq!(Format::parse("json"), Some(Format::Json));
        assert_eq!(Format::parse(" JSON "), Some(Format::Json));
        assert_eq!(Format::parse("Pretty"), Some(Format::Pretty));
        assert_eq!(Format::parse("xml"), None);
        assert_eq!(Format::parse(""), None);
    }

    #[test]
    fn auto_colours_terminals_unless_no_color_is_set() {
        assert!(ColorChoice::Auto.resolve(true, None));
        assert!(ColorChoice::Auto.resolve(true, Some("")));
        assert!(!ColorChoice::Auto.resolve(true, Some("1")));
        assert!(!ColorChoice::Auto.resolve(false, None));
        assert!(ColorChoice::Always.resolve(false, Some("1")));
        assert!(!ColorChoice::Never.resolve(true, None));
    }
}
