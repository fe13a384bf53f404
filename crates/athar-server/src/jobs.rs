//! Long work through the API: an estimate, a linkage run, an import or a report becomes
//! a job (`athar_app::jobs`). The request waits a few seconds for it; work that ends by then
//! is answered as any request is, so quick work looks no different. Longer work answers
//! `202 Accepted` with the job's address (`Location: /api/jobs/{id}`), whose status tells
//! how far it has come; `GET /api/jobs/{id}/result` gives the answer once it is finished, and
//! `DELETE /api/jobs/{id}` cancels it. A client that sends `Prefer: respond-async` gets the
//! 202 at once. A client that goes away while its request still waits cancels the work.

use std::sync::Arc;
use std::time::Duration;

use athar_app::jobs::{Job, JobKind, JobOutput, JobRefused, JobState, Work};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;

/// How long a request waits for its job before answering 202 with the job's address.
pub const DEFAULT_JOB_WAIT: Duration = Duration::from_secs(5);

/// A problem as a job's outcome: the answer it would have been.
pub fn problem_output(problem: Problem) -> JobOutput {
    JobOutput {
        status: problem.status,
        media_type: "application/problem+json".into(),
        bytes: serde_json::to_vec(&problem).unwrap_or_default(),
        file_name: None,
    }
}

/// A JSON value as a job's outcome.
pub fn json_output(status: StatusCode, value: &impl serde::Serialize) -> JobOutput {
    match serde_json::to_vec(value) {
        Ok(bytes) => JobOutput {
            status: status.as_u16(),
            media_type: "application/json".into(),
            bytes,
            file_name: None,
        },
        Err(_) => problem_output(Problem::internal()),
    }
}

/// A job's outcome as the response it stands for.
fn output_response(out: &JobOutput) -> Response {
    let status = StatusCode::from_u16(out.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, out.bytes.clone()).into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&out.media_type) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    if let Some(name) = &out.file_name
        && let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn accepted(job: &Job) -> Response {
    let location = format!("/api/jobs/{}", job.id());
    let mut response = (StatusCode::ACCEPTED, Json(job.status())).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn cancelled() -> Problem {
    Problem::new(
        StatusCode::CONFLICT,
        "job-cancelled",
        "The work was cancelled before it finished; nothing was written",
        "أُلغي العمل قبل أن ينتهي؛ لم يُكتب شيء",
    )
}

/// Cancels the job if the request is dropped (the client went away) while it waits.
struct CancelIfAbandoned(Option<Arc<Job>>);

impl Drop for CancelIfAbandoned {
    fn drop(&mut self) {
        if let Some(job) = self.0.take() {
            job.cancel();
        }
    }
}

/// Whether the client asked not to wait (RFC 7240 `Prefer: respond-async`).
fn prefers_async(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("respond-async"))
}

/// Run `work` as a job of `kind` for the caller: its answer if it ends within the
/// server's wait, else `202 Accepted` with the job's address.
pub async fn run(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    kind: JobKind,
    work: Work,
) -> Result<Response, Problem> {
    let job = state
        .app
        .start_job(caller.org_id(), &caller.author(), kind, work)
        .map_err(|refused| match refused {
            JobRefused::AlreadyRunning(name) => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("{name}-running"),
                &format!("A {name} of your organisation is running; ask again when it ends"),
                "يجري عمل من هذا النوع لمنظمتك الآن؛ أعد الطلب عند انتهائه",
            ),
            JobRefused::OrganisationBusy => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "organisation-busy",
                "Your organisation is running as much long work as it may; ask again when some ends",
                "تجري لمنظمتك أعمال طويلة بالحد المسموح؛ أعد الطلب عند انتهاء بعضها",
            ),
            JobRefused::ServerBusy => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "server-busy",
                "The server is running as much long work as it can; ask again in a moment",
                "الخادم مشغول بأعمال طويلة؛ أعد الطلب بعد قليل",
            ),
        })?;
    if prefers_async(headers) {
        return Ok(accepted(&job));
    }
    let mut guard = CancelIfAbandoned(Some(job.clone()));
    let waiting = job.clone();
    let wait = state.job_wait;
    let state_now = tokio::task::spawn_blocking(move || waiting.wait(wait))
        .await
        .map_err(|_| Problem::internal())?;
    guard.0 = None;
    match state_now {
        JobState::Finished(out) => Ok(output_response(&out)),
        JobState::Cancelled => Err(cancelled()),
        JobState::Running => Ok(accepted(&job)),
    }
}

/// The caller's job `id`; another account's is not found, as an id nobody used.
fn find(state: &AppState, caller: &Caller, id: &str) -> Option<Arc<Job>> {
    state.app.jobs().find(caller.org_id(), &caller.author(), id)
}

fn no_such_job() -> Problem {
    Problem::not_found().detail("no such job")
}

/// `GET /api/jobs`: the caller's jobs still known, newest first.
pub async fn list(State(state): State<AppState>, caller: Caller) -> Response {
    Json(state.app.jobs().of(caller.org_id(), &caller.author())).into_response()
}

/// `GET /api/jobs/{id}`: how far the job has come.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    Ok(Json(find(&state, &caller, &id).ok_or_else(no_such_job)?.status()).into_response())
}

/// `GET /api/jobs/{id}/result`: the answer of a finished job.
pub async fn result(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    match find(&state, &caller, &id).ok_or_else(no_such_job)?.state() {
        JobState::Finished(out) => Ok(output_response(&out)),
        JobState::Cancelled => Err(cancelled()),
        JobState::Running => Err(Problem::new(
            StatusCode::CONFLICT,
            "job-running",
            "The work has not finished; ask its status and come back",
            "لم ينتهِ العمل بعد؛ اسأل عن حالته وعد لاحقاً",
        )),
    }
}

/// `DELETE /api/jobs/{id}`: cancel the job (it stops at its next step and writes
/// nothing); its status afterwards.
pub async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let job = find(&state, &caller, &id).ok_or_else(no_such_job)?;
    job.cancel();
    // A moment for the work to notice, so the answer usually says it stopped.
    let waiting = job.clone();
    let _ = tokio::task::spawn_blocking(move || waiting.wait(Duration::from_millis(500))).await;
    Ok((StatusCode::ACCEPTED, Json(job.status())).into_response())
}
