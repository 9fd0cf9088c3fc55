struct State<T>(T);
struct App;

// `skip` names what patterns bind, and says which names there are.
#[omniscope::instrument(skip(state))]
fn unknown_name(State(app): State<App>, (a, b): (u8, u8)) -> u8 {
    let App = app;
    a + b
}

// A name bound by a pattern is recorded like any argument: its type needs
// `Debug` (or `ToValue`), or the name must be skipped.
#[omniscope::instrument]
fn not_recordable(State(app): State<App>) {
    let App = app;
}

fn main() {
    let _ = unknown_name(State(App), (1, 2));
    not_recordable(State(App));
}
