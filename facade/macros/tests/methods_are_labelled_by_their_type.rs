//! Issue #14, item 11: same-named methods of different types in one module
//! get distinct `function` labels, `module::Type::method`: methods with a
//! receiver or `Self` in their signature, sync or async, generic types
//! under one label, a trait's default method by each type it runs on.
//! Functions that show no `Self` keep `module::function`.

mod common;

use common::spans_compiled_in;
use omniscope::instrument;
use omniscope::testing::{capture, Captured};

struct Orders;
struct Users;
struct Cache<T>(T);

impl Orders {
    #[instrument]
    fn get(&self, id: u64) -> u64 {
        id
    }

    #[instrument]
    fn new() -> Self {
        Orders
    }

    #[instrument]
    async fn load(&self) -> u8 {
        1
    }

    /// Nothing in the signature shows `Self`: `module::helper`.
    #[instrument]
    fn helper() -> u8 {
        2
    }
}

impl Users {
    #[instrument]
    fn get(&self, id: u64) -> u64 {
        id + 1
    }

    #[instrument]
    async fn load(&self) -> u8 {
        2
    }
}

impl<T: Clone> Cache<T> {
    #[instrument(skip_all)]
    fn get(&self) -> T {
        self.0.clone()
    }
}

trait Describe {
    #[instrument]
    fn describe(&self) -> &'static str {
        "thing"
    }
}

impl Describe for Orders {}
impl Describe for Users {}

fn calls(captured: &Captured, label: &str) -> Option<u64> {
    let function = format!("{}::{label}", module_path!());
    captured.counter("function.calls", &[("function", &function)])
}

#[test]
fn same_named_methods_are_told_apart() {
    let captured = capture(|| {
        let orders = Orders::new();
        orders.get(1);
        orders.get(2);
        Users.get(3);
        Cache(1_u8).get();
        Cache("x".to_owned()).get();
        orders.describe();
        Users.describe();
        Users.describe();
        Orders::helper();
    });
    assert_eq!(calls(&captured, "Orders::get"), Some(2));
    assert_eq!(calls(&captured, "Users::get"), Some(1));
    assert_eq!(calls(&captured, "Orders::new"), Some(1));
    assert_eq!(
        calls(&captured, "Cache::get"),
        Some(2),
        "one label for every T"
    );
    assert_eq!(calls(&captured, "Orders::describe"), Some(1));
    assert_eq!(calls(&captured, "Users::describe"), Some(2));
    assert_eq!(calls(&captured, "helper"), Some(1));
    assert_eq!(calls(&captured, "get"), None);
    if !spans_compiled_in() {
        return;
    }
    let functions: Vec<Option<String>> = captured
        .spans()
        .iter()
        .filter(|s| s.name == "get")
        .map(|s| s.function.clone())
        .collect();
    let here = module_path!();
    assert_eq!(
        functions,
        [
            Some(format!("{here}::Orders::get")),
            Some(format!("{here}::Orders::get")),
            Some(format!("{here}::Users::get")),
            Some(format!("{here}::Cache::get")),
            Some(format!("{here}::Cache::get")),
        ]
    );
}

#[tokio::test]
async fn async_methods_too() {
    let recorder = omniscope::testing::Recorder::new();
    {
        let _active = recorder.activate();
        let _cx = recorder.context().attach();
        assert_eq!(Orders.load().await + Users.load().await, 3);
    }
    let captured = recorder.captured();
    assert_eq!(calls(&captured, "Orders::load"), Some(1));
    assert_eq!(calls(&captured, "Users::load"), Some(1));
}
