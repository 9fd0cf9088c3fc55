//! The omniscope contexts made current by entering `tracing` spans.
//!
//! Entering a `tracing` span attaches its omniscope context to the thread
//! (the same stack that `span!` and `#[instrument]` push onto), so what
//! starts inside it, an omniscope span, a log, another `tracing` span,
//! sees it as the innermost span, whatever kind started first. The guards
//! are `!Send` and belong to the thread, so they wait here, innermost last,
//! until the span is exited on the same thread (`tracing` enters and exits
//! on one thread: an `Instrumented` future does both within each poll).

use std::cell::RefCell;

use omniscope::context::ContextGuard;
use tracing::span::Id;

thread_local! {
    static ENTERED: RefCell<Vec<(Id, ContextGuard)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps `guard` until [`exit`] of `id` on this thread.
pub(crate) fn enter(id: &Id, guard: ContextGuard) {
    let rejected = ENTERED.try_with(|entered| match entered.try_borrow_mut() {
        Ok(mut entered) => {
            entered.push((id.clone(), guard));
            None
        }
        Err(_) => Some(guard),
    });
    // Thread teardown (or a nested use): the context is left at once.
    drop(rejected);
}

/// Leaves the context entered last for `id` on this thread, if any.
pub(crate) fn exit(id: &Id) {
    let guard = ENTERED.try_with(|entered| {
        let mut entered = entered.try_borrow_mut().ok()?;
        // Spans are exited in the reverse order they were entered, nearly
        // always: the innermost, popped without a search.
        if entered.last()?.0 == *id {
            return entered.pop().map(|(_, guard)| guard);
        }
        let at = entered.iter().rposition(|(entered, _)| entered == id)?;
        Some(entered.remove(at).1)
    });
    // Dropped outside the borrow: leaving a context may drop the last clone
    // of a scoped capture, whose code may enter spans.
    drop(guard);
}
