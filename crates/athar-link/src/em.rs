//! Fellegi–Sunter parameters and their estimation by expectation–maximisation.
//!
//! A pair's *comparison pattern* is the level of each comparison. EM works on the distinct
//! patterns and how often each occurs — a few hundred rows, however many millions of pairs
//! were compared — so a run costs nothing next to the comparisons themselves.
//!
//! Parameters: λ, the share of matches among the pairs; for each comparison and level, `m`
//! (the chance of that level for a match) and `u` (for a non-match). Level 0, "null", is
//! never estimated: a missing value says nothing.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Floor for estimated probabilities, so that a level never seen does not make a weight
/// infinite.
pub const PROBABILITY_FLOOR: f64 = 1e-6;

/// λ and per-comparison, per-level m and u (index 0, null, unused and kept at 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    pub lambda: f64,
    pub m: Vec<Vec<f64>>,
    pub u: Vec<Vec<f64>>,
}

impl Parameters {
    /// Starting values: agreement far likelier for matches, m falling and u rising with
    /// each level.
    pub fn starting(levels: &[usize], lambda: f64) -> Parameters {
        let mut m = Vec::with_capacity(levels.len());
        let mut u = Vec::with_capacity(levels.len());
        for &n in levels {
            let k = n - 1; // non-null levels
            let mut mc = vec![1.0; n];
            let mut uc = vec![1.0; n];
            let mut sm = 0.0;
            let mut su = 0.0;
            for l in 1..n {
                let r = (l - 1) as f64;
                mc[l] = 0.5f64.powf(r * 1.5);
                uc[l] = 2f64.powf(r * 1.5 - (k as f64) * 1.5);
                sm += mc[l];
                su += uc[l];
            }
            for l in 1..n {
                mc[l] /= sm;
                uc[l] /= su;
            }
            m.push(mc);
            u.push(uc);
        }
        Parameters { lambda, m, u }
    }

    /// log2 of the Bayes factor m/u of each comparison's levels (0 for null).
    pub fn log2_bayes_factors(&self) -> Vec<Vec<f64>> {
        self.m
            .iter()
            .zip(&self.u)
            .map(|(m, u)| {
                m.iter()
                    .zip(u)
                    .enumerate()
                    .map(|(l, (m, u))| if l == 0 { 0.0 } else { (m / u).log2() })
                    .collect()
            })
            .collect()
    }

    /// log2 of the prior odds λ / (1 − λ).
    pub fn prior_weight(&self) -> f64 {
        (self.lambda / (1.0 - self.lambda)).log2()
    }
}

/// How often each comparison pattern occurs. A pattern packs up to 16 comparisons of up to
/// 16 levels into a `u64`, four bits each.
#[derive(Debug, Clone, Default)]
pub struct PatternCounts {
    pub counts: HashMap<u64, u64>,
}

impl PatternCounts {
    pub fn add(&mut self, pattern: u64, count: u64) {
        *self.counts.entry(pattern).or_default() += count;
    }
    pub fn merge(&mut self, other: PatternCounts) {
        for (p, c) in other.counts {
            self.add(p, c);
        }
    }
    pub fn total(&self) -> u64 {
        self.counts.values().sum()
    }
}

/// Pack levels into a pattern.
#[inline]
pub fn pack(levels: impl IntoIterator<Item = u8>) -> u64 {
    let mut p = 0u64;
    for (i, l) in levels.into_iter().enumerate() {
        p |= (l as u64 & 0xF) << (4 * i);
    }
    p
}

/// The level of comparison `c` in a pattern.
#[inline]
pub fn level_of(pattern: u64, c: usize) -> usize {
    ((pattern >> (4 * c)) & 0xF) as usize
}

/// What EM may change.
#[derive(Debug, Clone, Copy)]
pub struct EmOptions {
    pub max_iterations: usize,
    /// Stop when no parameter moves more than this in an iteration.
    pub tolerance: f64,
    /// Keep `u` as given (estimated from random pairs), as Splink does by default.
    pub fix_u: bool,
    /// The largest share of matches the pairs can hold. Among the candidate pairs of n
    /// records, no more than about n pairs can be one person; without this bound EM can
    /// settle on a split of the pairs that is not matches against non-matches at all.
    pub max_lambda: f64,
}

impl Default for EmOptions {
    fn default() -> Self {
        EmOptions {
            max_iterations: 500,
            tolerance: 1e-7,
            fix_u: true,
            max_lambda: 1.0,
        }
    }
}

/// What EM did.
#[derive(Debug, Clone, Serialize)]
pub struct EmReport {
    pub iterations: usize,
    pub converged: bool,
    pub patterns: usize,
    /// Candidate pairs trained on.
    pub pairs: u64,
    /// The share of the candidate pairs those are (1 when all were).
    pub sample_rate: f64,
    /// One training session per blocking rule (see `athar_link::link`): what each found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SessionSummary>,
}

/// A training session on the candidate pairs of one blocking rule.
#[derive(Debug, Clone, Serialize)]
pub struct SessionSummary {
    pub rule: String,
    pub pairs: u64,
    /// The share of the session's pairs EM took for matches.
    pub lambda: f64,
    pub iterations: usize,
    pub converged: bool,
    /// When λ ran to a bound (every pair, or none, taken for a match): what happened and
    /// what to check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degenerate: Option<String>,
}

/// The posterior match probability of a pattern under `p`.
pub fn pattern_probability(p: &Parameters, pattern: u64) -> f64 {
    let mut log_m = p.lambda.ln();
    let mut log_u = (1.0 - p.lambda).ln();
    for c in 0..p.m.len() {
        let l = level_of(pattern, c);
        if l > 0 {
            log_m += p.m[c][l].ln();
            log_u += p.u[c][l].ln();
        }
    }
    1.0 / (1.0 + (log_u - log_m).exp())
}

/// Run EM from `start` over the pattern counts.
pub fn estimate(
    counts: &PatternCounts,
    start: &Parameters,
    opts: EmOptions,
) -> (Parameters, EmReport) {
    let none = PatternCounts::default();
    estimate_with_labels(counts, &none, &none, start, opts)
}

/// Run EM with pairs a person labelled: their match status is known, so they enter `m` and
/// `u` with weight 1 or 0 and do not move λ (they are not a random sample of the pairs).
pub fn estimate_with_labels(
    counts: &PatternCounts,
    known_matches: &PatternCounts,
    known_non_matches: &PatternCounts,
    start: &Parameters,
    opts: EmOptions,
) -> (Parameters, EmReport) {
    let patterns: Vec<(u64, f64)> = counts.counts.iter().map(|(&p, &c)| (p, c as f64)).collect();
    let total: f64 = patterns.iter().map(|&(_, c)| c).sum();
    let mut p = start.clone();
    let mut report = EmReport {
        iterations: 0,
        converged: false,
        patterns: patterns.len(),
        pairs: counts.total(),
        sample_rate: 1.0,
        sessions: Vec::new(),
    };
    if total == 0.0 {
        return (p, report);
    }
    for iteration in 1..=opts.max_iterations {
        let mut m_acc: Vec<Vec<f64>> = p.m.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut u_acc: Vec<Vec<f64>> = p.u.iter().map(|v| vec![0.0; v.len()]).collect();
        let mut matches = 0.0;
        for (known, w) in [(known_matches, 1.0), (known_non_matches, 0.0)] {
            for (&pattern, &count) in &known.counts {
                let count = count as f64;
                for c in 0..p.m.len() {
                    let l = level_of(pattern, c);
                    if l > 0 {
                        m_acc[c][l] += w * count;
                        u_acc[c][l] += (1.0 - w) * count;
                    }
                }
            }
        }
        for &(pattern, count) in &patterns {
            let w = pattern_probability(&p, pattern);
            matches += w * count;
            for c in 0..p.m.len() {
                let l = level_of(pattern, c);
                if l > 0 {
                    m_acc[c][l] += w * count;
                    u_acc[c][l] += (1.0 - w) * count;
                }
            }
        }
        let mut change: f64 = 0.0;
        let lambda = (matches / total)
            .min(opts.max_lambda)
            .clamp(PROBABILITY_FLOOR, 1.0 - PROBABILITY_FLOOR);
        change = change.max((lambda - p.lambda).abs());
        p.lambda = lambda;
        for c in 0..p.m.len() {
            normalise_into(&m_acc[c], &mut p.m[c], &mut change);
            if !opts.fix_u {
                normalise_into(&u_acc[c], &mut p.u[c], &mut change);
            }
        }
        report.iterations = iteration;
        if change < opts.tolerance {
            report.converged = true;
            break;
        }
    }
    (p, report)
}

/// Replace the non-null levels of `target` by `acc` normalised (floored), tracking change.
fn normalise_into(acc: &[f64], target: &mut [f64], change: &mut f64) {
    let sum: f64 = acc[1..].iter().sum();
    if sum <= 0.0 {
        return;
    }
    let mut floored = 0.0;
    let mut fresh: Vec<f64> = acc
        .iter()
        .map(|a| (a / sum).max(PROBABILITY_FLOOR))
        .collect();
    for v in &fresh[1..] {
        floored += v;
    }
    for (l, v) in fresh.iter_mut().enumerate().skip(1) {
        *v /= floored;
        *change = change.max((*v - target[l]).abs());
        target[l] = *v;
    }
}

/// u from level counts over (mostly non-matching) random pairs.
pub fn u_from_counts(level_counts: &[Vec<u64>]) -> Vec<Vec<f64>> {
    level_counts
        .iter()
        .map(|counts| {
            let mut u = vec![1.0; counts.len()];
            let sum: u64 = counts[1..].iter().sum();
            if sum == 0 {
                // Never observed: leave uniform so the comparison carries no weight.
                let k = (counts.len() - 1) as f64;
                for v in &mut u[1..] {
                    *v = 1.0 / k;
                }
                return u;
            }
            let mut total = 0.0;
            for l in 1..counts.len() {
                u[l] = (counts[l] as f64 / sum as f64).max(PROBABILITY_FLOOR);
                total += u[l];
            }
            for v in &mut u[1..] {
                *v /= total;
            }
            u
        })
        .collect()
}
