#[omniscope::instrument(lvl = "debug")]
fn handle() {}

fn main() {
    handle();
}
