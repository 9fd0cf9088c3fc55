// A level given as a path must resolve, as in `tracing`: a missing import
// is an error, not a silently matched name.
#[omniscope::instrument(level = Level::Debug)]
fn fetch() {}

fn main() {
    fetch();
}
