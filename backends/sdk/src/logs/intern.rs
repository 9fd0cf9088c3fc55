//! Interning of call-site strings (targets, module paths, file names), so a
//! record's [`LogData`](super::LogData) borrows them instead of allocating
//! three strings per record.
//!
//! Records borrow these strings for the call only, although the macros pass
//! `'static` ones; the first record from a call site copies each string once
//! into a process-wide set (leaked, to be `'static`), bounded to
//! [`MAX_BYTES`] in total: past it, or for a string longer than [`MAX_LEN`],
//! records get an owned copy as before. A per-thread cache keyed by the
//! string's address (and confirmed by comparing contents, since a borrowed
//! string's address may be reused) spares the shared lock on the hot path.

use crate::sync::lock;
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// The most bytes interned over the process's life.
pub(crate) const MAX_BYTES: usize = 1 << 20;

/// The longest string interned.
pub(crate) const MAX_LEN: usize = 512;

/// Entries a thread's cache holds before it starts over.
const CACHE_ENTRIES: usize = 512;

static INTERNED: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
static INTERNED_BYTES: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static CACHE: RefCell<HashMap<(usize, usize), &'static str>> = RefCell::new(HashMap::new());
}

/// `s` as a `'static` string when it can be interned, else an owned copy.
pub(crate) fn intern(s: &str) -> Cow<'static, str> {
    if s.len() > MAX_LEN {
        return Cow::Owned(s.to_owned());
    }
    let key = (s.as_ptr() as usize, s.len());
    let cached = CACHE
        .try_with(|cache| {
            let mut cache = cache.try_borrow_mut().ok()?;
            if let Some(hit) = cache.get(&key).copied().filter(|hit| *hit == s) {
                return Some(hit);
            }
            let interned = intern_shared(s)?;
            if cache.len() >= CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(key, interned);
            Some(interned)
        })
        .ok()
        .flatten()
        .or_else(|| intern_shared(s));
    match cached {
        Some(interned) => Cow::Borrowed(interned),
        None => Cow::Owned(s.to_owned()),
    }
}

/// Looks `s` up in the process-wide set, adding it within the budget.
fn intern_shared(s: &str) -> Option<&'static str> {
    let set = INTERNED.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = lock(set);
    if let Some(found) = set.get(s) {
        return Some(found);
    }
    let used = INTERNED_BYTES.load(Ordering::Relaxed);
    if used + s.len() > MAX_BYTES {
        return None;
    }
    INTERNED_BYTES.store(used + s.len(), Ordering::Relaxed);
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    set.insert(leaked);
    Some(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_copy() {
        let a = intern("orders::db");
        let owned = String::from("orders::db");
        let b = intern(&owned);
        match (&a, &b) {
            (Cow::Borrowed(x), Cow::Borrowed(y)) => assert!(std::ptr::eq(*x, *y)),
            other => panic!("{other:?}"),
        }
        assert!(matches!(intern(&"x".repeat(MAX_LEN + 1)), Cow::Owned(_)));
    }

    #[test]
    fn a_reused_address_is_checked_by_content() {
        let mut buffer = String::from("first::target");
        assert_eq!(intern(&buffer), "first::target");
        buffer.clear();
        buffer.push_str("other::target");
        assert_eq!(intern(&buffer), "other::target");
    }
}
