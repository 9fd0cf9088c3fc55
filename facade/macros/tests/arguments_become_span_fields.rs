//! Arguments become span attributes: typed through `ToValue`, else through
//! `Debug`; `skip`, `skip_all` and `self` leave them out; patterns are
//! recorded by the names they bind (#14); `fields` adds more.

mod common;

use common::spans_compiled_in;
use omniscope::testing::capture;
use omniscope::{instrument, OwnedValue};

#[derive(Debug)]
struct Order {
    id: u64,
}

#[instrument]
fn typed(count: u32, delta: i64, ratio: f64, ok: bool, name: &str, owned: String) {
    let _ = (count, delta, ratio, ok, name, owned);
}

#[instrument]
fn through_debug(order: &Order, ids: Vec<u8>, maybe: Option<u8>) {
    let _ = (order, ids, maybe);
}

#[instrument(skip(password))]
fn skipped(user: &str, password: &str) {
    let _ = (user, password);
}

#[instrument(skip_all)]
fn all_skipped(user: &str, password: &str) {
    let _ = (user, password);
}

#[instrument]
fn patterns((a, b): (u8, u8), Order { id }: Order, mut c: u8) {
    c += 1;
    let _ = (a, b, id, c);
}

#[instrument(fields(order.id = order.id, route = %"/orders", debug = ?order, "http.method" = "POST", total = 2 * order.id))]
fn with_fields(order: Order) {
    let _ = order;
}

struct Cart {
    items: Vec<u8>,
}

impl Cart {
    #[instrument(fields(items = self.items.len()))]
    fn add(&mut self, item: u8) {
        self.items.push(item);
    }
}

fn attribute(span: &omniscope::testing::CapturedSpan, key: &str) -> OwnedValue {
    span.attribute(key)
        .cloned()
        .unwrap_or_else(|| panic!("no attribute {key}: {:?}", span.attributes))
}

#[test]
fn tovalue_types_keep_their_type() {
    let captured = capture(|| typed(3, -4, 0.5, true, "ada", "lovelace".into()));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("typed").expect("recorded");
    assert_eq!(attribute(span, "count"), OwnedValue::U64(3));
    assert_eq!(attribute(span, "delta"), OwnedValue::I64(-4));
    assert_eq!(attribute(span, "ratio"), OwnedValue::F64(0.5));
    assert_eq!(attribute(span, "ok"), OwnedValue::Bool(true));
    assert_eq!(attribute(span, "name"), OwnedValue::Str("ada".into()));
    assert_eq!(attribute(span, "owned"), OwnedValue::Str("lovelace".into()));
}

#[test]
fn other_types_are_recorded_through_debug() {
    let captured = capture(|| through_debug(&Order { id: 7 }, vec![1, 2], Some(3)));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("through_debug").expect("recorded");
    assert_eq!(
        attribute(span, "order"),
        OwnedValue::Str("Order { id: 7 }".into())
    );
    assert_eq!(attribute(span, "ids"), OwnedValue::Str("[1, 2]".into()));
    // `Option<T: ToValue>` is a `ToValue` itself.
    assert_eq!(attribute(span, "maybe"), OwnedValue::U64(3));
}

#[test]
fn skipped_arguments_are_left_out() {
    let captured = capture(|| {
        skipped("ada", "secret");
        all_skipped("ada", "secret");
    });
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("skipped").expect("recorded");
    assert_eq!(attribute(span, "user"), OwnedValue::Str("ada".into()));
    assert!(span.attribute("password").is_none());
    let span = captured.span("all_skipped").expect("recorded");
    assert!(span.attributes.is_empty(), "{:?}", span.attributes);
}

#[test]
fn patterns_are_recorded_by_the_names_they_bind() {
    let captured = capture(|| patterns((1, 2), Order { id: 3 }, 4));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("patterns").expect("recorded");
    let keys: Vec<&str> = span.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a", "b", "id", "c"]);
}

#[test]
fn fields_are_added_with_their_sigils() {
    let captured = capture(|| with_fields(Order { id: 21 }));
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("with_fields").expect("recorded");
    assert_eq!(attribute(span, "order.id"), OwnedValue::U64(21));
    assert_eq!(attribute(span, "route"), OwnedValue::Str("/orders".into()));
    assert_eq!(
        attribute(span, "debug"),
        OwnedValue::Str("Order { id: 21 }".into())
    );
    assert_eq!(
        attribute(span, "http.method"),
        OwnedValue::Str("POST".into())
    );
    assert_eq!(attribute(span, "total"), OwnedValue::U64(42));
    // The argument itself comes first.
    assert_eq!(span.attributes[0].0, "order");
}

#[test]
fn self_is_left_out_and_fields_can_read_it() {
    let captured = capture(|| {
        let mut cart = Cart { items: vec![1] };
        cart.add(2);
        assert_eq!(cart.items, [1, 2]);
    });
    if !spans_compiled_in() {
        return;
    }
    let span = captured.span("add").expect("recorded");
    let keys: Vec<&str> = span.attributes.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["item", "items"]);
    assert_eq!(attribute(span, "items"), OwnedValue::U64(1));
}
