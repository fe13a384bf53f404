//! Statistics through the API, for the web UI and for scripts: the headline figures
//! (`GET /api/stats`), breakdowns with the events behind each cell
//! (`GET /api/stats/breakdown`), and Multiple Systems Estimation on a capture table
//! (`POST /api/estimate`).
//!
//! Figures are computed over the records the caller's organisation can see — its own and
//! those shared with it — from their countable facts only (`athar_stats::counts`); every
//! computation is recorded in the audit chain. Person records that the organisation's latest
//! linkage run and its reviewers' decisions put together count as one person; the answer
//! says how many links of each kind were followed (`linkage`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use athar_link::stored::LinkageState;
use athar_model::validation::FieldError;
use athar_stats::counts::{Dimension, Filter};
use athar_stats::mse::{self, CaptureTable, EstimateError, LcmcrSettings, Method, MethodOptions};

use crate::auth::Caller;
use crate::problem::{JsonBody, Problem, QueryParams};
use crate::records::in_scope;
use crate::{AppState, jobs};

/// Figures with the linkage they were counted under.
#[derive(Serialize)]
struct WithLinkage<T: Serialize> {
    #[serde(flatten)]
    figures: T,
    linkage: LinkageState,
}

/// Filters of the statistics endpoints.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatsQuery {
    /// Events certainly on or after this date.
    from: Option<String>,
    /// Events certainly on or before this date.
    to: Option<String>,
    /// alleged, corroborated or verified.
    verification: Option<String>,
    /// A governorate P-code.
    governorate: Option<String>,
    /// `verified`: count only cases a second person verified (docs/DEFINITIONS.md).
    cases: Option<String>,
    /// Breakdowns: up to three dimensions, comma-separated.
    by: Option<String>,
    /// Breakdowns: list the events behind each cell.
    ids: Option<bool>,
    /// Breakdowns for public outputs: withhold cells of fewer persons than this.
    suppress_below: Option<usize>,
    /// `/api/stats/behind`: the headline figure whose records to list.
    figure: Option<String>,
}

// A problem is the handler's answer; boxing it would only move the allocation.
#[allow(clippy::result_large_err)]
fn filter_of(query: &StatsQuery) -> Result<Filter, Problem> {
    let verified_cases_only = match query.cases.as_deref() {
        None | Some("all") => false,
        Some("verified") => true,
        Some(_) => {
            return Err(Problem::invalid(vec![FieldError::new(
                "cases",
                "stats.filter",
                "one of all, verified",
                "واحد من: all، verified",
            )]));
        }
    };
    Filter::parse(
        query.from.as_deref(),
        query.to.as_deref(),
        query.verification.as_deref(),
        query.governorate.as_deref(),
    )
    .map(|filter| Filter {
        verified_cases_only,
        ..filter
    })
    .map_err(|errors| {
        Problem::invalid(
            errors
                .into_iter()
                .map(|e| {
                    let arabic = if e.field == "verification" {
                        "واحد من: مُدّعى، مُعزَّز، مُتحقَّق منه"
                    } else {
                        "تاريخ مثل 2024 أو 2024-03"
                    };
                    FieldError::new(e.field, "stats.filter", e.problem, arabic)
                })
                .collect(),
        )
    })
}

/// `GET /api/stats`: the headline figures.
pub async fn summary(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<Response, Problem> {
    let filter = filter_of(&query)?;
    let summary = in_scope(&state, caller, move |scope| {
        let (facts, linkage) = scope.counting_facts()?;
        scope.record_reading("stats")?;
        Ok(WithLinkage {
            figures: facts.summary(&filter),
            linkage,
        })
    })
    .await?;
    Ok(Json(summary).into_response())
}

/// `GET /api/stats/behind?figure=arrests_children`: the events and persons a headline
/// figure counts.
pub async fn behind(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<Response, Problem> {
    let filter = filter_of(&query)?;
    let figure = query.figure.clone().unwrap_or_default();
    if !athar_stats::counts::FIGURES.contains(&figure.as_str()) {
        return Err(Problem::invalid(vec![FieldError::new(
            "figure",
            "stats.figure",
            format!("one of {}", athar_stats::counts::FIGURES.join(", ")),
            "اسم رقم من الأرقام الرئيسية",
        )]));
    }
    let behind = in_scope(&state, caller, move |scope| {
        let (facts, linkage) = scope.counting_facts()?;
        scope.record_reading("stats.behind")?;
        Ok(WithLinkage {
            figures: facts.behind(&figure, &filter),
            linkage,
        })
    })
    .await?;
    Ok(Json(behind).into_response())
}

/// `GET /api/stats/breakdown?by=kind,year`: counts by up to three dimensions.
pub async fn breakdown(
    State(state): State<AppState>,
    caller: Caller,
    QueryParams(query): QueryParams<StatsQuery>,
) -> Result<Response, Problem> {
    let filter = filter_of(&query)?;
    let by = query.by.as_deref().unwrap_or("kind");
    let dimensions = Dimension::parse_list(by.split(',')).map_err(|e| {
        Problem::invalid(vec![FieldError::new(
            "by",
            "stats.by",
            e,
            "بُعد إلى ثلاثة أبعاد من: النوع، السنة، الشهر، المحافظة، الوحدة، الجهة، الجنس، الفئة العمرية، بلد المضيف، التحقق",
        )])
    })?;
    let with_ids = query.ids.unwrap_or(false);
    let suppress_below = query.suppress_below;
    let breakdown = in_scope(&state, caller, move |scope| {
        let (facts, linkage) = scope.counting_facts()?;
        scope.record_reading("stats")?;
        let mut figures = facts.breakdown(&dimensions, &filter, with_ids);
        if let Some(below) = suppress_below {
            figures.suppress_small_cells(below);
        }
        Ok(WithLinkage { figures, linkage })
    })
    .await?;
    Ok(Json(breakdown).into_response())
}

/// `POST /api/estimate`: a capture table (CSV text) and a method.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EstimateRequest {
    /// The capture table as CSV: one column per list, a last column of counts (count, n,
    /// freq or frequency); commas, semicolons or tabs between fields.
    #[serde(default)]
    table: String,
    /// chapman, lincoln-petersen, independence, loglinear, stepwise, sparsemse, aic
    /// (default), bic, lcmcr, dga, or a closed-population model: m0, mt, mh-chao, mh-poisson,
    /// mh-darroch, mh-gamma, mth-chao, mth-poisson, mth-darroch, mth-gamma.
    #[serde(default)]
    method: Option<String>,
    #[serde(default)]
    terms: Vec<String>,
    #[serde(default)]
    lists: Vec<String>,
    #[serde(default)]
    p: Option<f64>,
    #[serde(default)]
    level: Option<f64>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default)]
    burnin: Option<usize>,
    #[serde(default)]
    samples: Option<usize>,
    #[serde(default)]
    thin: Option<usize>,
    #[serde(default)]
    chains: Option<usize>,
    /// The most draws to make while waiting for the chains to agree (default 16,000; the
    /// server lowers it to what its work limit allows).
    #[serde(default)]
    max_draws: Option<usize>,
    #[serde(default)]
    classes: Option<usize>,
    /// With dga: the hyper-Dirichlet weight per cell (default 2^-t).
    #[serde(default)]
    delta: Option<f64>,
}

/// The most work one estimate may ask for by default: sampler passes (warm-up included) ×
/// chains × table cells × latent classes × lists. The defaults on an eight-list table ask
/// for about 4.5 × 10⁹.
pub const DEFAULT_ESTIMATE_LIMIT: u64 = 10_000_000_000;

/// The most sampler passes one chain may make, warm-up included.
const MAX_PASSES: usize = 2_000_000;

/// The most posterior draws one estimate keeps (they are held in memory).
const MAX_KEPT_DRAWS: usize = 1_000_000;

/// The work a latent-class estimate asks for: every pass of every chain, warm-up included,
/// visits each observed cell for each class and list.
pub fn estimate_work(settings: &LcmcrSettings, table: &CaptureTable) -> u64 {
    let passes = (settings.burnin as u64)
        .saturating_add((settings.samples as u64).saturating_mul(settings.thin as u64));
    passes
        .saturating_mul(settings.chains.max(1) as u64)
        .saturating_mul(table.patterns().count().max(1) as u64)
        .saturating_mul(settings.classes.max(1) as u64)
        .saturating_mul(table.list_count().max(1) as u64)
}

/// `POST /api/estimate`: refused before it starts when it would ask for more work than the
/// server allows, or while another estimate of the organisation runs; a job (`jobs`),
/// cancelled when the client goes away before it ends.
pub async fn estimate(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    JsonBody(req): JsonBody<EstimateRequest>,
) -> Result<Response, Problem> {
    let invalid = |field: &str, en: String, ar: &str| {
        Problem::invalid(vec![FieldError::new(field, "estimate.invalid", en, ar)])
    };
    if req.table.trim().is_empty() {
        return Err(invalid(
            "table",
            "the capture table as CSV text".into(),
            "جدول الالتقاط نصاً بصيغة CSV",
        ));
    }
    let table = CaptureTable::from_csv(req.table.as_bytes())
        .map_err(|e| invalid("table", e.to_string(), "جدول الالتقاط غير صالح"))?;
    let defaults = LcmcrSettings::default();
    let mut lcmcr = LcmcrSettings {
        seed: req.seed.unwrap_or(defaults.seed),
        burnin: req.burnin.unwrap_or(defaults.burnin),
        samples: req.samples.unwrap_or(defaults.samples),
        thin: req.thin.unwrap_or(defaults.thin),
        chains: req.chains.unwrap_or(defaults.chains).min(4),
        max_draws: req.max_draws.unwrap_or(defaults.max_draws),
        classes: req.classes.unwrap_or(defaults.classes),
        ..defaults
    };
    let method_name = req.method.clone().unwrap_or_else(|| "aic".into());
    let passes = lcmcr
        .burnin
        .saturating_add(lcmcr.samples.saturating_mul(lcmcr.thin));
    if passes > MAX_PASSES {
        return Err(invalid(
            "samples",
            format!("burn-in + samples × thinning may be at most {MAX_PASSES}"),
            "عدد دورات المعاينة أكبر من المسموح",
        ));
    }
    if lcmcr.samples.saturating_mul(lcmcr.chains.max(1)) > MAX_KEPT_DRAWS {
        return Err(invalid(
            "samples",
            format!("samples × chains may be at most {MAX_KEPT_DRAWS}"),
            "عدد العينات المحفوظة أكبر من المسموح",
        ));
    }
    if method_name == "lcmcr" {
        // Rounds that would take the work beyond the limit are not run: the chains are
        // refused instead if they have not agreed by then.
        while lcmcr.max_draws / 2 >= lcmcr.samples
            && estimate_work(
                &LcmcrSettings {
                    samples: lcmcr.max_draws,
                    ..lcmcr
                },
                &table,
            ) > state.estimate_limit
        {
            lcmcr.max_draws /= 2;
        }
        let work = estimate_work(&lcmcr, &table);
        if work > state.estimate_limit {
            return Err(invalid(
                "samples",
                format!(
                    "this estimate asks for {work} units of work (passes with warm-up × chains × cells × classes × lists); this server allows {}: ask for fewer passes, classes or chains",
                    state.estimate_limit
                ),
                "يطلب هذا التقدير عملاً أكثر مما يسمح به الخادم؛ قلّل الدورات أو الفئات أو السلاسل",
            ));
        }
    }
    let options = MethodOptions {
        terms: req.terms,
        lists: req.lists,
        p_threshold: req.p,
        lcmcr,
        dga: mse::DgaSettings {
            delta: req.delta,
            ..mse::DgaSettings::default()
        },
    };
    let method = Method::from_name(&method_name, &options, &table)
        .map_err(|e| invalid("method", e, "الطريقة أو خياراتها غير صالحة"))?;
    let level = req.level.unwrap_or(0.95);
    let work = move |_: &athar_app::Scope<'_>, progress: &athar_model::progress::Progress| {
        match mse::estimate_with(&table, &method, level, progress) {
            Ok(estimate) => Some(jobs::json_output(StatusCode::OK, &estimate)),
            Err(EstimateError::Cancelled) => None,
            Err(e) => Some(jobs::problem_output(
                Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "no-estimate",
                    "The data cannot support this estimate",
                    "لا تسمح البيانات بهذا التقدير",
                )
                .detail(e.to_string())
                .diagnostics(e.diagnostics()),
            )),
        }
    };
    jobs::run(
        &state,
        &caller,
        &headers,
        athar_app::jobs::ESTIMATE,
        Box::new(work),
    )
    .await
}
