//! Jaeger's defaults on top of the OTLP exporter.

use omniscope_otlp::{Otlp, OtlpBuilder};

/// Jaeger's OTLP/gRPC receiver (all-in-one and collector).
pub const DEFAULT_GRPC_ENDPOINT: &str = "http://127.0.0.1:4317";

/// Jaeger's OTLP/HTTP receiver (a base: `/v1/traces` is appended).
pub const DEFAULT_HTTP_ENDPOINT: &str = "http://127.0.0.1:4318";

/// The exporter name in self-metrics (`exporter="jaeger"`).
pub const NAME: &str = "jaeger";

/// An OTLP builder with Jaeger's defaults: [`DEFAULT_GRPC_ENDPOINT`] or
/// [`DEFAULT_HTTP_ENDPOINT`] (by protocol) when neither code nor
/// `OTEL_EXPORTER_OTLP_*` sets an endpoint, and `exporter="jaeger"` in
/// self-metrics. Everything else is [`OtlpBuilder`]'s, variables included.
///
/// Jaeger stores traces only: give the SDK [`Otlp::spans`].
pub fn builder() -> OtlpBuilder {
    Otlp::builder()
        .with_name(NAME)
        .with_default_endpoints(DEFAULT_GRPC_ENDPOINT, DEFAULT_HTTP_ENDPOINT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use omniscope_otlp::{Protocol, Signal};

    #[test]
    fn defaults_are_jaegers_and_the_environment_still_applies() {
        let http = builder().from_env_with(|_| None).build().unwrap();
        assert_eq!(
            http.endpoint(Signal::Traces),
            "http://127.0.0.1:4318/v1/traces"
        );
        let grpc = builder().with_protocol(Protocol::Grpc).build().unwrap();
        assert_eq!(grpc.endpoint(Signal::Traces), "http://127.0.0.1:4317/");
        let env = builder()
            .from_env_with(|name| {
                (name == "OTEL_EXPORTER_OTLP_ENDPOINT").then(|| "http://jaeger:4318".to_owned())
            })
            .build()
            .unwrap();
        assert_eq!(env.endpoint(Signal::Traces), "http://jaeger:4318/v1/traces");
        assert!(format!("{env:?}").contains("\"jaeger\""));
    }
}
