//! `sentry`: handled errors and panics to Sentry, each with the recent
//! log records of its own trace as breadcrumbs. Takes logs (errors travel
//! with them; its log exporter only keeps breadcrumbs). Joins the logs
//! backends, whichever they are, as soon as `SENTRY_DSN` is set (or code
//! configures it), unless code chose the logs backends. Needs nothing of
//! the kit: it posts from the SDK's error pipeline thread. Configured by
//! [`KitBuilder::with_sentry`](crate::KitBuilder::with_sentry) and
//! `SENTRY_DSN`, `SENTRY_ENVIRONMENT`, `SENTRY_RELEASE`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "sentry",
    takes: &[Signal::Logs],
    by_default: &[],
    server: None,
    propagators: &[],
    module: compiled!("sentry", on::Sentry),
};

#[cfg(feature = "sentry")]
mod on {
    use omniscope_sdk::env::{self, Lookup};
    use omniscope_sdk::{BuildError, Signal};
    use omniscope_sentry::sentry::types::Dsn;
    use omniscope_sentry::{SentryBuilder, DSN_ENV};

    use crate::backends::module::{Code, Env, ErrorReporter, LogExporter, Module, Part};
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Sentry;

    impl KitBuilder {
        /// Configures the Sentry backend, which then receives handled
        /// errors and panics beside the other logs backends (unless code
        /// chose those). Default: `Sentry::builder()`, reading `SENTRY_DSN`,
        /// `SENTRY_ENVIRONMENT` and `SENTRY_RELEASE` when the environment
        /// is read; setting `SENTRY_DSN` alone turns it on.
        #[cfg_attr(docsrs, doc(cfg(feature = "sentry")))]
        pub fn with_sentry(mut self, sentry: SentryBuilder) -> KitBuilder {
            self.code[Backend::Sentry as usize] = Some(Box::new(sentry));
            self
        }
    }

    impl Module for Sentry {
        fn check_env(&self, lookup: Lookup<'_>) -> Result<(), Error> {
            let dsn = env::get(lookup, DSN_ENV).map_err(|e| Error::unreadable(DSN_ENV, e))?;
            match dsn.map(|d| d.trim().parse::<Dsn>()) {
                // The value is withheld: a DSN holds the project's key.
                Some(Err(e)) => Err(BuildError::new(
                    "sentry",
                    format!("invalid {DSN_ENV} (value withheld): {e}"),
                )
                .into()),
                _ => Ok(()),
            }
        }

        fn joins(&self, in_code: bool, env: Env<'_>) -> &'static [Signal] {
            let dsn_set = match env {
                Env::Unread => false,
                // A value that is not UTF-8 joins, so that `build` names it.
                Env::Process => !matches!(env::var(DSN_ENV), Ok(None)),
                Env::Lookup(lookup) => lookup(DSN_ENV).is_some_and(|v| !v.trim().is_empty()),
            };
            if in_code || dsn_set {
                &[Signal::Logs]
            } else {
                &[]
            }
        }

        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let sentry = code.and_then(|c| c.downcast::<SentryBuilder>().ok());
            let sentry = sentry.map_or_else(SentryBuilder::default, |b| *b);
            let sentry = match env {
                Env::Unread => sentry,
                Env::Process => sentry.from_env(),
                Env::Lookup(lookup) => sentry.from_env_with(lookup),
            };
            Ok(Box::new(sentry.build()?))
        }
    }

    impl Part for omniscope_sentry::Sentry {
        fn logs(&self) -> Option<LogExporter> {
            Some(Box::new(self.breadcrumbs()))
        }

        fn errors(&self) -> Option<ErrorReporter> {
            Some(Box::new(self.reporter()))
        }
    }
}
