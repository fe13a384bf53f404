//! Record linkage through the API: run it over the persons of chosen lists, see how it
//! stands, work the review queue, and decide pairs.
//!
//! A run never merges records: it is kept (members, pairs, why, model) and the statistics
//! count the persons it and the reviewers' decisions put together once. A decision is a
//! `match` record — a new revision when the pair was decided before — so it can be changed
//! or withdrawn (deleted with a reason), and the next run learns from it as a label.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use athar_link::LinkError;
use athar_link::stored::{RunError, RunOptions};
use athar_model::progress::Progress;
use athar_model::validation::FieldError;
use athar_model::{MatchDecision, RecordId};

use crate::auth::Caller;
use crate::problem::{JsonBody, Problem, QueryParams};
use crate::records::{RecordOut, in_scope, parse_id};
use crate::{AppState, jobs};

/// `POST /api/linkage/runs`: what to link.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Sources (lists) whose persons to link; none: every person the organisation can see.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub lists: Vec<RecordId>,
    /// Match probability of a link (default 0.9).
    pub threshold: Option<f64>,
    /// Seed of the random pairs `u` is learnt from (default 1).
    pub seed: Option<u64>,
}

fn run_problem(e: RunError) -> Problem {
    let invalid = |field: &str, code: &str, message: String, arabic: &str| {
        Problem::invalid(vec![FieldError::new(field, code, message, arabic)])
    };
    match e {
        RunError::UnknownList(_) => invalid(
            "lists",
            "linkage.unknown_list",
            e.to_string(),
            "قائمة ليست مصدراً تستطيع هذه المنظمة رؤيته",
        ),
        RunError::BadThreshold => invalid(
            "threshold",
            "linkage.threshold",
            e.to_string(),
            "يجب أن تكون العتبة احتمالاً أكبر من 0 وأصغر من 1",
        ),
        RunError::TooFew(_) | RunError::Link(_) | RunError::ListCount(_) => invalid(
            "lists",
            "linkage.nothing_to_link",
            e.to_string(),
            "لا يوجد ما يكفي من سجلات الأشخاص ذات الأسماء للربط",
        ),
        RunError::Store(e) => Problem::from(e),
    }
}

/// `POST /api/linkage/runs`: link and keep the run — a job (`jobs`), since a run over
/// many lists takes minutes; cancelled, it keeps nothing.
pub async fn start_run(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(request): JsonBody<RunRequest>,
) -> Result<Response, Problem> {
    let options = RunOptions {
        lists: request.lists,
        threshold: request.threshold,
        seed: request.seed,
    };
    let work = move |scope: &athar_app::Scope<'_>, progress: &Progress| match scope
        .run_linkage(&options, progress)
    {
        Ok(outcome) => Some(jobs::json_output(StatusCode::CREATED, &outcome)),
        Err(RunError::Link(LinkError::Cancelled)) => None,
        Err(e) => Some(jobs::problem_output(run_problem(e))),
    };
    jobs::run(
        &state,
        &caller,
        &headers,
        athar_app::jobs::LINKAGE,
        Box::new(work),
    )
    .await
}

/// `GET /api/linkage`: the latest run and how the linkage stands with the decisions.
pub async fn status(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let review = in_scope(&state, caller, move |scope| scope.review()).await?;
    let run = review.run.as_ref().map(|r| {
        serde_json::json!({
            "id": r.id,
            "at": crate::records::rfc3339(r.at),
            "actor": r.actor,
            "lists": r.lists,
            "threshold": r.threshold,
            "audit_seq": r.audit_seq,
            "summary": serde_json::from_str::<serde_json::Value>(&r.summary).unwrap_or_default(),
            "model": serde_json::from_str::<serde_json::Value>(&r.model).unwrap_or_default(),
        })
    });
    Ok(Json(serde_json::json!({ "run": run, "state": review.state() })).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// At most this many pairs (default 50, at most 500).
    limit: Option<usize>,
}

/// `GET /api/linkage/queue`: undecided pairs, the most valuable decision first.
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<QueueQuery>,
) -> Result<Response, Problem> {
    let limit = query.limit.unwrap_or(50).clamp(1, crate::records::MAX_PAGE);
    let items = in_scope(&state, caller, move |scope| scope.review_queue(limit)).await?;
    Ok(Json(serde_json::json!({ "items": items })).into_response())
}

/// `GET /api/persons/{id}/matches`: every kept pair of a person record, with why it
/// scored what it did and what was decided.
pub async fn of_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let pairs = in_scope(&state, caller, move |scope| scope.pairs_of(id)).await?;
    Ok(Json(serde_json::json!({ "person": id, "pairs": pairs })).into_response())
}

/// `POST /api/linkage/decisions`: a reviewer's decision about a pair.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    #[schema(value_type = String)]
    pub first: RecordId,
    #[schema(value_type = String)]
    pub second: RecordId,
    pub decision: MatchDecision,
    /// Why (kept sealed).
    pub note: Option<String>,
}

/// Record a decision: a new `match` record, or a new revision of the one about the pair.
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(request): JsonBody<DecisionRequest>,
) -> Result<Response, Problem> {
    let (record, created) = in_scope(&state, caller, move |scope| {
        scope.decide_match(
            (request.first, request.second),
            request.decision,
            request.note,
        )
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(RecordOut::from_stored(&record))).into_response())
}
