//! What an attacker (or a careless script) sends, against a real server and store: a
//! workbook spread over the whole grid, a flood of one-character rows, estimates asking for
//! hours of work, one valid record too long for a spreadsheet cell, names carrying control
//! and direction-override characters. Each gets a clear 4xx or becomes a bounded job that
//! can be watched and cancelled — and all the while a prober asks `/healthz` every 50 ms and
//! every answer comes within 100 ms.
//!
//! One test in its own binary, so nothing else shares the processor with the prober.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use athar_crypto::auth::{TotpSecret, hash_password};
use athar_model::access::{Role, Scope};
use athar_server::AppState;
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a long hostile test password";

fn ok<T, E: std::fmt::Display>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e}"))
}

struct Server {
    base: String,
    client: reqwest::Client,
    /// An org-admin's write token (writes, analyses).
    token: String,
    /// A viewer's read token.
    read_token: String,
    admin_totp: TotpSecret,
    _tmp: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Server {
    let tmp = ok(tempfile::tempdir());
    let dir = DataDir::new(tmp.path().join("data"));
    let store = Arc::new(ok(SqliteStore::create(&dir, "hostile passphrase", "test")));
    let org = ok(store.keyring().default_organisation()).num;
    let hash = ok(hash_password(PASSWORD));
    let admin_totp = ok(TotpSecret::generate());
    for (name, role, totp) in [
        (
            "admin",
            Role::OrgAdmin,
            Some(admin_totp.as_bytes().to_vec()),
        ),
        ("viewer", Role::Viewer, None),
    ] {
        ok(store.create_user(
            "test",
            NewUser {
                username: name.into(),
                role,
                organisation: org,
                password_hash: hash.clone(),
                totp_secret: totp,
            },
        ));
    }
    let user = |name: &str| {
        store
            .user_by_name(name)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{name}"))
    };
    let (token, _) = ok(athar_app::accounts::issue_token(
        store.as_ref(),
        &user("admin"),
        "tests",
        Scope::Write,
        1,
    ));
    let (read_token, _) = ok(athar_app::accounts::issue_token(
        store.as_ref(),
        &user("viewer"),
        "tests",
        Scope::Read,
        1,
    ));
    let listener = ok(tokio::net::TcpListener::bind("127.0.0.1:0").await);
    let addr = ok(listener.local_addr());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut state = AppState::new(store as Arc<dyn Backend>);
    state.job_wait = Duration::from_secs(2);
    tokio::spawn(athar_server::serve(listener, state, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        token,
        read_token,
        admin_totp,
        _tmp: tmp,
        _shutdown: tx,
    }
}

async fn answer(resp: reqwest::Response) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
    (status, headers, bytes)
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post_json(
        &self,
        path: &str,
        body: Value,
        token: &str,
        asynchronous: bool,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body);
        if asynchronous {
            req = req.header("Prefer", "respond-async");
        }
        let (s, h, b) = answer(ok(req.send().await)).await;
        (s, h, json_of(&b))
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, b) = answer(ok(self
            .client
            .get(self.url(path))
            .bearer_auth(&self.token)
            .send()
            .await))
        .await;
        (s, json_of(&b))
    }

    async fn import(&self, file: Vec<u8>, name: &str, mapping: &str) -> (StatusCode, Value) {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name(name.to_string()),
            )
            .part(
                "mapping",
                reqwest::multipart::Part::text(mapping.to_string()),
            );
        let (status, headers, b) = answer(ok(self
            .client
            .post(self.url("/api/imports?list=hostile&check=true"))
            .bearer_auth(&self.token)
            .multipart(form)
            .send()
            .await))
        .await;
        if status != StatusCode::ACCEPTED {
            return (status, json_of(&b));
        }
        // Longer than the server waits: a job, whose answer is fetched when it ends.
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(self.settle(&location).await["state"], "finished");
        self.get(&format!("{location}/result")).await
    }

    /// Wait until the job at `location` is no longer running; its status then.
    async fn settle(&self, location: &str) -> Value {
        for _ in 0..600 {
            let (status, job) = self.get(location).await;
            assert_eq!(status, StatusCode::OK, "{job}");
            if job["state"] != "running" {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the job at {location} did not end")
    }
}

/// Asks `/healthz` every 50 ms until stopped; the slowest answer, and how many there were.
fn probe(
    base: String,
    stop: Arc<AtomicBool>,
) -> tokio::task::JoinHandle<(Duration, usize, Vec<String>)> {
    tokio::spawn(async move {
        let client = reqwest::Client::new();
        let mut slowest = Duration::ZERO;
        let mut answered = 0;
        let mut failures = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let started = Instant::now();
            match client
                .get(format!("{base}/healthz"))
                .timeout(Duration::from_secs(5))
                .send()
                .await
            {
                Ok(r) if r.status() == StatusCode::OK => answered += 1,
                Ok(r) => failures.push(format!("status {}", r.status())),
                Err(e) => failures.push(e.to_string()),
            }
            slowest = slowest.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        (slowest, answered, failures)
    })
}

/// A capture table of `lists` lists, every pattern seen a few times.
fn wide_table(lists: u32) -> String {
    let mut t = (1..=lists)
        .map(|i| format!("L{i}"))
        .collect::<Vec<_>>()
        .join(",");
    t.push_str(",count\n");
    for pattern in 1..(1u32 << lists) {
        let cells: Vec<String> = (0..lists)
            .map(|b| ((pattern >> b) & 1).to_string())
            .collect();
        t.push_str(&format!("{},{}\n", cells.join(","), 1 + pattern % 7));
    }
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_inputs_get_clear_refusals_or_bounded_jobs_while_the_server_stays_healthy() {
    let s = start().await;
    let stop = Arc::new(AtomicBool::new(false));
    let prober = probe(s.base.clone(), stop.clone());
    let mapping = "[list]\nname = \"hostile\"\n\n[columns]\n\"الاسم\" = \"full_name\"\n";

    // 1. Two cells at the corners of Excel's grid: the declared dimension is the whole
    // grid; read cell by cell it is a header and nothing else.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    ok(sheet.write_string(0, 0, "الاسم"));
    ok(sheet.write_string(1_048_575, 16_383, "x"));
    let corners = ok(book.save_to_buffer());
    let (status, report) = s.import(corners, "corners.xlsx", mapping).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rows"], 0, "{report}");

    // 2. A flood of one-character rows past the row limit: refused, naming the limit.
    let mut flood = String::from("الاسم\n");
    flood.push_str(&"a\n".repeat(athar_ingest::table::MAX_ROWS + 10));
    let (status, problem) = s.import(flood.into_bytes(), "flood.csv", mapping).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("rows"), "{problem}");

    // 3. Estimates. Twelve lists and a thousand classes: refused before it starts. From a
    // read token: not allowed at all.
    let table12 = wide_table(12);
    let started = Instant::now();
    let (status, _, problem) = s
        .post_json(
            "/api/estimate",
            json!({"table": table12, "method": "lcmcr", "classes": 1000}),
            &s.token,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("units of work")),
        "{problem}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let (status, _, _) = s
        .post_json(
            "/api/estimate",
            json!({"table": "A,B,count\n1,0,6\n0,1,2\n1,1,4\n", "method": "chapman"}),
            &s.read_token,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A long estimate within the limit is a job: 202 with its address, progress that moves,
    // one at a time per organisation, and cancelled on request.
    let long = json!({"table": wide_table(5), "method": "lcmcr", "classes": 50, "chains": 1,
                      "burnin": 1_000_000, "samples": 1000, "thin": 100});
    let (status, headers, job) = s
        .post_json("/api/estimate", long.clone(), &s.token, true)
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        location,
        format!("/api/jobs/{}", job["id"].as_str().unwrap_or_default())
    );
    assert_eq!(job["kind"], "estimate");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, running) = s.get(&location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(running["state"], "running", "{running}");
    let (done, total) = (
        running["done"].as_u64().unwrap_or(0),
        running["total"].as_u64().unwrap_or(0),
    );
    assert!(done > 0 && done < total, "{running}");
    let (status, _, busy) = s
        .post_json("/api/estimate", long.clone(), &s.token, true)
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{busy}");
    let (status, result) = s.get(&format!("{location}/result")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{result}");
    let (status, _, _) = answer(ok(s
        .client
        .delete(s.url(&location))
        .bearer_auth(&s.token)
        .send()
        .await))
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(s.settle(&location).await["state"], "cancelled");
    // Another account does not see the job.
    let (status, _, _) = answer(ok(s
        .client
        .get(s.url(&location))
        .bearer_auth(&s.read_token)
        .send()
        .await))
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A client that gives up waiting cancels the work it asked for.
    let gave_up = s
        .client
        .post(s.url("/api/estimate"))
        .bearer_auth(&s.token)
        .json(&long)
        .timeout(Duration::from_millis(800))
        .send()
        .await;
    assert!(gave_up.is_err(), "the request should have timed out");
    let mut abandoned = Value::Null;
    for _ in 0..50 {
        let (_, jobs) = s.get("/api/jobs").await;
        abandoned = jobs[0].clone();
        if abandoned["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(abandoned["state"], "cancelled", "{abandoned}");

    // A short estimate still answers at once, as it always did.
    let (status, _, estimate) = s
        .post_json(
            "/api/estimate",
            json!({"table": "A,B,count\n1,0,60\n0,1,20\n1,1,40\n", "method": "lincoln-petersen"}),
            &s.token,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{estimate}");
    assert!((estimate["estimate"].as_f64().unwrap_or_default() - 150.0).abs() < 1e-6);

    // 4. Names with a NUL or a right-to-left override: refused, naming the field.
    for bad in ["\u{202E}dammahoM", "محمد\u{0}"] {
        let (status, _, problem) = s
            .post_json(
                "/api/persons",
                json!({"names": [{"script": "latn", "full": bad}]}),
                &s.token,
                false,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert!(
            problem["errors"][0]["field"]
                .as_str()
                .is_some_and(|f| f.starts_with("names[0]")),
            "{problem}"
        );
    }

    // 5. One valid person with 170 identifiers (a 34,000-character cell): the workbook
    // export answers, the long value continued on a sheet of its own.
    let identifiers: Vec<Value> = (0..170)
        .map(|i| json!({"kind": "national-id", "value": format!("{i:03}-{}", "7".repeat(190))}))
        .collect();
    let (status, _, person) = s
        .post_json(
            "/api/persons",
            json!({"names": [{"script": "arab", "full": "سعاد"}], "identifiers": identifiers}),
            &s.token,
            false,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (status, headers, body) = answer(ok(s
        .client
        .post(s.url("/api/session"))
        .json(&json!({"username": "admin", "password": PASSWORD, "code": ok(s.admin_totp.code_at(now)).as_str()}))
        .send()
        .await))
    .await;
    assert_eq!(status, StatusCode::OK);
    let cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_string();
    let csrf = json_of(&body)["csrf_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (status, _, workbook) = answer(ok(s
        .client
        .get(s.url("/api/exports/persons?format=xlsx"))
        .header("Cookie", cookie)
        .header("X-CSRF-Token", csrf)
        .send()
        .await))
    .await;
    assert_eq!(status, StatusCode::OK);
    let persons = ok(athar_ingest::table::read_any(&workbook));
    let column = persons
        .headers
        .iter()
        .position(|h| h == "identifiers")
        .unwrap_or_else(|| panic!("{:?}", persons.headers));
    let cell = persons.rows[0].1[column].clone();
    assert!(
        cell.chars().count() <= athar_ingest::export::EXCEL_CELL_CHARS,
        "{}",
        cell.len()
    );
    assert!(
        cell.contains(athar_ingest::export::LONG_CELLS_SHEET),
        "the cell says where the rest is"
    );

    stop.store(true, Ordering::SeqCst);
    let (slowest, answered, failures) = ok(prober.await);
    assert!(failures.is_empty(), "{failures:?}");
    assert!(answered > 20, "{answered} health checks");
    assert!(
        slowest < Duration::from_millis(100),
        "the slowest health check took {slowest:?}"
    );
}
