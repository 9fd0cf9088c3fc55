//! The `log` bridge (feature `log`): the `log` crate's records, what most
//! libraries log through, reach omniscope's logger with their key-values,
//! and `log`'s level filter follows omniscope's. Not a backend: an adapter
//! that `install` sets up after the SDK. Configured by
//! [`KitBuilder::with_log_bridge`](crate::KitBuilder::with_log_bridge).

use crate::{Error, KitBuilder};

impl KitBuilder {
    /// Sends the `log` crate's records to omniscope from `install` on, with
    /// their key-values as typed fields, inside the current span's trace,
    /// filtered like omniscope's own (`RUST_LOG`, [`with_log_filter`]); and
    /// makes `log`'s level filter follow omniscope's. See
    /// [`omniscope_log::install`]. Default: `log`'s records are left to
    /// whatever `log` logger the application installs.
    ///
    /// `install` fails if `log` already has a logger.
    ///
    /// [`with_log_filter`]: KitBuilder::with_log_filter
    #[cfg_attr(docsrs, doc(cfg(feature = "log")))]
    pub fn with_log_bridge(mut self) -> KitBuilder {
        self.adapters.push(install_log_bridge);
        self
    }
}

fn install_log_bridge() -> Result<(), Error> {
    omniscope_log::install().map_err(|e| Error::start("the `log` bridge", Box::new(e)))
}
