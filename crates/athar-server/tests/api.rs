//! The API over real HTTP on an ephemeral port, against a real encrypted store file.

use std::sync::Arc;

use athar_server::{AppState, endpoints};
use athar_store::{DataDir, SqliteStore, Store};
use reqwest::StatusCode;
use serde_json::{Value, json};

struct Server {
    base: String,
    client: reqwest::Client,
    _tmp: tempfile::TempDir,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

async fn start() -> Server {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = DataDir::new(tmp.path().join("data"));
    let store =
        SqliteStore::create(&dir, "api test passphrase", "test").unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(Arc::new(store) as Arc<dyn Store>);
    tokio::spawn(athar_server::serve(listener, state, async {
        let _ = rx.await;
    }));
    Server {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        _tmp: tmp,
        _shutdown: tx,
    }
}

impl Server {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(b) = body {
            req = req.json(&b);
        }
        if let Some(m) = if_match {
            req = req.header("If-Match", m);
        }
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
