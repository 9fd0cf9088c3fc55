//! `Type::method` labels: a method's [`Function`] for each `Self` type.
//!
//! An attribute on a method cannot see the `impl` it sits in, so the
//! expansion passes `type_name::<Self>()` at the call instead (for
//! functions whose signature has a receiver or names `Self`), and
//! [`Function::start_method`] labels the call `module::Type::method`. The
//! `static` in the method's body is shared by every `Self` it is called on
//! (every implementor of a trait's default method, every `Foo<T>`), so it
//! keeps a `Function` per type: the first in a [`OnceLock`] (one acquire
//! load and a pointer comparison per call), others in a list behind a
//! mutex. Each is built and leaked once per distinct type (generics
//! stripped: `Foo<u8>` and `Foo<String>` share `Foo`'s): bounded by the
//! program's code, never by its input. Nothing of this runs unless a
//! tracer, meter or capture is there.

use std::sync::{Mutex, OnceLock};

use super::{Call, Function, FunctionLabels};
use crate::global::{self, Signal, SCOPED};
use crate::sync::lock;
use crate::trace::{Span, SpanSite};

/// The per-type `Function`s of one method, keyed by `type_name::<Self>()`.
#[derive(Debug)]
pub(super) struct Typed {
    first: OnceLock<(&'static str, &'static Function)>,
    more: Mutex<Vec<(&'static str, &'static Function)>>,
}

impl Typed {
    pub(super) const fn new() -> Typed {
        Typed {
            first: OnceLock::new(),
            more: Mutex::new(Vec::new()),
        }
    }
}

impl Function {
    /// [`start`](Function::start) for a method: the call is labelled
    /// `module::Type::method`, `Type` being `self_type`
    /// (`type_name::<Self>()`) without its path and generics.
    #[inline]
    pub fn start_method(
        &'static self,
        self_type: &'static str,
        span: impl FnOnce(&'static SpanSite) -> Span,
    ) -> Call {
        let state = global::state();
        if state & (Signal::Tracer.bit() | Signal::Meter.bit() | SCOPED) == 0 {
            return self.start_with(state, span);
        }
        self.for_type(self_type).start_with(state, span)
    }

    fn for_type(&'static self, self_type: &'static str) -> &'static Function {
        match self.typed.first.get() {
            Some((name, function)) if same(name, self_type) => function,
            _ => self.for_type_slow(self_type),
        }
    }

    #[cold]
    fn for_type_slow(&'static self, self_type: &'static str) -> &'static Function {
        let mut more = lock(&self.typed.more);
        let known = self.typed.first.get().into_iter().chain(more.iter());
        if let Some(&(_, function)) = known.clone().find(|(name, _)| same(name, self_type)) {
            return function;
        }
        // Another monomorphization of the same type (`Foo<u8>`, `Foo<String>`)
        // shares its `Function`.
        let qualified = self.qualified_for(type_label(self_type));
        let function = match known
            .map(|(_, f)| *f)
            .find(|f| f.qualified_name() == qualified)
        {
            Some(function) => function,
            None => self.leak(qualified),
        };
        if self.typed.first.set((self_type, function)).is_err() {
            more.push((self_type, function));
        }
        function
    }

    /// `module::Type::method`.
    fn qualified_for(&self, type_label: &str) -> String {
        let qualified = self.qualified_name();
        let (module, method) = qualified.rsplit_once("::").unwrap_or(("", qualified));
        if module.is_empty() {
            format!("{type_label}::{method}")
        } else {
            format!("{module}::{type_label}::{method}")
        }
    }

    /// A `Function` like this one, labelled `qualified`; leaked, once per
    /// type (see the module docs).
    fn leak(&self, qualified: String) -> &'static Function {
        let name: &'static str = Box::leak(qualified.into_boxed_str());
        let site = &self.site;
        let site = SpanSite::new(site.name(), site.target(), site.file(), site.line())
            .with_level(site.level())
            .with_kind(site.kind())
            .with_function(name);
        let labels: &'static FunctionLabels = Box::leak(Box::new(FunctionLabels::new(name)));
        Box::leak(Box::new(Function::new(site, labels)))
    }
}

/// The same type name: the same `&'static str` (one monomorphization), or
/// equal text.
fn same(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

/// `Type` for `my::module::Type<T>`, `&my::Type`, `dyn my::Trait`.
fn type_label(type_name: &str) -> &str {
    let bare = type_name
        .trim_start_matches(['&', '*'])
        .trim_start_matches("mut ")
        .trim_start_matches("const ")
        .trim_start_matches("dyn ");
    crate::error::short_type_name(bare)
}

#[cfg(test)]
mod tests {
    use super::type_label;

    #[test]
    fn type_labels_drop_paths_generics_and_references() {
        assert_eq!(type_label("orders::Inventory"), "Inventory");
        assert_eq!(type_label("orders::Cache<alloc::string::String>"), "Cache");
        assert_eq!(type_label("&mut orders::Inventory"), "Inventory");
        assert_eq!(type_label("dyn orders::Audit"), "Audit");
        assert_eq!(type_label("u8"), "u8");
    }
}
