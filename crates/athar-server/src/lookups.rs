//! Look-ups of vocabulary terms and gazetteer places, by id or by any spelling in Arabic
//! or English.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use athar_model::Vocabularies;

use crate::AppState;
use crate::auth::Caller;
use crate::problem::{Problem, QueryParams};
use crate::records::in_scope;

#[derive(Debug, Deserialize)]
pub struct Search {
    pub q: Option<String>,
    pub limit: Option<usize>,
}

/// The vocabularies the caller's organisation acts with (the shared terms and its own)
/// and how many terms each has.
pub async fn vocabularies(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<serde_json::Value>, Problem> {
    let vocab = in_scope(&state, caller, |scope| scope.vocabularies()).await?;
    let list: Vec<_> = Vocabularies::names()
        .filter_map(|n| {
            vocab
                .by_name(n)
                .map(|v| serde_json::json!({ "name": n, "terms": v.terms().len() }))
        })
        .collect();
    Ok(Json(serde_json::json!({ "vocabularies": list })))
}

/// One vocabulary's terms as the caller's organisation has them, or those matching `q`;
/// each term the organisation added (or was shared) says `"added": true`.
pub async fn vocabulary(
    State(state): State<AppState>,
    caller: Caller,
    Path(name): Path<String>,
    QueryParams(search): QueryParams<Search>,
) -> Result<Json<serde_json::Value>, Problem> {
    let vocabularies = in_scope(&state, caller, |scope| scope.vocabularies()).await?;
    let vocab = vocabularies
        .by_name(&name)
        .ok_or_else(|| Problem::not_found().detail("no vocabulary of that name"))?;
    let shared = state.vocab.by_name(&name);
    let terms: Vec<_> = match search.q.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => vocab.search(q),
        None => vocab.terms().iter().collect(),
    };
    let terms: Vec<serde_json::Value> = terms
        .into_iter()
        .map(|t| {
            let mut value = serde_json::to_value(t).unwrap_or_default();
            if shared.is_some_and(|s| s.get(&t.id).is_none())
                && let Some(object) = value.as_object_mut()
            {
                object.insert("added".into(), serde_json::Value::Bool(true));
            }
            value
        })
        .collect();
    Ok(Json(serde_json::json!({ "name": name, "terms": terms })))
}

pub async fn gazetteer_search(
    State(state): State<AppState>,
    QueryParams(search): QueryParams<Search>,
) -> Json<serde_json::Value> {
    let limit = search.limit.unwrap_or(20).clamp(1, 400);
    let g = &state.vocab.gazetteer;
    let places: Vec<_> = match search.q.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => {
            let mut found = g.search(q, limit);
            // A place better known by its prison ("Sednaya", "Tadmur"): the facility's
            // spellings find the area it is in.
            for facility in state.vocab.facilities.search(q) {
                if let Some(entry) = facility.pcode.as_deref().and_then(|p| g.get(p))
                    && !found.iter().any(|e| e.pcode == entry.pcode)
                    && found.len() < limit
                {
                    found.push(entry);
                }
            }
            found
        }
        None => g.entries().iter().take(limit).collect(),
    };
    Json(serde_json::json!({ "places": places }))
}

pub async fn gazetteer_entry(
    State(state): State<AppState>,
    Path(pcode): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let g = &state.vocab.gazetteer;
    let entry = g
        .get(&pcode)
        .ok_or_else(|| Problem::not_found().detail("no place with that P-code"))?;
    let ancestors: Vec<_> = g.ancestors(&pcode).into_iter().skip(1).collect();
    Ok(Json(
        serde_json::json!({ "place": entry, "within": ancestors }),
    ))
}
