//! Signing in and out, sessions, API tokens, and the check every request passes.
//!
//! Every route declares the [`Access`] it needs in the endpoint table; [`authorize`] runs
//! after routing, finds that declaration by method and matched path, and refuses a route
//! that has none. Callers prove who they are with a session cookie (people, in the browser)
//! or a bearer token (scripts and the command line):
//!
//! - Sessions live on the server, keyed by the SHA-256 of the cookie's value. The cookie is
//!   `HttpOnly`, `Secure`, `SameSite=Strict`; a session ends after 30 idle minutes or 12
//!   hours in all; signing in always makes a new one (and ends the one presented), so a
//!   planted session id is worthless. Requests that change anything must also send the
//!   session's CSRF token in `X-CSRF-Token`.
//! - API tokens are stored hashed, expire, carry a scope (read or write) and never allow
//!   destroying data or managing accounts.
//! - Five wrong passwords or codes in a row lock an account for 15 minutes. A refused
//!   sign-in says nothing about which part was wrong or whether the account exists, and
//!   takes as long either way. Administrators need a one-time code (TOTP).
//!
//! Every sign-in, refused or not, goes into the audit chain (under the account's id, never
//! the name typed).

use athar_app::accounts::{TokenError, issue_token};
use athar_store::clock::now_ms;
use axum::Json;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use athar_crypto::auth::{
    TotpSecret, new_token, token_hash, verify_password, waste_password_check,
};
use athar_crypto::constant_time_eq;
use athar_model::RecordId;
use athar_model::access::{Action, Scope};
use athar_store::accounts::{SessionRow, SignIn, User};

use crate::AppState;
use crate::problem::{JsonBody, Problem};
use crate::records::blocking;

pub const SESSION_COOKIE: &str = "athar_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// A session ends after this long without a request.
pub const IDLE_TIMEOUT_MS: i64 = 30 * 60 * 1000;
/// … and this long after signing in, whatever happens.
pub const ABSOLUTE_TIMEOUT_MS: i64 = 12 * 60 * 60 * 1000;
/// Consecutive refused sign-ins that lock an account …
pub const MAX_FAILED_SIGN_INS: u32 = 5;
/// … for this long.
pub const LOCKOUT_MS: i64 = 15 * 60 * 1000;
/// Refused sign-ins from one address within [`THROTTLE_WINDOW_MS`] before it must wait …
pub const THROTTLE_ATTEMPTS: usize = 20;
/// … until the oldest of them is this old.
pub const THROTTLE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// Refused sign-ins per client address (in memory: a restart forgets them, the per-account
/// lockout in the store does not). Guards against guessing across many accounts.
#[derive(Debug, Default)]
pub struct Throttle {
    refused: std::sync::Mutex<
        std::collections::HashMap<std::net::IpAddr, std::collections::VecDeque<i64>>,
    >,
}

impl Throttle {
    fn recent(&self, ip: std::net::IpAddr, now: i64) -> usize {
        let mut map = self.refused.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(ip).or_default();
        while entry.front().is_some_and(|t| now - t > THROTTLE_WINDOW_MS) {
            entry.pop_front();
        }
        entry.len()
    }

    fn refuse(&self, ip: std::net::IpAddr, now: i64) {
        let mut map = self.refused.lock().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(ip).or_default();
        entry.push_back(now);
        if entry.len() > THROTTLE_ATTEMPTS * 2 {
            entry.pop_front();
        }
    }
}

/// A session's last-seen time is written at most this often.
const TOUCH_EVERY_MS: i64 = 60 * 1000;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (health, the API description, signing in).
    Public,
    /// A signed-in caller whose role (and token scope) permit the action.
    Needs(Action),
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Session { hash: [u8; 32], csrf: [u8; 32] },
    Token { id: RecordId, scope: Scope },
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub via: Via,
}

impl Caller {
    /// The name revisions and audit entries carry.
    pub fn author(&self) -> String {
        self.user.username.clone()
    }

    /// The caller's organisation (number).
    pub fn org(&self) -> i64 {
        self.user.organisation
    }

    /// The caller's organisation.
    pub fn org_id(&self) -> athar_app::OrgId {
        athar_app::OrgId::new(self.user.organisation)
    }

    /// Athar as the caller's organisation may use it, acting as the caller: the only way
    /// handlers read and write records.
    pub fn scope<'s>(&'s self, app: &'s athar_app::App) -> athar_app::Scope<'s> {
        app.scope(self.org_id(), &self.user.username)
    }

    pub fn may(&self, action: Action) -> bool {
        self.user.role.may(action)
            && match &self.via {
                Via::Session { .. } => true,
                Via::Token { scope, .. } => scope.covers(action),
            }
    }
}

pub fn unauthenticated() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Sign in first, or send an API token",
        "سجّل الدخول أولاً أو أرسل رمز وصول",
    )
}

pub fn forbidden() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "forbidden",
        "Your role does not permit this",
        "دورك لا يسمح بهذا",
    )
}

/// Allowed to the role, but only for a person signed in, not through a token.
pub fn session_required() -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "session-required",
        "Only a signed-in person can do this, not an API token",
        "لا يقوم بهذا إلا شخص مسجّل الدخول، لا رمز وصول",
    )
}

fn refused() -> Problem {
    Problem::new(
        StatusCode::UNAUTHORIZED,
        "sign-in-refused",
        "Sign-in refused: the name, password or code is wrong, or the account is locked for a while",
        "رُفض تسجيل الدخول: الاسم أو كلمة المرور أو الرمز غير صحيح، أو الحساب مقفل مؤقتاً",
    )
}

pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(|t| t.trim().to_string())
}

/// Who is calling, if anyone: a bearer token first, else the session cookie.
pub(crate) async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Caller, Problem> {
    let app = state.app.clone();
    let now = now_ms();
    if let Some(token) = bearer(headers) {
        let hash = token_hash(&token);
        return blocking(move || {
            let Some(t) = app.accounts().token(&hash)? else {
                return Ok(None);
            };
            if t.revoked || t.expires_at <= now {
                return Ok(None);
            }
            Ok(app
                .accounts()
                .user(t.user)?
                .filter(|u| !u.disabled)
                .map(|user| Caller {
                    user,
                    via: Via::Token {
                        id: t.id,
                        scope: t.scope,
                    },
                }))
        })
        .await?
        .ok_or_else(unauthenticated);
    }
    let Some(cookie) = cookie_value(headers, SESSION_COOKIE) else {
        return Err(unauthenticated());
    };
    let hash = token_hash(&cookie);
    blocking(move || {
        let Some(session) = app.accounts().session(&hash)? else {
            return Ok(None);
        };
        if session.expires_at <= now || now - session.last_seen > IDLE_TIMEOUT_MS {
            app.accounts().delete_session(&hash)?;
            return Ok(None);
        }
        let Some(user) = app.accounts().user(session.user)?.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        if now - session.last_seen > TOUCH_EVERY_MS {
            app.accounts().touch_session(&hash, now)?;
        }
        Ok(Some(Caller {
            user,
            via: Via::Session {
                hash,
                csrf: session.csrf,
            },
        }))
    })
    .await?
    .ok_or_else(unauthenticated)
}

fn changes_something(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The check every routed request passes (see the module documentation), and the access
/// log: method, route template (never the concrete path or query, which can hold names),
/// status, the caller's account id and the time taken.
pub async fn authorize(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let started = std::time::Instant::now();
    let method = request.method().clone();
    let route = matched.as_ref().map(|m| m.as_str().to_string());
    let (response, account) = check(state, route.clone(), request, next).await;
    tracing::info!(
        %method,
        route = route.as_deref().unwrap_or("(none)"),
        status = response.status().as_u16(),
        account = account.map(|a| a.to_string()).unwrap_or_default(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn check(
    state: AppState,
    route: Option<String>,
    mut request: Request,
    next: Next,
) -> (Response, Option<RecordId>) {
    let Some(path) = route else {
        return (next.run(request).await, None);
    };
    let method = request.method().clone();
    // HEAD is answered by the GET handler, so it needs what GET needs.
    let policy_method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    let Some(by_method) = state.access.get(&path) else {
        // The router is built from the same table, so this cannot happen; closed all the same.
        tracing::error!(%method, path, "route without an access policy");
        let refused = forbidden().detail("this endpoint has no access policy");
        return (refused.into_response(), None);
    };
    let action = match by_method.get(policy_method).copied() {
        Some(Access::Public) => return (next.run(request).await, None),
        Some(Access::Needs(action)) => action,
        // A method the path has no handler for (OPTIONS, PATCH …): no handler, so nothing
        // to protect; the answer is 405 with the methods the path allows.
        None => {
            let allowed: Vec<&str> = {
                let mut m: Vec<&str> = by_method.keys().copied().collect();
                m.sort_unstable();
                m
            };
            let mut refused = Problem::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "This endpoint does not answer this method",
                "لا تجيب نقطة النهاية هذه على هذه الطريقة",
            )
            .detail(format!("allowed: {}", allowed.join(", ")))
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                refused.headers_mut().insert(header::ALLOW, v);
            }
            return (refused, None);
        }
    };
    let caller = match authenticate(&state, request.headers()).await {
        Ok(c) => c,
        Err(p) => return (p.into_response(), None),
    };
    let account = Some(caller.user.id);
    if let Via::Session { csrf, .. } = &caller.via
        && changes_something(&method)
    {
        let sent = request
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(token_hash);
        if !sent.is_some_and(|h| constant_time_eq(&h, csrf)) {
            let refused = Problem::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "Missing or wrong X-CSRF-Token",
                "رمز الحماية X-CSRF-Token مفقود أو خاطئ",
            );
            return (refused.into_response(), account);
        }
    }
    if !caller.may(action) {
        return (forbidden().into_response(), account);
    }
    request.extensions_mut().insert(caller);
    (next.run(request).await, account)
}

/// The caller, for handlers behind [`authorize`].
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(unauthenticated)
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
    /// The current one-time code, for accounts with a second factor.
    #[serde(default)]
    pub code: Option<String>,
}

#[derive(Debug, Serialize)]
struct SessionOut {
    user: User,
    role_ar: &'static str,
    /// Send this in `X-CSRF-Token` with every request that changes something.
    #[serde(skip_serializing_if = "Option::is_none")]
    csrf_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    idle_timeout_seconds: i64,
}

enum Outcome {
    Refused,
    CodeRequired,
    MustEnrol,
    Accepted(User),
}

/// A session just opened: the account, and the two secrets the client keeps (the session
/// id for its cookie, the CSRF token for requests that change something).
pub(crate) struct OpenedSession {
    pub user: User,
    pub session: String,
    pub csrf: String,
    pub now: i64,
}

/// Check a sign-in (throttle, lockout, password, one-time code) and open a session; the
/// session presented with it, if any, ends. The API and the sign-in page both use it.
pub(crate) async fn open_session(
    state: &AppState,
    ip: Option<std::net::IpAddr>,
    old_cookie: Option<String>,
    req: SignInRequest,
) -> Result<OpenedSession, Problem> {
    let app = state.app.clone();
    let now = now_ms();
    if let Some(ip) = ip
        && state.throttle.recent(ip, now) >= THROTTLE_ATTEMPTS
    {
        return Err(Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "throttled",
            "Too many refused sign-ins from this address; wait a few minutes",
            "محاولات دخول مرفوضة كثيرة من هذا العنوان؛ انتظر بضع دقائق",
        ));
    }
    let outcome = blocking(move || {
        let Some(user) = app.accounts().user_by_name(&req.username)? else {
            waste_password_check(&req.password);
            app.accounts().record_unknown_sign_in()?;
            return Ok(Outcome::Refused);
        };
        let refuse = |failed: u32| -> Result<Outcome, athar_store::StoreError> {
            let lock_until = (failed + 1 >= MAX_FAILED_SIGN_INS).then_some(now + LOCKOUT_MS);
            app.accounts()
                .record_sign_in(user.id, SignIn::Refused { lock_until })?;
            Ok(Outcome::Refused)
        };
        let locked = user.locked_until.is_some_and(|until| until > now);
        let password_ok = verify_password(&req.password, &user.password_hash);
        if user.disabled || locked {
            app.accounts()
                .record_sign_in(user.id, SignIn::Refused { lock_until: None })?;
            return Ok(Outcome::Refused);
        }
        if !password_ok {
            return refuse(user.failed_sign_ins);
        }
        let mut step = None;
        if user.has_second_factor || user.role.needs_second_factor() {
            let Some(secret) = app.accounts().totp_secret(user.id)? else {
                app.accounts()
                    .record_sign_in(user.id, SignIn::Refused { lock_until: None })?;
                return Ok(Outcome::MustEnrol);
            };
            let Some(code) = req.code.as_deref().filter(|c| !c.trim().is_empty()) else {
                return Ok(Outcome::CodeRequired);
            };
            let secret = TotpSecret::from_bytes(secret);
            match secret.check(code, (now / 1000) as u64, user.totp_last_step) {
                Some(s) => step = Some(s),
                None => return refuse(user.failed_sign_ins),
            }
        }
        app.accounts()
            .record_sign_in(user.id, SignIn::Accepted { totp_step: step })?;
        Ok(Outcome::Accepted(user))
    })
    .await?;
    if matches!(outcome, Outcome::Refused)
        && let Some(ip) = ip
    {
        state.throttle.refuse(ip, now);
    }
    let user = match outcome {
        Outcome::Refused => return Err(refused()),
        Outcome::CodeRequired => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "code-required",
                "Enter the one-time code from your authenticator app",
                "أدخل الرمز المؤقت من تطبيق المصادقة",
            ));
        }
        Outcome::MustEnrol => {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "second-factor-missing",
                "Administrators need a one-time code; ask for one to be enrolled",
                "يحتاج المدير إلى رمز مؤقت؛ اطلب تسجيله",
            ));
        }
        Outcome::Accepted(user) => user,
    };
    // A session presented at sign-in ends: the new one has a new id (no fixation).
    let app = state.app.clone();
    let old = old_cookie.map(|c| token_hash(&c));
    let (session, session_hash) = new_token("ses_").map_err(internal)?;
    let (csrf, csrf_hash) = new_token("csrf_").map_err(internal)?;
    let row = SessionRow {
        hash: session_hash,
        user: user.id,
        csrf: csrf_hash,
        created_at: now,
        last_seen: now,
        expires_at: now + ABSOLUTE_TIMEOUT_MS,
    };
    blocking(move || {
        if let Some(old) = old {
            app.accounts().delete_session(&old)?;
        }
        app.accounts().create_session(&row)
    })
    .await?;
    Ok(OpenedSession {
        user,
        session: session.to_string(),
        csrf: csrf.to_string(),
        now,
    })
}

/// The `Set-Cookie` value of a new session.
pub(crate) fn session_cookie(session: &str) -> String {
    format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        ABSOLUTE_TIMEOUT_MS / 1000
    )
}

/// `POST /api/session`: sign in.
pub async fn sign_in(
    State(state): State<AppState>,
    client: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<SignInRequest>,
) -> Result<Response, Problem> {
    let ip = client.map(|c| c.0.0.ip());
    let old = cookie_value(&headers, SESSION_COOKIE);
    let OpenedSession {
        user,
        session,
        csrf,
        now,
    } = open_session(&state, ip, old, req).await?;
    let mut response = Json(SessionOut {
        role_ar: user.role.name_ar(),
        user,
        csrf_token: Some(csrf),
        expires_at: Some(crate::records::rfc3339(now + ABSOLUTE_TIMEOUT_MS)),
        idle_timeout_seconds: IDLE_TIMEOUT_MS / 1000,
    })
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&session_cookie(&session)) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

fn internal(e: impl std::fmt::Display) -> Problem {
    tracing::error!(error = %e, "could not make a secret");
    Problem::internal()
}

/// `GET /api/session`: who am I.
pub async fn whoami(caller: Caller) -> Response {
    Json(SessionOut {
        role_ar: caller.user.role.name_ar(),
        user: caller.user,
        csrf_token: None,
        expires_at: None,
        idle_timeout_seconds: IDLE_TIMEOUT_MS / 1000,
    })
    .into_response()
}

/// `DELETE /api/session`: sign out.
pub async fn sign_out(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let Via::Session { hash, .. } = caller.via else {
        return Err(session_required().detail("an API token has no session to end"));
    };
    let app = state.app.clone();
    blocking(move || app.accounts().delete_session(&hash)).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "athar_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        ),
    );
    Ok(response)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// What the token is for (a script's name), for the list of tokens.
    pub name: String,
    /// `read` or `write`.
    pub scope: Scope,
    /// Days until it expires: 1 to 365.
    pub days: u32,
}

/// `POST /api/tokens`: a new API token for the signed-in person, shown once.
pub async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<TokenRequest>,
) -> Result<Response, Problem> {
    if matches!(caller.via, Via::Token { .. }) {
        return Err(
            session_required().detail("tokens are made by a signed-in person, not by a token")
        );
    }
    let app = state.app.clone();
    let issued = tokio::task::spawn_blocking(move || {
        issue_token(app.accounts(), &caller.user, &req.name, req.scope, req.days)
    })
    .await
    .map_err(|_| Problem::internal())?;
    let (token, row) = match issued {
        Ok(issued) => issued,
        Err(TokenError::Invalid(errors)) => return Err(Problem::invalid(errors)),
        Err(TokenError::RoleCannotWrite(_)) => {
            return Err(forbidden().detail("your role cannot write, so neither can your tokens"));
        }
        Err(TokenError::Store(e)) => return Err(Problem::from(e)),
    };
    let mut value = serde_json::to_value(&row).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("token".into(), serde_json::Value::String(token));
    }
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

/// `GET /api/tokens`: the caller's tokens (never their secrets).
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Response, Problem> {
    let app = state.app.clone();
    let id = caller.user.id;
    let tokens = blocking(move || app.accounts().tokens_of(id)).await?;
    Ok(Json(serde_json::json!({ "items": tokens })).into_response())
}

/// `DELETE /api/tokens/{id}`: revoke one of the caller's tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, Problem> {
    let id = crate::records::parse_id(&id)?;
    // A token may end itself (one that leaked can be killed with itself), never another:
    // a read token must not cut off its owner's write token.
    if let Via::Token { id: own, .. } = &caller.via
        && *own != id
    {
        return Err(session_required().detail(
            "a token revokes only itself; other tokens are revoked by a signed-in person",
        ));
    }
    let app = state.app.clone();
    let user = caller.user.id;
    if blocking(move || app.accounts().revoke_token(user, id)).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(Problem::not_found())
    }
}
