//! Create, read, update, delete and list records of every kind, their history, a person's
//! journey (timeline) and derived status.
//!
//! Store calls block, so each runs on tokio's blocking pool. Responses carry the record's
//! revision as an `ETag`; an update or deletion sent with `If-Match` fails with 412 if the
//! record changed in between.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use athar_model::date::civil_from_days;
use athar_model::*;
use athar_store::{Change, Revision, StoreError, StoredRecord};

use crate::auth::Caller;

use crate::AppState;
use crate::problem::{JsonBody, Problem};

/// Until accounts exist, every change made through the API is attributed to this author.
pub const MAX_PAGE: usize = 500;

/// Run a blocking store call off the async threads.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Problem> {
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result.map_err(Problem::from),
        Err(_) => Err(Problem::internal()),
    }
}

/// Run a use case as the caller's organisation (its scope in `athar-app`), off the async
/// threads: the one preamble of every handler that reads or writes records.
pub async fn in_scope<T: Send + 'static>(
    state: &AppState,
    caller: Caller,
    f: impl FnOnce(&athar_app::Scope<'_>) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, Problem> {
    let app = state.app.clone();
    blocking(move || f(&caller.scope(&app))).await
}

/// RFC 3339 UTC time of a unix-milliseconds timestamp.
pub fn rfc3339(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// A record as the API returns it: its identity and revision, then its content.
#[derive(Debug, Serialize)]
pub struct RecordOut {
    pub id: RecordId,
    pub kind: RecordKind,
    pub rev: u32,
    pub created_at: String,
    pub updated_at: String,
    /// Present and true when the record's identifying parts were destroyed (shredded).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub shredded: bool,
    /// Present and true when another organisation shared it without identifying parts.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pseudonymised: bool,
    /// The owning organisation's number (see `/api/organisations`).
    pub owner: i64,
    #[serde(flatten)]
    pub content: serde_json::Value,
}

impl RecordOut {
    pub fn from_stored(r: &StoredRecord) -> Self {
        let content = match &r.body {
            RecordBody::Person(p) => serde_json::to_value(p),
            RecordBody::Event(e) => serde_json::to_value(e),
            RecordBody::Involvement(i) => serde_json::to_value(i),
            RecordBody::Source(s) => serde_json::to_value(s),
            RecordBody::Match(m) => serde_json::to_value(m),
            RecordBody::Term(t) => serde_json::to_value(t),
        }
        .unwrap_or(serde_json::Value::Null);
        RecordOut {
            id: r.id,
            kind: r.body.kind(),
            rev: r.rev,
            created_at: rfc3339(r.created_at),
            updated_at: rfc3339(r.updated_at),
            shredded: r.shredded,
            pseudonymised: r.pseudonymised,
            owner: r.owner,
            content,
        }
    }
}

fn with_etag(
    status: StatusCode,
    record: &StoredRecord,
    extra: Option<serde_json::Value>,
) -> Response {
    let mut value = serde_json::to_value(RecordOut::from_stored(record)).unwrap_or_default();
    if let (Some(obj), Some(serde_json::Value::Object(extra))) = (value.as_object_mut(), extra) {
        obj.extend(extra);
    }
    let mut response = (status, Json(value)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", record.rev)) {
        response.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED {
        let location = format!("/api/{}/{}", record.body.kind().collection(), record.id);
        if let Ok(v) = HeaderValue::from_str(&location) {
            response.headers_mut().insert(header::LOCATION, v);
        }
    }
    response
}

/// A record body type the API accepts.
pub trait ApiBody: DeserializeOwned + Send + 'static {
    const KIND: RecordKind;
    fn into_body(self) -> RecordBody;
}

impl ApiBody for Person {
    const KIND: RecordKind = RecordKind::Person;
    fn into_body(self) -> RecordBody {
        RecordBody::Person(self)
    }
}
impl ApiBody for Event {
    const KIND: RecordKind = RecordKind::Event;
    fn into_body(self) -> RecordBody {
        RecordBody::Event(self)
    }
}
impl ApiBody for Involvement {
    const KIND: RecordKind = RecordKind::Involvement;
    fn into_body(self) -> RecordBody {
        RecordBody::Involvement(self)
    }
}
impl ApiBody for Source {
    const KIND: RecordKind = RecordKind::Source;
    fn into_body(self) -> RecordBody {
        RecordBody::Source(self)
    }
}
impl ApiBody for Match {
    const KIND: RecordKind = RecordKind::Match;
    fn into_body(self) -> RecordBody {
        RecordBody::Match(self)
    }
}
impl ApiBody for VocabularyTerm {
    const KIND: RecordKind = RecordKind::Term;
    fn into_body(self) -> RecordBody {
        RecordBody::Term(self)
    }
}

// Problems are built once per refused request; boxing them would buy nothing.
#[allow(clippy::result_large_err)]
pub fn parse_id(text: &str) -> Result<RecordId, Problem> {
    text.parse()
        .map_err(|_| Problem::not_found().detail("the id is not a record identifier"))
}

#[allow(clippy::result_large_err)]
fn if_match(headers: &HeaderMap) -> Result<Option<u32>, Problem> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .unwrap_or_default()
        .trim()
        .trim_start_matches("W/")
        .trim_matches('"');
    text.parse().map(Some).map_err(|_| {
        Problem::invalid(vec![FieldError::new(
            "If-Match",
            "if_match.invalid",
            "If-Match must be the revision number from the record's ETag, e.g. \"3\"",
            "يجب أن يكون If-Match رقم المراجعة من ETag، مثل \"3\"",
        )])
    })
}

pub async fn create<T: ApiBody>(
    State(state): State<AppState>,
    caller: Caller,
    JsonBody(body): JsonBody<T>,
) -> Result<Response, Problem> {
    let id = RecordId::new();
    let body = body.into_body();
    let action = format!("api.{}.create", T::KIND.name());
    let record = in_scope(&state, caller, move |scope| scope.create(&action, id, body)).await?;
    Ok(with_etag(StatusCode::CREATED, &record, None))
}

pub async fn update<T: ApiBody>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<T>,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let expected_rev = if_match(&headers)?;
    let body = body.into_body();
    let action = format!("api.{}.update", T::KIND.name());
    let record = in_scope(&state, caller, move |scope| {
        scope.update(&action, id, expected_rev, body)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &record, None))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteRequest {
    /// Why the record is deleted; kept in its history.
    pub reason: String,
}

#[derive(Debug, Serialize)]
struct Deleted {
    id: RecordId,
    rev: u32,
    deleted: bool,
    reason: String,
}

pub async fn delete(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
    headers: HeaderMap,
    body: DeleteRequest,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let expected_rev = if_match(&headers)?;
    let reason = body.reason.clone();
    let action = format!("api.{}.delete", kind.name());
    let written = in_scope(&state, caller, move |scope| {
        scope.write(
            &action,
            vec![Change::Delete {
                kind,
                id,
                expected_rev,
                reason,
            }],
        )
    })
    .await?;
    let rev = written.revisions.first().map_or(0, |(_, rev)| *rev);
    Ok(Json(Deleted {
        id,
        rev,
        deleted: true,
        reason: body.reason,
    })
    .into_response())
}

pub async fn get(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    if kind == RecordKind::Person {
        let journey = in_scope(&state, caller, move |scope| {
            let journey = scope.journey(id)?;
            scope.record_view(kind, &[id])?;
            Ok(journey)
        })
        .await?;
        let status = journey.status(state.vocab);
        let extra = serde_json::json!({ "status": status, "status_label": { "en": status.label_en(), "ar": status.label_ar() } });
        return Ok(with_etag(StatusCode::OK, &journey.person, Some(extra)));
    }
    let record = in_scope(&state, caller, move |scope| {
        let record = scope.read(kind, id)?;
        scope.record_view(kind, &[id])?;
        Ok(record)
    })
    .await?;
    Ok(with_etag(StatusCode::OK, &record, None))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    pub after: Option<String>,
    pub limit: Option<usize>,
    /// Persons only: every word must match a word of one of the person's names, in any
    /// spelling or script, found through the blind index; closest first.
    pub name: Option<String>,
}

#[derive(Debug, Serialize)]
struct Page {
    items: Vec<RecordOut>,
    /// Pass as `after` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<RecordId>,
    total: u64,
}

/// A page of persons found by name: closest first, each saying how close.
#[derive(Debug, Serialize)]
struct NamePage {
    items: Vec<NameMatchOut>,
    /// Pass as `after` (with the same `name`) to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
    total: u64,
}

#[derive(Debug, Serialize)]
struct NameMatchOut {
    #[serde(flatten)]
    record: RecordOut,
    /// `same-spelling`, `same-sound` (another spelling or script) or `same-skeleton`.
    closeness: athar_store::NameCloseness,
}

fn invalid_after() -> Problem {
    Problem::invalid(vec![FieldError::new(
        "after",
        "after.invalid",
        "not a record identifier (or, with name, the next value of the page before)",
        "ليس معرّف سجل (أو، مع الاسم، قيمة next من الصفحة السابقة)",
    )])
}

pub async fn list(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    query: ListQuery,
) -> Result<Response, Problem> {
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    if let Some(name) = query.name {
        if kind != RecordKind::Person {
            return Err(Problem::invalid(vec![FieldError::new(
                "name",
                "name.not_here",
                "searching by name is for persons",
                "البحث بالاسم للأشخاص فقط",
            )]));
        }
        let after = match query.after.as_deref() {
            Some(a) => Some(
                a.parse::<athar_store::SearchCursor>()
                    .map_err(|()| invalid_after())?,
            ),
            None => None,
        };
        // Only persons this organisation may see by name — its own and those shared in
        // full — are searched, counted and paged.
        let found = in_scope(&state, caller, move |scope| {
            let found = scope.find_persons(&name, after, limit)?;
            scope.record_view(
                kind,
                &found.items.iter().map(|m| m.record.id).collect::<Vec<_>>(),
            )?;
            Ok(found)
        })
        .await?;
        return Ok(Json(NamePage {
            total: found.total,
            items: found
                .items
                .iter()
                .map(|m| NameMatchOut {
                    record: RecordOut::from_stored(&m.record),
                    closeness: m.closeness,
                })
                .collect(),
            next: found.next.map(|c| c.to_string()),
        })
        .into_response());
    }
    let after = match query.after.as_deref() {
        Some(a) => Some(a.parse::<RecordId>().map_err(|_| invalid_after())?),
        None => None,
    };
    let (records, total) = in_scope(&state, caller, move |scope| {
        let page = scope.list(kind, after, limit)?;
        scope.record_view(kind, &page.iter().map(|r| r.id).collect::<Vec<_>>())?;
        Ok((page, scope.count(kind)?))
    })
    .await?;
    let next = (records.len() == limit)
        .then(|| records.last().map(|r| r.id))
        .flatten();
    Ok(Json(Page {
        items: records.iter().map(RecordOut::from_stored).collect(),
        next,
        total,
    })
    .into_response())
}

#[derive(Debug, Serialize)]
struct RevisionOut {
    rev: u32,
    op: athar_store::Operation,
    at: String,
    author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    audit_seq: i64,
    hash: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    shredded: bool,
    content: serde_json::Value,
}

pub async fn history(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let revisions: Vec<Revision> = in_scope(&state, caller, move |scope| {
        let revisions = scope.history(kind, id)?;
        scope.record_view(kind, &[id])?;
        Ok(revisions)
    })
    .await?;
    let out: Vec<RevisionOut> = revisions
        .into_iter()
        .map(|r| RevisionOut {
            rev: r.rev,
            op: r.op,
            at: rfc3339(r.at),
            author: r.author,
            reason: r.reason,
            audit_seq: r.audit_seq,
            hash: r.hash,
            shredded: r.shredded,
            content: serde_json::to_value(&r.body)
                .ok()
                .and_then(|v| v.get("body").cloned())
                .unwrap_or_default(),
        })
        .collect();
    Ok(Json(serde_json::json!({ "id": id, "kind": kind, "revisions": out })).into_response())
}

pub async fn event_involvements(
    state: AppState,
    caller: Caller,
    id: String,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let records = in_scope(&state, caller, move |scope| {
        let found = scope.event_involvements(id)?;
        let ids: Vec<RecordId> = found.iter().map(|r| r.id).collect();
        scope.record_view(RecordKind::Involvement, &ids)?;
        Ok(found)
    })
    .await?;
    Ok(Json(serde_json::json!({ "items": records.iter().map(RecordOut::from_stored).collect::<Vec<_>>() })).into_response())
}

#[derive(Debug, Serialize)]
struct TimelineStep {
    position: usize,
    role: Role,
    involvement: RecordId,
    /// Whether the person was a child at the event (docs/DEFINITIONS.md).
    age_group: AgeGroup,
    kind_label: Label,
    /// The event's place, unit, party, host country, crossing and cause by name in both
    /// languages (the event itself holds their codes).
    names: serde_json::Map<String, serde_json::Value>,
    previous: Option<RecordId>,
    next: Option<RecordId>,
    event: RecordOut,
}

#[derive(Debug, Serialize)]
struct Label {
    en: String,
    ar: String,
}

pub async fn timeline(state: AppState, caller: Caller, id: String) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    let (journey, vocab) = in_scope(&state, caller, move |scope| {
        let journey = scope.journey(id)?;
        scope.record_view(RecordKind::Person, &[id])?;
        Ok((journey, scope.vocabularies()?))
    })
    .await?;
    let RecordBody::Person(p) = &journey.person.body else {
        return Err(Problem::not_found());
    };
    let status = journey.status(&vocab);
    let ids: Vec<RecordId> = journey.steps.iter().map(|s| s.event.id).collect();
    let steps: Vec<TimelineStep> = journey
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let term = vocab.event_kinds.get(&step.details.kind);
            let next = journey
                .steps
                .iter()
                .find(|s| s.details.previous == Some(step.event.id))
                .map(|s| s.event.id);
            TimelineStep {
                position: i + 1,
                role: step.role,
                involvement: step.involvement.id,
                age_group: p.age_group_at(&step.details.start),
                kind_label: Label {
                    en: term
                        .map(|t| t.en.clone())
                        .unwrap_or_else(|| step.details.kind.clone()),
                    ar: term
                        .map(|t| t.ar.clone())
                        .unwrap_or_else(|| step.details.kind.clone()),
                },
                names: names_of(&step.details, &vocab),
                previous: step.details.previous.filter(|p| ids.contains(p)),
                next,
                event: RecordOut::from_stored(&step.event),
            }
        })
        .collect();
    Ok(Json(serde_json::json!({
        "person": RecordOut::from_stored(&journey.person),
        "status": status,
        "status_label": { "en": status.label_en(), "ar": status.label_ar() },
        "events": steps,
    }))
    .into_response())
}

/// An event's coded values by name in English and Arabic: the place (the gazetteer area,
/// with the facility when there is one, or the place as written), the unit, the party,
/// the host country, the crossing and the cause of death.
fn names_of(event: &Event, vocab: &Vocabularies) -> serde_json::Map<String, serde_json::Value> {
    use athar_model::Lang;
    let en = event_labels(event, vocab, Lang::En);
    let ar = event_labels(event, vocab, Lang::Ar);
    en.into_iter()
        .filter_map(|(field, en)| {
            let ar = ar.iter().find(|(f, _)| *f == field)?.1.clone();
            Some((field.to_string(), serde_json::json!({ "en": en, "ar": ar })))
        })
        .collect()
}

/// An event's coded values by name in one language: `place` (the gazetteer area, with the
/// facility when there is one, or the place as written), `unit`, `party` (the one the
/// event names, else the one its unit served), `host_country`, `crossing`, `cause`. The
/// API's timeline and the person page both show them.
pub(crate) fn event_labels(
    event: &Event,
    vocab: &Vocabularies,
    lang: athar_model::Lang,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(place) = &event.place
        && let Some(name) = vocab.place_name(place, lang).or_else(|| place.text.clone())
    {
        out.push(("place", name));
    }
    let coded: [(&str, Option<&String>, &athar_model::Vocabulary); 5] = [
        ("unit", event.unit.as_ref(), &vocab.units),
        ("party", event.party.as_ref(), &vocab.authorities),
        (
            "host_country",
            event.host_country.as_ref(),
            &vocab.host_countries,
        ),
        ("crossing", event.crossing.as_ref(), &vocab.border_crossings),
        ("cause", event.cause.as_ref(), &vocab.causes_of_death),
    ];
    for (field, id, list) in coded {
        if let Some(id) = id {
            out.push((field, list.label_of(id, lang)));
        }
    }
    // The party a unit served, when the event names the unit only.
    if event.party.is_none()
        && let Some(party) = event
            .unit
            .as_deref()
            .and_then(|u| vocab.authority_of_unit(u))
    {
        out.push(("party", vocab.authorities.label_of(party, lang)));
    }
    out
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShredRequest {
    /// Why the identifying data is destroyed (no personal data); kept in the history.
    pub reason: String,
}

/// `POST /api/{kind}/{id}/shred`.
pub async fn shred(
    kind: RecordKind,
    state: AppState,
    caller: Caller,
    id: String,
    body: ShredRequest,
) -> Result<Response, Problem> {
    let id = parse_id(&id)?;
    // Only the owner destroys; for everyone else the record is not there.
    let written = in_scope(&state, caller, move |scope| {
        scope.shred(kind, id, &body.reason)
    })
    .await?;
    let rev = written.revisions.first().map_or(0, |(_, rev)| *rev);
    Ok(Json(serde_json::json!({ "id": id, "rev": rev, "shredded": true })).into_response())
}

/// `GET /api/audit/head`.
pub async fn audit_head(State(state): State<AppState>) -> Result<Response, Problem> {
    let app = state.app.clone();
    let head = blocking(move || app.audit_head()).await?;
    Ok(Json(head).into_response())
}
