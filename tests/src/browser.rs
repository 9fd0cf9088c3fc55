//! Headless Chromium driven by chromedriver over plain W3C WebDriver HTTP
//! (no client library). Needs Debian's `chromium` and `chromium-driver`
//! (`scripts/test-all` installs them); `CHROMIUM` and `CHROMEDRIVER`
//! override the paths. Every wait has a deadline.

use std::fs;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::http::send;

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The longest any wait for the browser or the page lasts.
pub const WAIT: Duration = Duration::from_secs(30);

/// `name` from the environment variable `var`, else the first of `paths`
/// that exists; fails with the install command otherwise.
pub fn program(var: &str, paths: &[&str]) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    paths
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .unwrap_or_else(|| {
            panic!(
                "{} not found (looked at {paths:?}, and ${var} is not set): this test needs \
                 headless Chromium; install it with `apt-get install chromium chromium-driver` \
                 (scripts/test-all does)",
                paths[0]
            )
        })
}

/// Where screenshots go: `<target>/test-artifacts`, found from this test's
/// own path (`<target>/<profile>/deps/<test>`).
pub fn artifacts_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test runs from <target>/<profile>/deps");
    let dir = target.join("test-artifacts");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// A chromedriver process and one browser session; both end on drop.
#[derive(Debug)]
pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: PathBuf,
    log: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session.
    pub fn start() -> Browser {
        let chromedriver = program("CHROMEDRIVER", &["/usr/bin/chromedriver"]);
        let chromium = program("CHROMIUM", &["/usr/bin/chromium"]);
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let profile =
            std::env::temp_dir().join(format!("omniscope-chromium-{}-{port}", std::process::id()));
        fs::create_dir_all(&profile).unwrap();
        let log = profile.with_extension("chromedriver.log");
        // No --allowed-ips: without it chromedriver listens on loopback only.
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        let mut browser = Browser {
            driver,
            addr,
            session: String::new(),
            profile,
            log,
        };
        browser.wait_until_ready();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--no-first-run", "--disable-quic",
                         "--window-size=1400,1000",
                         format!("--user-data-dir={}", browser.profile.display())]
            }
        }}});
        let created = browser.call("POST", "/session", Some(caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        browser
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(Some(status)) = self.driver.try_wait() {
                panic!(
                    "chromedriver exited at start ({status}); log: {}",
                    self.log_tail()
                );
            }
            if std::net::TcpStream::connect(self.addr).is_ok() {
                let ready = send(self.addr, "GET", "/status", &[], None).json();
                if ready["value"]["ready"] == true {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready in {WAIT:?}; log: {}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        text.lines()
            .rev()
            .take(30)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// One WebDriver command; returns its `value`, failing on an error.
    pub fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let reply = send(self.addr, method, path, &[], body.as_deref());
        let value = reply.json()["value"].clone();
        assert_eq!(reply.status, 200, "{method} {path}: {value}");
        value
    }

    /// One WebDriver command of this session.
    pub fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Navigates to `url`.
    pub fn open(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    /// Runs `script` (a function body) in the page.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until `css` matches an element, and returns its id.
    pub fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.script(
                "const e = document.querySelector(arguments[0]); return e !== null;",
                json!([css]),
            );
            if found == true {
                let el = self.session_call(
                    "POST",
                    "/element",
                    Some(json!({"using": "css selector", "value": css})),
                );
                return el[ELEMENT].as_str().unwrap().to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no element {css:?} within {WAIT:?}; page at {}",
                self.script("return location.href;", json!([]))
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits for `css`, then clicks it.
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.session_call("POST", &format!("/element/{id}/click"), Some(json!({})));
    }

    /// Waits for `css`, then returns its rendered text.
    pub fn text(&self, css: &str) -> String {
        let id = self.find(css);
        self.session_call("GET", &format!("/element/{id}/text"), None)
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits until the dashboard's view `name` has drawn its data.
    pub fn wait_view(&self, name: &str) {
        self.find(&format!("#view-{name}.active[data-state=loaded]"));
    }

    /// Saves a PNG of the window to `path`.
    pub fn screenshot(&self, path: &Path) {
        let png = self.session_call("GET", "/screenshot", None);
        fs::write(path, base64_decode(png.as_str().unwrap())).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = std::panic::catch_unwind(|| {
                send(
                    self.addr,
                    "DELETE",
                    &format!("/session/{}", self.session),
                    &[],
                    None,
                )
            });
        }
        // `/shutdown` ends chromedriver at once; kill is the fallback.
        let _ = std::panic::catch_unwind(|| send(self.addr, "GET", "/shutdown", &[], None));
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline && matches!(self.driver.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = fs::remove_dir_all(&self.profile);
        let _ = fs::remove_file(&self.log);
    }
}

/// Standard base64 (the screenshot's encoding), without a dependency.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
