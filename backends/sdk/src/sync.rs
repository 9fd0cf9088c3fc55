//! Locking that survives a panic elsewhere: the facade's one helper.

pub(crate) use omniscope::sync::lock;
