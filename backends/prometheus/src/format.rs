//! [`Format`]: which exposition format to write, chosen from a scraper's
//! `Accept` header.

/// An exposition format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// The classic Prometheus text format, version 0.0.4: no exemplars, no
    /// units, `target_info` as a gauge. What every scraper understands.
    #[default]
    Text004,
    /// OpenMetrics 1.0 text: exemplars with `trace_id` and `span_id` on
    /// histogram buckets, `# UNIT` lines, `target` as an `info` metric, and
    /// the closing `# EOF`. Prometheus asks for it first.
    OpenMetrics,
}

impl Format {
    /// The `Content-Type` header for a response in this format.
    pub const fn content_type(self) -> &'static str {
        match self {
            Format::Text004 => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// The format to answer a request with this `Accept` header:
    /// OpenMetrics when it asks for `application/openmetrics-text` (version
    /// 1.0.0, 0.0.1 or none) with a quality at least that of `text/plain`,
    /// `text/*` and `*/*`; the classic format otherwise, including when
    /// there is no header or it cannot be read.
    ///
    /// ```
    /// use omniscope_prometheus::Format;
    ///
    /// // What Prometheus 2.x sends.
    /// let prometheus = "application/openmetrics-text;version=1.0.0,\
    ///     application/openmetrics-text;version=0.0.1;q=0.75,\
    ///     text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
    /// assert_eq!(Format::negotiate(Some("text/plain")), Format::Text004);
    /// assert_eq!(Format::negotiate(None), Format::Text004);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text004;
        };
        let (mut openmetrics, mut text) = (0.0f64, 0.0f64);
        for range in accept.split(',') {
            let mut params = range.split(';');
            let media = params.next().unwrap_or_default().trim();
            let (mut q, mut version) = (1.0f64, None);
            for param in params {
                let Some((key, value)) = param.split_once('=') else {
                    continue;
                };
                let value = value.trim().trim_matches('"');
                match key.trim() {
                    k if k.eq_ignore_ascii_case("q") => q = value.parse().unwrap_or(0.0),
                    k if k.eq_ignore_ascii_case("version") => version = Some(value),
                    _ => {}
                }
            }
            let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
            if media.eq_ignore_ascii_case("application/openmetrics-text")
                && matches!(version, None | Some("1.0.0" | "0.0.1"))
            {
                openmetrics = openmetrics.max(q);
            } else if ["text/plain", "text/*", "*/*"]
                .iter()
                .any(|m| media.eq_ignore_ascii_case(m))
            {
                text = text.max(q);
            }
        }
        if openmetrics > 0.0 && openmetrics >= text {
            Format::OpenMetrics
        } else {
            Format::Text004
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality() {
        let cases = [
            ("application/openmetrics-text", Format::OpenMetrics),
            (
                "Application/OpenMetrics-Text; Version=\"1.0.0\"",
                Format::OpenMetrics,
            ),
            (
                "application/openmetrics-text;version=0.0.1",
                Format::OpenMetrics,
            ),
            (
                "application/openmetrics-text;version=2.0.0",
                Format::Text004,
            ),
            ("application/openmetrics-text;q=0", Format::Text004),
            (
                "text/plain;q=0.9,application/openmetrics-text;q=0.5",
                Format::Text004,
            ),
            (
                "text/plain;q=0.5,application/openmetrics-text;q=0.9",
                Format::OpenMetrics,
            ),
            ("*/*", Format::Text004),
            ("application/json", Format::Text004),
            ("", Format::Text004),
            (
                ";;,=,q=,application/openmetrics-text;q=nan",
                Format::Text004,
            ),
            ("application/openmetrics-text;q=7", Format::OpenMetrics),
        ];
        for (accept, want) in cases {
            assert_eq!(Format::negotiate(Some(accept)), want, "{accept}");
        }
    }

    #[test]
    fn content_types_name_the_versions() {
        assert!(Format::Text004.content_type().contains("version=0.0.4"));
        assert!(Format::OpenMetrics
            .content_type()
            .starts_with("application/openmetrics-text; version=1.0.0"));
    }
}
