//! `jaeger`: spans over OTLP with Jaeger's defaults (Jaeger ingests OTLP
//! natively). Used when chosen. Needs nothing of the kit: its export
//! thread runs a private runtime. Configured by
//! [`KitBuilder::with_jaeger`](crate::KitBuilder::with_jaeger) and
//! `OTEL_EXPORTER_OTLP_*`. Provides the `jaeger` propagator of
//! `OTEL_PROPAGATORS`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "jaeger",
    takes: &[Signal::Traces],
    by_default: &[],
    server: None,
    propagators: &["jaeger"],
    module: compiled!("jaeger", on::Jaeger),
};

#[cfg(feature = "jaeger")]
mod on {
    use omniscope::propagation::Propagator;
    use omniscope_jaeger::UberTraceIdPropagator;
    use omniscope_otlp::{Otlp, OtlpBuilder};

    use crate::backends::module::{Code, Env, Module, Part, SpanExporter};
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Jaeger;

    impl KitBuilder {
        /// Configures the Jaeger backend (used when traces choose it).
        /// Default: `omniscope_jaeger::builder()`, reading
        /// `OTEL_EXPORTER_OTLP_*` when the environment is read.
        #[cfg_attr(docsrs, doc(cfg(feature = "jaeger")))]
        pub fn with_jaeger(mut self, jaeger: OtlpBuilder) -> KitBuilder {
            self.code[Backend::Jaeger as usize] = Some(Box::new(jaeger));
            self
        }
    }

    impl Module for Jaeger {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let jaeger = code.and_then(|c| c.downcast::<OtlpBuilder>().ok());
            let jaeger = jaeger.map_or_else(omniscope_jaeger::builder, |b| *b);
            let jaeger = match env {
                Env::Unread => jaeger,
                Env::Process => jaeger.from_env(),
                Env::Lookup(lookup) => jaeger.from_env_with(lookup),
            };
            Ok(Box::new(Spans(jaeger.build()?)))
        }

        /// `jaeger`: the `uber-trace-id` header (and `uberctx-*` baggage).
        fn propagator(&self, name: &str) -> Option<Box<dyn Propagator>> {
            (name == "jaeger").then(|| Box::new(UberTraceIdPropagator) as Box<dyn Propagator>)
        }
    }

    /// An OTLP exporter that gives spans only.
    struct Spans(Otlp);

    impl Part for Spans {
        fn spans(&self) -> Option<SpanExporter> {
            Some(Box::new(self.0.spans()))
        }
    }
}
