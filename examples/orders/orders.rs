//! The order domain: what an order is, where orders are kept, and how one
//! is placed (validate → reserve inventory → charge payment → queue for
//! shipping), instrumented as a real service would be.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use omniscope::metrics::{Key, LazyHistogram, MetricMeta, Unit};
use omniscope::{counter, info};
use serde::{Deserialize, Serialize};

use crate::error::OrderError;
use crate::inventory::Inventory;
use crate::payment::Payments;
use crate::shipping::ShippingQueue;
use crate::validate::validate;

/// How many orders the store keeps; older ones are forgotten.
const MAX_ORDERS: usize = 10_000;

/// What each placed order comes to, in euros: `order.amount`, named as
/// OpenTelemetry names metrics (no unit in the name, no `_total`, which
/// Prometheus keeps for counters); Prometheus shows `order_amount`.
static ORDER_AMOUNT: LazyHistogram = LazyHistogram::with_meta(
    Key::from_static("order.amount", &[]),
    MetricMeta::new(
        Unit::custom("{EUR}"),
        "Amount of each placed order, in euros",
    ),
);

/// A request to place an order: the JSON body of `POST /orders`. No
/// `Debug`, so that the card number cannot end up in a log by accident.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewOrder {
    pub(crate) customer: String,
    pub(crate) items: Vec<Item>,
    /// The card number: checked and charged, never stored or logged.
    pub(crate) card: String,
    /// `web`, `mobile` or `api` (the default).
    #[serde(default)]
    pub(crate) channel: Option<String>,
}

/// One item of a new order.
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Item {
    pub(crate) sku: String,
    pub(crate) qty: u32,
}

/// Where an order came from: a bounded set, so it can label metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Channel {
    Web,
    Mobile,
    Api,
}

impl Channel {
    /// Parses a channel name; `None` (absent) means `api`.
    pub(crate) fn parse(name: Option<&str>) -> Option<Channel> {
        match name {
            None | Some("api") => Some(Channel::Api),
            Some("web") => Some(Channel::Web),
            Some("mobile") => Some(Channel::Mobile),
            Some(_) => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Channel::Web => "web",
            Channel::Mobile => "mobile",
            Channel::Api => "api",
        }
    }
}

/// An order line, priced from the catalog.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Line {
    pub(crate) sku: String,
    pub(crate) qty: u32,
    pub(crate) unit_price_cents: u64,
}

/// A validated order, not yet paid for.
#[derive(Debug)]
pub(crate) struct Draft {
    pub(crate) customer: String,
    pub(crate) channel: Channel,
    pub(crate) lines: Vec<Line>,
    pub(crate) total_cents: u64,
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Paid for, waiting in the shipping queue.
    Paid,
    /// Handed to the carrier.
    Shipped,
}

/// A placed order, as `GET /orders/{id}` returns it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Order {
    pub(crate) id: u64,
    pub(crate) customer: String,
    pub(crate) channel: Channel,
    pub(crate) lines: Vec<Line>,
    pub(crate) total_cents: u64,
    pub(crate) status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tracking: Option<String>,
}

/// The orders, in memory, by id (ids grow, so the oldest come first).
#[derive(Debug, Default)]
pub(crate) struct Store {
    orders: Mutex<BTreeMap<u64, Order>>,
    last_id: AtomicU64,
}

impl Store {
    fn insert(&self, draft: Draft) -> Order {
        let order = Order {
            id: self.last_id.fetch_add(1, Ordering::Relaxed) + 1,
            customer: draft.customer,
            channel: draft.channel,
            lines: draft.lines,
            total_cents: draft.total_cents,
            status: Status::Paid,
            tracking: None,
        };
        let mut orders = self.lock();
        orders.insert(order.id, order.clone());
        while orders.len() > MAX_ORDERS {
            orders.pop_first();
        }
        order
    }

    fn get(&self, id: u64) -> Option<Order> {
        self.lock().get(&id).cloned()
    }

    /// The `limit` newest orders, newest first.
    fn newest(&self, limit: usize) -> Vec<Order> {
        self.lock().values().rev().take(limit).cloned().collect()
    }

    /// Records that the carrier took order `id`; `false` if it is gone.
    pub(crate) fn mark_shipped(&self, id: u64, tracking: String) -> bool {
        let mut orders = self.lock();
        let Some(order) = orders.get_mut(&id) else {
            return false;
        };
        order.status = Status::Shipped;
        order.tracking = Some(tracking);
        true
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<u64, Order>> {
        // A panic while holding the lock leaves the map consistent (every
        // change is one call), so a poisoned lock is still usable.
        self.orders.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The order service: what the HTTP handlers call.
#[derive(Debug)]
pub(crate) struct Orders {
    store: Arc<Store>,
    inventory: Inventory,
    payments: Payments,
    shipping: ShippingQueue,
}

impl Orders {
    pub(crate) fn new(
        store: Arc<Store>,
        inventory: Inventory,
        payments: Payments,
        shipping: ShippingQueue,
    ) -> Orders {
        Orders {
            store,
            inventory,
            payments,
            shipping,
        }
    }

    /// Places an order and queues it for shipping; counts both outcomes.
    #[omniscope::instrument(skip(new), fields(customer = %new.customer))]
    pub(crate) async fn create_order(&self, new: NewOrder) -> Result<Order, OrderError> {
        let result = self.place(&new).await;
        match &result {
            Ok(order) => self.created(order),
            Err(e) => counter!("orders.failed", "reason" => e.reason()).increment(1),
        }
        result
    }

    async fn place(&self, new: &NewOrder) -> Result<Order, OrderError> {
        let draft = validate(new)?;
        let reservation = self.inventory.reserve(&draft.lines).await?;
        if let Err(e) = self.payments.charge(draft.total_cents, &new.card).await {
            // Compensate: the items go back on the shelf.
            self.inventory.release(reservation).await;
            return Err(e.into());
        }
        Ok(self.store.insert(draft))
    }

    fn created(&self, order: &Order) {
        let total = order.total_cents as f64 / 100.0;
        counter!("orders.created", "channel" => order.channel.as_str()).increment(1);
        ORDER_AMOUNT.record(total);
        info!("order created";
            order.id = order.id, order.total = total, channel = order.channel.as_str());
        self.shipping.enqueue(order.id);
    }

    /// The order with this id, if there is one.
    #[omniscope::instrument]
    pub(crate) fn get_order(&self, id: u64) -> Option<Order> {
        self.store.get(id)
    }

    /// The `limit` newest orders, newest first.
    #[omniscope::instrument]
    pub(crate) fn list_orders(&self, limit: usize) -> Vec<Order> {
        self.store.newest(limit)
    }
}
