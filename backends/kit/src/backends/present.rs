//! `present`: the embedded dashboard. Takes every signal, and all of them
//! by default (it needs no external service). Needs a loopback server,
//! which the kit starts once the SDK is built (the dashboard reads the
//! SDK's meter, function statistics and pipelines) and stops after it.
//! Configured by [`KitBuilder::with_present`](crate::KitBuilder::with_present)
//! and `OMNISCOPE_DASHBOARD_ADDR`; its OTLP/HTTP receiver, which other
//! local services export to, starts with it when `with_otlp_addr` or
//! `OMNISCOPE_DASHBOARD_OTLP_ADDR` turned it on.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "present",
    takes: &Signal::ALL,
    by_default: &Signal::ALL,
    server: Some("the dashboard (omniscope-present)"),
    propagators: &[],
    module: compiled!("present", on::Present),
};

#[cfg(feature = "present")]
mod on {
    use std::error::Error as StdError;
    use std::time::Instant;

    use omniscope_present::{PresentBuilder, Server};
    use omniscope_sdk::Sdk;

    use crate::backends::module::{Code, Env, ErrorReporter, LogExporter, Module, Part, Serving,
        SpanExporter,
    };
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Present;

    impl KitBuilder {
        /// Configures the dashboard (used when a signal chooses it).
        /// Default: `Present::builder()`, on `OMNISCOPE_DASHBOARD_ADDR` when
        /// the environment is read, else `127.0.0.1:9000`.
        #[cfg_attr(docsrs, doc(cfg(feature = "present")))]
        pub fn with_present(mut self, present: PresentBuilder) -> KitBuilder {
            self.code[Backend::Present as usize] = Some(Box::new(present));
            self
        }
    }

    impl Module for Present {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let present = code.and_then(|c| c.downcast::<PresentBuilder>().ok());
            let present = present.map_or_else(PresentBuilder::default, |b| *b);
            let present = match env {
                Env::Unread => present,
                Env::Process => present.from_env(),
                Env::Lookup(lookup) => present.from_env_with(lookup),
            };
            Ok(Box::new(present.build()?))
        }
    }

    impl Part for omniscope_present::Present {
        fn spans(&self) -> Option<SpanExporter> {
            Some(Box::new(omniscope_present::Present::spans(self)))
        }

        fn logs(&self) -> Option<LogExporter> {
            Some(Box::new(omniscope_present::Present::logs(self)))
        }

        fn errors(&self) -> Option<ErrorReporter> {
            Some(Box::new(omniscope_present::Present::errors(self)))
        }

        fn serve(
            &self,
            sdk: &Sdk,
        ) -> Result<Option<Box<dyn Serving>>, Box<dyn StdError + Send + Sync>> {
            let server = omniscope_present::Present::serve(self, sdk.clone())?;
            // Turned on by with_otlp_addr or OMNISCOPE_DASHBOARD_OTLP_ADDR.
            let otlp = match self.otlp_addr() {
                Some(_) => Some(self.serve_otlp()?),
                None => None,
            };
            Ok(Some(Box::new(Dashboard(server, otlp))))
        }
    }

    /// The dashboard's server, and its OTLP receiver's when it is on.
    #[derive(Debug)]
    struct Dashboard(Server, Option<Server>);

    impl Serving for Dashboard {
        fn url(&self) -> String {
            self.0.url()
        }

        fn shutdown(&self, deadline: Instant) {
            // Past the deadline the servers' threads end on their own.
            let _ = self.0.shutdown(deadline);
            if let Some(otlp) = &self.1 {
                let _ = otlp.shutdown(deadline);
            }
        }
    }
}
