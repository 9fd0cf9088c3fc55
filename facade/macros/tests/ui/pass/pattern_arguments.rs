//! Pattern arguments under `#[instrument]`: their names are recorded,
//! skipped or used in `fields(…)`, with no warning, sync or async.
#![deny(warnings)]

use omniscope::instrument;

struct State<T>(T);
struct Path<T>(T);
struct App;

#[derive(Debug)]
struct Pair {
    left: u8,
    right: u8,
}

#[instrument(skip(app), fields(id = %id))]
fn handler(State(app): State<App>, Path(id): Path<u64>) -> u64 {
    let App = app;
    id
}

#[instrument(skip(app))]
async fn handler_async(State(app): State<App>, Path(id): Path<u64>) -> u64 {
    let App = app;
    id
}

#[instrument(skip_all)]
async fn skipped_and_mutable((mut a, _): (u8, u8), Pair { left, .. }: Pair) -> u8 {
    a += left;
    a
}

#[instrument]
async fn references(&(a, b): &(u8, u8), [first, ..]: [u8; 3], whole @ Pair { .. }: Pair) -> u8 {
    a + b + first + whole.right
}

#[instrument(fields(total = left + right))]
fn struct_pattern(Pair { left, right }: Pair) -> u8 {
    left + right
}

trait Service {
    async fn call(&self, request: (u8, u8)) -> u8;
}

struct Adder;

impl Service for Adder {
    #[instrument(skip(self))]
    async fn call(&self, (a, b): (u8, u8)) -> u8 {
        a + b
    }
}

fn main() {
    let _ = handler(State(App), Path(1));
    let _ = handler_async(State(App), Path(1));
    let _ = skipped_and_mutable((1, 2), Pair { left: 1, right: 2 });
    let _ = references(&(1, 2), [1, 2, 3], Pair { left: 1, right: 2 });
    let _ = struct_pattern(Pair { left: 1, right: 2 });
    let _ = Adder.call((1, 2));
}
