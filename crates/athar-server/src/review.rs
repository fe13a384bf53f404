//! The review of cases over the API: submitting one's case, verifying or returning another
//! person's (with a comment), and the queue of cases waiting for verification. The rules
//! are `athar_model::review`'s, applied by `athar-app`; these handlers only translate.

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use athar_model::review::ReviewStep;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{JsonBody, Problem};
use crate::records::{RecordOut, in_scope, parse_id};

/// What a reviewer decides about a submitted case.
#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReviewDecision {
    Verify,
    Return,
}

/// `POST /api/persons/{id}/review`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    pub decision: ReviewDecision,
    /// Why it is returned (required then; kept sealed).
    pub comment: Option<String>,
    pub rev: Option<u32>,
}

/// Submit one's case for verification by another person.
pub async fn submit(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let record = in_scope(&state, caller, move |scope| {
        scope.review_case(id, ReviewStep::Submit, None)
    })
    .await?;
    Ok(Json(RecordOut::from_stored(&record)).into_response())
}

/// Verify, or return with a comment, a case another person submitted.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<ReviewRequest>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let step = match request.decision {
        ReviewDecision::Verify => ReviewStep::Verify,
        ReviewDecision::Return => ReviewStep::Return {
            comment: request.comment.unwrap_or_default(),
        },
    };
    let record = in_scope(&state, caller, move |scope| {
        scope.review_case(id, step, request.rev)
    })
    .await?;
    Ok(Json(RecordOut::from_stored(&record)).into_response())
}

/// The cases waiting for verification.
pub async fn queue(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let waiting = in_scope(&state, caller, |scope| scope.cases_to_verify()).await?;
    let items: Vec<RecordOut> = waiting.iter().map(RecordOut::from_stored).collect();
    Ok(Json(serde_json::json!({ "total": items.len(), "items": items })).into_response())
}
