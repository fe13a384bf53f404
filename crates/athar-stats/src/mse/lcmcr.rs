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
use athar_model::progress::Progress;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, Gamma, Poisson};
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
    /// Independent chains, run in parallel; the samples are shared between them.
    pub chains: usize,
    /// The most draws (all chains together) to make while waiting for the chains to agree;
    /// each round doubles every chain's length and keeps only its latest half.
    pub max_draws: usize,
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
            chains: 4,
            max_draws: 16_000,
        }
    }
}

/// Posterior draws of the population size.
#[derive(Debug, Clone, Default)]
pub struct LcmcrResult {
    /// N = n + n₀ at every kept pass, chain after chain.
    pub draws: Vec<u64>,
    /// Gelman and Rubin's R̂ over the chains (near 1 when they agree).
    pub r_hat: Option<f64>,
    /// R̂ over the halves of every chain (split R̂): also a check with one chain, and it
    /// sees a chain that drifts.
    pub split_r_hat: Option<f64>,
    /// How many independent draws the kept ones are worth (effective sample size, summed
    /// over the chains; Geyer's initial positive sequence of autocorrelations).
    pub effective_draws: f64,
    /// How many latent classes held anyone at each kept pass (k*); when it is often K, K is
    /// too small.
    pub classes_used: Vec<usize>,
    /// Rounds of sampling it took for the chains to agree (1 when the first did).
    pub rounds: usize,
    /// Draws each chain made after its burn-in, the earlier rounds' included; after more
    /// than one round, the latest half of them are kept.
    pub draws_per_chain: usize,
    /// Each chain's median of its kept draws.
    pub chain_medians: Vec<f64>,
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
    /// 1 − λ[j][k], drawn alongside λ rather than subtracted, so that it keeps its precision
    /// when λ is close to 1 (as the reference implementation does in log space).
    lambda_off: Vec<Vec<f64>>,
    weights: Vec<f64>,
    log_weights: Vec<f64>,
    alpha: f64,
    unseen: u64,
    /// Class counts per observed cell, then of the unseen.
    cell_classes: Vec<Vec<u64>>,
    unseen_classes: Vec<u64>,
    scratch: Vec<f64>,
    order: Vec<usize>,
}

impl Chain<'_> {
    /// Class counts of `total` people with class weights `weights` (not normalised), by
    /// conditional binomials in `order` (the classes by decreasing overall weight, so that
    /// the draws usually end early).
    fn draw_multinomial(
        rng: &mut ChaCha8Rng,
        total: u64,
        weights: &[f64],
        order: &[usize],
        out: &mut [u64],
    ) {
        out.iter_mut().for_each(|o| *o = 0);
        if total == 0 {
            return;
        }
        let mut remaining = total;
        let mut mass: f64 = weights.iter().sum();
        for (position, &k) in order.iter().enumerate() {
            if remaining == 0 {
                break;
            }
            let w = weights[k];
            if position + 1 == order.len() || mass <= 0.0 {
                out[k] = remaining;
                break;
            }
            let drawn = binomial(rng, remaining, (w / mass).clamp(0.0, 1.0));
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
                        self.lambda_off[j][k]
                    };
                }
                self.scratch[k] = p;
            }
            Self::draw_multinomial(
                &mut self.rng,
                *count,
                &self.scratch,
                &self.order,
                &mut self.cell_classes[m],
            );
        }
    }

    fn sample_lambda(&mut self) {
        let k_count = self.settings.classes;
        // People of each class on each list, and each class's total (seen and unseen).
        let mut on = vec![0u64; self.lists * k_count];
        let mut totals = self.unseen_classes.clone();
        for (m, (cell, _)) in self.cells.iter().enumerate() {
            for (k, &count) in self.cell_classes[m].iter().enumerate() {
                if count == 0 {
                    continue;
                }
                totals[k] += count;
                for (j, _) in cell.iter().enumerate().filter(|(_, on_list)| **on_list) {
                    on[j * k_count + k] += count;
                }
            }
        }
        for j in 0..self.lists {
            for k in 0..k_count {
                let on = on[j * k_count + k];
                let off = totals[k] - on;
                let (on, off) = beta_pair(&mut self.rng, 1.0 + on as f64, 1.0 + off as f64);
                self.lambda[j][k] = on;
                self.lambda_off[j][k] = off;
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
        self.sort_classes();
    }

    fn sort_classes(&mut self) {
        let weights = &self.weights;
        self.order
            .sort_unstable_by(|a, b| weights[*b].total_cmp(&weights[*a]));
    }

    fn probability_unseen(&self) -> f64 {
        (0..self.settings.classes)
            .map(|k| {
                self.weights[k]
                    * (0..self.lists)
                        .map(|j| self.lambda_off[j][k])
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
        // As the reference implementation does, a draw above 20 n is drawn again: it keeps a
        // chain that wanders into a region with p₀ near 1 from running away.
        for _ in 0..1000 {
            let rate = Gamma::new(self.observed as f64, p0 / (1.0 - p0))
                .map_or(0.0, |g| g.sample(&mut self.rng));
            self.unseen = if rate > 0.0 {
                Poisson::new(rate).map_or(0.0, |p| p.sample(&mut self.rng)) as u64
            } else {
                0
            };
            if self.unseen <= 20 * self.observed {
                return Ok(());
            }
        }
        Err(EstimateError::NoModel(
            "the latent-class chain keeps drawing more than 20 times the observed as unseen; the data do not support this model".into(),
        ))
    }

    fn sample_unseen_classes(&mut self) {
        for k in 0..self.settings.classes {
            self.scratch[k] = self.weights[k]
                * (0..self.lists)
                    .map(|j| self.lambda_off[j][k])
                    .product::<f64>();
        }
        Self::draw_multinomial(
            &mut self.rng,
            self.unseen,
            &self.scratch,
            &self.order,
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

    /// Relabels the classes by decreasing weight, as the reference implementation does once
    /// after its warm-up. The stick-breaking prior is not exchangeable: it expects the early
    /// classes to be the large ones, and α is drawn from the last class's weight. A large
    /// class left at the end after the warm-up makes α large and holds the chain in a region
    /// of the posterior it leaves only rarely.
    fn relabel_by_weight(&mut self) {
        let mut by_weight: Vec<usize> = (0..self.settings.classes).collect();
        by_weight.sort_by(|a, b| self.weights[*b].total_cmp(&self.weights[*a]).then(a.cmp(b)));
        let permute_f64 = |values: &[f64]| by_weight.iter().map(|&k| values[k]).collect::<Vec<_>>();
        let permute_u64 = |values: &[u64]| by_weight.iter().map(|&k| values[k]).collect::<Vec<_>>();
        self.weights = permute_f64(&self.weights);
        self.log_weights = permute_f64(&self.log_weights);
        self.lambda = self.lambda.iter().map(|row| permute_f64(row)).collect();
        self.lambda_off = self.lambda_off.iter().map(|row| permute_f64(row)).collect();
        self.cell_classes = self
            .cell_classes
            .iter()
            .map(|row| permute_u64(row))
            .collect();
        self.unseen_classes = permute_u64(&self.unseen_classes);
        self.sort_classes();
    }
}

/// A Binomial(n, p) draw: inversion from zero while the mean is small (most draws of the
/// sampler: small classes), rand_distr's BTPE otherwise.
fn binomial(rng: &mut ChaCha8Rng, n: u64, p: f64) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    let flipped = p > 0.5;
    let p = if flipped { 1.0 - p } else { p };
    let drawn = if n as f64 * p < 12.0 {
        let ratio = p / (1.0 - p);
        // (1 − p)^n by repeated squaring: exact to about n ulps, far cheaper than exp∘log.
        let mut mass = if n < i32::MAX as u64 {
            (1.0 - p).powi(n as i32)
        } else {
            (n as f64 * (-p).ln_1p()).exp()
        };
        let mut u: f64 = rng.random();
        let mut k = 0u64;
        while u > mass && k < n {
            u -= mass;
            mass *= ratio * (n - k) as f64 / (k + 1) as f64;
            k += 1;
            if mass <= 0.0 {
                break;
            }
        }
        k
    } else {
        Binomial::new(n, p).map_or(0, |b| b.sample(rng))
    };
    if flipped { n - drawn } else { drawn }
}

/// A Beta(a, b) draw B for a, b ≥ 1 and its complement 1 − B, each computed directly as
/// X / (X + Y) and Y / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
fn beta_pair(rng: &mut ChaCha8Rng, a: f64, b: f64) -> (f64, f64) {
    let x = Gamma::new(a, 1.0).map_or(1.0, |g| g.sample(rng));
    let y = Gamma::new(b, 1.0).map_or(1.0, |g| g.sample(rng));
    (x / (x + y), y / (x + y))
}

/// Passes each chain makes before its burn-in, to leave the starting values behind.
pub const WARM_UP_PASSES: usize = 500;

/// Runs the sampler on a table: `settings.chains` independent chains (in parallel, one
/// thread each), each with its own warm-up and burn-in, sharing the draws between them.
/// Chain c uses stream c of the ChaCha generator seeded with `settings.seed`, so the result
/// depends on the seed and the number of chains, never on thread timing.
pub fn lcmcr(table: &CaptureTable, settings: &LcmcrSettings) -> Result<LcmcrResult, EstimateError> {
    lcmcr_with(table, settings, &Progress::new())
}

/// [`lcmcr`], counting passes (warm-up included, every chain's) in `progress` and
/// stopping with [`EstimateError::Cancelled`] within a pass of being cancelled.
pub fn lcmcr_with(
    table: &CaptureTable,
    settings: &LcmcrSettings,
    progress: &Progress,
) -> Result<LcmcrResult, EstimateError> {
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
    if settings.chains == 0 || settings.chains > 64 || settings.chains > settings.samples {
        return Err(EstimateError::Invalid(
            "the number of chains must be between 1 and 64, and at most the number of samples"
                .into(),
        ));
    }
    if !(settings.alpha_shape > 0.0 && settings.alpha_rate > 0.0) {
        return Err(EstimateError::Invalid(
            "the Gamma prior on α needs a positive shape and rate".into(),
        ));
    }
    if settings.max_draws < settings.samples {
        return Err(EstimateError::Invalid(
            "the most draws to make must be at least the number of samples kept".into(),
        ));
    }
    let shares: Vec<usize> = (0..settings.chains)
        .map(|c| {
            settings.samples / settings.chains + usize::from(c < settings.samples % settings.chains)
        })
        .collect();
    let first_round = (WARM_UP_PASSES + settings.burnin) as u64
        + (settings.samples / settings.chains + 1) as u64 * settings.thin as u64;
    progress.add_total(first_round.saturating_mul(settings.chains as u64));
    let mut chains = in_parallel(
        (0..settings.chains).map(|c| move || start_chain(table, settings, c as u64, progress)),
    )?;
    let mut made: Vec<ChainDraws> = vec![(Vec::new(), Vec::new()); settings.chains];
    let mut rounds = 0;
    loop {
        rounds += 1;
        // The first round draws each chain's share; later ones double every chain.
        let more: Vec<usize> = made
            .iter()
            .zip(&shares)
            .map(|((draws, _), share)| {
                if draws.is_empty() {
                    *share
                } else {
                    draws.len()
                }
            })
            .collect();
        if rounds > 1 {
            let passes = more.iter().sum::<usize>() as u64 * settings.thin as u64;
            progress.add_total(passes);
        }
        let drawn = in_parallel(
            chains
                .iter_mut()
                .zip(&more)
                .map(|(chain, &count)| move || chain.draw(count, progress)),
        )?;
        for ((draws, used), (new_draws, new_used)) in made.iter_mut().zip(drawn) {
            draws.extend(new_draws);
            used.extend(new_used);
        }
        // After the first round, the first half of every chain is taken as burn-in (as
        // Gelman and Rubin advise) and the latest half kept.
        let keep = |length: usize| {
            if rounds == 1 {
                length
            } else {
                length.div_ceil(2)
            }
        };
        let kept: Vec<&[u64]> = made
            .iter()
            .map(|(draws, _)| &draws[draws.len() - keep(draws.len())..])
            .collect();
        let diagnostics = Diagnostics::of(&kept);
        let draws_per_chain = made[0].0.len();
        if diagnostics.agree(settings.samples) {
            let classes_used = made
                .iter()
                .flat_map(|(_, used)| used[used.len() - keep(used.len())..].iter().copied())
                .collect();
            return Ok(LcmcrResult {
                r_hat: diagnostics.r_hat,
                split_r_hat: diagnostics.split_r_hat,
                effective_draws: diagnostics.effective_draws,
                chain_medians: diagnostics.medians,
                draws: kept.concat(),
                classes_used,
                rounds,
                draws_per_chain,
            });
        }
        if 2 * draws_per_chain * settings.chains > settings.max_draws.max(settings.samples) {
            return Err(EstimateError::NotConverged {
                r_hat: diagnostics.r_hat,
                split_r_hat: diagnostics.split_r_hat,
                effective_draws: diagnostics.effective_draws,
                needed_effective_draws: Diagnostics::needed_effective_draws(settings.samples),
                draws_per_chain,
                chain_medians: diagnostics.medians,
            });
        }
    }
}

/// Runs each task on its own thread and returns their results in order (the first error
/// if any failed).
fn in_parallel<T: Send>(
    tasks: impl Iterator<Item = impl FnOnce() -> Result<T, EstimateError> + Send>,
) -> Result<Vec<T>, EstimateError> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = tasks.map(|task| scope.spawn(task)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(EstimateError::NoModel("a sampling thread failed".into()))
                })
            })
            .collect()
    })
}

/// Whether chains agree, from their kept draws.
struct Diagnostics {
    r_hat: Option<f64>,
    split_r_hat: Option<f64>,
    effective_draws: f64,
    medians: Vec<f64>,
}

/// The most R̂ (and split R̂) at which chains are taken to agree.
pub const MAX_R_HAT: f64 = 1.05;

impl Diagnostics {
    fn of(chains: &[&[u64]]) -> Diagnostics {
        let whole: Vec<Vec<u64>> = chains.iter().map(|c| c.to_vec()).collect();
        let halves: Vec<Vec<u64>> = chains
            .iter()
            .flat_map(|c| {
                let half = c.len() / 2;
                [c[..half].to_vec(), c[c.len() - half..].to_vec()]
            })
            .collect();
        Diagnostics {
            r_hat: gelman_rubin(&whole),
            split_r_hat: gelman_rubin(&halves),
            effective_draws: chains.iter().map(|c| effective_draws(c)).sum(),
            medians: chains
                .iter()
                .map(|c| {
                    LcmcrResult {
                        draws: c.to_vec(),
                        ..LcmcrResult::default()
                    }
                    .quantile(0.5)
                })
                .collect(),
        }
    }

    /// At least 100 effective draws, or a quarter of the draws kept when fewer than 400 are
    /// asked for.
    fn needed_effective_draws(samples: usize) -> f64 {
        (samples as f64 / 4.0).min(100.0)
    }

    fn agree(&self, samples: usize) -> bool {
        self.r_hat.is_none_or(|r| r <= MAX_R_HAT)
            && self.split_r_hat.is_none_or(|r| r <= MAX_R_HAT)
            && self.effective_draws >= Self::needed_effective_draws(samples)
    }
}

/// The longest lag of the autocorrelations summed for the effective sample size.
const MAX_LAG: usize = 2_000;

/// The effective sample size of one chain's draws: n / (1 + 2 Σ ρ_k), the autocorrelations
/// summed in pairs while each pair's sum stays positive (Geyer's initial positive
/// sequence). A chain that never moves is worth one draw.
fn effective_draws(chain: &[u64]) -> f64 {
    let n = chain.len();
    if n < 4 {
        return n as f64;
    }
    let values: Vec<f64> = chain.iter().map(|v| *v as f64).collect();
    let mean = values.iter().sum::<f64>() / n as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
    if variance <= 0.0 {
        return 1.0;
    }
    let rho = |lag: usize| {
        values[..n - lag]
            .iter()
            .zip(&values[lag..])
            .map(|(a, b)| (a - mean) * (b - mean))
            .sum::<f64>()
            / (n as f64 * variance)
    };
    // Beyond a few thousand lags the sum says no more (and would cost n² on long runs).
    let last = n.min(MAX_LAG);
    let mut sum = 0.0;
    let mut lag = 1;
    while lag + 1 < last {
        let pair = rho(lag) + rho(lag + 1);
        if pair <= 0.0 {
            break;
        }
        sum += pair;
        lag += 2;
    }
    (n as f64 / (1.0 + 2.0 * sum)).clamp(1.0, n as f64)
}

/// The potential scale reduction factor of Gelman and Rubin over chains of equal length
/// (the shortest length is used); `None` with one chain or too few draws.
fn gelman_rubin(chains: &[Vec<u64>]) -> Option<f64> {
    let length = chains.iter().map(Vec::len).min()?;
    if chains.len() < 2 || length < 4 {
        return None;
    }
    let n = length as f64;
    let m = chains.len() as f64;
    let means: Vec<f64> = chains
        .iter()
        .map(|c| c[..length].iter().map(|v| *v as f64).sum::<f64>() / n)
        .collect();
    let grand = means.iter().sum::<f64>() / m;
    let between = n / (m - 1.0) * means.iter().map(|x| (x - grand).powi(2)).sum::<f64>();
    let within = chains
        .iter()
        .zip(&means)
        .map(|(c, mean)| {
            c[..length]
                .iter()
                .map(|v| (*v as f64 - mean).powi(2))
                .sum::<f64>()
                / (n - 1.0)
        })
        .sum::<f64>()
        / m;
    if within <= 0.0 {
        return None;
    }
    let pooled = (n - 1.0) / n * within + between / n;
    Some((pooled / within).sqrt())
}

/// One chain's kept draws of N and the number of classes in use at each.
type ChainDraws = (Vec<u64>, Vec<usize>);

/// A chain past its warm-up and burn-in, ready to draw.
fn start_chain<'a>(
    table: &CaptureTable,
    settings: &'a LcmcrSettings,
    stream: u64,
    progress: &Progress,
) -> Result<Chain<'a>, EstimateError> {
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
    let shares: Vec<f64> = (0..lists)
        .map(|j| table.overlap(1 << j) as f64 / observed as f64)
        .collect();
    let lambda = shares.iter().map(|s| vec![*s; k_count]).collect();
    let lambda_off = shares.iter().map(|s| vec![1.0 - *s; k_count]).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    rng.set_stream(stream);
    // The starting weights are one draw of the stick-breaking prior with α = 1 (every
    // V ~ Beta(1, 1)): the weights the reference implementation's first passes use.
    let mut log_weights = vec![0.0; k_count];
    let mut log_rest = 0.0;
    for log_weight in log_weights.iter_mut().take(k_count - 1) {
        let g1 = Chain::log_gamma_draw(&mut rng, 1.0);
        let g2 = Chain::log_gamma_draw(&mut rng, 1.0);
        let sum = Chain::log_sum(g1, g2);
        *log_weight = g1 - sum + log_rest;
        log_rest += g2 - sum;
    }
    log_weights[k_count - 1] = log_rest;
    let weights = log_weights.iter().map(|w: &f64| w.exp()).collect();
    let mut chain = Chain {
        settings,
        cell_classes: vec![vec![0; k_count]; cells.len()],
        cells,
        observed,
        lists,
        rng,
        lambda,
        lambda_off,
        weights,
        log_weights,
        alpha: 0.3 / k_count as f64,
        unseen: 0,
        unseen_classes: vec![0; k_count],
        scratch: vec![0.0; k_count],
        order: (0..k_count).collect(),
    };
    chain.sort_classes();
    for _ in 0..WARM_UP_PASSES {
        progress.check()?;
        chain.pass(false)?;
    }
    chain.relabel_by_weight();
    progress.advance(WARM_UP_PASSES as u64);
    for _ in 0..settings.burnin {
        progress.check()?;
        chain.pass(true)?;
        progress.advance(1);
    }
    Ok(chain)
}

impl Chain<'_> {
    /// `samples` more draws of N, `thin` passes apart, with the classes in use at each.
    fn draw(&mut self, samples: usize, progress: &Progress) -> Result<ChainDraws, EstimateError> {
        let mut draws = Vec::with_capacity(samples);
        let mut classes_used = Vec::with_capacity(samples);
        for _ in 0..samples {
            for _ in 0..self.settings.thin {
                progress.check()?;
                self.pass(true)?;
            }
            progress.advance(self.settings.thin as u64);
            draws.push(self.observed + self.unseen);
            classes_used.push(self.classes_used());
        }
        Ok((draws, classes_used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The frequencies of `draws` against exact probabilities: a chi-square statistic over the
    /// cells with expected count ≥ 5, which must stay below its 99.9 % point.
    fn agrees_with(counts: &[u64], probabilities: &[f64], total: f64) {
        let mut statistic = 0.0;
        let mut cells = 0;
        for (observed, p) in counts.iter().zip(probabilities) {
            let expected = p * total;
            if expected >= 5.0 {
                statistic += (*observed as f64 - expected).powi(2) / expected;
                cells += 1;
            }
        }
        // The 99.9 % point of chi-square on cells − 1 degrees of freedom (Wilson–Hilferty).
        let df = (cells - 1) as f64;
        assert!(df >= 1.0);
        let z = crate::numeric::normal_quantile(0.999);
        let limit = df * (1.0 - 2.0 / (9.0 * df) + z * (2.0 / (9.0 * df)).sqrt()).powi(3);
        assert!(
            statistic < limit,
            "chi-square {statistic:.1} on {df} df (limit {limit:.1})"
        );
    }

    fn binomial_probabilities(n: u64, p: f64) -> Vec<f64> {
        (0..=n)
            .map(|k| {
                let ln_choose = crate::numeric::ln_gamma(n as f64 + 1.0)
                    - crate::numeric::ln_gamma(k as f64 + 1.0)
                    - crate::numeric::ln_gamma((n - k) as f64 + 1.0);
                (ln_choose + k as f64 * p.ln() + (n - k) as f64 * (-p).ln_1p()).exp()
            })
            .collect()
    }

    #[test]
    fn binomial_draws_follow_the_binomial_law() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // Inversion (small means, both sides of ½) and BTPE (large means).
        for &(n, p) in &[
            (10u64, 0.3f64),
            (40, 0.05),
            (1131, 0.004),
            (25, 0.9),
            (200, 0.2),
            (60, 0.5),
        ] {
            let draws = 200_000;
            let mut counts = vec![0u64; n as usize + 1];
            for _ in 0..draws {
                counts[binomial(&mut rng, n, p) as usize] += 1;
            }
            agrees_with(&counts, &binomial_probabilities(n, p), draws as f64);
        }
    }

    #[test]
    fn multinomial_draws_in_any_order_follow_the_multinomial_law() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let weights = [0.05, 0.6, 0.1, 0.25];
        let total: f64 = weights.iter().sum();
        for order in [[0, 1, 2, 3], [1, 3, 2, 0], [3, 2, 1, 0]] {
            let draws = 100_000;
            // The marginal of each class is Binomial(30, w / total).
            let mut marginals = vec![vec![0u64; 31]; 4];
            let mut out = [0u64; 4];
            for _ in 0..draws {
                Chain::draw_multinomial(&mut rng, 30, &weights, &order, &mut out);
                assert_eq!(out.iter().sum::<u64>(), 30);
                for k in 0..4 {
                    marginals[k][out[k] as usize] += 1;
                }
            }
            for k in 0..4 {
                agrees_with(
                    &marginals[k],
                    &binomial_probabilities(30, weights[k] / total),
                    draws as f64,
                );
            }
        }
    }

    #[test]
    fn beta_draws_have_the_beta_mean_and_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for &(a, b) in &[(1.0, 1.0), (3.0, 40.0), (200.0, 900.0)] {
            let draws: Vec<f64> = (0..200_000)
                .map(|_| {
                    let (on, off) = beta_pair(&mut rng, a, b);
                    assert!((on + off - 1.0).abs() < 1e-12);
                    on
                })
                .collect();
            let mean = draws.iter().sum::<f64>() / draws.len() as f64;
            let variance =
                draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / draws.len() as f64;
            let expected_mean = a / (a + b);
            let expected_variance = a * b / ((a + b).powi(2) * (a + b + 1.0));
            assert!((mean - expected_mean).abs() < 5.0 * (expected_variance / 200_000.0).sqrt());
            assert!((variance / expected_variance - 1.0).abs() < 0.02, "{a} {b}");
        }
    }

    #[test]
    fn effective_draws_fall_with_autocorrelation() {
        // Independent-looking draws: worth about as many as there are.
        let mut state: u64 = 7;
        let noise: Vec<u64> = (0..2000)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                1000 + (state >> 54)
            })
            .collect();
        assert!(
            effective_draws(&noise) > 1500.0,
            "{}",
            effective_draws(&noise)
        );
        // A slow walk: worth far fewer.
        let walk: Vec<u64> = (0..2000u64).map(|i| 1000 + i / 50).collect();
        assert!(effective_draws(&walk) < 100.0, "{}", effective_draws(&walk));
        assert_eq!(effective_draws(&[5; 100]), 1.0);
    }

    #[test]
    fn r_hat_is_one_for_agreeing_chains_and_large_for_disagreeing_ones() {
        let a: Vec<u64> = (0..100).map(|i| 1000 + (i * 37 % 50)).collect();
        let b: Vec<u64> = (0..100).map(|i| 1000 + (i * 53 % 50)).collect();
        let agreeing = gelman_rubin(&[a.clone(), b]).expect("two chains");
        assert!((agreeing - 1.0).abs() < 0.02, "{agreeing}");
        let shifted: Vec<u64> = a.iter().map(|v| v + 200).collect();
        assert!(gelman_rubin(&[a.clone(), shifted]).expect("two chains") > 1.5);
        assert!(gelman_rubin(&[a]).is_none());
    }
}
