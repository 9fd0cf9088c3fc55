//! The export thread of a [`Pipeline`](super::Pipeline): waits for a batch,
//! exports it with retries, serves flush and shutdown requests.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::backoff::{self, XorShift};
use super::deadline::{after, instant_after};
use super::pipeline::{wait_timeout, Shared};
use super::stats::{Counters, DropReason};
use super::{Accepted, Batch, ExportError, Exporter};
use crate::resource::Resource;
use crate::sync::lock;

/// What the export thread does next.
enum Action<T> {
    Export(Batch<T>),
    Flush { generation: u64, deadline: Instant },
    Shutdown { deadline: Instant },
    Exit,
}

/// How waiting for a retry ended.
enum Waited {
    Done,
    /// The retry would fall after the shutdown deadline.
    PastShutdown,
    /// Shutdown gave up on this thread.
    Abandoned,
}

/// How one batch ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Settled {
    exported: u64,
    rejected: u64,
    failed: u64,
}

/// The export thread's state: the exporter lives here, and only here.
pub(crate) struct Worker<T> {
    shared: Arc<Shared<T>>,
    exporter: Option<Box<dyn Exporter<T>>>,
    resource: Arc<Resource>,
    rng: XorShift,
}

/// Accounts for whatever is left if the thread ends (normally, or by a bug
/// in this module), and releases waiting callers.
struct ExitGuard<T>(Arc<Shared<T>>);

impl<T> Drop for ExitGuard<T> {
    fn drop(&mut self) {
        let shared = &self.0;
        let mut state = lock(&shared.state);
        // Refuse pushes from now on, as shutdown would.
        if state.shutdown.is_none() {
            state.shutdown = Some(Instant::now());
        }
        let leftovers = if state.abandoned {
            Default::default()
        } else {
            shared.drop_leftovers(&mut state)
        };
        if state.finished.is_none() {
            let message = "the export thread ended unexpectedly: what it held, and \
                           whatever is pushed from now on, is dropped (reason shutdown)";
            shared.counters.set_last_error(message.into());
            state.finished = Some(Err(ExportError::Internal(message.into())));
        }
        shared.close();
        drop(state);
        drop(leftovers);
        shared.progress.notify_all();
    }
}

/// Runs `f`, turning a panic into its message.
pub(crate) fn contained<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// A panic's message; the payload is dropped here, and a payload whose
/// destructor panics in turn is contained too (the second payload is
/// leaked: dropping it could panic again).
fn panic_message(payload: Box<dyn Any + Send>) -> String {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string payload".to_owned());
    if let Err(again) = catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(again);
    }
    message
}

/// Runs an exporter call, turning a panic into [`ExportError::Internal`].
fn guarded<R>(call: impl FnOnce() -> Result<R, ExportError>) -> Result<R, ExportError> {
    contained(call).unwrap_or_else(|message| {
        Err(ExportError::Internal(format!(
            "exporter panicked: {message}"
        )))
    })
}

/// What an error says without the pipeline's verdict ("will retry"), for
/// a message that gives the verdict itself.
fn cause(error: &ExportError) -> String {
    match error {
        ExportError::Retryable { message, .. } | ExportError::Internal(message) => message.clone(),
        other => other.to_string(),
    }
}

impl<T> Worker<T> {
    pub(crate) fn new(
        shared: Arc<Shared<T>>,
        exporter: Box<dyn Exporter<T>>,
        resource: Arc<Resource>,
    ) -> Worker<T> {
        Worker {
            shared,
            exporter: Some(exporter),
            resource,
            rng: XorShift::from_time(),
        }
    }

    /// The thread's body.
    pub(crate) fn run(mut self) {
        omniscope::suppress_current_thread();
        let _exit = ExitGuard(self.shared.clone());
        let batch_timeout = self.shared.config.batch_timeout();
        let mut timer = after(batch_timeout);
        loop {
            match self.next_action(&mut timer) {
                Action::Export(batch) => {
                    let n = batch.len() as u64;
                    // A panic outside the exporter's calls (in this
                    // module, in a recycler, in an item's destructor)
                    // costs this batch too, never the thread.
                    let settled = contained(|| self.export(&batch)).unwrap_or_else(|message| {
                        self.shared.counters.set_last_error(format!(
                            "export failed, {n} items dropped: panicked: {message}"
                        ));
                        Settled {
                            failed: n,
                            ..Settled::default()
                        }
                    });
                    let recycler = self.shared.recycler.get().cloned();
                    let recycled = contained(move || match recycler {
                        Some(recycle) => recycle(batch.chunks),
                        None => drop(batch),
                    });
                    if let Err(message) = recycled {
                        self.shared.counters.set_last_error(format!(
                            "releasing an exported batch panicked: {message}"
                        ));
                    }
                    self.settle(settled);
                    timer = after(batch_timeout);
                }
                Action::Flush {
                    generation,
                    deadline,
                } => {
                    let outcome = self.call("flush", |e| e.flush(deadline));
                    let mut state = lock(&self.shared.state);
                    state.flush_done = state.flush_done.max(generation);
                    state.flush_outcome = outcome;
                    drop(state);
                    self.shared.progress.notify_all();
                }
                Action::Shutdown { deadline } => {
                    let flushed = self.call("flush", |e| e.flush(deadline));
                    let shut = self.call("shutdown", |e| e.shutdown(deadline));
                    // Drop the exporter here, so that joining this thread
                    // never waits for an exporter's destructor.
                    let exporter = self.exporter.take();
                    let dropped = guarded(move || {
                        drop(exporter);
                        Ok(())
                    });
                    if let Err(error) = &dropped {
                        self.shared.counters.set_last_error(format!(
                            "dropping the exporter failed: {}",
                            cause(error)
                        ));
                    }
                    let mut state = lock(&self.shared.state);
                    if state.finished.is_none() {
                        state.finished = Some(flushed.and(shut).and(dropped));
                    }
                    drop(state);
                    self.shared.progress.notify_all();
                    return;
                }
                Action::Exit => return,
            }
        }
    }

    /// Waits for the next thing to do.
    fn next_action(&mut self, timer: &mut Instant) -> Action<T> {
        let shared = &*self.shared;
        let threshold = shared.config.send_threshold();
        let mut state = lock(&shared.state);
        loop {
            if state.abandoned {
                return Action::Exit;
            }
            let now = Instant::now();
            let flush_pending = state.flush_requested > state.flush_done;
            let drain = state.shutdown.is_some()
                || (flush_pending && state.taken_total < state.flush_target);
            if state.queued > 0 && (drain || state.queued >= threshold || now >= *timer) {
                let batch = Batch::take_from(&mut state.queue, shared.config.max_batch());
                state.queued -= batch.len();
                state.in_flight = batch.len();
                state.taken_total += batch.len() as u64;
                shared.publish(&state);
                return Action::Export(batch);
            }
            if flush_pending {
                let generation = state.flush_requested;
                let deadline = state.flush_deadline.unwrap_or(now);
                return Action::Flush {
                    generation,
                    deadline,
                };
            }
            if let Some(deadline) = state.shutdown {
                return Action::Shutdown { deadline };
            }
            if now >= *timer {
                *timer = instant_after(now, shared.config.batch_timeout());
            }
            state.worker_waiting = true;
            state = wait_timeout(&shared.work, state, timer.saturating_duration_since(now));
            state.worker_waiting = false;
        }
    }

    /// Calls the exporter's `what` (flush, shutdown), catching panics;
    /// records failures.
    fn call<R>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut dyn Exporter<T>) -> Result<R, ExportError>,
    ) -> Result<R, ExportError> {
        let result = self.attempt(f);
        if let Err(error) = &result {
            self.shared
                .counters
                .set_last_error(format!("exporter {what} failed: {}", cause(error)));
        }
        result
    }

    /// Calls the exporter, catching panics.
    fn attempt<R>(
        &mut self,
        f: impl FnOnce(&mut dyn Exporter<T>) -> Result<R, ExportError>,
    ) -> Result<R, ExportError> {
        let Some(exporter) = self.exporter.as_mut() else {
            return Err(ExportError::AlreadyShutdown);
        };
        guarded(|| f(exporter.as_mut()))
    }

    /// Exports one batch, retrying retryable failures within the budget;
    /// `last_error` says what became of a batch that failed.
    fn export(&mut self, batch: &Batch<T>) -> Settled {
        let n = batch.len() as u64;
        let config = self.shared.config.clone();
        let budget_end = after(config.export_timeout());
        let resource = self.resource.clone();
        let failed = Settled {
            failed: n,
            ..Settled::default()
        };
        let mut attempt = 0;
        loop {
            let error = match self.attempt(|e| e.export(batch, &resource)) {
                Ok(Accepted::All) => {
                    return Settled {
                        exported: n,
                        ..Settled::default()
                    }
                }
                Ok(Accepted::Partial { rejected }) => {
                    let rejected = rejected.min(n);
                    return Settled {
                        exported: n - rejected,
                        rejected,
                        failed: 0,
                    };
                }
                Err(error) => error,
            };
            let counters = &self.shared.counters;
            // Said before it is counted: whoever sees the count sees why
            // (the branches below say what became of the batch).
            counters.set_last_error(error.to_string());
            Counters::add(&counters.errors, 1);
            let tries = match attempt {
                0 => "1 attempt".to_owned(),
                retries => format!("{} attempts", u64::from(retries) + 1),
            };
            if !error.is_retryable() {
                counters.set_last_error(format!(
                    "export failed, {n} items dropped: {}",
                    cause(&error)
                ));
                return failed;
            }
            if attempt >= config.max_retries() {
                counters.set_last_error(format!(
                    "export failed, {n} items dropped after {tries}: {}",
                    cause(&error)
                ));
                return failed;
            }
            let retry_after = match &error {
                ExportError::Retryable { retry_after, .. } => *retry_after,
                _ => None,
            };
            let wait = backoff::delay(
                attempt,
                config.initial_backoff(),
                config.max_backoff(),
                retry_after,
                &mut self.rng,
            );
            // A wait the clock cannot even represent is past any budget.
            let retry_at = Instant::now()
                .checked_add(wait)
                .filter(|at| *at <= budget_end);
            if let Some(retry_at) = retry_at {
                match self.wait_for_retry(retry_at) {
                    Waited::Done => {
                        attempt += 1;
                        Counters::add(&self.shared.counters.retries, 1);
                        continue;
                    }
                    // Shutdown counted the batch and said why in last_error.
                    Waited::Abandoned => return failed,
                    Waited::PastShutdown => {}
                }
            }
            counters.set_last_error(format!(
                "export failed, {n} items dropped after {tries}: {}, past the export \
                 timeout ({:?}) or the shutdown deadline: {}",
                waited(wait, retry_after),
                config.export_timeout(),
                cause(&error)
            ));
            return failed;
        }
    }

    /// Sleeps until `retry_at`, unless shutdown must be done by then or
    /// gave up on this thread.
    fn wait_for_retry(&self, retry_at: Instant) -> Waited {
        let mut state = lock(&self.shared.state);
        loop {
            if state.abandoned {
                return Waited::Abandoned;
            }
            if state.shutdown.is_some_and(|deadline| retry_at > deadline) {
                return Waited::PastShutdown;
            }
            let now = Instant::now();
            if now >= retry_at {
                return Waited::Done;
            }
            state = wait_timeout(
                &self.shared.work,
                state,
                retry_at.saturating_duration_since(now),
            );
        }
    }

    /// Counts how a batch ended, unless shutdown already counted it.
    fn settle(&self, settled: Settled) {
        let shared = &*self.shared;
        let mut state = lock(&shared.state);
        if state.abandoned {
            return;
        }
        let counters = &shared.counters;
        Counters::add(&counters.exported, settled.exported);
        counters.drop_items(DropReason::Rejected, settled.rejected);
        counters.drop_items(DropReason::ExportFailed, settled.failed);
        state.in_flight = 0;
        shared.publish(&state);
    }
}

/// What the next retry would have waited for, for `last_error`.
fn waited(wait: Duration, retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(after) if after >= wait => format!("the server asked to wait {after:?}"),
        _ => format!("the next retry was due in {wait:?}"),
    }
}
