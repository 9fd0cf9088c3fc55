#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod breadcrumbs;
mod builder;
mod event;
mod reporter;
mod stacktrace;
mod transport;

pub use breadcrumbs::BreadcrumbExporter;
pub use builder::{
    Sentry, SentryBuilder, SentryStats, DEFAULT_MAX_BREADCRUMBS, DEFAULT_MAX_BREADCRUMB_TRACES,
    DEFAULT_TIMEOUT, DSN_ENV, ENVIRONMENT_ENV, RELEASE_ENV,
};
pub use event::default_fingerprint;
pub use omniscope;
pub use reporter::SentryReporter;
pub use sentry;
