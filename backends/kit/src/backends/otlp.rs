//! `otlp`: traces, metrics and logs over OTLP (gRPC or HTTP) to a
//! collector. Used when chosen. Needs nothing of the kit: its export
//! threads run a private runtime. Configured by
//! [`KitBuilder::with_otlp`](crate::KitBuilder::with_otlp) and
//! `OTEL_EXPORTER_OTLP_*`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "otlp",
    takes: &Signal::ALL,
    by_default: &[],
    server: None,
    propagators: &[],
    module: compiled!("otlp", on::Otlp),
};

#[cfg(feature = "otlp")]
mod on {
    use omniscope_otlp::OtlpBuilder;
    use omniscope_sdk::metrics::Temporality;

    use crate::backends::module::{Code, Env, LogExporter, MetricExporter, Module, Part, SpanExporter,
    };
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Otlp;

    impl KitBuilder {
        /// Configures the OTLP backend (used when a signal chooses it).
        /// Default: `Otlp::builder()`, reading `OTEL_EXPORTER_OTLP_*` when
        /// the environment is read.
        #[cfg_attr(docsrs, doc(cfg(feature = "otlp")))]
        pub fn with_otlp(mut self, otlp: OtlpBuilder) -> KitBuilder {
            self.code[Backend::Otlp as usize] = Some(Box::new(otlp));
            self
        }
    }

    impl Module for Otlp {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let otlp = code.and_then(|c| c.downcast::<OtlpBuilder>().ok());
            let otlp = otlp.map_or_else(omniscope_otlp::Otlp::builder, |b| *b);
            let otlp = match env {
                Env::Unread => otlp,
                Env::Process => otlp.from_env(),
                Env::Lookup(lookup) => otlp.from_env_with(lookup),
            };
            Ok(Box::new(otlp.build()?))
        }
    }

    impl Part for omniscope_otlp::Otlp {
        fn spans(&self) -> Option<SpanExporter> {
            Some(Box::new(omniscope_otlp::Otlp::spans(self)))
        }

        fn logs(&self) -> Option<LogExporter> {
            Some(Box::new(omniscope_otlp::Otlp::logs(self)))
        }

        fn metrics(&self) -> Option<(MetricExporter, Temporality)> {
            let exporter = Box::new(omniscope_otlp::Otlp::metrics(self));
            Some((exporter, self.temporality()))
        }
    }
}
