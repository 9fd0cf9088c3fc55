//! `prometheus`: a scrape endpoint for metrics. Used when chosen: it opens
//! a port. Needs a loopback server, which the kit starts once the SDK is
//! built (each scrape reads the SDK's meter) and stops after it.
//! Configured by
//! [`KitBuilder::with_prometheus`](crate::KitBuilder::with_prometheus) and
//! `OTEL_EXPORTER_PROMETHEUS_*`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "prometheus",
    takes: &[Signal::Metrics],
    by_default: &[],
    server: Some("the Prometheus endpoint (omniscope-prometheus)"),
    propagators: &[],
    module: compiled!("prometheus", on::Prometheus),
};

#[cfg(feature = "prometheus")]
mod on {
    use std::error::Error as StdError;
    use std::time::Instant;

    use omniscope_prometheus::{PrometheusBuilder, Server};
    use omniscope_sdk::Sdk;

    use crate::backends::module::{Code, Env, Module, Part, Serving};
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Prometheus;

    impl KitBuilder {
        /// Configures the Prometheus endpoint (used when metrics choose it).
        /// Default: `Prometheus::builder()` on `127.0.0.1:9464`, reading
        /// `OTEL_EXPORTER_PROMETHEUS_HOST` / `_PORT` when the environment is
        /// read.
        #[cfg_attr(docsrs, doc(cfg(feature = "prometheus")))]
        pub fn with_prometheus(mut self, prometheus: PrometheusBuilder) -> KitBuilder {
            self.code[Backend::Prometheus as usize] = Some(Box::new(prometheus));
            self
        }
    }

    impl Module for Prometheus {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let prometheus = code.and_then(|c| c.downcast::<PrometheusBuilder>().ok());
            let prometheus = prometheus.map_or_else(PrometheusBuilder::default, |b| *b);
            let prometheus = match env {
                Env::Unread => prometheus,
                Env::Process => prometheus.from_env(),
                Env::Lookup(lookup) => prometheus.from_env_with(lookup),
            };
            Ok(Box::new(prometheus.build()?))
        }
    }

    impl Part for omniscope_prometheus::Prometheus {
        fn serve(
            &self,
            sdk: &Sdk,
        ) -> Result<Option<Box<dyn Serving>>, Box<dyn StdError + Send + Sync>> {
            let server = omniscope_prometheus::Prometheus::serve(self, sdk)?;
            Ok(Some(Box::new(Endpoint(server))))
        }
    }

    #[derive(Debug)]
    struct Endpoint(Server);

    impl Serving for Endpoint {
        fn url(&self) -> String {
            self.0.url()
        }

        fn shutdown(&self, deadline: Instant) {
            // Past the deadline the server's thread ends on its own.
            let _ = self.0.shutdown(deadline);
        }
    }
}
