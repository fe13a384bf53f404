//! What an organisation lets others see of its records, and the organisations there are.
//!
//! Only the owner's administrators decide. A record can stay private, be shared with named
//! organisations in full or pseudonymised (no names, identifiers, contacts, notes or
//! narratives), or count only in coalition aggregates. For everyone else it does not exist:
//! every endpoint answers 404, not 403, so nobody learns that it is there.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use athar_model::{FieldError, RecordBody, RecordKind};
use athar_store::{Share, ShareMode, StoreError, Visibility};

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
    let shares = blocking(move || {
        if store.visibility(caller.org(), kind, id)? != Visibility::Owner {
            return Err(StoreError::NotFound { kind, id });
        }
        store.shares(kind, id)
    })
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "shares": entries(&state, &shares) })).into_response())
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
    let count = blocking(move || {
        if store.visibility(caller.org(), kind, id)? != Visibility::Owner {
            return Err(StoreError::NotFound { kind, id });
        }
        store.set_shares(&caller.author(), kind, id, &shares)?;
        let mut count = 1;
        if journey && kind == RecordKind::Person {
            for inv in store.involvements_of_person(id)? {
                let owned = |k, i| {
                    store
                        .visibility(caller.org(), k, i)
                        .map(|v| v == Visibility::Owner)
                };
                if owned(RecordKind::Involvement, inv.id)? {
                    store.set_shares(&caller.author(), RecordKind::Involvement, inv.id, &shares)?;
                    count += 1;
                }
                if let RecordBody::Involvement(i) = &inv.body
                    && owned(RecordKind::Event, i.event)?
                {
                    store.set_shares(&caller.author(), RecordKind::Event, i.event, &shares)?;
                    count += 1;
                }
            }
        }
        Ok(count)
    })
    .await?;
    let store = state.store.clone();
    let now = blocking(move || store.shares(kind, id)).await?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "id": id, "records": count, "shares": entries(&state, &now) })),
    )
        .into_response())
}
