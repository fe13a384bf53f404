//! The periodic report, the safety brief and the WGEID case through the API
//! (`GET /api/reports/periodic`, `/api/reports/brief`, `/api/persons/{id}/wgeid`): requests
//! in, `athar_app::reports` prepares them for the caller's organisation, the layout out.

use athar_app::Scope;
use athar_app::jobs::JobOutput;
use athar_app::reports::{
    BriefRequest, CaseRequest, Rendered, ReportError, ReportRequest, render, render_brief,
    render_wgeid,
};
use athar_model::progress::Progress;
use athar_model::validation::FieldError;
use athar_model::{RecordId, RecordKind};
use athar_store::StoreError;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use crate::auth::Caller;
use crate::problem::{Problem, QueryParams};
use crate::{AppState, jobs};

/// `GET /api/reports/periodic`: the report as JSON (for the web UI), or as an HTML or PDF
/// file to download.
pub async fn periodic(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryParams(request): QueryParams<ReportRequest>,
) -> Result<Response, Problem> {
    let format = request.format.clone().unwrap_or_else(|| "json".into());
    let lang = request.lang.clone().unwrap_or_else(|| "en".into());
    hand_out(
        state,
        caller,
        headers,
        ("report", "periodic".into()),
        format,
        lang,
        move |scope, format| {
            let report = scope.report(&request)?;
            Ok(render(&report, format))
        },
    )
    .await
}

/// `GET /api/reports/brief?region=…`: the safety brief, as JSON or a file.
pub async fn brief(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    QueryParams(request): QueryParams<BriefRequest>,
) -> Result<Response, Problem> {
    let format = request.format.clone().unwrap_or_else(|| "json".into());
    let lang = request.lang.clone().unwrap_or_else(|| "en".into());
    let what = format!("brief {}", request.region.trim());
    hand_out(
        state,
        caller,
        headers,
        ("report", what),
        format,
        lang,
        move |scope, format| {
            let brief = scope.brief(&request)?;
            Ok(render_brief(&brief, format))
        },
    )
    .await
}

/// `GET /api/persons/{id}/wgeid`: the person's case for the UN Working Group, as JSON or
/// a file; refused, naming every missing element, when the records cannot complete it.
pub async fn wgeid(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    QueryParams(request): QueryParams<CaseRequest>,
) -> Result<Response, Problem> {
    let person: RecordId = id.parse().map_err(|_| {
        Problem::invalid(vec![FieldError::new(
            "id",
            "id.invalid",
            "not a record id",
            "ليس معرّف سجل",
        )])
    })?;
    let format = request.format.clone().unwrap_or_else(|| "json".into());
    let lang = request.lang.clone().unwrap_or_else(|| "en".into());
    let what = format!("person:{person}");
    hand_out(
        state,
        caller,
        headers,
        ("wgeid", what),
        format,
        lang,
        move |scope, format| {
            let case = scope.wgeid(person, &request)?;
            Ok(render_wgeid(&case, format))
        },
    )
    .await
}

type Layout = Result<Rendered, String>;

/// Prepares and lays out a report as a job (`jobs`), records it in the audit chain with the
/// hash of what is handed out, and answers with it.
async fn hand_out(
    state: AppState,
    caller: Caller,
    headers: HeaderMap,
    (action, what): (&'static str, String),
    format: String,
    lang: String,
    make: impl FnOnce(&Scope<'_>, &str) -> Result<Layout, ReportError> + Send + 'static,
) -> Result<Response, Problem> {
    let work = move |scope: &Scope<'_>, progress: &Progress| {
        let outcome = make(scope, &format).and_then(|laid_out| {
            let rendered = laid_out.map_err(|e| {
                tracing::error!("report layout failed: {e}");
                ReportError::Invalid {
                    field: "format",
                    problem: "this report could not be laid out".into(),
                }
            })?;
            Ok(rendered)
        });
        if progress.is_cancelled() {
            // Nobody waits for it: nothing is handed out, so nothing is recorded.
            return None;
        }
        let rendered = match outcome.and_then(|rendered| {
            scope.record_handout(action, &what, (&format, &lang), &rendered)?;
            Ok(rendered)
        }) {
            Ok(rendered) => rendered,
            Err(e) => return Some(jobs::problem_output(report_problem(e))),
        };
        Some(JobOutput {
            status: 200,
            media_type: rendered.media_type.to_string(),
            file_name: (rendered.extension != "json")
                .then(|| format!("athar-report.{}", rendered.extension)),
            bytes: rendered.bytes,
        })
    };
    jobs::run(
        &state,
        &caller,
        &headers,
        athar_app::jobs::REPORT,
        Box::new(work),
    )
    .await
}

fn report_problem(e: ReportError) -> Problem {
    match e {
        ReportError::Invalid { field, problem } => Problem::invalid(vec![FieldError::new(
            field,
            "report.invalid",
            problem,
            "قيمة غير صالحة لطلب التقرير",
        )]),
        ReportError::Incomplete(missing) => Problem::invalid(
            missing
                .into_iter()
                .map(|(field, problem)| {
                    FieldError::new(field, "case.incomplete", problem, "عنصر ناقص في الحالة")
                })
                .collect(),
        ),
        ReportError::NotFound(id) => Problem::from(StoreError::NotFound {
            kind: RecordKind::Person,
            id,
        }),
        ReportError::Store(e) => Problem::from(e),
    }
}
