//! The inventory: reserving the items of an order, and giving them back
//! when the payment fails. Simulated: a database call of 2–10 ms that is
//! sometimes out of stock (the user's problem) or unreachable (ours).

use std::error::Error;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use omniscope::info;

use crate::orders::Line;
use crate::sim::Sim;

/// Items held for an order until it is paid.
#[derive(Debug)]
pub(crate) struct Reservation {
    id: u64,
}

/// Why items could not be reserved.
#[derive(Debug)]
pub(crate) enum InventoryError {
    /// Not enough of `sku` left (the user may order something else).
    OutOfStock { sku: String },
    /// The inventory database did not answer.
    Unavailable(io::Error),
}

impl InventoryError {
    pub(crate) fn is_user_error(&self) -> bool {
        matches!(self, InventoryError::OutOfStock { .. })
    }

    pub(crate) fn reason(&self) -> &'static str {
        match self {
            InventoryError::OutOfStock { .. } => "out_of_stock",
            InventoryError::Unavailable(_) => "inventory_unavailable",
        }
    }
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InventoryError::OutOfStock { sku } => write!(f, "`{sku}` is out of stock"),
            InventoryError::Unavailable(_) => f.write_str("the inventory database is unavailable"),
        }
    }
}

impl Error for InventoryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            InventoryError::OutOfStock { .. } => None,
            InventoryError::Unavailable(e) => Some(e),
        }
    }
}

/// The inventory service's client.
#[derive(Debug)]
pub(crate) struct Inventory {
    sim: Sim,
    last_reservation: AtomicU64,
}

impl Inventory {
    pub(crate) fn new(sim: Sim) -> Inventory {
        Inventory {
            sim,
            last_reservation: AtomicU64::new(0),
        }
    }

    /// Reserves every line of an order.
    #[omniscope::instrument(name = "reserve_inventory", skip(lines), fields(lines = lines.len()))]
    pub(crate) async fn reserve(&self, lines: &[Line]) -> Result<Reservation, InventoryError> {
        self.sim.delay(2..=10).await;
        let faults = self.sim.faults();
        if self.sim.chance(faults.inventory_down) {
            let cause = io::Error::new(
                io::ErrorKind::ConnectionReset,
                "connection reset by inventory-db:5432",
            );
            return Err(InventoryError::Unavailable(cause));
        }
        if self.sim.chance(faults.out_of_stock) {
            let sku = self.sim.pick(lines).map_or("", |l| l.sku.as_str());
            return Err(InventoryError::OutOfStock {
                sku: sku.to_owned(),
            });
        }
        let id = self.last_reservation.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(Reservation { id })
    }

    /// Puts reserved items back on the shelf.
    #[omniscope::instrument(
        name = "release_inventory",
        skip(reservation),
        fields(reservation.id = reservation.id)
    )]
    pub(crate) async fn release(&self, reservation: Reservation) {
        self.sim.delay(1..=3).await;
        info!("reservation released"; reservation.id = reservation.id);
    }
}
