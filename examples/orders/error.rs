//! Why placing an order fails, and whose fault it is.
//!
//! Each error keeps its cause in `source()`, so a handler sees the whole
//! chain ("could not charge the card" ← "payment gateway did not answer
//! within 80 ms" ← "read timed out"). User errors are answered with a 4xx
//! and counted; only internal ones reach `omniscope::handle_error`.

use std::error::Error;
use std::fmt;

use crate::inventory::InventoryError;
use crate::payment::PaymentError;

/// Why an order was rejected or could not be placed.
#[derive(Debug)]
pub(crate) enum OrderError {
    /// The request itself is wrong.
    Invalid(ValidationError),
    /// Out of stock (the user's problem) or the database failed (ours).
    Inventory(InventoryError),
    /// The card was declined (the user's problem) or the gateway failed (ours).
    Payment(PaymentError),
}

impl OrderError {
    /// Whether the user can fix it: a 4xx, not reported as an error of ours.
    pub(crate) fn is_user_error(&self) -> bool {
        match self {
            OrderError::Invalid(_) => true,
            OrderError::Inventory(e) => e.is_user_error(),
            OrderError::Payment(e) => e.is_user_error(),
        }
    }

    /// A short, stable name: the `reason` label of `orders.failed`
    /// and the `error` field of the JSON answer.
    pub(crate) fn reason(&self) -> &'static str {
        match self {
            OrderError::Invalid(_) => "invalid",
            OrderError::Inventory(e) => e.reason(),
            OrderError::Payment(e) => e.reason(),
        }
    }
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The cause is in `source()`, not repeated here.
        f.write_str(match self {
            OrderError::Invalid(_) => "invalid order",
            OrderError::Inventory(_) => "could not reserve the items",
            OrderError::Payment(_) => "could not charge the card",
        })
    }
}

impl Error for OrderError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            OrderError::Invalid(e) => Some(e),
            OrderError::Inventory(e) => Some(e),
            OrderError::Payment(e) => Some(e),
        }
    }
}

impl From<ValidationError> for OrderError {
    fn from(e: ValidationError) -> OrderError {
        OrderError::Invalid(e)
    }
}

impl From<InventoryError> for OrderError {
    fn from(e: InventoryError) -> OrderError {
        OrderError::Inventory(e)
    }
}

impl From<PaymentError> for OrderError {
    fn from(e: PaymentError) -> OrderError {
        OrderError::Payment(e)
    }
}

/// A field of the request that does not pass validation.
#[derive(Debug)]
pub(crate) struct ValidationError {
    field: String,
    problem: String,
}

impl ValidationError {
    /// `field` (a JSON path such as `items[1].qty`) is wrong because of `problem`.
    pub(crate) fn new(field: impl Into<String>, problem: impl Into<String>) -> ValidationError {
        ValidationError {
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.problem)
    }
}

impl Error for ValidationError {}
