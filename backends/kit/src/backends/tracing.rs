//! The `tracing` bridge (feature `tracing`): spans and events that
//! libraries emit through `tracing` (hyper, h2, tower-http, sqlx) reach
//! omniscope, nested with omniscope's own spans. Not a backend: an adapter
//! that `install` sets up after the SDK. Configured by
//! [`KitBuilder::with_tracing_bridge`](crate::KitBuilder::with_tracing_bridge).

use crate::{Error, KitBuilder};

impl KitBuilder {
    /// Makes omniscope `tracing`'s global subscriber from `install` on
    /// ([`omniscope_tracing::install`]): `tracing` spans become omniscope
    /// spans in the same traces as omniscope's own, and `tracing` events
    /// become logs, filtered like omniscope's (`RUST_LOG`,
    /// [`with_log_filter`]). Default: `tracing` is left to whatever
    /// subscriber the application installs. An application that keeps its
    /// own `tracing-subscriber` stack adds [`omniscope_tracing::layer()`] to
    /// it instead.
    ///
    /// `install` fails if `tracing` already has a global subscriber.
    ///
    /// [`with_log_filter`]: KitBuilder::with_log_filter
    #[cfg_attr(docsrs, doc(cfg(feature = "tracing")))]
    pub fn with_tracing_bridge(mut self) -> KitBuilder {
        self.adapters.push(install_tracing_bridge);
        self
    }
}

fn install_tracing_bridge() -> Result<(), Error> {
    omniscope_tracing::install().map_err(|e| Error::start("the `tracing` bridge", Box::new(e)))
}
