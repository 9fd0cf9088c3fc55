//! The in-flight view lists the spans started and not yet ended, on every
//! thread, with their ids and how long they have been running.

use std::sync::mpsc;
use std::time::Duration;

use omniscope::span;
use omniscope_sdk::trace::{Sampler, SdkTracer};

#[test]
fn lists_open_spans_of_every_thread() {
    let tracer = SdkTracer::builder()
        .with_sampler(Sampler::AlwaysOn)
        .build()
        .unwrap();
    omniscope::set_tracer(tracer.clone()).ok().unwrap();
    assert!(tracer.in_flight().is_empty());

    let outer = span!("outer");
    let outer_ids = omniscope::context::current_ids().unwrap();
    let (ready, wait) = mpsc::channel();
    let (release, hold) = mpsc::channel::<()>();
    let worker = std::thread::spawn(move || {
        let _busy = span!("busy_elsewhere");
        ready.send(()).unwrap();
        hold.recv().unwrap();
    });
    wait.recv().unwrap();
    {
        let _done = span!("already_done");
    }
    std::thread::sleep(Duration::from_millis(2));

    let mut open = tracer.in_flight();
    open.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<_> = open.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, ["busy_elsewhere", "outer"]);
    let o = &open[1];
    assert_eq!((o.trace_id, o.span_id), outer_ids);
    assert!(o.elapsed >= Duration::from_millis(2));
    assert_eq!(o.site.name(), "outer");

    release.send(()).unwrap();
    worker.join().unwrap();
    drop(outer);
    assert!(tracer.in_flight().is_empty());
}
