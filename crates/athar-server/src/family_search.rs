//! Families' tracing over the API: a person's candidate matches (scored against every
//! record the organisation may see, with why), a step taken in the search, the outcome,
//! and the letter to the family. The rules are `athar_app::tracing`'s; these handlers only
//! translate, as the pages do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use athar_app::tracing::{Contradiction, letter_refusal};
use athar_model::intake::{OutcomeDraft, SearchStepDraft};
use athar_model::vocab::Lang;
use athar_model::{FieldError, RecordId};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{JsonBody, Problem, QueryParams};
use crate::records::{RecordOut, in_scope, parse_id};

/// `GET /api/persons/{id}/candidates`: who may be the person, the likeliest first.
pub async fn candidates(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let found = in_scope(&state, caller, move |scope| scope.tracing_candidates(id)).await?;
    let items: Vec<serde_json::Value> = found
        .candidates
        .iter()
        .map(|c| {
            serde_json::json!({
                "person": c.candidate.person,
                "probability": c.candidate.probability,
                "decision": c.candidate.decision,
                "why": c.candidate.why,
                "sources": c.sources,
                "status": c.status,
                "against": c.against.iter().map(|a| match a {
                    Contradiction::DiedBeforeLastSeen { kind, date } => serde_json::json!({
                        "died_before_last_seen": { "kind": kind, "date": date.to_string() }
                    }),
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(serde_json::json!({
        "model": found.model,
        "compared": found.compared,
        "withheld": found.withheld,
        "candidates": items,
    }))
    .into_response())
}

/// `POST /api/persons/{id}/search-steps`: a step taken to find the person.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchStepRequest {
    /// An `event-kinds` id of the `search` category.
    pub kind: String,
    /// When (a fuzzy date as people type it).
    pub date: String,
    /// What was asked, where, and the answer (sealed).
    #[serde(default)]
    pub narrative: String,
}

pub async fn add_step(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<SearchStepRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let step = SearchStepDraft {
        kind: request.kind,
        date: request.date,
        narrative: request.narrative,
    };
    let written = in_scope(&state, caller, move |scope| {
        scope.record_search_step(id, &step)
    })
    .await?
    .map_err(Problem::invalid)?;
    let records: Vec<serde_json::Value> = written
        .revisions
        .iter()
        .map(|(id, rev)| serde_json::json!({ "id": id, "rev": rev }))
        .collect();
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "audit_seq": written.audit_seq, "records": records })),
    )
        .into_response())
}

/// `PUT /api/persons/{id}/tracing`: what the search has come to.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// no_match_yet, possible, confirmed_alive, confirmed_dead or remains_identified.
    pub outcome: String,
    #[serde(default)]
    pub date: String,
    /// The person record the outcome rests on (needed for possible, confirmed_dead and
    /// remains_identified; a confirmed outcome needs the match decided the same person).
    #[serde(default)]
    pub matched: Option<String>,
    /// Sealed.
    #[serde(default)]
    pub note: String,
    /// The revision of the person's record this change starts from.
    pub rev: Option<u32>,
}

pub async fn record_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<OutcomeRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let draft = OutcomeDraft {
        outcome: request.outcome,
        date: request.date,
        matched: request.matched.unwrap_or_default(),
        note: request.note,
    };
    let rev = request.rev;
    let record = in_scope(&state, caller, move |scope| {
        scope.record_tracing_outcome(id, &draft, rev)
    })
    .await?
    .map_err(Problem::invalid)?;
    Ok(Json(RecordOut::from_stored(&record)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LetterRequest {
    /// ar (default) or en.
    pub lang: Option<String>,
    /// pdf (default) or json.
    pub format: Option<String>,
}

/// `GET /api/persons/{id}/letter`: the letter to the family, as a PDF or its JSON; its
/// handing out recorded in the audit chain with its hash.
pub async fn letter(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    QueryParams(request): QueryParams<LetterRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let lang = match request.lang.as_deref() {
        None | Some("ar") => Lang::Ar,
        Some("en") => Lang::En,
        Some(_) => {
            return Err(Problem::invalid(vec![FieldError::new(
                "lang",
                "lang.invalid",
                "lang is ar or en",
                "اللغة إما ar أو en",
            )]));
        }
    };
    let pdf = match request.format.as_deref() {
        None | Some("pdf") => true,
        Some("json") => false,
        Some(_) => {
            return Err(Problem::invalid(vec![FieldError::new(
                "format",
                "format.invalid",
                "format is pdf or json",
                "الصيغة إما pdf أو json",
            )]));
        }
    };
    let made = in_scope(&state, caller, move |scope| {
        scope.hand_out_letter(id, lang, pdf)
    })
    .await?;
    match made {
        Ok(rendered) => Ok(letter_response(id, rendered)),
        Err(why) => Err(Problem::invalid(vec![letter_refusal(&why)])),
    }
}

/// A letter handed out, as a file to save.
pub(crate) fn letter_response(id: RecordId, rendered: athar_app::reports::Rendered) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, rendered.media_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"letter-{id}.{}\"",
                    rendered.extension
                ),
            ),
        ],
        rendered.bytes,
    )
        .into_response()
}
