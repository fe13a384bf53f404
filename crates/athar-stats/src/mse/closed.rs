//! The closed-population models of Rcapture's `closedp.t` and `closedpCI.t`: M0, Mt, and the
//! heterogeneity models Mh and Mth in their Chao (lower bound), Poisson, Darroch and Gamma
//! forms — what many published multiple-list studies report beside the log-linear models.
//!
//! Each is a Poisson log-linear model of the 2ᵗ − 1 observable capture patterns, empty ones
//! included (Rivest and Baillargeon 2007). Besides the intercept — the log of the expected
//! number of people on no list, so N̂ = n + exp(β̂₀) — the columns are:
//!
//! - M0: the number of lists a pattern is on, k (everyone equally likely on every list);
//! - Mt: one column per list (the lists differ; the independence model);
//! - Mh: k, plus a heterogeneity column — people differ in how likely they are to be
//!   listed — which is 2ᵏ − 1 (Poisson, θ = 2), k²/2 (Darroch), −log(3.5 + k) + log 3.5
//!   (Gamma, θ = 3.5), or for Chao's lower bound one column max(k − j + 1, 0) for each
//!   j = 3 … t;
//! - Mth: Mt's columns plus the same heterogeneity columns.
//!
//! As Rcapture does by default (`neg = TRUE`), a negative Chao parameter is set to zero: its
//! column is removed and the model fitted again, first negative first, until none is
//! negative; the same is done at every step of the profile likelihood. The interval is
//! `closedpCI.t`'s profile-likelihood interval.

use super::EstimateError;
use super::glm::{Design, GlmError, PoissonFit, fit_poisson};
use super::loglinear::{
    Coefficient, ProfileInterval, check_exists, check_identifiable, multinomial_profile,
    profile_interval,
};
use super::table::CaptureTable;

/// How people differ in how likely they are to be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heterogeneity {
    /// Chao's lower bound: the frequencies of people on three or more lists left free.
    Chao,
    /// Poisson with θ = 2: 2ᵏ − 1.
    Poisson,
    /// Darroch: k²/2.
    Darroch,
    /// Gamma with θ = 3.5: −log(3.5 + k) + log 3.5.
    Gamma,
}

/// One of Rcapture's closed-population models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedModel {
    M0,
    Mt,
    Mh(Heterogeneity),
    Mth(Heterogeneity),
}

impl ClosedModel {
    /// Every model, in the order `closedp.t` prints them.
    pub const ALL: [ClosedModel; 10] = [
        ClosedModel::M0,
        ClosedModel::Mt,
        ClosedModel::Mh(Heterogeneity::Chao),
        ClosedModel::Mh(Heterogeneity::Poisson),
        ClosedModel::Mh(Heterogeneity::Darroch),
        ClosedModel::Mh(Heterogeneity::Gamma),
        ClosedModel::Mth(Heterogeneity::Chao),
        ClosedModel::Mth(Heterogeneity::Poisson),
        ClosedModel::Mth(Heterogeneity::Darroch),
        ClosedModel::Mth(Heterogeneity::Gamma),
    ];

    /// The name `--method` takes: `m0`, `mt`, `mh-chao`, `mth-gamma`, …
    pub fn name(self) -> &'static str {
        use Heterogeneity::*;
        match self {
            Self::M0 => "m0",
            Self::Mt => "mt",
            Self::Mh(Chao) => "mh-chao",
            Self::Mh(Poisson) => "mh-poisson",
            Self::Mh(Darroch) => "mh-darroch",
            Self::Mh(Gamma) => "mh-gamma",
            Self::Mth(Chao) => "mth-chao",
            Self::Mth(Poisson) => "mth-poisson",
            Self::Mth(Darroch) => "mth-darroch",
            Self::Mth(Gamma) => "mth-gamma",
        }
    }

    /// The model by its `--method` name.
    pub fn from_name(name: &str) -> Option<ClosedModel> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The row name in Rcapture's `closedp.t` table, such as `Mh Chao (LB)`.
    pub fn rcapture_name(self) -> &'static str {
        use Heterogeneity::*;
        match self {
            Self::M0 => "M0",
            Self::Mt => "Mt",
            Self::Mh(Chao) => "Mh Chao (LB)",
            Self::Mh(Poisson) => "Mh Poisson2",
            Self::Mh(Darroch) => "Mh Darroch",
            Self::Mh(Gamma) => "Mh Gamma3.5",
            Self::Mth(Chao) => "Mth Chao (LB)",
            Self::Mth(Poisson) => "Mth Poisson2",
            Self::Mth(Darroch) => "Mth Darroch",
            Self::Mth(Gamma) => "Mth Gamma3.5",
        }
    }

    fn heterogeneity(self) -> Option<Heterogeneity> {
        match self {
            Self::Mh(h) | Self::Mth(h) => Some(h),
            Self::M0 | Self::Mt => None,
        }
    }

    fn by_list(self) -> bool {
        matches!(self, Self::Mt | Self::Mth(_))
    }
}

/// A design column: its name and its value for each pattern.
struct Column {
    name: String,
    values: Vec<f64>,
}

/// A closed-population model fitted to a table.
#[derive(Debug, Clone)]
pub struct ClosedFit {
    pub model: ClosedModel,
    pub observed: u64,
    /// N̂ = n + exp(β̂₀), `closedp.t`'s abundance.
    pub estimate: f64,
    /// `closedp.t`'s standard error of N̂.
    pub std_error: f64,
    pub deviance: f64,
    pub df: i64,
    /// As R's `glm` gives it: −2 log L + 2 × parameters.
    pub aic: f64,
    /// −2 log L + log(n) × parameters.
    pub bic: f64,
    /// Rcapture's asymptotic bias of N̂; it warns when this exceeds a tenth of N̂.
    pub bias: f64,
    pub coefficients: Vec<Coefficient>,
    /// The Chao parameters set to zero because they came out negative (`neg.eta`).
    pub set_to_zero: Vec<String>,
    /// The columns of the final fit (intercept first), one value per pattern.
    names: Vec<String>,
    design: Design,
    counts: Vec<f64>,
    /// Where the Chao columns begin (the columns before do not model heterogeneity).
    chao_from: Option<usize>,
}

/// Fits one of the closed-population models.
pub fn fit(table: &CaptureTable, model: ClosedModel) -> Result<ClosedFit, EstimateError> {
    let t = table.list_count();
    let what = format!("{} ({})", model.name(), model.rcapture_name());
    if t < 3 && model.heterogeneity().is_some() {
        return Err(EstimateError::NotIdentifiable {
            model: what,
            reason: "heterogeneity models need at least three lists".into(),
        });
    }
    let patterns: Vec<usize> = table.patterns().collect();
    let counts: Vec<f64> = patterns.iter().map(|p| table.count(*p) as f64).collect();
    let lists_on: Vec<f64> = patterns.iter().map(|p| p.count_ones() as f64).collect();
    let mut columns = vec![Column {
        name: "(intercept)".into(),
        values: vec![1.0; patterns.len()],
    }];
    if model.by_list() {
        columns.extend((0..t).map(|j| {
            Column {
                name: table.lists()[j].clone(),
                values: patterns
                    .iter()
                    .map(|p| f64::from(u8::from(p >> j & 1 == 1)))
                    .collect(),
            }
        }));
    } else {
        columns.push(Column {
            name: "lists on (k)".into(),
            values: lists_on.clone(),
        });
    }
    let chao_from = (model.heterogeneity() == Some(Heterogeneity::Chao)).then_some(columns.len());
    match model.heterogeneity() {
        None => {}
        Some(Heterogeneity::Chao) => columns.extend((3..=t).map(|j| {
            Column {
                name: format!("eta{j}"),
                values: lists_on
                    .iter()
                    .map(|k| (k - j as f64 + 1.0).max(0.0))
                    .collect(),
            }
        })),
        Some(form) => columns.push(Column {
            name: "tau".into(),
            values: lists_on
                .iter()
                .map(|&k| match form {
                    Heterogeneity::Poisson => 2f64.powf(k) - 1.0,
                    Heterogeneity::Darroch => k * k / 2.0,
                    _ => -(3.5 + k).ln() + 3.5f64.ln(),
                })
                .collect(),
        }),
    }
    let advice = || {
        "the lists have too few people in common for this model: choose a simpler one, or merge lists"
            .to_string()
    };
    let full = design_of(&columns, false);
    check_identifiable(&what, &full)?;
    let names: Vec<String> = columns.iter().map(|c| c.name.clone()).collect();
    let fitted = fit_dropping_negative_eta(&full, &counts, chao_from);
    let (design, keep, poisson) = match fitted {
        Ok(found) => found,
        Err(GlmError::Singular) => {
            return Err(EstimateError::NotIdentifiable {
                model: what,
                reason: "the fit became singular".into(),
            });
        }
        Err(GlmError::Diverged) => {
            check_exists(&what, advice(), &full, &counts)?;
            return Err(EstimateError::NoFiniteEstimate {
                model: what,
                advice: advice(),
            });
        }
    };
    if chao_from.is_none() {
        check_exists(&what, advice(), &design, &counts)?;
    }
    let kept_names: Vec<String> = keep.iter().map(|&i| names[i].clone()).collect();
    let set_to_zero = names
        .iter()
        .enumerate()
        .filter(|(i, _)| !keep.contains(i))
        .map(|(_, n)| n.clone())
        .collect();
    let observed = table.observed();
    let p = design.cols;
    let unobserved = poisson.coefficients[0].exp();
    let std_error = (unobserved + unobserved * unobserved * poisson.covariance[0]).sqrt();
    let coefficients = kept_names
        .iter()
        .enumerate()
        .map(|(i, term)| Coefficient::of_fit(term.clone(), &poisson, i, p))
        .collect();
    Ok(ClosedFit {
        model,
        observed,
        estimate: observed as f64 + unobserved,
        std_error,
        deviance: poisson.deviance,
        df: design.rows as i64 - p as i64,
        aic: -2.0 * poisson.log_likelihood + 2.0 * p as f64,
        bic: -2.0 * poisson.log_likelihood + (observed as f64).ln() * p as f64,
        bias: asymptotic_bias(&design, &poisson),
        coefficients,
        set_to_zero,
        names,
        design: full,
        counts,
        chao_from,
    })
}

/// The design of these columns, one row per pattern, with a last row for the pattern of
/// nobody's lists (intercept only) when `with_unobserved_cell`.
fn design_of(columns: &[Column], with_unobserved_cell: bool) -> Design {
    let patterns = columns.first().map_or(0, |c| c.values.len());
    let rows = patterns + usize::from(with_unobserved_cell);
    let mut values = Vec::with_capacity(rows * columns.len());
    for r in 0..patterns {
        values.extend(columns.iter().map(|c| c.values[r]));
    }
    if with_unobserved_cell {
        values.push(1.0);
        values.extend(std::iter::repeat_n(0.0, columns.len() - 1));
    }
    Design {
        rows,
        cols: columns.len(),
        values,
    }
}

/// The design keeping only these columns.
fn keeping(design: &Design, keep: &[usize]) -> Design {
    let mut values = Vec::with_capacity(design.rows * keep.len());
    for r in 0..design.rows {
        let row = design.row(r);
        values.extend(keep.iter().map(|&c| row[c]));
    }
    Design {
        rows: design.rows,
        cols: keep.len(),
        values,
    }
}

/// A fit with the design's columns that survived.
type Kept = (Design, Vec<usize>, PoissonFit);

/// Fits the design; for a Chao model (`chao_from` = its first Chao column), removes the first
/// negative Chao parameter and fits again until none is negative, as Rcapture's `Chao.neg`.
/// A parameter running off to −∞ (a frequency of zero) is taken as negative: the fit that
/// diverges is retried without the last Chao column still in it.
fn fit_dropping_negative_eta(
    design: &Design,
    counts: &[f64],
    chao_from: Option<usize>,
) -> Result<Kept, GlmError> {
    let mut keep: Vec<usize> = (0..design.cols).collect();
    loop {
        let current = keeping(design, &keep);
        let fitted = fit_poisson(&current, counts);
        let Some(from) = chao_from else {
            return fitted.map(|fit| (current, keep, fit));
        };
        match fitted {
            Ok(fit) => {
                let negative = (from..keep.len()).find(|&i| fit.coefficients[i] < 0.0);
                match negative {
                    Some(i) => {
                        keep.remove(i);
                    }
                    None => return Ok((current, keep, fit)),
                }
            }
            Err(GlmError::Diverged) if keep.len() > from => {
                keep.pop();
            }
            Err(e) => return Err(e),
        }
    }
}

/// Rcapture's asymptotic bias of N̂ for a Poisson fit (from the second-order expansion of
/// exp(β̂₀)).
fn asymptotic_bias(design: &Design, fit: &PoissonFit) -> f64 {
    let p = design.cols;
    let v = &fit.covariance;
    // ξᵣ = −½ xᵣ' V xᵣ
    let xi: Vec<f64> = (0..design.rows)
        .map(|r| {
            let x = design.row(r);
            let mut quadratic = 0.0;
            for i in 0..p {
                for j in 0..p {
                    quadratic += x[i] * v[i * p + j] * x[j];
                }
            }
            -0.5 * quadratic
        })
        .collect();
    // ψ = −2 X' diag(μ) ξ, less 1 in the intercept's place.
    let mut psi = vec![0.0; p];
    for (r, xi_r) in xi.iter().enumerate() {
        let x = design.row(r);
        for j in 0..p {
            psi[j] -= 2.0 * x[j] * fit.fitted[r] * xi_r;
        }
    }
    psi[0] -= 1.0;
    let first: f64 = (0..p).map(|j| -v[j] * psi[j]).sum();
    0.5 * fit.coefficients[0].exp() * first
}

impl ClosedFit {
    /// The profile log-likelihood of N, as `closedpCI.t` computes it (negative Chao
    /// parameters set to zero at each N, as there).
    pub fn profile_log_likelihood(&self, n_total: f64) -> f64 {
        let unobserved = (n_total - self.observed as f64).max(0.0);
        let mut values = self.design.values.clone();
        values.push(1.0);
        values.extend(std::iter::repeat_n(0.0, self.design.cols - 1));
        let design = Design {
            rows: self.design.rows + 1,
            cols: self.design.cols,
            values,
        };
        let mut y = self.counts.clone();
        y.push(unobserved);
        match fit_dropping_negative_eta(&design, &y, self.chao_from) {
            Ok((_, _, fit)) => multinomial_profile(fit.deviance, unobserved, y.iter().sum()),
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

    /// The names of every column before negative Chao parameters were removed.
    pub fn column_names(&self) -> &[String] {
        &self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_follow_rcapture() {
        for model in ClosedModel::ALL {
            assert_eq!(ClosedModel::from_name(model.name()), Some(model));
        }
        assert_eq!(ClosedModel::from_name("mh"), None);
        assert_eq!(
            ClosedModel::Mth(Heterogeneity::Gamma).rcapture_name(),
            "Mth Gamma3.5"
        );
    }

    #[test]
    fn heterogeneity_needs_three_lists() {
        let table =
            CaptureTable::new(vec!["A".into(), "B".into()], vec![0, 30, 20, 10]).expect("a table");
        assert!(matches!(
            fit(&table, ClosedModel::Mh(Heterogeneity::Darroch)),
            Err(EstimateError::NotIdentifiable { .. })
        ));
        let m0 = fit(&table, ClosedModel::M0).expect("M0 fits two lists");
        assert!(m0.estimate > 60.0);
    }
}
