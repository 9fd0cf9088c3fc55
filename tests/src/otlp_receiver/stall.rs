//! Stalling: listeners that accept connections and hold them, never
//! reading or answering, as a hung collector would.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use omniscope::sync::lock;

/// Listeners that accept connections and hold them, never reading.
pub(super) struct Stall {
    stop: Arc<AtomicBool>,
    held: Arc<Mutex<Vec<TcpStream>>>,
    threads: Vec<JoinHandle<()>>,
}

impl Stall {
    /// How many connections are held now.
    pub(super) fn held(&self) -> usize {
        lock(&self.held).len()
    }

    /// Listens on `addrs` (retrying while a just-released port is busy).
    pub(super) fn start(addrs: &[SocketAddr]) -> Stall {
        let stop = Arc::new(AtomicBool::new(false));
        let held = Arc::new(Mutex::new(Vec::new()));
        let threads = addrs
            .iter()
            .map(|addr| {
                let listener = bind_std(*addr);
                listener.set_nonblocking(true).unwrap();
                let (stop, held) = (stop.clone(), held.clone());
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match listener.accept() {
                            Ok((stream, _)) => lock(&held).push(stream),
                            Err(_) => std::thread::sleep(Duration::from_millis(10)),
                        }
                    }
                })
            })
            .collect();
        Stall {
            stop,
            held,
            threads,
        }
    }

    /// Stops accepting and closes the held connections.
    pub(super) fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            let _ = t.join();
        }
        lock(&self.held).clear();
    }
}

fn bind_std(addr: SocketAddr) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpListener::bind(addr) {
            Ok(l) => return l,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("cannot listen on {addr}: {e}"),
        }
    }
}
