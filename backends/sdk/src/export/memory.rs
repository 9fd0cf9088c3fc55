//! An exporter that keeps what it receives in memory, for tests.

use std::sync::{Arc, Mutex};

use super::{Accepted, Batch, ExportError, Exporter};
use crate::resource::Resource;
use crate::sync::lock;

/// Keeps every exported item (up to a bound); read them through its
/// [`InMemoryHandle`].
#[derive(Debug)]
pub struct InMemoryExporter<T> {
    name: String,
    shared: Arc<Mutex<Vec<T>>>,
    capacity: usize,
}

/// Reads what an [`InMemoryExporter`] received.
#[derive(Debug)]
pub struct InMemoryHandle<T> {
    shared: Arc<Mutex<Vec<T>>>,
}

impl<T> Clone for InMemoryHandle<T> {
    fn clone(&self) -> Self {
        InMemoryHandle {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Clone> InMemoryExporter<T> {
    /// An exporter named `"memory"` keeping up to one million items, and its handle.
    pub fn new() -> (InMemoryExporter<T>, InMemoryHandle<T>) {
        InMemoryExporter::with_capacity("memory", 1_000_000)
    }

    /// An exporter with a name, keeping up to `capacity` items (later ones
    /// are rejected and counted as dropped), and its handle.
    pub fn with_capacity(
        name: impl Into<String>,
        capacity: usize,
    ) -> (InMemoryExporter<T>, InMemoryHandle<T>) {
        let shared = Arc::new(Mutex::new(Vec::new()));
        let handle = InMemoryHandle {
            shared: shared.clone(),
        };
        (
            InMemoryExporter {
                name: name.into(),
                shared,
                capacity,
            },
            handle,
        )
    }
}

impl<T: Clone + Send> Exporter<T> for InMemoryExporter<T> {
    fn name(&self) -> &str {
        &self.name
    }

    fn export(&mut self, batch: &Batch<T>, _: &Resource) -> Result<Accepted, ExportError> {
        let mut items = lock(&self.shared);
        let room = self.capacity.saturating_sub(items.len());
        items.extend(batch.iter().take(room).cloned());
        let rejected = batch.len().saturating_sub(room) as u64;
        Ok(if rejected == 0 {
            Accepted::All
        } else {
            Accepted::Partial { rejected }
        })
    }
}

impl<T: Clone> InMemoryHandle<T> {
    /// A copy of everything received so far.
    pub fn items(&self) -> Vec<T> {
        lock(&self.shared).clone()
    }

    /// How many items were received.
    pub fn len(&self) -> usize {
        lock(&self.shared).len()
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        lock(&self.shared).is_empty()
    }

    /// Takes everything received so far.
    pub fn take(&self) -> Vec<T> {
        std::mem::take(&mut *lock(&self.shared))
    }
}
