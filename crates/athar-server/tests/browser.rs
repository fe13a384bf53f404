//! The web pages in a real browser: Debian's headless Chromium driven over WebDriver
//! (chromedriver), against a real server on an ephemeral port with a real store. Each page
//! is checked for its direction (right to left in Arabic, left to right in English, in the
//! layout and not only the attribute), for accessibility with axe-core (no serious or
//! critical violation), and for keyboard-only use; every network request the pages make is
//! recorded from the browser's own log and must go to this server. A failed test leaves a
//! screenshot under the target directory (`browser-screenshots/`).
//!
//! Needs `chromium`, `chromedriver` and axe-core (`npm ci` in `tests/browser/`); `.ci/run`
//! installs them. Without them the tests say so and stop, except under `CI=true`, where a
//! missing tool is a failure.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{ADMIN, DOCUMENTER, PASSWORD, Server, a_demo_name};
use fantoccini::key::Key;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use sha2::Digest;

/// Where the browser, its driver and axe-core are.
struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
    axe: String,
}

fn find_tool(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.is_file().then_some(path)
}

/// The tools, or `None` (with a message) when they are missing outside CI.
fn tools(test: &str) -> Option<Tools> {
    let axe_path = std::env::var_os("ATHAR_AXE_JS").map_or_else(
        || {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/browser/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    let found = (
        find_tool("ATHAR_CHROMIUM", "/usr/bin/chromium"),
        find_tool("ATHAR_CHROMEDRIVER", "/usr/bin/chromedriver"),
        std::fs::read_to_string(&axe_path).ok(),
    );
    match found {
        (Some(chromium), Some(chromedriver), Some(axe)) => Some(Tools {
            chromium,
            chromedriver,
            axe,
        }),
        (chromium, chromedriver, axe) => {
            let missing = [
                chromium
                    .is_none()
                    .then_some("chromium (apt-get install chromium)"),
                chromedriver
                    .is_none()
                    .then_some("chromedriver (apt-get install chromium-driver)"),
                axe.is_none()
                    .then_some("axe-core (npm ci in crates/athar-server/tests/browser)"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: missing {missing}"
            );
            eprintln!("SKIPPED {test}: missing {missing}");
            None
        }
    }
}

/// A chromedriver process, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_driver(tools: &Tools) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("a free port: {e}"));
    let child = Command::new(&tools.chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver: {e}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let status = format!("{}/status", driver.url);
    for _ in 0..100 {
        if reqwest::get(&status)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

/// The browser's performance log since the last read (chromedriver's `se/log`): where the
/// network requests of the pages are recorded.
#[derive(Debug)]
struct PerformanceLog;

impl WebDriverCompatibleCommand for PerformanceLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "performance" }).to_string()),
        )
    }
}

/// Chromium's network emulation through chromedriver: offline, or back to normal.
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        if self.offline {
            let conditions = json!({ "network_conditions": {
                "offline": true, "latency": 0, "download_throughput": 0, "upload_throughput": 0
            }});
            (http::Method::POST, Some(conditions.to_string()))
        } else {
            (http::Method::DELETE, None)
        }
    }
}

/// A browser session on the site, with what it has requested so far.
struct Browser {
    client: Client,
    base: String,
    axe: String,
    requests: Vec<String>,
}

impl Browser {
    async fn open(tools: &Tools, driver: &Driver, server: &Server) -> Browser {
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": tools.chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,900", "--no-first-run", "--disable-sync",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-default-apps", "--lang=ar"
                ]
            }),
        );
        capabilities.insert("goog:loggingPrefs".into(), json!({ "performance": "ALL" }));
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&driver.url)
            .await
            .unwrap_or_else(|e| panic!("a Chromium session: {e}"));
        Browser {
            client,
            base: server.base.clone(),
            axe: tools.axe.clone(),
            requests: Vec::new(),
        }
    }

    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }

    /// The current path and query.
    async fn here(&self) -> String {
        let url = self
            .client
            .current_url()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        }
    }

    /// Waits until the current path starts with `prefix`.
    async fn wait_for_path(&self, prefix: &str) {
        for _ in 0..100 {
            if self.here().await.starts_with(prefix) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("still at {} instead of {prefix}", self.here().await);
    }

    async fn script(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    async fn text(&self) -> String {
        self.script("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .replace(['\u{2068}', '\u{2069}'], "")
    }

    /// Keeps a full-page screenshot as `NAME.png` in the directory `ATHAR_SCREENSHOTS`
    /// names, when it is set (how the pictures in docs/ are made); nothing otherwise.
    async fn snapshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("ATHAR_SCREENSHOTS") else {
            return;
        };
        let dir = PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
    }

    /// Cuts the browser off the network, or connects it again.
    async fn offline(&self, offline: bool) {
        self.client
            .issue_cmd(NetworkConditions { offline })
            .await
            .unwrap_or_else(|e| panic!("network conditions: {e}"));
    }

    /// Waits until `script` returns true.
    async fn wait_until(&self, script: &str, what: &str) {
        for _ in 0..200 {
            if self.script(script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{what} never happened on {}", self.here().await);
    }

    /// Types into the field with id `id` (focused from the keyboard first).
    async fn type_into(&self, id: &str, text: &str) {
        self.tab_to(&format!("#{id}")).await;
        self.keys(text).await;
    }

    /// Picks the choice with `value` in the picker with id `id`.
    async fn pick(&self, id: &str, value: &str) {
        self.client
            .find(Locator::Id(id))
            .await
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{id} = {value}: {e}"));
    }

    /// Signs in with the form as `username`.
    async fn sign_in(&self, username: &str) {
        self.goto("/sign-in").await;
        for (id, value) in [("username", username), ("password", PASSWORD)] {
            self.client
                .find(Locator::Id(id))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .send_keys(value)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        self.keys(&char::from(Key::Enter).to_string()).await;
        self.wait_for_path("/persons").await;
    }

    /// Presses keys in whatever has the focus.
    async fn keys(&self, keys: &str) {
        self.client
            .active_element()
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .send_keys(keys)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Presses Tab until the element focused matches `selector` (as a user without a mouse
    /// does), at most 150 times (a long form has many fields).
    async fn tab_to(&self, selector: &str) {
        let tab = char::from(Key::Tab).to_string();
        let check = format!(
            "return document.activeElement !== null && document.activeElement.matches({})",
            json!(selector)
        );
        for _ in 0..150 {
            if self.script(&check).await == json!(true) {
                return;
            }
            self.keys(&tab).await;
        }
        panic!("Tab never reaches {selector} on {}", self.here().await);
    }

    /// The page's language, direction as written, and direction as laid out: which side
    /// the site's name is drawn on.
    async fn direction(&self) -> (String, String, &'static str) {
        let v = self
            .script(
                "const brand = document.querySelector('.brand').getBoundingClientRect();
                 return [document.documentElement.lang, document.documentElement.dir,
                         getComputedStyle(document.body).direction,
                         brand.left + brand.width / 2 > window.innerWidth / 2];",
            )
            .await;
        assert_eq!(v[1], v[2], "the dir attribute is the laid-out direction");
        let side = if v[3] == json!(true) { "right" } else { "left" };
        (
            v[0].as_str().unwrap_or_default().to_string(),
            v[1].as_str().unwrap_or_default().to_string(),
            side,
        )
    }

    /// axe-core's serious and critical violations on the current page.
    async fn accessibility_violations(&self) -> Vec<String> {
        self.client
            .execute(&self.axe, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("axe-core: {e}"));
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document)
                   .then(r => done({ passed: r.passes.length, serious: r.violations
                     .filter(v => v.impact === 'serious' || v.impact === 'critical')
                     .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                          + v.nodes.map(n => n.target.join(' ')).join(', ')) }))
                   .catch(e => done({ passed: 0, serious: ['axe-core failed: ' + e] }));",
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("axe-core: {e}"));
        // A check that passed nothing did not run.
        assert!(
            found["passed"].as_u64().unwrap_or(0) > 10,
            "axe-core ran no rules: {found}"
        );
        found["serious"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    async fn assert_accessible(&self) {
        let violations = self.accessibility_violations().await;
        assert!(
            violations.is_empty(),
            "{}: {}",
            self.here().await,
            violations.join("\n")
        );
    }

    /// Reads the network requests logged since the last read into `requests`.
    async fn record_requests(&mut self) {
        let log = self
            .client
            .issue_cmd(PerformanceLog)
            .await
            .unwrap_or_else(|e| panic!("the performance log: {e}"));
        for entry in log.as_array().into_iter().flatten() {
            let Some(message) = entry["message"].as_str() else {
                continue;
            };
            let Ok(message) = serde_json::from_str::<Value>(message) else {
                continue;
            };
            if message["message"]["method"] == "Network.requestWillBeSent"
                && let Some(url) = message["message"]["params"]["request"]["url"].as_str()
            {
                // Requests the pages' scripts made are marked as such.
                let by_script = matches!(
                    message["message"]["params"]["type"].as_str(),
                    Some("XHR" | "Fetch")
                );
                self.requests
                    .push(format!("{}{url}", if by_script { "script: " } else { "" }));
            }
        }
    }
}

/// Keeps a screenshot of the page the browser shows, under the target directory.
async fn screenshot(client: &Client, test: &str) -> Option<PathBuf> {
    let png = client.screenshot().await.ok()?;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{test}.png"));
    std::fs::write(&path, png).ok()?;
    Some(path)
}

/// `browser-screenshots/` in the target directory (the test binary is in `target/*/deps`).
fn screenshot_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.ancestors()
        .nth(3)
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
        .join("browser-screenshots")
}

/// Runs a browser test; if it fails, keeps a screenshot of the page it failed on.
async fn run<F, Fut>(test: &'static str, body: F)
where
    F: FnOnce(Browser, Arc<Server>) -> Fut,
    Fut: std::future::Future<Output = Browser> + Send + 'static,
{
    run_with(test, false, body).await;
}

/// Runs a browser test over a store that also holds a recovered death register
/// (`common::register_changes`) when `register` is set.
async fn run_with<F, Fut>(test: &'static str, register: bool, body: F)
where
    F: FnOnce(Browser, Arc<Server>) -> Fut,
    Fut: std::future::Future<Output = Browser> + Send + 'static,
{
    let Some(tools) = tools(test) else {
        return;
    };
    // Kept here: a body that uses only a field of the server would drop the rest (its store).
    let server = Arc::new(if register {
        common::start_server_with_register().await
    } else {
        common::start_server().await
    });
    // The driver outlives the test's body, to take the screenshot when it fails.
    let driver = start_driver(&tools).await;
    let browser = Browser::open(&tools, &driver, &server).await;
    let client = browser.client.clone();
    match tokio::spawn(body(browser, Arc::clone(&server))).await {
        Ok(browser) => {
            let _ = browser.client.clone().close().await;
        }
        Err(failure) => {
            if let Some(path) = screenshot(&client, test).await {
                eprintln!("{test}: the page it failed on is in {}", path.display());
            }
            let _ = client.close().await;
            if failure.is_panic() {
                std::panic::resume_unwind(failure.into_panic());
            }
            panic!("{test}: {failure}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_documenter_works_in_arabic_then_english_with_the_keyboard_alone() {
    run(
        "a_documenter_works_in_arabic_then_english_with_the_keyboard_alone",
        |mut b, server| async move {
            // Not signed in: the sign-in page, in Arabic, right to left.
            b.goto("/persons").await;
            b.wait_for_path("/sign-in").await;
            assert_eq!(
                b.direction().await,
                ("ar".to_string(), "rtl".to_string(), "right")
            );
            // The inline style sheet applies: the policy names it by its hash.
            assert_eq!(
                b.script("return getComputedStyle(document.querySelector('.top')).backgroundColor")
                    .await,
                json!("rgb(10, 92, 54)")
            );
            b.assert_accessible().await;
            b.snapshot("sign-in-ar").await;

            // Sign in with the keyboard alone.
            b.tab_to("#username").await;
            b.keys(DOCUMENTER).await;
            b.keys(&char::from(Key::Tab).to_string()).await;
            b.tab_to("#password").await;
            b.keys(&format!("{PASSWORD}{}", char::from(Key::Enter)))
                .await;
            b.wait_for_path("/persons").await;
            let text = b.text().await;
            assert!(text.contains("40 شخصًا"), "{text}");
            assert!(text.contains("بيانات تجريبية"), "the demo banner: {text}");
            b.assert_accessible().await;
            b.snapshot("persons-ar").await;

            // Search by a Latin spelling from the keyboard; the Arabic names are found.
            let (arab, latn) = a_demo_name();
            b.tab_to("#name").await;
            b.keys(&format!("{latn}{}", char::from(Key::Enter))).await;
            b.wait_for_path("/persons?name=").await;
            let text = b.text().await;
            assert!(text.contains(&arab), "{latn} finds {arab}: {text}");
            b.assert_accessible().await;

            // The first person found, opened from the keyboard.
            b.tab_to("table.list a").await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path("/persons/").await;
            let text = b.text().await;
            assert!(text.contains("المسار"), "{text}");
            assert!(
                text.contains("بالحروف العربية") && text.contains("بالحروف اللاتينية"),
                "{text}"
            );
            // The journey in the order it happened.
            let dates = b
                .script(
                    "return Array.from(document.querySelectorAll('.journey time'))
                       .map(t => t.getAttribute('datetime'))",
                )
                .await;
            let dates: Vec<&str> = dates
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            assert!(
                dates.windows(2).all(|w| w[0] <= w[1]),
                "the timeline in date order: {dates:?}"
            );
            b.assert_accessible().await;
            let person = b.here().await;

            // Evidence on the person's page: uploaded, its SHA-256 shown.
            let file =
                std::env::temp_dir().join(format!("athar-evidence-{}.txt", std::process::id()));
            let bytes = "شهادة مكتوبة بخط اليد — handwritten statement".as_bytes();
            std::fs::write(&file, bytes).unwrap_or_else(|e| panic!("{e}"));
            let sha256: String = sha2::Sha256::digest(bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            b.client
                .find(Locator::Id("evidence-file"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .send_keys(&file.display().to_string())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.type_into("evidence-description", "من الأخ، بيروت").await;
            b.client
                .find(Locator::Css("#evidence-form button[type='submit']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_for_path(&format!("{person}?notice=evidence")).await;
            let _ = std::fs::remove_file(&file);
            let text = b.text().await;
            assert!(text.contains(&sha256), "the hash shown: {text}");
            b.assert_accessible().await;
            // The item's own page, with its chain of custody, and the edit form.
            b.tab_to("a[href^='/evidence/']").await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path("/evidence/").await;
            let text = b.text().await;
            assert!(
                text.contains("سلسلة الحيازة") && text.contains(&sha256),
                "{text}"
            );
            b.assert_accessible().await;
            b.goto(&format!("{person}/edit")).await;
            b.assert_accessible().await;
            b.goto("/tracing/new").await;
            b.assert_accessible().await;
            b.goto(&person).await;

            // English at a click: left to right, kept on the next page.
            b.client
                .find(Locator::Css("a[hreflang='en']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_for_path(&person).await;
            assert_eq!(
                b.direction().await,
                ("en".to_string(), "ltr".to_string(), "left")
            );
            let text = b.text().await;
            assert!(text.contains("Journey"), "{text}");
            b.assert_accessible().await;
            b.snapshot("person-en").await;
            b.goto("/persons").await;
            let text = b.text().await;
            assert!(text.contains("40 persons"), "{text}");
            b.assert_accessible().await;
            // The filters, open.
            b.goto("/persons?status=disappeared&from=31/02/2019").await;
            let text = b.text().await;
            assert!(text.contains("The date is not understood"), "{text}");
            b.assert_accessible().await;
            b.snapshot("persons-filters-en").await;

            // Signing out is a button in the header.
            b.client
                .find(Locator::Css("form[action='/sign-out'] button"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_for_path("/sign-in?notice=signed-out").await;
            b.assert_accessible().await;

            // Every request the pages made went to this server (the log has them all).
            b.record_requests().await;
            assert!(
                b.requests.iter().any(|u| u.contains("/persons?name=")),
                "the log records requests: {:?}",
                b.requests
            );
            // The evidence went up through the page's script (with its progress).
            assert!(
                b.requests
                    .iter()
                    .any(|u| u.starts_with("script: ") && u.ends_with("/evidence")),
                "{:?}",
                b.requests
            );
            let elsewhere: Vec<&str> = b
                .requests
                .iter()
                .map(|u| u.strip_prefix("script: ").unwrap_or(u))
                .filter(|u| !u.starts_with(&format!("{}/", server.base)))
                .collect();
            assert!(elsewhere.is_empty(), "requests elsewhere: {elsewhere:?}");
            b
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrator_needs_the_one_time_code_and_is_told_so() {
    run(
        "an_administrator_needs_the_one_time_code_and_is_told_so",
        |b, server| async move {
            b.goto("/sign-in").await;
            let fill = |name: &'static str, value: String| {
                let client = b.client.clone();
                async move {
                    let field = client
                        .find(Locator::Id(name))
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    field.clear().await.unwrap_or_else(|e| panic!("{e}"));
                    field
                        .send_keys(&value)
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            };
            // Without the code: refused, and told to enter it.
            fill("username", ADMIN.to_string()).await;
            fill("password", PASSWORD.to_string()).await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path("/sign-in").await;
            let text = b.text().await;
            assert!(
                text.contains("أدخل الرمز المؤقت"),
                "told what to do: {text}"
            );
            b.assert_accessible().await;
            // With it: in.
            fill("password", PASSWORD.to_string()).await;
            fill("code", server.admin_code()).await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path("/persons").await;
            let text = b.text().await;
            assert!(text.contains(ADMIN), "signed in as {ADMIN}: {text}");
            b
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_is_recorded_in_arabic_and_nothing_typed_is_lost_offline() {
    run(
        "a_case_is_recorded_in_arabic_and_nothing_typed_is_lost_offline",
        |b, server| async move {
            b.sign_in(DOCUMENTER).await;
            // The intake form, from the header.
            b.client
                .find(Locator::Css("header a[href='/cases/new']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_for_path("/cases/new").await;
            assert_eq!(
                b.direction().await,
                ("ar".to_string(), "rtl".to_string(), "right")
            );
            b.assert_accessible().await;
            b.snapshot("intake-ar").await;

            // The person, from the keyboard.
            b.type_into("f-arabic-given", "خالد").await;
            b.type_into("f-arabic-family", "البرهوم").await;
            b.type_into("f-latin-given", "Khaled").await;
            b.type_into("f-latin-family", "Barhoum").await;
            b.pick("f-sex", "male").await;
            b.type_into("f-birth_date", "حوالي 1991").await;
            // The first event: an arrest by a unit picked from the vocabulary, in Douma,
            // on a fuzzy date.
            b.pick("f-events-0-kind", "arrest").await;
            b.type_into("f-events-0-date", "~04/2019").await;
            b.type_into("f-events-0-place", "دوما").await;
            b.pick("f-events-0-unit", "air-force-intelligence").await;
            // Saved by the page itself.
            let state = "document.getElementById('save-state').getAttribute('data-state')";
            b.wait_until(&format!("return {state} === 'saved'"), "saving")
                .await;
            let draft = b
                .script("return document.getElementById('intake').getAttribute('action')")
                .await
                .as_str()
                .unwrap_or_default()
                .to_string();
            assert!(draft.starts_with("/drafts/"), "{draft}");

            // The connection drops while typing: the page says so and keeps the text.
            b.offline(true).await;
            b.type_into("f-events-0-narrative", "اعتُقل عند حاجز على مدخل المدينة")
                .await;
            b.wait_until(
                &format!("return {state} === 'offline'"),
                "the offline notice",
            )
            .await;
            let said = b.text().await;
            assert!(said.contains("انقطع الاتصال"), "{said}");
            b.snapshot("intake-offline-ar").await;
            // Back online: saved without a press.
            b.offline(false).await;
            b.wait_until(&format!("return {state} === 'saved'"), "saving once back")
                .await;

            // The draft is on the server: listed among the author's drafts, and opened
            // again with everything typed, the words typed offline too.
            b.goto("/drafts").await;
            let text = b.text().await;
            assert!(text.contains("خالد البرهوم"), "{text}");
            b.assert_accessible().await;
            b.goto(&draft).await;
            let typed = b
                .script(
                    "return [document.getElementById('f-events-0-narrative').value,
                             document.getElementById('f-events-0-unit').value,
                             document.getElementById('f-events-0-date').value]",
                )
                .await;
            assert_eq!(
                typed,
                json!([
                    "اعتُقل عند حاجز على مدخل المدينة",
                    "air-force-intelligence",
                    "~04/2019"
                ])
            );

            // A second event and the source, then submitted without the source's title:
            // refused next to the field, in Arabic, and nothing lost.
            b.client
                .find(Locator::Css("button[value='add-event']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_until(
                "return document.getElementById('f-events-1-kind') !== null",
                "a second event",
            )
            .await;
            b.pick("f-events-1-kind", "enforced-disappearance").await;
            b.type_into("f-events-1-date", "2019-06").await;
            b.pick("f-source-kind", "family-testimony").await;
            b.client
                .find(Locator::Css("button[value='submit']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_until(
                "return document.getElementById('f-source-title-error') !== null",
                "the refusal next to the field",
            )
            .await;
            let text = b.text().await;
            assert!(text.contains("هذا الحقل مطلوب"), "{text}");
            b.snapshot("intake-refused-ar").await;
            b.assert_accessible().await;
            assert_eq!(
                b.script("return document.getElementById('f-events-1-date').value")
                    .await,
                json!("2019-06")
            );
            b.type_into("f-source-title", "مقابلة مع الأخ، بيروت").await;
            b.client
                .find(Locator::Css("button[value='submit']"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));

            // Written: the person's page, its journey in order.
            b.wait_for_path("/persons/").await;
            let person = b.here().await;
            let person = person.split('?').next().unwrap_or_default().to_string();
            let text = b.text().await;
            assert!(text.contains("سُجّلت الحالة"), "{text}");
            assert!(text.contains("البرهوم"), "{text}");
            let steps = b
                .script(
                    "return Array.from(document.querySelectorAll('.journey .what'))
                       .map(e => e.textContent)",
                )
                .await;
            assert_eq!(steps.as_array().map(Vec::len), Some(2), "{steps}");
            assert!(
                text.contains("تقريباً"),
                "the fuzzy date shown as such: {text}"
            );
            b.snapshot("person-ar").await;
            b.assert_accessible().await;
            // Found by another spelling.
            b.goto("/persons?name=Barhum").await;
            let text = b.text().await;
            assert!(text.contains("خالد البرهوم"), "{text}");
            // And the draft is gone.
            b.goto("/drafts").await;
            let text = b.text().await;
            assert!(text.contains("ليست لديك مسودات"), "{text}");

            // Submitted for verification by its author, who cannot verify it.
            b.goto(&person).await;
            let text = b.text().await;
            assert!(text.contains("أرسلها amal"), "{text}");
            assert!(text.contains("أنت من أرسل هذه الحالة"), "{text}");
            assert!(
                b.client
                    .find(Locator::Css("button[value='verify']"))
                    .await
                    .is_err(),
                "no verify button for the author"
            );
            // The review queue and its verification, as the administrator, from the keyboard.
            b.client
                .find(Locator::Css("form[action='/sign-out'] button"))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            b.wait_for_path("/sign-in").await;
            b.goto("/sign-in?next=/review").await;
            b.type_into("username", ADMIN).await;
            b.type_into("password", PASSWORD).await;
            b.type_into("code", &server.admin_code()).await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path("/review").await;
            let text = b.text().await;
            assert!(
                text.contains("خالد البرهوم") && text.contains("amal"),
                "{text}"
            );
            b.assert_accessible().await;
            b.snapshot("review-queue-ar").await;
            b.tab_to("table.list a").await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path(&person).await;
            b.assert_accessible().await;
            b.tab_to("button[value='verify']").await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_for_path(&format!("{person}?notice=verified")).await;
            let text = b.text().await;
            assert!(text.contains("تحقق منها sami (سجّلها amal)"), "{text}");
            b.goto("/review").await;
            let text = b.text().await;
            assert!(text.contains("لا حالة تنتظر التحقق"), "{text}");
            b
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_familys_report_finds_its_person_in_a_register_and_the_match_is_confirmed() {
    run_with(
        "a_familys_report_finds_its_person_in_a_register_and_the_match_is_confirmed",
        true,
        |b, _server| async move {
            b.sign_in(DOCUMENTER).await;
            b.goto("/tracing/new").await;
            // The family's report, typed from the keyboard; their answers picked.
            let (given, family) = common::MISSING;
            b.type_into("f-arabic-given", given).await;
            b.type_into("f-arabic-father", "عبد الكريم").await;
            b.type_into("f-arabic-family", family).await;
            b.type_into("f-birth_date", "1990").await;
            b.type_into("f-last_seen_date", "~06/2013").await;
            b.type_into("f-relative", "أم سامر").await;
            b.type_into("f-relation", "والدته").await;
            b.pick("f-consent_search", "given").await;
            b.pick("f-consent_contact", "given").await;
            b.client
                .find(Locator::Css(
                    "form[action='/tracing/new'] button[type='submit']",
                ))
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .click()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            // `/tracing/new` shares the prefix: wait for the report's own page.
            b.wait_until(
                "return location.search.includes('notice=reported')",
                "the report's page",
            )
            .await;
            let text = b.text().await;
            assert!(text.contains("المطابقات المرشحة"), "{text}");
            assert!(
                text.contains(common::REGISTER),
                "the register's entry: {text}"
            );
            b.assert_accessible().await;
            b.snapshot("tracing-ar").await;

            // The first candidate is the man in the register; confirmed from the keyboard.
            let first = b
                .script("return document.querySelector('li.candidate h3').innerText")
                .await;
            assert!(
                first
                    .as_str()
                    .is_some_and(|t| t.contains("ديري") && t.contains("سامر")),
                "{first}"
            );
            b.tab_to("li.candidate button[value='same']").await;
            b.keys(&char::from(Key::Enter).to_string()).await;
            b.wait_until(
                "return location.search.includes('notice=decided')",
                "the decision",
            )
            .await;
            let text = b.text().await;
            assert!(text.contains("مؤكَّد: الشخص نفسه"), "{text}");
            b.assert_accessible().await;
            b.snapshot("tracing-confirmed-ar").await;
            b
        },
    )
    .await;
}
