//! What the layer derives once per `tracing` call site: the omniscope
//! [`SpanSite`]s a span there starts at, the source location its events
//! carry, and which of its fields are special (`otel.*`, `error`).
//!
//! Derived on first use and kept for the life of the process (call sites
//! are `static`, so this is bounded by the program's code), found again
//! through a small per-thread direct-mapped cache in front of a shared map:
//! the span and event paths look a call site up once each, and a hit costs
//! a thread-local read and one comparison.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;

use omniscope::log::SourceLocation;
use omniscope::sync::lock;
use omniscope::trace::SpanSite;
use omniscope::{Level, SpanKind};

/// The special field names, as `tracing-opentelemetry` reads them.
pub(crate) const OTEL_NAME: &str = "otel.name";
pub(crate) const OTEL_KIND: &str = "otel.kind";
pub(crate) const OTEL_STATUS_CODE: &str = "otel.status_code";
pub(crate) const OTEL_STATUS_DESCRIPTION: &str = "otel.status_description";
/// A field of this name holding an error records the error on its span.
pub(crate) const ERROR: &str = "error";

/// The kinds, in the order of [`Callsite::site`]'s array.
const KINDS: [SpanKind; 5] = [
    SpanKind::Internal,
    SpanKind::Server,
    SpanKind::Client,
    SpanKind::Producer,
    SpanKind::Consumer,
];

/// One call site, as the layer uses it.
#[derive(Debug)]
pub(crate) struct Callsite {
    /// One site per kind: `otel.kind` is a field value, and an omniscope
    /// site carries its kind.
    sites: [SpanSite; 5],
    location: SourceLocation<'static>,
    level: Level,
    /// Bit `i` is set when field `i` is one of the special fields.
    special: u32,
    /// Whether omniscope's own bridge into `tracing` emits here.
    bridge: bool,
}

impl Callsite {
    fn new(meta: &'static tracing::Metadata<'static>) -> Callsite {
        let level = level(*meta.level());
        let file = meta.file().unwrap_or("");
        let line = meta.line().unwrap_or(0);
        let site = |kind| {
            SpanSite::new(meta.name(), meta.target(), file, line)
                .with_level(level)
                .with_kind(kind)
        };
        let mut special = 0u32;
        for field in meta.fields() {
            if is_special(field.name()) && field.index() < 32 {
                special |= 1 << field.index();
            }
        }
        Callsite {
            sites: KINDS.map(site),
            location: SourceLocation::new(meta.module_path().unwrap_or(meta.target()), file, line),
            level,
            special,
            bridge: meta.target() == crate::to_tracing::TARGET,
        }
    }

    /// The span site for spans of `kind` started here.
    pub(crate) fn site(&'static self, kind: SpanKind) -> &'static SpanSite {
        let index = KINDS.iter().position(|k| *k == kind).unwrap_or(0);
        &self.sites[index]
    }

    /// The source location of events here.
    pub(crate) fn location(&'static self) -> &'static SourceLocation<'static> {
        &self.location
    }

    /// The omniscope level.
    pub(crate) fn level(&self) -> Level {
        self.level
    }

    /// Whether the field at `index` is special.
    #[inline]
    pub(crate) fn is_special(&self, index: usize) -> bool {
        index < 32 && self.special & (1 << index) != 0
    }

    /// Whether omniscope's bridge into `tracing` ([`crate::TracingLogger`],
    /// [`crate::TracingTracer`]) emits here: not sent back, or each record
    /// would loop.
    pub(crate) fn is_bridge(&self) -> bool {
        self.bridge
    }

    /// Whether any field is special.
    #[inline]
    pub(crate) fn has_special(&self) -> bool {
        self.special != 0
    }
}

fn is_special(name: &str) -> bool {
    matches!(
        name,
        OTEL_NAME | OTEL_KIND | OTEL_STATUS_CODE | OTEL_STATUS_DESCRIPTION | ERROR
    )
}

/// `tracing`'s level as omniscope's (the same five).
pub(crate) fn level(level: tracing::Level) -> Level {
    match level {
        tracing::Level::ERROR => Level::Error,
        tracing::Level::WARN => Level::Warn,
        tracing::Level::INFO => Level::Info,
        tracing::Level::DEBUG => Level::Debug,
        _ => Level::Trace,
    }
}

/// Every call site seen so far, by the address of its `static` metadata.
static ALL: Mutex<Option<HashMap<usize, &'static Callsite>>> = Mutex::new(None);

/// Slots of the per-thread cache: a power of two, enough for the call sites
/// of a request's hot path.
const CACHE_SLOTS: usize = 64;

type Slot = Cell<(usize, Option<&'static Callsite>)>;

thread_local! {
    static CACHE: [Slot; CACHE_SLOTS] = const {
        [const { Cell::new((0, None)) }; CACHE_SLOTS]
    };
}

/// The derived data of the call site of `meta`.
#[inline]
pub(crate) fn callsite(meta: &'static tracing::Metadata<'static>) -> &'static Callsite {
    let key = std::ptr::from_ref(meta) as usize;
    // Metadata are at least 8-byte aligned statics: the low bits carry nothing.
    let index = (key >> 3) % CACHE_SLOTS;
    let cached = CACHE
        .try_with(|cache| match cache[index].get() {
            (k, Some(site)) if k == key => Some(site),
            _ => None,
        })
        .ok()
        .flatten();
    if let Some(site) = cached {
        return site;
    }
    let site = shared(key, meta);
    let _ = CACHE.try_with(|cache| cache[index].set((key, Some(site))));
    site
}

#[cold]
fn shared(key: usize, meta: &'static tracing::Metadata<'static>) -> &'static Callsite {
    // Reached on a thread's first use of a call site (or when two hot call
    // sites share a cache slot): a mutex is enough.
    let mut all = lock(&ALL);
    let entry = all.get_or_insert_with(HashMap::new).entry(key);
    // Leaked on purpose: one per call site, and call sites are statics.
    let site: &'static Callsite = entry.or_insert_with(|| Box::leak(Box::new(Callsite::new(meta))));
    site
}
