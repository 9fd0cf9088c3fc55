#[omniscope::instrument(level = "verbose")]
fn by_string() {}

#[omniscope::instrument(level = omniscope::Level::Loud)]
fn by_path() {}

#[omniscope::instrument(level = 3)]
fn by_number() {}

#[omniscope::instrument(kind = "backend")]
fn bad_kind() {}

fn main() {
    by_string();
    by_path();
    by_number();
    bad_kind();
}
