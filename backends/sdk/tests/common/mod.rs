//! Shared by the integration tests: a tracer that records every span into
//! memory.

#![allow(clippy::unwrap_used)] // a tracer that cannot be built fails the test

use omniscope_sdk::export::{InMemoryExporter, InMemoryHandle};
use omniscope_sdk::trace::{Sampler, SdkTracer, SpanData, TracerBuilder};

/// `builder` with the always-on sampler and an in-memory exporter, built;
/// and what the exporter receives.
pub(crate) fn recording_tracer(builder: TracerBuilder) -> (SdkTracer, InMemoryHandle<SpanData>) {
    let (exporter, spans) = InMemoryExporter::new();
    let tracer = builder
        .with_sampler(Sampler::AlwaysOn)
        .with_exporter(Box::new(exporter))
        .build()
        .unwrap();
    (tracer, spans)
}
