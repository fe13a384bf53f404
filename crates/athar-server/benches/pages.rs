//! The web pages' speed over a store of demo persons, as a reader meets them: each page's
//! time from request to last byte on this machine (the server renders it; nothing else is
//! in between), its weight with what it loads (HTML, style sheet, script), and the first page
//! in real headless Chromium under Chrome DevTools' "Slow 3G" conditions (2 s latency per
//! request, 50 kB/s each way), cold. The store is made beforehand:
//!
//! ```sh
//! export ATHAR_PASSPHRASE='a passphrase of twelve or more'
//! athar --data /tmp/d100k init && athar --data /tmp/d100k demo --persons 100000 --tracing
//! athar --data /tmp/d100k linkage run   # optional: the person pages then list pairs
//! ATHAR_BENCH_STORE=/tmp/d100k cargo bench -p athar-server --bench pages
//! ```
//!
//! Besides the pages below it times the filtered list right after each of ten edits (the
//! counting facts brought up to date first) and, when the store holds the demo's
//! families' reports, five report pages with their candidate matches.
//!
//! It adds an account (`bench-reader`, a documenter) to that store to sign in with. Each
//! page is asked 30 times in turn with the others; the median and the 90th percentile are
//! reported. The same search asked again is answered from the server's last eight ranked
//! lists, so a row of 40 different names (taken from the list pages) measures searches
//! ranked afresh. Without chromium and chromedriver the Slow 3G part says so and is skipped.

use std::sync::Arc;
use std::time::{Duration, Instant};

use athar_crypto::auth::hash_password;
use athar_model::access::Role;
use athar_server::AppState;
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store};

const ROUNDS: usize = 30;
const USER: &str = "bench-reader";
const PASSWORD: &str = "bench reader password 2026";

fn percentile(times: &[Duration], p: f64) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1e3
}

struct Client {
    base: String,
    http: reqwest::Client,
    cookie: String,
}

impl Client {
    async fn get(&self, path: &str) -> (u16, String, Duration) {
        let t = Instant::now();
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        (status, body, t.elapsed())
    }
}

/// The first and the last word of each name a list page shows, in both scripts: queries
/// that find persons, each different.
fn names_in(page: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cell in page.split("<bdi>").skip(1) {
        let name = cell.split("</bdi>").next().unwrap_or_default();
        for word in [name.split(' ').next(), name.split(' ').next_back()]
            .into_iter()
            .flatten()
        {
            if word.chars().count() > 2 && !out.iter().any(|w| w == word) {
                out.push(word.to_string());
            }
        }
    }
    out
}

fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn ids_in(page: &str) -> Vec<String> {
    page.split("href=\"/persons/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .filter(|id| id.len() == 36)
        .map(str::to_string)
        .collect()
}

#[tokio::main]
async fn main() {
    let Ok(dir) = std::env::var("ATHAR_BENCH_STORE") else {
        println!(
            "pages: set ATHAR_BENCH_STORE to a store made with `athar demo` (see the file's header); nothing measured"
        );
        return;
    };
    let passphrase = std::env::var("ATHAR_PASSPHRASE").unwrap_or_default();
    let store = Arc::new(
        SqliteStore::open(&DataDir::new(dir), &passphrase)
            .unwrap_or_else(|e| panic!("cannot open the store: {e}")),
    );
    let persons = store
        .count(athar_model::RecordKind::Person)
        .unwrap_or_default();
    let org = store
        .keyring()
        .default_organisation()
        .map(|o| o.num)
        .unwrap_or(1);
    if store.user_by_name(USER).ok().flatten().is_none() {
        store
            .create_user(
                "bench",
                NewUser {
                    username: USER.into(),
                    role: Role::Documenter,
                    organisation: org,
                    password_hash: hash_password(PASSWORD).unwrap_or_default(),
                    totp_secret: None,
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let base = format!(
        "http://{}",
        listener.local_addr().unwrap_or_else(|e| panic!("{e}"))
    );
    let state = AppState::new(Arc::clone(&store) as Arc<dyn Backend>);
    let app = state.app.clone();
    tokio::spawn(athar_server::serve(listener, state, std::future::pending()));

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let signed = http
        .post(format!("{base}/sign-in"))
        .form(&[
            ("username", USER),
            ("password", PASSWORD),
            ("next", "/persons"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let cookie = signed
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ");
    let client = Client {
        base: base.clone(),
        http,
        cookie,
    };
    println!("a store of {persons} persons; pages served at {base}");

    // Warm the caches a working server has (vocabularies, counting facts, demo flag).
    let (_, first, took) = client.get("/persons").await;
    println!(
        "first list page after start: {:.1} ms",
        took.as_secs_f64() * 1e3
    );
    let (_, _, took) = client.get("/persons?status=disappeared").await;
    println!(
        "first filtered list right after start (waits for the counting facts the server builds at start): {:.1} ms",
        took.as_secs_f64() * 1e3
    );
    let (_, _, took) = client.get("/persons?status=detained").await;
    println!("the next filtered list: {:.1} ms", took.as_secs_f64() * 1e3);
    let ids = ids_in(&first);
    after_writes(&client, &app, org, &ids).await;
    family_reports(&client, persons).await;
    let (_, deep, _) = client
        .get(&format!(
            "/persons?after={}",
            ids.last().cloned().unwrap_or_default()
        ))
        .await;
    let later = ids_in(&deep);

    let mut pages: Vec<(&str, Vec<String>)> = vec![
        ("persons list, first page", vec!["/persons".into()]),
        (
            "persons list, a later page",
            vec![format!(
                "/persons?after={}",
                later.last().cloned().unwrap_or_default()
            )],
        ),
        (
            "name search محمد",
            vec!["/persons?name=%D9%85%D8%AD%D9%85%D8%AF".into()],
        ),
        (
            "name search Mohammad",
            vec!["/persons?name=Mohammad".into()],
        ),
        ("name search Halabi", vec!["/persons?name=Halabi".into()]),
        (
            "name search, 40 different names (none repeated within 8 asks)",
            names_in(&first)
                .iter()
                .chain(&names_in(&deep))
                .take(40)
                .map(|n| format!("/persons?name={}", query_value(n)))
                .collect(),
        ),
        (
            "filtered: disappeared, arrested in 2019",
            vec!["/persons?status=disappeared&kind=arrest&from=2019&to=2019".into()],
        ),
        (
            "person page (30 persons)",
            ids.iter()
                .chain(&later)
                .take(30)
                .map(|id| format!("/persons/{id}"))
                .collect(),
        ),
        ("new case form", vec!["/cases/new".into()]),
    ];
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); pages.len()];
    let mut sizes: Vec<usize> = vec![0; pages.len()];
    for round in 0..ROUNDS {
        for (i, (_, paths)) in pages.iter_mut().enumerate() {
            let path = &paths[round % paths.len()];
            let (status, body, took) = client.get(path).await;
            assert_eq!(status, 200, "{path}");
            times[i].push(took);
            sizes[i] = sizes[i].max(body.len());
        }
    }
    let (_, css, _) = client.get(athar_web::STYLE_PATH).await;
    let (_, js, _) = client.get(athar_web::INTAKE_SCRIPT_PATH).await;
    println!();
    println!("| page | median ms | p90 ms | HTML + CSS + JS, KB |");
    println!("|---|---:|---:|---:|");
    for (i, (name, paths)) in pages.iter().enumerate() {
        let script = if paths[0].starts_with("/cases") {
            js.len()
        } else {
            0
        };
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} |",
            percentile(&times[i], 0.5),
            percentile(&times[i], 0.9),
            (sizes[i] + css.len() + script) as f64 / 1024.0
        );
    }
    slow_3g(&base).await;
}

/// The filtered list right after each of ten edits of a person: the counting facts are
/// brought up to date from what the edit touched before the list is drawn.
async fn after_writes(client: &Client, app: &athar_app::App, org: i64, ids: &[String]) {
    const FILTERED: &str = "/persons?status=disappeared&kind=arrest&from=2019&to=2019";
    let mut times = Vec::new();
    for id in ids.iter().take(10) {
        let id: athar_model::RecordId = id.parse().unwrap_or_else(|e| panic!("{e}"));
        let scope = app.scope(athar_model::OrgId::new(org), USER);
        let record = scope
            .read(athar_model::RecordKind::Person, id)
            .unwrap_or_else(|e| panic!("{e}"));
        let mut body = record.body;
        if let athar_model::RecordBody::Person(p) = &mut body {
            p.sex = match p.sex {
                athar_model::Sex::Male => athar_model::Sex::Unknown,
                _ => athar_model::Sex::Male,
            };
        }
        scope
            .write(
                "bench.edit",
                vec![athar_store::Change::Update {
                    id,
                    expected_rev: Some(record.rev),
                    body,
                }],
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let (status, _, took) = client.get(FILTERED).await;
        assert_eq!(status, 200);
        times.push(took);
    }
    println!(
        "filtered list right after a person is edited (10 edits): median {:.1} ms, p90 {:.1} ms",
        percentile(&times, 0.5),
        percentile(&times, 0.9)
    );
}

/// A family's report page over the store (`athar demo --tracing`): every named record
/// scored against the reported person.
async fn family_reports(client: &Client, persons: u64) {
    let reports: Vec<String> = athar_demo::tracing::generate(1, persons)
        .into_iter()
        .filter(
            |(_, body)| matches!(body, athar_model::RecordBody::Person(p) if p.contact.is_some()),
        )
        .map(|(id, _)| id.to_string())
        .take(11)
        .collect();
    let mut times = Vec::new();
    for id in &reports {
        let (status, _, took) = client.get(&format!("/tracing/{id}")).await;
        if status != 200 {
            println!(
                "family's report page: no demo reports in this store (`athar demo --tracing`); not measured"
            );
            return;
        }
        times.push(took);
    }
    if let Some((first, rest)) = times.split_first()
        && !rest.is_empty()
    {
        println!(
            "family's report page with its candidates: the first {:.1} ms (the named persons prepared), the next {} reports median {:.1} ms, p90 {:.1} ms",
            first.as_secs_f64() * 1e3,
            rest.len(),
            percentile(rest, 0.5),
            percentile(rest, 0.9)
        );
    }
}

/// The first page in headless Chromium, cold, under Slow 3G: when it can be used
/// (DOMContentLoaded, with its style sheet) and when it finished loading.
async fn slow_3g(base: &str) {
    use fantoccini::ClientBuilder;
    use fantoccini::wd::WebDriverCompatibleCommand;
    use serde_json::json;

    #[derive(Debug)]
    struct Throttle;
    impl WebDriverCompatibleCommand for Throttle {
        fn endpoint(
            &self,
            base: &url::Url,
            session: Option<&str>,
        ) -> Result<url::Url, url::ParseError> {
            base.join(&format!(
                "session/{}/chromium/network_conditions",
                session.unwrap_or_default()
            ))
        }
        fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
            // Chrome DevTools' "Slow 3G": 400 ms × 5 latency, 500 kbit/s × 0.8 each way.
            let conditions = json!({ "network_conditions": {
                "offline": false, "latency": 2000,
                "download_throughput": 50000, "upload_throughput": 50000
            }});
            (http::Method::POST, Some(conditions.to_string()))
        }
    }

    let (chromium, driver) = ("/usr/bin/chromium", "/usr/bin/chromedriver");
    if !std::path::Path::new(chromium).exists() || !std::path::Path::new(driver).exists() {
        println!("\nSlow 3G: chromium or chromedriver missing; not measured");
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(9515);
    let mut child = std::process::Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("chromedriver: {e}"));
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"binary": chromium, "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--window-size=1280,900"]}),
    );
    let client = match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
    {
        Ok(c) => c,
        Err(e) => {
            println!("\nSlow 3G: no browser session ({e}); not measured");
            let _ = child.kill();
            let _ = child.wait();
            return;
        }
    };
    let _ = client.issue_cmd(Throttle).await;
    println!("\nFirst page in Chromium under Slow 3G, cold (the address the run command prints):");
    for path in ["/", "/sign-in"] {
        let _ = client.goto(&format!("{base}{path}")).await;
        let timing = client
            .execute(
                "const n = performance.getEntriesByType('navigation')[0];
                 return [n.domContentLoadedEventEnd, n.loadEventEnd, n.transferSize,
                         performance.getEntriesByType('resource').length];",
                vec![],
            )
            .await
            .unwrap_or_default();
        println!(
            "  {path}: usable (DOMContentLoaded) at {:.0} ms, loaded at {:.0} ms, {} requests",
            timing[0].as_f64().unwrap_or(f64::NAN),
            timing[1].as_f64().unwrap_or(f64::NAN),
            1 + timing[3].as_u64().unwrap_or(0)
        );
    }
    let _ = client.close().await;
    let _ = child.kill();
    let _ = child.wait();
}
