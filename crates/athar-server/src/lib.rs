//! # athar-server — the HTTP JSON API
//!
//! Routes are declared once, in [`endpoints`]: the router, the OpenAPI document served at
//! `/api/openapi.json`, and the tests that walk every endpoint are all built from that
//! table, so an endpoint cannot exist without being described.
//!
//! Every record kind (persons, events, involvements, sources) has the same five
//! operations — list, create, read, update, delete — plus its revision history; persons
//! also have their timeline (their journey in order, with derived status), events their
//! involvements. Vocabularies and the gazetteer can be looked up in Arabic or English.
//!
//! Responses carry strict security headers (no framing, no referrer, no sniffing, no
//! caching of personal data, a CSP that allows nothing). Errors are problem+json.
//! Every route declares who may call it ([`Access`]); [`auth::authorize`] checks each
//! request against that declaration — session cookie with CSRF token, or API token — and
//! refuses routes without one.

#![forbid(unsafe_code)]

pub mod admin;
pub mod auth;
pub mod evidence;
pub mod family_search;
pub mod jobs;
pub mod linkage;
pub mod lists;
pub mod lookups;
pub mod openapi;
pub mod pages;
pub mod problem;
pub mod records;
pub mod reports;
pub mod review;
pub mod sharing;
pub mod stats;

use std::future::Future;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use axum::middleware;
use axum::routing::{MethodRouter, delete, get, post, put};
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;

use athar_model::access::Action;
use athar_model::{
    Event, Involvement, Match, Person, RecordKind, Source, Vocabularies, VocabularyTerm,
};
use athar_store::Backend;

pub use auth::{Access, Caller};

use problem::{JsonBody, Problem, QueryParams};
use records::{ApiBody, DeleteRequest, ListQuery, ShredRequest};

/// What every handler can reach: Athar's use cases (never the store itself).
#[derive(Clone)]
pub struct AppState {
    pub app: Arc<athar_app::App>,
    pub vocab: &'static Vocabularies,
    /// The largest evidence file accepted, in bytes.
    pub evidence_limit: u64,
    /// Refused sign-ins per client address, for throttling.
    pub throttle: Arc<auth::Throttle>,
    /// The most work one estimate may ask for (see `stats::estimate_work`).
    pub estimate_limit: u64,
    /// How long a request for long work waits for it before answering 202 with the
    /// job's address (`jobs`).
    pub job_wait: std::time::Duration,
    /// Each route's access policy by path and method, from [`endpoints`] when the router
    /// is built: looked up on every request, built once.
    pub access: Arc<AccessTable>,
}

/// Access policies by route path, then method.
pub type AccessTable =
    std::collections::HashMap<String, std::collections::HashMap<&'static str, Access>>;

/// Evidence files up to 2 GiB unless the server is told otherwise.
pub const DEFAULT_EVIDENCE_LIMIT: u64 = 2 << 30;

impl AppState {
    pub fn new(store: Arc<dyn Backend>) -> Self {
        AppState {
            app: Arc::new(athar_app::App::new(store)),
            vocab: Vocabularies::embedded(),
            evidence_limit: DEFAULT_EVIDENCE_LIMIT,
            throttle: Arc::new(auth::Throttle::default()),
            access: Arc::default(),
            estimate_limit: stats::DEFAULT_ESTIMATE_LIMIT,
            job_wait: jobs::DEFAULT_JOB_WAIT,
        }
    }
}

/// One route of the API: the table the router, the access check and the OpenAPI
/// document are built from.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub method: &'static str,
    /// Axum path syntax: `/api/persons/{id}`.
    pub path: String,
    pub summary: String,
    pub tag: &'static str,
    /// Name of the request body schema in the OpenAPI components.
    pub request: Option<&'static str>,
    /// Name of the response schema (the record kind's for record routes).
    pub response: Option<&'static str>,
    /// Who may call it. Every route must say; [`auth::authorize`] closes one that does not.
    pub access: Access,
    /// What answers it (one method's handler, with its own layers).
    pub handler: MethodRouter<AppState>,
}

fn kind_schema(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Person => "Person",
        RecordKind::Event => "Event",
        RecordKind::Involvement => "Involvement",
        RecordKind::Source => "Source",
        RecordKind::Match => "Match",
        RecordKind::Term => "VocabularyTerm",
    }
}

/// Every endpoint of the API.
pub fn endpoints() -> Vec<Endpoint> {
    use Access::{Needs, Public};
    use Action::*;
    let e = |method, path: &str, summary: &str, tag, request, response, access, handler| Endpoint {
        method,
        path: path.to_string(),
        summary: summary.to_string(),
        tag,
        request,
        response,
        access,
        handler,
    };
    let mut out = vec![
        e(
            "GET",
            "/healthz",
            "Liveness and store readability",
            "service",
            None,
            None,
            Public,
            get(healthz),
        ),
        e(
            "GET",
            "/api/openapi.json",
            "This API description",
            "service",
            None,
            None,
            Public,
            get(|| async { Json(openapi::document()) }),
        ),
        e(
            "POST",
            "/api/session",
            "Sign in (username, password, and a one-time code for accounts with one); sets the session cookie and returns the CSRF token",
            "account",
            Some("SignInRequest"),
            None,
            Public,
            post(auth::sign_in),
        ),
        e(
            "GET",
            "/api/session",
            "The signed-in account",
            "account",
            None,
            None,
            Needs(OwnAccount),
            get(auth::whoami),
        ),
        e(
            "DELETE",
            "/api/session",
            "Sign out",
            "account",
            None,
            None,
            Needs(OwnAccount),
            delete(auth::sign_out),
        ),
        e(
            "GET",
            "/api/tokens",
            "Your API tokens (never their secrets)",
            "account",
            None,
            None,
            Needs(OwnAccount),
            get(auth::list_tokens),
        ),
        e(
            "POST",
            "/api/tokens",
            "Make an API token, shown once (signed-in people only)",
            "account",
            Some("TokenRequest"),
            None,
            Needs(OwnAccount),
            post(auth::create_token),
        ),
        e(
            "DELETE",
            "/api/tokens/{id}",
            "Revoke one of your API tokens",
            "account",
            None,
            None,
            Needs(OwnAccount),
            delete(auth::revoke_token),
        ),
        e(
            "GET",
            "/api/organisations",
            "The organisations of this server (to share records with)",
            "account",
            None,
            None,
            Needs(OwnAccount),
            get(|State(s): State<AppState>| sharing::organisations(s)),
        ),
        e(
            "POST",
            "/api/organisations",
            "Add an organisation to the coalition, with its own keys (coalition admins)",
            "admin",
            Some("NewOrganisationRequest"),
            None,
            Needs(ManageOrganisations),
            post(admin::create_organisation),
        ),
        e(
            "GET",
            "/api/users",
            "Accounts: of your organisation (org-admins) or all (coalition admins)",
            "admin",
            None,
            None,
            Needs(ManageUsers),
            get(admin::list),
        ),
        e(
            "POST",
            "/api/users",
            "Add an account; administrators get a one-time-code enrolment link, shown once",
            "admin",
            Some("NewUserRequest"),
            None,
            Needs(ManageUsers),
            post(admin::create),
        ),
        e(
            "PUT",
            "/api/users/{id}/disabled",
            "Disable or enable an account; disabling ends its sessions",
            "admin",
            Some("DisabledRequest"),
            None,
            Needs(ManageUsers),
            put(admin::set_disabled),
        ),
        e(
            "POST",
            "/api/evidence",
            "Add a file to the evidence vault: the body is the file, Content-Type its type; query: kind, derived_from, filename, description. Its SHA-256 is computed on the way in",
            "evidence",
            None,
            None,
            Needs(WriteRecords),
            post(evidence::upload).layer(axum::extract::DefaultBodyLimit::disable()),
        ),
        e(
            "GET",
            "/api/evidence",
            "The organisation's evidence items",
            "evidence",
            None,
            None,
            Needs(ReadRecords),
            get(evidence::list),
        ),
        e(
            "GET",
            "/api/evidence/{id}",
            "An evidence item's metadata (recorded as a view in its chain of custody)",
            "evidence",
            None,
            None,
            Needs(ReadRecords),
            get(evidence::item),
        ),
        e(
            "GET",
            "/api/evidence/{id}/content",
            "The original bytes (recorded as a download in its chain of custody)",
            "evidence",
            None,
            None,
            Needs(ReadRecords),
            get(evidence::content),
        ),
        e(
            "GET",
            "/api/linkage",
            "The organisation's latest linkage run (summary, model) and how linkage stands with reviewers' decisions",
            "linkage",
            None,
            None,
            Needs(ReadRecords),
            get(linkage::status),
        ),
        e(
            "POST",
            "/api/linkage/runs",
            "Link the persons of chosen lists (sources), decisions taken as labels; the run is kept, nothing is merged",
            "linkage",
            Some("RunRequest"),
            None,
            Needs(WriteRecords),
            post(linkage::start_run),
        ),
        e(
            "GET",
            "/api/linkage/queue",
            "Undecided pairs, the most valuable decision first (uncertainty × records affected), each with why it scored what it did (limit)",
            "linkage",
            None,
            None,
            Needs(ReadRecords),
            get(linkage::queue),
        ),
        e(
            "POST",
            "/api/linkage/decisions",
            "Decide whether two person records are the same person: a match record, or a new revision of the caller's earlier decision",
            "linkage",
            Some("DecisionRequest"),
            Some("Match"),
            Needs(WriteRecords),
            post(linkage::decide),
        ),
        e(
            "GET",
            "/api/persons/{id}/wgeid",
            "The person's case for the UN Working Group on Enforced or Involuntary Disappearances (lang=ar|en): JSON, or format=html|pdf as a file; refused, naming every missing element, when the records or the consent do not allow it",
            "reports",
            None,
            None,
            Needs(ShareRecords),
            get(reports::wgeid),
        ),
        e(
            "POST",
            "/api/persons/{id}/submit",
            "Submit one's case (the person's record and journey) for verification by another person",
            "review",
            None,
            Some("Person"),
            Needs(WriteRecords),
            post(review::submit),
        ),
        e(
            "POST",
            "/api/persons/{id}/review",
            "Verify a case another person submitted, or return it with a comment; never one's own",
            "review",
            Some("ReviewRequest"),
            Some("Person"),
            Needs(VerifyRecords),
            post(review::decide),
        ),
        e(
            "GET",
            "/api/review/queue",
            "The cases waiting for verification",
            "review",
            None,
            None,
            Needs(VerifyRecords),
            get(review::queue),
        ),
        e(
            "GET",
            "/api/persons/{id}/candidates",
            "Who may be this person (a family's report): every named person record the organisation may see scored by the linkage engine, the likeliest first, each with why, its sources, status and what contradicts the report; nothing when the family refused the search",
            "tracing",
            None,
            None,
            Needs(ReadRecords),
            get(family_search::candidates),
        ),
        e(
            "POST",
            "/api/persons/{id}/search-steps",
            "Record a step taken to find the person (an event of the search category after the last sighting); a step dated before it is refused",
            "tracing",
            Some("SearchStepRequest"),
            None,
            Needs(WriteRecords),
            post(family_search::add_step),
        ),
        e(
            "PUT",
            "/api/persons/{id}/tracing",
            "Record what the search for the person has come to (no_match_yet, possible, confirmed_alive, confirmed_dead, remains_identified), with the record it rests on; a confirmed death is stated as the person's status",
            "tracing",
            Some("OutcomeRequest"),
            Some("Person"),
            Needs(WriteRecords),
            put(family_search::record_outcome),
        ),
        e(
            "GET",
            "/api/persons/{id}/letter",
            "The letter to the family who reported the person: what was searched and found (lang=ar|en, format=pdf|json); refused without the family's consent to be contacted",
            "tracing",
            None,
            None,
            Needs(ReadRecords),
            get(family_search::letter),
        ),
        e(
            "GET",
            "/api/persons/{id}/matches",
            "A person record's scored pairs, with why and what was decided",
            "linkage",
            None,
            None,
            Needs(ReadRecords),
            get(linkage::of_person),
        ),
        e(
            "GET",
            "/api/stats",
            "Headline figures over the records the caller's organisation can see (from, to, verification, governorate; cases=verified for cases a second person verified)",
            "statistics",
            None,
            None,
            Needs(ReadRecords),
            get(stats::summary),
        ),
        e(
            "GET",
            "/api/stats/breakdown",
            "Counts by up to three dimensions (by=kind,year), with the events behind each cell (ids=true); for public outputs, cells of fewer persons than suppress_below withheld",
            "statistics",
            None,
            None,
            Needs(ReadRecords),
            get(stats::breakdown),
        ),
        e(
            "POST",
            "/api/imports",
            "Import a list: a multipart form with the file (CSV, Excel or JSON) and its mapping (TOML, docs/IMPORT.md); list=, check=true, strict=true. Refused rows are named by line, column and reason",
            "lists",
            None,
            None,
            Needs(WriteRecords),
            post(lists::import).layer(axum::extract::DefaultBodyLimit::max(lists::IMPORT_LIMIT)),
        ),
        e(
            "GET",
            "/api/exports/persons",
            "The organisation's persons as a file: format=csv|json|xlsx|uwazi, pseudonymised=true, purpose= (leaves out those who did not consent); audited",
            "lists",
            None,
            None,
            Needs(ShareRecords),
            get(lists::export),
        ),
        e(
            "GET",
            "/api/reports/periodic",
            "The periodic report over the records the caller's organisation can see (from, to, lang=ar|en, verification, suppress_below, estimate_lists, estimate_method): JSON for the web UI, or format=html|pdf as a file",
            "statistics",
            None,
            None,
            Needs(ReadRecords),
            get(reports::periodic),
        ),
        e(
            "GET",
            "/api/reports/brief",
            "A safety brief: incidents against returnees in a region (region=P-code or name, from, to, lang=ar|en) with pseudonymised returnees and sources, counts and a chart; JSON, or format=html|pdf as a file",
            "statistics",
            None,
            None,
            Needs(ReadRecords),
            get(reports::brief),
        ),
        e(
            "GET",
            "/api/stats/behind",
            "The events and persons behind one headline figure (figure=arrests_children, returnee_cohort.disappeared …), under the same filters as /api/stats",
            "statistics",
            None,
            None,
            Needs(ReadRecords),
            get(stats::behind),
        ),
        e(
            "POST",
            "/api/estimate",
            "Multiple Systems Estimation on a capture table (CSV text) by a chosen method",
            "statistics",
            Some("EstimateRequest"),
            None,
            Needs(RunAnalyses),
            post(stats::estimate),
        ),
        e(
            "GET",
            "/api/jobs",
            "Your long work (estimates, linkage runs, imports, reports) still known, newest first",
            "jobs",
            None,
            None,
            Needs(OwnAccount),
            get(jobs::list),
        ),
        e(
            "GET",
            "/api/jobs/{id}",
            "How far one of your jobs has come (running, finished, cancelled; units done of those known)",
            "jobs",
            None,
            None,
            Needs(OwnAccount),
            get(jobs::status),
        ),
        e(
            "GET",
            "/api/jobs/{id}/result",
            "A finished job's answer, exactly as the request would have answered had it been quick",
            "jobs",
            None,
            None,
            Needs(OwnAccount),
            get(jobs::result),
        ),
        e(
            "DELETE",
            "/api/jobs/{id}",
            "Cancel one of your jobs: it stops at its next step and writes nothing",
            "jobs",
            None,
            None,
            Needs(OwnAccount),
            delete(jobs::cancel),
        ),
        e(
            "GET",
            "/api/audit/head",
            "The last audit entry: its hash commits to the whole history",
            "audit",
            None,
            None,
            Needs(ReadAudit),
            get(records::audit_head),
        ),
    ];
    record_endpoints::<Person>(&mut out);
    record_endpoints::<Event>(&mut out);
    record_endpoints::<Involvement>(&mut out);
    record_endpoints::<Source>(&mut out);
    record_endpoints::<Match>(&mut out);
    record_endpoints::<VocabularyTerm>(&mut out);
    out.push(e(
        "GET",
        "/api/persons/{id}/timeline",
        "A person's journey: events in order, with derived status",
        "records",
        None,
        None,
        Needs(ReadRecords),
        get(
            |State(s): State<AppState>, caller: Caller, Path(id): Path<String>| {
                records::timeline(s, caller, id)
            },
        ),
    ));
    out.push(e(
        "GET",
        "/api/events/{id}/involvements",
        "The persons involved in an event",
        "records",
        None,
        None,
        Needs(ReadRecords),
        get(
            |State(s): State<AppState>, caller: Caller, Path(id): Path<String>| {
                records::event_involvements(s, caller, id)
            },
        ),
    ));
    out.push(e(
        "GET",
        "/api/vocabularies",
        "The vocabularies and their sizes",
        "lookups",
        None,
        None,
        Needs(ReadLookups),
        get(lookups::vocabularies),
    ));
    out.push(e(
        "GET",
        "/api/vocabularies/{name}",
        "Terms of a vocabulary, optionally matching q (Arabic or English)",
        "lookups",
        None,
        Some("Term"),
        Needs(ReadLookups),
        get(lookups::vocabulary),
    ));
    out.push(e(
        "GET",
        "/api/gazetteer",
        "Places matching q (Arabic or English, names and aliases)",
        "lookups",
        None,
        Some("GazetteerEntry"),
        Needs(ReadLookups),
        get(lookups::gazetteer_search),
    ));
    out.push(e(
        "GET",
        "/api/gazetteer/{pcode}",
        "A place with the areas containing it",
        "lookups",
        None,
        Some("GazetteerEntry"),
        Needs(ReadLookups),
        get(lookups::gazetteer_entry),
    ));
    out
}

/// The endpoints every record kind has: list, create, read, replace, delete, history,
/// sharing and shredding.
fn record_endpoints<T: ApiBody>(out: &mut Vec<Endpoint>) {
    use Access::Needs;
    use Action::*;
    let kind = T::KIND;
    let base = format!("/api/{}", kind.collection());
    let item = format!("{base}/{{id}}");
    let name = kind.name();
    // "an event", "a person"; "matches", "persons".
    let a_name = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {name}")
    } else {
        format!("a {name}")
    };
    let plural = kind.collection();
    let schema = Some(kind_schema(kind));
    let list = if kind == RecordKind::Person {
        "List persons, oldest first (paginated with after and limit), or find them by name"
            .to_string()
    } else {
        format!("List {plural}, oldest first (paginated with after and limit)")
    };
    let e =
        |method, path: String, summary: String, tag, request, response, action, handler| Endpoint {
            method,
            path,
            summary,
            tag,
            request,
            response,
            access: Needs(action),
            handler,
        };
    out.extend([
        e(
            "GET",
            base.clone(),
            list,
            "records",
            None,
            schema,
            ReadRecords,
            get(
                move |State(s): State<AppState>, caller: Caller, QueryParams(q): QueryParams<ListQuery>| {
                    records::list(kind, s, caller, q)
                },
            ),
        ),
        e(
            "POST",
            base.clone(),
            format!("Create {a_name}"),
            "records",
            schema,
            schema,
            WriteRecords,
            post(records::create::<T>),
        ),
        e(
            "GET",
            item.clone(),
            format!("Read {a_name} (ETag is its revision)"),
            "records",
            None,
            schema,
            ReadRecords,
            get(
                move |State(s): State<AppState>, caller: Caller, Path(id): Path<String>| {
                    records::get(kind, s, caller, id)
                },
            ),
        ),
        e(
            "PUT",
            item.clone(),
            format!("Replace {a_name} with a new revision (If-Match: revision)"),
            "records",
            schema,
            schema,
            WriteRecords,
            put(records::update::<T>),
        ),
        e(
            "DELETE",
            item.clone(),
            format!("Delete {a_name}, giving the reason; its history stays"),
            "records",
            Some("DeleteRequest"),
            None,
            WriteRecords,
            delete(
                move |State(s): State<AppState>,
                      caller: Caller,
                      Path(id): Path<String>,
                      headers: HeaderMap,
                      JsonBody(b): JsonBody<DeleteRequest>| {
                    records::delete(kind, s, caller, id, headers, b)
                },
            ),
        ),
        e(
            "GET",
            format!("{item}/history"),
            format!("Every revision of {a_name}, oldest first"),
            "records",
            None,
            None,
            ReadRecords,
            get(
                move |State(s): State<AppState>, caller: Caller, Path(id): Path<String>| {
                    records::history(kind, s, caller, id)
                },
            ),
        ),
        e(
            "GET",
            format!("{item}/sharing"),
            format!("What other organisations see of {a_name} (its owner's administrators)"),
            "sharing",
            None,
            None,
            ShareRecords,
            get(
                move |State(s): State<AppState>, caller: Caller, Path(id): Path<String>| {
                    sharing::get(kind, s, caller, id)
                },
            ),
        ),
        e(
            "PUT",
            format!("{item}/sharing"),
            format!(
                "Share {a_name} in full, pseudonymised or for aggregates only, or make it private"
            ),
            "sharing",
            Some("SharingRequest"),
            None,
            ShareRecords,
            put(
                move |State(s): State<AppState>,
                      caller: Caller,
                      Path(id): Path<String>,
                      JsonBody(b): JsonBody<sharing::SharingRequest>| {
                    sharing::put(kind, s, caller, id, b)
                },
            ),
        ),
        e(
            "POST",
            format!("{item}/shred"),
            format!(
                "Destroy the identifying data of {a_name} in every revision, for good, giving the reason"
            ),
            "records",
            Some("ShredRequest"),
            None,
            ShredRecords,
            post(
                move |State(s): State<AppState>,
                      caller: Caller,
                      Path(id): Path<String>,
                      JsonBody(b): JsonBody<ShredRequest>| {
                    records::shred(kind, s, caller, id, b)
                },
            ),
        ),
    ]);
}

async fn healthz(State(state): State<AppState>) -> Result<Json<serde_json::Value>, Problem> {
    let app = state.app.clone();
    let entries = records::blocking(move || app.audit_entries()).await?;
    Ok(Json(
        serde_json::json!({ "status": "ok", "audit_entries": entries }),
    ))
}

/// The application: routes, state and security headers. Every route comes from the one
/// table, [`endpoints`], with its handler; the access check reads the same table.
pub fn router(mut state: AppState) -> Router {
    let table = endpoints();
    let mut access = AccessTable::new();
    for e in &table {
        access
            .entry(e.path.clone())
            .or_default()
            .insert(e.method, e.access);
    }
    state.access = Arc::new(access);
    let mut router = Router::new();
    for endpoint in table {
        router = router.route(&endpoint.path, endpoint.handler);
    }
    let router = router.route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::authorize,
    ));
    let headers: [(HeaderName, &'static str); 5] = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut api = router.with_state(state.clone());
    for (name, value) in headers {
        api = api.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    // The web pages: their own routes and headers (a policy that lets them use their
    // style sheet and post their forms), through the same sessions and scopes.
    api.merge(pages::router(state))
        .fallback(|| async { Problem::not_found().detail("no such endpoint") })
}

/// Serve until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Views gathered for the audit chain are written when their window passes, even when
    // nobody reads anything more, and all of them when the server stops; the write-ahead
    // log is emptied whenever no reader holds it, so it stays small under continuous reads.
    let app = state.app.clone();
    let flusher = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
        loop {
            every.tick().await;
            let app = app.clone();
            if let Ok(Err(e)) = tokio::task::spawn_blocking(move || app.maintain()).await {
                tracing::error!(error = %e, "views could not be audited or the log kept small");
            }
        }
    });
    // The counting facts (for figures, the persons list's filters and the review queue)
    // take a second to open over a large store, and seconds to build: opened or built now,
    // in the background, rather than on the first request that needs them.
    // Ready to be counted again after the first write, too.
    state.app.facts().ready_to_recount();
    let app = state.app.clone();
    tokio::task::spawn_blocking(move || {
        for organisation in app.organisations() {
            let org = athar_model::OrgId::new(organisation.number);
            if let Err(e) = app.scope(org, "server").counting_facts() {
                tracing::warn!(error = %e, "the counting facts could not be built ahead");
            }
        }
    });
    let app = state.app.clone();
    let served = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    flusher.abort();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || app.flush_views(true)).await {
        tracing::error!(error = %e, "views could not be written to the audit chain");
    }
    served
}
