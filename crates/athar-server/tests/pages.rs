//! The web pages over HTTP as a browser without JavaScript uses them: sign in with a form,
//! keep the cookies, search persons by name in another script, open a person's page,
//! switch language, sign out with the form's CSRF token — on a real server and store.

mod common;

use common::{DOCUMENTER, PASSWORD, a_demo_name, urlencode};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, LOCATION, SET_COOKIE};

struct Site {
    base: String,
    client: reqwest::Client,
    cookies: Vec<(String, String)>,
    _server: common::Server,
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
    let server = common::start_server().await;
    Site {
        base: server.base.clone(),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
        cookies: Vec::new(),
        _server: server,
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
        csp.contains("default-src 'none'") && csp.contains("style-src 'self'"),
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
    // Going back after sign-in is only ever to this server.
    let (_, page, _) = site.get("/sign-in?next=//evil.example/x").await;
    assert!(page.contains(r#"name="next" value="/persons""#), "{page}");
}
