//! Managing accounts and organisations through the API.
//!
//! An organisation's admins manage the accounts of their organisation (never a coalition
//! admin's); the coalition's admins add organisations and their first administrator, list
//! and disable accounts, but never add an account that could read an organisation's
//! records once it has people of its own (`athar_app::accounts`). Accounts of
//! another organisation do not exist for an org-admin (404). Administrators are always
//! enrolled with a one-time code; the enrolment link is shown once, in the answer.

use axum::Json;
use axum::extract::{Path, State};

use crate::problem::JsonBody;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use athar_app::OrgId;
use athar_app::accounts::may_add_account;
use athar_crypto::auth::{MIN_PASSWORD_CHARS, TotpSecret, hash_password};
use athar_model::FieldError;
use athar_model::access::Role;
use athar_store::StoreError;
use athar_store::accounts::NewUser;

use crate::AppState;
use crate::auth::{Caller, forbidden};
use crate::problem::Problem;
use crate::records::{blocking, parse_id};

/// The organisation an admin may manage: their own, or any for a coalition admin.
fn scope(caller: &Caller) -> Option<i64> {
    (caller.user.role != Role::CoalitionAdmin).then(|| caller.org())
}

/// `GET /api/users`.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let app = state.app.clone();
    let users = blocking(move || app.accounts().users(scope(&caller))).await?;
    Ok(Json(serde_json::json!({ "items": users })).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub username: String,
    /// viewer, documenter, analyst, org-admin or coalition-admin.
    pub role: String,
    /// At least 12 characters; the person changes it later.
    pub password: String,
    /// The organisation's id (coalition admins only; others add to their own).
    #[serde(default)]
    pub organisation: Option<String>,
    /// Enrol a one-time code even where the role does not require one.
    #[serde(default)]
    pub second_factor: bool,
}

/// `POST /api/users`.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<NewUserRequest>,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    let role = Role::parse(&req.role);
    if role.is_none() {
        errors.push(FieldError::new(
            "role",
            "user.role",
            "one of viewer, documenter, analyst, org-admin, coalition-admin",
            "واحد من: مطّلع، موثِّق، محلّل، مدير المنظمة، مدير التحالف",
        ));
    }
    if req.password.chars().count() < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            "user.password",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
            format!("{MIN_PASSWORD_CHARS} حرفاً على الأقل"),
        ));
    }
    let app = &state.app;
    let organisation = match (&req.organisation, scope(&caller)) {
        (None, Some(own)) => Some(own),
        (None, None) => app.default_organisation().ok().map(|o| o.number()),
        (Some(id), None) => app.organisation_by_id(id).map(|o| o.number()),
        // An org-admin names only their own organisation.
        (Some(id), Some(own)) => app
            .organisation_by_id(id)
            .filter(|o| o.number() == own)
            .map(|o| o.number()),
    };
    if organisation.is_none() {
        errors.push(FieldError::new(
            "organisation",
            "user.organisation",
            "names no organisation you manage",
            "لا يشير إلى منظمة تديرها",
        ));
    }
    let (Some(role), Some(organisation), true) = (role, organisation, errors.is_empty()) else {
        return Err(Problem::invalid(errors));
    };
    let app = state.app.clone();
    let caller_role = caller.user.role;
    let allowed = blocking(move || {
        may_add_account(app.accounts(), caller_role, OrgId::new(organisation), role)
    })
    .await?;
    if let Err(refusal) = allowed {
        return Err(forbidden().detail(refusal.explain().0));
    }
    let secret = (req.second_factor || role.needs_second_factor())
        .then(TotpSecret::generate)
        .transpose()
        .map_err(|e| Problem::from(StoreError::Crypto(e)))?;
    let username = req.username.clone();
    let link = secret
        .as_ref()
        .map(|s| s.otpauth_uri(&username))
        .transpose()
        .map_err(|e| Problem::from(StoreError::Crypto(e)))?;
    let app = state.app.clone();
    let author = caller.author();
    let user = blocking(move || {
        let password_hash = hash_password(&req.password)?;
        app.accounts().create_user(
            &author,
            NewUser {
                username: req.username,
                role,
                organisation,
                password_hash,
                totp_secret: secret.map(|s| s.as_bytes().to_vec()),
            },
        )
    })
    .await?;
    let mut value = serde_json::to_value(&user).unwrap_or_default();
    if let (Some(obj), Some(link)) = (value.as_object_mut(), link) {
        obj.insert("otpauth".into(), serde_json::Value::String(link));
    }
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisabledRequest {
    pub disabled: bool,
}

/// `PUT /api/users/{id}/disabled`.
pub async fn set_disabled(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<DisabledRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let app = state.app.clone();
    let author = caller.author();
    let own = scope(&caller);
    let me = caller.user.id;
    blocking(move || {
        let user = app
            .accounts()
            .user(id)?
            .filter(|u| own.is_none_or(|o| u.organisation == o))
            .ok_or(StoreError::NotFound {
                kind: athar_model::RecordKind::Person,
                id,
            })?;
        if user.id == me || (user.role == Role::CoalitionAdmin && own.is_some()) {
            return Err(StoreError::Invalid {
                index: 0,
                errors: vec![FieldError::new(
                    "disabled",
                    "user.not_yours",
                    "you cannot disable yourself or a coalition admin",
                    "لا يمكنك تعطيل نفسك أو مدير التحالف",
                )],
            });
        }
        app.accounts().set_disabled(&author, id, req.disabled)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisationRequest {
    pub name: String,
}

/// `POST /api/organisations`.
pub async fn create_organisation(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(req): JsonBody<NewOrganisationRequest>,
) -> Result<Response, Problem> {
    let app = state.app.clone();
    let author = caller.author();
    let org = blocking(move || app.create_organisation(&author, &req.name)).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({
            "number": org.number,
            "id": org.id,
            "name": org.name,
            "public_key": org.public_key,
        })),
    )
        .into_response())
}
