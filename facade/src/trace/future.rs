//! Carrying a span or context across `.await`: [`FutureExt`].

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::Span;
use crate::context::Context;

/// Extension methods that keep the context of a future, whichever thread
/// polls it.
pub trait FutureExt: Future + Sized {
    /// Runs the future inside `span`: the span is current during every poll
    /// and ends when the future completes or is dropped. Accepts a
    /// [`SpanGuard`](crate::SpanGuard) from [`span!`](crate::span) as well.
    ///
    /// A span that started nothing under its parent (see
    /// [`Span::start_in`]) runs the future under that parent, so that calls
    /// it makes stay in the parent's trace; only [`Span::none`] (or a guard
    /// over nothing) leaves the future in the context current at this call.
    ///
    /// ```
    /// use omniscope::FutureExt;
    /// # async fn fetch() {}
    /// # async fn run() {
    /// fetch().in_span(omniscope::span!("fetch")).await;
    /// # }
    /// ```
    ///
    /// To keep the span in a variable first (to read its ids, say) in a
    /// future that must be `Send`, hold it as a [`Span`]: the compiler counts
    /// a [`SpanGuard`](crate::SpanGuard) variable, which is `!Send`, as alive
    /// across later `.await`s even once it is moved into `in_span`.
    ///
    /// ```
    /// use omniscope::{FutureExt, Span};
    /// # async fn fetch() {}
    /// async fn handler() {
    ///     let span: Span = omniscope::span!("fetch").into();
    ///     let _ids = span.context().map(|c| c.trace_id());
    ///     fetch().in_span(span).await;
    ///     fetch().await;
    /// }
    /// fn assert_send<T: Send>(_: T) {}
    /// assert_send(handler());
    /// ```
    fn in_span(self, span: impl Into<Span>) -> Instrumented<Self> {
        let span = span.into();
        let cx = span.as_context().cloned().unwrap_or_else(Context::current);
        Instrumented {
            future: ManuallyDrop::new(self),
            cx,
            _span: span,
        }
    }

    /// Runs the future with the caller's current context (current span,
    /// baggage), e.g. when handing it to `tokio::spawn`.
    fn in_current_span(self) -> Instrumented<Self> {
        Instrumented {
            future: ManuallyDrop::new(self),
            cx: Context::current(),
            _span: Span::none(),
        }
    }
}

impl<F: Future> FutureExt for F {}

/// A future that runs with a context (and owns a span, if given one).
///
/// The context is current during every poll and while the wrapped future
/// is dropped (so a cancelled request's destructors still log with its
/// trace id); the span ends after that.
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<F> {
    /// Dropped by hand, inside `cx`, in `Drop`.
    future: ManuallyDrop<F>,
    cx: Context,
    /// Owned so that the span ends when the future is done or dropped.
    _span: Span,
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `Instrumented` (the `Drop` impl drops it in place), and
        // `Instrumented` has no `Unpin` impl of its own (so it is `Unpin`
        // only when `F` is). `cx` and `_span` are not pinned; `cx` is only read.
        let this = unsafe { self.get_unchecked_mut() };
        // The guard restores the caller's context even if `poll` unwinds.
        let _entered = this.cx.clone().attach();
        // SAFETY: see above; `this.future` stays where it is.
        let future = unsafe { Pin::new_unchecked(&mut *this.future) };
        future.poll(task)
    }
}

impl<F> Drop for Instrumented<F> {
    fn drop(&mut self) {
        let _entered = self.cx.clone().attach();
        // SAFETY: `future` is dropped exactly once, here, and in place (it
        // may be pinned); it is never touched again. If its destructor
        // unwinds, the other fields are still dropped by the drop glue.
        unsafe { ManuallyDrop::drop(&mut self.future) }
    }
}

impl<F> Instrumented<F> {
    /// The wrapped future.
    pub fn inner(&self) -> &F {
        &self.future
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::pin::{pin, Pin};
    use std::task::{Context as TaskContext, Poll, Waker};

    use super::FutureExt;
    use crate::context::current_ids;

    /// Pending once, then ready.
    struct YieldOnce(bool);

    impl Future for YieldOnce {
        type Output = ();

        fn poll(mut self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<()> {
            if std::mem::replace(&mut self.0, true) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        }
    }

    fn poll<F: Future>(fut: Pin<&mut F>) -> Poll<F::Output> {
        fut.poll(&mut TaskContext::from_waker(Waker::noop()))
    }

    /// Holds a borrow of its own state across an await: moving it after the
    /// first poll would leave the borrow dangling (what Miri checks).
    async fn self_referential() -> u8 {
        let data = [7_u8; 4];
        let first = &data[0];
        YieldOnce(false).await;
        *first
    }

    #[test]
    fn pinned_state_survives_polls_and_drops_in_place() {
        let captured = crate::testing::capture(|| {
            // On the heap, polled to completion.
            let mut fut = Box::pin(self_referential().in_span(crate::span!("boxed")));
            assert_eq!(poll(fut.as_mut()), Poll::Pending);
            assert_eq!(poll(fut.as_mut()), Poll::Ready(7));
            drop(fut);
            // On the stack, dropped while suspended (a borrow is live).
            let mut fut = pin!(self_referential().in_current_span());
            assert_eq!(poll(fut.as_mut()), Poll::Pending);
            let mut fut = Box::pin(self_referential().in_span(crate::span!("cancelled")));
            assert_eq!(poll(fut.as_mut()), Poll::Pending);
            drop(fut);
            // Never polled.
            drop(self_referential().in_span(crate::span!("never_polled")));
        });
        let compiled_in = crate::Level::Info <= crate::STATIC_MAX_LEVEL;
        assert_eq!(captured.spans().len(), if compiled_in { 3 } else { 0 });
        assert!(captured.spans().iter().all(|s| s.ended));
    }

    #[test]
    fn the_wrapped_future_is_dropped_inside_the_context() {
        struct NotesIds<'a>(&'a mut Option<Option<(crate::TraceId, crate::SpanId)>>);
        impl Drop for NotesIds<'_> {
            fn drop(&mut self) {
                *self.0 = Some(current_ids());
            }
        }
        let mut seen = None;
        let mut ids = None;
        let _ = crate::testing::capture(|| {
            let span = crate::span!("request");
            ids = span.context().map(|c| (c.trace_id(), c.span_id()));
            let probe = NotesIds(&mut seen);
            let mut fut = Box::pin(
                async move {
                    let _probe = probe;
                    YieldOnce(false).await;
                }
                .in_span(span),
            );
            assert_eq!(poll(fut.as_mut()), Poll::Pending);
            assert_eq!(current_ids(), None);
        });
        assert!(ids.is_some() || crate::Level::Info > crate::STATIC_MAX_LEVEL);
        assert_eq!(seen, Some(ids));
    }
}
