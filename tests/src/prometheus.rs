//! A private Prometheus server and a private Pushgateway (Debian's
//! `prometheus` and `prometheus-pushgateway` packages; `scripts/test-all`
//! installs them), each on a free loopback port with its own temporary
//! directory, stopped by its own handle when dropped. Every wait has a
//! deadline ([`DEADLINE`]).

use std::collections::BTreeMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// The longest any wait for a server or a value lasts. Prometheus hands
/// new targets to its scrapers in 5-second batches, so a first value takes
/// about 6 s; the rest is room for a loaded machine.
pub const DEADLINE: Duration = Duration::from_secs(90);

/// A scrape job: its name, and where its metrics are.
#[derive(Clone, Debug)]
pub struct Job {
    /// The `job` label.
    pub name: String,
    /// The target's address.
    pub target: SocketAddr,
    /// The metrics path (`/metrics`).
    pub path: String,
}

impl Job {
    /// Job `name` scraping `http://{target}{path}`.
    pub fn new(name: &str, target: SocketAddr, path: &str) -> Job {
        Job {
            name: name.to_owned(),
            target,
            path: path.to_owned(),
        }
    }
}

/// A private Prometheus scraping its jobs every second, with exemplar
/// storage on; killed (by its own handle) when dropped.
#[derive(Debug)]
pub struct Prometheus {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Prometheus {
    /// Starts Prometheus on `OMNISCOPE_TEST_PROMETHEUS_PORT` or a free
    /// port, and waits until it is ready.
    pub fn start(jobs: &[Job]) -> Prometheus {
        let dir = temp_dir("prometheus");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        let mut config =
            String::from("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n");
        for job in jobs {
            config.push_str(&format!(
                "  - job_name: {}\n    metrics_path: {}\n    static_configs:\n      - targets: ['{}']\n",
                job.name, job.path, job.target
            ));
        }
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let addr = port_from_env("OMNISCOPE_TEST_PROMETHEUS_PORT");
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .arg("--enable-feature=exemplar-storage")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start `prometheus` ({e}): {}",
                    install_hint("prometheus")
                )
            });
        let prometheus = Prometheus { child, dir, addr };
        wait_for(
            "Prometheus to be ready",
            || prometheus.log(),
            || get(addr, "/-/ready", &[]).filter(|(status, _)| *status == 200),
        );
        prometheus
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// What it wrote on stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// The `data` of a successful answer of its HTTP API at `path`.
    pub fn api(&self, path: &str) -> Option<Value> {
        let (_, body) = get(self.addr, path, &[])?;
        let v: Value = serde_json::from_str(&body).ok()?;
        (v["status"] == "success").then(|| v["data"].clone())
    }

    /// The value of the one series `query` selects, once it exists.
    pub fn value(&self, query: &str) -> Option<String> {
        let data = self.api(&format!("/api/v1/query?query={}", encode(query)))?;
        let result = data["result"].as_array()?;
        (result.len() == 1).then(|| result[0]["value"][1].as_str().map(str::to_owned))?
    }

    /// Waits until `query` selects one series whose value is `want` and
    /// returns it; at the deadline, fails with the last value seen.
    pub fn wait_for_value(&self, query: &str, want: &str) -> String {
        let mut last = None;
        let start = Instant::now();
        loop {
            last = self.value(query).or(last);
            if last.as_deref() == Some(want) {
                return want.to_owned();
            }
            assert!(
                start.elapsed() < DEADLINE,
                "{query}: wanted {want}, Prometheus has {last:?} after {DEADLINE:?}; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Polls `f` every 200 ms until it returns `Some`; fails at the
    /// deadline with `what` and Prometheus' log.
    pub fn wait_for<T>(&self, what: &str, f: impl FnMut() -> Option<T>) -> T {
        wait_for(what, || self.log(), f)
    }

    /// Every active target, once each has been scraped at least once.
    fn scraped_targets(&self, jobs: usize) -> Vec<Value> {
        self.wait_for("every target to be scraped", || {
            let data = self.api("/api/v1/targets")?;
            let targets = data["activeTargets"].as_array()?.clone();
            let done = targets.len() == jobs && targets.iter().all(|t| t["health"] != "unknown");
            done.then_some(targets)
        })
    }

    /// Waits until each of the `jobs` targets has been scraped once, and
    /// asserts that every one is up with no scrape error.
    pub fn assert_every_target_scraped_cleanly(&self, jobs: usize) {
        for t in &self.scraped_targets(jobs) {
            assert_eq!(
                (t["health"].as_str(), t["lastError"].as_str()),
                (Some("up"), Some("")),
                "target {} was not scraped cleanly: {t}",
                t["labels"]["job"]
            );
        }
    }

    /// The trace ids of the exemplars Prometheus stored for `selector`
    /// over the last hour, once there is at least one.
    pub fn exemplar_trace_ids(&self, selector: &str) -> Vec<String> {
        self.exemplars(selector)
            .into_iter()
            .map(|e| e.trace_id)
            .collect()
    }

    /// The exemplars Prometheus stored for `selector` over the last hour,
    /// once there is at least one.
    pub fn exemplars(&self, selector: &str) -> Vec<StoredExemplar> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let path = format!(
            "/api/v1/query_exemplars?query={}&start={}&end={}",
            encode(selector),
            now - 3600,
            now + 3600
        );
        self.wait_for(&format!("exemplars of {selector}"), || {
            let data = self.api(&path)?;
            let mut found = Vec::new();
            for series in data.as_array()? {
                let labels: BTreeMap<String, String> = series["seriesLabels"]
                    .as_object()?
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                    .collect();
                for e in series["exemplars"].as_array()? {
                    found.push(StoredExemplar {
                        series: labels.clone(),
                        value: e["value"].as_str()?.parse().ok()?,
                        trace_id: e["labels"]["trace_id"].as_str()?.to_owned(),
                    });
                }
            }
            (!found.is_empty()).then_some(found)
        })
    }

    /// The value of one of Prometheus' own metrics (read from its
    /// `/metrics`, summed over labels), such as
    /// `prometheus_target_scrapes_sample_duplicate_timestamp_total`.
    pub fn own_metric(&self, name: &str) -> f64 {
        let (_, body) = get(self.addr, "/metrics", &[]).expect("Prometheus' own /metrics");
        body.lines()
            .filter(|l| l.split(['{', ' ']).next() == Some(name))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }
}

/// An exemplar as Prometheus stored it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredExemplar {
    /// The labels of the series it belongs to (`__name__` and `le` included).
    pub series: BTreeMap<String, String>,
    /// The sample's value.
    pub value: f64,
    /// Its `trace_id` label.
    pub trace_id: String,
}

impl StoredExemplar {
    /// The `le` of its bucket (`+Inf` included), if it is on one.
    pub fn le(&self) -> Option<f64> {
        match self.series.get("le")?.as_str() {
            "+Inf" => Some(f64::INFINITY),
            le => le.parse().ok(),
        }
    }
}

/// Runs `promtool check metrics` (Debian's `prometheus` package; `PROMTOOL`
/// overrides the path) on `text`, classic exposition text: `Err` with what
/// promtool said when it finds a problem (its lint included: a `_total`
/// suffix on a non-counter, a missing HELP…). Panics when promtool cannot
/// be run.
pub fn promtool_check_metrics(text: &str) -> Result<(), String> {
    let path = std::env::var("PROMTOOL").unwrap_or_else(|_| "promtool".to_owned());
    let mut check = Command::new(&path)
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {path} ({e}): {}", install_hint("prometheus")));
    let mut stdin = check.stdin.take().unwrap();
    // promtool reads everything before it answers: write from a thread, so
    // that a large text cannot fill both pipes.
    let text = text.to_owned();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, text.as_bytes()));
    let out = check.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "promtool check metrics failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A private Pushgateway, in memory only; killed (by its own handle) when
/// dropped.
#[derive(Debug)]
pub struct Pushgateway {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl Pushgateway {
    /// Starts a Pushgateway on `OMNISCOPE_TEST_PUSHGATEWAY_PORT` or a free
    /// port, open to all, and waits until it is ready.
    pub fn start() -> Pushgateway {
        Pushgateway::start_with(None)
    }

    /// Starts a Pushgateway that requires basic authentication of `user`
    /// with the password whose bcrypt hash is `bcrypt`.
    pub fn start_with_basic_auth(user: &str, bcrypt: &str) -> Pushgateway {
        Pushgateway::start_with(Some((user, bcrypt)))
    }

    fn start_with(auth: Option<(&str, &str)>) -> Pushgateway {
        let dir = temp_dir("pushgateway");
        std::fs::create_dir_all(&dir).unwrap();
        let addr = port_from_env("OMNISCOPE_TEST_PUSHGATEWAY_PORT");
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut command = Command::new("prometheus-pushgateway");
        command
            .arg(format!("--web.listen-address={addr}"))
            .arg("--persistence.file=")
            .stdout(Stdio::null())
            .stderr(log);
        if let Some((user, bcrypt)) = auth {
            let config = dir.join("web.yml");
            std::fs::write(&config, format!("basic_auth_users:\n  {user}: {bcrypt}\n")).unwrap();
            command.arg(format!("--web.config.file={}", config.display()));
        }
        let child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "cannot start `prometheus-pushgateway` ({e}): {}",
                install_hint("prometheus-pushgateway")
            )
        });
        let gateway = Pushgateway { child, dir, addr };
        // Any answer (401 included, with basic auth) means it listens.
        wait_for(
            "the Pushgateway to be ready",
            || gateway.log(),
            || get(addr, "/-/ready", &[]),
        );
        gateway
    }

    /// Its base URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What it wrote on stderr so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// `GET path` with extra headers: the status and the body.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        get(self.addr, path, headers)
            .unwrap_or_else(|| panic!("no answer from the Pushgateway to GET {path}"))
    }

    /// Its groups, from `GET /api/v1/metrics` (`data`).
    pub fn groups(&self, headers: &[(&str, &str)]) -> Vec<Value> {
        let (status, body) = self.get("/api/v1/metrics", headers);
        assert_eq!(status, 200, "GET /api/v1/metrics: {body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["data"].as_array().cloned().unwrap_or_default()
    }
}

impl Drop for Pushgateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `query` percent-encoded for a URL's query string.
pub fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A free port on 127.0.0.1 (or the one in `var`).
fn port_from_env(var: &str) -> SocketAddr {
    let port = match std::env::var(var) {
        Ok(p) => p
            .parse()
            .unwrap_or_else(|_| panic!("{var}={p:?} is not a port number")),
        Err(_) => TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
    };
    SocketAddr::from(([127, 0, 0, 1], port))
}

fn temp_dir(what: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "omniscope-test-{what}-{}-{nanos}",
        std::process::id()
    ))
}

fn install_hint(package: &str) -> String {
    format!(
        "it comes with Debian's `{package}` package; run scripts/test-all, which installs it \
         (or `apt-get install -y --no-install-recommends {package}`)"
    )
}

/// Polls `f` every 200 ms until it returns `Some`; fails at [`DEADLINE`]
/// with `what` and the server's log.
fn wait_for<T>(what: &str, log: impl Fn() -> String, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {what}; server log:\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `GET path`: the status and the body, or `None` if the server did not
/// answer (not listening yet).
fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Option<(u16, String)> {
    crate::http::try_get(addr, path, headers).map(|reply| (reply.status, reply.body))
}
