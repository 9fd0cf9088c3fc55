//! Carrying a span or context across `.await`: [`FutureExt`].

use std::future::Future;
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
    /// ```
    /// use omniscope::FutureExt;
    /// # async fn fetch() {}
    /// # async fn run() {
    /// fetch().in_span(omniscope::span!("fetch")).await;
    /// # }
    /// ```
    fn in_span(self, span: impl Into<Span>) -> Instrumented<Self> {
        let span = span.into();
        let cx = span.as_context().cloned().unwrap_or_else(Context::current);
        Instrumented {
            future: self,
            cx,
            _span: span,
        }
    }

    /// Runs the future with the caller's current context (current span,
    /// baggage), e.g. when handing it to `tokio::spawn`.
    fn in_current_span(self) -> Instrumented<Self> {
        Instrumented {
            future: self,
            cx: Context::current(),
            _span: Span::none(),
        }
    }
}

impl<F: Future> FutureExt for F {}

/// A future that runs with a context (and owns a span, if given one).
#[derive(Debug)]
#[must_use = "futures do nothing unless polled"]
pub struct Instrumented<F> {
    future: F,
    cx: Context,
    /// Owned so that the span ends when the future is done or dropped.
    _span: Span,
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        // SAFETY: `future` is structurally pinned: it is never moved out of
        // `Instrumented`, which has no `Drop` impl and no `Unpin` impl of its own
        // (so it is `Unpin` only when `F` is). `cx` is not pinned and is only read.
        let this = unsafe { self.get_unchecked_mut() };
        // The guard restores the caller's context even if `poll` unwinds.
        let _entered = this.cx.clone().attach();
        // SAFETY: see above; `this.future` stays where it is.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        future.poll(task)
    }
}

impl<F> Instrumented<F> {
    /// The wrapped future.
    pub fn inner(&self) -> &F {
        &self.future
    }
}
