//! [`Watched`]: a connection's socket, counting what is written (so the
//! registry knows which answers are still unread) and failing a write that
//! is still waiting for the client when its answer's deadline passes.

use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::{Instant, Sleep};

use crate::registry::Registry;

/// The socket of connection `id` of `registry`.
#[derive(Debug)]
pub(crate) struct Watched {
    stream: TcpStream,
    registry: Arc<Registry>,
    id: u64,
    /// Armed while a write waits for the client, at the answer's deadline.
    timer: Option<Pin<Box<Sleep>>>,
}

impl Watched {
    pub(crate) fn new(stream: TcpStream, registry: Arc<Registry>, id: u64) -> Watched {
        Watched {
            stream,
            registry,
            id,
            timer: None,
        }
    }

    /// A write of `written` finished: count it. Still pending: wait for the
    /// client until the deadline of the answer being written, then fail
    /// (hyper closes the connection).
    fn watch(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) => {
                self.registry.wrote(self.id, n);
                Poll::Ready(Ok(n))
            }
            Poll::Pending => self.poll_deadline(cx).map(Err),
            failed => failed,
        }
    }

    fn poll_deadline(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        // No answer yet (hyper writing an error of its own): the header
        // timeout and eviction bound that connection.
        let Some(by) = self.registry.write_by(self.id) else {
            return Poll::Pending;
        };
        let by = Instant::from_std(by);
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(by)));
        if timer.deadline() != by {
            timer.as_mut().reset(by);
        }
        ready!(timer.as_mut().poll(cx));
        self.registry.count_write_timeout();
        Poll::Ready(io::Error::new(
            io::ErrorKind::TimedOut,
            "the client did not read the answer within the write timeout",
        ))
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write(cx, buf);
        this.watch(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        this.watch(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}
