//! Look-ups of vocabulary terms and gazetteer places, by id or by any spelling in Arabic
//! or English.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;

use athar_model::Vocabularies;

use crate::AppState;
use crate::problem::{Problem, QueryParams};

#[derive(Debug, Deserialize)]
pub struct Search {
    pub q: Option<String>,
    pub limit: Option<usize>,
}

pub async fn vocabularies(State(state): State<AppState>) -> Json<serde_json::Value> {
    let list: Vec<_> = Vocabularies::names()
        .filter_map(|n| {
            state
                .vocab
                .by_name(n)
                .map(|v| serde_json::json!({ "name": n, "terms": v.terms().len() }))
        })
        .collect();
    Json(serde_json::json!({ "vocabularies": list }))
}

pub async fn vocabulary(
    State(state): State<AppState>,
    Path(name): Path<String>,
    QueryParams(search): QueryParams<Search>,
) -> Result<Json<serde_json::Value>, Problem> {
    let vocab = state
        .vocab
        .by_name(&name)
        .ok_or_else(|| Problem::not_found().detail("no vocabulary of that name"))?;
    let terms: Vec<_> = match search.q.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => vocab.search(q),
        None => vocab.terms().iter().collect(),
    };
    Ok(Json(serde_json::json!({ "name": name, "terms": terms })))
}

pub async fn gazetteer_search(
    State(state): State<AppState>,
    QueryParams(search): QueryParams<Search>,
) -> Json<serde_json::Value> {
    let limit = search.limit.unwrap_or(20).clamp(1, 400);
    let g = &state.vocab.gazetteer;
    let places: Vec<_> = match search.q.as_deref().filter(|q| !q.trim().is_empty()) {
        Some(q) => g.search(q, limit),
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
