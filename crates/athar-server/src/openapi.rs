//! The OpenAPI 3.1 document: component schemas derived from the model types, paths from
//! the [`crate::endpoints`] table.

use athar_model::*;
use serde_json::{Value, json};
use utoipa::OpenApi;

use crate::problem::Problem;
use athar_model::access::Scope;

use crate::admin::{DisabledRequest, NewOrganisationRequest, NewUserRequest};
use crate::auth::{Access, SignInRequest, TokenRequest};
use crate::family_search::{OutcomeRequest, SearchStepRequest};
use crate::linkage::{DecisionRequest, RunRequest};
use crate::records::{DeleteRequest, ShredRequest};
use crate::review::{ReviewDecision, ReviewRequest};
use crate::sharing::{ShareEntry, SharingRequest};
use crate::stats::EstimateRequest;
use athar_model::review::{CaseReview, ReviewState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Athar API",
        description = "Documentation of detention, disappearance, torture and killing in Syria: persons, events, involvements, sources, vocabularies and gazetteer. Errors are application/problem+json.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(
        Person,
        PersonName,
        Script,
        Sex,
        Identifier,
        PlaceRef,
        Citation,
        Event,
        Verification,
        Role,
        Involvement,
        Source,
        Match,
        MatchDecision,
        Reliability,
        Credibility,
        Term,
        VocabularyTerm,
        GazetteerEntry,
        Level,
        Problem,
        FieldError,
        DeleteRequest,
        ShredRequest,
        SignInRequest,
        TokenRequest,
        SharingRequest,
        ShareEntry,
        NewUserRequest,
        DisabledRequest,
        NewOrganisationRequest,
        EstimateRequest,
        RunRequest,
        DecisionRequest,
        ReviewRequest,
        ReviewDecision,
        SearchStepRequest,
        OutcomeRequest,
        athar_model::tracing::Tracing,
        athar_model::tracing::Outcome,
        CaseReview,
        ReviewState,
        Scope,
        Status,
        AgeGroup,
        RecordKind
    ))
)]
struct ApiDoc;

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// The whole document, as served at `/api/openapi.json`.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    let problem = json!({ "description": "A problem (RFC 9457)", "content": { "application/problem+json": { "schema": schema_ref("Problem") } } });
    let mut paths = serde_json::Map::new();
    for endpoint in crate::endpoints() {
        let mut parameters = Vec::new();
        for segment in endpoint.path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                parameters.push(json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }));
            }
        }
        if endpoint.method == "GET"
            && endpoint.path.ends_with('s')
            && endpoint.path.starts_with("/api/")
            && !endpoint.path.contains('{')
        {
            parameters.push(json!({ "name": "after", "in": "query", "required": false, "description": "the `next` of the page before: a record id, or with `name` a `score.id` place in the ranking", "schema": { "type": "string" } }));
            parameters.push(json!({ "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": crate::records::MAX_PAGE } }));
            if endpoint.path == "/api/persons" {
                parameters.push(json!({ "name": "name", "in": "query", "required": false, "description": "every word must match a word of one of the person's names, in any spelling or script (the same skeleton); closest first, each item's `closeness` says how close (same-spelling, same-sound, same-skeleton)", "schema": { "type": "string" } }));
            }
        }
        if endpoint.tag == "lookups" && !endpoint.path.contains('{')
            || endpoint.path.ends_with("{name}")
        {
            parameters.push(json!({ "name": "q", "in": "query", "required": false, "schema": { "type": "string" } }));
        }
        if matches!(endpoint.method, "PUT" | "DELETE") {
            parameters.push(json!({ "name": "If-Match", "in": "header", "required": false, "schema": { "type": "string" }, "description": "The revision you edited, as in the ETag; 412 if the record changed since" }));
        }
        let ok = match endpoint.response {
            Some(name) => {
                json!({ "description": "OK", "content": { "application/json": { "schema": schema_ref(name) } } })
            }
            None => json!({ "description": "OK", "content": { "application/json": {} } }),
        };
        // A POST that makes something answers 201; signing in, asking for an estimate
        // and shredding make nothing new and answer 200.
        let makes_nothing = endpoint.path == "/api/session"
            || endpoint.path == "/api/estimate"
            || endpoint.path.ends_with("/shred");
        let status = if endpoint.method == "POST" && !makes_nothing {
            "201"
        } else {
            "200"
        };
        let mut operation = json!({
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "parameters": parameters,
            "responses": { status: ok, "404": problem, "422": problem, "500": problem },
        });
        if let Access::Needs(action) = endpoint.access {
            operation["security"] = json!([{ "session": [] }, { "token": [] }]);
            operation["x-athar-action"] = json!(action);
            operation["responses"]["401"] = problem.clone();
            operation["responses"]["403"] = problem.clone();
        }
        if let Some(request) = endpoint.request {
            operation["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema_ref(request) } } });
        }
        let item = paths
            .entry(endpoint.path.clone())
            .or_insert_with(|| json!({}));
        item[endpoint.method.to_lowercase()] = operation;
    }
    doc["paths"] = Value::Object(paths);
    doc["components"]["securitySchemes"] = json!({
        "session": { "type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE, "description": "From POST /api/session; requests that change something also send X-CSRF-Token" },
        "token": { "type": "http", "scheme": "bearer", "description": "An API token from POST /api/tokens or `athar token create`" },
    });
    doc
}
