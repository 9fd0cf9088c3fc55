//! The attribute's arguments: `name`, `level`, `kind`, `skip`, `skip_all`,
//! `fields`, `err`, `ret`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Token};

const ARGUMENTS: &str = "name, level, kind, skip, skip_all, fields, err, ret";
const LEVELS: [(&str, &str); 5] = [
    ("error", "Error"),
    ("warn", "Warn"),
    ("info", "Info"),
    ("debug", "Debug"),
    ("trace", "Trace"),
];
const KINDS: [(&str, &str); 5] = [
    ("internal", "Internal"),
    ("server", "Server"),
    ("client", "Client"),
    ("producer", "Producer"),
    ("consumer", "Consumer"),
];

/// What `#[instrument(...)]` was given.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) name: Option<LitStr>,
    /// The `Level` variant, e.g. `Debug`.
    pub(crate) level: Option<Ident>,
    /// The `SpanKind` variant, e.g. `Server`.
    pub(crate) kind: Option<Ident>,
    pub(crate) skip: Vec<Ident>,
    pub(crate) skip_all: bool,
    pub(crate) fields: Vec<FieldSpec>,
    /// `err`, `err(Display)`, `err(Debug)`, `err(level = …)`.
    pub(crate) err: Option<EventArgs>,
    /// `ret`, `ret(Display)`, `ret(Debug)`, `ret(level = …)`.
    pub(crate) ret: Option<EventArgs>,
    /// The paths given for levels and kinds (`Level::Debug`), which the
    /// expansion evaluates: they must resolve, as in `tracing`, and the
    /// imports they name count as used.
    pub(crate) paths: Vec<ExprPath>,
}

/// The options of `err(…)` and `ret(…)`, as `tracing` has them.
pub(crate) struct EventArgs {
    /// The `err` or `ret` keyword, for error spans.
    pub(crate) keyword: Ident,
    /// The `Level` variant, if given.
    pub(crate) level: Option<Ident>,
    /// `Debug` rather than the default.
    pub(crate) mode: Mode,
}

/// How `err`/`ret` format the value.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `err`: `Display`; `ret`: `Debug` (as in `tracing`).
    Default,
    Display,
    Debug,
}

impl EventArgs {
    /// `(Display)`, `(Debug)`, `(level = …)`, in any order, or nothing.
    fn parse(
        input: ParseStream<'_>,
        keyword: Ident,
        paths: &mut Vec<ExprPath>,
    ) -> syn::Result<EventArgs> {
        let mut args = EventArgs {
            keyword,
            level: None,
            mode: Mode::Default,
        };
        if !input.peek(syn::token::Paren) {
            return Ok(args);
        }
        let what = args.keyword.to_string();
        let usage = format!(
            "`{what}` takes `Display`, `Debug` and `level = …`, as in `{what}(Debug, level = \"warn\")`"
        );
        let content;
        syn::parenthesized!(content in input);
        while !content.is_empty() {
            let option = content.call(Ident::parse_any)?;
            match option.to_string().as_str() {
                "level" if args.level.is_none() => {
                    content.parse::<Token![=]>()?;
                    args.level = Some(variant(&content, "level", &LEVELS, paths)?);
                }
                "Display" | "Debug" if args.mode == Mode::Default => {
                    args.mode = if option == "Debug" {
                        Mode::Debug
                    } else {
                        Mode::Display
                    };
                }
                "level" | "Display" | "Debug" => {
                    return Err(syn::Error::new(
                        option.span(),
                        format!(
                        "`{what}({option})` is given twice or contradicts another option: {usage}"
                    ),
                    ))
                }
                other => {
                    return Err(syn::Error::new(
                        option.span(),
                        format!("unknown option `{other}` in `{what}(…)`: {usage}"),
                    ))
                }
            }
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// One entry of `fields(...)`.
pub(crate) struct FieldSpec {
    key: String,
    key_span: Span,
    sigil: Sigil,
    value: Expr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sigil {
    /// `key = value`: through `ToValue`.
    None,
    /// `key = %value`: through `Display`.
    Display,
    /// `key = ?value`: through `Debug`.
    Debug,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Args> {
        let mut args = Args::default();
        let mut seen: Vec<String> = Vec::new();
        while !input.is_empty() {
            let key = input.call(Ident::parse_any)?;
            let name = key.to_string();
            if seen.contains(&name) {
                return Err(syn::Error::new(
                    key.span(),
                    format!("duplicate argument `{name}`: give it once"),
                ));
            }
            match name.as_str() {
                "name" => {
                    input.parse::<Token![=]>()?;
                    let lit: LitStr = input.parse().map_err(|e| {
                        syn::Error::new(e.span(), "`name` expects a string literal: `name = \"…\"`")
                    })?;
                    if lit.value().is_empty() {
                        return Err(syn::Error::new(lit.span(), "`name` must not be empty"));
                    }
                    args.name = Some(lit);
                }
                "level" => {
                    input.parse::<Token![=]>()?;
                    args.level = Some(variant(input, "level", &LEVELS, &mut args.paths)?);
                }
                "kind" => {
                    input.parse::<Token![=]>()?;
                    args.kind = Some(variant(input, "kind", &KINDS, &mut args.paths)?);
                }
                "skip" => {
                    let content;
                    syn::parenthesized!(content in input);
                    let names = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                        &content,
                        Ident::parse_any,
                    )?;
                    if names.is_empty() {
                        return Err(syn::Error::new(
                            key.span(),
                            "`skip` needs argument names: `skip(a, b)`, or use `skip_all`",
                        ));
                    }
                    args.skip.extend(names);
                }
                "skip_all" => args.skip_all = true,
                "err" => args.err = Some(EventArgs::parse(input, key.clone(), &mut args.paths)?),
                "ret" => args.ret = Some(EventArgs::parse(input, key.clone(), &mut args.paths)?),
                "fields" => {
                    let content;
                    syn::parenthesized!(content in input);
                    let fields = Punctuated::<FieldSpec, Token![,]>::parse_terminated(&content)?;
                    args.fields.extend(fields);
                }
                _ => {
                    return Err(syn::Error::new(
                        key.span(),
                        format!("unknown argument `{name}`: expected one of {ARGUMENTS}"),
                    ))
                }
            }
            seen.push(name);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(args)
    }
}

/// `level = "debug"`, `level = Level::Debug` (a path ending in a variant,
/// kept in `paths`).
fn variant(
    input: ParseStream<'_>,
    what: &str,
    variants: &[(&str, &str)],
    paths: &mut Vec<ExprPath>,
) -> syn::Result<Ident> {
    let expected = || {
        variants
            .iter()
            .map(|(lower, _)| format!("\"{lower}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let expr: Expr = input.parse()?;
    let (text, span) = match &expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => (s.value(), s.span()),
        Expr::Path(ExprPath {
            path, qself: None, ..
        }) => match path.segments.last() {
            Some(last) if last.arguments.is_empty() => (last.ident.to_string(), last.ident.span()),
            _ => return Err(bad_variant(expr.span(), what, &expected())),
        },
        _ => return Err(bad_variant(expr.span(), what, &expected())),
    };
    if let Expr::Path(path) = expr {
        paths.push(path);
    }
    variants
        .iter()
        .find(|(lower, _)| text.eq_ignore_ascii_case(lower))
        .map(|(_, variant)| Ident::new(variant, span))
        .ok_or_else(|| {
            syn::Error::new(
                span,
                format!("unknown {what} `{text}`: expected one of {}", expected()),
            )
        })
}

fn bad_variant(span: Span, what: &str, expected: &str) -> syn::Error {
    let example = if what == "level" {
        "`level = \"debug\"` or `level = Level::Debug`"
    } else {
        "`kind = \"server\"` or `kind = SpanKind::Server`"
    };
    syn::Error::new(
        span,
        format!("`{what}` expects a string or a path, as in {example}; one of {expected}"),
    )
}

impl Parse for FieldSpec {
    /// `a.b = v`, `a.b = %v`, `a.b = ?v`, `"a-b" = v`, `x`, `%x`, `?x`.
    fn parse(input: ParseStream<'_>) -> syn::Result<FieldSpec> {
        let shorthand_sigil = parse_sigil(input)?;
        let (key, key_span, shorthand) = if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            (lit.value(), lit.span(), None)
        } else {
            let first = input.call(Ident::parse_any)?;
            let mut key = first.unraw().to_string();
            let mut span = first.span();
            let mut dotted = false;
            while input.peek(Token![.]) {
                input.parse::<Token![.]>()?;
                let next = input.call(Ident::parse_any)?;
                key.push('.');
                key.push_str(&next.unraw().to_string());
                span = span.join(next.span()).unwrap_or(span);
                dotted = true;
            }
            (key, span, (!dotted).then_some(first))
        };
        if shorthand_sigil != Sigil::None || !input.peek(Token![=]) {
            if input.peek(Token![=]) {
                return Err(input.error("a field with a value takes its `%` or `?` after `=`"));
            }
            let Some(ident) = shorthand else {
                return Err(syn::Error::new(
                    key_span,
                    format!("field `{key}` needs a value: `{key} = …` (only a plain variable name may stand alone)"),
                ));
            };
            return Ok(FieldSpec {
                key,
                key_span,
                sigil: shorthand_sigil,
                value: syn::parse_quote!(#ident),
            });
        }
        input.parse::<Token![=]>()?;
        let sigil = parse_sigil(input)?;
        let value: Expr = input.parse()?;
        Ok(FieldSpec {
            key,
            key_span,
            sigil,
            value,
        })
    }
}

fn parse_sigil(input: ParseStream<'_>) -> syn::Result<Sigil> {
    if input.peek(Token![%]) {
        input.parse::<Token![%]>()?;
        Ok(Sigil::Display)
    } else if input.peek(Token![?]) {
        input.parse::<Token![?]>()?;
        Ok(Sigil::Debug)
    } else {
        Ok(Sigil::None)
    }
}

impl FieldSpec {
    /// The `::omniscope::Field` expression, as the facade's `__fields!`
    /// builds it.
    pub(crate) fn to_field(&self) -> TokenStream {
        let key = LitStr::new(&self.key, self.key_span);
        let value = &self.value;
        let span = value.span();
        let value = match self.sigil {
            Sigil::None => quote_spanned!(span=> ::omniscope::__private::to_value(&(#value))),
            Sigil::Display => quote_spanned!(span=> ::omniscope::Value::from_display(&(#value))),
            Sigil::Debug => quote_spanned!(span=> ::omniscope::Value::from_debug(&(#value))),
        };
        quote!(::omniscope::Field::new(#key, #value))
    }
}
