//! Multiple Systems Estimation: how many people were never documented, estimated from how
//! the lists of several organisations overlap.
//!
//! [`estimate`] takes a [`CaptureTable`] and a [`Method`] and returns an [`Estimate`]: the
//! number, its interval, the method and model, the fit statistics and the warnings an analyst
//! must read before publishing it. Every method refuses, with the reason, when the data cannot
//! support it; none returns a number it could not stand behind.

pub mod closed;
pub mod dga;
pub mod glm;
pub mod lcmcr;
pub mod loglinear;
pub mod selection;
pub mod table;
pub mod two_list;

pub use closed::{ClosedFit, ClosedModel, Heterogeneity};
pub use dga::{DgaResult, DgaSettings, PopulationPrior};
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
    #[error(
        "the latent-class chains did not agree after {draws_per_chain} draws each: R̂ {}, split R̂ {}, {effective_draws:.0} effective draws (R̂ and split R̂ must be at most {max}, with at least {needed_effective_draws:.0} effective draws); the chains' medians were {}. No estimate is given, since it would depend on the chain: raise --max-draws or --burnin, try more --classes, or use a log-linear method",
        fmt_r_hat(*r_hat),
        fmt_r_hat(*split_r_hat),
        chain_medians.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(", "),
        max = lcmcr::MAX_R_HAT,
    )]
    NotConverged {
        r_hat: Option<f64>,
        split_r_hat: Option<f64>,
        effective_draws: f64,
        needed_effective_draws: f64,
        draws_per_chain: usize,
        chain_medians: Vec<f64>,
    },
}

impl EstimateError {
    /// What a refusal measured, for scripts: the chains' diagnostics when they did not agree.
    pub fn diagnostics(&self) -> Option<serde_json::Value> {
        match self {
            Self::NotConverged {
                r_hat,
                split_r_hat,
                effective_draws,
                needed_effective_draws,
                draws_per_chain,
                chain_medians,
            } => Some(serde_json::json!({
                "r_hat": r_hat,
                "split_r_hat": split_r_hat,
                "max_r_hat": lcmcr::MAX_R_HAT,
                "effective_draws": effective_draws,
                "needed_effective_draws": needed_effective_draws,
                "draws_per_chain": draws_per_chain,
                "chain_medians": chain_medians,
            })),
            _ => None,
        }
    }
}

fn fmt_r_hat(r: Option<f64>) -> String {
    r.map_or_else(|| "not available".into(), |r| format!("{r:.3}"))
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
    /// Stepwise addition of two-list interactions, with this p-value threshold: the one
    /// whose model has the lowest AIC, while its p-value is below the threshold.
    Stepwise {
        threshold: f64,
    },
    /// SparseMSE's stepwise rule (Chan, Silverman and Vincent): the interaction with the
    /// lowest p-value, while it is below the threshold.
    SparseMse {
        threshold: f64,
    },
    /// The hierarchical model with the lowest AIC.
    Aic,
    /// The hierarchical model with the lowest BIC.
    Bic,
    /// Bayesian latent classes.
    Lcmcr(LcmcrSettings),
    /// One of Rcapture's closed-population models: M0, Mt, Mh and Mth.
    Closed(ClosedModel),
    /// Bayesian model averaging over decomposable graphical models (R's dga).
    Dga(DgaSettings),
}

/// What a method may need besides its name, as a command line or an API request gives it.
#[derive(Debug, Clone, Default)]
pub struct MethodOptions {
    /// For `loglinear`: interactions such as `A:B`.
    pub terms: Vec<String>,
    /// For the two-list methods: the two lists (default the first two).
    pub lists: Vec<String>,
    /// For `stepwise`: the p-value threshold (default 0.05; for `sparsemse` 0.02, as the
    /// package's).
    pub p_threshold: Option<f64>,
    /// For `lcmcr`.
    pub lcmcr: LcmcrSettings,
    /// For `dga`.
    pub dga: DgaSettings,
}

/// The method names, as `--method` and the API take them.
pub const METHOD_NAMES: [&str; 20] = [
    "chapman",
    "lincoln-petersen",
    "independence",
    "loglinear",
    "stepwise",
    "sparsemse",
    "aic",
    "bic",
    "lcmcr",
    "dga",
    "m0",
    "mt",
    "mh-chao",
    "mh-poisson",
    "mh-darroch",
    "mh-gamma",
    "mth-chao",
    "mth-poisson",
    "mth-darroch",
    "mth-gamma",
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
            "sparsemse" => Method::SparseMse {
                threshold: options.p_threshold.unwrap_or(0.02),
            },
            "aic" => Method::Aic,
            "bic" => Method::Bic,
            "lcmcr" => Method::Lcmcr(options.lcmcr),
            "dga" => Method::Dga(options.dga),
            other => match ClosedModel::from_name(other) {
                Some(model) => Method::Closed(model),
                None => {
                    return Err(format!(
                        "unknown method {other:?}; one of {}",
                        METHOD_NAMES.join(", ")
                    ));
                }
            },
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
            Self::SparseMse { .. } => "sparsemse",
            Self::Aic => "aic",
            Self::Bic => "bic",
            Self::Lcmcr(_) => "lcmcr",
            Self::Closed(model) => model.name(),
            Self::Dga(_) => "dga",
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
    /// What to keep in mind, in English; `warnings_ar` says the same in Arabic, in the
    /// same order.
    pub warnings: Vec<String>,
    pub warnings_ar: Vec<String>,
    /// Method-specific details: the stepwise path, the models searched, posterior summaries.
    pub details: serde_json::Value,
}

/// The warning of every model search: the interval ignores the choice.
const CHOSEN_EN: &str =
    "the interval is that of the chosen model; it does not include the uncertainty of choosing it";
const CHOSEN_AR: &str = "المجال هو مجال النموذج المختار؛ ولا يشمل عدم اليقين في اختياره";

/// Warnings beside an estimate, each in English and in Arabic.
#[derive(Debug, Clone, Default)]
struct Notes {
    en: Vec<String>,
    ar: Vec<String>,
}

impl Notes {
    fn add(&mut self, en: String, ar: String) {
        self.en.push(en);
        self.ar.push(ar);
    }

    fn with(en: &str, ar: &str) -> Notes {
        let mut notes = Notes::default();
        notes.add(en.into(), ar.into());
        notes
    }
}

/// The warning for an interval without an upper bound.
fn unbounded_note(estimate: f64, warnings: &mut Notes) {
    warnings.add(
        format!(
            "the upper bound lies beyond 3 × the estimate ({:.0}): the data say little about how many were missed; use fewer lists, merge lists or stratify less",
            3.0 * estimate
        ),
        format!(
            "الحد الأعلى أبعد من ثلاثة أضعاف التقدير ({:.0}): لا تقول البيانات إلا القليل عن عدد من لم يُوثَّقوا؛ استعمل قوائم أقل أو ادمج قوائم أو قلّل التقسيم إلى طبقات",
            3.0 * estimate
        ),
    );
}

/// The warning for a model whose deviance says it does not fit the observed cells.
fn poor_fit_note(deviance: f64, df: i64, warnings: &mut Notes) {
    if df <= 0 {
        return;
    }
    let p = 1.0 - crate::numeric::regularized_gamma_p(df as f64 / 2.0, deviance / 2.0);
    if p < 0.05 {
        let p = if p < 1e-15 {
            "< 1e-15".to_string()
        } else {
            format!("= {p:.2e}")
        };
        warnings.add(
            format!(
                "the model fits the observed cells poorly (deviance {deviance:.1} on {df} df, p {p}); its estimate is doubtful"
            ),
            format!(
                "النموذج لا يطابق الخلايا المرصودة جيداً (الانحراف {deviance:.1} على {df} درجة حرية، p {p})؛ تقديره موضع شك"
            ),
        );
    }
}

/// An estimate read off a posterior of N: no fit statistics, no coefficients.
#[allow(clippy::too_many_arguments)]
fn from_posterior(
    method: &Method,
    table: &CaptureTable,
    observed: u64,
    median: f64,
    interval: [Option<f64>; 2],
    level: f64,
    interval_method: &str,
    warnings: Notes,
    details: serde_json::Value,
) -> Estimate {
    Estimate {
        method: method.name().into(),
        lists: table.lists().to_vec(),
        observed,
        estimate: median,
        interval,
        level,
        interval_method: interval_method.into(),
        terms: vec![],
        deviance: None,
        df: None,
        aic: None,
        bic: None,
        std_error: None,
        coefficients: vec![],
        warnings: warnings.en,
        warnings_ar: warnings.ar,
        details,
    }
}

/// The model-averaged estimate: the posterior median of N and its equal-tailed interval.
fn from_dga(
    method: &Method,
    table: &CaptureTable,
    settings: &DgaSettings,
    result: &DgaResult,
    level: f64,
) -> Estimate {
    let tail = (1.0 - level) / 2.0;
    let mut warnings = Notes::default();
    let (best, weight) = (&result.graphs[0].0, result.graphs[0].1);
    let (graphs, best_name, share) = (result.graphs.len(), best.describe(table), weight * 100.0);
    warnings.add(
        format!("averaged over the {graphs} decomposable graphs of the lists; the most probable, {best_name}, carries {share:.0} % of the posterior"),
        format!("متوسط على الرسوم القابلة للتفكيك الـ{graphs} للقوائم؛ وأرجحها، {best_name}، يحمل {share:.0} ٪ من التوزيع اللاحق"),
    );
    let last = result.observed + result.first_missing + result.posterior.len() as u64 - 1;
    if !result.bounded {
        warnings.add(
            format!("the posterior of N has not fallen off by N = {last}: the data say little about how many were missed, and there is no upper bound; use fewer lists or merge lists"),
            format!("لم يتلاشَ التوزيع اللاحق لـ N حتى N = {last}: لا تقول البيانات إلا القليل عن عدد من لم يُوثَّقوا، ولا حد أعلى؛ استعمل قوائم أقل أو ادمج قوائم"),
        );
    }
    let prior = match settings.prior {
        PopulationPrior::InverseN => serde_json::json!("1/N"),
        PopulationPrior::NegativeBinomial { a, b } => {
            serde_json::json!({ "negative_binomial": { "a": a, "b": b } })
        }
    };
    let top: Vec<_> = result
        .graphs
        .iter()
        .take(5)
        .map(|(graph, weight)| {
            serde_json::json!({ "graph": graph.describe(table), "posterior": weight })
        })
        .collect();
    from_posterior(
        method,
        table,
        result.observed,
        result.quantile(0.5),
        [
            Some(result.quantile(tail)),
            result.bounded.then(|| result.quantile(1.0 - tail)),
        ],
        level,
        "posterior quantiles (as R's dga)",
        warnings,
        serde_json::json!({
            "posterior_mean": result.mean(),
            "posterior_mode": result.mode(),
            "delta": result.delta,
            "prior": prior,
            "missing_range": [result.first_missing, last],
            "graphs_averaged": graphs,
            "most_probable_graphs": top,
        }),
    )
}

/// An estimate from one of Rcapture's closed-population models.
fn from_closed(method: &Method, table: &CaptureTable, fit: &ClosedFit, level: f64) -> Estimate {
    let interval = fit.profile_interval(level);
    let mut warnings = Notes::default();
    if interval.high.is_none() {
        unbounded_note(fit.estimate, &mut warnings);
    }
    poor_fit_note(fit.deviance, fit.df, &mut warnings);
    if fit.bias.abs() > 0.1 * fit.estimate {
        warnings.add(
            format!(
                "the estimate's asymptotic bias ({:.0}) is more than a tenth of it: the lists are too thin for this model",
                fit.bias
            ),
            format!(
                "الانحياز التقاربي للتقدير ({:.0}) أكبر من عُشره: القوائم أرقّ من أن تحمل هذا النموذج",
                fit.bias
            ),
        );
    }
    Estimate {
        method: method.name().into(),
        lists: table.lists().to_vec(),
        observed: fit.observed,
        estimate: interval.mode,
        interval: [Some(interval.low), interval.high],
        level,
        interval_method: "profile likelihood (as Rcapture's closedpCI.t)".into(),
        terms: vec![],
        deviance: Some(fit.deviance),
        df: Some(fit.df),
        aic: Some(fit.aic),
        bic: Some(fit.bic),
        std_error: Some(fit.std_error),
        coefficients: fit.coefficients.clone(),
        warnings: warnings.en,
        warnings_ar: warnings.ar,
        details: serde_json::json!({
            "poisson_estimate": fit.estimate,
            "rcapture_model": fit.model.rcapture_name(),
            "asymptotic_bias": fit.bias,
            "set_to_zero": fit.set_to_zero,
        }),
    }
}

fn from_loglinear(
    method: &Method,
    table: &CaptureTable,
    fit: &LoglinearFit,
    level: f64,
    mut warnings: Notes,
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
        unbounded_note(fit.estimate, &mut warnings);
    }
    for empty in &fit.empty_overlaps {
        warnings.add(
            format!(
                "{} have nobody in common: that interaction is taken at −∞ and the cells it covers are left out (Chan, Silverman and Vincent 2019)",
                table.term_name(*empty)
            ),
            format!(
                "لا أحد مشترك بين {}: يؤخذ هذا التفاعل عند −∞ وتُترك الخلايا التي يغطيها (Chan وSilverman وVincent 2019)",
                table.term_name(*empty)
            ),
        );
    }
    if !fit.model.is_hierarchical() {
        warnings.add(
            "the model is not hierarchical: an interaction is included without the lower-order interactions of its lists".into(),
            "النموذج غير هرمي: أُدخل تفاعل دون التفاعلات الأدنى رتبة بين قوائمه".into(),
        );
    }
    poor_fit_note(fit.deviance, fit.df, &mut warnings);
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
        warnings: warnings.en,
        warnings_ar: warnings.ar,
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
    let mut estimate = estimate_by_method(table, method, level, progress)?;
    // How thin the table is comes first: it weighs on every method.
    let used = match method {
        Method::LincolnPetersen(pair) | Method::Chapman(pair) => {
            let (a, b) = pair.unwrap_or((0, 1));
            table.collapse_to(a, b)
        }
        _ => table.clone(),
    };
    let mut notes = thin_table_notes(&used);
    notes.en.append(&mut estimate.warnings);
    notes.ar.append(&mut estimate.warnings_ar);
    (estimate.warnings, estimate.warnings_ar) = (notes.en, notes.ar);
    Ok(estimate)
}

/// Below this many people, two lists' overlap is called small.
const SMALL_OVERLAP: u64 = 5;

/// What makes a table too thin to estimate from with confidence, with what a statistician
/// would advise: most capture patterns empty, few people per pattern, lists that share only
/// a handful of people (lists that share nobody are said by the methods themselves).
fn thin_table_notes(table: &CaptureTable) -> Notes {
    let mut notes = Notes::default();
    let t = table.list_count();
    let cells = (1usize << t) - 1;
    let observed = table.observed();
    if t >= 3 {
        let empty = (1..=cells).filter(|p| table.count(*p) == 0).count();
        let share = empty as f64 / cells as f64 * 100.0;
        if empty * 2 >= cells {
            notes.add(
                format!(
                    "{empty} of the {cells} capture patterns of {t} lists are empty ({share:.0} %): the table is thin, and an estimate from it depends on the model chosen more than on the data; use fewer lists, merge lists, or stratify less"
                ),
                format!(
                    "{empty} من أنماط الالتقاط الـ{cells} لـ{t} قوائم فارغة ({share:.0} ٪): الجدول رقيق، والتقدير منه يتبع النموذج المختار أكثر مما يتبع البيانات؛ استعمل قوائم أقل أو ادمج قوائم أو قلّل التقسيم إلى طبقات"
                ),
            );
        } else if observed < SMALL_OVERLAP * cells as u64 {
            notes.add(
                format!(
                    "{observed} people over {cells} capture patterns: fewer than {SMALL_OVERLAP} a pattern on average, too few for {t} lists; use fewer lists or merge lists"
                ),
                format!(
                    "{observed} شخصاً على {cells} نمط التقاط: أقل من {SMALL_OVERLAP} للنمط في المتوسط، وهذا قليل لـ{t} قوائم؛ استعمل قوائم أقل أو ادمج قوائم"
                ),
            );
        }
    }
    let lists = table.lists();
    for a in 0..t {
        for b in a + 1..t {
            let shared = table.overlap((1 << a) | (1 << b));
            if (1..SMALL_OVERLAP).contains(&shared) {
                let (x, y) = (&lists[a], &lists[b]);
                notes.add(
                    format!(
                        "{x} and {y} share only {shared} people: what the estimate says about them rests on very few; merge lists or look for one that overlaps more"
                    ),
                    format!(
                        "لا تشترك {x} و{y} إلا في {shared} أشخاص: ما يقوله التقدير عنهما يستند إلى عدد قليل جداً؛ ادمج قوائم أو ابحث عن قائمة تتداخل معهما أكثر"
                    ),
                );
            }
        }
    }
    notes
}

fn estimate_by_method(
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
            let mut warnings = Notes::with(
                "a two-list estimate assumes the lists are independent and everyone equally likely to be listed; with more lists, a log-linear model can test that",
                "تقدير القائمتين يفترض أن القائمتين مستقلتان وأن لكل شخص الفرصة نفسها في أن يُدرَج؛ ومع قوائم أكثر يستطيع نموذج لوغاريتمي خطي اختبار ذلك",
            );
            if two.both == 0 {
                let (a, b) = (&two.table.lists()[0], &two.table.lists()[1]);
                warnings.add(
                    format!(
                        "{a} and {b} have nobody in common: Chapman's estimate is then finite but rests on no overlap at all, so it says little more than that the population is large; look for a list that overlaps with both"
                    ),
                    format!(
                        "لا أحد مشترك بين {a} و{b}: تقدير تشابمان عندئذ محدود لكنه لا يستند إلى أي تداخل، فلا يقول أكثر من أن العدد كبير؛ ابحث عن قائمة تتداخل مع الاثنتين"
                    ),
                );
            }
            if table.list_count() > 2 {
                let (a, b, left) = (
                    &table.lists()[first],
                    &table.lists()[second],
                    table.observed() - two.observed(),
                );
                warnings.add(
                    format!(
                        "only {a} and {b} are used; {left} people on other lists only are left out"
                    ),
                    format!("استُعملت {a} و{b} وحدهما؛ وتُرك {left} شخصاً لا يرد إلا في قوائم أخرى"),
                );
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
                warnings: warnings.en,
                warnings_ar: warnings.ar,
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
                Notes::default(),
                no_details,
            ))
        }
        Method::Stepwise { threshold } | Method::SparseMse { threshold } => {
            if !(*threshold > 0.0 && *threshold <= 1.0) {
                return Err(EstimateError::Invalid(format!(
                    "the p-value threshold must be in (0, 1], not {threshold}"
                )));
            }
            let result = if matches!(method, Method::SparseMse { .. }) {
                selection::stepwise_by_p_value(table, *threshold)?
            } else {
                selection::stepwise(table, *threshold)?
            };
            let details = serde_json::json!({
                "threshold": threshold,
                "steps": result.steps,
                "stopped": result.stopped,
            });
            let warnings = Notes::with(CHOSEN_EN, CHOSEN_AR);
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
            let warnings = Notes::with(CHOSEN_EN, CHOSEN_AR);
            Ok(from_loglinear(
                method,
                table,
                &result.best,
                level,
                warnings,
                details,
            ))
        }
        Method::Closed(model) => {
            let fit = closed::fit(table, *model)?;
            Ok(from_closed(method, table, &fit, level))
        }
        Method::Dga(settings) => {
            let result = dga::dga(table, settings)?;
            Ok(from_dga(method, table, settings, &result, level))
        }
        Method::Lcmcr(settings) => {
            let result = lcmcr::lcmcr_with(table, settings, progress)?;
            let tail = (1.0 - level) / 2.0;
            let mut warnings = Notes::default();
            let at_truncation = result.share_at_truncation(settings.classes);
            if at_truncation > 0.5 {
                let (k, share) = (settings.classes, at_truncation * 100.0);
                warnings.add(
                    format!("all {k} latent classes were in use in {share:.0} % of the draws: run again with more classes"),
                    format!("استُعملت الفئات الكامنة كلها ({k}) في {share:.0} ٪ من السحبات: أعد التشغيل بفئات أكثر"),
                );
            }
            if result.rounds > 1 {
                let (each, kept) = (result.draws_per_chain, result.draws.len());
                warnings.add(
                    format!("the chains agreed only after {each} draws each: the first half of every chain was discarded as burn-in, and the {kept} latest draws are kept"),
                    format!("لم تتفق السلاسل إلا بعد {each} سحبة لكل منها: أُهمل النصف الأول من كل سلسلة إحماءً وحُفظت آخر {kept} سحبة"),
                );
            }
            if result.effective_draws < 100.0 {
                let ess = result.effective_draws;
                warnings.add(
                    format!("the kept draws are worth only {ess:.0} independent ones: the interval is rough; run longer or thin more"),
                    format!("السحبات المحفوظة لا تساوي إلا {ess:.0} سحبة مستقلة: المجال تقريبي؛ شغّل مدة أطول أو خفّف أكثر"),
                );
            }
            if settings.chains == 1 {
                warnings.add(
                    "one chain only: whether chains started elsewhere would agree is not checked; run several (--chains)".into(),
                    "سلسلة واحدة فقط: لم يُتحقق من أن سلاسل تبدأ من مواضع أخرى تتفق معها؛ شغّل عدة سلاسل (--chains)".into(),
                );
            }
            warnings.add(
                "a Markov chain estimate: report the seed and the number of chains".into(),
                "تقدير بسلسلة ماركوف: اذكر البذرة وعدد السلاسل".into(),
            );
            Ok(from_posterior(
                method,
                table,
                table.observed(),
                result.quantile(0.5),
                [
                    Some(result.quantile(tail)),
                    Some(result.quantile(1.0 - tail)),
                ],
                level,
                "posterior quantiles",
                warnings,
                serde_json::json!({
                    "settings": settings,
                    "posterior_mean": result.mean(),
                    "draws": result.draws.len(),
                    "r_hat": result.r_hat,
                    "split_r_hat": result.split_r_hat,
                    "effective_draws": result.effective_draws,
                    "rounds": result.rounds,
                    "draws_per_chain": result.draws_per_chain,
                    "chain_medians": result.chain_medians,
                    "share_of_draws_using_every_class": at_truncation,
                }),
            ))
        }
    }
}
