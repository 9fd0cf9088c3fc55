//! [`CachePadded`]: keeps a hot value off its neighbours' cache lines.

use std::ops::Deref;

/// `T` aligned (and so padded) to 128 bytes: two 64-byte lines, because x86
/// prefetches lines in adjacent pairs.
#[repr(align(128))]
pub(crate) struct CachePadded<T>(T);

impl<T> CachePadded<T> {
    pub(crate) const fn new(value: T) -> CachePadded<T> {
        CachePadded(value)
    }
}

impl<T> Deref for CachePadded<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
