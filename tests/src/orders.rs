//! The `orders` example's binary as a process under test
//! (`OMNISCOPE_ORDERS_BIN`, else `<target>/debug/examples/orders`;
//! `scripts/test-all` builds it first).

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long `orders` may take to start listening.
pub const START_WAIT: Duration = Duration::from_secs(60);

/// The path of the `orders` binary.
pub fn orders_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("OMNISCOPE_ORDERS_BIN") {
        return PathBuf::from(path);
    }
    // Tests run from <target>/debug/deps/.
    let exe = std::env::current_exe().unwrap();
    let path = exe.ancestors().nth(2).unwrap().join("examples/orders");
    assert!(
        path.exists(),
        "{} is missing: build it with `cargo build -p omniscope-examples --example orders` \
         (scripts/test-all does), or set OMNISCOPE_ORDERS_BIN",
        path.display()
    );
    path
}

/// A running `orders`, its API on a port it picked; interrupted (then
/// killed, if need be) on drop.
#[derive(Debug)]
pub struct Orders {
    child: Child,
    api: SocketAddr,
    dashboard: Option<String>,
}

impl Orders {
    /// Runs `orders --addr 127.0.0.1:0` with `args` and the environment
    /// variables `env`, and waits (at most [`START_WAIT`]) for the addresses
    /// it prints (its API's, then its dashboard's or "off"); fails with what
    /// it wrote on stderr if it prints none.
    pub fn start(args: &[&str], env: &[(&str, &str)]) -> Orders {
        let binary = orders_binary();
        let mut child = Command::new(&binary)
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let (tx, rx) = mpsc::channel();
        let (dashboard_tx, dashboard_rx) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.strip_prefix("orders: listening on http://") {
                    let addr = rest.split(' ').next().unwrap_or_default().parse();
                    if let Ok(addr) = addr {
                        let _ = tx.send(addr);
                    }
                }
                if let Some(rest) = line.strip_prefix("orders: dashboard: ") {
                    let url = rest.starts_with("http://").then(|| rest.to_owned());
                    let _ = dashboard_tx.send(url);
                }
                // Keep reading, so that the service never blocks on a full pipe.
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let (err_tx, err_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            let _ = err_tx.send(text);
        });
        let api = rx.recv_timeout(START_WAIT).unwrap_or_else(|_| {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_rx
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            panic!("orders printed no address within {START_WAIT:?}; its stderr:\n{stderr}")
        });
        let dashboard = dashboard_rx
            .recv_timeout(START_WAIT)
            .unwrap_or_else(|_| panic!("orders printed no dashboard line within {START_WAIT:?}"));
        Orders {
            child,
            api,
            dashboard,
        }
    }

    /// The address of its API.
    pub fn api(&self) -> SocketAddr {
        self.api
    }

    /// Its dashboard's URL (`http://127.0.0.1:PORT/`), unless the
    /// environment turned the dashboard off.
    pub fn dashboard(&self) -> Option<&str> {
        self.dashboard.as_deref()
    }
}

impl Drop for Orders {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
