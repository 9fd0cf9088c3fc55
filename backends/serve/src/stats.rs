//! [`ServerStats`]: what a server holds, and what it refused or cut off.

/// What a server holds now, and what it has refused or cut off since it
/// started (from [`Server::stats`](crate::Server::stats)): every connection
/// or answer it dropped is counted here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerStats {
    /// Connections open now (each holds a slot).
    pub connections: usize,
    /// Bytes of answers handed over but not written to their clients yet
    /// (at most [`with_max_buffered_bytes`](crate::ServerBuilder::with_max_buffered_bytes),
    /// and one answer more while it is being made room for).
    pub buffered_bytes: usize,
    /// Connections closed as soon as they were accepted: every slot was
    /// running a handler.
    pub refused_connections: u64,
    /// Idle connections closed to make room for a new connection or an
    /// answer (the oldest first).
    pub evicted_connections: u64,
    /// Connections closed because their client did not read an answer
    /// within the [write timeout](crate::ServerBuilder::with_write_timeout).
    pub write_timeouts: u64,
    /// Answers replaced by a `503` because they alone exceeded
    /// [`with_max_buffered_bytes`](crate::ServerBuilder::with_max_buffered_bytes).
    pub oversized_responses: u64,
    /// Requests answered `421` because of their `Host` header.
    pub misdirected_requests: u64,
}
