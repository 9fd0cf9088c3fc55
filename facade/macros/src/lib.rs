//! `#[instrument]`: one line turns a function into a span with per-function
//! meters (calls, errors, panics, in flight, duration).
//!
//! Use it through the facade, whose `macros` feature re-exports it:
//! `omniscope = { version = "0.1", features = ["macros"] }`, then
//! `#[omniscope::instrument]`. The expansion refers to the facade as
//! `::omniscope`, so the dependency must keep that name (renaming it in
//! `Cargo.toml` is not supported). With no backend installed an
//! instrumented call costs one relaxed atomic load and allocates nothing.
//!
//! ```
//! use omniscope::testing;
//!
//! #[derive(Debug)]
//! struct OrderError;
//! # impl std::fmt::Display for OrderError {
//! #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("out of stock") }
//! # }
//! # impl std::error::Error for OrderError {}
//!
//! #[omniscope::instrument(skip(card), fields(channel = "web"))]
//! fn create_order(id: u64, card: &str) -> Result<u64, OrderError> {
//!     if id == 0 {
//!         return Err(OrderError);
//!     }
//!     Ok(id)
//! }
//!
//! let captured = testing::capture(|| {
//!     let _ = create_order(7, "4242…");
//!     let _ = create_order(0, "4242…");
//! });
//! let name = concat!(module_path!(), "::create_order");
//! assert_eq!(captured.counter("function.calls", &[("function", name)]), Some(2));
//! let errors = [("function", name), ("kind", "OrderError")];
//! assert_eq!(captured.counter("function.errors", &errors), Some(1));
//!
//! # // The facade's `max_level_*` features (all on under `--all-features`) compile spans out.
//! # if omniscope::Level::Info > omniscope::STATIC_MAX_LEVEL { return; }
//! let span = captured.span("create_order").expect("recorded");
//! assert_eq!(span.function.as_deref(), Some(name));
//! assert_eq!(span.attribute("id").map(|v| v.to_string()).as_deref(), Some("7"));
//! assert!(span.attribute("card").is_none());
//! ```
//!
//! Coming from `tracing`: `skip`, `skip_all`, `fields`, `name`, `level`,
//! `err` and `ret` mean what they mean in `tracing::instrument`. See
//! [`macro@instrument`] for the arguments, what is recorded (expected errors
//! included) and how async functions are handled.
//!
//! # Supported Rust versions
//!
//! Those of `omniscope`: the latest stable Rust and the three minor
//! versions before it.

mod args;
mod asyncfn;
mod expand;

use proc_macro::TokenStream;
use quote::ToTokens;

/// Turns a function into a span, with per-function meters.
///
/// ```
/// #[omniscope::instrument(level = "debug", skip(password))]
/// fn login(user: &str, password: &str) -> bool {
///     !user.is_empty() && !password.is_empty()
/// }
/// # assert!(login("ada", "secret"));
/// ```
///
/// # What is recorded
///
/// - **A span** named after the function, with the module path as target,
///   the qualified name `module::path::function` as its function, and the
///   arguments as attributes. A method's qualified name is
///   `module::path::Type::method`, so that same-named methods of different
///   types in one module are told apart: `Type` is the `Self` it was called
///   on, without path and generics (`Cache<u8>` and `Cache<String>` are
///   both `Cache`; a trait's default method is labelled by each type it
///   runs on). Each such label is built once per type, on the first call
///   with a backend installed. A sync function's body runs with the span
///   current; an async function's span starts when the function is called
///   (its parent is the caller's current span) and is current on every poll
///   of its future, on whichever thread polls it.
/// - **An error**: when the function returns an `Err(e)` (any
///   `Result<T, E>`, aliases such as `io::Result` included), `e` is recorded
///   on the span through [`Span::record_exception`]: an error status and an
///   `exception` event with OpenTelemetry's attributes — `exception.type`,
///   the full path of `E` (`std::any::type_name`); `exception.message`, its
///   `Display` text if `E` is a `std::error::Error` (or a `Box<dyn Error>` /
///   `anyhow::Error`-like type that derefs to one), else its `Display` or
///   `Debug` text; and `exception.stacktrace`, a backtrace of where the
///   function returned it, when std's backtrace capture is enabled
///   (`RUST_LIB_BACKTRACE=1`, or `RUST_BACKTRACE=1` while
///   `RUST_LIB_BACKTRACE` is unset; see [`Exception`] for its cost). `Ok`
///   leaves the status unset.
/// - **An expected error**: an `Err` whose type implements
///   [`omniscope::UserError`] and says
///   [`is_user_error()`] (a 404, a
///   validation error) is not a failure: the span gets a `user_error` event
///   (`kind`, `message`) and no error status, the call's `outcome` is `ok`,
///   and it is counted in `function.user_errors{kind}`, not
///   `function.errors{kind}`. The attribute sees the type as written in the
///   signature, with no bound needed (autoref specialization; see
///   [`omniscope::UserError`] for what it cannot see: the type
///   behind a generic `E`, a `Box<dyn Error>` or an `anyhow::Error`).
/// - **A panic**: the span records it (an event and an error status) as the
///   thread unwinds; no `catch_unwind` is involved.
/// - **Meters**, labelled `function="module::path::function"` (or
///   `module::path::Type::method`), named as
///   OpenTelemetry names metrics (Prometheus shows them as
///   `function_calls_total`, `function_duration_seconds`…; see
///   [`omniscope::metrics::names`]):
///
///   | metric | kind | unit | when |
///   |---|---|---|---|
///   | `function.calls` | counter | `{call}` | +1 at the call |
///   | `function.in_flight` | up-down counter | `{call}` | +1 at the call, −1 when it ends (panics included) |
///   | `function.duration{outcome}` | histogram | `s` | at the end; `outcome` is `ok`, `error` or `panic` |
///   | `function.user_errors{kind}` | counter | `{error}` | on an expected `Err` (above), `kind` as for `function.errors` |
///   | `function.errors{kind}` | counter | `{error}` | on any other `Err`; `kind` is [`omniscope::error::kind_label`]'s name for the error (its `Debug` output's leading name: an enum's variant, a struct's name; `io::Error` and the standard library's other errors by type; a `Display`-only error by its type's name), the same the error handler's `errors{kind}` uses |
///   | `function.panics` | counter | `{panic}` | on a panic |
///
///   The clock is read only when a meter (or a `testing` capture) is there
///   at the call; that decision holds until the call ends. An async call's
///   duration runs from the call to the future's completion. A future
///   dropped before it completes (a cancelled request) is dropped inside
///   its span, then leaves in flight without a duration sample: `outcome`
///   is only `ok`, `error` or `panic`.
///
/// # Arguments
///
/// - `name = "charge"`: the span name (default: the function's name; the
///   `function` label keeps the function's name).
/// - `level = "debug"` or `level = Level::Debug`: the span's level
///   (default `info`). The facade's `max_level_*` features compile out
///   spans above their level, as they do for `span!`; the meters stay.
/// - `kind = "server"` or `kind = SpanKind::Server`: the span kind
///   (default `internal`). A path must resolve where the function is (as
///   in `tracing`; `tracing::Level::DEBUG` works too): it is evaluated, so
///   its import counts as used.
/// - `skip(a, b)`: leave these variables out (argument names, or names
///   bound by patterns); `skip_all`: leave all out.
/// - `fields(key = expr, other = %expr, dbg = ?expr, name)`: extra span
///   attributes, evaluated at the call, with the sigils of
///   [`omniscope::info!`](https://docs.rs/omniscope/latest/omniscope/macro.info.html)
///   fields (`%` through `Display`, `?` through `Debug`, plain through
///   `ToValue`); dotted and string keys are allowed.
/// - `err`: also log the `Err` the function returns, as `tracing`'s `err`
///   does: a log record in the span, at level `error`, with the field
///   `error` formatted through `Display`. `err(Debug)` formats through
///   `Debug`, `err(level = "warn")` (or `Level::Warn`) logs at that level;
///   options combine: `err(Debug, level = "warn")`. An expected error
///   (above) is logged no more severely than `info`. The span and meters
///   record errors whether `err` is there or not.
/// - `ret`: log the value the function returns, as `tracing`'s `ret` does:
///   a log record in the span, at the span's level, with the field `return`
///   formatted through `Debug`; `ret(Display)` and `ret(level = …)` as for
///   `err`. With `err` as well, only an `Ok` value is logged by `ret`.
///
/// Unknown arguments are errors, not warnings, and the error lists the
/// accepted ones. The `err` and `ret` records pass the log level filters
/// like any log call, and cost nothing more when filtered out.
///
/// Each variable an argument binds is recorded, under its name, through
/// `omniscope::ToValue` if its type implements it (integers, strings,
/// booleans… keep their type), else through `Debug`. A variable whose type
/// implements neither is a compile error at the variable: `skip` it.
/// Patterns count by the names they bind, as in `tracing`: in
/// `fn get(State(app): State<App>, Path(sku): Path<String>)` the fields are
/// `app` and `sku`, `skip(app)` leaves `app` out, and `fields(…)` may use
/// `sku` (in an async function, through a reference: the pattern is bound
/// by reference at the call, then moved into the future). `self` is never
/// recorded.
///
/// ```
/// struct Path<T>(T);
/// struct Db;
///
/// #[omniscope::instrument(skip(db), fields(sku.len = sku.len()))]
/// fn look_up(db: &Db, Path(sku): Path<String>) -> usize {
///     sku.len()
/// }
/// # assert_eq!(look_up(&Db, Path("A-12".into())), 4);
/// ```
///
/// # Signatures
///
/// The signature and attributes are kept: generics, `where` clauses,
/// lifetimes, `impl Trait` arguments and returns, `unsafe fn`, methods
/// taking `self` in any form, `mut` and pattern arguments, trait methods
/// with a body. `return` and `?` work as usual: a sync body runs in a
/// closure called at once, so every exit passes through the guard that
/// inspects the result; an async body runs in an `async` block.
///
/// An `async fn` is rewritten to a `fn` returning
/// `impl Future<Output = …>`, the only way to start the span at the call.
/// Every argument still moves into the future, and elided lifetimes are
/// named so that the future captures them in every edition (rustdoc shows
/// the original `async fn`). In trait impls this implements an `async fn`
/// of the trait as before.
///
/// # Limitations
///
/// - `const fn` is rejected; the facade must be a dependency named
///   `omniscope`.
/// - Inside a sync body, `Location::caller()` of a `#[track_caller]`
///   function points at the body, not the caller.
/// - An `async fn` whose argument hides a lifetime in a path (`Wrap`
///   instead of `Wrap<'_>`) beside other lifetimes must spell it `'_`; the
///   `elided_lifetimes_in_paths` lint (in `rust_2018_idioms`) finds them.
/// - Place it below `#[tokio::main]` / `#[tokio::test]`, which expect an
///   `async fn`. Inside an `#[async_trait]` impl it sees the function
///   `async-trait` already rewrote, and measures building the boxed future
///   rather than running it: prefer native `async fn` in traits.
/// - A method is labelled `module::Type::method` only when its signature
///   shows `Self` (a receiver, or `Self` in an argument, the return type or
///   the `where` clause): the attribute cannot see the `impl`, so the type
///   comes from `type_name::<Self>()` at the call. An associated function
///   that shows no `Self` (`fn helper() -> u8`) keeps `module::helper`.
///
/// [`omniscope::UserError`]: https://docs.rs/omniscope/latest/omniscope/error/trait.UserError.html
/// [`is_user_error()`]: https://docs.rs/omniscope/latest/omniscope/error/trait.UserError.html#method.is_user_error
/// [`Span::record_exception`]: https://docs.rs/omniscope/latest/omniscope/struct.Span.html#method.record_exception
/// [`Exception`]: https://docs.rs/omniscope/latest/omniscope/struct.Exception.html
/// [`omniscope::error::kind_label`]: https://docs.rs/omniscope/latest/omniscope/error/fn.kind_label.html
/// [`omniscope::metrics::names`]: https://docs.rs/omniscope/latest/omniscope/metrics/names/index.html
#[proc_macro_attribute]
pub fn instrument(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item = proc_macro2::TokenStream::from(item);
    let result = syn::parse::<args::Args>(attr)
        .and_then(|args| Ok((args, parse_function(item.clone())?)))
        .and_then(|(args, function)| expand::instrument(args, function));
    match result {
        Ok(tokens) => tokens.into(),
        // Keep the item, so that its uses do not add errors of their own.
        Err(error) => {
            let mut tokens = error.to_compile_error();
            tokens.extend(item);
            tokens.into()
        }
    }
}

/// The annotated item, which must be a function with a body.
fn parse_function(item: proc_macro2::TokenStream) -> syn::Result<syn::ItemFn> {
    syn::parse2::<syn::ItemFn>(item.clone()).map_err(|error| {
        if let Ok(declaration) = syn::parse2::<syn::TraitItemFn>(item.clone()) {
            return syn::Error::new_spanned(
                declaration.sig.fn_token,
                "`#[instrument]` needs a function body: put it on the implementations, not on the trait's declaration",
            );
        }
        match syn::parse2::<syn::Item>(item) {
            Ok(other) => syn::Error::new_spanned(
                item_keyword(&other),
                "`#[instrument]` can only be applied to functions",
            ),
            Err(_) => error,
        }
    })
}

/// The tokens that name what kind of item this is, for the error's span.
fn item_keyword(item: &syn::Item) -> proc_macro2::TokenStream {
    match item {
        syn::Item::Struct(s) => s.struct_token.into_token_stream(),
        syn::Item::Enum(e) => e.enum_token.into_token_stream(),
        syn::Item::Impl(i) => i.impl_token.into_token_stream(),
        syn::Item::Trait(t) => t.trait_token.into_token_stream(),
        syn::Item::Mod(m) => m.mod_token.into_token_stream(),
        syn::Item::Const(c) => c.const_token.into_token_stream(),
        syn::Item::Static(s) => s.static_token.into_token_stream(),
        syn::Item::Type(t) => t.type_token.into_token_stream(),
        other => other.into_token_stream(),
    }
}
