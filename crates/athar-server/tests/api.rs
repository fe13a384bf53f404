//! The API over real HTTP on an ephemeral port, against a real encrypted store file.

use std::collections::HashMap;
use std::sync::Arc;

use athar_crypto::auth::{TotpSecret, hash_password, token_hash};
use athar_model::RecordId;
use athar_model::access::{Role, Scope};
use athar_server::{Access, AppState, endpoints};
use athar_store::accounts::NewUser;
use athar_store::{Accounts, Backend, DataDir, SqliteStore, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a long test password";

struct Server {
    base: String,
    client: reqwest::Client,
    store: Arc<SqliteStore>,
    /// A documenter's write token, sent by `send` unless told otherwise.
    token: String,
    /// One-time-code secrets of the accounts that have one, by username.
    totp: HashMap<String, TotpSecret>,
    _tmp: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

/// A store with one account per role (named after the role; administrators with a
/// one-time code) and the API serving it on an ephemeral port.
async fn start() -> Server {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = DataDir::new(tmp.path().join("data"));
    let store = Arc::new(
        SqliteStore::create(&dir, "api test passphrase", "test").unwrap_or_else(|e| panic!("{e}")),
    );
    let org = store
        .keyring()
        .default_organisation()
        .unwrap_or_else(|e| panic!("{e}"))
        .num;
    let hash = hash_password(PASSWORD).unwrap_or_else(|e| panic!("{e}"));
    let mut totp = HashMap::new();
    for role in Role::ALL {
        let secret = role
            .needs_second_factor()
            .then(|| TotpSecret::generate().unwrap_or_else(|e| panic!("{e}")));
        store
            .create_user(
                "test",
                NewUser {
                    username: role.name().into(),
                    role,
                    organisation: org,
                    password_hash: hash.clone(),
                    totp_secret: secret.as_ref().map(|t| t.as_bytes().to_vec()),
                },
            )
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(secret) = secret {
            totp.insert(role.name().to_string(), secret);
        }
    }
    let documenter = store
        .user_by_name("documenter")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("documenter"));
    let (token, _) =
        athar_app::accounts::issue_token(store.as_ref(), &documenter, "tests", Scope::Write, 1)
            .unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut state = AppState::new(Arc::clone(&store) as Arc<dyn Backend>);
    state.evidence_limit = 5 << 20;
    // Long work answers as a job after this wait; these tests want the answers themselves
    // (the job tests ask for 202 with `Prefer: respond-async`).
    state.job_wait = std::time::Duration::from_secs(600);
    tokio::spawn(athar_server::serve(listener, state, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        store,
        token,
        totp,
        _tmp: tmp,
        _shutdown: tx,
    }
}

/// How a request proves who sends it.
#[derive(Clone, Default)]
enum Auth {
    /// The documenter's write token.
    #[default]
    Default,
    None,
    Bearer(String),
    /// Session cookie and CSRF token (None: leave the CSRF header out).
    Session(String, Option<String>),
}

impl Server {
    async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
        auth: &Auth,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(m) = if_match {
            req = req.header("If-Match", m);
        }
        req = match auth {
            Auth::Default => req.bearer_auth(&self.token),
            Auth::None => req,
            Auth::Bearer(t) => req.bearer_auth(t),
            Auth::Session(cookie, csrf) => {
                let req = req.header("Cookie", format!("athar_session={cookie}"));
                match csrf {
                    Some(c) => req.header("X-CSRF-Token", c),
                    None => req,
                }
            }
        };
        let resp = req.send().await.unwrap_or_else(|e| panic!("{path}: {e}"));
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            headers,
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        self.request(method, path, body, if_match, &Auth::Default)
            .await
    }
    /// GET as someone else than the default documenter.
    async fn get_as(&self, path: &str, auth: &Auth) -> (StatusCode, Value) {
        let (s, _, v) = self
            .request(reqwest::Method::GET, path, None, None, auth)
            .await;
        (s, v)
    }
    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let (s, _, v) = self.send(reqwest::Method::GET, path, None, None).await;
        (s, v)
    }
    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .send(reqwest::Method::POST, path, Some(body), None)
            .await;
        (s, v)
    }
    async fn create(&self, path: &str, body: Value) -> String {
        let (status, v) = self.post(path, body).await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["id"].as_str().unwrap_or_default().to_string()
    }
    /// Sign in as `username` (with the current one-time code if it has one): the session
    /// cookie's value, the CSRF token, and the response.
    async fn sign_in(&self, username: &str) -> (String, String, reqwest::header::HeaderMap) {
        let code = self.totp.get(username).map(|t| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            t.code_at(now).unwrap_or_default()
        });
        let (status, headers, body) = self
            .request(
                reqwest::Method::POST,
                "/api/session",
                Some(json!({"username": username, "password": PASSWORD, "code": code})),
                None,
                &Auth::None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{username}: {body}");
        let cookie = headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|c| c.split(';').next())
            .and_then(|c| c.strip_prefix("athar_session="))
            .unwrap_or_default()
            .to_string();
        let csrf = body["csrf_token"].as_str().unwrap_or_default().to_string();
        (cookie, csrf, headers)
    }
}

fn person_body(birth: &str) -> Value {
    json!({
        "names": [
            {"script": "arab", "given": "محمد", "father": "أحمد", "family": "الحلبي"},
            {"script": "latn", "given": "Mohammad", "father": "Ahmad", "family": "al-Halabi"}
        ],
        "sex": "male",
        "birth_date": birth
    })
}

#[tokio::test]
async fn persons_are_created_read_and_listed_with_both_scripts() {
    let s = start().await;
    let (status, headers, created) = s
        .send(
            reqwest::Method::POST,
            "/api/persons",
            Some(person_body("~1990-03")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("/api/persons/{id}").as_str())
    );
    assert_eq!(
        headers.get("etag").and_then(|v| v.to_str().ok()),
        Some("\"1\"")
    );
    let (status, got) = s.get(&format!("/api/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["names"][0]["given"], "محمد");
    assert_eq!(got["names"][1]["family"], "al-Halabi");
    assert_eq!(got["birth_date"], "~1990-03");
    assert_eq!(got["status"], "unknown");
    let (_, list) = s.get("/api/persons?limit=10").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id.as_str());
}

#[tokio::test]
async fn an_impossible_birth_date_is_refused_naming_the_field_and_nothing_is_written() {
    let s = start().await;
    let (_, before) = s.get("/healthz").await;
    let (status, headers, problem) = s
        .send(
            reqwest::Method::POST,
            "/api/persons",
            Some(person_body("2019-13-45")),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/problem+json")
    );
    assert_eq!(problem["errors"][0]["field"], "birth_date");
    assert_eq!(problem["errors"][0]["code"], "date.month_out_of_range");
    assert!(
        problem["errors"][0]["message_ar"]
            .as_str()
            .is_some_and(|m| m.contains("الشهر"))
    );
    let (_, list) = s.get("/api/persons").await;
    assert_eq!(list["total"], 0);
    let (_, after) = s.get("/healthz").await;
    assert_eq!(
        before["audit_entries"], after["audit_entries"],
        "nothing reached the audit log"
    );

    let (status, problem) = s.post("/api/persons", json!({"names": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "names");
    let (status, problem) = s
        .post(
            "/api/persons",
            json!({"names": [{"given": "x", "shoe_size": 3}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["errors"][0]["field"]
            .as_str()
            .is_some_and(|f| f.starts_with("names[0]")),
        "{problem}"
    );
    let (status, _, problem) = s
        .send(
            reqwest::Method::POST,
            "/api/events",
            Some(json!({"kind": "arrest", "start": "31/04/2019"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "start");
}

#[tokio::test]
async fn the_timeline_follows_the_journey_and_derives_the_status() {
    let s = start().await;
    let person = s.create("/api/persons", person_body("2003-05")).await;
    let source = s.create("/api/sources", json!({"kind": "family-testimony", "title": "Testimony of the mother", "reliability": "B", "credibility": 2})).await;
    let cite = json!([{"source": source}]);
    let returned = s.create("/api/events", json!({"kind": "forced-return", "start": "2019-03", "host_country": "LB", "crossing": "masnaa", "sources": cite})).await;
    // Recorded out of order: the detention first, then the arrest it follows.
    let arrest_body = json!({"kind": "arrest", "start": "2019-03", "unit": "mi-branch-235", "previous": returned, "sources": cite});
    let arrest = s.create("/api/events", arrest_body).await;
    let detention = s.create("/api/events", json!({"kind": "detention", "place": {"facility": "sednaya-prison"}, "previous": arrest, "sources": cite})).await;
    for event in [&detention, &returned, &arrest] {
        s.create(
            "/api/involvements",
            json!({"event": event, "person": person, "role": "victim", "sources": cite}),
        )
        .await;
    }
    let (status, t) = s.get(&format!("/api/persons/{person}/timeline")).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["event"]["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["forced-return", "arrest", "detention"]);
    assert_eq!(t["status"], "detained");
    assert_eq!(t["status_label"]["ar"], "محتجز (المكان معروف)");
    assert_eq!(t["events"][1]["previous"], returned.as_str());
    assert_eq!(t["events"][1]["next"], detention.as_str());
    assert_eq!(
        t["events"][0]["age_group"], "child",
        "born 2003-05, returned 2019-03"
    );
    assert_eq!(t["events"][0]["kind_label"]["ar"], "إعادة قسرية / ترحيل");
    // Places, units, parties and countries by name in both languages, not bare codes.
    assert_eq!(
        t["events"][0]["names"]["host_country"]["en"], "Lebanon",
        "{t}"
    );
    assert_eq!(
        t["events"][1]["names"]["unit"]["ar"], "الأمن العسكري — فرع فلسطين 235",
        "{t}"
    );
    assert!(
        t["events"][1]["names"]["party"]["en"].as_str().is_some(),
        "{t}"
    );
    assert!(
        t["events"][2]["names"]["place"]["ar"]
            .as_str()
            .is_some_and(|p| p.contains("صيدنايا")),
        "{t}"
    );

    let (status, problem) = s
        .post(
            "/api/involvements",
            json!({"event": arrest, "person": source, "role": "victim"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a source is not a person"
    );
    assert_eq!(problem["errors"][0]["code"], "reference.missing");
    let (_, inv) = s.get(&format!("/api/events/{arrest}/involvements")).await;
    assert_eq!(inv["items"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn updates_are_revisions_and_deletions_keep_history() {
    let s = start().await;
    let id = s.create("/api/persons", person_body("1990")).await;
    let path = format!("/api/persons/{id}");
    let (status, _, v) = s
        .send(
            reqwest::Method::PUT,
            &path,
            Some(person_body("1991")),
            Some("\"1\""),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["rev"], 2);
    let (status, _, _) = s
        .send(
            reqwest::Method::PUT,
            &path,
            Some(person_body("1992")),
            Some("\"1\""),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_FAILED,
        "a stale edit is refused"
    );
    let (status, _, _) = s
        .send(
            reqwest::Method::DELETE,
            &path,
            Some(json!({"reason": ""})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = s
        .send(
            reqwest::Method::DELETE,
            &path,
            Some(json!({"reason": "entered twice"})),
            Some("\"2\""),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = s.get(&path).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("entered twice"))
    );
    let (_, history) = s.get(&format!("{path}/history")).await;
    let ops: Vec<&str> = history["revisions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["op"].as_str())
        .collect();
    assert_eq!(ops, ["create", "update", "delete"]);
    assert_eq!(history["revisions"][0]["content"]["birth_date"], "1990");
    assert_eq!(history["revisions"][2]["reason"], "entered twice");
}

#[tokio::test]
async fn vocabularies_and_places_are_found_in_arabic_and_english() {
    let s = start().await;
    let (_, v) = s.get("/api/vocabularies/units?q=المخابرات%20الجوية").await;
    assert_eq!(v["terms"][0]["id"], "air-force-intelligence");
    let (_, v) = s.get("/api/vocabularies/facilities?q=Sednaya").await;
    assert_eq!(v["terms"][0]["id"], "sednaya-prison");
    let (_, g) = s.get("/api/gazetteer?q=صيدنايا").await;
    assert_eq!(g["places"][0]["pcode"], "SY030401");
    // The prison's spelling finds the town's area too.
    let (_, g) = s.get("/api/gazetteer?q=Sednaya").await;
    assert_eq!(g["places"][0]["pcode"], "SY030401", "{g}");
    let (_, g) = s.get("/api/gazetteer/SY030401").await;
    let within: Vec<&str> = g["within"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["name_en"].as_str())
        .collect();
    assert_eq!(within, ["Al-Tall", "Rif Dimashq"]);
    let (status, _) = s.get("/api/vocabularies/nothing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_name_search_pages_to_its_end_and_says_when_there_is_no_more() {
    let s = start().await;
    for i in 0..60 {
        s.create(
            "/api/persons",
            json!({"names": [{"script": "arab", "given": "سامر", "family": "الحوراني"}], "notes": format!("{i}")}),
        )
        .await;
    }
    let query = "/api/persons?name=%D8%A7%D9%84%D8%AD%D9%88%D8%B1%D8%A7%D9%86%D9%8A&limit=30";
    let (status, first) = s.get(query).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["total"], 60);
    assert_eq!(first["items"].as_array().map(Vec::len), Some(30));
    let next = first["next"].as_str().unwrap_or_default().to_string();
    assert!(!next.is_empty(), "{first}");
    let (_, second) = s.get(&format!("{query}&after={next}")).await;
    assert_eq!(
        second["items"].as_array().map(Vec::len),
        Some(30),
        "{second}"
    );
    assert_eq!(second["total"], 60);
    assert!(
        second["next"].is_null(),
        "the last page says there is no more: {second}"
    );
}

#[tokio::test]
async fn every_bad_field_is_reported_at_once_and_nobody_is_born_tomorrow() {
    let s = start().await;
    let (status, p) = s
        .post(
            "/api/events",
            json!({"kind": "arrest", "start": "2019-13-45", "verification": "nonsense", "end": "soon"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let mut fields: Vec<&str> = p["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort();
    assert_eq!(fields, ["end", "start", "verification"], "{p}");
    let (status, p) = s.post("/api/persons", person_body("2031")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["code"], "person.born_in_the_future", "{p}");
    // The API's own description reads as English and says what sign-in answers.
    let (_, doc) = s.get("/api/openapi.json").await;
    let text = doc.to_string();
    assert!(
        text.contains("Create an event") && text.contains("List matches"),
        "grammar"
    );
    assert!(!text.contains("a event") && !text.contains("matchs"));
    assert!(
        doc["paths"]["/api/session"]["post"]["responses"]["200"].is_object(),
        "{}",
        doc["paths"]["/api/session"]
    );
}

#[tokio::test]
async fn an_organisation_adds_its_own_terms_through_the_api() {
    let s = start().await;
    let (status, created) = s
        .post(
            "/api/terms",
            json!({"vocabulary": "host-countries",
                   "term": {"id": "FR", "en": "France", "ar": "فرنسا", "aliases_ar": ["فرانسا"]}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["rev"], 1);
    let (_, v) = s.get("/api/vocabularies/host-countries?q=فرانسا").await;
    assert_eq!(v["terms"][0]["id"], "FR", "{v}");
    assert_eq!(v["terms"][0]["added"], true, "{v}");
    let (_, v) = s.get("/api/vocabularies/host-countries?q=Lebanon").await;
    assert!(v["terms"][0].get("added").is_none(), "{v}");
    // A record may name the term at once.
    let (status, e) = s
        .post(
            "/api/events",
            json!({"kind": "forced-return", "start": "2024-03", "host_country": "FR"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    // A shared id is refused with the field named, and nothing is written.
    let (status, p) = s
        .post(
            "/api/terms",
            json!({"vocabulary": "host-countries", "term": {"id": "LB", "en": "x", "ar": "س"}}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["code"], "term.id_taken", "{p}");
    let (_, list) = s.get("/api/terms").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1), "{list}");
    // A new revision of the term is known at once, however many writes came between.
    s.create("/api/persons", person_body("1990")).await;
    let id = created["id"].as_str().unwrap_or_default();
    let (status, _, revised) = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/terms/{id}"),
            Some(json!({"vocabulary": "host-countries",
                        "term": {"id": "FR", "en": "France", "ar": "فرنسا", "aliases_en": ["Frankreich"]}})),
            Some("\"1\""),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    let (_, v) = s.get("/api/vocabularies/host-countries?q=Frankreich").await;
    assert_eq!(v["terms"][0]["id"], "FR", "{v}");
}

#[tokio::test]
async fn every_endpoint_is_routed_described_and_sends_security_headers() {
    let s = start().await;
    let (_, doc) = s.get("/api/openapi.json").await;
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    assert!(doc["components"]["schemas"]["Person"].is_object());
    for e in endpoints() {
        let path = e
            .path
            .replace("{id}", "0193a9c0-0000-7000-8000-000000000000")
            .replace("{name}", "units")
            .replace("{pcode}", "SY01");
        assert!(
            doc["paths"][&e.path][e.method.to_lowercase()].is_object(),
            "{} {} not in the OpenAPI document",
            e.method,
            e.path
        );
        let method =
            reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let body = matches!(e.method, "POST" | "PUT" | "DELETE").then(|| json!({}));
        let (status, headers, v) = s.send(method, &path, body, None).await;
        let fell_through = status == StatusCode::NOT_FOUND && v["detail"] == "no such endpoint";
        assert!(
            !fell_through && status != StatusCode::METHOD_NOT_ALLOWED,
            "{} {} is not routed",
            e.method,
            e.path
        );
        for h in [
            "content-security-policy",
            "x-content-type-options",
            "referrer-policy",
            "cache-control",
        ] {
            assert!(
                headers.contains_key(h),
                "{h} missing on {} {}",
                e.method,
                e.path
            );
        }
    }
    let (status, v) = s.get("/api/nothing-here").await;
    assert_eq!(
        (status, v["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("no such endpoint"))
    );
}

#[tokio::test]
async fn persons_are_found_by_name_in_either_script() {
    let s = start().await;
    let id = s.create("/api/persons", person_body("1990")).await;
    s.create(
        "/api/persons",
        json!({"names": [{"script": "arab", "full": "سامر الخطيب"}], "birth_date": "1985"}),
    )
    .await;
    for query in [
        "محمد%20الحلبي",
        "%D9%85%D8%AD%D9%85%D9%8E%D9%91%D8%AF",
        "halabi%20mohammad",
        "Al-Halabi",
    ] {
        let (status, page) = s.get(&format!("/api/persons?name={query}")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 1, "{query}: {page}");
        assert_eq!(page["items"][0]["id"], id.as_str());
        assert_eq!(page["items"][0]["names"][0]["given"], "محمد");
    }
    let (_, page) = s.get("/api/persons?name=Khatib%20Mohammad").await;
    assert_eq!(page["total"], 0);
    let (status, problem) = s.get("/api/events?name=x").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "name");
}

#[tokio::test]
async fn one_search_finds_every_spelling_in_both_scripts_closest_first() {
    let s = start().await;
    for (given, family, script) in [
        ("محمد", "الحلبي", "arab"),
        ("Muhammad", "Halabi", "latn"),
        ("Mohammad", "al-Halabi", "latn"),
        ("Mohammed", "Barhoum", "latn"),
        ("Mohamed", "Barhum", "latn"),
        ("عبدالمنعم", "الحموي", "arab"),
        ("عبد المنعم", "حموي", "arab"),
        ("علي", "الشامي", "arab"),
        ("علا", "الشامي", "arab"),
        ("Ali", "Shami", "latn"),
        ("أحمد", "الحلبي", "arab"),
        ("محمود", "الخطيب", "arab"),
    ] {
        s.create(
            "/api/persons",
            json!({"names": [{"script": script, "given": given, "family": family}]}),
        )
        .await;
    }
    let search = |q: &str| {
        let url = format!("/api/persons?name={}", urlencoding(q));
        let s = &s;
        async move {
            let (status, page) = s.get(&url).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            page
        }
    };
    let names = |page: &Value| -> Vec<(String, String)> {
        page["items"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| {
                        (
                            format!(
                                "{} {}",
                                i["names"][0]["given"].as_str().unwrap_or(""),
                                i["names"][0]["family"].as_str().unwrap_or("")
                            ),
                            i["closeness"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    // Every spelling of Muhammad, in both scripts; the one written so first.
    let page = search("Mohammad").await;
    let found = names(&page);
    assert_eq!(
        found[0],
        ("Mohammad al-Halabi".into(), "same-spelling".into())
    );
    assert!(
        found[1..5].iter().all(|(_, c)| c == "same-sound"),
        "{found:?}"
    );
    // محمود shares the consonants only: found last, and said to be only similar.
    assert_eq!(page["total"], 6, "{page}");
    assert_eq!(found[5], ("محمود الخطيب".into(), "same-skeleton".into()));
    // Across scripts, with the article or without it.
    let page = search("Halabi").await;
    assert_eq!(page["total"], 4, "{page}");
    let page = search("الحلبي").await;
    assert_eq!(page["total"], 4, "{page}");
    assert_eq!(search("Barhum").await["total"], 2);
    // A compound written joined or apart is one spelling.
    let page = search("عبدالمنعم").await;
    assert_eq!(page["total"], 2, "{page}");
    assert!(names(&page).iter().all(|(_, c)| c == "same-spelling"));
    // Two words narrow it down.
    let page = search("Muhammad al-Halabi").await;
    assert_eq!(page["total"], 3, "{page}");
    assert_eq!(names(&page)[0].0, "Muhammad Halabi");
    // "Ali" finds Ali and علي closely; علا, which shares only the consonants, comes last.
    let page = search("Ali").await;
    let found = names(&page);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0], ("Ali Shami".into(), "same-spelling".into()));
    assert_eq!(found[1], ("علي الشامي".into(), "same-sound".into()));
    assert_eq!(found[2], ("علا الشامي".into(), "same-skeleton".into()));
    // Paging follows the ranking: one at a time gives the same order.
    let mut after: Option<String> = None;
    let mut paged = Vec::new();
    loop {
        let url = match &after {
            Some(a) => format!("/api/persons?name=Ali&limit=1&after={a}"),
            None => "/api/persons?name=Ali&limit=1".to_string(),
        };
        let (_, page) = s.get(&url).await;
        assert_eq!(page["total"], 3);
        paged.extend(names(&page));
        match page["next"].as_str() {
            Some(n) => after = Some(n.to_string()),
            None => break,
        }
    }
    assert_eq!(paged, found);
    let (status, problem) = s.get("/api/persons?name=Ali&after=not-a-place").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "after");
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A concrete path for an endpoint of the table.
fn concrete(path: &str, ids: &HashMap<&str, String>) -> String {
    let collection = path.split('/').nth(2).unwrap_or_default();
    let id = ids
        .get(collection)
        .cloned()
        .unwrap_or_else(|| "0193a9c0-0000-7000-8000-000000000000".into());
    path.replace("{id}", &id)
        .replace("{name}", "units")
        .replace("{pcode}", "SY01")
}

/// Generated from the route table: every endpoint × every role, signed in with a session
/// (and its CSRF token), with read and write tokens, and with nothing. A caller the policy
/// admits never sees 401 or 403; one it does not admit always does. An endpoint without a
/// policy would be refused for everyone and fail here.
#[tokio::test]
async fn every_endpoint_admits_exactly_the_roles_its_policy_names() {
    let s = start().await;
    // Real records so that admitted calls reach their handler.
    let person = s.create("/api/persons", person_body("1990")).await;
    let event = s
        .create("/api/events", json!({"kind": "arrest", "start": "2019"}))
        .await;
    let involvement = s
        .create(
            "/api/involvements",
            json!({"event": event, "person": person, "role": "victim"}),
        )
        .await;
    let source = s
        .create(
            "/api/sources",
            json!({"kind": "interview", "title": "t", "reliability": "B", "credibility": 2}),
        )
        .await;
    let ids: HashMap<&str, String> = [
        ("persons", person),
        ("events", event),
        ("involvements", involvement),
        ("sources", source),
    ]
    .into_iter()
    .collect();
    // Ending the session comes last, so the session lives through the others.
    let mut table = endpoints();
    table.sort_by_key(|e| e.method == "DELETE" && e.path == "/api/session");
    let mut checked = 0;
    for role in Role::ALL {
        let (cookie, csrf, _) = s.sign_in(role.name()).await;
        let user = s
            .store
            .user_by_name(role.name())
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("user"));
        let mut callers = vec![(
            format!("{} session", role.name()),
            Auth::Session(cookie.clone(), Some(csrf.clone())),
            None,
        )];
        for scope in [Scope::Read, Scope::Write] {
            // Made by hand: a write token of a role that cannot write must still be
            // refused by the server, so the rule that stops issuing one is bypassed here.
            let (token, hash) =
                athar_crypto::auth::new_token("ath_").unwrap_or_else(|e| panic!("{e}"));
            s.store
                .create_token(&athar_store::accounts::TokenRow {
                    hash,
                    id: RecordId::new(),
                    user: user.id,
                    name: "matrix".into(),
                    scope,
                    created_at: 0,
                    expires_at: i64::MAX,
                    revoked: false,
                })
                .unwrap_or_else(|e| panic!("{e}"));
            let token = token.to_string();
            callers.push((
                format!("{} {} token", role.name(), scope.name()),
                Auth::Bearer(token),
                Some(scope),
            ));
        }
        for e in &table {
            let path = concrete(&e.path, &ids);
            let method =
                reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
            let body = matches!(e.method, "POST" | "PUT" | "DELETE").then(|| json!({}));
            for (who, auth, scope) in &callers {
                let admitted = match e.access {
                    Access::Public => true,
                    Access::Needs(action) => {
                        role.may(action) && scope.is_none_or(|s| s.covers(action))
                    }
                };
                let (status, _, v) = s
                    .request(method.clone(), &path, body.clone(), None, auth)
                    .await;
                let refused = status == StatusCode::UNAUTHORIZED
                    && v["type"]
                        .as_str()
                        .is_some_and(|t| t.ends_with("unauthenticated"))
                    || status == StatusCode::FORBIDDEN
                        && v["type"]
                            .as_str()
                            .is_some_and(|t| t.ends_with("/forbidden"));
                assert_eq!(
                    !refused, admitted,
                    "{who}: {} {} answered {status} {v}",
                    e.method, e.path
                );
                checked += 1;
            }
        }
    }
    // Nobody signed in: only public endpoints answer.
    for e in &table {
        let path = concrete(&e.path, &ids);
        let method =
            reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let (status, _, _) = s.request(method, &path, None, None, &Auth::None).await;
        assert_eq!(
            status == StatusCode::UNAUTHORIZED,
            e.access != Access::Public,
            "anonymous {} {}: {status}",
            e.method,
            e.path
        );
    }
    assert!(checked >= table.len() * 15);
}

#[tokio::test]
async fn sessions_are_fresh_at_sign_in_strict_and_guarded_against_csrf() {
    let s = start().await;
    let (first, csrf, headers) = s.sign_in("documenter").await;
    let cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{flag} missing from {cookie}");
    }
    assert!(first.starts_with("ses_") && first.len() == 68);
    let session = Auth::Session(first.clone(), Some(csrf.clone()));
    let (status, _, me) = s
        .request(reqwest::Method::GET, "/api/session", None, None, &session)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["user"]["username"], "documenter");
    assert!(me["user"].get("password_hash").is_none());

    // A change without the CSRF token, or with a wrong one, is refused; with it, done.
    for auth in [
        Auth::Session(first.clone(), None),
        Auth::Session(first.clone(), Some("csrf_wrong".into())),
    ] {
        let (status, _, v) = s
            .request(
                reqwest::Method::POST,
                "/api/persons",
                Some(person_body("1990")),
                None,
                &auth,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
        assert!(v["type"].as_str().is_some_and(|t| t.ends_with("csrf")));
    }
    assert_eq!(
        s.store.count(athar_model::RecordKind::Person).unwrap_or(9),
        0
    );
    let (status, _, created) = s
        .request(
            reqwest::Method::POST,
            "/api/persons",
            Some(person_body("1990")),
            None,
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // The revision names who made it.
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let (_, history) = s.get(&format!("/api/persons/{id}/history")).await;
    assert_eq!(history["revisions"][0]["author"], "documenter");

    // Signing in again while presenting the old session ends it: a planted id is useless.
    let code = None::<String>;
    let (status, headers, _) = s
        .request(
            reqwest::Method::POST,
            "/api/session",
            Some(json!({"username": "documenter", "password": PASSWORD, "code": code})),
            None,
            &Auth::Session(first.clone(), None),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let second = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.strip_prefix("athar_session="))
        .unwrap_or_default()
        .to_string();
    assert_ne!(second, first);
    let (status, _, _) = s
        .request(
            reqwest::Method::GET,
            "/api/session",
            None,
            None,
            &Auth::Session(first, None),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Idle for longer than the timeout: the session is gone.
    let hash = token_hash(&second);
    let long_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
        - athar_server::auth::IDLE_TIMEOUT_MS
        - 1000;
    s.store
        .touch_session(&hash, long_ago)
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, _, _) = s
        .request(
            reqwest::Method::GET,
            "/api/session",
            None,
            None,
            &Auth::Session(second, None),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Signing out ends the session.
    let (third, csrf, _) = s.sign_in("documenter").await;
    let session = Auth::Session(third.clone(), Some(csrf));
    let (status, headers, _) = s
        .request(
            reqwest::Method::DELETE,
            "/api/session",
            None,
            None,
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        headers
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.contains("Max-Age=0"))
    );
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/api/session", None, None, &session)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn try_sign_in(
    s: &Server,
    username: &str,
    password: &str,
    code: Option<&str>,
) -> (StatusCode, Value) {
    let (status, _, v) = s
        .request(
            reqwest::Method::POST,
            "/api/session",
            Some(json!({"username": username, "password": password, "code": code})),
            None,
            &Auth::None,
        )
        .await;
    (status, v)
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_and_say_nothing_more() {
    let s = start().await;
    let (status, unknown) = try_sign_in(&s, "nobody", PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for _ in 0..athar_server::auth::MAX_FAILED_SIGN_INS {
        let (status, wrong) = try_sign_in(&s, "viewer", "not the password", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // A wrong password and an unknown account look the same.
        assert_eq!(wrong, unknown);
    }
    // Now even the right password is refused, with the same answer.
    let (status, locked) = try_sign_in(&s, "viewer", PASSWORD, None).await;
    assert_eq!((status, &locked), (StatusCode::UNAUTHORIZED, &unknown));
    let user = s
        .store
        .user_by_name("viewer")
        .ok()
        .flatten()
        .unwrap_or_else(|| panic!("viewer"));
    assert!(user.locked_until.is_some());
    // Other accounts are not affected; the attempts are in the audit chain, without names.
    let (status, _) = try_sign_in(&s, "analyst", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    let head = s.store.audit_head().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(head.action, "auth.sign-in");
    let report = s
        .store
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok());
}

#[tokio::test]
async fn administrators_need_a_fresh_one_time_code() {
    let s = start().await;
    let (status, v) = try_sign_in(&s, "org-admin", PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        v["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("code-required"))
    );
    let (status, _) = try_sign_in(&s, "org-admin", PASSWORD, Some("000000")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let code = s.totp["org-admin"].code_at(now).unwrap_or_default();
    let (status, v) = try_sign_in(&s, "org-admin", PASSWORD, Some(&code)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["role"], "org-admin");
    // The same code cannot be used twice.
    let (status, _) = try_sign_in(&s, "org-admin", PASSWORD, Some(&code)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A right code with a wrong password is refused.
    let (status, _) = try_sign_in(&s, "coalition-admin", "wrong password!", Some(&code)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn tokens_are_shown_once_scoped_and_revocable() {
    let s = start().await;
    let (cookie, csrf, _) = s.sign_in("documenter").await;
    let session = Auth::Session(cookie, Some(csrf));
    let (status, _, made) = s
        .request(
            reqwest::Method::POST,
            "/api/tokens",
            Some(json!({"name": "nightly export", "scope": "read", "days": 7})),
            None,
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let token = made["token"].as_str().unwrap_or_default().to_string();
    assert!(token.starts_with("ath_"));
    let read = Auth::Bearer(token.clone());
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/api/persons", None, None, &read)
        .await;
    assert_eq!(status, StatusCode::OK);
    // A read token cannot write, nor make tokens.
    let (status, _, _) = s
        .request(
            reqwest::Method::POST,
            "/api/persons",
            Some(person_body("1990")),
            None,
            &read,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = s
        .request(
            reqwest::Method::POST,
            "/api/tokens",
            Some(json!({"name": "x", "scope": "read", "days": 1})),
            None,
            &read,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The list shows it without its secret; nothing stored is the token itself.
    let (_, _, list) = s
        .request(reqwest::Method::GET, "/api/tokens", None, None, &session)
        .await;
    assert!(!list.to_string().contains(&token));
    assert!(
        list["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|t| t["name"] == "nightly export"))
    );
    // Another token of the same person cannot revoke it; only a session, or the token itself.
    let id = made["id"].as_str().unwrap_or_default();
    let (_, _, other) = s
        .request(
            reqwest::Method::POST,
            "/api/tokens",
            Some(json!({"name": "second", "scope": "read", "days": 1})),
            None,
            &session,
        )
        .await;
    let other_token = Auth::Bearer(other["token"].as_str().unwrap_or_default().to_string());
    let (status, _, _) = s
        .request(
            reqwest::Method::DELETE,
            &format!("/api/tokens/{id}"),
            None,
            None,
            &other_token,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/api/persons", None, None, &read)
        .await;
    assert_eq!(status, StatusCode::OK, "still alive");
    let other_id = other["id"].as_str().unwrap_or_default();
    let (status, _, _) = s
        .request(
            reqwest::Method::DELETE,
            &format!("/api/tokens/{other_id}"),
            None,
            None,
            &other_token,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "a token ends itself");
    // Revoked: refused.
    let (status, _, _) = s
        .request(
            reqwest::Method::DELETE,
            &format!("/api/tokens/{id}"),
            None,
            None,
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/api/persons", None, None, &read)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Bad requests are named.
    let (status, _, v) = s
        .request(
            reqwest::Method::POST,
            "/api/tokens",
            Some(json!({"name": "", "scope": "write", "days": 400})),
            None,
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn an_organisation_admin_shreds_through_the_api() {
    let s = start().await;
    let id = s.create("/api/persons", person_body("1990")).await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let admin = Auth::Session(cookie, Some(csrf));
    let (status, _, v) = s
        .request(
            reqwest::Method::POST,
            &format!("/api/persons/{id}/shred"),
            Some(json!({"reason": "consent withdrawn"})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, _, head) = s
        .request(reqwest::Method::GET, "/api/audit/head", None, None, &admin)
        .await;
    assert_eq!(head["action"], "record.shred");
    assert_eq!(head["actor"], "org-admin");
    let (status, got) = s.get(&format!("/api/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["shredded"], true);
    assert!(
        got.get("names")
            .is_none_or(|n| n.as_array().is_some_and(Vec::is_empty))
    );
}

#[tokio::test]
async fn every_view_of_a_record_is_in_the_audit_chain() {
    let s = start().await;
    let id = s.create("/api/persons", person_body("1990")).await;
    // The chain's head as an auditor asks for it: views gathered so far are written first.
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let auditor = Auth::Session(cookie, Some(csrf));
    let head = || async {
        let (status, v) = s.get_as("/api/audit/head", &auditor).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        (
            v["seq"].as_i64().unwrap_or_default(),
            v["action"].as_str().unwrap_or_default().to_string(),
            v["actor"].as_str().unwrap_or_default().to_string(),
            v["subject"].as_str().unwrap_or_default().to_string(),
        )
    };
    let (status, _) = s.get(&format!("/api/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, action, actor, subject) = head().await;
    assert_eq!(
        (action.as_str(), actor.as_str()),
        ("view.person", "documenter")
    );
    assert_eq!(subject, id);
    for path in [
        format!("/api/persons/{id}/history"),
        format!("/api/persons/{id}/timeline"),
        "/api/persons?limit=5".to_string(),
        "/api/persons?name=halabi".to_string(),
    ] {
        let (before, ..) = head().await;
        let (status, _) = s.get(&path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (after, _, _, subject) = head().await;
        assert_eq!(after, before + 1, "{path} was not audited");
        assert!(subject.contains(id.as_str()), "{path}");
    }
    // Many views by one person are one entry naming each record once, not one per request:
    // a read-heavy day does not multiply the store.
    let second = s.create("/api/persons", person_body("1991")).await;
    let (before, ..) = head().await;
    for _ in 0..20 {
        for person in [&id, &second] {
            let (status, _) = s.get(&format!("/api/persons/{person}")).await;
            assert_eq!(status, StatusCode::OK);
        }
    }
    let (after, action, _, subject) = head().await;
    assert_eq!(after, before + 1);
    assert_eq!(action, "view.person");
    let mut named: Vec<&str> = subject.split(',').collect();
    named.sort_unstable();
    let mut expected = vec![id.as_str(), second.as_str()];
    expected.sort_unstable();
    assert_eq!(named, expected);
    // The health check writes nothing, not even views waiting.
    let (status, _) = s.get(&format!("/api/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let entries = s.store.audit_head().map(|h| h.seq).unwrap_or_default();
    let (_, _, health) = s
        .request(reqwest::Method::GET, "/healthz", None, None, &Auth::None)
        .await;
    assert_eq!(health["audit_entries"], entries);
    // Looking up vocabularies reveals nobody and is not audited.
    let (before, ..) = head().await;
    s.get("/api/gazetteer?q=Sednaya").await;
    assert_eq!(head().await.0, before);
    // A dashboard asking for the figures fifty times is one entry saying so.
    let (before, ..) = head().await;
    for _ in 0..50 {
        let (status, _) = s.get("/api/stats").await;
        assert_eq!(status, StatusCode::OK);
    }
    let (after, action, actor, subject) = head().await;
    assert_eq!(after, before + 1);
    assert_eq!(
        (action.as_str(), actor.as_str(), subject.as_str()),
        ("stats", "documenter", "requests: 50")
    );
}

/// Own and foreign organisation × shared and unshared record, generated from the route
/// table: for another organisation an unshared record does not exist (404 on every route),
/// a shared one can be read (pseudonymised if so shared) and never changed.
#[tokio::test]
async fn records_of_another_organisation_are_invisible_unless_shared() {
    let s = start().await;
    let other = s
        .store
        .create_organisation("test", "Second organisation")
        .unwrap_or_else(|e| panic!("{e}"));
    let secret = TotpSecret::generate().unwrap_or_else(|e| panic!("{e}"));
    s.store
        .create_user(
            "test",
            NewUser {
                username: "b-admin".into(),
                role: Role::OrgAdmin,
                organisation: other.num,
                password_hash: hash_password(PASSWORD).unwrap_or_default(),
                totp_secret: Some(secret.as_bytes().to_vec()),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let mut s = s;
    s.totp.insert("b-admin".into(), secret);

    let private = s.create("/api/persons", person_body("1990")).await;
    let mut consenting = person_body("1991");
    consenting["consent"] = json!([
        {"purpose": "coalition-sharing", "answer": "given", "date": "2024-05", "by": "the person"}
    ]);
    let full = s.create("/api/persons", consenting).await;
    // Without consent, full sharing is refused and nothing changes; pseudonymised is fine.
    let (status, _, v) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{private}/sharing"),
            Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": "full"}]})),
            None,
            &Auth::None,
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    let pseudo = s.create("/api/persons", person_body("1992")).await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let a_admin = Auth::Session(cookie, Some(csrf));
    for (id, mode) in [(&full, "full"), (&pseudo, "pseudonymised")] {
        let (status, _, v) = s
            .request(
                reqwest::Method::PUT,
                &format!("/api/persons/{id}/sharing"),
                Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": mode}]})),
                None,
                &a_admin,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }
    let (status, _, v) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{private}/sharing"),
            Some(json!({"shares": [{"organisation": "no-such-org", "mode": "full"}]})),
            None,
            &a_admin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, _, v) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{private}/sharing"),
            Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": "full"}]})),
            None,
            &a_admin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["errors"][0]["code"], "consent.missing");
    assert!(
        !v.to_string().contains("محمد"),
        "no personal data in the refusal"
    );

    let (cookie, csrf, _) = s.sign_in("b-admin").await;
    let b = Auth::Session(cookie, Some(csrf));
    let mut checked = 0;
    for e in endpoints()
        .into_iter()
        .filter(|e| e.path.starts_with("/api/persons/{id}"))
    {
        let method =
            reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        // A valid body for each route, so that only visibility decides the answer.
        let body = match (e.method, e.path.rsplit('/').next()) {
            ("PUT", Some("sharing")) => Some(json!({"shares": []})),
            ("POST", Some("review")) => Some(json!({"decision": "verify"})),
            ("POST", Some("search-steps")) => {
                Some(json!({"kind": "search-inquiry", "date": "2025-01"}))
            }
            ("PUT", Some("tracing")) => Some(json!({"outcome": "no_match_yet"})),
            ("PUT", _) => Some(person_body("1990")),
            ("POST" | "DELETE", _) => Some(json!({"reason": "x"})),
            _ => None,
        };
        for (id, shared) in [(&private, false), (&full, true), (&pseudo, true)] {
            let path = e.path.replace("{id}", id);
            let (status, _, v) = s
                .request(method.clone(), &path, body.clone(), None, &b)
                .await;
            // What is shared can be read; who sees it further, cases for a UN mechanism
            // and letters to the family are the owner's alone.
            let readable = shared
                && e.method == "GET"
                && !e.path.ends_with("/sharing")
                && !e.path.ends_with("/wgeid")
                && !e.path.ends_with("/letter");
            if readable {
                assert_eq!(status, StatusCode::OK, "{} {path}: {v}", e.method);
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND, "{} {path}: {v}", e.method);
            }
            checked += 1;
        }
    }
    assert!(checked >= 18);

    // Shared in full: names; pseudonymised: none, and marked.
    let (_, _, got) = s
        .request(
            reqwest::Method::GET,
            &format!("/api/persons/{full}"),
            None,
            None,
            &b,
        )
        .await;
    assert_eq!(got["names"][0]["given"], "محمد");
    let (_, _, got) = s
        .request(
            reqwest::Method::GET,
            &format!("/api/persons/{pseudo}"),
            None,
            None,
            &b,
        )
        .await;
    assert_eq!(got["pseudonymised"], true);
    assert!(
        got.get("names")
            .is_none_or(|n| n.as_array().is_some_and(Vec::is_empty))
    );
    assert_eq!(got["birth_date"], "1992");
    // Lists and name search show only what is shared, and search only what is shared in full.
    let (_, _, page) = s
        .request(reqwest::Method::GET, "/api/persons", None, None, &b)
        .await;
    assert_eq!(page["total"], 2, "{page}");
    let (_, _, found) = s
        .request(
            reqwest::Method::GET,
            "/api/persons?name=halabi",
            None,
            None,
            &b,
        )
        .await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["id"], full.as_str());
    // The owner still sees all three.
    let (_, page) = s.get("/api/persons").await;
    assert_eq!(page["total"], 3);
    // Making it private again hides it.
    let (status, _, _) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{full}/sharing"),
            Some(json!({"shares": []})),
            None,
            &a_admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = s
        .request(
            reqwest::Method::GET,
            &format!("/api/persons/{full}"),
            None,
            None,
            &b,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let report = s
        .store
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test]
async fn sharing_a_journey_leaves_out_what_consent_keeps_back_and_says_so() {
    let s = start().await;
    let other = s
        .store
        .create_organisation("test", "Partner")
        .unwrap_or_else(|e| panic!("{e}"));
    let mut consenting = person_body("1988");
    consenting["consent"] =
        json!([{"purpose": "coalition-sharing", "answer": "given", "date": "2023"}]);
    let person = s.create("/api/persons", consenting).await;
    let bystander = s.create("/api/persons", person_body("1970")).await;
    let arrest = s
        .create("/api/events", json!({"kind": "arrest", "start": "2019-03"}))
        .await;
    let detention = s
        .create(
            "/api/events",
            json!({"kind": "detention", "start": "2019-04", "previous": arrest}),
        )
        .await;
    for event in [&arrest, &detention] {
        s.create(
            "/api/involvements",
            json!({"event": event, "person": person, "role": "victim"}),
        )
        .await;
    }
    // The bystander, who gave no consent, witnessed the detention.
    s.create(
        "/api/involvements",
        json!({"event": detention, "person": bystander, "role": "witness"}),
    )
    .await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let admin = Auth::Session(cookie, Some(csrf));
    let (status, _, v) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}/sharing"),
            Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": "full"}], "journey": true})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // The person, both involvements and the arrest are shared; the detention is left out.
    assert_eq!(v["records"], 4, "{v}");
    assert_eq!(v["left_out"].as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(v["left_out"][0]["id"], detention.as_str());
    assert_eq!(v["left_out"][0]["kind"], "event");
    // Withdrawn consent stops further full sharing.
    let (_, current) = s.get(&format!("/api/persons/{person}")).await;
    let mut withdrawn = person_body("1988");
    withdrawn["consent"] = json!([
        {"purpose": "coalition-sharing", "answer": "given", "date": "2023"},
        {"purpose": "coalition-sharing", "answer": "withdrawn", "date": "2025-01"}
    ]);
    let rev = current["rev"].to_string();
    let (status, _, v) = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}"),
            Some(withdrawn),
            Some(&format!("\"{rev}\"")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, _, v) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}/sharing"),
            Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": "full"}]})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, _, _) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}/sharing"),
            Some(json!({"shares": [{"organisation": other.id.to_string(), "mode": "pseudonymised"}]})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn evidence_streams_in_and_out_exactly_with_its_custody_recorded() {
    let s = start().await;
    // Larger than the general 2 MB body limit, smaller than the vault's 5 MiB.
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 253) as u8).collect();
    let resp = s
        .client
        .post(format!(
            "{}/api/evidence?filename=%D8%B5%D9%88%D8%B1%D8%A9.jpg&description=from%20the%20family",
            s.base
        ))
        .bearer_auth(&s.token)
        .header("content-type", "image/jpeg")
        .body(data.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::CREATED);
    let item: Value = resp.json().await.unwrap_or_default();
    let sha = athar_crypto::to_hex(&athar_crypto::sha256(&data));
    assert_eq!(item["sha256"], sha.as_str());
    assert_eq!(item["size"], 3_000_000);
    assert_eq!(item["filename"], "صورة.jpg");
    assert_eq!(item["media_type"], "image/jpeg");
    let id = item["id"].as_str().unwrap_or_default().to_string();

    let resp = s
        .client
        .get(format!("{}/api/evidence/{id}/content", s.base))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()
            .get("x-content-sha256")
            .and_then(|v| v.to_str().ok()),
        Some(format!("sha-256={sha}").as_str())
    );
    let back = resp.bytes().await.unwrap_or_default();
    assert_eq!(back.as_ref(), data.as_slice());
    assert_eq!(
        s.store.audit_head().map(|h| h.action).unwrap_or_default(),
        "evidence.download"
    );
    let (status, meta) = s.get(&format!("/api/evidence/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(meta["sha256"], sha.as_str());
    assert_eq!(
        s.store.audit_head().map(|h| h.action).unwrap_or_default(),
        "evidence.view"
    );

    // A redacted copy names its original.
    let resp = s
        .client
        .post(format!(
            "{}/api/evidence?kind=redacted&derived_from={id}",
            s.base
        ))
        .bearer_auth(&s.token)
        .header("content-type", "image/jpeg")
        .body(vec![1u8; 1000])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::CREATED);
    let (_, list) = s.get("/api/evidence").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));

    // Too large: refused, nothing kept.
    let resp = s
        .client
        .post(format!("{}/api/evidence", s.base))
        .bearer_auth(&s.token)
        .body(vec![0u8; 6 << 20])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let (_, list) = s.get("/api/evidence").await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(2));

    // Another organisation does not see it.
    let other = s
        .store
        .create_organisation("test", "Other")
        .unwrap_or_else(|e| panic!("{e}"));
    s.store
        .create_user(
            "test",
            NewUser {
                username: "outsider".into(),
                role: Role::Documenter,
                organisation: other.num,
                password_hash: hash_password(PASSWORD).unwrap_or_default(),
                totp_secret: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (cookie, csrf, _) = s.sign_in("outsider").await;
    let outsider = Auth::Session(cookie, Some(csrf));
    for path in [
        format!("/api/evidence/{id}"),
        format!("/api/evidence/{id}/content"),
    ] {
        let (status, _, _) = s
            .request(reqwest::Method::GET, &path, None, None, &outsider)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let report = s
        .store
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test]
async fn guessing_across_many_accounts_from_one_address_is_throttled() {
    let s = start().await;
    for i in 0..athar_server::auth::THROTTLE_ATTEMPTS {
        let (status, _) = try_sign_in(&s, &format!("someone-{i}"), "guess", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even a right password waits.
    let (status, v) = try_sign_in(&s, "viewer", PASSWORD, None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(v["title_ar"].as_str().is_some_and(|t| !t.is_empty()));
}

#[tokio::test]
async fn admins_manage_the_accounts_they_are_responsible_for() {
    let s = start().await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let admin = Auth::Session(cookie, Some(csrf));
    let post = |path: &'static str, body: Value, auth: Auth| {
        let s = &s;
        async move {
            let (status, _, v) = s
                .request(reqwest::Method::POST, path, Some(body), None, &auth)
                .await;
            (status, v)
        }
    };
    // An org-admin adds a documenter to their organisation, who can then sign in.
    let (status, v) = post(
        "/api/users",
        json!({"username": "huda", "role": "documenter", "password": PASSWORD}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert!(v.get("otpauth").is_none());
    let (status, _) = try_sign_in(&s, "huda", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    // An admin they add gets a one-time-code link, once.
    let (status, v) = post(
        "/api/users",
        json!({"username": "nour", "role": "org-admin", "password": "a new long password"}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(
        v["otpauth"]
            .as_str()
            .is_some_and(|l| l.starts_with("otpauth://totp/Athar:nour"))
    );
    // No coalition admins, no short passwords, no taken names.
    let (status, _) = post(
        "/api/users",
        json!({"username": "boss", "role": "coalition-admin", "password": "a new long password"}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, v) = post(
        "/api/users",
        json!({"username": "x", "role": "viewer", "password": "short"}),
        admin.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["errors"][0]["field"], "password");
    let (status, _) = post(
        "/api/users",
        json!({"username": "huda", "role": "viewer", "password": "a new long password"}),
        admin.clone(),
    )
    .await;
    assert_ne!(status, StatusCode::CREATED);

    // Disabling ends the account's sessions and sign-ins.
    let (cookie, csrf, _) = s.sign_in("huda").await;
    let huda = Auth::Session(cookie, Some(csrf));
    let id = s
        .store
        .user_by_name("huda")
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default();
    let (status, _, _) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/users/{id}/disabled"),
            Some(json!({"disabled": true})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/api/session", None, None, &huda)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = try_sign_in(&s, "huda", PASSWORD, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The coalition admin adds an organisation and its first admin; the org-admin of the
    // first organisation does not see that account.
    let (cookie, csrf, _) = s.sign_in("coalition-admin").await;
    let coalition = Auth::Session(cookie, Some(csrf));
    let (status, org) = post(
        "/api/organisations",
        json!({"name": "Caesar Families"}),
        coalition.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{org}");
    assert_eq!(org["public_key"].as_str().map(str::len), Some(64));
    let (status, v) = post(
        "/api/users",
        json!({"username": "salma", "role": "org-admin", "password": "a new long password", "organisation": org["id"]}),
        coalition.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let (_, _, list) = s
        .request(reqwest::Method::GET, "/api/users", None, None, &admin)
        .await;
    let names: Vec<&str> = list["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|u| u["username"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        names.contains(&"huda") && !names.contains(&"salma"),
        "{names:?}"
    );
    let salma = s
        .store
        .user_by_name("salma")
        .ok()
        .flatten()
        .map(|u| u.id.to_string())
        .unwrap_or_default();
    let (status, _, _) = s
        .request(
            reqwest::Method::PUT,
            &format!("/api/users/{salma}/disabled"),
            Some(json!({"disabled": true})),
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, all) = s
        .request(reqwest::Method::GET, "/api/users", None, None, &coalition)
        .await;
    assert!(all["items"].as_array().is_some_and(|a| a.len() >= 8));
}

#[tokio::test]
async fn statistics_and_estimates_through_the_api() {
    let s = start().await;
    // A girl born in 2005, forced back in March 2019 and arrested by Branch 235 in April.
    let person = s.create("/api/persons", person_body("2005-01")).await;
    let returned = s
        .create(
            "/api/events",
            json!({"kind": "forced-return", "start": "2019-03", "host_country": "LB"}),
        )
        .await;
    let arrest = s
        .create("/api/events", json!({"kind": "arrest", "start": "2019-04", "unit": "mi-branch-235", "previous": returned}))
        .await;
    for event in [&returned, &arrest] {
        s.create(
            "/api/involvements",
            json!({"event": event, "person": person, "role": "victim"}),
        )
        .await;
    }
    let (status, summary) = s.get("/api/stats").await;
    assert_eq!(status, StatusCode::OK, "{summary}");
    assert_eq!(summary["persons"], 1);
    assert_eq!(summary["arrests"], 1);
    assert_eq!(summary["arrests_after_forced_return"], 1);
    assert_eq!(
        summary["arrests_by_party"],
        json!([["assad-government", 1]])
    );
    assert_eq!(summary["returnee_cohort"]["returnees"], 1);
    let (_, later) = s.get("/api/stats?from=2020").await;
    assert_eq!(later["arrests"], 0);
    // Figures are kept between requests only while nothing changes: a new arrest counts at
    // once.
    let (_, again) = s.get("/api/stats").await;
    assert_eq!(again, summary);
    let other = s.create("/api/persons", person_body("1970")).await;
    let second = s
        .create("/api/events", json!({"kind": "arrest", "start": "2017-05"}))
        .await;
    s.create(
        "/api/involvements",
        json!({"event": second, "person": other, "role": "victim"}),
    )
    .await;
    let (_, after) = s.get("/api/stats").await;
    assert_eq!(after["arrests"], 2, "{after}");
    assert_eq!(after["persons"], 2);
    // The records behind a figure.
    let (status, behind) = s
        .get("/api/stats/behind?figure=arrests_after_forced_return")
        .await;
    assert_eq!(status, StatusCode::OK, "{behind}");
    assert_eq!(behind["count"], 1);
    assert_eq!(behind["events"], json!([arrest]));
    assert_eq!(behind["persons"], json!([person]));
    let (_, none) = s
        .get("/api/stats/behind?figure=arrests_after_forced_return&from=2020")
        .await;
    assert_eq!(none["count"], 0);
    let (status, problem) = s.get("/api/stats/behind?figure=happiness").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "figure");

    let (status, breakdown) = s.get("/api/stats/breakdown?by=kind,year&ids=true").await;
    assert_eq!(status, StatusCode::OK, "{breakdown}");
    let arrest_cell = breakdown["cells"]
        .as_array()
        .and_then(|cells| cells.iter().find(|c| c["key"] == json!(["arrest", "2019"])))
        .cloned()
        .unwrap_or_default();
    assert_eq!(arrest_cell["victimisations"], 1);
    assert_eq!(arrest_cell["event_ids"], json!([arrest]));
    // For a public output, a cell of one person is withheld, events and all.
    let (status, public) = s
        .get("/api/stats/breakdown?by=kind,year&ids=true&suppress_below=5")
        .await;
    assert_eq!(status, StatusCode::OK, "{public}");
    let withheld = public["cells"]
        .as_array()
        .and_then(|cells| cells.iter().find(|c| c["key"] == json!(["arrest", "2019"])))
        .cloned()
        .unwrap_or_default();
    assert_eq!(withheld["suppressed"], true, "{public}");
    assert!(withheld["persons"].is_null() && withheld.get("event_ids").is_none());
    assert_eq!(public["suppressed_below"], 5);

    let (status, problem) = s.get("/api/stats/breakdown?by=colour").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "by");
    let (status, problem) = s.get("/api/stats?from=2019-13").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "from");

    // The periodic report: the same figures in words, for the web UI.
    let (status, report) = s
        .get("/api/reports/periodic?lang=ar&from=2019&to=2019")
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["dir"], "rtl");
    assert_eq!(report["summary"]["arrests_after_forced_return"], 1);
    assert_eq!(report["figures"][1]["value"], "1", "{}", report["figures"]);
    assert!(
        report["lead"]
            .as_str()
            .is_some_and(|l| l.contains("توثّق السجلات في هذه الفترة حالة اعتقال واحدة؛")),
        "{}",
        report["lead"]
    );
    let (_, public) = s
        .get("/api/reports/periodic?lang=en&suppress_below=5")
        .await;
    assert_eq!(
        public["figures"][1]["value"], "fewer than 5",
        "{}",
        public["figures"]
    );
    // As a file to download.
    let pdf = s
        .client
        .get(format!(
            "{}/api/reports/periodic?format=pdf&lang=ar",
            s.base
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(
        pdf.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.starts_with("attachment"))
    );
    let bytes = pdf.bytes().await.unwrap_or_default();
    assert!(bytes.starts_with(b"%PDF-") && bytes.len() > 20_000);
    for (query, field) in [
        ("lang=fr", "lang"),
        ("from=2019-13", "from"),
        ("format=docx", "format"),
        ("estimate_method=chapman", "estimate_lists"),
        ("estimate_lists=nonsense", "estimate_lists"),
    ] {
        let (status, problem) = s.get(&format!("/api/reports/periodic?{query}")).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], field, "{query}: {problem}");
    }

    // The safety brief: the arrest has no place, so no region can claim it.
    let (status, brief) = s.get("/api/reports/brief?region=Homs&from=2019").await;
    assert_eq!(status, StatusCode::OK, "{brief}");
    assert_eq!(brief["figures"]["region"], "SY04");
    assert_eq!(brief["figures"]["incidents"], 0);
    assert!(
        brief["statement"]
            .as_str()
            .is_some_and(|t| t.contains("not evidence of safety")),
        "{brief}"
    );
    let (status, problem) = s.get("/api/reports/brief?region=Atlantis").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "region");
    let (status, _) = s.get("/api/reports/brief").await;
    assert!(status.is_client_error(), "{status}");

    // Estimation on a table the caller sends: an analyst's work, not a documenter's.
    let table = "A,B,count\n1,0,60\n0,1,20\n1,1,40\n";
    let (status, _) = s
        .post(
            "/api/estimate",
            json!({"table": table, "method": "lincoln-petersen"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (cookie, csrf, _) = s.sign_in("analyst").await;
    let analyst = Auth::Session(cookie, Some(csrf));
    let estimate_as_analyst = |body: Value| {
        let analyst = analyst.clone();
        let s = &s;
        async move {
            let (status, _, v) = s
                .request(
                    reqwest::Method::POST,
                    "/api/estimate",
                    Some(body),
                    None,
                    &analyst,
                )
                .await;
            (status, v)
        }
    };
    let (status, estimate) =
        estimate_as_analyst(json!({"table": table, "method": "lincoln-petersen"})).await;
    assert_eq!(status, StatusCode::OK, "{estimate}");
    assert!((estimate["estimate"].as_f64().unwrap_or_default() - 150.0).abs() < 1e-6);
    let (status, problem) = estimate_as_analyst(
        json!({"table": "A,B,count\n1,0,60\n0,1,20\n", "method": "lincoln-petersen"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("nobody in common")),
        "{problem}"
    );
    // Latent-class chains that do not agree give no estimate, but what they measured.
    let three =
        "A,B,C,count\n1,0,0,210\n0,1,0,140\n0,0,1,90\n1,1,0,140\n1,0,1,90\n0,1,1,60\n1,1,1,60\n";
    let (status, problem) = estimate_as_analyst(json!({"table": three, "method": "lcmcr",
        "burnin": 0, "samples": 40, "thin": 1, "max_draws": 40}))
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["diagnostics"]["r_hat"]
            .as_f64()
            .is_some_and(|r| r > 1.05),
        "{problem}"
    );
    assert!(problem.get("estimate").is_none(), "{problem}");
    let (status, problem) = estimate_as_analyst(
        json!({"table": table, "method": "lcmcr", "samples": 100000, "thin": 1000}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "samples");
    // Twelve lists and a thousand classes once pinned the processor for minutes: refused
    // before it starts, while the server answers its health check at once.
    let mut wide = (1..=12)
        .map(|i| format!("L{i}"))
        .collect::<Vec<_>>()
        .join(",");
    wide.push_str(",count\n");
    for pattern in 1..4096u32 {
        let cells: Vec<String> = (0..12).map(|b| ((pattern >> b) & 1).to_string()).collect();
        wide.push_str(&format!("{},{}\n", cells.join(","), 1 + pattern % 7));
    }
    let started = std::time::Instant::now();
    let (status, problem) = estimate_as_analyst(
        json!({"table": wide, "method": "lcmcr", "classes": 1000, "samples": 1000}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("units of work")),
        "{problem}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let (status, _, _) = s
        .request(reqwest::Method::GET, "/healthz", None, None, &Auth::None)
        .await;
    assert_eq!(status, StatusCode::OK);
}

/// Two organisations' lists of the same people, one in Arabic script with full dates, the
/// other transliterated with years only, written straight to the store: (store ids of list
/// A, of list B, the true pairs across them, the ids of the two lists).
type TwoLists = (
    Vec<String>,
    Vec<String>,
    Vec<(String, String)>,
    String,
    String,
);

fn two_lists(store: &SqliteStore) -> TwoLists {
    use athar_model::*;
    use athar_store::{Change, ChangeSet};
    const GIVEN: [(&str, &str); 20] = [
        ("محمد", "Mohammad"),
        ("أحمد", "Ahmad"),
        ("علي", "Ali"),
        ("حسن", "Hassan"),
        ("حسين", "Hussein"),
        ("خالد", "Khaled"),
        ("عمر", "Omar"),
        ("يوسف", "Yousef"),
        ("إبراهيم", "Ibrahim"),
        ("مصطفى", "Mustafa"),
        ("عبد الله", "Abdullah"),
        ("عبد الرحمن", "Abdulrahman"),
        ("محمود", "Mahmoud"),
        ("سامر", "Samer"),
        ("ياسر", "Yasser"),
        ("فادي", "Fadi"),
        ("وليد", "Walid"),
        ("باسل", "Basel"),
        ("رامي", "Rami"),
        ("ماهر", "Maher"),
    ];
    const FAMILY: [(&str, &str); 15] = [
        ("الحلبي", "al-Halabi"),
        ("الخطيب", "Al Khatib"),
        ("المصري", "el-Masri"),
        ("الأحمد", "Alahmad"),
        ("الشامي", "al-Shami"),
        ("العلي", "al-Ali"),
        ("الحسن", "Al-Hasan"),
        ("السيد", "al-Sayed"),
        ("النجار", "Najjar"),
        ("الحمصي", "al-Homsi"),
        ("الدمشقي", "al-Dimashqi"),
        ("الزعبي", "al-Zoubi"),
        ("العمر", "al-Omar"),
        ("القاسم", "al-Qassem"),
        ("الرفاعي", "al-Rifai"),
    ];
    // 90 people drawn at random (a fixed seed), no two with the same given and family name.
    let mut state: u64 = 2024;
    let mut draw = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) % n as u64) as usize
    };
    let mut people = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while people.len() < 90 {
        let person = (
            draw(20),
            draw(20),
            draw(15),
            1960 + draw(40),
            1 + draw(12),
            1 + draw(28),
        );
        if seen.insert((person.0, person.2)) {
            people.push(person);
        }
    }
    let source = |title: &str| {
        RecordBody::Source(Source {
            kind: "organisation-report".into(),
            title: title.into(),
            reliability: Reliability::B,
            credibility: Credibility::new(2).unwrap_or_default(),
            ..Default::default()
        })
    };
    let (list_a, list_b) = (RecordId::new(), RecordId::new());
    let mut changes = vec![
        Change::Create {
            id: list_a,
            body: source("List A"),
        },
        Change::Create {
            id: list_b,
            body: source("List B"),
        },
    ];
    let cite = |list| {
        vec![Citation {
            source: list,
            locator: None,
        }]
    };
    let event = |changes: &mut Vec<Change>, person: RecordId, kind: &str, start: String| {
        let id = RecordId::new();
        changes.push(Change::Create {
            id,
            body: RecordBody::Event(Event {
                kind: kind.into(),
                start: FuzzyDate::parse(&start).unwrap_or_default(),
                ..Default::default()
            }),
        });
        changes.push(Change::Create {
            id: RecordId::new(),
            body: RecordBody::Involvement(Involvement {
                event: id,
                person,
                role: athar_model::Role::Victim,
                acts: vec![],
                verification: Verification::Alleged,
                sources: vec![],
            }),
        });
    };
    let (mut a_ids, mut b_ids, mut truth) = (Vec::new(), Vec::new(), Vec::new());
    let mut ids = vec![None; people.len()];
    // List A: people 0–59, Arabic script, full dates, arrested.
    for (n, &(g, f, fam, year, month, day)) in people.iter().enumerate().take(60) {
        let id = RecordId::new();
        changes.push(Change::Create {
            id,
            body: RecordBody::Person(Person {
                names: vec![PersonName {
                    script: Script::Arab,
                    given: Some(GIVEN[g].0.into()),
                    father: Some(GIVEN[f].0.into()),
                    family: Some(FAMILY[fam].0.into()),
                    ..Default::default()
                }],
                sex: Sex::Male,
                birth_date: FuzzyDate::parse(&format!("{year}-{month:02}-{day:02}"))
                    .unwrap_or_default(),
                sources: cite(list_a),
                ..Default::default()
            }),
        });
        event(&mut changes, id, "arrest", format!("2013-{month:02}"));
        ids[n] = Some(id);
        a_ids.push(id.to_string());
    }
    // List B: people 30–89, transliterated whole names, birth years, disappeared.
    for (n, &(g, f, fam, year, month, _)) in people.iter().enumerate().skip(30) {
        let id = RecordId::new();
        changes.push(Change::Create {
            id,
            body: RecordBody::Person(Person {
                names: vec![PersonName {
                    script: Script::Latn,
                    full: Some(format!("{} {} {}", GIVEN[g].1, GIVEN[f].1, FAMILY[fam].1)),
                    ..Default::default()
                }],
                sex: Sex::Male,
                birth_date: FuzzyDate::parse(&year.to_string()).unwrap_or_default(),
                sources: cite(list_b),
                ..Default::default()
            }),
        });
        event(
            &mut changes,
            id,
            "enforced-disappearance",
            format!("2014-{month:02}"),
        );
        if let Some(a) = ids[n] {
            truth.push((a.to_string(), id.to_string()));
        }
        b_ids.push(id.to_string());
    }
    // And four of list A's people again in list B, by given and family name alone.
    for (n, &(g, _, fam, ..)) in people.iter().enumerate().take(4) {
        let id = RecordId::new();
        changes.push(Change::Create {
            id,
            body: RecordBody::Person(Person {
                names: vec![PersonName {
                    script: Script::Latn,
                    given: Some(GIVEN[g].1.into()),
                    family: Some(FAMILY[fam].1.into()),
                    ..Default::default()
                }],
                sources: cite(list_b),
                ..Default::default()
            }),
        });
        if let Some(a) = ids[n] {
            truth.push((a.to_string(), id.to_string()));
        }
        b_ids.push(id.to_string());
    }
    store
        .write(ChangeSet {
            author: "test".into(),
            action: "test.lists".into(),
            owner: None,
            changes,
        })
        .unwrap_or_else(|e| panic!("{e}"));
    (a_ids, b_ids, truth, list_a.to_string(), list_b.to_string())
}

/// Linkage as a team uses it: link two lists, count people once, work the queue, decide,
/// change one's mind, withdraw, and run again with the decisions as labels.
#[tokio::test]
async fn linkage_counts_people_once_and_reviewers_decide_the_uncertain_pairs() {
    let s = start().await;
    let (a, b, truth, list_a, list_b) = two_lists(&s.store);
    let records = (a.len() + b.len()) as u64;
    let (_, before) = s.get("/api/stats").await;
    assert_eq!(
        (
            before["persons"].as_u64(),
            before["person_records"].as_u64()
        ),
        (Some(records), Some(records))
    );
    assert_eq!(before["arrests_then_disappeared"], 0);

    // Bad requests change nothing.
    let (status, problem) = s
        .post(
            "/api/linkage/runs",
            json!({"lists": [list_a, "0193a9c0-0000-7000-8000-000000000000"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "lists");
    let (status, problem) = s
        .post(
            "/api/linkage/runs",
            json!({"lists": [list_a], "threshold": 1.5}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (_, nothing) = s.get("/api/linkage").await;
    assert!(nothing["run"].is_null(), "{nothing}");

    let (status, run) = s
        .post("/api/linkage/runs", json!({"lists": [list_a, list_b]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{run}");
    assert_eq!(run["members"].as_u64(), Some(records));
    assert_eq!(run["summary"]["lists"], 2);

    // The true pairs are together, and nobody else is.
    let org = s
        .store
        .keyring()
        .default_organisation()
        .map_or(1, |o| o.num);
    let review =
        athar_link::stored::Review::load(s.store.as_ref(), org).unwrap_or_else(|e| panic!("{e}"));
    let joined: std::collections::HashSet<(String, String)> = review
        .same_person()
        .into_iter()
        .map(|(x, y)| {
            (
                x.to_string().min(y.to_string()),
                x.to_string().max(y.to_string()),
            )
        })
        .collect();
    let found = truth
        .iter()
        .filter(|(a, b)| joined.contains(&(a.clone().min(b.clone()), a.clone().max(b.clone()))))
        .count();
    assert!(found >= 27, "{found} of {} true pairs linked", truth.len());
    for p in &review.pairs {
        let k = (p.a.to_string(), p.b.to_string());
        if joined.contains(&k)
            && !truth
                .iter()
                .any(|(a, b)| (a.clone().min(b.clone()), a.clone().max(b.clone())) == k)
        {
            eprintln!("FALSE {:.3} {}", p.probability, p.why);
        }
    }
    eprintln!(
        "{}",
        serde_json::to_string(&run["summary"]["em"]).unwrap_or_default()
    );
    assert_eq!(
        joined.len(),
        found,
        "{} joins, {found} of them true",
        joined.len()
    );

    // The capture table of the two lists counts each linked person once, on both lists.
    let ids = |text: &str| text.parse::<athar_model::RecordId>().unwrap_or_default();
    let table =
        athar_link::stored::capture_counts(s.store.as_ref(), org, &[ids(&list_a), ids(&list_b)])
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(table.records as u64, records);
    assert_eq!(table.counts[0b11], found as u64);
    assert_eq!(table.counts[0b01] as usize, a.len() - found);
    assert_eq!(table.counts[0b10] as usize, b.len() - found);
    assert!(matches!(
        athar_link::stored::capture_counts(s.store.as_ref(), org, &[ids(&list_a)]),
        Err(athar_link::stored::RunError::ListCount(1))
    ));

    // Statistics count each linked person once, with the journey put together.
    let (_, after) = s.get("/api/stats").await;
    assert_eq!(after["person_records"].as_u64(), Some(records));
    assert_eq!(
        after["persons"].as_u64(),
        Some(records - joined.len() as u64)
    );
    assert_eq!(
        after["arrests_then_disappeared"].as_u64(),
        Some(joined.len() as u64)
    );
    assert_eq!(
        after["linkage"]["records_joined"].as_u64(),
        Some(joined.len() as u64)
    );

    // Every pair says why.
    let (first, second) = &truth[0];
    let (status, pairs) = s.get(&format!("/api/persons/{first}/matches")).await;
    assert_eq!(status, StatusCode::OK, "{pairs}");
    let pair = pairs["pairs"]
        .as_array()
        .and_then(|p| {
            p.iter()
                .find(|p| p["first"] == *second || p["second"] == *second)
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(pair["together"], true, "{pairs}");
    let terms = pair["why"].as_array().cloned().unwrap_or_default();
    assert!(
        terms
            .iter()
            .any(|t| t["comparison"] == "given_name" && t["weight"].as_f64() > Some(0.0)),
        "{pair}"
    );

    // The queue, most valuable first; a decision takes the pair out of it.
    let (status, queue) = s.get("/api/linkage/queue?limit=20").await;
    assert_eq!(status, StatusCode::OK, "{queue}");
    let items = queue["items"].as_array().cloned().unwrap_or_default();
    let values: Vec<f64> = items.iter().filter_map(|i| i["value"].as_f64()).collect();
    assert!(values.windows(2).all(|w| w[0] >= w[1]), "{values:?}");
    assert!(!items.is_empty(), "the partial names leave pairs to decide");
    for item in &items {
        let p = item["probability"].as_f64().unwrap_or(-1.0);
        let entropy = -(p * p.log2() + (1.0 - p) * (1.0 - p).log2());
        let affected = item["records_affected"].as_f64().unwrap_or_default();
        let value = item["value"].as_f64().unwrap_or_default();
        assert!(
            item["reason"] == "refused_join" || (value - entropy * affected).abs() < 1e-9,
            "{item}"
        );
        assert!(
            item["why"].as_array().is_some_and(|t| !t.is_empty()),
            "{item}"
        );
    }
    // Deciding the most valuable pair takes it out of the queue.
    let top = &items[0];
    let (status, _) = s
        .post(
            "/api/linkage/decisions",
            json!({"first": top["first"], "second": top["second"], "decision": "same"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, queue) = s.get("/api/linkage/queue?limit=500").await;
    assert!(
        !queue["items"].as_array().is_some_and(|q| q
            .iter()
            .any(|i| i["first"] == top["first"] && i["second"] == top["second"])),
        "{queue}"
    );
    let (_, after) = s.get("/api/stats").await;

    // Decide a true pair "different": it comes apart, and the count goes up by one.
    let (status, decision) = s
        .post(
            "/api/linkage/decisions",
            json!({"first": first, "second": second, "decision": "different", "note": "different mothers"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    let decision_id = decision["id"].as_str().unwrap_or_default().to_string();
    let (_, apart) = s.get("/api/stats").await;
    assert_eq!(
        apart["persons"].as_u64(),
        after["persons"].as_u64().map(|p| p + 1)
    );
    assert_eq!(apart["linkage"]["confirmed_different"], 1);
    // Changing one's mind is a new revision of the same decision.
    let (status, revised) = s
        .post(
            "/api/linkage/decisions",
            json!({"first": second, "second": first, "decision": "same"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revised}");
    assert_eq!(revised["id"], decision_id.as_str());
    assert_eq!(revised["rev"], 2);
    let (_, together) = s.get("/api/stats").await;
    assert_eq!(together["persons"], after["persons"]);
    assert_eq!(together["linkage"]["confirmed_same"], 2);
    // Both decisions stay in the history, with who made them.
    let (_, history) = s.get(&format!("/api/matches/{decision_id}/history")).await;
    let revisions = history["revisions"].as_array().cloned().unwrap_or_default();
    let decided: Vec<&str> = revisions
        .iter()
        .filter_map(|r| r["content"]["decision"].as_str())
        .collect();
    assert_eq!(decided, ["different", "same"], "{history}");

    // Join two people who are not the same, then withdraw it with a reason.
    let wrong = (&truth[1].0, &truth[2].1);
    let (status, joined_wrongly) = s
        .post(
            "/api/linkage/decisions",
            json!({"first": wrong.0, "second": wrong.1, "decision": "same"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{joined_wrongly}");
    let (_, merged) = s.get("/api/stats").await;
    assert_eq!(
        merged["persons"].as_u64(),
        after["persons"].as_u64().map(|p| p - 1)
    );
    let wrong_id = joined_wrongly["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (status, _, _) = s
        .send(
            reqwest::Method::DELETE,
            &format!("/api/matches/{wrong_id}"),
            Some(json!({"reason": "clicked the wrong pair"})),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, restored) = s.get("/api/stats").await;
    assert_eq!(restored["persons"], after["persons"]);

    // The next run learns from the two decisions that stand.
    let (status, rerun) = s
        .post("/api/linkage/runs", json!({"lists": [list_a, list_b]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rerun}");
    assert_eq!(rerun["decisions_used"], 2);
    let (_, status_now) = s.get("/api/linkage").await;
    assert_eq!(status_now["run"]["id"], rerun["run"]);
    assert!(
        status_now["run"]["model"]["comparisons"].is_array(),
        "{status_now}"
    );
    let chain = s
        .store
        .verify(&mut |_| {})
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(chain.ok(), "{:?}", chain.problems);
}

/// A man taken at a checkpoint in Homs by Branch 235 and not seen since: the person (from
/// `body`), the arrest and the enforced disappearance after it, he the victim of both.
/// The ids of the person and of the disappearance.
async fn record_disappearance(s: &Server, body: Value) -> (String, String) {
    let person = s.create("/api/persons", body).await;
    let arrest = s
        .create(
            "/api/events",
            json!({"kind": "arrest", "start": "2019-04-02", "unit": "mi-branch-235",
                   "place": {"pcode": "SY0401", "text": "checkpoint at the city entrance"}}),
        )
        .await;
    let gone = s
        .create(
            "/api/events",
            json!({"kind": "enforced-disappearance", "start": "2019-04", "previous": arrest}),
        )
        .await;
    for event in [&arrest, &gone] {
        s.create(
            "/api/involvements",
            json!({"event": event, "person": person, "role": "victim"}),
        )
        .await;
    }
    (person, gone)
}

#[tokio::test]
async fn a_case_is_made_for_someone_taken_by_a_named_unit_to_no_named_place() {
    let s = start().await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let admin = Auth::Session(cookie, Some(csrf));
    let mut body = person_body("1990-01-01");
    body["consent"] = json!([{"purpose": "wgeid", "answer": "given", "date": "2024-02"}]);
    let person = s.create("/api/persons", body).await;
    // Arrested by Branch 235 at a checkpoint; nothing recorded since — the store counts him
    // disappeared, and no disappearance event says so.
    let arrest = s
        .create(
            "/api/events",
            json!({"kind": "arrest", "start": "2019-04-02", "unit": "mi-branch-235",
                   "place": {"pcode": "SY0401", "text": "checkpoint"}}),
        )
        .await;
    s.create(
        "/api/involvements",
        json!({"event": arrest, "person": person, "role": "victim"}),
    )
    .await;
    // A step dated before the arrest it follows is a mistake, refused naming both dates.
    let (status, p) = s
        .post(
            "/api/events",
            json!({"kind": "search-inquiry", "start": "2019-01-10", "previous": arrest}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"][0]["code"], "event.before_previous", "{p}");
    s.create(
        "/api/events",
        json!({"kind": "search-inquiry", "start": "2019-06", "previous": arrest,
               "place": {"pcode": "SY01", "text": "Military Police, Qaboun"}}),
    )
    .await;
    let (status, _, case) = s
        .request(
            reqwest::Method::GET,
            &format!("/api/persons/{person}/wgeid"),
            None,
            None,
            &admin,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let text = case["disappearance"].to_string();
    assert!(
        text.contains("2019-04-02") && text.contains("Homs"),
        "{text}"
    );
}

#[tokio::test]
async fn a_wgeid_case_is_made_only_when_complete_and_consented() {
    let s = start().await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let admin = Auth::Session(cookie, Some(csrf));
    let wgeid = |id: &str, query: &str| format!("/api/persons/{id}/wgeid{query}");
    let get_as_admin = |path: String| {
        let admin = admin.clone();
        let s = &s;
        async move {
            let (status, _, body) = s
                .request(reqwest::Method::GET, &path, None, None, &admin)
                .await;
            (status, body)
        }
    };
    // A man taken at a checkpoint in Homs by Branch 235 and not seen since; no consent yet,
    // and nothing recorded of his family's search.
    let mut body = person_body("1988-02-14");
    body["names"][0]["mother"] = json!("فاطمة");
    let (person, gone) = record_disappearance(&s, body.clone()).await;
    let (status, problem) = get_as_admin(wgeid(&person, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, ["consent", "steps"], "{problem}");
    // The documenter (no right to share) cannot ask at all.
    let (status, _) = s.get(&wgeid(&person, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // His mother asked at the Military Police in Qaboun, and consented for him.
    s.create(
        "/api/events",
        json!({"kind": "search-inquiry", "start": "2019-06", "previous": gone,
               "place": {"pcode": "SY01", "text": "Military Police, Qaboun"},
               "narrative": "Told he was not held there"}),
    )
    .await;
    let (status, headers, _) = s
        .send(
            reqwest::Method::GET,
            &format!("/api/persons/{person}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    body["consent"] =
        json!([{"purpose": "wgeid", "answer": "given", "date": "2024-02", "by": "his mother"}]);
    let (status, _, v) = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}"),
            Some(body),
            Some(&etag),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");

    let (status, case) = get_as_admin(wgeid(&person, "")).await;
    assert_eq!(status, StatusCode::OK, "{case}");
    let lines = |section: &str| -> Vec<(String, String)> {
        case[section]
            .as_array()
            .into_iter()
            .flatten()
            .map(|l| {
                (
                    l["label"].as_str().unwrap_or_default().to_string(),
                    l["value"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let identity = lines("identity");
    assert!(
        identity.contains(&("Full name (Arabic)".into(), "محمد أحمد الحلبي".into())),
        "{identity:?}"
    );
    assert!(identity.contains(&("Mother's name".into(), "فاطمة".into())));
    assert!(identity.contains(&("Date of birth".into(), "1988-02-14".into())));
    let taken = lines("disappearance");
    assert!(
        taken.contains(&(
            "Date of the arrest, detention or disappearance".into(),
            "2019-04-02".into()
        )),
        "{taken:?}"
    );
    let place = &taken
        .iter()
        .find(|(l, _)| l.starts_with("Place"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(
        place.contains("Homs")
            && place.contains("checkpoint at the city entrance")
            && place.ends_with("Syria"),
        "{place}"
    );
    let forces = &taken
        .iter()
        .find(|(l, _)| l.starts_with("Forces"))
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    assert!(forces.contains("235"), "{forces}");
    assert_eq!(case["steps"][0]["date"], "2019-06");
    assert_eq!(case["steps"][0]["account"], "Told he was not held there");
    assert!(
        lines("submission")
            .iter()
            .any(|(_, v)| v.contains("his mother"))
    );

    // In Arabic, as a PDF to download; the request is in the audit chain.
    let pdf = s
        .client
        .get(format!(
            "{}{}",
            s.base,
            wgeid(&person, "?lang=ar&format=pdf")
        ))
        .header(
            "Cookie",
            match &admin {
                Auth::Session(c, _) => format!("athar_session={c}"),
                _ => String::new(),
            },
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pdf.status(), StatusCode::OK);
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.unwrap_or_default().starts_with(b"%PDF-"));
    let (_, _, head) = s
        .request(reqwest::Method::GET, "/api/audit/head", None, None, &admin)
        .await;
    assert_eq!(head["action"], "wgeid", "{head}");
    assert!(
        head["subject"]
            .as_str()
            .is_some_and(|t| t.starts_with(&format!("person:{person} pdf ar sha256:"))),
        "{head}"
    );

    // Withdrawn consent stops it again.
    let (_, headers, _) = s
        .send(
            reqwest::Method::GET,
            &format!("/api/persons/{person}"),
            None,
            None,
        )
        .await;
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let mut withdrawn = person_body("1988-02-14");
    withdrawn["consent"] = json!([
        {"purpose": "wgeid", "answer": "given", "date": "2024-02"},
        {"purpose": "wgeid", "answer": "withdrawn", "date": "2024-09"}
    ]);
    let (status, _, v) = s
        .send(
            reqwest::Method::PUT,
            &format!("/api/persons/{person}"),
            Some(withdrawn),
            Some(&etag),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (status, problem) = get_as_admin(wgeid(&person, "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("withdrawn")
            || problem.to_string().contains("withdrawn"),
        "{problem}"
    );
}

#[tokio::test]
async fn lists_go_in_and_out_through_the_api() {
    let s = start().await;
    let list = "No.,الاسم,Born,Arrested\n1,محمد أحمد الحلبي,1990,2019-03-12\n2,هبة علي,2001-13-45,2021\n3,=cmd|' /C calc'!A0,1985,\n";
    let mapping = "[list]\nname = \"Partner list\"\nkey = \"No.\"\n[columns]\n\"الاسم\" = \"full_name\"\n\"Born\" = \"birth_date\"\n\"Arrested\" = \"arrest.date\"\n";
    let upload = |query: &'static str, file: &'static str, mapping: &'static str| {
        let form = reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("list.csv"),
            )
            .text("mapping", mapping);
        s.client
            .post(format!("{}/api/imports{query}", s.base))
            .bearer_auth(&s.token)
            .multipart(form)
            .send()
    };
    // Checking writes nothing and names the bad row by line and column, not by its value.
    let resp = upload("?check=true", list, mapping)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    let report: Value = resp.json().await.unwrap_or_default();
    assert_eq!(report["written"], false, "{report}");
    assert_eq!(report["refused"][0]["line"], 3, "{report}");
    assert_eq!(report["refused"][0]["column"], "Born");
    assert!(
        !report.to_string().contains("هبة"),
        "no personal data in the report"
    );
    let (_, persons) = s.get("/api/persons").await;
    assert_eq!(
        persons["items"].as_array().map_or(0, Vec::len),
        0,
        "{persons}"
    );
    // Strict: one bad row refuses the file.
    let resp = upload("?strict=true", list, mapping)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let report: Value = resp.json().await.unwrap_or_default();
    assert_eq!(report["written"], false, "{report}");
    // Otherwise the good rows go in, in the caller's organisation.
    let resp = upload("", list, mapping)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::CREATED);
    let report: Value = resp.json().await.unwrap_or_default();
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["original"]["new"], true, "{report}");
    let (status, items) = s.get("/api/evidence").await;
    assert_eq!(status, StatusCode::OK, "{items}");
    let kept = items
        .as_array()
        .or_else(|| items["items"].as_array())
        .cloned()
        .unwrap_or_default();
    assert!(
        kept.iter()
            .any(|i| i["id"] == report["original"]["evidence"]
                && i["media_type"] == "text/csv"
                && i["filename"] == "list.csv"),
        "{items}"
    );
    // A bad mapping or a missing part is a problem naming it.
    for (file, mapping, field) in [
        (list, "[columns]\n\"الاسم\" = \"shoe_size\"\n", "mapping"),
        ("[{\"No.\": 1, ", mapping, "file"),
    ] {
        let resp = upload("", file, mapping)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = resp.json().await.unwrap_or_default();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }

    // Out again, for an organisation administrator, formulas defused.
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let cookie_header = format!("athar_session={cookie}");
    let _ = csrf;
    let resp = s
        .client
        .get(format!("{}/api/exports/persons?format=uwazi", s.base))
        .header("Cookie", &cookie_header)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.contains("attachment"))
    );
    let text = resp.text().await.unwrap_or_default();
    assert!(text.starts_with("Title,Name in Arabic"), "{text}");
    assert!(text.contains("محمد أحمد الحلبي"));
    assert!(text.contains("'=cmd"), "a formula cell is defused: {text}");
    // The documenter may import but not carry the list away.
    let (status, _) = s.get("/api/exports/persons").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let resp = s
        .client
        .get(format!("{}/api/exports/persons?format=docx", s.base))
        .header("Cookie", &cookie_header)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

/// An account of `role` in organisation `org`, with a write token (for a documenter) or a
/// signed-in session (for an administrator): how it authenticates.
async fn account_in(s: &mut Server, org: i64, username: &str, role: Role) -> Auth {
    let secret = role
        .needs_second_factor()
        .then(|| TotpSecret::generate().unwrap_or_else(|e| panic!("{e}")));
    let user = s
        .store
        .create_user(
            "test",
            NewUser {
                username: username.into(),
                role,
                organisation: org,
                password_hash: hash_password(PASSWORD).unwrap_or_default(),
                totp_secret: secret.as_ref().map(|t| t.as_bytes().to_vec()),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(secret) = secret {
        s.totp.insert(username.into(), secret);
        let (cookie, csrf, _) = s.sign_in(username).await;
        return Auth::Session(cookie, Some(csrf));
    }
    let (token, _) =
        athar_app::accounts::issue_token(s.store.as_ref(), &user, "tests", Scope::Write, 1)
            .unwrap_or_else(|e| panic!("{e}"));
    Auth::Bearer(token)
}

#[tokio::test]
async fn another_organisation_cannot_write_into_probe_or_read_a_case() {
    let mut s = start().await;
    let other = s
        .store
        .create_organisation("test", "Organisation B")
        .unwrap_or_else(|e| panic!("{e}"));
    let b = account_in(&mut s, other.num, "b-documenter", Role::Documenter).await;
    let (cookie, csrf, _) = s.sign_in("org-admin").await;
    let a_admin = Auth::Session(cookie, Some(csrf));
    // A's disappeared person, with a complete WGEID case and nothing shared.
    let mut body = person_body("1988-02-14");
    body["consent"] = json!([{"purpose": "wgeid", "answer": "given", "date": "2024-02"}]);
    let (person, gone) = record_disappearance(&s, body).await;
    s.create(
        "/api/events",
        json!({"kind": "search-inquiry", "start": "2019-06", "previous": gone,
               "place": {"pcode": "SY01", "text": "Military Police, Qaboun"}}),
    )
    .await;
    let (status, before) = {
        let (st, v) = s
            .get_as(&format!("/api/persons/{person}/wgeid"), &a_admin)
            .await;
        (st, v)
    };
    assert_eq!(status, StatusCode::OK, "{before}");

    // B writes its own event with a narrative, and tries to name A's person as its victim,
    // to follow A's event, and to release A's person: each answers as for an unknown id.
    let (status, _, own) = s
        .request(
            reqwest::Method::POST,
            "/api/events",
            Some(json!({"kind": "release", "start": "2019-05", "narrative": "B's narrative"})),
            None,
            &b,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{own}");
    let own = own["id"].as_str().unwrap_or_default().to_string();
    let unknown = RecordId::new().to_string();
    for (path, hidden, made_up) in [
        (
            "/api/involvements",
            json!({"event": own, "person": person, "role": "victim"}),
            json!({"event": own, "person": unknown, "role": "victim"}),
        ),
        (
            "/api/events",
            json!({"kind": "release", "start": "2019-05", "previous": gone}),
            json!({"kind": "release", "start": "2019-05", "previous": unknown}),
        ),
    ] {
        let (status_h, _, h) = s
            .request(reqwest::Method::POST, path, Some(hidden), None, &b)
            .await;
        let (status_u, _, u) = s
            .request(reqwest::Method::POST, path, Some(made_up), None, &b)
            .await;
        assert_eq!(status_h, StatusCode::UNPROCESSABLE_ENTITY, "{h}");
        assert_eq!((status_h, &h["errors"]), (status_u, &u["errors"]), "{path}");
    }
    // A's case is as it was: nothing of B's in it.
    let (_, after) = s
        .get_as(&format!("/api/persons/{person}/wgeid"), &a_admin)
        .await;
    assert_eq!(before["disappearance"], after["disappearance"], "{after}");
    assert!(!after.to_string().contains("B's narrative"));

    // The coalition admin cannot give itself a reader in A, which has its own people …
    let (cookie, csrf, _) = s.sign_in("coalition-admin").await;
    let coalition = Auth::Session(cookie, Some(csrf));
    let a_id = s
        .store
        .keyring()
        .default_organisation()
        .map(|o| o.id.to_string())
        .unwrap_or_default();
    for role in ["viewer", "documenter", "analyst", "org-admin"] {
        let (status, _, v) = s
            .request(
                reqwest::Method::POST,
                "/api/users",
                Some(json!({"username": format!("spy-{role}"), "role": role,
                            "password": "a new long password", "organisation": a_id})),
                None,
                &coalition,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{role}: {v}");
    }
    // … nor in B, whose documenter is already there; nor with no organisation named.
    for organisation in [Some(other.id.to_string()), None] {
        let (status, _, v) = s
            .request(
                reqwest::Method::POST,
                "/api/users",
                Some(json!({"username": "spy", "role": "viewer",
                            "password": "a new long password", "organisation": organisation})),
                None,
                &coalition,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    }
    assert!(s.store.user_by_name("spy").ok().flatten().is_none());

    // B's 600 persons of the same name do not shrink A's search, and its total is honest.
    let b_people: Vec<Value> = (0..600).map(|_| person_body("1990")).collect();
    for chunk in b_people.chunks(100) {
        for p in chunk {
            let (status, _, _) = s
                .request(
                    reqwest::Method::POST,
                    "/api/persons",
                    Some(p.clone()),
                    None,
                    &b,
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
    }
    let (_, page) = s.get("/api/persons?name=halabi&limit=1").await;
    assert_eq!(page["total"], 1, "{page}");
    let (_, page) = s.get_as("/api/persons?name=halabi&limit=250", &b).await;
    assert_eq!(page["total"], 600, "{page}");
    assert_eq!(page["items"].as_array().map(Vec::len), Some(250));
    let next = page["next"].as_str().unwrap_or_default().to_string();
    let (_, rest) = s
        .get_as(
            &format!("/api/persons?name=halabi&limit=500&after={next}"),
            &b,
        )
        .await;
    assert_eq!(rest["items"].as_array().map(Vec::len), Some(350), "{rest}");
    assert!(rest.get("next").is_none());
}

/// Loose ends a hostile-input run found: every refusal is problem+json, HEAD and OPTIONS
/// get proper answers, and names cannot hide or reorder their text.
#[tokio::test]
async fn odd_requests_get_clear_problem_answers() {
    let s = start().await;
    let problem_json = |headers: &reqwest::header::HeaderMap| {
        headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/problem+json"))
    };
    // A query value of the wrong type.
    let (status, headers, v) = s
        .send(reqwest::Method::GET, "/api/persons?limit=abc", None, None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(problem_json(&headers));
    assert_eq!(v["errors"][0]["code"], "query.invalid");
    // A multipart body without its boundary.
    let resp = s
        .client
        .post(format!("{}/api/imports?check=true", s.base))
        .bearer_auth(&s.token)
        .header("content-type", "multipart/form-data")
        .body("--x\r\n")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(problem_json(resp.headers()));
    // HEAD answers as GET does, without a body; OPTIONS names the methods allowed.
    let (status, _, _) = s
        .request(reqwest::Method::HEAD, "/healthz", None, None, &Auth::None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = s
        .send(reqwest::Method::HEAD, "/api/persons", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = s
        .request(
            reqwest::Method::HEAD,
            "/api/persons",
            None,
            None,
            &Auth::None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "HEAD needs what GET needs"
    );
    let (status, headers, v) = s
        .request(
            reqwest::Method::OPTIONS,
            "/api/persons",
            None,
            None,
            &Auth::None,
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{v}");
    assert!(problem_json(&headers));
    assert_eq!(
        headers.get("allow").and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );
    // A name with a right-to-left override or a NUL is refused, naming the field.
    for bad in ["\u{202E}dammahoM", "محمد\u{0}"] {
        let mut body = person_body("1990");
        body["names"][1]["given"] = json!(bad);
        let (status, v) = s.post("/api/persons", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["errors"][0]["field"], "names[1].given");
        assert_eq!(v["errors"][0]["code"], "text.invisible_character");
    }
}

/// An organisation added by another process while the server runs (`athar org add` on the
/// same store) works at once: its people can sign in and write, no restart needed.
#[tokio::test]
async fn an_organisation_added_while_serving_can_write_at_once() {
    let s = start().await;
    let other_process = SqliteStore::open(
        &DataDir::new(s._tmp.path().join("data")),
        "api test passphrase",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let added = other_process
        .create_organisation("cli", "Added while serving")
        .unwrap_or_else(|e| panic!("{e}"));
    // Its first account and token, made by the other process too (`athar user add`,
    // `athar token create`).
    let user = other_process
        .create_user(
            "cli",
            NewUser {
                username: "late-documenter".into(),
                role: Role::Documenter,
                organisation: added.num,
                password_hash: hash_password(PASSWORD).unwrap_or_default(),
                totp_secret: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let (token, _) =
        athar_app::accounts::issue_token(&other_process, &user, "late", Scope::Write, 1)
            .unwrap_or_else(|e| panic!("{e}"));
    let documenter = Auth::Bearer(token);
    let (status, _, v) = s
        .request(
            reqwest::Method::POST,
            "/api/persons",
            Some(person_body("1990")),
            None,
            &documenter,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    assert_eq!(v["owner"], added.num);
}
