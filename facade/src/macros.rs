//! The macros: logs, spans, metrics and errors.

/// Logs at a level given as an expression; [`info!`](crate::info!) and friends are shorthands.
///
/// Fields are `key = value` (through [`ToValue`](crate::ToValue)),
/// `key = %display`, `key = ?debug`, or a bare variable name (`user`,
/// `%user`, `?user`); keys may be dotted (`order.id`) or string literals
/// (`"http.method"`). They go either **before the message**, as in
/// `tracing`, or **after it, behind a `;`**:
///
/// ```
/// use omniscope::{log, Level};
/// let (user, sku, n) = ("ada", "A-12", 3);
/// log!(Level::Info, "signed in");
/// // `tracing`'s form: fields first, then the message and its arguments.
/// log!(Level::Info, sku = %sku, count = n, "looked up {}", user);
/// log!(Level::Info, user, retries = 2); // fields only: an empty message
/// // omniscope's form: the message, then the fields after `;`.
/// log!(Level::Warn, "slow request: {} ms", 1200; path = "/orders", user);
/// log!(target: "audit", Level::Info, "login"; user.name = user, retries = 2);
/// ```
///
/// `rustfmt` formats a call whose fields are all `key = value` or bare
/// names in the fields-first form (they read as expressions); a call with
/// `%`, `?` or `;` is left as written, as `tracing`'s calls are. A field
/// with `%` or `?` written after the message without `;` is an error that
/// shows both forms (`format_args!` would otherwise take it for a named
/// argument).
///
/// `logger: &l` sends to an explicit logger instead of the global one
/// (handy in tests): `log!(logger: &l, Level::Info, "hi")`.
#[macro_export]
macro_rules! log {
    (logger: $logger:expr, target: $target:expr, $lvl:expr, $($rest:tt)+) => {
        $crate::__log_fields!((logger $logger) ($target) ($lvl) [] $($rest)+)
    };
    (logger: $logger:expr, $lvl:expr, $($rest:tt)+) => {
        $crate::__log_fields!((logger $logger) (::core::module_path!()) ($lvl) [] $($rest)+)
    };
    (target: $target:expr, $lvl:expr, $($rest:tt)+) => {
        $crate::__log_fields!((global) ($target) ($lvl) [] $($rest)+)
    };
    ($lvl:expr, $($rest:tt)+) => {
        $crate::__log_fields!((global) (::core::module_path!()) ($lvl) [] $($rest)+)
    };
}

/// Collects the fields written before the message (`tracing`'s form), then
/// hands the message and what follows to [`__log_split!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __log_fields {
    // `key = %value`, `key = ?value`, `key = value`, dotted keys.
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = % $v:expr , $($rest:tt)*) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = %$v,] $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = % $v:expr) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = %$v,])
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = ? $v:expr , $($rest:tt)*) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = ?$v,] $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = ? $v:expr) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = ?$v,])
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = $v:expr , $($rest:tt)*) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = $v,] $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($k:ident).+ = $v:expr) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $($k).+ = $v,])
    };
    // `"string key" = …`: a literal followed by `=` is a key, not the message.
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $k:literal = % $v:expr $(, $($rest:tt)*)?) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $k = %$v,] $($($rest)*)?)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $k:literal = ? $v:expr $(, $($rest:tt)*)?) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $k = ?$v,] $($($rest)*)?)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $k:literal = $v:expr $(, $($rest:tt)*)?) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $k = $v,] $($($rest)*)?)
    };
    // Shorthands: `%name`, `?name`, `name`.
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] % $k:ident $(, $($rest:tt)*)?) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* %$k,] $($($rest)*)?)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] ? $k:ident $(, $($rest:tt)*)?) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* ?$k,] $($($rest)*)?)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $k:ident , $($rest:tt)*) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $k,] $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $k:ident) => {
        $crate::__log_fields!($dest $target $lvl [$($pre)* $k,])
    };
    // Fields only: an empty message.
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*]) => {
        $crate::__log_emit!($dest $target $lvl [""] [$($pre)*])
    };
    // The message (and its arguments, and fields after `;`): a literal, or
    // a macro that expands to one (`concat!`).
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $msg:literal $($rest:tt)*) => {
        $crate::__log_split!($dest $target $lvl [$($pre)*] [] $msg $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $mac:ident ! $args:tt $($rest:tt)*) => {
        $crate::__log_split!($dest $target $lvl [$($pre)*] [] $mac ! $args $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] $($rest:tt)+) => {
        ::core::compile_error!(
            "expected a field or the message: a field is `key = value`, `key = %display`, `key = ?debug` or a variable name (`%name`, `?name`), the message a string literal, as in `info!(sku = %sku, count = n, \"looked up {}\", x)` or `info!(\"looked up {}\", x; sku = %sku)`"
        )
    };
}

/// Splits a log call's tokens at the `;` between the message and the
/// fields; `[$($pre)*]` holds the fields written before the message.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_split {
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] ; $($fields:tt)*) => {
        $crate::__log_emit!($dest $target $lvl [$($fmt)*] [$($pre)* $($fields)*])
    };
    // `tracing` users write fields after the message too; without the `;`,
    // `format_args!` would take a `%` / `?` field for a broken named argument.
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] , $($k:ident).+ = % $($rest:tt)*) => {
        $crate::__log_misplaced_field!()
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] , $($k:ident).+ = ? $($rest:tt)*) => {
        $crate::__log_misplaced_field!()
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] , % $k:ident $($rest:tt)*) => {
        $crate::__log_misplaced_field!()
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] , ? $k:ident $($rest:tt)*) => {
        $crate::__log_misplaced_field!()
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*] $next:tt $($rest:tt)*) => {
        $crate::__log_split!($dest $target $lvl [$($pre)*] [$($fmt)* $next] $($rest)*)
    };
    ($dest:tt $target:tt $lvl:tt [$($pre:tt)*] [$($fmt:tt)*]) => {
        $crate::__log_emit!($dest $target $lvl [$($fmt)*] [$($pre)*])
    };
}

/// The error for a `%` or `?` field after the message without `;`.
#[doc(hidden)]
#[macro_export]
macro_rules! __log_misplaced_field {
    () => {
        ::core::compile_error!(
            "a field with `%` or `?` after the message needs a `;` before the fields: write them first, as in tracing: `info!(sku = %sku, \"looked up {}\", x)`, or after a `;`: `info!(\"looked up {}\", x; sku = %sku)`"
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __log_emit {
    ((global) ($target:expr) ($lvl:expr) [$($fmt:tt)*] [$($fields:tt)*]) => {{
        let __lvl: $crate::Level = $lvl;
        if __lvl <= $crate::STATIC_MAX_LEVEL && __lvl <= $crate::max_level() {
            static __LOCATION: $crate::SourceLocation<'static> = $crate::__source_location!();
            $crate::__private::log(
                $crate::Metadata::new(__lvl, $target).with_location(&__LOCATION),
                ::core::format_args!($($fmt)*),
                &$crate::__fields!($($fields)*),
            );
        }
    }};
    ((logger $logger:expr) ($target:expr) ($lvl:expr) [$($fmt:tt)*] [$($fields:tt)*]) => {{
        let __lvl: $crate::Level = $lvl;
        let __logger = &$logger;
        static __LOCATION: $crate::SourceLocation<'static> = $crate::__source_location!();
        let __meta = $crate::Metadata::new(__lvl, $target).with_location(&__LOCATION);
        if __lvl <= $crate::STATIC_MAX_LEVEL && $crate::Logger::enabled(__logger, &__meta) {
            $crate::Logger::log(
                __logger,
                &$crate::Record::new(__meta, ::core::format_args!($($fmt)*), &$crate::__fields!($($fields)*)),
            );
        }
    }};
}

/// The call site's [`SourceLocation`](crate::SourceLocation).
#[doc(hidden)]
#[macro_export]
macro_rules! __source_location {
    () => {
        $crate::SourceLocation::new(::core::module_path!(), ::core::file!(), ::core::line!())
    };
}

/// Builds a `[Field; N]` array from `key = value` pairs.
#[doc(hidden)]
#[macro_export]
macro_rules! __fields {
    (@ [$($out:expr),*]) => { [$($out),*] };
    (@ [$($out:expr),*] $($k:ident).+ = %$v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($($k).+), $crate::Value::from_display(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $($k:ident).+ = ?$v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($($k).+), $crate::Value::from_debug(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $($k:ident).+ = $v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($($k).+), $crate::__private::to_value(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $k:literal = %$v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static($k, $crate::Value::from_display(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $k:literal = ?$v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static($k, $crate::Value::from_debug(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $k:literal = $v:expr $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static($k, $crate::__private::to_value(&$v))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] %$k:ident $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($k), $crate::Value::from_display(&$k))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] ?$k:ident $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($k), $crate::Value::from_debug(&$k))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $k:ident $(, $($rest:tt)*)?) => {
        $crate::__fields!(@ [$($out,)* $crate::Field::new_static(::core::stringify!($k), $crate::__private::to_value(&$k))] $($($rest)*)?)
    };
    (@ [$($out:expr),*] $($bad:tt)+) => {
        ::core::compile_error!(
            "expected a field: `key = value`, `key = %display`, `key = ?debug` or a variable name (`name`, `%name`, `?name`), separated by commas"
        )
    };
    ($($fields:tt)*) => { $crate::__fields!(@ [] $($fields)*) };
}

/// Logs at [`Level::Error`](crate::Level::Error). See [`log!`] for the forms.
#[macro_export]
macro_rules! error {
    (logger: $l:expr, target: $t:expr, $($rest:tt)+) => { $crate::log!(logger: $l, target: $t, $crate::Level::Error, $($rest)+) };
    (logger: $l:expr, $($rest:tt)+) => { $crate::log!(logger: $l, $crate::Level::Error, $($rest)+) };
    (target: $t:expr, $($rest:tt)+) => { $crate::log!(target: $t, $crate::Level::Error, $($rest)+) };
    ($($rest:tt)+) => { $crate::log!($crate::Level::Error, $($rest)+) };
}

/// Logs at [`Level::Warn`](crate::Level::Warn). See [`log!`] for the forms.
#[macro_export]
macro_rules! warn {
    (logger: $l:expr, target: $t:expr, $($rest:tt)+) => { $crate::log!(logger: $l, target: $t, $crate::Level::Warn, $($rest)+) };
    (logger: $l:expr, $($rest:tt)+) => { $crate::log!(logger: $l, $crate::Level::Warn, $($rest)+) };
    (target: $t:expr, $($rest:tt)+) => { $crate::log!(target: $t, $crate::Level::Warn, $($rest)+) };
    ($($rest:tt)+) => { $crate::log!($crate::Level::Warn, $($rest)+) };
}

/// Logs at [`Level::Info`](crate::Level::Info). See [`log!`] for the forms.
///
/// ```
/// let (order_id, sku) = (42, "A-12");
/// omniscope::info!("creating order"; order.id = order_id, channel = "web");
/// // As in `tracing`: fields first.
/// omniscope::info!(order.id = order_id, sku = %sku, "looked up {}", sku);
/// ```
#[macro_export]
macro_rules! info {
    (logger: $l:expr, target: $t:expr, $($rest:tt)+) => { $crate::log!(logger: $l, target: $t, $crate::Level::Info, $($rest)+) };
    (logger: $l:expr, $($rest:tt)+) => { $crate::log!(logger: $l, $crate::Level::Info, $($rest)+) };
    (target: $t:expr, $($rest:tt)+) => { $crate::log!(target: $t, $crate::Level::Info, $($rest)+) };
    ($($rest:tt)+) => { $crate::log!($crate::Level::Info, $($rest)+) };
}

/// Logs at [`Level::Debug`](crate::Level::Debug). See [`log!`] for the forms.
#[macro_export]
macro_rules! debug {
    (logger: $l:expr, target: $t:expr, $($rest:tt)+) => { $crate::log!(logger: $l, target: $t, $crate::Level::Debug, $($rest)+) };
    (logger: $l:expr, $($rest:tt)+) => { $crate::log!(logger: $l, $crate::Level::Debug, $($rest)+) };
    (target: $t:expr, $($rest:tt)+) => { $crate::log!(target: $t, $crate::Level::Debug, $($rest)+) };
    ($($rest:tt)+) => { $crate::log!($crate::Level::Debug, $($rest)+) };
}

/// Logs at [`Level::Trace`](crate::Level::Trace). See [`log!`] for the forms.
#[macro_export]
macro_rules! trace {
    (logger: $l:expr, target: $t:expr, $($rest:tt)+) => { $crate::log!(logger: $l, target: $t, $crate::Level::Trace, $($rest)+) };
    (logger: $l:expr, $($rest:tt)+) => { $crate::log!(logger: $l, $crate::Level::Trace, $($rest)+) };
    (target: $t:expr, $($rest:tt)+) => { $crate::log!(target: $t, $crate::Level::Trace, $($rest)+) };
    ($($rest:tt)+) => { $crate::log!($crate::Level::Trace, $($rest)+) };
}

/// Whether a record at this level (and target) would be kept.
///
/// ```
/// if omniscope::log_enabled!(omniscope::Level::Debug) {
///     // compute something expensive to log
/// }
/// ```
#[macro_export]
macro_rules! log_enabled {
    (target: $target:expr, $lvl:expr) => {{
        let __lvl: $crate::Level = $lvl;
        __lvl <= $crate::STATIC_MAX_LEVEL
            && __lvl <= $crate::max_level()
            && $crate::__private::log_enabled(&$crate::Metadata::new(__lvl, $target))
    }};
    ($lvl:expr) => {
        $crate::log_enabled!(target: ::core::module_path!(), $lvl)
    };
}

/// Starts a span as a child of the current one and makes it current; the
/// returned [`SpanGuard`](crate::SpanGuard) ends it when dropped.
///
/// ```
/// use omniscope::{span, Level, SpanKind};
/// let total = 12.5;
/// let _pay = span!("charge_card", amount = total, currency = "EUR");
/// let _io = span!(level: Level::Debug, kind: SpanKind::Client, "call_bank");
/// ```
///
/// Options, in this order, all optional: `level:`, `kind:`, `target:`. The
/// name is a string literal; fields follow as in [`log!`].
#[macro_export]
macro_rules! span {
    ($(level: $lvl:expr,)? $(kind: $kind:expr,)? $(target: $target:expr,)? $name:literal $(, $($fields:tt)*)?) => {{
        static __SITE: $crate::SpanSite = $crate::__span_site!($name, ($($target)?), ($($lvl)?), ($($kind)?));
        if __SITE.level() <= $crate::STATIC_MAX_LEVEL && $crate::__private::tracing_active() {
            $crate::__private::enter_span(&__SITE, &$crate::__fields!($($($fields)*)?))
        } else {
            $crate::SpanGuard::none()
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __span_site {
    ($name:literal, ($($target:expr)?), ($($lvl:expr)?), ($($kind:expr)?)) => {
        $crate::SpanSite::new($name, $crate::__first!($($target,)? ::core::module_path!()), ::core::file!(), ::core::line!())
            .with_level($crate::__first!($($lvl,)? $crate::Level::Info))
            .with_kind($crate::__first!($($kind,)? $crate::SpanKind::Internal))
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __first {
    ($first:expr $(, $rest:expr)*) => {
        $first
    };
}

/// The counter named by the arguments; call `.increment(n)` on it.
///
/// With a literal name and literal labels, the bound handle is cached at
/// the call site, and so is the calling thread's cell when the backend
/// keeps one per thread (the SDK does): after a thread's first call, an
/// increment there is a load and a store to that cell ([`CounterSite`]).
/// Other forms build the key on each call (and only when a meter is installed).
///
/// [`CounterSite`]: crate::metrics::CounterSite
///
/// ```
/// omniscope::counter!("orders_created_total", "channel" => "web").increment(1);
/// let method = String::from("GET");
/// omniscope::counter!("http_requests_total", "method" => method.as_str()).increment(1);
/// ```
#[macro_export]
macro_rules! counter {
    ($name:literal $(, $k:literal => $v:literal)* $(,)?) => {
        $crate::metrics::CounterSite::new($crate::__metric_site!(LazyCounter, $name $(, $k => $v)*), {
            ::std::thread_local! {
                static __CELL: $crate::metrics::SiteCell = const { $crate::metrics::SiteCell::new() };
            }
            &__CELL
        })
    };
    ($name:expr $(, $k:expr => $v:expr)* $(,)?) => {
        $crate::__metric_dynamic!(dynamic_counter, Counter, $name $(, $k => $v)*)
    };
}

/// The up-down counter named by the arguments; call `.add(n)` on it.
/// Forms as in [`counter!`].
#[macro_export]
macro_rules! up_down_counter {
    ($name:literal $(, $k:literal => $v:literal)* $(,)?) => {
        $crate::__metric_site!(LazyUpDownCounter, $name $(, $k => $v)*)
    };
    ($name:expr $(, $k:expr => $v:expr)* $(,)?) => {
        $crate::__metric_dynamic!(dynamic_up_down_counter, UpDownCounter, $name $(, $k => $v)*)
    };
}

/// The gauge named by the arguments; call `.set(v)` or `.add(v)` on it.
/// Forms as in [`counter!`].
#[macro_export]
macro_rules! gauge {
    ($name:literal $(, $k:literal => $v:literal)* $(,)?) => {
        $crate::__metric_site!(LazyGauge, $name $(, $k => $v)*)
    };
    ($name:expr $(, $k:expr => $v:expr)* $(,)?) => {
        $crate::__metric_dynamic!(dynamic_gauge, Gauge, $name $(, $k => $v)*)
    };
}

/// The histogram named by the arguments; call `.record(v)` on it.
/// Forms as in [`counter!`].
///
/// ```
/// omniscope::histogram!("request_duration_seconds", "route" => "/orders").record(0.012);
/// ```
#[macro_export]
macro_rules! histogram {
    ($name:literal $(, $k:literal => $v:literal)* $(,)?) => {
        $crate::__metric_site!(LazyHistogram, $name $(, $k => $v)*)
    };
    ($name:expr $(, $k:expr => $v:expr)* $(,)?) => {
        $crate::__metric_dynamic!(dynamic_histogram, Histogram, $name $(, $k => $v)*)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __metric_site {
    ($lazy:ident, $name:literal $(, $k:literal => $v:literal)*) => {{
        static __SITE: $crate::metrics::$lazy = $crate::metrics::$lazy::new($crate::metrics::Key::from_static($name, {
            // A const item, so the label array is promoted to 'static.
            const LABELS: &[$crate::metrics::Label<'static>] = &[$($crate::metrics::Label::from_static($k, $v)),*];
            LABELS
        }));
        &__SITE
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __metric_dynamic {
    ($resolve:ident, $handle:ident, $name:expr $(, $k:expr => $v:expr)*) => {{
        if $crate::__private::metrics_active() {
            $crate::__private::$resolve(&$crate::metrics::Key::new(
                $name,
                &[$($crate::metrics::Label::new($k, $v)),*],
            ))
        } else {
            $crate::__private::noop_handle::<$crate::metrics::$handle>()
        }
    }};
}

/// Reports an error to the installed handler, with fields after `;`.
///
/// ```
/// # let e = std::io::Error::other("disk full");
/// omniscope::handle_error!(&e; order.id = 42, stage = "ship");
/// ```
///
/// The macro sees the error's type: if it implements
/// [`UserError`](crate::UserError) and says the error is expected, the
/// report is marked so ([`ErrorContext::is_user_error`](crate::ErrorContext::is_user_error)),
/// and handlers count it without reporting it as a failure.
#[macro_export]
macro_rules! handle_error {
    ($error:expr $(; $($fields:tt)*)?) => {{
        let __error = $error;
        let __user_error = {
            #[allow(unused_imports)]
            use $crate::__private::{UserErrorViaOther as _, UserErrorViaTrait as _};
            (&&$crate::__private::UserErrorRef(__error)).__omniscope_is_user_error()
        };
        let __type_name = ::core::any::type_name_of_val(__error);
        let __error: &(dyn ::std::error::Error + 'static) = __error;
        $crate::__private::report(__error, __user_error, __type_name, &$crate::__fields!($($($fields)*)?), ::core::panic::Location::caller());
    }};
}
