//! The pages of families' tracing after the report is filed: `/tracing/{id}` shows the
//! candidate matches, the steps and the outcome; its forms confirm or reject a candidate
//! (a linkage decision), record a step and record the outcome; `/tracing/{id}/letter` hands
//! out the letter to the family as a PDF, recorded in the audit chain with its hash. Each
//! reads and writes through the account's scope (`athar_app::tracing`).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use athar_app::tracing::{Contradiction, last_seen, search_steps};
use athar_model::access::Action;
use athar_model::intake::{OutcomeDraft, SearchStepDraft};
use athar_model::vocab::Lang;
use athar_model::{FieldError, RecordBody, RecordId, RecordKind};
use athar_web::tracing::{CandidateFacts, Term, TracingFacts, TracingForms};

use super::{
    Reader, csrf_ok, csrf_refused, error_page, html, notice_key, reader_of_record, refused,
    step_of, utf8_percent,
};
use crate::AppState;
use crate::problem::Problem;
use crate::records::in_scope;

/// The page, with the forms as typed and what stopped them.
async fn show(
    state: &AppState,
    reader: Reader,
    id: RecordId,
    forms: TracingForms<'_>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let lang = reader.lang;
    let read = in_scope(state, reader.caller.clone(), move |scope| {
        let journey = scope.journey(id)?;
        let vocab = scope.vocabularies()?;
        let owned = scope.read_owned(RecordKind::Person, id).is_ok();
        let found = scope.tracing_candidates(id)?;
        let mut reported = None;
        if let RecordBody::Person(p) = &journey.person.body
            && let Some(c) = p.sources.first()
            && let Some(r) = scope.read_if_visible(RecordKind::Source, c.source)?
            && let RecordBody::Source(s) = r.body
        {
            reported = Some((s.title, s.date));
        }
        Ok((journey, vocab, owned, found, reported))
    })
    .await;
    let (journey, vocab, owned, found, reported) = match read {
        Ok(r) => r,
        Err(p) => return error_page(lang, &reader.chrome, &p),
    };
    let RecordBody::Person(person) = &journey.person.body else {
        return error_page(lang, &reader.chrome, &Problem::not_found());
    };
    let candidates = found
        .candidates
        .iter()
        .filter_map(|c| {
            let RecordBody::Person(p) = &c.journey.person.body else {
                return None;
            };
            Some(CandidateFacts {
                id: c.candidate.person.to_string(),
                person: p,
                probability: c.candidate.probability,
                terms: c
                    .candidate
                    .why
                    .terms
                    .iter()
                    .map(|t| Term {
                        comparison: t.comparison.clone(),
                        level: t.level.to_string(),
                        weight: t.weight + t.frequency_adjustment,
                    })
                    .collect(),
                decision: c.candidate.decision,
                sources: c.sources.clone(),
                status: c.status,
                events: c
                    .journey
                    .as_victim()
                    .map(|s| step_of(&vocab, lang, &s.details))
                    .collect(),
                died_before_seen: c
                    .against
                    .iter()
                    .map(|a| match a {
                        Contradiction::DiedBeforeLastSeen { kind, date } => {
                            (vocab.event_kinds.label_of(kind, lang), *date)
                        }
                    })
                    .collect(),
            })
        })
        .collect();
    let (reported_by, reported_on) = match reported {
        Some((by, on)) => (Some(by).filter(|b| !b.trim().is_empty()), on),
        None => (None, athar_model::FuzzyDate::Unknown),
    };
    let facts = TracingFacts {
        id: id.to_string(),
        rev: journey.person.rev,
        person,
        last_seen: last_seen(&journey, &vocab).map(|s| step_of(&vocab, lang, &s.details)),
        reported_by,
        reported_on,
        steps: search_steps(&journey, &vocab)
            .map(|s| {
                (
                    step_of(&vocab, lang, &s.details),
                    s.details.narrative.clone(),
                )
            })
            .collect(),
        model: found.model.map(|m| match m {
            athar_link::tracing::ModelSource::Run { run } => Some(run),
            athar_link::tracing::ModelSource::LearntNow => None,
        }),
        withheld: found.withheld,
        compared: found.compared,
        candidates,
        can_write: owned && reader.caller.may(Action::WriteRecords),
        notice: notice.and_then(|n| notice_key(Some(n))),
    };
    html(
        status,
        athar_web::tracing::tracing_page(lang, &reader.chrome, &facts, &forms, &vocab),
    )
}

#[derive(Debug, Deserialize)]
pub(super) struct NoticeQuery {
    notice: Option<String>,
}

/// `GET /tracing/{id}`.
pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Response {
    let here = format!("/tracing/{}", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here, Action::ReadRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    show(
        &state,
        reader,
        id,
        TracingForms::default(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(super) struct DecideForm {
    #[serde(default)]
    csrf: String,
    candidate: String,
    decision: String,
}

/// `POST /tracing/{id}/decide`: the same person or not, as a linkage decision about the
/// organisation's own report.
pub(super) async fn decide(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DecideForm>,
) -> Response {
    let posted = super::PostedDecision {
        csrf: &form.csrf,
        other: &form.candidate,
        decision: &form.decision,
        own_record_only: true,
    };
    let here = format!("/tracing/{}", utf8_percent(&id));
    posted
        .decide(&state, &headers, here, &id, |id| {
            format!("/tracing/{id}?notice=decided#candidates-title")
        })
        .await
}

/// Problems of one form, named as the page names its fields (`step.date`).
fn named(prefix: &str, problems: Vec<FieldError>) -> Vec<FieldError> {
    problems
        .into_iter()
        .map(|mut p| {
            p.field = format!("{prefix}.{}", p.field);
            p
        })
        .collect()
}

fn posted(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The writer of a posted form about the report `id`, its CSRF token checked (or the page
/// to answer instead).
async fn form_writer(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
    pairs: &[(String, String)],
) -> Result<(Reader, RecordId), Response> {
    let here = format!("/tracing/{}", utf8_percent(id));
    let (reader, id) = reader_of_record(state, headers, here, Action::WriteRecords, id).await?;
    if !csrf_ok(&reader.caller, &posted(pairs, "csrf")) {
        return Err(csrf_refused());
    }
    Ok((reader, id))
}

/// What a form's write came to: on to `written` when it was written; the page again with
/// the form as typed and its problems (named under `prefix`) when refused; else the error.
async fn after_form<T>(
    state: &AppState,
    (reader, id): (Reader, RecordId),
    done: Result<Result<T, Vec<FieldError>>, Problem>,
    (prefix, written): (&str, String),
    forms: impl for<'a> FnOnce(&'a [FieldError]) -> TracingForms<'a>,
) -> Response {
    match done {
        Ok(Ok(_)) => Redirect::to(&written).into_response(),
        Ok(Err(problems)) => {
            let problems = named(prefix, problems);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            show(state, reader, id, forms(&problems), None, status).await
        }
        // Changed meanwhile, or not this organisation's: said in words.
        Err(p) => refused(&reader, &p, &format!("/tracing/{id}")),
    }
}

/// `POST /tracing/{id}/steps`: a step taken, or the form again with what stops it.
pub(super) async fn add_step(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (reader, id) = match form_writer(&state, &headers, &id, &pairs).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let step = SearchStepDraft {
        kind: posted(&pairs, "step.kind"),
        date: posted(&pairs, "step.date"),
        narrative: posted(&pairs, "step.narrative"),
    };
    let typed = step.clone();
    let done = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.record_search_step(id, &typed)
    })
    .await;
    let written = format!("/tracing/{id}?notice=step#steps-title");
    after_form(&state, (reader, id), done, ("step", written), |problems| {
        TracingForms {
            step,
            problems,
            ..TracingForms::default()
        }
    })
    .await
}

/// `POST /tracing/{id}/outcome`: the outcome recorded, or the form again with what stops it.
pub(super) async fn record_outcome(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let (reader, id) = match form_writer(&state, &headers, &id, &pairs).await {
        Ok(r) => r,
        Err(to) => return to,
    };
    let outcome = OutcomeDraft {
        outcome: posted(&pairs, "outcome.outcome"),
        date: posted(&pairs, "outcome.date"),
        matched: posted(&pairs, "outcome.matched"),
        note: posted(&pairs, "outcome.note"),
    };
    let rev = posted(&pairs, "rev").parse::<u32>().ok();
    let typed = outcome.clone();
    let done = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.record_tracing_outcome(id, &typed, rev)
    })
    .await;
    let written = format!("/tracing/{id}?notice=outcome#outcome-title");
    after_form(
        &state,
        (reader, id),
        done,
        ("outcome", written),
        |problems| TracingForms {
            outcome,
            problems,
            ..TracingForms::default()
        },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub(super) struct LetterQuery {
    lang: Option<String>,
}

/// `GET /tracing/{id}/letter?lang=ar|en`: the letter to the family as a PDF, its handing
/// out recorded in the audit chain with the SHA-256 of the file.
pub(super) async fn letter(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LetterQuery>,
) -> Response {
    let here = format!("/tracing/{}", utf8_percent(&id));
    let (reader, id) =
        match reader_of_record(&state, &headers, here.clone(), Action::ReadRecords, &id).await {
            Ok(r) => r,
            Err(to) => return to,
        };
    let lang = match q.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Ar,
    };
    let made = in_scope(&state, reader.caller.clone(), move |scope| {
        scope.hand_out_letter(id, lang, true)
    })
    .await;
    match made {
        Ok(Ok(rendered)) => crate::family_search::letter_response(id, rendered),
        Ok(Err(why)) => refused(
            &reader,
            &Problem::invalid(vec![athar_app::tracing::letter_refusal(&why)]),
            &here,
        ),
        Err(p) => error_page(reader.lang, &reader.chrome, &p),
    }
}
