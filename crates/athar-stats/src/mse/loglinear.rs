//! Log-linear models of a capture table, the population estimate they give and its
//! profile-likelihood interval.
//!
//! The expected count of each observable capture pattern is modelled as
//! log μ(ω) = β₀ + Σ main effects of the lists ω is on + Σ the chosen interactions (sets of
//! two or more lists, all of which ω is on). The intercept is the log of the expected number of
//! people on no list, so N̂ = n + exp(β̂₀), as in Rcapture's `closedp.t` with a model matrix.
//!
//! Before fitting, a model is checked as Chan, Silverman and Vincent (2019) recommend:
//! an interaction between lists with nobody in common is taken at −∞ (its cells are left out,
//! SparseMSE's treatment); the parameters must be identifiable from the observable cells (full
//! column rank); and the maximum likelihood estimate must exist, which is the linear programme
//! of Fienberg and Rinaldo (2012). A model that fails is refused with the reason.
//!
//! The interval is the profile-likelihood interval of Rcapture's `closedpCI.t`: the unobserved
//! cell is added to the data with the value N − n, the multinomial profile log-likelihood is
//! the Poisson deviance of that completed table with Cormack's (1992) correction, and the
//! bounds are where it falls χ²₁(level)/2 below its maximum.

use super::EstimateError;
use super::glm::{Design, GlmError, PoissonFit, fit_poisson};
use super::table::CaptureTable;
use crate::numeric::{chi_square_1_quantile, find_root, ln_gamma, maximise, rank};
use serde::Serialize;

/// A log-linear model: the interactions it includes beyond the main effects of every list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Model {
    terms: Vec<usize>,
}

impl Model {
    /// Main effects only: the lists are independent.
    pub fn independence() -> Self {
        Self::default()
    }

    /// A model with these interactions (bit masks of two or more lists); order and repeats
    /// do not matter.
    pub fn with_terms(terms: impl IntoIterator<Item = usize>) -> Self {
        let mut terms: Vec<usize> = terms.into_iter().filter(|t| t.count_ones() >= 2).collect();
        terms.sort_by_key(|t| (t.count_ones(), *t));
        terms.dedup();
        Self { terms }
    }

    /// Every two-list interaction of t lists.
    pub fn all_two_way(lists: usize) -> Self {
        Self::with_terms((0..lists).flat_map(|a| (a + 1..lists).map(move |b| (1 << a) | (1 << b))))
    }

    pub fn terms(&self) -> &[usize] {
        &self.terms
    }

    /// This model with one more interaction.
    pub fn adding(&self, term: usize) -> Self {
        Self::with_terms(self.terms.iter().copied().chain([term]))
    }

    /// Whether every interaction's lower-order interactions are in the model too.
    pub fn is_hierarchical(&self) -> bool {
        self.terms.iter().all(|&term| {
            term.count_ones() == 2
                || (0..usize::BITS)
                    .filter(|bit| term >> bit & 1 == 1)
                    .all(|bit| self.terms.contains(&(term & !(1 << bit))))
        })
    }

    /// The interactions' names, such as `EXH:ABA`.
    pub fn term_names(&self, table: &CaptureTable) -> Vec<String> {
        self.terms.iter().map(|t| table.term_name(*t)).collect()
    }

    /// A short description: "independence" or the list of interactions.
    /// What to do when the model has no finite estimate: fewer interactions, or — for
    /// the independence model, which has none to drop — lists that overlap more.
    pub fn advice_when_infinite(&self) -> String {
        if self.terms.is_empty() {
            "the lists have too few people in common for any estimate: add a list that overlaps with them, or merge lists".into()
        } else {
            "choose fewer interactions".into()
        }
    }

    pub fn describe(&self, table: &CaptureTable) -> String {
        if self.terms.is_empty() {
            "independence".into()
        } else {
            format!("main effects + {}", self.term_names(table).join(" + "))
        }
    }
}

/// One fitted parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Coefficient {
    pub term: String,
    pub value: f64,
    pub std_error: f64,
    /// Two-sided Wald p-value, as `summary(glm)` reports it.
    pub p_value: f64,
}

impl Coefficient {
    /// Parameter `i` of a Poisson fit of `p` parameters, with its Wald p-value.
    pub(crate) fn of_fit(term: String, fit: &PoissonFit, i: usize, p: usize) -> Coefficient {
        let value = fit.coefficients[i];
        let std_error = fit.covariance[i * p + i].sqrt();
        let z = (value / std_error).abs();
        Coefficient {
            term,
            value,
            std_error,
            p_value: libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2),
        }
    }
}

/// A model fitted to a table, with what the checks found.
#[derive(Debug, Clone)]
pub struct LoglinearFit {
    pub model: Model,
    /// Interactions taken at −∞ because their lists have nobody in common.
    pub empty_overlaps: Vec<usize>,
    pub observed: u64,
    /// N̂ = n + exp(β̂₀).
    pub estimate: f64,
    /// Rcapture's standard error of N̂.
    pub std_error: f64,
    pub deviance: f64,
    pub df: i64,
    /// −2 log L + 2 × parameters, counting the interactions taken at −∞ (as SparseMSE does).
    pub aic: f64,
    /// −2 log L + log(n) × parameters, n the number of people observed.
    pub bic: f64,
    pub coefficients: Vec<Coefficient>,
    prepared: Prepared,
    fit: PoissonFit,
}

/// The cells and columns a model is fitted on once empty overlaps are set aside.
#[derive(Debug, Clone)]
struct Prepared {
    cells: Vec<usize>,
    /// Column masks: 0 for the intercept, one bit for a main effect, more for interactions.
    columns: Vec<usize>,
    counts: Vec<f64>,
}

impl Prepared {
    fn new(table: &CaptureTable, model: &Model) -> (Self, Vec<usize>) {
        let mut empty = Vec::new();
        for &term in model.terms() {
            if empty.iter().any(|e| term & e == *e) {
                // A higher interaction over lists already known to share nobody.
                empty.push(term);
                continue;
            }
            if table.overlap(term) == 0 {
                empty.push(term);
            }
        }
        let cells: Vec<usize> = table
            .patterns()
            .filter(|p| !empty.iter().any(|e| p & e == *e))
            .collect();
        let mut columns = vec![0usize];
        columns.extend((0..table.list_count()).map(|j| 1 << j));
        columns.extend(model.terms().iter().copied().filter(|t| !empty.contains(t)));
        let counts = cells.iter().map(|c| table.count(*c) as f64).collect();
        (
            Self {
                cells,
                columns,
                counts,
            },
            empty,
        )
    }

    fn design(&self, with_unobserved_cell: bool) -> Design {
        let rows = self.cells.len() + usize::from(with_unobserved_cell);
        let cols = self.columns.len();
        let mut values = Vec::with_capacity(rows * cols);
        for &cell in &self.cells {
            values.extend(
                self.columns
                    .iter()
                    .map(|&c| if cell & c == c { 1.0 } else { 0.0 }),
            );
        }
        if with_unobserved_cell {
            values.extend(self.columns.iter().map(|&c| if c == 0 { 1.0 } else { 0.0 }));
        }
        Design { rows, cols, values }
    }
}

/// Fits a model after the identifiability and existence checks.
pub fn fit(table: &CaptureTable, model: &Model) -> Result<LoglinearFit, EstimateError> {
    let (prepared, empty_overlaps) = Prepared::new(table, model);
    let design = prepared.design(false);
    check_identifiable(&model.describe(table), &design)?;
    check_exists(
        &model.describe(table),
        model.advice_when_infinite(),
        &design,
        &prepared.counts,
    )?;
    let fit = fit_poisson(&design, &prepared.counts).map_err(|e| match e {
        GlmError::Singular => EstimateError::NotIdentifiable {
            model: model.describe(table),
            reason: "the fit became singular".into(),
        },
        GlmError::Diverged => EstimateError::NoFiniteEstimate {
            model: model.describe(table),
            advice: model.advice_when_infinite(),
        },
    })?;
    let observed = table.observed();
    let p = design.cols;
    let unobserved = fit.coefficients[0].exp();
    let variance0 = fit.covariance[0];
    let std_error = (unobserved + unobserved * unobserved * variance0).sqrt();
    let parameters = p + empty_overlaps.len();
    let coefficients = prepared
        .columns
        .iter()
        .enumerate()
        .map(|(i, &column)| {
            let term = if column == 0 {
                "(intercept)".into()
            } else {
                table.term_name(column)
            };
            Coefficient::of_fit(term, &fit, i, p)
        })
        .collect();
    Ok(LoglinearFit {
        model: model.clone(),
        empty_overlaps,
        observed,
        estimate: observed as f64 + unobserved,
        std_error,
        deviance: fit.deviance,
        df: design.rows as i64 - p as i64,
        aic: -2.0 * fit.log_likelihood + 2.0 * parameters as f64,
        bic: -2.0 * fit.log_likelihood + (observed as f64).ln() * parameters as f64,
        coefficients,
        prepared,
        fit,
    })
}

/// Refuses a design whose parameters the observable cells cannot determine.
pub(crate) fn check_identifiable(model: &str, design: &Design) -> Result<(), EstimateError> {
    if design.cols > design.rows {
        return Err(EstimateError::NotIdentifiable {
            model: model.into(),
            reason: format!(
                "it has {} parameters for {} observable cells",
                design.cols, design.rows
            ),
        });
    }
    let found = rank(&design.values, design.rows, design.cols);
    if found < design.cols {
        return Err(EstimateError::NotIdentifiable {
            model: model.into(),
            reason: format!(
                "its design has rank {found} for {} parameters on the cells that can be observed",
                design.cols
            ),
        });
    }
    Ok(())
}

/// Fienberg and Rinaldo's test: the MLE exists iff some strictly positive table has the same
/// sufficient statistics X'y. Maximise the smallest cell s of such a table (scaled to sum 1).
pub(crate) fn check_exists(
    model: &str,
    advice: String,
    design: &Design,
    counts: &[f64],
) -> Result<(), EstimateError> {
    use microlp::{ComparisonOp, OptimizationDirection, Problem};
    let total: f64 = counts.iter().sum();
    if counts.iter().all(|c| *c > 0.0) {
        return Ok(()); // the data themselves are such a table
    }
    let mut problem = Problem::new(OptimizationDirection::Maximize);
    let cells: Vec<_> = (0..design.rows)
        .map(|_| problem.add_var(0.0, (0.0, f64::INFINITY)))
        .collect();
    let smallest = problem.add_var(1.0, (0.0, f64::INFINITY));
    for column in 0..design.cols {
        let mut terms = Vec::new();
        let mut statistic = 0.0;
        for (row, var) in cells.iter().enumerate() {
            let x = design.values[row * design.cols + column];
            if x != 0.0 {
                terms.push((*var, x));
                statistic += x * counts[row] / total;
            }
        }
        problem.add_constraint(&terms, ComparisonOp::Eq, statistic);
    }
    for var in &cells {
        problem.add_constraint([(*var, 1.0), (smallest, -1.0)], ComparisonOp::Ge, 0.0);
    }
    let solution = problem
        .solve()
        .ok()
        .and_then(|outcome| outcome.into_solution().ok());
    match solution {
        Some(solution) if solution.objective() > 1e-9 => Ok(()),
        Some(_) => Err(EstimateError::NoFiniteEstimate {
            model: model.into(),
            advice,
        }),
        None => Err(EstimateError::NotIdentifiable {
            model: model.into(),
            reason: "the existence check could not be solved".into(),
        }),
    }
}

/// A profile-likelihood interval for N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProfileInterval {
    /// Where the profile likelihood is highest (Rcapture's multinomial N̂).
    pub mode: f64,
    pub low: f64,
    /// `None` when the likelihood has not fallen far enough by 3 × N̂ (Rcapture's `fmaxSupCL`).
    pub high: Option<f64>,
}

impl LoglinearFit {
    /// The profile log-likelihood of N, as Rcapture's `closedpCI.t` computes it.
    pub fn profile_log_likelihood(&self, n_total: f64) -> f64 {
        let unobserved = (n_total - self.observed as f64).max(0.0);
        let design = self.prepared.design(true);
        let mut y = self.prepared.counts.clone();
        y.push(unobserved);
        match fit_poisson(&design, &y) {
            Ok(fit) => multinomial_profile(fit.deviance, unobserved, y.iter().sum()),
            Err(_) => f64::NEG_INFINITY,
        }
    }

    /// The profile-likelihood interval at `level` (0.95 for 95 %).
    pub fn profile_interval(&self, level: f64) -> ProfileInterval {
        profile_interval(
            |total| self.profile_log_likelihood(total),
            self.observed as f64,
            self.estimate,
            level,
        )
    }

    /// The expected counts of the cells the model was fitted on, by pattern.
    pub fn fitted_cells(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.prepared
            .cells
            .iter()
            .copied()
            .zip(self.fit.fitted.iter().copied())
    }
}

/// The multinomial profile log-likelihood of N from the Poisson deviance of the table
/// completed with `unobserved` = N − n people on no list (`total` = N), with Cormack's (1992)
/// correction, as Rcapture's `closedpCI.t` computes it.
pub(crate) fn multinomial_profile(deviance: f64, unobserved: f64, total: f64) -> f64 {
    let correction = if total > 100.0 {
        if unobserved == 0.0 || unobserved == 1.0 {
            -total + 0.5 * (2.0 * std::f64::consts::PI * total).ln()
        } else {
            unobserved - total - 0.5 * (unobserved / total).ln()
        }
    } else {
        let x_log_x = |x: f64| if x > 0.0 { x * x.ln() } else { 0.0 };
        x_log_x(unobserved) + ln_gamma(total + 1.0) - x_log_x(total) - ln_gamma(unobserved + 1.0)
    };
    -(deviance - 2.0 * correction) / 2.0
}

/// Where a profile log-likelihood of N is highest between the `observed` count and three
/// times the Poisson `estimate`, and where it falls χ²₁(level)/2 below that on either side
/// (Rcapture's `fmaxSupCL` = 3 bounds the search for the upper end).
pub(crate) fn profile_interval(
    profile: impl Fn(f64) -> f64,
    observed: f64,
    estimate: f64,
    level: f64,
) -> ProfileInterval {
    let tolerance = 1e-9 * estimate.max(1.0);
    let (mode, top) = maximise(&profile, observed, 3.0 * estimate, tolerance);
    let floor = top - chi_square_1_quantile(level) / 2.0;
    let low =
        find_root(|total| profile(total) - floor, observed, mode, tolerance).unwrap_or(observed);
    let high = find_root(
        |total| profile(total) - floor,
        mode,
        3.0 * estimate,
        tolerance,
    );
    ProfileInterval { mode, low, high }
}
