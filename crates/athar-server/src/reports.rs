//! The periodic report, the safety brief and the WGEID case through the API
//! (`GET /api/reports/periodic`, `/api/reports/brief`, `/api/persons/{id}/wgeid`): requests
//! in, `athar_app::reports` prepares them for the caller's organisation, the layout out.

use athar_app::Scope;
use athar_app::reports::{
    BriefRequest, CaseRequest, Rendered, ReportError, ReportRequest, render, render_brief,
    render_wgeid,
};
use athar_model::validation::FieldError;
use athar_model::{RecordId, RecordKind};
use athar_store::StoreError;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{Problem, QueryParams};

/// `GET /api/reports/periodic`: the report as JSON (for the web UI), or as an HTML or PDF
/// file to download.
pub async fn periodic(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(request): QueryParams<ReportRequest>,
) -> Result<Response, Problem> {
    let format = request.format.clone().unwrap_or_else(|| "json".into());
    let lang = request.lang.clone().unwrap_or_else(|| "en".into());
    hand_out(
        state,
        caller,
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
    QueryParams(request): QueryParams<BriefRequest>,
) -> Result<Response, Problem> {
    let format = request.format.clone().unwrap_or_else(|| "json".into());
    let lang = request.lang.clone().unwrap_or_else(|| "en".into());
    let what = format!("brief {}", request.region.trim());
    hand_out(
        state,
        caller,
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

/// Prepares and lays out a report off the async threads, records it in the audit chain
/// with the hash of what is handed out, and answers with it.
async fn hand_out(
    state: AppState,
    caller: Caller,
    (action, what): (&'static str, String),
    format: String,
    lang: String,
    make: impl FnOnce(&Scope<'_>, &str) -> Result<Layout, ReportError> + Send + 'static,
) -> Result<Response, Problem> {
    let app = state.app.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let scope = caller.scope(&app);
        let rendered = make(&scope, &format)?.map_err(|e| {
            tracing::error!("report layout failed: {e}");
            ReportError::Invalid {
                field: "format",
                problem: "this report could not be laid out".into(),
            }
        })?;
        scope.record_handout(action, &what, (&format, &lang), &rendered)?;
        Ok::<_, ReportError>(rendered)
    })
    .await
    .map_err(|_| Problem::internal())?;
    let rendered = outcome.map_err(|e| match e {
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
    })?;
    let disposition = (rendered.extension != "json")
        .then(|| {
            HeaderValue::from_str(&format!(
                "attachment; filename=\"athar-report.{}\"",
                rendered.extension
            ))
            .ok()
        })
        .flatten();
    let mut response = (
        [(header::CONTENT_TYPE, rendered.media_type)],
        rendered.bytes,
    )
        .into_response();
    if let Some(value) = disposition {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
