//! [`ErrorEvent`] → Sentry [`Event`]: a pure function of the event, the
//! resource and the breadcrumbs, so that what Sentry receives can be
//! checked without a server.

use std::borrow::Cow;
use std::sync::Arc;

use omniscope::{ErrorKind, Level as OmniLevel, OwnedValue, Value as OmniValue};
use omniscope_sdk::errors::ErrorEvent;
use omniscope_sdk::Resource;
use sentry::protocol::{
    Breadcrumb, Context, Event, Exception, Frame, Level, Map, Mechanism, SpanId, Stacktrace,
    Thread, TraceContext, TraceId, Value,
};

use crate::breadcrumbs::cut;
use crate::stacktrace::{self, InApp};

/// The longest tag key Sentry keeps, in characters.
const MAX_TAG_KEY: usize = 32;
/// The longest tag value Sentry keeps, in characters.
const MAX_TAG_VALUE: usize = 200;

/// The fingerprint of an event, from the event the SDK made.
pub(crate) type FingerprintFn = dyn Fn(&ErrorEvent) -> Vec<String> + Send + Sync;

/// What conversion needs besides the event.
#[derive(Clone)]
pub(crate) struct Convert {
    pub(crate) in_app: InApp,
    pub(crate) fingerprint: Option<Arc<FingerprintFn>>,
    pub(crate) release: Option<String>,
    pub(crate) environment: Option<String>,
    pub(crate) server_name: Option<String>,
}

impl std::fmt::Debug for Convert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Convert")
            .field("in_app", &self.in_app)
            .field("fingerprint", &self.fingerprint.is_some())
            .field("release", &self.release)
            .field("environment", &self.environment)
            .field("server_name", &self.server_name)
            .finish()
    }
}

/// The default fingerprint: the outermost error's type (its Rust type when
/// the handling site knew it, else its `kind` label) and the handling site
/// (`file:line`, the column left out so that a reformatted line still
/// groups), so that one error type handled in two places makes two issues,
/// and one message with different ids in it makes one.
pub fn default_fingerprint(event: &ErrorEvent) -> Vec<String> {
    let site = event
        .location
        .as_deref()
        .map_or_else(String::new, |l| match l.rsplit_once(':') {
            Some((file_line, col)) if col.bytes().all(|b| b.is_ascii_digit()) => {
                file_line.to_owned()
            }
            _ => l.to_owned(),
        });
    let ty = match event.kind {
        ErrorKind::Handled => event.error_type.unwrap_or_else(|| event.type_name()),
        ErrorKind::Panic => event.type_name(),
    };
    vec![ty.to_owned(), site]
}

/// The Sentry event for `event`, with `breadcrumbs` (oldest first).
pub(crate) fn to_sentry(
    event: &ErrorEvent,
    resource: &Resource,
    breadcrumbs: Vec<Breadcrumb>,
    convert: &Convert,
) -> Event<'static> {
    let panic = event.kind == ErrorKind::Panic;
    // A panic's backtrace comes formatted; the handling site's is resolved
    // here, on the pipeline thread.
    let text = match (&event.backtrace, &event.handling_backtrace) {
        (Some(text), _) => Some(Cow::Borrowed(text.as_str())),
        (None, Some(backtrace)) => Some(Cow::Owned(backtrace.to_string())),
        (None, None) => None,
    };
    let mut stack = text
        .as_deref()
        .and_then(|text| stacktrace::parse(text, &convert.in_app));
    if stack.is_none() {
        // No backtrace: the handling site (or the panic's location) as the
        // one frame Sentry shows and links to source.
        stack = event.location.as_deref().map(|location| {
            let mut frame = Frame {
                in_app: Some(true),
                ..Frame::default()
            };
            stacktrace::set_location(&mut frame, location);
            Stacktrace {
                frames: vec![frame],
                ..Stacktrace::default()
            }
        });
    }
    let mut exceptions: Vec<Exception> = event
        .chain
        .iter()
        .map(|link| Exception {
            ty: link.type_name.clone(),
            value: Some(link.message.clone()),
            ..Exception::default()
        })
        .collect();
    if let Some(outer) = exceptions.first_mut() {
        // The handled error's own type when the site knew it, rather than
        // what its `Debug` output tells (an enum's variant).
        if let Some(path) = event.error_type.filter(|_| !panic) {
            let (module, name) = omniscope::error::split_type_name(path);
            outer.ty = name.to_owned();
            outer.module = (!module.is_empty()).then(|| module.to_owned());
        }
        outer.stacktrace = stack;
        let mut data = Map::new();
        if let Some(location) = &event.location {
            data.insert("location".to_owned(), Value::from(location.as_str()));
        }
        outer.mechanism = Some(Mechanism {
            ty: if panic { "panic" } else { "generic" }.to_owned(),
            handled: Some(!panic),
            data,
            ..Mechanism::default()
        });
    }
    // Sentry lists the root cause first and the error that was handled last.
    exceptions.reverse();

    let mut contexts = Map::new();
    if let (Some(trace_id), Some(span_id)) = (event.trace_id, event.span_id) {
        contexts.insert(
            "trace".to_owned(),
            Context::Trace(Box::new(TraceContext {
                trace_id: TraceId::from(trace_id.to_bytes()),
                span_id: SpanId::from(span_id.to_bytes()),
                ..TraceContext::default()
            })),
        );
    }
    let threads = event
        .thread
        .as_ref()
        .map(|name| Thread {
            name: Some(name.clone()),
            current: true,
            crashed: panic,
            ..Thread::default()
        })
        .into_iter()
        .collect::<Vec<_>>();

    let mut tags = Map::new();
    for (key, value) in event.fields.iter() {
        if let Some((key, value)) = tag(key, &value) {
            tags.insert(key, value);
        }
    }
    let fingerprint = match &convert.fingerprint {
        Some(f) => f(event),
        None => default_fingerprint(event),
    };
    let text_attr = |key: &str| match resource.get(key) {
        Some(OwnedValue::Str(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    Event {
        level: if panic { Level::Fatal } else { Level::Error },
        timestamp: event.timestamp,
        platform: Cow::Borrowed("native"),
        logger: None,
        culprit: event.location.clone(),
        exception: exceptions.into(),
        threads: threads.into(),
        breadcrumbs: breadcrumbs.into(),
        contexts,
        tags,
        fingerprint: Cow::Owned(fingerprint.into_iter().map(Cow::Owned).collect()),
        release: convert
            .release
            .clone()
            .or_else(|| text_attr(Resource::SERVICE_VERSION))
            .map(Cow::Owned),
        environment: convert
            .environment
            .clone()
            .or_else(|| text_attr(Resource::DEPLOYMENT_ENVIRONMENT))
            .map(Cow::Owned),
        server_name: convert
            .server_name
            .clone()
            .or_else(|| text_attr("host.name"))
            .map(Cow::Owned),
        ..Event::default()
    }
}

/// A field as a tag Sentry keeps: keys of letters, digits and `_.:-`, at
/// most 32 characters; values on one line, at most 200; empty ones left out.
fn tag(key: &str, value: &OmniValue<'_>) -> Option<(String, String)> {
    let key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_.:-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(MAX_TAG_KEY)
        .collect();
    let value: String = value
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_TAG_VALUE)
        .collect();
    let value = value.trim().to_owned();
    (!key.is_empty() && !value.is_empty()).then_some((key, value))
}

/// A field value as JSON (breadcrumb data).
pub(crate) fn json_value(value: &OmniValue<'_>) -> Value {
    match value {
        OmniValue::Str(s) => Value::from(cut(s, crate::breadcrumbs::MAX_MESSAGE_LEN).as_ref()),
        OmniValue::I64(v) => Value::from(*v),
        OmniValue::U64(v) => Value::from(*v),
        OmniValue::F64(v) => Value::from(*v),
        OmniValue::Bool(v) => Value::from(*v),
        other => Value::from(cut(&other.to_string(), crate::breadcrumbs::MAX_MESSAGE_LEN).as_ref()),
    }
}

/// A log level as a Sentry level.
pub(crate) fn level(level: OmniLevel) -> Level {
    match level {
        OmniLevel::Error => Level::Error,
        OmniLevel::Warn => Level::Warning,
        OmniLevel::Info => Level::Info,
        OmniLevel::Debug | OmniLevel::Trace => Level::Debug,
    }
}

#[cfg(test)]
mod tests;
