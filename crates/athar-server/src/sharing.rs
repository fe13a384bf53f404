//! What an organisation lets others see of its records, and the organisations there are.
//!
//! Only the owner's administrators decide. A record can stay private, be shared with named
//! organisations in full or pseudonymised (no names, identifiers, contacts, notes or
//! narratives), or count only in coalition aggregates. For everyone else it does not exist:
//! every endpoint answers 404, not 403, so nobody learns that it is there.
//!
//! Sharing in full hands identifying details to another organisation, so it needs the
//! coalition-sharing consent of every person the record is about (a person; the person of
//! an involvement; everyone involved in an event). Pseudonymised and aggregate sharing pass
//! nothing identifying and need none. What consent keeps back is refused or, when a whole
//! journey is shared, left out and listed.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use athar_model::consent::{Purpose, permits};
use athar_model::{FieldError, RecordBody, RecordId, RecordKind};
use athar_store::{Backend, Share, ShareMode, StoreError, Visibility};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;
use crate::records::{blocking, parse_id, require_owner};

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
        require_owner(store.as_ref(), caller.org(), kind, id)?;
        store.shares(kind, id)
    })
    .await?;
    Ok(Json(serde_json::json!({ "id": id, "shares": entries(&state, &shares) })).into_response())
}

/// How many of the persons a record is about have not consented to coalition sharing.
fn without_consent(
    store: &dyn Backend,
    kind: RecordKind,
    id: RecordId,
) -> Result<usize, StoreError> {
    let persons: Vec<RecordId> = match kind {
        RecordKind::Person => vec![id],
        RecordKind::Involvement => match store.get(kind, id)?.body {
            RecordBody::Involvement(i) => vec![i.person],
            _ => Vec::new(),
        },
        RecordKind::Event => store
            .involvements_of_event(id)?
            .into_iter()
            .filter_map(|inv| match inv.body {
                RecordBody::Involvement(i) => Some(i.person),
                _ => None,
            })
            .collect(),
        RecordKind::Source => Vec::new(),
        RecordKind::Match => match store.get(kind, id)?.body {
            RecordBody::Match(m) => vec![m.first, m.second],
            _ => Vec::new(),
        },
    };
    let mut missing = 0;
    for person in persons {
        let consented = match store.get(RecordKind::Person, person) {
            Ok(r) => {
                matches!(&r.body, RecordBody::Person(p) if permits(&p.consent, Purpose::CoalitionSharing))
            }
            Err(StoreError::Deleted { .. } | StoreError::NotFound { .. }) => true,
            Err(e) => return Err(e),
        };
        if !consented {
            missing += 1;
        }
    }
    Ok(missing)
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

#[derive(Debug, Serialize)]
struct LeftOut {
    kind: RecordKind,
    id: RecordId,
    reason: &'static str,
}

enum Outcome {
    Shared {
        records: usize,
        left_out: Vec<LeftOut>,
    },
    NoConsent(usize),
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
    let full = shares.iter().any(|s| s.mode == ShareMode::Full);
    let outcome = blocking(move || {
        require_owner(store.as_ref(), caller.org(), kind, id)?;
        let missing = if full {
            without_consent(store.as_ref(), kind, id)?
        } else {
            0
        };
        if missing > 0 {
            return Ok(Outcome::NoConsent(missing));
        }
        store.set_shares(&caller.author(), kind, id, &shares)?;
        let mut records = 1;
        let mut left_out = Vec::new();
        if journey && kind == RecordKind::Person {
            let mut related = Vec::new();
            for inv in store.involvements_of_person(id)? {
                related.push((RecordKind::Involvement, inv.id));
                if let RecordBody::Involvement(i) = &inv.body {
                    related.push((RecordKind::Event, i.event));
                }
            }
            for (k, i) in related {
                if store.visibility(caller.org(), k, i)? != Visibility::Owner {
                    left_out.push(LeftOut {
                        kind: k,
                        id: i,
                        reason: "owned by another organisation",
                    });
                } else if full && without_consent(store.as_ref(), k, i)? > 0 {
                    left_out.push(LeftOut {
                        kind: k,
                        id: i,
                        reason: "someone it is about has not consented to sharing",
                    });
                } else {
                    store.set_shares(&caller.author(), k, i, &shares)?;
                    records += 1;
                }
            }
        }
        Ok(Outcome::Shared { records, left_out })
    })
    .await?;
    let (count, left_out) = match outcome {
        Outcome::NoConsent(missing) => return Err(consent_missing(missing)),
        Outcome::Shared { records, left_out } => (records, left_out),
    };
    let store = state.store.clone();
    let now = blocking(move || store.shares(kind, id)).await?;
    Ok((
        StatusCode::OK,
        Json(serde_json::json!({ "id": id, "records": count, "left_out": left_out, "shares": entries(&state, &now) })),
    )
        .into_response())
}
