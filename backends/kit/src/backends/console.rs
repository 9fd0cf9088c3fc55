//! `console`: lines on stdout, stderr or a file. Takes every signal; by
//! default logs (and with them handled errors). Needs nothing: it writes
//! from the SDK's export threads. Configured by
//! [`KitBuilder::with_console`](crate::KitBuilder::with_console) and
//! `OMNISCOPE_LOG_FORMAT`.

use omniscope_sdk::Signal;

use super::Spec;

pub(super) const SPEC: Spec = Spec {
    name: "console",
    takes: &Signal::ALL,
    by_default: &[Signal::Logs],
    server: None,
    propagators: &[],
    module: compiled!("console", on::Console),
};

#[cfg(feature = "console")]
mod on {
    use omniscope_console::{ConsoleBuilder, Format, FORMAT_ENV};
    use omniscope_sdk::env::{self, Lookup};
    use omniscope_sdk::metrics::Temporality;

    use crate::backends::module::{Code, Env, ErrorReporter, LogExporter, MetricExporter, Module, Part,
        SpanExporter,
    };
    use crate::{Backend, Error, KitBuilder};

    pub(crate) struct Console;

    impl KitBuilder {
        /// Configures the console backend (used when a signal chooses it).
        /// Default: `Console::builder()`, reading `OMNISCOPE_LOG_FORMAT` when
        /// the environment is read.
        #[cfg_attr(docsrs, doc(cfg(feature = "console")))]
        pub fn with_console(mut self, console: ConsoleBuilder) -> KitBuilder {
            self.code[Backend::Console as usize] = Some(Box::new(console));
            self
        }
    }

    impl Module for Console {
        fn check_env(&self, lookup: Lookup<'_>) -> Result<(), Error> {
            let value = env::get(lookup, FORMAT_ENV).map_err(|e| Error::unreadable(FORMAT_ENV, e))?;
            match value {
                Some(v) if Format::from_name(&v).is_none() => Err(Error::env(
                    FORMAT_ENV,
                    &v,
                    format!("not a log format: use {}", Format::ACCEPTED),
                )),
                _ => Ok(()),
            }
        }

        fn build(&self, code: Option<Code>, env: Env<'_>) -> Result<Box<dyn Part>, Error> {
            let console = code.and_then(|c| c.downcast::<ConsoleBuilder>().ok());
            let console = console.map_or_else(ConsoleBuilder::default, |b| *b);
            let console = match env {
                Env::Unread => console,
                Env::Process => console.from_env(),
                Env::Lookup(lookup) => console.from_env_with(lookup),
            };
            Ok(Box::new(console.build()?))
        }
    }

    impl Part for omniscope_console::Console {
        fn spans(&self) -> Option<SpanExporter> {
            Some(Box::new(omniscope_console::Console::spans(self)))
        }

        fn logs(&self) -> Option<LogExporter> {
            Some(Box::new(omniscope_console::Console::logs(self)))
        }

        fn errors(&self) -> Option<ErrorReporter> {
            Some(Box::new(omniscope_console::Console::errors(self)))
        }

        fn metrics(&self) -> Option<(MetricExporter, Temporality)> {
            let exporter = Box::new(omniscope_console::Console::metrics(self));
            Some((exporter, Temporality::Cumulative))
        }
    }
}
