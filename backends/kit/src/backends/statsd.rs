//! `statsd`: metrics as statsd or DogStatsD lines over UDP or Unix sockets,
//! pushed as deltas on each metric export interval. Used when chosen: it
//! sends to a daemon. Needs nothing of the kit: it writes from the SDK's
//! metrics export thread. Configured by
//! [`KitBuilder::with_statsd`](crate::KitBuilder::with_statsd) and
//! `STATSD_*`, `DD_AGENT_HOST`, `DD_DOGSTATSD_*`, `OMNISCOPE_STATSD_*`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "statsd",
    takes: &[Signal::Metrics],
    by_default: &[],
    server: None,
    propagators: &[],
    module: compiled!("statsd", on::Statsd),
};

#[cfg(feature = "statsd")]
mod on {
    use omniscope_sdk::metrics::Temporality;
    use omniscope_statsd::StatsdBuilder;

    use crate::backends::module::{Code, Env, MetricExporter, Module, Part};
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Statsd;

    impl KitBuilder {
        /// Configures the statsd backend (used when metrics choose it).
        /// Default: `Statsd::builder()` (plain statsd to UDP
        /// `127.0.0.1:8125`), reading `STATSD_HOST`/`_PORT`,
        /// `DD_AGENT_HOST`, `DD_DOGSTATSD_PORT`/`_URL` and
        /// `OMNISCOPE_STATSD_*` when the environment is read.
        #[cfg_attr(docsrs, doc(cfg(feature = "statsd")))]
        pub fn with_statsd(mut self, statsd: StatsdBuilder) -> KitBuilder {
            self.code[Backend::Statsd as usize] = Some(Box::new(statsd));
            self
        }
    }

    impl Module for Statsd {
        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let statsd = code.and_then(|c| c.downcast::<StatsdBuilder>().ok());
            let statsd = statsd.map_or_else(StatsdBuilder::default, |b| *b);
            let statsd = match env {
                Env::Unread => statsd,
                Env::Process => statsd.from_env(),
                Env::Lookup(lookup) => statsd.from_env_with(lookup),
            };
            Ok(Box::new(statsd.build()?))
        }
    }

    impl Part for omniscope_statsd::Statsd {
        fn metrics(&self) -> Option<(MetricExporter, Temporality)> {
            let exporter = Box::new(omniscope_statsd::Statsd::metrics(self));
            Some((exporter, omniscope_statsd::Statsd::TEMPORALITY))
        }
    }
}
