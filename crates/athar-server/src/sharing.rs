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
use crate::records::{in_scope, parse_id};

#[derive(Debug, Serialize)]
struct OrganisationOut {
    number: i64,
    id: String,
    name: String,
}

/// `GET /api/organisations`.
pub async fn organisations(state: AppState) -> Response {
    let items: Vec<OrganisationOut> = state
        .app
        .organisations()
        .into_iter()
        .map(|o| OrganisationOut {
            number: o.number,
            id: o.id,
            name: o.name,
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
    shares
        .iter()
        .map(|s| ShareEntry {
            organisation: if s.org == 0 {
                "coalition".into()
            } else {
                state
                    .app
                    .organisation(athar_app::OrgId::new(s.org))
                    .map(|o| o.id)
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
    let shares = in_scope(&state, caller, move |scope| scope.shares_of(kind, id)).await?;
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
    let mut shares = Vec::new();
    let mut errors = Vec::new();
    for (i, entry) in request.shares.iter().enumerate() {
        let org = if entry.organisation == "coalition" {
            Some(0)
        } else {
            state
                .app
                .organisation_by_id(&entry.organisation)
                .map(|o| o.number())
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
    let journey = request.journey;
    let (outcome, now) = in_scope(&state, caller, move |scope| {
        let outcome = scope.share(kind, id, &shares, journey)?;
        Ok((outcome, scope.shares_of(kind, id)?))
    })
    .await?;
    let (count, left_out) = match outcome {
        ShareOutcome::NoConsent(missing) => return Err(consent_missing(missing)),
        ShareOutcome::Shared { records, left_out } => (records, left_out),
    };
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "id": id, "records": count, "left_out": left_out, "shares": entries(&state, &now) })),
    )
        .into_response())
}
