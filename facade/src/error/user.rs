//! [`UserError`]: how business code says that an error is expected.

/// An error type that can say an error is *expected* — a user error: bad
/// input, not found, declined — rather than a failure of the service.
///
/// Expected errors are not failures. Wherever omniscope sees the error's
/// type, an error that says [`is_user_error`](UserError::is_user_error):
///
/// - in an `#[instrument]`ed function's `Err`, sets no error status on the
///   span (it gets a `user_error` event with the error's `kind` and
///   `message` instead), is not a failed call (`function.duration`'s
///   `outcome` is `ok`), and is counted in `function.user_errors{kind}`
///   instead of `function.errors{kind}`;
/// - handed to [`handle_error!`](crate::handle_error!), reaches the handler
///   with [`ErrorContext::is_user_error`](crate::ErrorContext::is_user_error)
///   set: the SDK counts it in `user_errors{kind}` and hands it to no
///   reporter, so it never reaches Sentry.
///
/// Other layers that know the error's type (an HTTP layer, a job runner)
/// ask the same trait, so one `impl` decides everywhere.
///
/// Implement it with the default to mark every value of a type, or override
/// [`is_user_error`](UserError::is_user_error) to decide per value:
///
/// ```
/// use omniscope::UserError;
///
/// #[derive(Debug)]
/// enum OrderError { NotFound(u64), Invalid(&'static str), Database(String) }
/// # impl std::fmt::Display for OrderError {
/// #     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "{self:?}") }
/// # }
/// # impl std::error::Error for OrderError {}
///
/// impl UserError for OrderError {
///     fn is_user_error(&self) -> bool {
///         matches!(self, OrderError::NotFound(_) | OrderError::Invalid(_))
///     }
/// }
///
/// #[derive(Debug)]
/// struct CardDeclined;
/// impl UserError for CardDeclined {} // every `CardDeclined` is expected
///
/// assert!(OrderError::NotFound(7).is_user_error());
/// assert!(!OrderError::Database("timeout".into()).is_user_error());
/// assert!(CardDeclined.is_user_error());
/// ```
///
/// # How the type is seen
///
/// Rust has no specialization, so a function taking any `E` cannot ask
/// whether `E: UserError`. The macros can: they expand where the type is
/// known, and pick the `UserError` answer when there is one (autoref
/// specialization: a method on `&&Wrapper<E>` found only if
/// `E: UserError`, else a fallback on `Wrapper<E>` that says "not a user
/// error"). So `#[instrument]` and [`handle_error!`](crate::handle_error!)
/// honour it for any error type, with no bound on generic code, and a type
/// that does not implement it is a failure as before. Functions that only
/// get a `&dyn Error` — [`handle_error`](fn@crate::handle_error) — cannot see
/// it: use the macro there, or check `is_user_error()` before calling.
/// What a macro sees is the type as written: the error inside an
/// `anyhow::Error` or a `Box<dyn Error>` is not seen; a `Box<E>`, `&E` or
/// `Arc<E>` of a `UserError` is.
pub trait UserError {
    /// Whether this error is expected (a user error), not a failure.
    /// Default: `true`, every value of the type.
    fn is_user_error(&self) -> bool {
        true
    }
}

macro_rules! forward_user_error {
    ($($ty:ty),*) => {$(
        impl<T: UserError + ?Sized> UserError for $ty {
            fn is_user_error(&self) -> bool {
                (**self).is_user_error()
            }
        }
    )*};
}

forward_user_error!(&T, Box<T>, std::sync::Arc<T>);
