//! The facade on its own: instrument code with `omniscope`, install a tiny
//! hand-written backend, and watch logs carry the trace id of their span.
//!
//! Run: `cargo run -p omniscope-examples --example quickstart`

use std::sync::atomic::{AtomicU64, Ordering};

use omniscope::trace::{SpanStart, SpanToken, StartedSpan};
use omniscope::{counter, handle_error, info, span, warn};
use omniscope::{Logger, Record, SpanContext, SpanId, TraceFlags, TraceId, Tracer};

/// Prints every record to stdout with the ids of its span.
struct StdoutLogger;

impl Logger for StdoutLogger {
    fn log(&self, record: &Record<'_>) {
        let ids = match (record.trace_id(), record.span_id()) {
            (Some(t), Some(s)) => format!(" trace_id={t} span_id={s}"),
            _ => String::new(),
        };
        let fields: String = record
            .fields()
            .iter()
            .map(|f| format!(" {}={}", f.key(), f.value()))
            .collect();
        println!(
            "{:<5} {}: {}{fields}{ids}",
            record.level(),
            record.target(),
            record.args()
        );
    }
}

/// Gives every span ids (children inherit the trace id) and prints its name at the end.
struct PrintingTracer {
    next: AtomicU64,
}

impl Tracer for PrintingTracer {
    fn start(&self, start: &SpanStart<'_>) -> StartedSpan {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let trace_id = start
            .parent()
            .map_or(TraceId::from_u128(0x5eed_0000 + u128::from(n)), |p| {
                p.trace_id()
            });
        let context = SpanContext::new(trace_id, SpanId::from_u64(n), TraceFlags::SAMPLED);
        println!("start span {:?} ({})", start.name(), context.span_id());
        StartedSpan::recording(context, SpanToken(n))
    }

    fn end(&self, token: SpanToken) {
        println!("end span {}", SpanId::from_u64(token.0));
    }
}

fn charge_card(amount: f64) -> Result<(), std::io::Error> {
    let _span = span!("charge_card", amount);
    if amount > 100.0 {
        return Err(std::io::Error::other("card declined"));
    }
    info!("charged"; amount);
    Ok(())
}

fn main() {
    info!("logged before any backend: kept and replayed");
    let _ = omniscope::set_logger(StdoutLogger);
    let _ = omniscope::set_tracer(PrintingTracer {
        next: AtomicU64::new(1),
    });

    for (order_id, amount) in [(1, 25.0), (2, 250.0)] {
        let _order = span!("create_order", order.id = order_id);
        counter!("orders_created_total", "channel" => "web").increment(1);
        if let Err(e) = charge_card(amount) {
            warn!("payment failed"; order.id = order_id, error = %e);
            handle_error!(&e; order.id = order_id);
        }
    }
}
