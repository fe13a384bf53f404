//! Choosing a log-linear model: an exhaustive search over hierarchical models by AIC or BIC,
//! and the stepwise procedure of Bales, Hesketh and Silverman (2015).
//!
//! Every candidate passes the identifiability and existence checks of [`super::loglinear`];
//! those that fail are counted and skipped, never fitted to a meaningless number.
//!
//! The search covers every hierarchical model below the saturated one for up to five lists
//! (for four lists, a few hundred models); for six lists it covers the 2^15 models made of
//! two-list interactions; beyond that it refuses and points to the stepwise procedure.

use super::EstimateError;
use super::loglinear::{self, LoglinearFit, Model};
use super::table::CaptureTable;
use crate::numeric::{poisson_cdf, poisson_upper_tail};
use serde::Serialize;

/// How to rank models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    Aic,
    Bic,
}

impl Criterion {
    fn of(self, fit: &LoglinearFit) -> f64 {
        match self {
            Self::Aic => fit.aic,
            Self::Bic => fit.bic,
        }
    }
}

/// What a search looked at.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub best: LoglinearFit,
    pub considered: usize,
    /// Candidates refused by the checks.
    pub refused: usize,
    /// The next best models, by the criterion (up to five), for the record.
    pub runners_up: Vec<(Model, f64, f64)>,
}

/// Every hierarchical model of t lists with interactions of at most `max_order` lists.
pub fn hierarchical_models(lists: usize, max_order: usize) -> Vec<Model> {
    let mut terms: Vec<usize> = (1usize..(1 << lists))
        .filter(|t| (2..=max_order).contains(&(t.count_ones() as usize)))
        .collect();
    terms.sort_by_key(|t| (t.count_ones(), *t));
    let mut models = Vec::new();
    let mut chosen = Vec::new();
    enumerate(&terms, 0, &mut chosen, &mut models);
    models
}

fn enumerate(terms: &[usize], next: usize, chosen: &mut Vec<usize>, out: &mut Vec<Model>) {
    if next == terms.len() {
        out.push(Model::with_terms(chosen.iter().copied()));
        return;
    }
    let term = terms[next];
    enumerate(terms, next + 1, chosen, out);
    let faces_present = term.count_ones() == 2
        || (0..usize::BITS)
            .filter(|bit| term >> bit & 1 == 1)
            .all(|bit| chosen.contains(&(term & !(1 << bit))));
    if faces_present {
        chosen.push(term);
        enumerate(terms, next + 1, chosen, out);
        chosen.pop();
    }
}

/// The hierarchical model with the best criterion.
pub fn search(table: &CaptureTable, criterion: Criterion) -> Result<SearchResult, EstimateError> {
    let t = table.list_count();
    let max_order = match t {
        0..=5 => t - 1,
        6 => 2,
        _ => {
            return Err(EstimateError::Invalid(format!(
                "an exhaustive model search over {t} lists is too large; use --method stepwise"
            )));
        }
    };
    let mut fits: Vec<LoglinearFit> = Vec::new();
    let mut considered = 0;
    let mut refused = 0;
    for model in hierarchical_models(t, max_order) {
        considered += 1;
        match loglinear::fit(table, &model) {
            Ok(fit) => fits.push(fit),
            Err(_) => refused += 1,
        }
    }
    fits.sort_by(|a, b| criterion.of(a).total_cmp(&criterion.of(b)));
    let mut fits = fits.into_iter();
    let best = fits.next().ok_or_else(|| {
        EstimateError::NoModel(format!(
            "none of the {considered} models passed the identifiability and existence checks"
        ))
    })?;
    let runners_up = fits
        .take(5)
        .map(|f| (f.model.clone(), criterion.of(&f), f.estimate))
        .collect();
    Ok(SearchResult {
        best,
        considered,
        refused,
        runners_up,
    })
}

/// One step of the stepwise procedure.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub added: String,
    pub aic: f64,
    pub p_value: f64,
    pub estimate: f64,
}

impl Step {
    fn of(table: &CaptureTable, pair: usize, fit: &LoglinearFit, p_value: f64) -> Step {
        Step {
            added: table.term_name(pair),
            aic: fit.aic,
            p_value,
            estimate: fit.estimate,
        }
    }
}

/// Every two-list interaction of `t` lists, in list order (A:B, A:C, …, B:C, …).
fn two_list_terms(t: usize) -> Vec<usize> {
    (0..t)
        .flat_map(|a| (a + 1..t).map(move |b| (1usize << a) | (1 << b)))
        .collect()
}

/// The stepwise result: the final fit and the steps that led to it.
#[derive(Debug, Clone)]
pub struct StepwiseResult {
    pub fit: LoglinearFit,
    pub steps: Vec<Step>,
    /// Why it stopped.
    pub stopped: String,
}

/// Starting from independence, add the two-list interaction whose model has the lowest AIC,
/// as long as that interaction's p-value is below `threshold`. The p-value is the Poisson test
/// of Chan, Silverman and Vincent (SparseMSE): under the current model, the number of people
/// on both lists is Poisson with mean the sum of the fitted cells they share; the smaller
/// one-sided tail of the observed overlap is the p-value.
pub fn stepwise(table: &CaptureTable, threshold: f64) -> Result<StepwiseResult, EstimateError> {
    let t = table.list_count();
    let pairs = two_list_terms(t);
    let mut current = loglinear::fit(table, &Model::independence())?;
    let mut steps = Vec::new();
    loop {
        let mut best: Option<(LoglinearFit, usize)> = None;
        for &pair in pairs.iter().filter(|p| !current.model.terms().contains(p)) {
            if let Ok(candidate) = loglinear::fit(table, &current.model.adding(pair))
                && best.as_ref().is_none_or(|(b, _)| candidate.aic < b.aic)
            {
                best = Some((candidate, pair));
            }
        }
        let Some((candidate, pair)) = best else {
            let stopped = "no further interaction passes the identifiability and existence checks";
            return Ok(StepwiseResult {
                fit: current,
                steps,
                stopped: stopped.into(),
            });
        };
        let p_value = overlap_p_value(table, &current, pair);
        if p_value >= threshold {
            let stopped = format!(
                "the best next interaction, {}, has p = {p_value:.4} ≥ {threshold}",
                table.term_name(pair)
            );
            return Ok(StepwiseResult {
                fit: current,
                steps,
                stopped,
            });
        }
        steps.push(Step::of(table, pair, &candidate, p_value));
        current = candidate;
    }
}

/// SparseMSE's stepwise rule (Chan, Silverman and Vincent 2019; the package's
/// `stepwisefit`): starting from independence, add the two-list interaction with the lowest
/// p-value (the same Poisson test as [`stepwise`]; a tie goes to the first pair in list
/// order), as long as it is below `threshold` and the model with it passes the
/// identifiability and existence checks. With a threshold of 1 the model of every two-list
/// interaction is taken when it passes them.
pub fn stepwise_by_p_value(
    table: &CaptureTable,
    threshold: f64,
) -> Result<StepwiseResult, EstimateError> {
    let t = table.list_count();
    let pairs = two_list_terms(t);
    if threshold >= 1.0
        && let Ok(all) = loglinear::fit(table, &Model::all_two_way(t))
    {
        let steps = pairs
            .iter()
            .map(|pair| Step::of(table, *pair, &all, f64::NAN))
            .collect();
        return Ok(StepwiseResult {
            fit: all,
            steps,
            stopped: "with a threshold of 1, every two-list interaction".into(),
        });
    }
    let mut current = loglinear::fit(table, &Model::independence())?;
    let mut steps = Vec::new();
    loop {
        let mut scored: Vec<(f64, usize)> = pairs
            .iter()
            .filter(|p| !current.model.terms().contains(p))
            .map(|&pair| (overlap_p_value(table, &current, pair), pair))
            .collect();
        // Lowest p first; among equal ones the first pair in list order.
        scored.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut chosen = None;
        for (p_value, pair) in scored {
            if p_value >= threshold {
                break;
            }
            // A model that fails the checks counts as p = 1: the next lowest is tried.
            if let Ok(fit) = loglinear::fit(table, &current.model.adding(pair)) {
                chosen = Some((fit, pair, p_value));
                break;
            }
        }
        let Some((candidate, pair, p_value)) = chosen else {
            return Ok(StepwiseResult {
                fit: current,
                steps,
                stopped: format!(
                    "no further interaction has p < {threshold} and passes the identifiability and existence checks"
                ),
            });
        };
        steps.push(Step::of(table, pair, &candidate, p_value));
        current = candidate;
    }
}

/// The Poisson p-value of adding the two-list interaction `pair` to `fit` (see [`stepwise`]).
pub fn overlap_p_value(table: &CaptureTable, fit: &LoglinearFit, pair: usize) -> f64 {
    let observed = table.overlap(pair);
    let expected: f64 = fit
        .fitted_cells()
        .filter(|(cell, _)| cell & pair == pair)
        .map(|(_, mu)| mu)
        .sum();
    poisson_cdf(observed, expected).min(poisson_upper_tail(observed, expected))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_hierarchical_models() {
        // Three lists, interactions of two: the 8 subsets of the 3 pairs.
        assert_eq!(hierarchical_models(3, 2).len(), 8);
        // Four lists up to three-way: the same set as brute force over all 2^10 subsets of
        // the six pairs and four triples, kept when hierarchical.
        let models = hierarchical_models(4, 3);
        let terms: Vec<usize> = (1usize..16)
            .filter(|t| (2..=3).contains(&t.count_ones()))
            .collect();
        let brute: std::collections::HashSet<Model> = (0u32..1 << terms.len())
            .map(|mask| {
                Model::with_terms(
                    (0..terms.len())
                        .filter(|i| mask >> i & 1 == 1)
                        .map(|i| terms[i]),
                )
            })
            .filter(Model::is_hierarchical)
            .collect();
        let found: std::collections::HashSet<Model> = models.iter().cloned().collect();
        assert_eq!(found.len(), models.len(), "no model twice");
        assert_eq!(found, brute);
        assert!(found.contains(&Model::independence()));
        assert!(found.contains(&Model::all_two_way(4)));
    }
}
