//! The expansion of `#[instrument]`, shared by sync and async functions.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::visit_mut::{self, VisitMut};
use syn::{
    AttrStyle, Attribute, FnArg, Ident, ItemFn, LitStr, Pat, PatIdent, ReturnType, Signature, Type,
};

use crate::args::{Args, EventArgs, Mode};
use crate::asyncfn;

/// Identifiers of the expansion's own locals: `mixed_site`, so that they
/// can neither capture nor shadow the user's variables.
pub(crate) struct Locals {
    pub(crate) call: Ident,
    pub(crate) result: Ident,
    pub(crate) entered: Ident,
    pub(crate) error: Ident,
    pub(crate) site: Ident,
}

impl Locals {
    fn new() -> Locals {
        let span = Span::mixed_site();
        Locals {
            call: format_ident!("__omniscope_call", span = span),
            result: format_ident!("__omniscope_result", span = span),
            entered: format_ident!("__omniscope_entered", span = span),
            error: format_ident!("__omniscope_error", span = span),
            site: format_ident!("__omniscope_site", span = span),
        }
    }
}

/// Expands `#[instrument(args)]` on `item`.
pub(crate) fn instrument(args: Args, item: ItemFn) -> syn::Result<TokenStream> {
    check_signature(&item.sig)?;
    check_skips(&args, &item.sig)?;
    check_events(&args, &item.sig)?;
    let locals = Locals::new();
    let site = site_static(&args, &item.sig);
    let start = start_call(&args, &item.sig, &locals);
    let observe = observe_result(&args, &item.sig.output, &locals);
    if item.sig.asyncness.is_some() {
        asyncfn::expand(item, &locals, site, start, observe)
    } else {
        Ok(expand_sync(item, &locals, site, start, observe))
    }
}

fn check_signature(sig: &Signature) -> syn::Result<()> {
    if let Some(constness) = &sig.constness {
        return Err(syn::Error::new(
            constness.span,
            "`#[instrument]` cannot be applied to a `const fn`: spans and meters are recorded at run time",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        return Err(syn::Error::new_spanned(
            variadic,
            "`#[instrument]` cannot be applied to a variadic function",
        ));
    }
    Ok(())
}

/// `err` needs a function that can return an `Err`; neither `err` nor
/// `ret` applies to a function that never returns.
fn check_events(args: &Args, sig: &Signature) -> syn::Result<()> {
    let never = matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
    for event in args.err.iter().chain(&args.ret) {
        if never {
            return Err(syn::Error::new(
                event.keyword.span(),
                format!("`{}`: `{}` never returns", event.keyword, sig.ident.unraw()),
            ));
        }
    }
    if let Some(err) = &args.err {
        if !may_be_result(&sig.output) {
            return Err(syn::Error::new(
                err.keyword.span(),
                format!(
                    "`err` records the `Err` a function returns, but `{}` returns `()`: remove `err`, or return a `Result`",
                    sig.ident.unraw()
                ),
            ));
        }
    }
    Ok(())
}

/// Every name in `skip(...)` must be an argument.
fn check_skips(args: &Args, sig: &Signature) -> syn::Result<()> {
    let names: Vec<String> = sig
        .inputs
        .iter()
        .flat_map(|arg| match arg {
            FnArg::Receiver(_) => vec!["self".to_owned()],
            FnArg::Typed(t) => bound_names(&t.pat)
                .into_iter()
                .map(|i| i.unraw().to_string())
                .collect(),
        })
        .collect();
    for skipped in &args.skip {
        let name = skipped.unraw().to_string();
        if !names.contains(&name) {
            let known = if names.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", names.join(", "))
            };
            return Err(syn::Error::new(
                skipped.span(),
                format!(
                    "`skip({name})`: `{}` has no argument named `{name}` ({known})",
                    sig.ident.unraw()
                ),
            ));
        }
    }
    Ok(())
}

/// The variable an argument binds, if its pattern is a plain name
/// (`x`, `mut x`); other patterns are never recorded.
pub(crate) fn plain_ident(pat: &Pat) -> Option<&Ident> {
    match pat {
        Pat::Ident(PatIdent {
            by_ref: None,
            subpat: None,
            ident,
            ..
        }) => Some(ident),
        _ => None,
    }
}

/// The variables a pattern binds, in order: `x` for `x`, `app` for
/// `State(app)`, `a`, `b` for `(a, b)` or `Point { x: a, y: b }`, `whole`
/// and `x` for `whole @ Wrap(x)`. Or-patterns bind the same names in every
/// alternative: the first one is read.
pub(crate) fn bound_names(pat: &Pat) -> Vec<&Ident> {
    let mut names = Vec::new();
    collect_names(pat, &mut names);
    names
}

fn collect_names<'p>(pat: &'p Pat, names: &mut Vec<&'p Ident>) {
    match pat {
        Pat::Ident(p) => {
            names.push(&p.ident);
            if let Some((_, sub)) = &p.subpat {
                collect_names(sub, names);
            }
        }
        Pat::Tuple(p) => p.elems.iter().for_each(|e| collect_names(e, names)),
        Pat::TupleStruct(p) => p.elems.iter().for_each(|e| collect_names(e, names)),
        Pat::Struct(p) => p.fields.iter().for_each(|f| collect_names(&f.pat, names)),
        Pat::Slice(p) => p.elems.iter().for_each(|e| collect_names(e, names)),
        Pat::Reference(p) => collect_names(&p.pat, names),
        Pat::Paren(p) => collect_names(&p.pat, names),
        Pat::Type(p) => collect_names(&p.pat, names),
        Pat::Or(p) => {
            if let Some(first) = p.cases.first() {
                collect_names(first, names);
            }
        }
        _ => {}
    }
}

/// Whether the signature has a receiver or names `Self` (in its arguments,
/// return type or `where` clause): then the function sits in an `impl` or
/// a trait, and `Self` names its type at the call.
fn names_self(sig: &Signature) -> bool {
    fn has_self(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tree| match tree {
            proc_macro2::TokenTree::Ident(ident) => ident == "Self",
            proc_macro2::TokenTree::Group(group) => has_self(group.stream()),
            _ => false,
        })
    }
    sig.receiver().is_some()
        || has_self(sig.inputs.to_token_stream())
        || has_self(sig.output.to_token_stream())
        || has_self(sig.generics.to_token_stream())
        || has_self(sig.generics.where_clause.to_token_stream())
}

/// `static __OMNISCOPE_FUNCTION: Function = …;` — the span site and meters.
fn site_static(args: &Args, sig: &Signature) -> TokenStream {
    let fn_name = sig.ident.unraw().to_string();
    let fn_lit = LitStr::new(&fn_name, sig.ident.span());
    let span_name = args.name.clone().unwrap_or_else(|| fn_lit.clone());
    let level = args
        .level
        .clone()
        .unwrap_or_else(|| Ident::new("Info", Span::call_site()));
    let kind = args
        .kind
        .clone()
        .unwrap_or_else(|| Ident::new("Internal", Span::call_site()));
    // Spanned at the function's name, so `line!()` is the line of the `fn`.
    let line = quote_spanned!(sig.ident.span()=> ::core::line!());
    let event_location = (args.err.is_some() || args.ret.is_some()).then(|| {
        quote! {
            static __OMNISCOPE_EVENT: ::omniscope::SourceLocation<'static> =
                ::omniscope::SourceLocation::new(::core::module_path!(), ::core::file!(), #line);
        }
    });
    let paths = &args.paths;
    quote! {
        #event_location
        static __OMNISCOPE_FUNCTION: ::omniscope::__private::Function = {
            #( let _ = #paths; )*
            const __OMNISCOPE_NAME: &::core::primitive::str =
                ::core::concat!(::core::module_path!(), "::", #fn_lit);
            static __OMNISCOPE_LABELS: ::omniscope::__private::FunctionLabels =
                ::omniscope::__private::FunctionLabels::new(__OMNISCOPE_NAME);
            ::omniscope::__private::Function::new(
                ::omniscope::SpanSite::new(#span_name, ::core::module_path!(), ::core::file!(), #line)
                    .with_level(::omniscope::Level::#level)
                    .with_kind(::omniscope::SpanKind::#kind)
                    .with_function(__OMNISCOPE_NAME),
                &__OMNISCOPE_LABELS,
            )
        };
    }
}

/// `__OMNISCOPE_FUNCTION.start(|site| start_span(site, &[fields]))`: the
/// fields are built only when a span is started.
fn start_call(args: &Args, sig: &Signature, locals: &Locals) -> TokenStream {
    let mut fields = Vec::new();
    if !args.skip_all {
        for arg in &sig.inputs {
            let FnArg::Typed(typed) = arg else {
                continue; // `self` is never recorded
            };
            // Patterns are recorded by the names they bind, as in `tracing`
            // (an async function binds them by reference for this: see
            // `asyncfn::move_arguments`).
            for ident in bound_names(&typed.pat) {
                if args.skip.iter().any(|s| s.unraw() == ident.unraw()) {
                    continue;
                }
                let key = LitStr::new(&ident.unraw().to_string(), ident.span());
                fields.push(quote_spanned! {ident.span()=>
                    ::omniscope::Field::new(
                        #key,
                        (&&::omniscope::__private::ArgRef(&#ident)).__omniscope_value(),
                    )
                });
            }
        }
    }
    fields.extend(args.fields.iter().map(|f| f.to_field()));
    let site = &locals.site;
    // A method is labelled `module::Type::method`: the attribute cannot see
    // the `impl`, so the type comes from `Self` at the call, where the
    // signature shows that there is one.
    let (method, self_type) = if names_self(sig) {
        (
            quote!(start_method),
            quote!(::core::any::type_name::<Self>(),),
        )
    } else {
        (quote!(start), TokenStream::new())
    };
    quote! {
        __OMNISCOPE_FUNCTION.#method(#self_type |#site| {
            #[allow(unused_imports)]
            use ::omniscope::__private::{ArgViaDebug as _, ArgViaToValue as _};
            ::omniscope::__private::start_span(#site, &[#(#fields),*])
        })
    }
}

/// Inspects the function's result, in the span's context: records an `Err`
/// on the call (as expected if its type is a `UserError` that says so), and
/// emits the events of `err` and `ret`. Empty when there is nothing to do.
pub(crate) fn observe_result(args: &Args, output: &ReturnType, locals: &Locals) -> TokenStream {
    let Locals {
        call,
        result,
        error,
        ..
    } = locals;
    let user = format_ident!("__omniscope_user_error", span = Span::mixed_site());
    let never = matches!(output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_)));
    let errors = if may_be_result(output) {
        let err_event = args.err.as_ref().map(|err| {
            let level = err.level.clone().unwrap_or_else(|| Ident::new("Error", Span::call_site()));
            let value = event_value(err, error, Mode::Display);
            quote! {
                let __omniscope_level = ::omniscope::__private::error_event_level(::omniscope::Level::#level, #user);
                if ::omniscope::__private::event_enabled(__omniscope_level) {
                    ::omniscope::__private::event(
                        __omniscope_level,
                        &__OMNISCOPE_EVENT,
                        "returned an error",
                        ::omniscope::Field::new_static("error", #value),
                    );
                }
            }
        });
        quote! {
            if let ::core::option::Option::Some(#error) =
                (&&::omniscope::__private::ResultRef(&#result)).__omniscope_err()
            {
                let #user = (&&::omniscope::__private::UserErrorRef(#error)).__omniscope_is_user_error();
                #call.set_user_error(#user);
                (&&&&&&::omniscope::__private::ErrorRef(#error)).__omniscope_record(&mut #call);
                #err_event
            }
        }
    } else {
        TokenStream::new()
    };
    let ret_event = args.ret.as_ref().filter(|_| !never).map(|ret| {
        let level = ret
            .level
            .clone()
            .or_else(|| args.level.clone())
            .unwrap_or_else(|| Ident::new("Info", Span::call_site()));
        let value_ident = format_ident!("__omniscope_value", span = Span::mixed_site());
        let value = event_value(ret, &value_ident, Mode::Debug);
        // With `err`, as in `tracing`: `ret` logs the `Ok` value only.
        let returned = if args.err.is_some() {
            quote!((&&::omniscope::__private::ResultRef(&#result)).__omniscope_ok())
        } else {
            quote!(::core::option::Option::Some(&#result))
        };
        quote! {
            if ::omniscope::__private::event_enabled(::omniscope::Level::#level) {
                if let ::core::option::Option::Some(#value_ident) = #returned {
                    ::omniscope::__private::event(
                        ::omniscope::Level::#level,
                        &__OMNISCOPE_EVENT,
                        "returned",
                        ::omniscope::Field::new_static("return", #value),
                    );
                }
            }
        }
    });
    if errors.is_empty() && ret_event.is_none() {
        return TokenStream::new();
    }
    quote! {{
        #[allow(unused_imports)]
        use ::omniscope::__private::{
            ErrorViaDebug as _, ErrorViaDisplay as _, ErrorViaDyn as _, ErrorViaDynSendSync as _,
            ErrorViaError as _, ErrorViaType as _, ResultViaOther as _, ResultViaResult as _,
            UserErrorViaOther as _, UserErrorViaTrait as _,
        };
        #errors
        #ret_event
    }}
}

/// `Value::from_display(x)` or `from_debug(x)`, spanned at the keyword so
/// that a missing `Display` or `Debug` points at `err` / `ret`.
fn event_value(event: &EventArgs, value: &Ident, default: Mode) -> TokenStream {
    let mode = if event.mode == Mode::Default {
        default
    } else {
        event.mode
    };
    let span = event.keyword.span();
    match mode {
        Mode::Debug => quote_spanned!(span=> ::omniscope::__private::debug_value(#value)),
        _ => quote_spanned!(span=> ::omniscope::__private::display_value(#value)),
    }
}

/// The return type as written, with `()` for none.
pub(crate) fn output_type(output: &ReturnType) -> Type {
    match output {
        ReturnType::Default => syn::parse_quote!(()),
        ReturnType::Type(_, ty) => (**ty).clone(),
    }
}

/// The return type for an annotation in the body: `impl Trait` becomes `_`.
pub(crate) fn annotation_type(output: &ReturnType) -> Type {
    struct Infer;
    impl VisitMut for Infer {
        fn visit_type_mut(&mut self, ty: &mut Type) {
            if let Type::ImplTrait(it) = ty {
                *ty = Type::Infer(syn::TypeInfer {
                    underscore_token: syn::Token![_](it.impl_token.span),
                });
                return;
            }
            visit_mut::visit_type_mut(self, ty);
        }
    }
    let mut ty = output_type(output);
    Infer.visit_type_mut(&mut ty);
    ty
}

/// Whether the return type may carry an error worth looking at.
pub(crate) fn may_be_result(output: &ReturnType) -> bool {
    match output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => {
            !matches!(&**ty, Type::Never(_))
                && !matches!(&**ty, Type::Tuple(t) if t.elems.is_empty())
        }
    }
}

pub(crate) fn split_attrs(attrs: Vec<Attribute>) -> (Vec<Attribute>, Vec<Attribute>) {
    attrs
        .into_iter()
        .partition(|a| matches!(a.style, AttrStyle::Outer))
}

/// A sync function: the body runs in a closure, so that `return` and `?`
/// leave it with the function's result, which the guard then inspects.
fn expand_sync(
    item: ItemFn,
    locals: &Locals,
    site: TokenStream,
    start: TokenStream,
    observe: TokenStream,
) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = item;
    let (outer, inner) = split_attrs(attrs);
    let Locals {
        call,
        result,
        entered,
        ..
    } = locals;
    if matches!(&sig.output, ReturnType::Type(_, ty) if matches!(**ty, Type::Never(_))) {
        // Never returns: no result to inspect; a panic ends the call in `Drop`.
        return quote! {
            #(#outer)*
            #vis #sig {
                #(#inner)*
                #site
                let #call = #start;
                let #entered = #call.enter();
                #block
            }
        };
    }
    let ty = annotation_type(&sig.output);
    let mutability = may_be_result(&sig.output).then(|| quote!(mut));
    quote! {
        #(#outer)*
        #vis #sig {
            #(#inner)*
            #site
            let #mutability #call = #start;
            let #result = {
                let #entered = #call.enter();
                let #result = ::omniscope::__private::call_once::<#ty, _>(move || #block);
                #observe
                #result
            };
            #call.finish();
            #result
        }
    }
}
