//! [`Protocol`] and [`Compression`]: how batches travel.

use std::fmt;

/// The OTLP transport and encoding, as `OTEL_EXPORTER_OTLP_PROTOCOL` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// `grpc`: protobuf over gRPC (HTTP/2), default port 4317.
    Grpc,
    /// `http/protobuf`: protobuf in HTTP POST bodies, default port 4318.
    /// OpenTelemetry's default, and this crate's.
    #[default]
    HttpProtobuf,
    /// `http/json`: OTLP/JSON in HTTP POST bodies, default port 4318.
    HttpJson,
}

impl Protocol {
    /// The accepted values, for error messages.
    pub(crate) const ACCEPTED: &'static str = "`grpc`, `http/protobuf` or `http/json`";

    /// The name used in `OTEL_EXPORTER_OTLP_PROTOCOL`.
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Grpc => "grpc",
            Protocol::HttpProtobuf => "http/protobuf",
            Protocol::HttpJson => "http/json",
        }
    }

    /// The protocol called `name` (ASCII case-insensitive, surrounding
    /// blanks ignored).
    pub fn from_name(name: &str) -> Option<Protocol> {
        [Protocol::Grpc, Protocol::HttpProtobuf, Protocol::HttpJson]
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Whether batches go over OTLP/HTTP (protobuf or JSON).
    pub const fn is_http(self) -> bool {
        !matches!(self, Protocol::Grpc)
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether request bodies are compressed (`OTEL_EXPORTER_OTLP_COMPRESSION`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Compression {
    /// `none` (the default).
    #[default]
    None,
    /// `gzip`.
    Gzip,
}

impl Compression {
    /// The accepted values, for error messages.
    pub(crate) const ACCEPTED: &'static str = "`gzip` or `none`";

    /// The name used in `OTEL_EXPORTER_OTLP_COMPRESSION`.
    pub const fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
        }
    }

    /// The compression called `name` (ASCII case-insensitive, surrounding
    /// blanks ignored).
    pub fn from_name(name: &str) -> Option<Compression> {
        [Compression::None, Compression::Gzip]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
