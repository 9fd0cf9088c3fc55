#[derive(Debug)]
struct Item;

fn main() {
    let (sku, item) = ("A-12", Item);
    // `tracing` users may put fields after the message: the error shows
    // both forms that work.
    omniscope::info!("looked up {}", 1, sku = %sku);
    omniscope::warn!("looked up", ?item);
}
