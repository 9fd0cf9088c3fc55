//! Methods keep working with every receiver; `self` is never recorded, and
//! trait methods (default bodies and implementations) are instrumented too.

mod common;

use common::spans_compiled_in;
use omniscope::instrument;
use omniscope::testing::capture;

#[derive(Debug, Default, Clone)]
struct Inventory {
    items: Vec<String>,
}

impl Inventory {
    #[instrument]
    fn new() -> Inventory {
        Inventory::default()
    }

    #[instrument]
    fn add(&mut self, item: &str) -> &mut Inventory {
        self.items.push(item.to_owned());
        self
    }

    #[instrument]
    fn first(&self) -> Option<&str> {
        self.items.first().map(String::as_str)
    }

    #[instrument]
    fn into_count(self) -> usize {
        self.items.len()
    }

    #[instrument]
    fn boxed_count(self: Box<Self>) -> usize {
        self.items.len()
    }
}

trait Audit {
    fn name(&self) -> String;

    #[instrument]
    fn audit(&self) -> String {
        format!("audited {}", self.name())
    }
}

impl Audit for Inventory {
    #[instrument]
    fn name(&self) -> String {
        format!("inventory of {}", self.items.len())
    }
}

#[test]
fn every_receiver_works_and_self_is_not_recorded() {
    let captured = capture(|| {
        let mut inventory = Inventory::new();
        inventory.add("apple").add("pear");
        assert_eq!(inventory.first(), Some("apple"));
        assert_eq!(inventory.audit(), "audited inventory of 2");
        assert_eq!(Box::new(inventory.clone()).boxed_count(), 2);
        assert_eq!(inventory.into_count(), 2);
    });
    // Labelled `module::Type::method` (#14): the trait's default method by
    // the type it was called on.
    let calls = |name: &str| {
        let function = format!("{}::Inventory::{name}", module_path!());
        captured.counter("function.calls", &[("function", &function)])
    };
    assert_eq!(calls("add"), Some(2));
    assert_eq!(calls("audit"), Some(1));
    assert_eq!(calls("name"), Some(1));
    if !spans_compiled_in() {
        return;
    }
    let names: Vec<&str> = captured.spans().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "new",
            "add",
            "add",
            "first",
            "audit",
            "name",
            "boxed_count",
            "into_count"
        ]
    );
    for span in captured.spans() {
        assert!(span.attribute("self").is_none());
    }
    let add = captured.span("add").expect("recorded");
    assert_eq!(
        add.attribute("item").map(ToString::to_string).as_deref(),
        Some("apple")
    );
    let audit = captured.span("audit").expect("recorded");
    let name = captured.span("name").expect("recorded");
    assert_eq!(name.parent_span_id, Some(audit.span_id));
    assert_eq!(
        audit.function.as_deref(),
        Some(concat!(module_path!(), "::Inventory::audit"))
    );
}
