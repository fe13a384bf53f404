//! The web pages: one more thin adapter over the application layer, beside the JSON API.
//! Sign-in opens the same sessions as `POST /api/session` (the same throttle, lockout,
//! one-time code and refusal messages); every page reads through the signed-in account's
//! organisation scope, exactly as the API does; forms that change something carry the
//! session's CSRF token. Rendering is `athar-web`'s. Pages work without JavaScript and
//! load nothing from elsewhere: their Content-Security-Policy allows the server's own
//! style sheet and nothing else.

use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use athar_crypto::auth::token_hash;
use athar_crypto::constant_time_eq;
use athar_model::access::Action;
use athar_model::vocab::Lang;
use athar_model::{RecordBody, RecordId, RecordKind};
use athar_store::SearchCursor;
use athar_web::pages::{self, Chrome, Listed, Step};

use crate::AppState;
use crate::auth::{self, Caller, SESSION_COOKIE, SignInRequest, Via};
use crate::problem::Problem;
use crate::records::{blocking, in_scope};

/// The cookie keeping the reader's language (`ar` or `en`); Arabic when absent.
const LANG_COOKIE: &str = "athar_lang";
/// The cookie holding the session's CSRF token for the page forms (the session keeps only
/// its hash). HttpOnly: the pages put it in their forms on the server.
const CSRF_COOKIE: &str = "athar_csrf";
/// Persons on one page of the list.
const PAGE_SIZE: usize = 50;

/// Pages may use their own style sheet and post forms to the server, nothing else.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The pages' routes, with their own security headers.
pub fn router(state: AppState) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut router = Router::new()
        .route("/", get(|| async { Redirect::to("/persons") }))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/lang/{code}", get(set_lang))
        .route("/persons", get(persons))
        .route("/persons/{id}", get(person))
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router.route(athar_web::STYLE_PATH, get(style))
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        athar_web::STYLE,
    )
        .into_response()
}

/// The reader's language: the cookie's, else Arabic.
fn lang_of(headers: &HeaderMap) -> Lang {
    match auth::cookie_value(headers, LANG_COOKIE).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Ar,
    }
}

/// A path on this server to come back to (never another site).
fn local(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/persons".to_string(),
    }
}

fn html(status: StatusCode, body: askama::Result<String>) -> Response {
    match body {
        Ok(page) => (
            status,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            page,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page could not be rendered");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    }
}

/// A signed-in reader of the pages, with what the frame of every page shows.
struct Reader {
    caller: Caller,
    lang: Lang,
    chrome: Chrome,
}

/// The signed-in reader (a session, not an API token) allowed `action`, or where to go:
/// the sign-in page, coming back here afterwards.
async fn reader(
    state: &AppState,
    headers: &HeaderMap,
    here: String,
    action: Action,
) -> Result<Reader, Response> {
    let lang = lang_of(headers);
    let to_sign_in =
        || Redirect::to(&format!("/sign-in?next={}", utf8_percent(&here))).into_response();
    let caller = match auth::authenticate(state, headers).await {
        Ok(c) if matches!(c.via, Via::Session { .. }) => c,
        _ => return Err(to_sign_in()),
    };
    if !caller.may(action) {
        let chrome = Chrome {
            user: Some(caller.user.username.clone()),
            here,
            ..Chrome::default()
        };
        return Err(html(
            StatusCode::FORBIDDEN,
            pages::message(lang, &chrome, "not-found-title", "not-found-text"),
        ));
    }
    let demo = in_scope(state, caller.clone(), |scope| scope.holds_demo_data())
        .await
        .unwrap_or(false);
    let chrome = Chrome {
        user: Some(caller.user.username.clone()),
        csrf: auth::cookie_value(headers, CSRF_COOKIE).unwrap_or_default(),
        here,
        demo,
    };
    Ok(Reader {
        caller,
        lang,
        chrome,
    })
}

/// Percent-encoding for a query value (the path to come back to).
fn utf8_percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Whether a form's CSRF token is the session's.
fn csrf_ok(caller: &Caller, sent: &str) -> bool {
    match &caller.via {
        Via::Session { csrf, .. } => constant_time_eq(&token_hash(sent), csrf),
        Via::Token { .. } => false,
    }
}

#[derive(Debug, Deserialize)]
struct Next {
    next: Option<String>,
    notice: Option<String>,
}

async fn sign_in_form(headers: HeaderMap, Query(q): Query<Next>) -> Response {
    let lang = lang_of(&headers);
    let notice = match q.notice.as_deref() {
        Some("signed-out") => Some("signed-out"),
        Some("session-ended") => Some("session-ended"),
        _ => None,
    };
    let next = local(q.next.as_deref());
    let chrome = Chrome {
        here: format!("/sign-in?next={}", utf8_percent(&next)),
        ..Chrome::default()
    };
    html(
        StatusCode::OK,
        pages::sign_in(lang, &chrome, &next, "", None, notice),
    )
}

#[derive(Debug, Deserialize)]
struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

async fn sign_in(
    State(state): State<AppState>,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Response {
    let lang = lang_of(&headers);
    let next = local(form.next.as_deref());
    let ip = client.map(|c| c.0.0.ip());
    let old = auth::cookie_value(&headers, SESSION_COOKIE);
    let username = form.username.clone();
    let request = SignInRequest {
        username: form.username,
        password: form.password,
        code: form.code,
    };
    match auth::open_session(&state, ip, old, request).await {
        Ok(opened) => {
            let mut response = Redirect::to(&next).into_response();
            let cookies = [
                auth::session_cookie(&opened.session),
                format!(
                    "{CSRF_COOKIE}={}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                    opened.csrf,
                    auth::ABSOLUTE_TIMEOUT_MS / 1000
                ),
            ];
            for cookie in cookies {
                if let Ok(v) = HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            response
        }
        Err(problem) => {
            let message = match lang {
                Lang::Ar => problem.title_ar.clone(),
                Lang::En => problem.title.clone(),
            };
            let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::UNAUTHORIZED);
            let chrome = Chrome {
                here: format!("/sign-in?next={}", utf8_percent(&next)),
                ..Chrome::default()
            };
            html(
                status,
                pages::sign_in(lang, &chrome, &next, &username, Some(message), None),
            )
        }
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    let caller = match auth::authenticate(&state, &headers).await {
        Ok(c) => c,
        Err(_) => return Redirect::to("/sign-in?notice=session-ended").into_response(),
    };
    if !csrf_ok(&caller, &form.csrf) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "The form's protection token is missing or wrong; reload the page",
            "رمز حماية النموذج مفقود أو خاطئ؛ أعد تحميل الصفحة",
        )
        .into_response();
    }
    if let Via::Session { hash, .. } = caller.via {
        let app = state.app.clone();
        if let Err(p) = blocking(move || app.accounts().delete_session(&hash)).await {
            return p.into_response();
        }
    }
    let mut response = Redirect::to("/sign-in?notice=signed-out").into_response();
    for cookie in [
        "athar_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        "athar_csrf=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
    ] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_static(cookie));
    }
    response
}

async fn set_lang(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let lang = if code == "en" { "en" } else { "ar" };
    let mut response = Redirect::to(&local(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={lang}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

#[derive(Debug, Deserialize)]
struct PersonsQuery {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

async fn persons(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PersonsQuery>,
) -> Response {
    let query = q.name.unwrap_or_default();
    let mut here = "/persons".to_string();
    if !query.is_empty() {
        here = format!("/persons?name={}", utf8_percent(&query));
    }
    let reader = match reader(&state, &headers, here.clone(), Action::ReadRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let lang = reader.lang;
    if query.trim().is_empty() {
        let after = q.after.as_deref().and_then(|a| a.parse::<RecordId>().ok());
        let read = in_scope(&state, reader.caller.clone(), move |scope| {
            let page = scope.list(RecordKind::Person, after, PAGE_SIZE)?;
            scope.record_view(
                RecordKind::Person,
                &page.iter().map(|r| r.id).collect::<Vec<_>>(),
            )?;
            Ok((page, scope.count(RecordKind::Person)?))
        })
        .await;
        let (page, total) = match read {
            Ok(r) => r,
            Err(p) => return error_page(lang, &reader.chrome, &p),
        };
        let listed: Vec<Listed<'_>> = page
            .iter()
            .filter_map(|r| match &r.body {
                RecordBody::Person(p) => Some(Listed {
                    id: r.id.to_string(),
                    person: p,
                    closeness: None,
                }),
                _ => None,
            })
            .collect();
        let next = (page.len() == PAGE_SIZE)
            .then(|| page.last().map(|r| format!("/persons?after={}", r.id)))
            .flatten();
        let first = after.map(|_| "/persons".to_string());
        return html(
            StatusCode::OK,
            pages::persons(lang, &reader.chrome, "", total, &listed, next, first),
        );
    }
    let after = q
        .after
        .as_deref()
        .and_then(|a| a.parse::<SearchCursor>().ok());
    let name = query.clone();
    let found = in_scope(&state, reader.caller.clone(), move |scope| {
        let found = scope.find_persons(&name, after, PAGE_SIZE)?;
        scope.record_view(
            RecordKind::Person,
            &found.items.iter().map(|m| m.record.id).collect::<Vec<_>>(),
        )?;
        Ok(found)
    })
    .await;
    let found = match found {
        Ok(f) => f,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let listed: Vec<Listed<'_>> = found
        .items
        .iter()
        .filter_map(|m| match &m.record.body {
            RecordBody::Person(p) => Some(Listed {
                id: m.record.id.to_string(),
                person: p,
                closeness: Some(m.closeness.code()),
            }),
            _ => None,
        })
        .collect();
    let next = found
        .next
        .map(|c| format!("{here}&after={}", utf8_percent(&c.to_string())));
    let first = after.map(|_| here.clone());
    html(
        StatusCode::OK,
        pages::persons(
            lang,
            &reader.chrome,
            &query,
            found.total,
            &listed,
            next,
            first,
        ),
    )
}

fn error_page(lang: Lang, chrome: &Chrome, problem: &Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (title, text) = if status == StatusCode::NOT_FOUND {
        ("not-found-title", "not-found-text")
    } else {
        ("error-title", "error-text")
    };
    html(status, pages::message(lang, chrome, title, text))
}

async fn person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let here = format!("/persons/{}", utf8_percent(&id));
    let reader = match reader(&state, &headers, here, Action::ReadRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let lang = reader.lang;
    let Ok(id) = id.parse::<RecordId>() else {
        return error_page(lang, &reader.chrome, &Problem::not_found());
    };
    let read = in_scope(&state, reader.caller.clone(), move |scope| {
        let journey = scope.journey(id)?;
        scope.record_view(RecordKind::Person, &[id])?;
        Ok((journey, scope.vocabularies()?))
    })
    .await;
    let (journey, vocab) = match read {
        Ok(r) => r,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let RecordBody::Person(p) = &journey.person.body else {
        return error_page(lang, &reader.chrome, &Problem::not_found());
    };
    let status = journey.status(&vocab);
    let status_label = match lang {
        Lang::Ar => status.label_ar(),
        Lang::En => status.label_en(),
    };
    let steps: Vec<Step<'_>> = journey
        .steps
        .iter()
        .map(|step| {
            let e = &step.details;
            let kind = vocab.event_kinds.label_of(&e.kind, lang);
            let labels = crate::records::event_labels(e, &vocab, lang);
            let label = |field: &str| {
                labels
                    .iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, l)| l.clone())
            };
            let place = label("place").unwrap_or_default();
            let by = label("unit").or_else(|| label("party")).unwrap_or_default();
            Step {
                date: &e.start,
                kind,
                place,
                by,
            }
        })
        .collect();
    html(
        StatusCode::OK,
        pages::person(lang, &reader.chrome, p, status_label, &steps),
    )
}
