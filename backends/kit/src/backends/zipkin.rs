//! `zipkin`: spans as Zipkin v2 JSON to a collector's `/api/v2/spans`.
//! Used when chosen. Needs nothing of the kit: its export thread runs a
//! private runtime. Configured by
//! [`KitBuilder::with_zipkin`](crate::KitBuilder::with_zipkin) and
//! `OTEL_EXPORTER_ZIPKIN_*`. Provides the `b3` and `b3multi` propagators
//! of `OTEL_PROPAGATORS`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "zipkin",
    takes: &[Signal::Traces],
    by_default: &[],
    server: None,
    propagators: &["b3", "b3multi"],
    module: compiled!("zipkin", on::Zipkin),
};

#[cfg(feature = "zipkin")]
mod on {
    use omniscope::propagation::Propagator;
    use omniscope_zipkin::b3::{B3Encoding, B3Propagator};
    use omniscope_zipkin::ZipkinBuilder;

    use crate::backends::module::{Code, Env, Module, Part, SpanExporter};
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Zipkin;

    impl KitBuilder {
        /// Configures the Zipkin backend (used when traces choose it).
        /// Default: `omniscope_zipkin::builder()` (to
        /// `http://localhost:9411/api/v2/spans`), reading
        /// `OTEL_EXPORTER_ZIPKIN_ENDPOINT` and `_TIMEOUT` when the
        /// environment is read.
        #[cfg_attr(docsrs, doc(cfg(feature = "zipkin")))]
        pub fn with_zipkin(mut self, zipkin: ZipkinBuilder) -> KitBuilder {
            self.code[Backend::Zipkin as usize] = Some(Box::new(zipkin));
            self
        }
    }

    impl Module for Zipkin {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let zipkin = code.and_then(|c| c.downcast::<ZipkinBuilder>().ok());
            let zipkin = zipkin.map_or_else(omniscope_zipkin::builder, |b| *b);
            let zipkin = match env {
                Env::Unread => zipkin,
                Env::Process => zipkin.from_env(),
                Env::Lookup(lookup) => zipkin.from_env_with(lookup),
            };
            Ok(Box::new(zipkin.build()?))
        }

        /// `b3` writes the single header, `b3multi` the `X-B3-*` ones; both
        /// read either.
        fn propagator(&self, name: &str) -> Option<Box<dyn Propagator>> {
            let encoding = match name {
                "b3" => B3Encoding::Single,
                "b3multi" => B3Encoding::Multi,
                _ => return None,
            };
            Some(Box::new(B3Propagator::new(encoding)))
        }
    }

    impl Part for omniscope_zipkin::Zipkin {
        fn spans(&self) -> Option<SpanExporter> {
            Some(Box::new(omniscope_zipkin::Zipkin::spans(self)))
        }
    }
}
