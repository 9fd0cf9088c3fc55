//! Locking that survives a panic elsewhere.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, taking its data even if a thread panicked while holding
/// it.
///
/// Telemetry must keep working after a panic in user code (a `Display`, a
/// gauge callback, an exporter), and the structures omniscope guards stay
/// consistent between statements, so a poisoned lock says nothing worth
/// stopping for. The one definition for every omniscope crate.
///
/// ```
/// use std::sync::Mutex;
///
/// let seen = Mutex::new(Vec::new());
/// let _ = std::panic::catch_unwind(|| {
///     let _held = seen.lock();
///     panic!("a panic while holding the lock poisons it");
/// });
/// omniscope::sync::lock(&seen).push(1);
/// assert_eq!(*omniscope::sync::lock(&seen), [1]);
/// ```
pub fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
