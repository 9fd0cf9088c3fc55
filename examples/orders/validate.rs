//! Checking a new order against the catalog before anything is reserved
//! or charged. Pure computation: no latency, no failures of its own.

use crate::error::ValidationError;
use crate::orders::{Channel, Draft, Item, Line, NewOrder};

/// What the shop sells: SKU and unit price in cents.
pub(crate) const CATALOG: &[(&str, u64)] = &[
    ("book", 1299),
    ("mug", 899),
    ("poster", 1499),
    ("sticker", 199),
    ("tshirt", 1999),
];

const MAX_CUSTOMER_LEN: usize = 64;
const MAX_ITEMS: usize = 20;
const MAX_QTY: u32 = 10;

/// Checks `new` and prices it.
#[omniscope::instrument(skip(new), fields(items = new.items.len()))]
pub(crate) fn validate(new: &NewOrder) -> Result<Draft, ValidationError> {
    let customer = new.customer.trim();
    if customer.is_empty() || customer.len() > MAX_CUSTOMER_LEN {
        return Err(ValidationError::new(
            "customer",
            format!("must be 1 to {MAX_CUSTOMER_LEN} characters"),
        ));
    }
    let channel = Channel::parse(new.channel.as_deref())
        .ok_or_else(|| ValidationError::new("channel", "must be `web`, `mobile` or `api`"))?;
    if new.items.is_empty() || new.items.len() > MAX_ITEMS {
        return Err(ValidationError::new(
            "items",
            format!("must list 1 to {MAX_ITEMS} items"),
        ));
    }
    let lines = new
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| price(i, item))
        .collect::<Result<Vec<_>, _>>()?;
    check_card(&new.card)?;
    Ok(Draft {
        customer: customer.to_owned(),
        channel,
        total_cents: lines
            .iter()
            .map(|l| u64::from(l.qty) * l.unit_price_cents)
            .sum(),
        lines,
    })
}

/// Item `index` of the order, priced from the catalog.
fn price(index: usize, item: &Item) -> Result<Line, ValidationError> {
    let (_, unit_price_cents) = CATALOG
        .iter()
        .find(|(sku, _)| *sku == item.sku)
        .ok_or_else(|| {
            ValidationError::new(
                format!("items[{index}].sku"),
                format!("`{}` is not in the catalog", item.sku),
            )
        })?;
    if !(1..=MAX_QTY).contains(&item.qty) {
        return Err(ValidationError::new(
            format!("items[{index}].qty"),
            format!("must be between 1 and {MAX_QTY}"),
        ));
    }
    Ok(Line {
        sku: item.sku.clone(),
        qty: item.qty,
        unit_price_cents: *unit_price_cents,
    })
}

/// A card number: 12 to 19 digits (spaces allowed) with a valid Luhn check digit.
fn check_card(card: &str) -> Result<(), ValidationError> {
    let digits: Option<Vec<u32>> = card
        .chars()
        .filter(|c| *c != ' ')
        .map(|c| c.to_digit(10))
        .collect();
    match digits {
        Some(d) if (12..=19).contains(&d.len()) && luhn_ok(&d) => Ok(()),
        _ => Err(ValidationError::new("card", "not a valid card number")),
    }
}

fn luhn_ok(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2 == 1, d * 2) {
            (true, doubled) if doubled > 9 => doubled - 9,
            (true, doubled) => doubled,
            (false, _) => d,
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(items: &[(&str, u32)], card: &str) -> NewOrder {
        NewOrder {
            customer: "ada".into(),
            items: items
                .iter()
                .map(|&(sku, qty)| Item {
                    sku: sku.into(),
                    qty,
                })
                .collect(),
            card: card.into(),
            channel: None,
        }
    }

    #[test]
    fn a_valid_order_is_priced() {
        let draft = validate(&order(&[("mug", 2), ("sticker", 1)], "4242 4242 4242 4242")).unwrap();
        assert_eq!(draft.total_cents, 2 * 899 + 199);
        assert_eq!(draft.channel, Channel::Api);
    }

    #[test]
    fn errors_name_the_field() {
        let card = "4242424242424242";
        let cases = [
            (order(&[], card), "`items`: must list 1 to 20 items"),
            (
                order(&[("mug", 0)], card),
                "`items[0].qty`: must be between 1 and 10",
            ),
            (
                order(&[("mug", 1), ("yacht", 1)], card),
                "`items[1].sku`: `yacht` is not in the catalog",
            ),
            (
                order(&[("mug", 1)], "4242424242424241"),
                "`card`: not a valid card number",
            ),
            (
                order(&[("mug", 1)], "4242-4242"),
                "`card`: not a valid card number",
            ),
        ];
        for (new, message) in cases {
            assert_eq!(validate(&new).unwrap_err().to_string(), message);
        }
    }
}
