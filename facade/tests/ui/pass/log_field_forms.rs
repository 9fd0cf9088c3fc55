//! Every field form of the log macros compiles without warnings: `tracing`'s
//! fields-first form and the `;` form, with an explicit logger and target.
#![deny(warnings)]

use omniscope::{debug, error, info, log, trace, warn, Level, NoopLogger};

#[derive(Debug)]
struct Item;

fn main() {
    let (sku, n, item) = ("A-12", 3, Item);
    info!(sku = %sku, count = n, item = ?item, "looked up {}", n);
    info!(sku = sku, count = n, "looked up {n}");
    info!(%sku, ?item, n);
    info!(order.id = 7, "http.method" = "GET", "http.route" = %"/orders", "done");
    warn!("looked up {}", n; sku = %sku, count = n);
    error!(count = n, "looked up"; sku);
    debug!(target: "audit", sku, "audited");
    trace!(logger: &NoopLogger, sku, "to a given logger");
    log!(logger: &NoopLogger, target: "audit", Level::Info, sku, "{} {}", 1, 2);
    log!(Level::Warn, count = n);
    info!("{who}", who = "named arguments stay format arguments");
}
