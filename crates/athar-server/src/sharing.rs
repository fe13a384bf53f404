//! What an organisation lets others see of its records, and the organisations there are.
//!
//! Only the owner's administrators decide. A record can stay private, be shared with named
//! organisations in full or pseudonymised (no names, identifiers, contacts, notes or
//! narratives), or count only in coalition aggregates. For everyone else it does not exist:
//! every endpoint answers 404, not 403, so nobody learns that it is there.
//!
//! The decision and its consent rules are `athar_app::sharing`; this module turns requests
//! into it and its outcome into responses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use athar_app::sharing::ShareOutcome;
use athar_model::consent::Purpose;
use athar_model::{FieldError, RecordKind};
use athar_store::{Share, ShareMode};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;
use crate::records::{blocking, parse_id};

#[derive(Debug, Serialize)]
struct OrganisationOut {
    number: i64,
    id: String,
    name: String,
}

/// `GET /api/organisations`.
pub async fn organisations(state: AppState) -> Response {
    let keyring = state.store.keyring();
    let items: Vec<OrganisationOut> = keyring
        .organisations()
        .iter()
        .map(|o| OrganisationOut {
            number: o.num,
            id: o.id.to_string(),
            name: o.name.clone(),
        })
        .collect();
    Json(serde_json::json!({ "items": items })).into_response()
}

/// One entry of a sharing request.
#[derive(Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareEntry {
    /// An organisation's id (see `/api/organisations`), or `coalition` for aggregate-only.
    pub organisation: String,
    /// `full`, `pseudonymised` or `aggregate`.
    #[schema(value_type = String)]
    pub mode: ShareMode,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SharingRequest {
    /// The complete new sharing of the record (an empty list makes it private).
    pub shares: Vec<ShareEntry>,
    /// For a person: apply the same to their involvements and the events of their journey
    /// that this organisation owns.
    #[serde(default)]
    pub journey: bool,
}

fn entries(state: &AppState, shares: &[Share]) -> Vec<ShareEntry> {
    let keyring = state.store.keyring();
    shares
        .iter()
        .map(|s| ShareEntry {
            organisation: if s.org == 0 {
                "coalition".into()
            } else {
                keyring
                    .organisation(s.org)
                    .map(|o| o.id.to_string())
                    .unwrap_or_default()
            },
            mode: s.mode,
        })
        .collect()
}

/// `GET /api/{kind}/{id}/sharing`.
pub async fn get(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let store = state.store.clone();
    let shares = blocking(move || caller.scope(store.as_ref()).shares_of(kind, id)).await?;
    Ok(Json(serde_json::json!({ "id": id, "shares": entries(&state, &shares) })).into_response())
}

fn consent_missing(missing: usize) -> Problem {
    Problem::invalid(vec![FieldError::new(
        "shares",
        "consent.missing",
        format!(
            "{missing} person(s) this record is about have not consented to {}; share it pseudonymised instead",
            Purpose::CoalitionSharing.label_en()
        ),
        format!(
            "لم يوافق {missing} من الأشخاص المعنيين على {}؛ شاركه دون هوية بدلاً من ذلك",
            Purpose::CoalitionSharing.label_ar()
        ),
    )])
}

/// `PUT /api/{kind}/{id}/sharing`.
pub async fn put(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
    request: SharingRequest,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let keyring = state.store.keyring();
    let mut shares = Vec::new();
    let mut errors = Vec::new();
    for (i, entry) in request.shares.iter().enumerate() {
        let org = if entry.organisation == "coalition" {
            Some(0)
        } else {
            keyring
                .organisations()
                .iter()
                .find(|o| o.id.to_string() == entry.organisation)
                .map(|o| o.num)
        };
        match org {
            Some(org) => shares.push(Share {
                org,
                mode: entry.mode,
            }),
            None => errors.push(FieldError::new(
                format!("shares[{i}].organisation"),
                "share.organisation",
                "names no organisation of this server",
                "لا يشير إلى منظمة على هذا الخادم",
            )),
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid(errors));
    }
    let store = state.store.clone();
    let journey = request.journey;
    let outcome = blocking(move || {
        caller
            .scope(store.as_ref())
            .share(kind, id, &shares, journey)
    })
    .await?;
    let (count, left_out) = match outcome {
        ShareOutcome::NoConsent(missing) => return Err(consent_missing(missing)),
        ShareOutcome::Shared { records, left_out } => (records, left_out),
    };
    let store = state.store.clone();
    let now = blocking(move || store.shares(kind, id)).await?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "id": id, "records": count, "left_out": left_out, "shares": entries(&state, &now) })),
    )
        .into_response())
}
