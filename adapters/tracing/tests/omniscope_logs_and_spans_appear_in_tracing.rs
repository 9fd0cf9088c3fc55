//! omniscope → `tracing`: with `TracingLogger` and `TracingTracer`
//! installed, omniscope's spans are `tracing` spans (their names in
//! `otel.name`, nested as in omniscope), its logs are `tracing` events in
//! the span they were emitted in, fields included, and a status sets
//! `otel.status_code`; `fmt` prints them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::Subscriber;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// Every field of a span or event, as text.
#[derive(Default)]
struct Texts(HashMap<String, String>);

impl Visit for Texts {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// A span or event's `otel.name` (of its span, for an event) and fields.
type Entry = (Option<String>, HashMap<String, String>);

/// What the `tracing` side saw: spans by `otel.name` with their parent's
/// `otel.name`, events with their span's `otel.name`.
#[derive(Clone, Default)]
struct Seen {
    spans: Arc<Mutex<HashMap<String, Entry>>>,
    events: Arc<Mutex<Vec<Entry>>>,
}

fn otel_name<S: Subscriber + for<'a> LookupSpan<'a>>(
    id: &Id,
    ctx: &Context<'_, S>,
) -> Option<String> {
    ctx.span(id)?.extensions().get::<String>().cloned()
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut texts = Texts::default();
        attrs.record(&mut texts);
        let name = texts.0.get("otel.name").cloned().unwrap_or_default();
        let parent = ctx.span(id).unwrap().parent().map(|p| p.id());
        let parent = parent.and_then(|p| otel_name(&p, &ctx));
        ctx.span(id).unwrap().extensions_mut().insert(name.clone());
        self.spans.lock().unwrap().insert(name, (parent, texts.0));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let mut texts = Texts::default();
        values.record(&mut texts);
        let name = otel_name(id, &ctx).unwrap();
        let mut spans = self.spans.lock().unwrap();
        spans.get_mut(&name).unwrap().1.extend(texts.0);
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut texts = Texts::default();
        event.record(&mut texts);
        let span = ctx.event_span(event).map(|s| s.id());
        let span = span.and_then(|s| otel_name(&s, &ctx));
        self.events.lock().unwrap().push((span, texts.0));
    }
}

#[test]
fn omniscope_spans_and_logs_are_tracing_spans_and_events() {
    let seen = Seen::default();
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(seen.clone()))
        .unwrap();
    omniscope::set_tracer(omniscope_tracing::TracingTracer::new()).unwrap();
    omniscope::set_logger(omniscope_tracing::TracingLogger::new()).unwrap();

    {
        let outer = omniscope::span!("handle_order", order.id = 7);
        {
            let _inner = omniscope::span!("charge");
            omniscope::info!("charged"; amount = 12.5);
        }
        outer.set_status(omniscope::Status::error("declined"));
    }
    omniscope::warn!("outside");

    let spans = seen.spans.lock().unwrap();
    let (parent, outer) = &spans["handle_order"];
    assert_eq!(*parent, None);
    assert_eq!(outer["otel.kind"], "internal");
    assert_eq!(outer["fields"], "order.id=7");
    assert_eq!(outer["otel.status_code"], "error");
    assert_eq!(outer["otel.status_description"], "declined");
    assert_eq!(spans["charge"].0.as_deref(), Some("handle_order"));
    let events = seen.events.lock().unwrap();
    let charged = events
        .iter()
        .find(|(_, f)| f["message"] == "charged")
        .unwrap();
    assert_eq!(charged.0.as_deref(), Some("charge"));
    assert_eq!(charged.1["fields"], "amount=12.5");
    assert_eq!(charged.1["omniscope.target"], module_path!());
    let outside = events
        .iter()
        .find(|(_, f)| f["message"] == "outside")
        .unwrap();
    assert_eq!(outside.0, None);
}
