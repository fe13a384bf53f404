//! The web pages over HTTP as a browser without JavaScript uses them: sign in with a form,
//! keep the cookies, search persons by name in another script, open a person's page,
//! switch language, sign out with the form's CSRF token — on a real server and store.

mod common;

use common::{DOCUMENTER, PASSWORD, a_demo_name, urlencode};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

struct Site {
    base: String,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
    _server: std::sync::Arc<common::Server>,
}

impl Site {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, response: &reqwest::Response) {
        for v in response.headers().get_all(SET_COOKIE) {
            let Some((pair, _)) = v.to_str().unwrap_or("").split_once(';') else {
                continue;
            };
            let Some((k, v)) = pair.split_once('=') else {
                continue;
            };
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    /// Status, body and headers of an answer, its cookies kept.
    async fn answer(
        &mut self,
        response: reqwest::Response,
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        self.keep_cookies(&response);
        let status = response.status();
        let headers = response.headers().clone();
        (status, response.text().await.unwrap_or_default(), headers)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.answer(response).await
    }

    async fn post(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.answer(response).await
    }
}

async fn start() -> Site {
    site(common::start_server().await)
}

fn site(server: common::Server) -> Site {
    Site {
        base: server.base.clone(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
        cookies: Vec::new(),
        _server: std::sync::Arc::new(server),
    }
}

#[tokio::test]
async fn a_reader_signs_in_finds_a_person_by_another_spelling_and_signs_out() {
    let mut site = start().await;
    // Not signed in: sent to sign in, and back afterwards.
    let (status, _, headers) = site.get("/persons").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/sign-in?next=/persons");
    let (status, page, headers) = site.get("/sign-in?next=/persons").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{page}");
    assert!(page.contains("تسجيل الدخول"));
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap_or("");
    assert!(
        csp.contains("default-src 'none'") && csp.contains("style-src 'self' 'sha256-"),
        "{csp}"
    );
    assert!(!page.contains("<script"), "no script on any page");

    // A wrong password: the API's refusal, in Arabic, nothing signed in.
    let (status, page, _) = site
        .post(
            "/sign-in",
            &[
                ("username", DOCUMENTER),
                ("password", "wrong password!!"),
                ("next", "/persons"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(page.contains("رُفض تسجيل الدخول"), "{page}");
    assert!(page.contains(r#"value="amal""#));

    let (status, _, headers) = site
        .post(
            "/sign-in",
            &[
                ("username", DOCUMENTER),
                ("password", PASSWORD),
                ("next", "/persons"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/persons");
    let (status, page, _) = site.get("/persons").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // (Numbers and names inserted into a sentence come isolated: FSI … PDI.)
    assert!(
        page.replace(['\u{2068}', '\u{2069}'], "")
            .contains("40 شخصًا"),
        "Arabic plural of 40: {page}"
    );
    assert!(page.contains("بيانات تجريبية"), "the demo banner");

    // The Latin spelling of a family name finds the persons written in Arabic.
    let (arab, latn) = a_demo_name();
    assert!(!arab.is_empty());
    let (status, page, _) = site
        .get(&format!("/persons?name={}", urlencode(&latn)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&arab), "{latn} finds {arab}: {page}");
    let id = page
        .split("href=\"/persons/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string();
    assert!(!id.is_empty(), "{page}");

    // The person's page: names in both scripts and the journey in order.
    let (status, page, _) = site.get(&format!("/persons/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("بالحروف العربية") && page.contains("بالحروف اللاتينية"),
        "{page}"
    );
    assert!(page.contains("المسار"));
    assert!(
        page.contains("الموافقة") && page.contains("المصادر"),
        "{page}"
    );

    // English at a click, kept.
    let (status, _, headers) = site.get(&format!("/lang/en?next=/persons/{id}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], format!("/persons/{id}"));
    let (_, page, _) = site.get(&format!("/persons/{id}")).await;
    assert!(page.contains(r#"<html lang="en" dir="ltr">"#), "{page}");
    assert!(page.contains("Journey") && page.contains("Arabic script"));
    let (_, page, _) = site.get("/persons?name=Qwertyuiopasdfgh").await;
    assert!(page.contains("No person found by that name"), "{page}");

    // A person of no one's: not found, the same as a made-up id.
    let (status, _, _) = site
        .get(&format!("/persons/{}", athar_model::RecordId::new()))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Sign-out needs the form's token.
    let (status, _, _) = site.post("/sign-out", &[("csrf", "forged")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let csrf = site
        .cookies
        .iter()
        .find(|(k, _)| k == "athar_csrf")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let (_, page, _) = site.get("/persons").await;
    assert!(
        page.contains(&format!(r#"name="csrf" value="{csrf}""#)),
        "{page}"
    );
    let (status, _, headers) = site.post("/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/sign-in?notice=signed-out");
    let (status, _, _) = site.get("/persons").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out for good");
}

#[tokio::test]
async fn the_style_sheet_is_served_and_nothing_comes_from_elsewhere() {
    let mut site = start().await;
    let (status, css, headers) = site.get(athar_web::STYLE_PATH).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/css")
    );
    assert!(
        css.contains("inset-inline-start"),
        "logical properties for both directions"
    );
    assert!(!css.contains("http:") && !css.contains("https:") && !css.contains("@import"));
    // The address the run command prints is the sign-in form itself, not a redirect.
    let (status, page, _) = site.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"name="next" value="/persons""#), "{page}");
    assert!(
        page.contains("<style>") && !page.contains("<link"),
        "one request: {page}"
    );
    // Going back after sign-in is only ever to this server.
    let (_, page, _) = site.get("/sign-in?next=//evil.example/x").await;
    assert!(page.contains(r#"name="next" value="/persons""#), "{page}");
}

impl Site {
    async fn sign_in_as(&mut self, username: &str, code: Option<String>) {
        let code = code.unwrap_or_default();
        let (status, page, _) = self
            .post(
                "/sign-in",
                &[
                    ("username", username),
                    ("password", PASSWORD),
                    ("code", &code),
                    ("next", "/persons"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    }

    fn csrf(&self) -> String {
        self.cookies
            .iter()
            .find(|(k, _)| k == "athar_csrf")
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// The value of the input named `name` in a page.
fn value_of(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!(r#"name="{name}" value=""#))?;
    let rest = &page[at + name.len() + 15..];
    rest.split('"').next().map(|v| v.replace("&quot;", "\""))
}

#[tokio::test]
async fn a_case_is_typed_saved_and_submitted_with_plain_forms() {
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    let (status, page, headers) = site.get("/cases/new").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().unwrap_or("");
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(page.contains(r#"<script src="/assets/intake.js" defer></script>"#));
    assert!(!page.contains("<script>"), "no inline script");
    assert_eq!(
        value_of(&page, "rev").as_deref(),
        Some("0"),
        "nothing saved yet"
    );
    let action = page
        .split(r#"action="/drafts/"#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string();
    let draft = format!("/drafts/{action}");
    let (status, script, _) = site.get("/assets/intake.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.contains("autosave"));

    // Saved with the button: the values come back exactly as typed.
    let csrf = site.csrf();
    let typed = [
        ("csrf", csrf.as_str()),
        ("rev", "0"),
        ("arabic.given", "فاطمة"),
        ("arabic.family", "الأحمد"),
        ("sex", "female"),
        ("events[0].kind", "arrest"),
        ("events[0].date", "31/02/2019"),
        ("events[0].unit", "fourth-division"),
        ("intent", "save"),
    ];
    let (status, _, headers) = site.post(&draft, &typed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], format!("{draft}?notice=saved"));
    let (_, page, _) = site.get(&format!("{draft}?notice=saved")).await;
    assert!(page.contains("حُفظت المسودة"), "{page}");
    assert_eq!(value_of(&page, "rev").as_deref(), Some("1"));
    assert_eq!(
        value_of(&page, "events[0].date").as_deref(),
        Some("31/02/2019")
    );
    assert!(page.contains(r#"<option value="fourth-division" selected>"#));

    // Another window, still at revision 0 of a saved draft: nothing overwritten, the
    // differences side by side.
    let mut other = typed.to_vec();
    other[2] = ("arabic.given", "فاطمه");
    let (status, page, _) = site.post(&draft, &other).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("حُفظت هذه المسودة من نافذة أخرى"), "{page}");
    assert!(page.contains("<bdi>فاطمة</bdi>") && page.contains("<bdi>فاطمه</bdi>"));
    let (_, page, _) = site.get(&draft).await;
    assert_eq!(value_of(&page, "arabic.given").as_deref(), Some("فاطمة"));

    // A form from an earlier session: nothing saved, the text handed back with a fresh token.
    let mut stale = typed.to_vec();
    stale[0] = ("csrf", "from-an-earlier-session");
    stale[1] = ("rev", "1");
    stale[2] = ("arabic.given", "فاطمة الزهراء");
    let (status, page, _) = site.post(&draft, &stale).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        value_of(&page, "arabic.given").as_deref(),
        Some("فاطمة الزهراء")
    );
    assert_eq!(value_of(&page, "csrf").as_deref(), Some(csrf.as_str()));
    let (_, page, _) = site.get(&draft).await;
    assert_eq!(
        value_of(&page, "rev").as_deref(),
        Some("1"),
        "nothing saved"
    );

    // The page's own saving answers in JSON.
    let mut auto = typed.to_vec();
    auto[1] = ("rev", "1");
    auto[8] = ("intent", "autosave");
    let (status, body, _) = site.post(&format!("{draft}/autosave"), &auto).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let saved: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    assert_eq!(saved["rev"], 2);

    // Another account of the organisation does not see it.
    let mut admin = Site {
        base: site.base.clone(),
        client: site.client.clone(),
        cookies: Vec::new(),
        _server: std::sync::Arc::clone(&site._server),
    };
    admin
        .sign_in_as(common::ADMIN, Some(site._server.admin_code()))
        .await;
    let (status, page, _) = admin.get(&draft).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{status}"
    );
    assert!(!page.contains("فاطمة"));
    let (_, page, _) = admin.get("/drafts").await;
    assert!(!page.contains("فاطمة"), "{page}");

    // Submitted with an impossible day: refused at that field, in Arabic, kept.
    let mut submit = typed.to_vec();
    submit[1] = ("rev", "2");
    submit[8] = ("intent", "submit");
    let (status, page, _) = site.post(&draft, &submit).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(r#"id="f-events-0-date-error""#), "{page}");
    assert!(
        page.contains("هذا الحقل مطلوب"),
        "the source is required: {page}"
    );
    assert_eq!(
        value_of(&page, "events[0].date").as_deref(),
        Some("31/02/2019")
    );

    // Corrected, with its source: written, and the draft is gone.
    let rev = value_of(&page, "rev").unwrap_or_default();
    let fixed = [
        ("csrf", csrf.as_str()),
        ("rev", rev.as_str()),
        ("arabic.given", "فاطمة"),
        ("arabic.family", "الأحمد"),
        ("sex", "female"),
        ("events[0].kind", "arrest"),
        ("events[0].date", "28/02/2019"),
        ("events[0].unit", "fourth-division"),
        ("source.kind", "family-testimony"),
        ("source.title", "مقابلة مع الأم"),
        ("intent", "submit"),
    ];
    let (status, page, headers) = site.post(&draft, &fixed).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let person = headers[LOCATION].to_str().unwrap_or("").to_string();
    assert_eq!(person, format!("/persons/{action}?notice=case-written"));
    let (status, page, _) = site.get(&person).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("سُجّلت الحالة") && page.contains("فاطمة الأحمد"),
        "{page}"
    );
    // Its status, and why: held by the unit since the arrest, the place not acknowledged.
    let plain = page.replace(['\u{2068}', '\u{2069}'], "");
    assert!(
        plain.contains("محتجز لدى الفرقة الرابعة منذ اعتقال (28 شباط 2019)"),
        "{page}"
    );
    // Its source with its grade, and its history: created by its author, every field new.
    assert!(page.contains("<bdi>مقابلة مع الأم</bdi>"), "{page}");
    assert!(page.contains("F — لا يمكن الحكم"), "{page}");
    assert!(page.contains("التعديل") && page.contains("أُنشئ"), "{page}");
    assert!(page.contains("<bdi>amal</bdi>"), "{page}");
    assert!(page.contains("<code>names[0].given</code>"), "{page}");
    assert!(page.contains("غير مُشارَك مع أي منظمة أخرى"), "{page}");
    let (status, _, _) = site.get(&draft).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Submitted again (a double click): nothing written twice, the case it became shown.
    let (status, _, headers) = site.post(&draft, &fixed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], person.as_str());
    let (_, page, _) = site
        .get("/persons?name=%D9%81%D8%A7%D8%B7%D9%85%D8%A9%20%D8%A7%D9%84%D8%A3%D8%AD%D9%85%D8%AF")
        .await;
    assert_eq!(page.matches("<bdi>فاطمة الأحمد</bdi>").count(), 1, "{page}");

    // A draft deleted in another window: what was typed is offered as a new draft.
    let (_, page, _) = site.get("/cases/new").await;
    let second = page
        .split(r#"action="/drafts/"#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string();
    let second = format!("/drafts/{second}");
    let (status, _, _) = site.post(&second, &typed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let discard = [("csrf", csrf.as_str()), ("rev", "1"), ("intent", "discard")];
    let (status, _, headers) = site.post(&second, &discard).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/drafts?notice=discarded");
    let mut late = typed.to_vec();
    late[1] = ("rev", "1");
    let (status, page, _) = site.post(&second, &late).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("أُرسلت هذه المسودة أو حُذفت"), "{page}");
    assert_eq!(value_of(&page, "arabic.given").as_deref(), Some("فاطمة"));
    assert!(
        !page.contains(&format!(r#"action="{second}""#)),
        "a new draft"
    );
}

/// The ids of the persons a list page links to.
fn listed_ids(page: &str) -> Vec<String> {
    page.split("href=\"/persons/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// The number in a list page's count line (0 when it says none).
fn count_line(page: &str) -> u64 {
    let line = page
        .split(r#"<p class="count" role="status">"#)
        .nth(1)
        .and_then(|r| r.split("</p>").next())
        .unwrap_or_default();
    if line.contains("شخص واحد") {
        return 1;
    }
    if line.contains("شخصان") {
        return 2;
    }
    line.chars()
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

#[tokio::test]
async fn the_persons_list_filters_by_status_and_by_events() {
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    // Every person has one status: the lists by status add up to everyone, and each
    // person listed under a status shows it on their page.
    let mut everyone = 0;
    for status in athar_model::Status::ALL {
        let (status_code, page, _) = site
            .get(&format!("/persons?status={}", status.code()))
            .await;
        assert_eq!(status_code, StatusCode::OK);
        let ids = listed_ids(&page);
        let count = count_line(&page);
        assert_eq!(ids.len() as u64, count.min(50), "{page}");
        // Each row says the status it was listed under.
        assert_eq!(
            page.matches(&format!("<td>{}</td>", status.label_ar()))
                .count(),
            ids.len(),
            "{page}"
        );
        everyone += count;
        for id in ids.iter().take(5) {
            let (_, person, _) = site.get(&format!("/persons/{id}")).await;
            assert!(
                person.contains(&format!(r#"<dd class="status">{}</dd>"#, status.label_ar())),
                "{} listed under {}",
                id,
                status.code()
            );
        }
    }
    assert_eq!(everyone, common::DEMO_PERSONS);
    // The whole list shows each person's status as their page does.
    let (_, page, _) = site.get("/persons").await;
    for id in listed_ids(&page).iter().take(10) {
        let (_, person, _) = site.get(&format!("/persons/{id}")).await;
        let status = person
            .split(r#"<dd class="status">"#)
            .nth(1)
            .and_then(|r| r.split("</dd>").next())
            .unwrap_or_default();
        let row = page
            .split(&format!(r#"href="/persons/{id}""#))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_default();
        assert!(
            !status.is_empty() && row.contains(&format!("<td>{status}</td>")),
            "{id}: {status} not in {row}"
        );
    }

    // A unit and a period: each person listed has an event by that unit.
    let unit = athar_demo::generate(common::DEMO_SEED, common::DEMO_PERSONS)
        .flatten()
        .find_map(|(_, b)| match b {
            athar_model::RecordBody::Event(e) => e.unit,
            _ => None,
        })
        .unwrap_or_default();
    let label = athar_model::Vocabularies::embedded()
        .units
        .label_of(&unit, athar_model::Lang::Ar);
    let (_, page, _) = site
        .get(&format!("/persons?unit={unit}&from=2011&to=2030"))
        .await;
    assert!(
        page.contains("يستوفي") || page.contains("يستوفون"),
        "{page}"
    );
    assert!(page.contains(r#"<details class="filters" open>"#));
    assert!(!listed_ids(&page).is_empty(), "{page}");
    for id in listed_ids(&page) {
        let (_, person, _) = site.get(&format!("/persons/{id}")).await;
        assert!(person.contains(&label), "{id} has an event by {unit}");
    }
    // Paging keeps the filters.
    assert!(!page.contains("after=") || page.contains(&format!("unit={unit}&amp;")));

    // A date that does not exist: said next to the field, nobody listed.
    let (status, page, _) = site.get("/persons?from=31/02/2019").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("التاريخ غير مفهوم"), "{page}");
    assert!(listed_ids(&page).is_empty());
    // A unit that is not in the vocabulary, likewise.
    let (_, page, _) = site.get("/persons?unit=no-such-unit").await;
    assert!(page.contains("هذا الخيار ليس من القائمة"), "{page}");
    assert!(listed_ids(&page).is_empty());
}

#[tokio::test]
async fn evidence_is_added_on_the_person_page_and_its_custody_is_shown() {
    use sha2::Digest;
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    let (_, page, _) = site.get("/persons").await;
    let person = listed_ids(&page).first().cloned().unwrap_or_default();
    let path = format!("/persons/{person}");
    let (_, page, _) = site.get(&path).await;
    assert!(page.contains(r#"enctype="multipart/form-data""#), "{page}");
    let bytes = b"%PDF-1.4 a scanned detention record".to_vec();
    let sha256: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let upload = |csrf: String, bytes: Vec<u8>| {
        reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("kind", "original")
            .text("description", "من أرشيف الفرع")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes)
                    .file_name("record.pdf")
                    .mime_str("application/pdf")
                    .unwrap_or_else(|e| panic!("{e}")),
            )
    };
    // Without the form's token: refused, nothing kept.
    let response = site
        .client
        .post(format!("{}{path}/evidence", site.base))
        .header(COOKIE, site.cookie_header())
        .multipart(upload("forged".into(), bytes.clone()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, page, _) = site.get(&path).await;
    assert!(!page.contains(&sha256));
    // With it: kept, its hash on the page.
    let response = site
        .client
        .post(format!("{}{path}/evidence", site.base))
        .header(COOKIE, site.cookie_header())
        .multipart(upload(site.csrf(), bytes.clone()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, page, _) = site.get(&format!("{path}?notice=evidence")).await;
    assert!(
        page.contains("حُفظ الدليل") && page.contains(&sha256),
        "{page}"
    );
    let item = page
        .split("href=\"/evidence/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default()
        .to_string();
    // Its page: the chain of custody, then a download entered in it.
    let (status, page, _) = site.get(&format!("/evidence/{item}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("استُلم") && page.contains("اطُّلع عليه"),
        "{page}"
    );
    assert!(!page.contains("نُزّل"));
    let response = site
        .client
        .get(format!("{}/api/evidence/{item}/content", site.base))
        .header(COOKIE, site.cookie_header())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.bytes().await.unwrap_or_default().as_ref(),
        bytes.as_slice()
    );
    let (_, page, _) = site.get(&format!("/evidence/{item}")).await;
    assert!(page.contains("نُزّل"), "the download is in the chain: {page}");
}

#[tokio::test]
async fn numbers_are_written_in_arabic_indic_digits_when_the_reader_asks() {
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    let (status, _, headers) = site.get("/digits/arab?next=/persons").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[LOCATION], "/persons");
    let (_, page, _) = site.get("/persons").await;
    let plain = page.replace(['\u{2068}', '\u{2069}'], "");
    assert!(plain.contains("٤٠ شخصًا"), "{page}");
    // Only the interface's numbers: the addresses of the persons keep their digits.
    let ids = listed_ids(&page);
    assert_eq!(ids.len(), 40);
    assert!(
        ids.iter()
            .all(|id| id.parse::<athar_model::RecordId>().is_ok())
    );
    assert!(page.contains(r#"href="/digits/latn?next="#));
    let (_, page, _) = site.get("/digits/latn?next=/persons").await;
    let _ = page;
    let (_, page, _) = site.get("/persons").await;
    assert!(
        page.replace(['\u{2068}', '\u{2069}'], "")
            .contains("40 شخصًا"),
        "{page}"
    );
}

#[tokio::test]
async fn a_persons_details_are_edited_and_a_conflicting_edit_is_shown_side_by_side() {
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    let (_, page, _) = site.get("/persons").await;
    let person = listed_ids(&page).first().cloned().unwrap_or_default();
    let (_, page, _) = site.get(&format!("/persons/{person}")).await;
    assert!(
        page.contains(&format!(r#"href="/persons/{person}/edit""#)),
        "{page}"
    );
    let edit = format!("/persons/{person}/edit");
    let (status, form, _) = site.get(&edit).await;
    assert_eq!(status, StatusCode::OK, "{form}");
    let rev = value_of(&form, "rev").unwrap_or_default();
    let given = value_of(&form, "arabic.given").unwrap_or_default();
    let family = value_of(&form, "arabic.family").unwrap_or_default();
    let csrf = site.csrf();
    let fields = |rev: &str, born: &str| -> Vec<(&'static str, String)> {
        vec![
            ("csrf", csrf.clone()),
            ("rev", rev.to_string()),
            ("arabic.given", given.clone()),
            ("arabic.family", family.clone()),
            ("sex", "male".to_string()),
            ("birth_date", born.to_string()),
        ]
    };
    // A day that does not exist: said next to the field, nothing written.
    let bad = fields(&rev, "31/02/1988");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = site.post(&edit, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(r#"id="f-birth_date-error""#), "{page}");
    // Saved: a new revision, shown in the history.
    let good = fields(&rev, "~1988");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, headers) = site.post(&edit, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[LOCATION],
        format!("/persons/{person}?notice=edited")
    );
    let (_, page, _) = site.get(&format!("/persons/{person}?notice=edited")).await;
    let plain = page.replace(['\u{2068}', '\u{2069}'], "");
    assert!(plain.contains("1988 تقريباً"), "{page}");
    assert!(
        page.contains("عُدّل") && page.contains("<code>birth_date</code>"),
        "{page}"
    );
    // The same form sent again, from the revision it was made at: not written over.
    let stale = fields(&rev, "1990");
    let stale: Vec<(&str, &str)> = stale.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, page, _) = site.post(&edit, &stale).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("حفظ شخص آخر هذا السجل"), "{page}");
    assert!(
        page.contains("<bdi>~1988</bdi>") && page.contains("<bdi>1990</bdi>"),
        "{page}"
    );
    assert_eq!(
        value_of(&page, "birth_date").as_deref(),
        Some("1990"),
        "yours kept"
    );
    let (_, page, _) = site.get(&format!("/persons/{person}")).await;
    assert!(
        page.replace(['\u{2068}', '\u{2069}'], "")
            .contains("1988 تقريباً"),
        "nothing overwritten"
    );
}

#[tokio::test]
async fn a_familys_missing_person_report_is_recorded_and_listed() {
    let mut site = start().await;
    site.sign_in_as(DOCUMENTER, None).await;
    let (status, page, _) = site.get("/tracing/new").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("عائلة تبلّغ عن شخص مفقود"));
    let csrf = site.csrf();
    // Without who reports and the family's answers: named, nothing written.
    let (status, page, _) = site
        .post(
            "/tracing/new",
            &[("csrf", csrf.as_str()), ("arabic.given", "سامر")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"id="f-relative-error""#), "{page}");
    assert!(page.contains(r#"id="f-consent_search-error""#), "{page}");
    assert_eq!(
        value_of(&page, "arabic.given").as_deref(),
        Some("سامر"),
        "kept"
    );
    let report = [
        ("csrf", csrf.as_str()),
        ("arabic.given", "سامر"),
        ("arabic.family", "الديري"),
        ("last_seen_date", "~06/2013"),
        ("last_seen_place", "دوما"),
        ("circumstances", "خرج إلى العمل ولم يعد"),
        ("relative", "أم سامر"),
        ("relation", "والدته"),
        ("contact", "+963 900 000 000"),
        ("report_date", "2025-02"),
        ("consent_search", "given"),
        ("consent_contact", "given"),
    ];
    let (status, _, headers) = site.post("/tracing/new", &report).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let search = headers[LOCATION].to_str().unwrap_or("").to_string();
    assert!(
        search.starts_with("/tracing/") && search.ends_with("?notice=reported"),
        "{search}"
    );
    let (_, page, _) = site.get(&search).await;
    let plain = page.replace(['\u{2068}', '\u{2069}'], "");
    assert!(plain.contains("سُجّل البلاغ"), "{page}");
    assert!(plain.contains("<bdi>أم سامر (والدته)</bdi>"), "{page}");
    assert!(
        plain.contains("البحث في السجلات عن الشخص لصالح عائلته"),
        "{page}"
    );
    let person = search
        .trim_start_matches("/tracing/")
        .trim_end_matches("?notice=reported")
        .to_string();
    let (_, page, _) = site.get(&format!("/persons/{person}")).await;
    let plain = page.replace(['\u{2068}', '\u{2069}'], "");
    assert!(plain.contains("آخر مرة شوهد فيها"), "{page}");
    assert!(
        plain.contains(r#"<dd class="status">غير معروف</dd>"#)
            && plain.contains("ولا يُعرف شيء بعدها"),
        "unknown, because last seen: {page}"
    );
    assert!(
        plain.contains(&format!(r#"href="/tracing/{person}""#)),
        "{page}"
    );
    // Listed among the reports of missing persons.
    let (_, page, _) = site.get("/persons?kind=last-seen").await;
    assert!(page.contains("سامر الديري"), "{page}");
}

#[tokio::test]
async fn a_familys_search_finds_the_register_entry_records_steps_and_writes_the_letter() {
    let mut site = site(common::start_server_with_register().await);
    site.sign_in_as(DOCUMENTER, None).await;
    let csrf = site.csrf();
    let (given, family) = common::MISSING;
    let report = [
        ("csrf", csrf.as_str()),
        ("arabic.given", given),
        ("arabic.father", "عبد الكريم"),
        ("arabic.family", family),
        ("latin.given", "Samer"),
        ("latin.family", "al-Dairi"),
        ("birth_date", "1990"),
        ("last_seen_date", "~06/2013"),
        ("last_seen_place", "دوما"),
        ("relative", "أم سامر"),
        ("relation", "والدته"),
        ("report_date", "2025-02"),
        ("consent_search", "given"),
        ("consent_contact", "given"),
    ];
    let (status, _, headers) = site.post("/tracing/new", &report).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let search = headers[LOCATION].to_str().unwrap_or("").to_string();
    let path = search.split('?').next().unwrap_or("").to_string();
    let (status, page, _) = site.get(&path).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    // The register's entry is the first candidate, with the register named and the
    // evidence for it; his brother, if listed at all, comes after him.
    let first = page
        .find(r#"<li class="card candidate""#)
        .unwrap_or_else(|| panic!("no candidate: {page}"));
    let entry = &page[first..];
    let entry = &entry[..entry.find("</li>\n").unwrap_or(entry.len())];
    assert!(entry.contains("ديري"), "{entry}");
    assert!(entry.contains(common::REGISTER), "{entry}");
    assert!(entry.contains("ما يؤيد المطابقة"), "{entry}");
    let candidate = entry
        .split(r#"name="candidate" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no decision form: {entry}"))
        .to_string();
    if let Some(brother) = page.find("ماهر") {
        assert!(brother > first, "the brother ranks above him");
    }

    // A confirmed death before the match is confirmed: refused, named, nothing written.
    let outcome = [
        ("csrf", csrf.as_str()),
        ("outcome.outcome", "confirmed_dead"),
        ("outcome.matched", candidate.as_str()),
        ("outcome.date", "2025-03-10"),
    ];
    let (status, page, _) = site.post(&format!("{path}/outcome"), &outcome).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(r#"id="f-outcome-matched-error""#), "{page}");
    // Confirmed, then recorded: the outcome and the decision show.
    let decide = [
        ("csrf", csrf.as_str()),
        ("candidate", candidate.as_str()),
        ("decision", "same"),
    ];
    let (status, _, _) = site.post(&format!("{path}/decide"), &decide).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = site.post(&format!("{path}/outcome"), &outcome).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (_, page, _) = site.get(&path).await;
    assert!(page.contains("مؤكَّد: الشخص نفسه"), "{page}");
    assert!(page.contains("تأكدت الوفاة"), "{page}");

    // A step dated before the last sighting is refused next to its field; one after is kept.
    let early = [
        ("csrf", csrf.as_str()),
        ("step.kind", "search-registers"),
        ("step.date", "2012"),
    ];
    let (status, page, _) = site.post(&format!("{path}/steps"), &early).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains(r#"id="f-step-date-error""#), "{page}");
    let step = [
        ("csrf", csrf.as_str()),
        ("step.kind", "search-registers"),
        ("step.date", "2025-03-02"),
        ("step.narrative", "سجل مستشفى تشرين"),
    ];
    let (status, _, _) = site.post(&format!("{path}/steps"), &step).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page, _) = site.get(&path).await;
    assert!(page.contains("<bdi>سجل مستشفى تشرين</bdi>"), "{page}");

    // The letter: a PDF.
    let (status, pdf, headers) = site.get(&format!("{path}/letter?lang=ar")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with("%PDF"));

    // The report's person page lists the register's entry among the records that may be
    // the same person, with the decision; a reviewer changes it there.
    let person = path.replacen("/tracing/", "/persons/", 1);
    let (_, page, _) = site.get(&person).await;
    let section = page
        .split(r#"id="matches-title""#)
        .nth(1)
        .and_then(|r| r.split("</section>").next())
        .unwrap_or_default();
    assert!(
        section.contains(&format!("/persons/{candidate}")),
        "{section}"
    );
    assert!(section.contains("مؤكَّد: الشخص نفسه"), "{section}");
    let decide = [
        ("csrf", csrf.as_str()),
        ("other", candidate.as_str()),
        ("decision", "different"),
    ];
    let (status, _, headers) = site.post(&format!("{person}/matches"), &decide).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[LOCATION],
        format!("{person}?notice=decided#matches-title")
    );
    let (_, page, _) = site.get(&person).await;
    assert!(page.contains("تقرّر: ليس الشخص نفسه"), "{page}");
    assert!(page.contains(r#"name="decision" value="same""#), "{page}");
    // Without the form's token nothing is decided.
    let forged = [("other", candidate.as_str()), ("decision", "same")];
    let (status, _, _) = site.post(&format!("{person}/matches"), &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page, _) = site.get(&person).await;
    assert!(page.contains("تقرّر: ليس الشخص نفسه"), "{page}");
}
