//! Multiple Systems Estimation: how many people were never documented, estimated from how
//! the lists of several organisations overlap.
//!
//! [`estimate`] takes a [`CaptureTable`] and a [`Method`] and returns an [`Estimate`]: the
//! number, its interval, the method and model, the fit statistics and the warnings an analyst
//! must read before publishing it. Every method refuses, with the reason, when the data cannot
//! support it; none returns a number it could not stand behind.

pub mod glm;
pub mod lcmcr;
pub mod loglinear;
pub mod selection;
pub mod table;
pub mod two_list;

pub use lcmcr::{LcmcrResult, LcmcrSettings};
pub use loglinear::{Coefficient, LoglinearFit, Model, ProfileInterval};
pub use table::{CaptureTable, TableError};

use athar_model::progress::Progress;
use serde::Serialize;

/// Why an estimate cannot be given.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    #[error("the model ({model}) is not identifiable: {reason}")]
    NotIdentifiable { model: String, reason: String },
    #[error(
        "the model ({model}) has no finite maximum likelihood estimate for these counts: empty cells push a parameter to infinity; {advice}"
    )]
    NoFiniteEstimate { model: String, advice: String },
    #[error(
        "the lists {first} and {second} have nobody in common, so a two-list estimate is infinite"
    )]
    NoOverlap { first: String, second: String },
    #[error("{0}")]
    Invalid(String),
    #[error("no estimate: {0}")]
    NoModel(String),
    #[error("the estimate was cancelled before it finished")]
    Cancelled,
}

impl From<athar_model::progress::Cancelled> for EstimateError {
    fn from(_: athar_model::progress::Cancelled) -> Self {
        EstimateError::Cancelled
    }
}

/// How to estimate.
#[derive(Debug, Clone, PartialEq)]
pub enum Method {
    /// Two lists (by index; the first two when `None`).
    LincolnPetersen(Option<(usize, usize)>),
    Chapman(Option<(usize, usize)>),
    /// Log-linear, main effects only.
    Independence,
    /// Log-linear with these interactions.
    Loglinear(Model),
    /// Stepwise addition of two-list interactions, with this p-value threshold.
    Stepwise {
        threshold: f64,
    },
    /// The hierarchical model with the lowest AIC.
    Aic,
    /// The hierarchical model with the lowest BIC.
    Bic,
    /// Bayesian latent classes.
    Lcmcr(LcmcrSettings),
}

/// What a method may need besides its name, as a command line or an API request gives it.
#[derive(Debug, Clone, Default)]
pub struct MethodOptions {
    /// For `loglinear`: interactions such as `A:B`.
    pub terms: Vec<String>,
    /// For the two-list methods: the two lists (default the first two).
    pub lists: Vec<String>,
    /// For `stepwise`: the p-value threshold (default 0.05).
    pub p_threshold: Option<f64>,
    /// For `lcmcr`.
    pub lcmcr: LcmcrSettings,
}

/// The method names, as `--method` and the API take them.
pub const METHOD_NAMES: [&str; 8] = [
    "chapman",
    "lincoln-petersen",
    "independence",
    "loglinear",
    "stepwise",
    "aic",
    "bic",
    "lcmcr",
];

impl Method {
    /// A method by name, with list names and terms resolved against a table.
    pub fn from_name(
        name: &str,
        options: &MethodOptions,
        table: &CaptureTable,
    ) -> Result<Method, String> {
        let pair = match options.lists.as_slice() {
            [] => None,
            [first, second] => {
                let index = |name: &str| {
                    table.list_index(name).ok_or_else(|| {
                        format!("lists: {name:?} is not one of {}", table.lists().join(", "))
                    })
                };
                Some((index(first)?, index(second)?))
            }
            _ => return Err("lists: give exactly two list names, e.g. A,B".into()),
        };
        if !options.terms.is_empty() && name != "loglinear" {
            return Err("terms go with the loglinear method".into());
        }
        Ok(match name {
            "chapman" => Method::Chapman(pair),
            "lincoln-petersen" => Method::LincolnPetersen(pair),
            "independence" => Method::Independence,
            "loglinear" => {
                let terms = options
                    .terms
                    .iter()
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| table.parse_term(t).map_err(|e| format!("terms: {e}")))
                    .collect::<Result<Vec<_>, _>>()?;
                Method::Loglinear(Model::with_terms(terms))
            }
            "stepwise" => Method::Stepwise {
                threshold: options.p_threshold.unwrap_or(0.05),
            },
            "aic" => Method::Aic,
            "bic" => Method::Bic,
            "lcmcr" => Method::Lcmcr(options.lcmcr),
            other => {
                return Err(format!(
                    "unknown method {other:?}; one of {}",
                    METHOD_NAMES.join(", ")
                ));
            }
        })
    }

    /// The name scripts see in `method`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::LincolnPetersen(_) => "lincoln-petersen",
            Self::Chapman(_) => "chapman",
            Self::Independence => "independence",
            Self::Loglinear(_) => "loglinear",
            Self::Stepwise { .. } => "stepwise",
            Self::Aic => "aic",
            Self::Bic => "bic",
            Self::Lcmcr(_) => "lcmcr",
        }
    }
}

/// An estimate of the total population (documented or not), with everything needed to judge it.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    pub method: String,
    pub lists: Vec<String>,
    /// People documented on at least one of the lists used.
    pub observed: u64,
    /// The point estimate: for log-linear models the maximum of the multinomial profile
    /// likelihood (the `abundance` of Rcapture's closedpCI.t; n + exp(β̂₀), its Poisson
    /// counterpart, is in `details.poisson_estimate`); for two lists the closed formula; for
    /// LCMCR the posterior median.
    pub estimate: f64,
    /// [low, high]; high is null when the likelihood never falls far enough.
    pub interval: [Option<f64>; 2],
    pub level: f64,
    /// How the interval was computed.
    pub interval_method: String,
    /// The interactions of the log-linear model used (empty for independence): for
    /// stepwise in the order they were added, otherwise lower orders first, then in the
    /// lists' order.
    pub terms: Vec<String>,
    pub deviance: Option<f64>,
    pub df: Option<i64>,
    pub aic: Option<f64>,
    pub bic: Option<f64>,
    pub std_error: Option<f64>,
    pub coefficients: Vec<Coefficient>,
    pub warnings: Vec<String>,
    /// Method-specific details: the stepwise path, the models searched, posterior summaries.
    pub details: serde_json::Value,
}

fn from_loglinear(
    method: &Method,
    table: &CaptureTable,
    fit: &LoglinearFit,
    level: f64,
    mut warnings: Vec<String>,
    details: serde_json::Value,
) -> Estimate {
    let interval = fit.profile_interval(level);
    let details = match details {
        serde_json::Value::Object(mut map) => {
            map.insert("poisson_estimate".into(), fit.estimate.into());
            serde_json::Value::Object(map)
        }
        _ => serde_json::json!({ "poisson_estimate": fit.estimate }),
    };
    if interval.high.is_none() {
        warnings.push(format!(
            "the upper bound lies beyond 3 × the estimate ({:.0}): the data say little about how many were missed",
            3.0 * fit.estimate
        ));
    }
    for empty in &fit.empty_overlaps {
        warnings.push(format!(
            "{} have nobody in common: that interaction is taken at −∞ and the cells it covers are left out (Chan, Silverman and Vincent 2019)",
            table.term_name(*empty)
        ));
    }
    if !fit.model.is_hierarchical() {
        warnings.push("the model is not hierarchical: an interaction is included without the lower-order interactions of its lists".into());
    }
    if fit.df > 0 {
        let p = 1.0 - crate::numeric::regularized_gamma_p(fit.df as f64 / 2.0, fit.deviance / 2.0);
        if p < 0.05 {
            let p = if p < 1e-15 {
                "< 1e-15".to_string()
            } else {
                format!("= {p:.2e}")
            };
            warnings.push(format!(
                "the model fits the observed cells poorly (deviance {:.1} on {} df, p {p}); its estimate is doubtful",
                fit.deviance, fit.df
            ));
        }
    }
    Estimate {
        method: method.name().into(),
        lists: table.lists().to_vec(),
        observed: fit.observed,
        estimate: interval.mode,
        interval: [Some(interval.low), interval.high],
        level,
        interval_method: "profile likelihood (as Rcapture's closedpCI.t)".into(),
        terms: fit.model.term_names(table),
        deviance: Some(fit.deviance),
        df: Some(fit.df),
        aic: Some(fit.aic),
        bic: Some(fit.bic),
        std_error: Some(fit.std_error),
        coefficients: fit.coefficients.clone(),
        warnings,
        details,
    }
}

/// Estimates the population behind a table. `level` is the interval's coverage (0.95).
pub fn estimate(
    table: &CaptureTable,
    method: &Method,
    level: f64,
) -> Result<Estimate, EstimateError> {
    estimate_with(table, method, level, &Progress::new())
}

/// [`estimate`], counting the sampler's passes in `progress` and ending with
/// [`EstimateError::Cancelled`] soon after it is cancelled.
pub fn estimate_with(
    table: &CaptureTable,
    method: &Method,
    level: f64,
    progress: &Progress,
) -> Result<Estimate, EstimateError> {
    progress.check()?;
    if !(level > 0.0 && level < 1.0) {
        return Err(EstimateError::Invalid(format!(
            "the interval level must be between 0 and 1 (0.95 for 95 %), not {level}"
        )));
    }
    let no_details = serde_json::Value::Null;
    match method {
        Method::LincolnPetersen(pair) | Method::Chapman(pair) => {
            let (first, second) = pair.unwrap_or((0, 1));
            if first >= table.list_count() || second >= table.list_count() {
                return Err(EstimateError::Invalid("no such list".into()));
            }
            let two = two_list::TwoLists::new(table, first, second)?;
            if two.both == 0 && matches!(method, Method::LincolnPetersen(_)) {
                return Err(EstimateError::NoOverlap {
                    first: two.table.lists()[0].clone(),
                    second: two.table.lists()[1].clone(),
                });
            }
            let mut warnings = vec![
                "a two-list estimate assumes the lists are independent and everyone equally likely to be listed; with more lists, a log-linear model can test that".to_string(),
            ];
            if two.both == 0 {
                warnings.push(format!(
                    "{} and {} have nobody in common: Chapman's estimate is then finite but rests on no overlap at all, so it says little more than that the population is large; look for a list that overlaps with both",
                    two.table.lists()[0],
                    two.table.lists()[1]
                ));
            }
            if table.list_count() > 2 {
                warnings.push(format!(
                    "only {} and {} are used; {} people on other lists only are left out",
                    table.lists()[first],
                    table.lists()[second],
                    table.observed() - two.observed()
                ));
            }
            let (value, low, high, interval_method) = if matches!(method, Method::Chapman(_)) {
                let (low, high) = two.chapman_interval(level);
                (
                    two.chapman(),
                    low,
                    Some(high),
                    "log-normal (Chao 1987) with Seber's variance",
                )
            } else {
                let (value, low, high) = two.lincoln_petersen_interval(level)?;
                (
                    value,
                    low,
                    high,
                    "profile likelihood (as Rcapture's closedpCI.t)",
                )
            };
            Ok(Estimate {
                method: method.name().into(),
                lists: two.table.lists().to_vec(),
                observed: two.observed(),
                estimate: value,
                interval: [Some(low), high],
                level,
                interval_method: interval_method.into(),
                terms: vec![],
                deviance: None,
                df: None,
                aic: None,
                bic: None,
                std_error: matches!(method, Method::Chapman(_))
                    .then(|| two.chapman_variance().sqrt()),
                coefficients: vec![],
                warnings,
                details: serde_json::json!({
                    "on_first_only": two.first_only,
                    "on_second_only": two.second_only,
                    "on_both": two.both,
                }),
            })
        }
        Method::Independence | Method::Loglinear(_) => {
            let model = match method {
                Method::Loglinear(model) => model.clone(),
                _ => Model::independence(),
            };
            let fit = loglinear::fit(table, &model)?;
            Ok(from_loglinear(
                method,
                table,
                &fit,
                level,
                vec![],
                no_details,
            ))
        }
        Method::Stepwise { threshold } => {
            if !(*threshold > 0.0 && *threshold <= 1.0) {
                return Err(EstimateError::Invalid(format!(
                    "the p-value threshold must be in (0, 1], not {threshold}"
                )));
            }
            let result = selection::stepwise(table, *threshold)?;
            let details = serde_json::json!({
                "threshold": threshold,
                "steps": result.steps,
                "stopped": result.stopped,
            });
            let warnings = vec![
                "the interval is that of the chosen model; it does not include the uncertainty of choosing it".to_string(),
            ];
            let mut estimate = from_loglinear(method, table, &result.fit, level, warnings, details);
            // The interactions in the order the procedure added them.
            estimate.terms = result.steps.iter().map(|s| s.added.clone()).collect();
            Ok(estimate)
        }
        Method::Aic | Method::Bic => {
            let criterion = if matches!(method, Method::Aic) {
                selection::Criterion::Aic
            } else {
                selection::Criterion::Bic
            };
            let result = selection::search(table, criterion)?;
            let runners_up: Vec<_> = result
                .runners_up
                .iter()
                .map(|(model, score, estimate)| {
                    serde_json::json!({
                        "terms": model.term_names(table),
                        "criterion": score,
                        "estimate": estimate,
                    })
                })
                .collect();
            let details = serde_json::json!({
                "models_considered": result.considered,
                "models_refused": result.refused,
                "runners_up": runners_up,
            });
            let warnings = vec![
                "the interval is that of the chosen model; it does not include the uncertainty of choosing it".to_string(),
            ];
            Ok(from_loglinear(
                method,
                table,
                &result.best,
                level,
                warnings,
                details,
            ))
        }
        Method::Lcmcr(settings) => {
            let result = lcmcr::lcmcr_with(table, settings, progress)?;
            let tail = (1.0 - level) / 2.0;
            let mut warnings = Vec::new();
            let at_truncation = result.share_at_truncation(settings.classes);
            if at_truncation > 0.5 {
                warnings.push(format!(
                    "all {} latent classes were in use in {:.0} % of the draws: run again with more classes",
                    settings.classes,
                    at_truncation * 100.0
                ));
            }
            match result.r_hat {
                Some(r_hat) if r_hat > 1.05 => warnings.push(format!(
                    "the chains disagree (R̂ = {r_hat:.3} > 1.05): run longer (more burn-in or thinning)"
                )),
                Some(_) => {}
                None => warnings.push(
                    "one chain only: run several (--chains) to check that they agree".into(),
                ),
            }
            warnings
                .push("a Markov chain estimate: report the seed and the number of chains".into());
            Ok(Estimate {
                method: method.name().into(),
                lists: table.lists().to_vec(),
                observed: table.observed(),
                estimate: result.quantile(0.5),
                interval: [
                    Some(result.quantile(tail)),
                    Some(result.quantile(1.0 - tail)),
                ],
                level,
                interval_method: "posterior quantiles".into(),
                terms: vec![],
                deviance: None,
                df: None,
                aic: None,
                bic: None,
                std_error: None,
                coefficients: vec![],
                warnings,
                details: serde_json::json!({
                    "settings": settings,
                    "posterior_mean": result.mean(),
                    "draws": result.draws.len(),
                    "r_hat": result.r_hat,
                    "share_of_draws_using_every_class": at_truncation,
                }),
            })
        }
    }
}
