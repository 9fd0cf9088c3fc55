fn main() {
    let sku = "A-12";
    omniscope::info!(sku => sku, "looked up");
    omniscope::info!("looked up"; sku => sku);
}
