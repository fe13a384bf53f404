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

use athar_app::intake::Submitted;
use athar_crypto::auth::token_hash;
use athar_crypto::constant_time_eq;
use athar_model::access::Action;
use athar_model::intake::{CaseDraft, EventDraft};
use athar_model::review::ReviewStep;
use athar_model::vocab::Lang;
use athar_model::{MatchDecision, Status};
use athar_model::{RecordBody, RecordId, RecordKind};
use athar_stats::counts::{Filter as StatsFilter, PersonFilter};
use athar_store::SearchCursor;
use athar_store::StoredRecord;
use athar_web::i18n::Digits;
use athar_web::intake::{self, IntakeState, Intent};
use athar_web::pages::{
    self, Chrome, ListFilters, Listed, PairedRecord, PersonExtras, ReviewActions, Step,
};

mod family_search;

use crate::AppState;
use crate::auth::{self, Caller, SESSION_COOKIE, SignInRequest, Via};
use crate::problem::Problem;
use crate::records::{blocking, in_scope};

/// The cookie keeping the reader's language (`ar` or `en`); Arabic when absent.
const LANG_COOKIE: &str = "athar_lang";
/// The cookie keeping how the reader has numbers written (`arab` for Arabic-Indic digits);
/// Western digits when absent.
const DIGITS_COOKIE: &str = "athar_digits";
/// The cookie holding the session's CSRF token for the page forms (the session keeps only
/// its hash). HttpOnly: the pages put it in their forms on the server.
const CSRF_COOKIE: &str = "athar_csrf";
/// Persons on one page of the list.
const PAGE_SIZE: usize = 50;

/// Pages may use their own style sheet (inline, named by its hash) and scripts, post forms
/// and save drafts to the server, and nothing else: no other inline script or style,
/// nothing from elsewhere.
fn page_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(athar_web::STYLE.as_bytes()));
        format!(
            "default-src 'none'; style-src 'self' 'sha256-{hash}'; script-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        )
    })
}

/// The pages' routes, with their own security headers.
pub fn router(state: AppState) -> Router {
    let headers: [(HeaderName, &'static str); 5] = [
        (header::CONTENT_SECURITY_POLICY, page_policy()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut router = Router::new()
        .route("/", get(home))
        .route("/sign-in", get(sign_in_form).post(sign_in))
        .route("/sign-out", post(sign_out))
        .route("/lang/{code}", get(set_lang))
        .route("/digits/{code}", get(set_digits))
        .route("/persons", get(persons))
        .route("/persons/{id}", get(person))
        .route("/cases/new", get(new_case))
        .route("/drafts", get(drafts))
        .route("/drafts/{id}", get(draft_form).post(draft_post))
        .route("/drafts/{id}/autosave", post(draft_autosave))
        .route("/session/form-token", get(form_token))
        .route("/review", get(review_queue))
        .route(
            "/persons/{id}/evidence",
            post(evidence_upload).layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/evidence/{id}", get(evidence_page))
        .route("/persons/{id}/edit", get(edit_form).post(edit_save))
        .route("/tracing/new", get(report_form).post(report_file))
        .route("/tracing/{id}", get(family_search::page))
        .route("/tracing/{id}/decide", post(family_search::decide))
        .route("/tracing/{id}/steps", post(family_search::add_step))
        .route("/tracing/{id}/outcome", post(family_search::record_outcome))
        .route("/tracing/{id}/letter", get(family_search::letter))
        .route("/persons/{id}/review", post(review_step))
        .route("/persons/{id}/matches", post(decide_match))
        .with_state(state);
    for (name, value) in headers {
        router = router.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    router
        .route(athar_web::STYLE_PATH, get(style))
        .route(
            athar_web::INTAKE_SCRIPT_PATH,
            get(|| script(athar_web::INTAKE_SCRIPT)),
        )
        .route(
            athar_web::UPLOAD_SCRIPT_PATH,
            get(|| script(athar_web::UPLOAD_SCRIPT)),
        )
}

/// The address the run command prints: the sign-in form straight away for a reader not
/// signed in (one request, not two redirects, on a slow connection), the persons otherwise.
async fn home(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::authenticate(&state, &headers).await {
        Ok(c) if matches!(c.via, Via::Session { .. }) => Redirect::to("/persons").into_response(),
        _ => {
            let chrome = Chrome {
                here: "/".into(),
                ..Chrome::default()
            };
            html(
                StatusCode::OK,
                pages::sign_in(lang_of(&headers), &chrome, "/persons", "", None, None),
            )
        }
    }
}

/// One of the pages' own scripts.
async fn script(body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
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

/// How the reader has numbers written: the cookie's, else Western digits.
fn digits_of(headers: &HeaderMap) -> Digits {
    match auth::cookie_value(headers, DIGITS_COOKIE).as_deref() {
        Some("arab") => Digits::ArabicIndic,
        _ => Digits::Western,
    }
}

async fn set_digits(Path(code): Path<String>, Query(q): Query<Next>) -> Response {
    let digits = if code == "arab" { "arab" } else { "latn" };
    let mut response = Redirect::to(&local(q.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{DIGITS_COOKIE}={digits}; Path=/; SameSite=Lax; Max-Age=31536000"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
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
        can_write: caller.may(Action::WriteRecords),
        can_verify: caller.may(Action::VerifyRecords),
        digits: digits_of(headers),
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
        return csrf_refused();
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

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PersonsQuery {
    name: Option<String>,
    after: Option<String>,
    status: String,
    kind: String,
    governorate: String,
    unit: String,
    host: String,
    from: String,
    to: String,
    verification: String,
    cases: String,
}

/// Name matches read before the filters are applied to a name search.
const FILTERED_NAME_WINDOW: usize = 5000;

/// The filters as typed, and what they select (or the fields that could not be read).
fn read_filters(
    q: &PersonsQuery,
    vocab: &athar_model::Vocabularies,
) -> (ListFilters, Option<PersonFilter>) {
    let mut typed = ListFilters {
        status: q.status.trim().to_string(),
        kind: q.kind.trim().to_string(),
        governorate: q.governorate.trim().to_string(),
        unit: q.unit.trim().to_string(),
        host: q.host.trim().to_string(),
        from: q.from.trim().to_string(),
        to: q.to.trim().to_string(),
        verification: q.verification.trim().to_string(),
        cases: q.cases.trim().to_string(),
        invalid: Vec::new(),
    };
    let some = |v: &str| (!v.is_empty()).then(|| v.to_string());
    let status = some(&typed.status).map(|s| Status::from_code(&s).ok_or(()));
    if matches!(status, Some(Err(()))) {
        typed.invalid.push("status");
    }
    for (field, value, known) in [
        (
            "kind",
            &typed.kind,
            vocab.event_kinds.get(&typed.kind).is_some(),
        ),
        ("unit", &typed.unit, vocab.units.get(&typed.unit).is_some()),
        (
            "host",
            &typed.host,
            vocab.host_countries.get(&typed.host).is_some(),
        ),
        (
            "governorate",
            &typed.governorate,
            vocab.gazetteer.get(&typed.governorate).is_some(),
        ),
    ] {
        if !value.is_empty() && !known {
            typed.invalid.push(field);
        }
    }
    if !matches!(typed.cases.as_str(), "" | "verified") {
        typed.invalid.push("cases");
    }
    let events = match StatsFilter::parse(
        some(&typed.from).as_deref(),
        some(&typed.to).as_deref(),
        some(&typed.verification).as_deref(),
        some(&typed.governorate).as_deref(),
    ) {
        Ok(f) => Some(f),
        Err(errors) => {
            typed.invalid.extend(errors.iter().map(|e| e.field));
            None
        }
    };
    if !typed.invalid.is_empty() {
        return (typed, None);
    }
    let filter = PersonFilter {
        status: status.and_then(Result::ok),
        events: StatsFilter {
            verified_cases_only: typed.cases == "verified",
            ..events.unwrap_or_default()
        },
        kind: some(&typed.kind),
        unit: some(&typed.unit),
        host_country: some(&typed.host),
    };
    (typed, Some(filter))
}

async fn persons(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PersonsQuery>,
) -> Response {
    let query = q.name.clone().unwrap_or_default();
    let provisional = ListFilters {
        status: q.status.clone(),
        kind: q.kind.clone(),
        governorate: q.governorate.clone(),
        unit: q.unit.clone(),
        host: q.host.clone(),
        from: q.from.clone(),
        to: q.to.clone(),
        verification: q.verification.clone(),
        cases: q.cases.clone(),
        invalid: Vec::new(),
    };
    let mut params = Vec::new();
    if !query.is_empty() {
        params.push(format!("name={}", utf8_percent(&query)));
    }
    if provisional.any() {
        params.push(provisional.query());
    }
    let here = if params.is_empty() {
        "/persons".to_string()
    } else {
        format!("/persons?{}", params.join("&"))
    };
    let reader = match reader(&state, &headers, here.clone(), Action::ReadRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let lang = reader.lang;
    let vocab = match in_scope(&state, reader.caller.clone(), |scope| scope.vocabularies()).await {
        Ok(v) => v,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let (typed, filter) = read_filters(&q, &vocab);
    let sep = if here.contains('?') { '&' } else { '?' };
    let render = |total: u64,
                  records: &[(StoredRecord, Option<&'static str>, Status)],
                  next: Option<String>,
                  first: Option<String>| {
        let listed: Vec<Listed<'_>> = records
            .iter()
            .filter_map(|(r, closeness, status)| match &r.body {
                RecordBody::Person(p) => Some(Listed {
                    id: r.id.to_string(),
                    person: p,
                    closeness: *closeness,
                    status: *status,
                }),
                _ => None,
            })
            .collect();
        html(
            StatusCode::OK,
            pages::persons(
                lang,
                &reader.chrome,
                &query,
                &typed,
                &vocab,
                total,
                &listed,
                next,
                first,
            ),
        )
    };
    let Some(filter) = filter else {
        // A filter that cannot be read selects nothing: the form says which.
        return render(0, &[], None, None);
    };

    // The whole list, or the persons the filters select, in id order.
    if query.trim().is_empty() {
        let after = q.after.as_deref().and_then(|a| a.parse::<RecordId>().ok());
        let filtering = filter.is_active();
        let read = in_scope(&state, reader.caller.clone(), move |scope| {
            let (page, total, more) = if filtering {
                let found = scope.persons_where(&filter, after, PAGE_SIZE)?;
                let more = found.next.is_some();
                (found.persons, found.total, more)
            } else {
                let page = scope.list(RecordKind::Person, after, PAGE_SIZE)?;
                let more = page.len() == PAGE_SIZE;
                (page, scope.count(RecordKind::Person)?, more)
            };
            let ids: Vec<RecordId> = page.iter().map(|r| r.id).collect();
            scope.record_view(RecordKind::Person, &ids)?;
            let statuses = scope.statuses_of(&ids)?;
            Ok((page, total, more, statuses))
        })
        .await;
        let (page, total, more, statuses) = match read {
            Ok(r) => r,
            Err(p) => return error_page(lang, &reader.chrome, &p),
        };
        let next = more
            .then(|| page.last().map(|r| format!("{here}{sep}after={}", r.id)))
            .flatten();
        let first = after.map(|_| here.clone());
        let records: Vec<(StoredRecord, Option<&'static str>, Status)> = page
            .into_iter()
            .zip(statuses)
            .map(|(r, status)| (r, None, status))
            .collect();
        return render(total, &records, next, first);
    }

    // A name search, closest first; with filters, the first matches by name filtered.
    let after = q
        .after
        .as_deref()
        .and_then(|a| a.parse::<SearchCursor>().ok());
    let name = query.clone();
    let found = in_scope(&state, reader.caller.clone(), move |scope| {
        if !filter.is_active() {
            let found = scope.find_persons(&name, after, PAGE_SIZE)?;
            let items: Vec<_> = found
                .items
                .into_iter()
                .map(|m| (m.record, Some(m.closeness.code()), Some(m.cursor)))
                .collect();
            return Ok((items, found.total, found.next));
        }
        let selected = scope.person_ids_where(&filter)?;
        let found = scope.find_persons(&name, after, FILTERED_NAME_WINDOW)?;
        // Beyond the window the next page starts where the window ended.
        let window_next = found.next;
        let mut kept = Vec::new();
        let mut total = 0u64;
        for m in found.items {
            if selected.binary_search(&m.record.id).is_ok() {
                total += 1;
                if kept.len() < PAGE_SIZE + 1 {
                    kept.push((m.record, Some(m.closeness.code()), Some(m.cursor)));
                }
            }
        }
        let next = if kept.len() > PAGE_SIZE {
            kept.truncate(PAGE_SIZE);
            kept.last().and_then(|(_, _, c)| *c)
        } else {
            window_next
        };
        Ok((kept, total, next))
    })
    .await;
    let (items, total, next) = match found {
        Ok(f) => f,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let ids: Vec<RecordId> = items.iter().map(|(r, _, _)| r.id).collect();
    let viewed = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.record_view(RecordKind::Person, &ids)?;
        scope.statuses_of(&ids)
    })
    .await;
    let statuses = match viewed {
        Ok(s) => s,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let next = next.map(|c| format!("{here}&after={}", utf8_percent(&c.to_string())));
    let first = after.map(|_| here.clone());
    let records: Vec<(StoredRecord, Option<&'static str>, Status)> = items
        .into_iter()
        .zip(statuses)
        .map(|((r, c, _), status)| (r, c, status))
        .collect();
    render(total, &records, next, first)
}

/// A step the rules refused, said in the reader's words (the first field's problem, else
/// the refusal's title), with the way back.
fn refused(reader: &Reader, problem: &Problem, back: &str) -> Response {
    let message = match (problem.errors.first(), reader.lang) {
        (Some(e), Lang::Ar) => e.message_ar.clone(),
        (Some(e), Lang::En) => e.message.clone(),
        (None, Lang::Ar) => problem.title_ar.clone(),
        (None, Lang::En) => problem.title.clone(),
    };
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    html(
        status,
        pages::refusal(reader.lang, &reader.chrome, &message, back),
    )
}

/// The signed-in reader allowed `action`, and the record id the path names (or the page to
/// show instead: sign in, refused, not found).
async fn reader_of_record(
    state: &AppState,
    headers: &HeaderMap,
    here: String,
    action: Action,
    id: &str,
) -> Result<(Reader, RecordId), Response> {
    let reader = reader(state, headers, here, action).await?;
    match id.parse::<RecordId>() {
        Ok(id) => Ok((reader, id)),
        Err(_) => Err(error_page(
            reader.lang,
            &reader.chrome,
            &Problem::not_found(),
        )),
    }
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

#[derive(Debug, Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

/// The message key of a notice named in a page's address (after a redirect), if it is one.
fn notice_key(notice: Option<&str>) -> Option<&'static str> {
    match notice? {
        "saved" => Some("intake-saved"),
        "event-added" => Some("intake-event-added"),
        "event-removed" => Some("intake-event-removed"),
        "case-written" => Some("case-written"),
        "discarded" => Some("draft-discarded"),
        "submitted" => Some("review-step-submitted"),
        "verified" => Some("review-step-verified"),
        "returned" => Some("review-step-returned"),
        "evidence" => Some("evidence-uploaded"),
        "edited" => Some("edit-saved"),
        "reported" => Some("report-filed"),
        "decided" => Some("tracing-decided"),
        "step" => Some("tracing-step-saved"),
        "outcome" => Some("tracing-outcome-saved"),
        _ => None,
    }
}

async fn person(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let here = format!("/persons/{}", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::ReadRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    let lang = reader.lang;
    let read = in_scope(&state, reader.caller.clone(), move |scope| {
        let journey = scope.journey(id)?;
        scope.record_view(RecordKind::Person, &[id])?;
        let vocab = scope.vocabularies()?;
        // The sources the person's record and journey cite, each once, in citation order.
        let mut cited: Vec<RecordId> = Vec::new();
        let person_sources = match &journey.person.body {
            RecordBody::Person(p) => p.sources.clone(),
            _ => Vec::new(),
        };
        for c in person_sources
            .iter()
            .chain(journey.steps.iter().flat_map(|s| s.details.sources.iter()))
        {
            if !cited.contains(&c.source) {
                cited.push(c.source);
            }
        }
        let mut sources = Vec::new();
        for source in cited {
            if let Some(athar_store::StoredRecord {
                body: RecordBody::Source(s),
                ..
            }) = scope.read_if_visible(RecordKind::Source, source)?
            {
                sources.push(s);
            }
        }
        let shares = scope.shares_of(RecordKind::Person, id).ok();
        let history = scope.history(RecordKind::Person, id)?;
        let evidence = scope.evidence_about(id, RecordKind::Person)?;
        let paired = scope.paired_records(id)?;
        Ok((journey, vocab, sources, shares, history, evidence, paired))
    })
    .await;
    let (journey, vocab, sources, shares, history, evidence, paired) = match read {
        Ok(r) => r,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let owned = shares.is_some();
    let RecordBody::Person(p) = &journey.person.body else {
        return error_page(lang, &reader.chrome, &Problem::not_found());
    };
    let (status, why) = journey.status_why(&vocab);
    let status_why = match why {
        athar_app::journey::StatusWhy::Events(because) => pages::StatusWhy {
            code: because.code(),
            step: because.step(),
            stated: None,
        },
        athar_app::journey::StatusWhy::Stated { date } => pages::StatusWhy {
            code: "stated",
            step: None,
            stated: Some(date),
        },
    };
    let status_label = status.label(lang);
    let steps: Vec<Step<'_>> = journey
        .steps
        .iter()
        .map(|step| step_of(&vocab, lang, &step.details))
        .collect();
    html(
        StatusCode::OK,
        pages::person(
            lang,
            &reader.chrome,
            &journey.person.id.to_string(),
            p,
            status_label,
            &steps,
            PersonExtras {
                linkage_run: paired.linkage_run,
                matches: paired
                    .pairs
                    .iter()
                    .map(|(pair, other)| PairedRecord {
                        id: other.id.to_string(),
                        name: match &other.body {
                            RecordBody::Person(o) => o.display_name(lang),
                            _ => String::new(),
                        },
                        probability: (!pair.probability.is_nan()).then_some(pair.probability),
                        together: pair.together,
                        decision: pair.decision.map(|(_, d)| d),
                    })
                    .collect(),
                tracing: p.tracing.is_some()
                    || journey.steps.iter().any(|s| {
                        matches!(
                            vocab.category_of(&s.details.kind),
                            Some("missing" | "search")
                        )
                    }),
                status_why: Some(status_why),
                evidence: evidence
                    .iter()
                    .map(|e| evidence_view(lang, reader.chrome.digits, e))
                    .collect(),
                can_write: owned && reader.caller.may(Action::WriteRecords),
                rev: journey.person.rev,
                review_actions: review_actions(&reader.caller, p, owned),
                sources: sources
                    .iter()
                    .map(|s| (s, vocab.source_kinds.label_of(&s.kind, lang)))
                    .collect(),
                shares: shares.map(|list| {
                    list.iter()
                        .map(|share| {
                            let org = if share.org == 0 {
                                match lang {
                                    Lang::Ar => "التحالف".to_string(),
                                    Lang::En => "The coalition".to_string(),
                                }
                            } else {
                                state
                                    .app
                                    .organisation(athar_model::OrgId::new(share.org))
                                    .map_or_else(|| share.org.to_string(), |o| o.name)
                            };
                            (org, share.mode.name())
                        })
                        .collect()
                }),
                revisions: history
                    .iter()
                    .map(|r| {
                        let op = match r.op {
                            athar_store::Operation::Create => "create",
                            athar_store::Operation::Update => "update",
                            athar_store::Operation::Delete => "delete",
                            athar_store::Operation::Shred => "shred",
                        };
                        let body = serde_json::to_value(&r.body)
                            .ok()
                            .and_then(|v| v.get("body").cloned())
                            .unwrap_or_default();
                        (r.rev, op, r.at, r.author.clone(), body)
                    })
                    .collect(),
                notice: notice_key(q.notice.as_deref()),
            },
        ),
    )
}

/// An event as a line of a journey: when, what, where, and by whom (the unit, else the
/// party).
fn step_of<'a>(
    vocab: &athar_model::Vocabularies,
    lang: Lang,
    e: &'a athar_model::Event,
) -> Step<'a> {
    let labels = crate::records::event_labels(e, vocab, lang);
    let label = |field: &str| {
        labels
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, l)| l.clone())
    };
    Step {
        date: &e.start,
        kind: vocab.event_kinds.label_of(&e.kind, lang),
        place: label("place").unwrap_or_default(),
        by: label("unit").or_else(|| label("party")).unwrap_or_default(),
    }
}

// ---- Case intake: the form, its drafts, and submitting a case ----

async fn new_case(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let reader = match reader(&state, &headers, "/cases/new".into(), Action::WriteRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    // Nothing is stored until the first save: opening the form writes nothing.
    let draft = CaseDraft {
        events: vec![EventDraft::default()],
        ..CaseDraft::default()
    };
    let id = RecordId::new();
    intake_page(
        &state,
        &reader,
        StatusCode::OK,
        id,
        0,
        &draft,
        IntakeState::default(),
    )
    .await
}

/// Renders the intake form for draft `id` at revision `rev`.
async fn intake_page(
    state: &AppState,
    reader: &Reader,
    status: StatusCode,
    id: RecordId,
    rev: u32,
    draft: &CaseDraft,
    view: IntakeState<'_>,
) -> Response {
    let vocab = match in_scope(state, reader.caller.clone(), |scope| scope.vocabularies()).await {
        Ok(v) => v,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    let mut chrome = reader.chrome.clone();
    chrome.here = format!("/drafts/{id}");
    html(
        status,
        intake::page(
            reader.lang,
            &chrome,
            &id.to_string(),
            rev,
            draft,
            &vocab,
            view,
        ),
    )
}

async fn drafts(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let reader = match reader(&state, &headers, "/drafts".into(), Action::WriteRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let listed = in_scope(&state, reader.caller.clone(), |scope| {
        scope
            .drafts()?
            .into_iter()
            .map(|info| {
                let (_, draft) = scope.case_draft(info.id)?;
                Ok((info.id.to_string(), draft, info.updated))
            })
            .collect::<Result<Vec<_>, _>>()
    })
    .await;
    match listed {
        Ok(rows) => html(
            StatusCode::OK,
            intake::drafts_page(
                reader.lang,
                &reader.chrome,
                &rows,
                notice_key(q.notice.as_deref()),
            ),
        ),
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}

async fn draft_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let here = format!("/drafts/{}", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::WriteRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    match in_scope(&state, reader.caller.clone(), move |scope| {
        scope.case_draft(id)
    })
    .await
    {
        Ok((info, draft)) => {
            let view = IntakeState {
                notice: notice_key(q.notice.as_deref()),
                ..IntakeState::default()
            };
            intake_page(&state, &reader, StatusCode::OK, id, info.rev, &draft, view).await
        }
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}

/// What happened to a draft saved from the form.
enum Saved {
    Kept(athar_store::DraftInfo),
    /// Another window saved it since: the draft as saved there, at its revision.
    Conflict(athar_store::DraftInfo, Box<CaseDraft>),
    /// It is gone (submitted or deleted elsewhere).
    Gone,
}

async fn save_posted(
    state: &AppState,
    caller: &Caller,
    id: RecordId,
    posted: &intake::Posted,
) -> Result<Saved, Problem> {
    let rev = posted.rev.filter(|r| *r > 0);
    let draft = posted.draft.clone();
    let saved = in_scope(state, caller.clone(), move |scope| {
        match scope.save_case_draft(id, rev, &draft) {
            Ok(info) => Ok(Saved::Kept(info)),
            // Saved since this form was made (from another window, or a second press of
            // a form never saved before).
            Err(
                athar_store::StoreError::DraftConflict { .. }
                | athar_store::StoreError::Exists { .. },
            ) => match scope.case_draft(id) {
                Ok((info, saved)) => Ok(Saved::Conflict(info, Box::new(saved))),
                Err(athar_store::StoreError::NoDraft { .. }) => Ok(Saved::Gone),
                Err(e) => Err(e),
            },
            Err(athar_store::StoreError::NoDraft { .. }) => Ok(Saved::Gone),
            Err(e) => Err(e),
        }
    })
    .await?;
    Ok(saved)
}

async fn draft_post(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let lang = lang_of(&headers);
    let mut posted = intake::read_form(&pairs);
    let Ok(id) = id.parse::<RecordId>() else {
        return html(
            StatusCode::NOT_FOUND,
            pages::message(
                lang,
                &Chrome::default(),
                "not-found-title",
                "not-found-text",
            ),
        );
    };
    let here = format!("/drafts/{id}");
    let reader = match reader(&state, &headers, here, Action::WriteRecords).await {
        Ok(r) => r,
        Err(_) => {
            // The session ended: what was typed comes back in the form, and saving it waits
            // for the author to sign in again (in another tab) and press Save.
            let vocab = athar_model::Vocabularies::embedded();
            let chrome = Chrome {
                here: format!("/drafts/{id}"),
                ..Chrome::default()
            };
            return html(
                StatusCode::UNAUTHORIZED,
                intake::page(
                    lang,
                    &chrome,
                    &id.to_string(),
                    posted.rev.unwrap_or(0),
                    &posted.draft,
                    vocab,
                    IntakeState {
                        notice: Some("intake-state-signed-out"),
                        ..IntakeState::default()
                    },
                ),
            );
        }
    };
    if !csrf_ok(&reader.caller, &posted.csrf) {
        // A form from before the last sign-in: nothing is saved, but what it carried comes
        // back, with this session's token, to be saved with one more press.
        let view = IntakeState {
            notice: Some("intake-stale-form"),
            ..IntakeState::default()
        };
        let rev = posted.rev.unwrap_or(0);
        return intake_page(
            &state,
            &reader,
            StatusCode::FORBIDDEN,
            id,
            rev,
            &posted.draft,
            view,
        )
        .await;
    }
    let intent = posted.intent.clone().unwrap_or(Intent::Save);
    if intent == Intent::Discard {
        if posted.rev.unwrap_or(0) > 0 {
            let discarded = in_scope(&state, reader.caller.clone(), move |scope| {
                scope.discard_draft(id)
            })
            .await;
            match discarded {
                Ok(()) | Err(Problem { status: 404, .. }) => {}
                Err(p) => return error_page(reader.lang, &reader.chrome, &p),
            }
        }
        return Redirect::to("/drafts?notice=discarded").into_response();
    }
    match intent {
        Intent::AddEvent if posted.draft.events.len() < athar_model::intake::MAX_EVENTS => {
            posted.draft.events.push(EventDraft::default());
        }
        Intent::RemoveEvent(i) if i < posted.draft.events.len() => {
            posted.draft.events.remove(i);
        }
        _ => {}
    }
    let info = match save_posted(&state, &reader.caller, id, &posted).await {
        Ok(Saved::Kept(info)) => info,
        Ok(Saved::Conflict(info, saved)) => {
            let view = IntakeState {
                saved_elsewhere: Some(&saved),
                ..IntakeState::default()
            };
            return intake_page(
                &state,
                &reader,
                StatusCode::CONFLICT,
                id,
                info.rev,
                &posted.draft,
                view,
            )
            .await;
        }
        Ok(Saved::Gone) => {
            // Submitted already (a second press, another window): the case it became.
            let written = in_scope(&state, reader.caller.clone(), move |scope| {
                Ok(scope.read_if_visible(RecordKind::Person, id)?.is_some())
            })
            .await;
            if matches!(written, Ok(true)) {
                return Redirect::to(&format!("/persons/{id}?notice=case-written")).into_response();
            }
            // Deleted in another window: what was typed here becomes a new draft, so it is
            // not lost either.
            let fresh = RecordId::new();
            let view = IntakeState {
                notice: Some("intake-gone"),
                ..IntakeState::default()
            };
            return intake_page(
                &state,
                &reader,
                StatusCode::CONFLICT,
                fresh,
                0,
                &posted.draft,
                view,
            )
            .await;
        }
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    match intent {
        Intent::Submit => {
            let submitted = in_scope(&state, reader.caller.clone(), move |scope| {
                scope.submit_case_draft(id)
            })
            .await;
            match submitted {
                Ok(Submitted::Written(built)) => {
                    Redirect::to(&format!("/persons/{}?notice=case-written", built.person))
                        .into_response()
                }
                Ok(Submitted::Refused(problems)) => {
                    let view = IntakeState {
                        problems: &problems,
                        ..IntakeState::default()
                    };
                    intake_page(
                        &state,
                        &reader,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        id,
                        info.rev,
                        &posted.draft,
                        view,
                    )
                    .await
                }
                Err(p) => error_page(reader.lang, &reader.chrome, &p),
            }
        }
        Intent::AddEvent => {
            let last = posted.draft.events.len().saturating_sub(1);
            Redirect::to(&format!(
                "/drafts/{id}?notice=event-added#{}",
                intake::field_id(&format!("events[{last}].kind"))
            ))
            .into_response()
        }
        Intent::RemoveEvent(_) => {
            Redirect::to(&format!("/drafts/{id}?notice=event-removed")).into_response()
        }
        _ => Redirect::to(&format!("/drafts/{id}?notice=saved")).into_response(),
    }
}

/// The form's own saving, every few seconds: JSON answers for its script.
async fn draft_autosave(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = id.parse::<RecordId>() else {
        return Problem::not_found().into_response();
    };
    let caller = match auth::authenticate(&state, &headers).await {
        Ok(c) if matches!(c.via, Via::Session { .. }) => c,
        _ => {
            return Problem::new(
                StatusCode::UNAUTHORIZED,
                "signed-out",
                "Your session ended; sign in again",
                "انتهت جلستك؛ سجّل الدخول من جديد",
            )
            .into_response();
        }
    };
    if !caller.may(Action::WriteRecords) {
        return Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your account may not record cases",
            "لا يسمح حسابك بتسجيل الحالات",
        )
        .into_response();
    }
    let posted = intake::read_form(&pairs);
    if !csrf_ok(&caller, &posted.csrf) {
        return csrf_refused();
    }
    match save_posted(&state, &caller, id, &posted).await {
        Ok(Saved::Kept(info)) => axum::Json(serde_json::json!({
            "rev": info.rev,
            "updated": info.updated,
        }))
        .into_response(),
        Ok(Saved::Conflict(..)) => Problem::from(athar_store::StoreError::DraftConflict {
            id,
            expected: posted.rev.unwrap_or(0),
            actual: 0,
        })
        .into_response(),
        Ok(Saved::Gone) => Problem::from(athar_store::StoreError::NoDraft { id }).into_response(),
        Err(p) => p.into_response(),
    }
}

/// The session's form token, for the intake script to carry on saving after its author
/// signed in again in another tab (same-origin only: other sites cannot read it).
async fn form_token(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match auth::authenticate(&state, &headers).await {
        Ok(c) if matches!(c.via, Via::Session { .. }) => {
            let token = auth::cookie_value(&headers, CSRF_COOKIE).unwrap_or_default();
            if csrf_ok(&c, &token) {
                axum::Json(serde_json::json!({ "csrf": token })).into_response()
            } else {
                Problem::new(
                    StatusCode::UNAUTHORIZED,
                    "signed-out",
                    "Sign in again",
                    "سجّل الدخول من جديد",
                )
                .into_response()
            }
        }
        _ => Problem::new(
            StatusCode::UNAUTHORIZED,
            "signed-out",
            "Your session ended; sign in again",
            "انتهت جلستك؛ سجّل الدخول من جديد",
        )
        .into_response(),
    }
}

fn csrf_refused() -> Response {
    Problem::new(
        StatusCode::FORBIDDEN,
        "csrf",
        "The form's protection token is missing or wrong; reload the page",
        "رمز حماية النموذج مفقود أو خاطئ؛ أعد تحميل الصفحة",
    )
    .into_response()
}

// ---- The review of cases ----

/// What the reader may do about the review of a case their organisation owns.
fn review_actions(caller: &Caller, person: &athar_model::Person, owned: bool) -> ReviewActions {
    use athar_model::review::ReviewState;
    let me = caller.user.username.as_str();
    let state = person
        .review
        .as_ref()
        .map(|r| (r.state, r.submitted_by.as_str()));
    let waiting_by = match state {
        Some((ReviewState::Submitted, by)) => Some(by),
        _ => None,
    };
    ReviewActions {
        submit: owned
            && caller.may(Action::WriteRecords)
            && matches!(state, None | Some((ReviewState::Returned, _))),
        decide: owned && caller.may(Action::VerifyRecords) && waiting_by.is_some_and(|by| by != me),
        own_case: waiting_by == Some(me),
    }
}

#[derive(Debug, Deserialize)]
struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    rev: Option<u32>,
    step: String,
    #[serde(default)]
    comment: String,
}

#[derive(Deserialize)]
struct MatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    other: String,
    #[serde(default)]
    decision: String,
}

/// `POST /persons/{id}/matches`: a reviewer's decision that a paired record is the same
/// person or not (a linkage decision, as the API's), back to the person's page.
async fn decide_match(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<MatchForm>,
) -> Response {
    let posted = PostedDecision {
        csrf: &form.csrf,
        other: &form.other,
        decision: &form.decision,
        own_record_only: false,
    };
    let here = format!("/persons/{}", utf8_percent(&id));
    posted
        .decide(&state, &headers, here, &id, |id| {
            format!("/persons/{id}?notice=decided#matches-title")
        })
        .await
}

/// A linkage decision posted from a page: the record of the page and the one the form
/// names are the same person or not.
struct PostedDecision<'a> {
    csrf: &'a str,
    other: &'a str,
    decision: &'a str,
    /// The page's record must be the organisation's own (a family's report).
    own_record_only: bool,
}

impl PostedDecision<'_> {
    /// Checks the writer and the form's token, records the decision and answers with the
    /// way to `back`; a refusal is said on the page `here`.
    async fn decide(
        &self,
        state: &AppState,
        headers: &HeaderMap,
        here: String,
        id: &str,
        back: impl FnOnce(RecordId) -> String,
    ) -> Response {
        let (reader, id) =
            match reader_of_record(state, headers, here.clone(), Action::WriteRecords, id).await {
                Ok(r) => r,
                Err(to) => return to,
            };
        if !csrf_ok(&reader.caller, self.csrf) {
            return csrf_refused();
        }
        let decision = match self.decision {
            "same" => MatchDecision::Same,
            "different" => MatchDecision::Different,
            _ => return error_page(reader.lang, &reader.chrome, &Problem::not_found()),
        };
        let Ok(other) = self.other.parse::<RecordId>() else {
            return error_page(reader.lang, &reader.chrome, &Problem::not_found());
        };
        let own_record_only = self.own_record_only;
        let done = in_scope(state, reader.caller.clone(), move |scope| {
            if own_record_only {
                scope.read_owned(RecordKind::Person, id)?;
            }
            scope.decide_match((id, other), decision, None)
        })
        .await;
        match done {
            Ok(_) => Redirect::to(&back(id)).into_response(),
            Err(problem) => refused(&reader, &problem, &here),
        }
    }
}

async fn review_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReviewForm>,
) -> Response {
    let here = format!("/persons/{}", utf8_percent(&id));
    let (step, action, notice) = match form.step.as_str() {
        "submit" => (ReviewStep::Submit, Action::WriteRecords, "submitted"),
        "verify" => (ReviewStep::Verify, Action::VerifyRecords, "verified"),
        "return" => (
            ReviewStep::Return {
                comment: form.comment.clone(),
            },
            Action::VerifyRecords,
            "returned",
        ),
        _ => return Problem::not_found().into_response(),
    };
    let (reader, id) = match reader_of_record(&state, &headers, here.clone(), action, &id).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    if !csrf_ok(&reader.caller, &form.csrf) {
        return csrf_refused();
    }
    let rev = form.rev;
    let done = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.review_case(id, step, rev)
    })
    .await;
    match done {
        Ok(_) => Redirect::to(&format!("/persons/{id}?notice={notice}")).into_response(),
        // Refused (not one's to verify, no comment, changed meanwhile): said in words.
        Err(problem) => refused(&reader, &problem, &here),
    }
}

async fn review_queue(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let reader = match reader(&state, &headers, "/review".into(), Action::VerifyRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let waiting = in_scope(&state, reader.caller.clone(), |scope| {
        let waiting = scope.cases_to_verify()?;
        scope.record_view(
            RecordKind::Person,
            &waiting.iter().map(|r| r.id).collect::<Vec<_>>(),
        )?;
        Ok(waiting)
    })
    .await;
    let waiting = match waiting {
        Ok(w) => w,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    let rows: Vec<(String, &athar_model::Person, String)> = waiting
        .iter()
        .filter_map(|r| match &r.body {
            RecordBody::Person(p) => Some((
                r.id.to_string(),
                p,
                p.review
                    .as_ref()
                    .map(|rv| rv.submitted_by.clone())
                    .unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    html(
        StatusCode::OK,
        pages::review_queue(reader.lang, &reader.chrome, &rows),
    )
}

// ---- Evidence on the person page ----

fn evidence_view(
    lang: Lang,
    digits: Digits,
    e: &athar_store::evidence::EvidenceItem,
) -> pages::EvidenceView {
    pages::evidence_view(
        &athar_web::i18n::Tr::new(lang).with_digits(digits),
        &pages::EvidenceFacts {
            id: &e.id.to_string(),
            filename: e.filename.as_deref(),
            kind: e.kind.name(),
            description: e.description.as_deref(),
            size: e.size,
            sha256: &e.sha256,
            created: e.created_at,
            by: &e.created_by,
        },
    )
}

/// An evidence file uploaded from the person page: streamed into the vault as it arrives
/// (never held whole), about the person; the form's token must come before the file.
async fn evidence_upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let here = format!("/persons/{}", utf8_percent(&id));
    let reader = match reader(&state, &headers, here.clone(), Action::WriteRecords).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let Ok(person) = id.parse::<RecordId>() else {
        return error_page(reader.lang, &reader.chrome, &Problem::not_found());
    };
    let refuse = |message_key: &str| {
        let tr = reader.chrome.tr(reader.lang);
        html(
            StatusCode::BAD_REQUEST,
            pages::refusal(reader.lang, &reader.chrome, &tr.t(message_key), &here),
        )
    };
    let (mut csrf, mut kind, mut description) = (String::new(), String::new(), String::new());
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => return refuse("evidence-no-file"),
            Err(_) => return refuse("evidence-broken"),
        };
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.unwrap_or_default(),
            "kind" => kind = field.text().await.unwrap_or_default(),
            "description" => description = field.text().await.unwrap_or_default(),
            "file" => {
                if !csrf_ok(&reader.caller, &csrf) {
                    return csrf_refused();
                }
                let Some(kind) = athar_store::evidence::EvidenceKind::parse(if kind.is_empty() {
                    "original"
                } else {
                    &kind
                }) else {
                    return refuse("evidence-broken");
                };
                let filename = field
                    .file_name()
                    .map(str::to_string)
                    .filter(|n| !n.is_empty());
                if filename.is_none() {
                    return refuse("evidence-no-file");
                }
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_string();
                let item = athar_store::evidence::NewEvidence {
                    kind,
                    derived_from: None,
                    media_type,
                    filename,
                    description: Some(description.trim().to_string()).filter(|d| !d.is_empty()),
                    about: vec![person],
                };
                return stream_evidence(&state, &reader, person, item, field).await;
            }
            _ => {}
        }
    }
}

async fn stream_evidence(
    state: &AppState,
    reader: &Reader,
    person: RecordId,
    item: athar_store::evidence::NewEvidence,
    mut field: axum::extract::multipart::Field<'_>,
) -> Response {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<axum::body::Bytes, String>>(8);
    let app = state.app.clone();
    let limit = state.evidence_limit;
    let caller = reader.caller.clone();
    let ingest = tokio::task::spawn_blocking(move || {
        let mut input = crate::evidence::ChannelReader {
            rx,
            current: axum::body::Bytes::new(),
        };
        caller.scope(&app).ingest_evidence(item, &mut input, limit)
    });
    let mut broken = false;
    loop {
        match field.chunk().await {
            Ok(Some(data)) => {
                if tx.send(Ok(data)).await.is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                broken = true;
                let _ = tx.send(Err(e.to_string())).await;
                break;
            }
        }
    }
    drop(tx);
    let result = ingest.await;
    let tr = reader.chrome.tr(reader.lang);
    let back = format!("/persons/{person}");
    match result {
        Ok(Ok(_)) if !broken => {
            Redirect::to(&format!("/persons/{person}?notice=evidence#evidence")).into_response()
        }
        Ok(Err(e)) => refused(reader, &Problem::from(e), &back),
        _ => html(
            StatusCode::BAD_REQUEST,
            pages::refusal(reader.lang, &reader.chrome, &tr.t("evidence-broken"), &back),
        ),
    }
}

async fn evidence_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let here = format!("/evidence/{}", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::ReadRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    match in_scope(&state, reader.caller.clone(), move |scope| {
        scope.custody_of(id)
    })
    .await
    {
        Ok((item, custody)) => {
            let back = item.about.first().map(|p| format!("/persons/{p}"));
            let custody: Vec<(String, String, i64)> = custody
                .iter()
                .map(|e| (e.action.clone(), e.actor.clone(), e.at))
                .collect();
            html(
                StatusCode::OK,
                pages::evidence_item(
                    reader.lang,
                    &reader.chrome,
                    evidence_view(reader.lang, reader.chrome.digits, &item),
                    back,
                    &custody,
                ),
            )
        }
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}

// ---- Editing a person's details ----

/// The record (owned by the reader's organisation) and its details as the form shows them.
async fn person_to_edit(
    state: &AppState,
    reader: &Reader,
    id: RecordId,
) -> Result<(athar_store::StoredRecord, athar_model::Person), Problem> {
    let record = in_scope(state, reader.caller.clone(), move |scope| {
        scope.read_owned(RecordKind::Person, id)
    })
    .await?;
    match &record.body {
        RecordBody::Person(p) => {
            let person = p.clone();
            Ok((record, person))
        }
        _ => Err(Problem::not_found()),
    }
}

async fn edit_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let here = format!("/persons/{}/edit", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::WriteRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    let (record, person) = match person_to_edit(&state, &reader, id).await {
        Ok(r) => r,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    let vocab = athar_model::Vocabularies::embedded();
    html(
        StatusCode::OK,
        intake::edit_page(
            reader.lang,
            &reader.chrome,
            &id.to_string(),
            &person.display_name(reader.lang),
            record.rev,
            &athar_model::intake::PersonEdit::of(&person),
            vocab,
            &[],
            None,
        ),
    )
}

async fn edit_save(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let here = format!("/persons/{}/edit", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::WriteRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    let posted = intake::read_edit(&pairs);
    if !csrf_ok(&reader.caller, &posted.csrf) {
        return csrf_refused();
    }
    let (record, person) = match person_to_edit(&state, &reader, id).await {
        Ok(r) => r,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    let vocab = match in_scope(&state, reader.caller.clone(), |scope| scope.vocabularies()).await {
        Ok(v) => v,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    let title = person.display_name(reader.lang);
    let show = |status: StatusCode,
                rev: u32,
                problems: &[athar_model::FieldError],
                saved: Option<&athar_model::intake::PersonEdit>| {
        html(
            status,
            intake::edit_page(
                reader.lang,
                &reader.chrome,
                &id.to_string(),
                &title,
                rev,
                &posted.edit,
                &vocab,
                problems,
                saved,
            ),
        )
    };
    // Someone saved it since this form was made: nothing is written; the differences are
    // shown beside what was typed, and saving again (at the new revision) writes it.
    let started = posted.rev.unwrap_or(0);
    if started != record.rev {
        let saved = athar_model::intake::PersonEdit::of(&person);
        return show(StatusCode::CONFLICT, record.rev, &[], Some(&saved));
    }
    let changed = match posted.edit.apply(&person, &vocab) {
        Ok(p) => p,
        Err(problems) => {
            return show(
                StatusCode::UNPROCESSABLE_ENTITY,
                record.rev,
                &problems,
                None,
            );
        }
    };
    let written = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.update("update", id, Some(started), RecordBody::Person(changed))
    })
    .await;
    match written {
        Ok(_) => Redirect::to(&format!("/persons/{id}?notice=edited")).into_response(),
        Err(p) if p.status == 412 => {
            // Saved by someone else between the read and the write.
            match person_to_edit(&state, &reader, id).await {
                Ok((now, current)) => {
                    let saved = athar_model::intake::PersonEdit::of(&current);
                    show(StatusCode::CONFLICT, now.rev, &[], Some(&saved))
                }
                Err(p) => error_page(reader.lang, &reader.chrome, &p),
            }
        }
        Err(p) if p.status == 422 => show(
            StatusCode::UNPROCESSABLE_ENTITY,
            record.rev,
            &p.errors,
            None,
        ),
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}

// ---- Families' tracing: a missing-person report ----

async fn report_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let reader = match reader(
        &state,
        &headers,
        "/tracing/new".into(),
        Action::WriteRecords,
    )
    .await
    {
        Ok(r) => r,
        Err(to) => return to,
    };
    let vocab = match in_scope(&state, reader.caller.clone(), |scope| scope.vocabularies()).await {
        Ok(v) => v,
        Err(p) => return error_page(reader.lang, &reader.chrome, &p),
    };
    html(
        StatusCode::OK,
        intake::report_page(
            reader.lang,
            &reader.chrome,
            &athar_model::intake::MissingReport::default(),
            &vocab,
            &[],
        ),
    )
}

async fn report_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let reader = match reader(
        &state,
        &headers,
        "/tracing/new".into(),
        Action::WriteRecords,
    )
    .await
    {
        Ok(r) => r,
        Err(to) => return to,
    };
    let (report, csrf) = intake::read_report(&pairs);
    if !csrf_ok(&reader.caller, &csrf) {
        return csrf_refused();
    }
    let typed = report.clone();
    let filed = in_scope(&state, reader.caller.clone(), move |scope| {
        Ok((scope.file_missing_report(&typed)?, scope.vocabularies()?))
    })
    .await;
    match filed {
        Ok((Submitted::Written(built), _)) => {
            Redirect::to(&format!("/tracing/{}?notice=reported", built.person)).into_response()
        }
        Ok((Submitted::Refused(problems), vocab)) => html(
            StatusCode::UNPROCESSABLE_ENTITY,
            intake::report_page(reader.lang, &reader.chrome, &report, &vocab, &problems),
        ),
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}
