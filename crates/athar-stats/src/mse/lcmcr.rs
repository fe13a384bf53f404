//! The Bayesian non-parametric latent-class model of Manrique-Vallier (2016), "Bayesian
//! population size estimation using Dirichlet process mixtures" (Biometrics 72), which HRDAG
//! uses for Syria and Kosovo, sampled by Gibbs sampling.
//!
//! Everyone — seen or not — belongs to one of K latent classes; within a class, being on each
//! list is independent with probability λⱼₖ. Class weights follow a truncated stick-breaking
//! (Dirichlet process) prior with concentration α ~ Gamma(a, b); λⱼₖ ~ Beta(1, 1); and the
//! number of unseen people has the prior that makes the observed counts a truncated sample
//! (p(N) ∝ 1/N). The sampler works on capture patterns, not individuals: the class counts of
//! each pattern are drawn as one multinomial, so a pass costs the same for 400 or 4 million
//! people.
//!
//! One pass updates, in order: the class counts of the observed patterns; λ; the class weights
//! (stick-breaking, in log space so tiny weights do not underflow); the probability p₀ of
//! being on no list; the number of unseen people n₀ ~ NegativeBinomial(n, 1 − p₀); their class
//! counts; and α. The chain starts as the reference implementation (R package LCMCR) does:
//! λ at each list's share of the observed, fixed starting weights, and 500 warm-up passes
//! with α held, before the burn-in.

use super::EstimateError;
use super::table::CaptureTable;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Beta, Binomial, Distribution, Gamma, Poisson};
use serde::Serialize;

/// Sampler settings; the defaults are those HRDAG publishes with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LcmcrSettings {
    /// K, the truncation: the largest number of latent classes.
    pub classes: usize,
    /// Shape and rate of the Gamma prior on the concentration α.
    pub alpha_shape: f64,
    pub alpha_rate: f64,
    pub seed: u64,
    pub burnin: usize,
    pub samples: usize,
    pub thin: usize,
}

impl Default for LcmcrSettings {
    fn default() -> Self {
        Self {
            classes: 10,
            alpha_shape: 0.25,
            alpha_rate: 0.25,
            seed: 1,
            burnin: 10_000,
            samples: 1_000,
            thin: 100,
        }
    }
}

/// Posterior draws of the population size.
#[derive(Debug, Clone)]
pub struct LcmcrResult {
    /// N = n + n₀ at every kept pass, in order.
    pub draws: Vec<u64>,
    /// How many latent classes held anyone at each kept pass (k*); when it is often K, K is
    /// too small.
    pub classes_used: Vec<usize>,
}

impl LcmcrResult {
    /// The q-quantile of the draws (R's default type 7).
    pub fn quantile(&self, q: f64) -> f64 {
        let mut sorted: Vec<f64> = self.draws.iter().map(|d| *d as f64).collect();
        sorted.sort_by(f64::total_cmp);
        if sorted.is_empty() {
            return f64::NAN;
        }
        let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
        let below = h.floor() as usize;
        let above = h.ceil() as usize;
        sorted[below] + (h - below as f64) * (sorted[above] - sorted[below])
    }

    /// The share of kept passes at which every latent class held someone.
    pub fn share_at_truncation(&self, classes: usize) -> f64 {
        let full = self.classes_used.iter().filter(|k| **k >= classes).count();
        full as f64 / self.classes_used.len().max(1) as f64
    }

    pub fn mean(&self) -> f64 {
        self.draws.iter().map(|d| *d as f64).sum::<f64>() / self.draws.len().max(1) as f64
    }
}

struct Chain<'a> {
    settings: &'a LcmcrSettings,
    /// Observed patterns with their counts, as list membership flags.
    cells: Vec<(Vec<bool>, u64)>,
    observed: u64,
    lists: usize,
    rng: ChaCha8Rng,
    /// λ[j][k].
    lambda: Vec<Vec<f64>>,
    weights: Vec<f64>,
    log_weights: Vec<f64>,
    alpha: f64,
    unseen: u64,
    /// Class counts per observed cell, then of the unseen.
    cell_classes: Vec<Vec<u64>>,
    unseen_classes: Vec<u64>,
    scratch: Vec<f64>,
}

impl Chain<'_> {
    fn draw_multinomial(rng: &mut ChaCha8Rng, total: u64, weights: &[f64], out: &mut [u64]) {
        out.iter_mut().for_each(|o| *o = 0);
        let mut remaining = total;
        let mut mass: f64 = weights.iter().sum();
        for (k, &w) in weights.iter().enumerate() {
            if remaining == 0 {
                break;
            }
            if k + 1 == weights.len() || mass <= 0.0 {
                out[k] = remaining;
                break;
            }
            let p = (w / mass).clamp(0.0, 1.0);
            let drawn = if p >= 1.0 {
                remaining
            } else if p <= 0.0 {
                0
            } else {
                Binomial::new(remaining, p).map_or(0, |b| b.sample(rng))
            };
            out[k] = drawn;
            remaining -= drawn;
            mass -= w;
        }
    }

    fn log_gamma_draw(rng: &mut ChaCha8Rng, shape: f64) -> f64 {
        // ln of a Gamma(shape, 1) draw that stays finite for tiny shapes:
        // G(a) = G(a + 1) · U^(1/a).
        if shape >= 1.0 {
            Gamma::new(shape, 1.0).map_or(0.0, |g| g.sample(rng)).ln()
        } else {
            let boosted = Gamma::new(shape + 1.0, 1.0).map_or(1.0, |g| g.sample(rng));
            let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
            boosted.ln() + u.ln() / shape
        }
    }

    fn log_sum(a: f64, b: f64) -> f64 {
        if a > b {
            a + (b - a).exp().ln_1p()
        } else {
            b + (a - b).exp().ln_1p()
        }
    }

    fn sample_cell_classes(&mut self) {
        let k_count = self.settings.classes;
        for (m, (cell, count)) in self.cells.iter().enumerate() {
            for k in 0..k_count {
                let mut p = self.weights[k];
                for (j, on) in cell.iter().enumerate() {
                    p *= if *on {
                        self.lambda[j][k]
                    } else {
                        1.0 - self.lambda[j][k]
                    };
                }
                self.scratch[k] = p;
            }
            Self::draw_multinomial(
                &mut self.rng,
                *count,
                &self.scratch,
                &mut self.cell_classes[m],
            );
        }
    }

    fn sample_lambda(&mut self) {
        let k_count = self.settings.classes;
        for j in 0..self.lists {
            for k in 0..k_count {
                let mut on = 0u64;
                let mut off = self.unseen_classes[k];
                for (m, (cell, _)) in self.cells.iter().enumerate() {
                    if cell[j] {
                        on += self.cell_classes[m][k];
                    } else {
                        off += self.cell_classes[m][k];
                    }
                }
                self.lambda[j][k] = Beta::new(1.0 + on as f64, 1.0 + off as f64)
                    .map_or(0.5, |b| b.sample(&mut self.rng));
            }
        }
    }

    fn class_totals(&self) -> Vec<u64> {
        let mut totals = self.unseen_classes.clone();
        for counts in &self.cell_classes {
            for (t, c) in totals.iter_mut().zip(counts) {
                *t += c;
            }
        }
        totals
    }

    fn sample_weights(&mut self) {
        let k_count = self.settings.classes;
        let totals = self.class_totals();
        let everyone = self.observed + self.unseen;
        let mut accumulated = 0u64;
        let mut log_rest = 0.0; // Σ log(1 − V) so far
        for (k, &total) in totals.iter().enumerate().take(k_count - 1) {
            accumulated += total;
            let a = 1.0 + total as f64;
            let b = self.alpha + (everyone - accumulated) as f64;
            let g1 = Self::log_gamma_draw(&mut self.rng, a);
            let g2 = Self::log_gamma_draw(&mut self.rng, b);
            let sum = Self::log_sum(g1, g2);
            self.log_weights[k] = g1 - sum + log_rest;
            log_rest += g2 - sum;
            self.weights[k] = self.log_weights[k].exp();
        }
        self.log_weights[k_count - 1] = log_rest;
        self.weights[k_count - 1] = log_rest.exp();
    }

    fn probability_unseen(&self) -> f64 {
        (0..self.settings.classes)
            .map(|k| {
                self.weights[k]
                    * (0..self.lists)
                        .map(|j| 1.0 - self.lambda[j][k])
                        .product::<f64>()
            })
            .sum()
    }

    fn sample_unseen(&mut self, p0: f64) -> Result<(), EstimateError> {
        // Failures before n successes with success probability 1 − p₀, as a Gamma–Poisson
        // mixture.
        if p0 <= 0.0 {
            self.unseen = 0;
            return Ok(());
        }
        if p0 >= 1.0 - 1e-12 {
            return Err(EstimateError::NoModel(
                "the latent-class chain put almost everyone off every list; the data do not support this model".into(),
            ));
        }
        let rate = Gamma::new(self.observed as f64, p0 / (1.0 - p0))
            .map_or(0.0, |g| g.sample(&mut self.rng));
        self.unseen = if rate > 0.0 {
            Poisson::new(rate).map_or(0.0, |p| p.sample(&mut self.rng)) as u64
        } else {
            0
        };
        Ok(())
    }

    fn sample_unseen_classes(&mut self) {
        for k in 0..self.settings.classes {
            self.scratch[k] = self.weights[k]
                * (0..self.lists)
                    .map(|j| 1.0 - self.lambda[j][k])
                    .product::<f64>();
        }
        Self::draw_multinomial(
            &mut self.rng,
            self.unseen,
            &self.scratch,
            &mut self.unseen_classes,
        );
    }

    fn sample_alpha(&mut self) {
        let k_count = self.settings.classes as f64;
        let rate = self.settings.alpha_rate - self.log_weights[self.settings.classes - 1];
        self.alpha = Gamma::new(self.settings.alpha_shape + k_count - 1.0, 1.0 / rate)
            .map_or(self.alpha, |g| g.sample(&mut self.rng));
    }

    fn pass(&mut self, with_alpha: bool) -> Result<(), EstimateError> {
        self.sample_cell_classes();
        self.sample_lambda();
        self.sample_weights();
        let p0 = self.probability_unseen();
        self.sample_unseen(p0)?;
        self.sample_unseen_classes();
        if with_alpha {
            self.sample_alpha();
        }
        Ok(())
    }

    fn classes_used(&self) -> usize {
        self.class_totals().iter().filter(|t| **t > 0).count()
    }
}

/// Runs the sampler on a table.
pub fn lcmcr(table: &CaptureTable, settings: &LcmcrSettings) -> Result<LcmcrResult, EstimateError> {
    if settings.classes < 2 || settings.classes > 1000 {
        return Err(EstimateError::Invalid(
            "the number of latent classes must be between 2 and 1000".into(),
        ));
    }
    if settings.samples == 0 || settings.thin == 0 {
        return Err(EstimateError::Invalid(
            "samples and thinning must be at least 1".into(),
        ));
    }
    if !(settings.alpha_shape > 0.0 && settings.alpha_rate > 0.0) {
        return Err(EstimateError::Invalid(
            "the Gamma prior on α needs a positive shape and rate".into(),
        ));
    }
    let lists = table.list_count();
    let cells: Vec<(Vec<bool>, u64)> = table
        .patterns()
        .filter(|p| table.count(*p) > 0)
        .map(|p| {
            (
                (0..lists).map(|j| p >> j & 1 == 1).collect(),
                table.count(p),
            )
        })
        .collect();
    let observed = table.observed();
    let k_count = settings.classes;
    let lambda = (0..lists)
        .map(|j| {
            let share = table.overlap(1 << j) as f64 / observed as f64;
            vec![share; k_count]
        })
        .collect();
    let mut weights = vec![1.0 / k_count as f64; k_count];
    if k_count > 4 {
        for (k, w) in weights.iter_mut().enumerate() {
            *w = if k < 4 {
                0.25 * 0.9
            } else {
                0.1 / (k_count - 4) as f64
            };
        }
    }
    let log_weights = weights.iter().map(|w| w.ln()).collect();
    let mut chain = Chain {
        settings,
        cell_classes: vec![vec![0; k_count]; cells.len()],
        cells,
        observed,
        lists,
        rng: ChaCha8Rng::seed_from_u64(settings.seed),
        lambda,
        weights,
        log_weights,
        alpha: 0.3 / k_count as f64,
        unseen: 0,
        unseen_classes: vec![0; k_count],
        scratch: vec![0.0; k_count],
    };
    for _ in 0..500 {
        chain.pass(false)?;
    }
    for _ in 0..settings.burnin {
        chain.pass(true)?;
    }
    let mut draws = Vec::with_capacity(settings.samples);
    let mut classes_used = Vec::with_capacity(settings.samples);
    for _ in 0..settings.samples {
        for _ in 0..settings.thin {
            chain.pass(true)?;
        }
        draws.push(observed + chain.unseen);
        classes_used.push(chain.classes_used());
    }
    Ok(LcmcrResult {
        draws,
        classes_used,
    })
}
