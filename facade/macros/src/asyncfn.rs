//! `async fn` → `fn … -> impl Future`, so that the span starts when the
//! function is called (its parent is the caller's current span, and a
//! `testing` capture follows the future wherever it is polled).
//!
//! An `async fn` runs nothing until it is first polled, so the rewrite is
//! the only way to act at the call. It keeps what `async fn` promises:
//! - every argument moves into the future (and drops when it completes), as
//!   the compiler's own lowering does: `let _ = &x;` for plain names,
//!   `let (a, b) = __omniscope_arg0;` for patterns. So that the names a
//!   pattern binds can be recorded and used in `fields(…)` at the call,
//!   the function first binds them by reference
//!   (`let &(ref a, ref b) = &__omniscope_arg0;`: explicit `&` and `ref`, so
//!   that no default binding mode is involved and every edition accepts
//!   it), then moves the argument into the future;
//! - the future captures every lifetime of the arguments, in every edition:
//!   elided ones are named (`'__omniscope0`) and listed, with the argument
//!   types, in a `Captures<(…)>` bound; elided output lifetimes follow the
//!   elision rules (`&self` first, else the only input lifetime);
//! - rustdoc shows the original `async fn` (`#[cfg(doc)]`).
//!
//! One thing it cannot see: a lifetime hidden in a path (`Wrap` instead of
//! `Wrap<'_>`). Alone it is still captured (elision gives the bound's `Wrap`
//! the only input lifetime); beside other lifetimes the compiler asks for `'_`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{
    FnArg, GenericParam, ItemFn, Lifetime, LifetimeParam, Pat, PatIdent, ReturnType, Signature,
    Token, Type, TypeReference,
};

use crate::expand::{annotation_type, output_type, plain_ident, split_attrs, Locals};

pub(crate) fn expand(
    item: ItemFn,
    locals: &Locals,
    site: TokenStream,
    start: TokenStream,
    observe: TokenStream,
) -> syn::Result<TokenStream> {
    let original = item.clone();
    let ItemFn {
        attrs,
        vis,
        mut sig,
        block,
    } = item;
    let (outer, inner) = split_attrs(attrs);
    let ty = annotation_type(&sig.output);
    let (prelude, borrowed) = move_arguments(&mut sig);
    rewrite_signature(&mut sig);
    let Locals {
        call,
        result,
        entered,
        ..
    } = locals;
    let stmts = &block.stmts;
    Ok(quote! {
        #[cfg(doc)]
        #original

        #[cfg(not(doc))]
        #(#outer)*
        #[allow(refining_impl_trait)]
        #vis #sig {
            #(#inner)*
            #site
            #(#borrowed)*
            let #call = #start;
            async move {
                // A local, not a capture: dropped after the body if cancelled.
                let mut #call = #call;
                let #result: #ty = #call.run(async move {
                    #(#prelude)*
                    #(#stmts)*
                }).await;
                {
                    let #entered = #call.enter();
                    #observe
                    #call.finish();
                }
                #result
            }
        }
    })
}

/// Statements that move every argument into the future; non-name patterns
/// are replaced by `__omniscope_argN` in the signature and destructured
/// there. Also the statements that bind, by reference, the names those
/// patterns bind, for the call's fields.
fn move_arguments(sig: &mut Signature) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let mut prelude = Vec::new();
    let mut borrowed = Vec::new();
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        match arg {
            FnArg::Receiver(receiver) => {
                let token = &receiver.self_token;
                prelude.push(quote!(let _ = &#token;));
            }
            FnArg::Typed(typed) => {
                if let Some(ident) = plain_ident(&typed.pat) {
                    prelude.push(quote!(let _ = &#ident;));
                    continue;
                }
                let name = format_ident!("__omniscope_arg{}", i, span = Span::mixed_site());
                let pat = std::mem::replace(
                    &mut *typed.pat,
                    Pat::Ident(PatIdent {
                        attrs: Vec::new(),
                        by_ref: None,
                        mutability: None,
                        ident: name.clone(),
                        subpat: None,
                    }),
                );
                let mut by_ref = pat.clone();
                BindByRef.visit_pat_mut(&mut by_ref);
                borrowed.push(quote! {
                    #[allow(unused_variables, clippy::needless_borrowed_reference)]
                    let &(#by_ref) = &#name;
                });
                prelude.push(quote!(let #pat = #name;));
            }
        }
    }
    (prelude, borrowed)
}

/// Makes every binding of a pattern `ref x` (from `x`, `mut x`, `ref mut x`).
struct BindByRef;

impl VisitMut for BindByRef {
    fn visit_pat_ident_mut(&mut self, pat: &mut PatIdent) {
        pat.by_ref = Some(Token![ref](pat.ident.span()));
        pat.mutability = None;
        visit_mut::visit_pat_ident_mut(self, pat);
    }
}

/// Drops `async`, names elided input lifetimes, and returns
/// `impl Future<Output = …> + Captures<(…)>`.
fn rewrite_signature(sig: &mut Signature) {
    sig.asyncness = None;
    let mut namer = NameElided::default();
    let mut captured: Vec<Type> = Vec::new();
    let mut self_lifetime = None;
    for arg in sig.inputs.iter_mut() {
        match arg {
            FnArg::Receiver(receiver) if receiver.colon_token.is_none() => {
                if let Some((and, lifetime)) = &mut receiver.reference {
                    let named = lifetime
                        .get_or_insert_with(|| namer.fresh(and.span))
                        .clone();
                    let mutability = receiver.mutability;
                    *receiver.ty = syn::parse_quote!(&#named #mutability Self);
                    self_lifetime = Some(named);
                }
                captured.push((*receiver.ty).clone());
            }
            FnArg::Receiver(receiver) => {
                namer.visit_type_mut(&mut receiver.ty);
                self_lifetime = self_reference_lifetime(&receiver.ty);
                captured.push((*receiver.ty).clone());
            }
            FnArg::Typed(typed) => {
                namer.visit_type_mut(&mut typed.ty);
                let mut ty = (*typed.ty).clone();
                UnitForImplTrait.visit_type_mut(&mut ty);
                captured.push(ty);
            }
        }
    }
    for param in sig.generics.lifetimes() {
        let lifetime = &param.lifetime;
        captured.push(syn::parse_quote!(&#lifetime ()));
    }
    // Elided output lifetimes: `&self`'s, else the only input lifetime.
    let output_lifetime = self_lifetime.or_else(|| {
        let mut all = CollectLifetimes::default();
        for arg in &sig.inputs {
            match arg {
                FnArg::Receiver(r) => all.visit_type(&r.ty),
                FnArg::Typed(t) => all.visit_type(&t.ty),
            }
        }
        (all.0.len() == 1).then(|| all.0.remove(0))
    });
    let mut output = output_type(&sig.output);
    if let Some(lifetime) = output_lifetime {
        AssignElided {
            assign: |_| lifetime.clone(),
            into_impl_trait: true,
        }
        .visit_type_mut(&mut output);
    }
    // New lifetimes go after the existing ones (lifetimes come first).
    let at = sig.generics.lifetimes().count();
    for (i, lifetime) in namer.names.into_iter().enumerate() {
        sig.generics
            .params
            .insert(at + i, GenericParam::Lifetime(LifetimeParam::new(lifetime)));
    }
    if sig.generics.lt_token.is_none() && !sig.generics.params.is_empty() {
        sig.generics.lt_token = Some(Token![<](Span::call_site()));
        sig.generics.gt_token = Some(Token![>](Span::call_site()));
    }
    let captured: Punctuated<Type, Token![,]> = captured.into_iter().collect();
    let arrow = match &sig.output {
        ReturnType::Type(arrow, _) => *arrow,
        ReturnType::Default => Token![->](Span::call_site()),
    };
    let comma = (!captured.is_empty() && !captured.trailing_punct()).then(|| quote!(,));
    sig.output = ReturnType::Type(
        arrow,
        Box::new(syn::parse_quote! {
            impl ::core::future::Future<Output = #output>
                + ::omniscope::__private::Captures<(#captured #comma)>
        }),
    );
}

/// Names elided lifetimes: each new name is pushed to `names`.
#[derive(Default)]
struct NameElided {
    names: Vec<Lifetime>,
}

impl NameElided {
    fn fresh(&mut self, span: Span) -> Lifetime {
        let lifetime = Lifetime::new(&format!("'__omniscope{}", self.names.len()), span);
        self.names.push(lifetime.clone());
        lifetime
    }

    /// Names every elided lifetime in `ty`.
    fn visit_type_mut(&mut self, ty: &mut Type) {
        AssignElided {
            assign: |span| self.fresh(span),
            into_impl_trait: false,
        }
        .visit_type_mut(ty);
    }
}

/// Replaces every elided lifetime it visits (`&T`, `'_`) with the one
/// `assign` gives (a fresh name for inputs, the elision rules' choice for
/// the output), except in `fn(&T)` types and `Fn(&T)` bounds, which have
/// their own elision scope. Input `impl Trait` types are left alone
/// (`into_impl_trait: false`): they are type parameters.
struct AssignElided<F> {
    assign: F,
    into_impl_trait: bool,
}

impl<F: FnMut(Span) -> Lifetime> VisitMut for AssignElided<F> {
    fn visit_type_reference_mut(&mut self, reference: &mut TypeReference) {
        if reference.lifetime.is_none() {
            reference.lifetime = Some((self.assign)(reference.and_token.span));
        }
        visit_mut::visit_type_reference_mut(self, reference);
    }

    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident == "_" {
            *lifetime = (self.assign)(lifetime.span());
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }

    fn visit_type_impl_trait_mut(&mut self, impl_trait: &mut syn::TypeImplTrait) {
        if self.into_impl_trait {
            visit_mut::visit_type_impl_trait_mut(self, impl_trait);
        }
    }
}

/// The distinct lifetimes named in input types (after naming).
#[derive(Default)]
struct CollectLifetimes(Vec<Lifetime>);

impl CollectLifetimes {
    fn visit_type(&mut self, ty: &Type) {
        let mut ty = ty.clone();
        self.visit_type_mut(&mut ty);
    }
}

impl VisitMut for CollectLifetimes {
    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if !self.0.contains(lifetime) {
            self.0.push(lifetime.clone());
        }
    }

    fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}

    fn visit_parenthesized_generic_arguments_mut(
        &mut self,
        _: &mut syn::ParenthesizedGenericArguments,
    ) {
    }

    fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {}
}

/// `impl Trait` argument types are type parameters, captured anyway; they
/// cannot be named in the bound, so they become `()` there.
struct UnitForImplTrait;

impl VisitMut for UnitForImplTrait {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if matches!(ty, Type::ImplTrait(_)) {
            *ty = syn::parse_quote!(());
            return;
        }
        visit_mut::visit_type_mut(self, ty);
    }
}

/// The lifetime of `&Self` in an explicit receiver type (`self: &Self`,
/// `self: Pin<&mut Self>`), which elided output lifetimes take.
fn self_reference_lifetime(ty: &Type) -> Option<Lifetime> {
    struct Find(Option<Lifetime>);
    impl VisitMut for Find {
        fn visit_type_reference_mut(&mut self, reference: &mut TypeReference) {
            let is_self = matches!(&*reference.elem, Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"));
            if is_self && self.0.is_none() {
                self.0 = reference.lifetime.clone();
            }
            visit_mut::visit_type_reference_mut(self, reference);
        }
    }
    let mut find = Find(None);
    find.visit_type_mut(&mut ty.clone());
    find.0
}
