//! Exemplar slots: the last sample of a bucket recorded inside a span.
//!
//! A slot is a seqlock over plain atomics: a writer takes it with one
//! compare-and-swap of the sequence number (odd while writing) and, if
//! another writer holds it, skips — the exemplar is "the last sample" up to
//! concurrent writers, and recording never waits. A reader retries a few
//! times while the sequence moves and then gives up (no exemplar this
//! time), so a collection never spins on a preempted writer. No field is
//! ever read torn: a read counts only if the sequence was even and
//! unchanged around it.

use std::sync::atomic::{fence, AtomicU64, Ordering};

use omniscope::{SpanId, TraceId};

use super::snapshot::Exemplar;
use crate::clock::{Calibration, Tick};

/// One bucket's exemplar.
#[derive(Debug, Default)]
pub(crate) struct ExemplarSlot {
    /// Even: stable; odd: being written; 0: never written.
    seq: AtomicU64,
    value: AtomicU64,
    trace_hi: AtomicU64,
    trace_lo: AtomicU64,
    span: AtomicU64,
    /// A [`Tick`], converted to wall time when read: a tick is a third of
    /// the cost of `SystemTime::now`, and the conversion is off the hot path.
    time: AtomicU64,
}

impl ExemplarSlot {
    /// Stores a sample unless another thread is storing one right now.
    pub(crate) fn write(&self, value: f64, trace_id: TraceId, span_id: SpanId) {
        let seq = self.seq.load(Ordering::Relaxed);
        if seq & 1 == 1
            || self
                .seq
                .compare_exchange(seq, seq + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        fence(Ordering::Release);
        let trace = trace_id.to_u128();
        let time = Tick::now().raw();
        self.value.store(value.to_bits(), Ordering::Relaxed);
        self.trace_hi.store((trace >> 64) as u64, Ordering::Relaxed);
        self.trace_lo.store(trace as u64, Ordering::Relaxed);
        self.span.store(span_id.to_u64(), Ordering::Relaxed);
        self.time.store(time, Ordering::Relaxed);
        self.seq.store(seq + 2, Ordering::Release);
    }

    /// The stored exemplar, if any (and if a consistent read succeeded),
    /// its time converted by `cal`.
    pub(crate) fn read(&self, cal: &Calibration) -> Option<Exemplar> {
        for _ in 0..16 {
            let before = self.seq.load(Ordering::Acquire);
            if before == 0 {
                return None;
            }
            if before & 1 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let value = f64::from_bits(self.value.load(Ordering::Relaxed));
            let hi = self.trace_hi.load(Ordering::Relaxed);
            let lo = self.trace_lo.load(Ordering::Relaxed);
            let span = self.span.load(Ordering::Relaxed);
            let time = self.time.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == before {
                return Some(Exemplar {
                    value,
                    trace_id: TraceId::from_u128(u128::from(hi) << 64 | u128::from(lo)),
                    span_id: SpanId::from_u64(span),
                    time: cal.wall_time(Tick::from_raw(time)),
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use std::time::SystemTime;

    use super::*;
    use crate::clock;

    #[test]
    fn empty_then_last_write_wins() {
        clock::init();
        let before = SystemTime::now();
        let slot = ExemplarSlot::default();
        assert!(slot.read(&clock::calibration()).is_none());
        slot.write(1.5, TraceId::from_u128(1), SpanId::from_u64(2));
        slot.write(2.5, TraceId::from_u128(u128::MAX - 3), SpanId::from_u64(4));
        let e = slot.read(&clock::calibration()).unwrap();
        assert_eq!(e.value, 2.5);
        assert_eq!(e.trace_id, TraceId::from_u128(u128::MAX - 3));
        assert_eq!(e.span_id, SpanId::from_u64(4));
        // Generous bounds: the conversion is anchored within microseconds.
        let slack = std::time::Duration::from_millis(5);
        assert!(e.time + slack >= before, "{:?} {before:?}", e.time);
        assert!(e.time <= SystemTime::now() + slack, "{:?}", e.time);
    }

    #[test]
    fn concurrent_reads_are_never_torn() {
        let slot = std::sync::Arc::new(ExemplarSlot::default());
        let writer = {
            let slot = slot.clone();
            std::thread::spawn(move || {
                for i in 1..20_000u64 {
                    // Every field derives from `i`, so a torn read shows.
                    slot.write(
                        i as f64,
                        TraceId::from_u128(u128::from(i) << 64 | u128::from(i)),
                        SpanId::from_u64(i),
                    );
                }
            })
        };
        let cal = clock::calibration();
        for _ in 0..20_000 {
            if let Some(e) = slot.read(&cal) {
                let i = e.value as u64;
                assert_eq!(
                    e.trace_id,
                    TraceId::from_u128(u128::from(i) << 64 | u128::from(i))
                );
                assert_eq!(e.span_id, SpanId::from_u64(i));
            }
        }
        writer.join().unwrap();
    }
}
