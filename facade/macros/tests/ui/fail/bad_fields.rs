#[omniscope::instrument(fields(order.id))]
fn dotted_without_value(order: u64) {}

#[omniscope::instrument(fields(%total = 3))]
fn sigil_before_key() {}

#[omniscope::instrument(fields(total = ))]
fn missing_value() {}

#[omniscope::instrument(name = "a", name = "b")]
fn duplicate() {}

fn main() {
    dotted_without_value(1);
    sigil_before_key();
    missing_value();
    duplicate();
}
