//! Bayesian model averaging over decomposable graphical models (Madigan and York 1997), as
//! HRDAG's R package `dga` computes it — the method HRDAG publishes beside the latent-class
//! model for Syria and elsewhere.
//!
//! Every decomposable graph on the lists is a model of how they depend on each other (an edge:
//! two lists that are not independent). With a hyper-Dirichlet prior on the cell
//! probabilities (δ per cell of the full table, spread evenly over the cells of each margin),
//! a graph's marginal likelihood of the completed table — the observed patterns and n₀
//! people on no list — is the product of its cliques' Dirichlet–multinomial likelihoods over
//! the product of its separators'. The posterior of (graph, n₀) adds the multinomial
//! coefficient and the prior on N = n + n₀ (1/N unless another is given); summed over
//! graphs, it is the model-averaged posterior of N. It is exact: no sampling, no seed.

use super::EstimateError;
use super::table::CaptureTable;
use crate::numeric::ln_gamma;

/// The prior on the population size N.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PopulationPrior {
    /// p(N) ∝ 1/N, `bma.cr`'s default.
    InverseN,
    /// Madigan and York's negative-binomial prior with parameters a and b: log p(N) =
    /// N log b − (N + a) log(1 + b) + log Γ(N + a) − log Γ(N + 1) − log Γ(a).
    NegativeBinomial { a: f64, b: f64 },
}

/// How to average.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DgaSettings {
    /// The hyper-Dirichlet parameter per cell of the full table; `None` for 2⁻ᵗ, the package's
    /// suggestion.
    pub delta: Option<f64>,
    /// The people on no list to consider, from and to; `None` to find the range from the
    /// data (from 0 until the posterior has fallen to nothing).
    pub missing: Option<(u64, u64)>,
    pub prior: PopulationPrior,
}

impl Default for DgaSettings {
    fn default() -> Self {
        Self {
            delta: None,
            missing: None,
            prior: PopulationPrior::InverseN,
        }
    }
}

/// A decomposable graph: its cliques and the separators of a junction tree of them, each a
/// bit mask of lists; empty separators (between unconnected parts) are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub cliques: Vec<usize>,
    pub separators: Vec<usize>,
}

impl Graph {
    /// The graph in the usual notation, cliques in brackets: `[A,B][C]`.
    pub fn describe(&self, table: &CaptureTable) -> String {
        self.cliques
            .iter()
            .map(|&clique| {
                let names: Vec<&str> = (0..table.list_count())
                    .filter(|j| clique >> j & 1 == 1)
                    .map(|j| table.lists()[j].as_str())
                    .collect();
                format!("[{}]", names.join(","))
            })
            .collect()
    }
}

/// The model-averaged posterior.
#[derive(Debug, Clone)]
pub struct DgaResult {
    pub observed: u64,
    /// The smallest number of people on no list considered; `posterior[i]` is for
    /// `first_missing + i`.
    pub first_missing: u64,
    /// The posterior probability of each number of people on no list, summed over graphs.
    pub posterior: Vec<f64>,
    /// Every decomposable graph with its posterior probability, most probable first (ties in
    /// the order the graphs are enumerated).
    pub graphs: Vec<(Graph, f64)>,
    /// The δ used.
    pub delta: f64,
    /// Whether the posterior had fallen to nothing by the end of the range.
    pub bounded: bool,
}

impl DgaResult {
    /// The population size at which the posterior's cumulative probability first reaches q.
    pub fn quantile(&self, q: f64) -> f64 {
        let mut cumulative = 0.0;
        for (i, p) in self.posterior.iter().enumerate() {
            cumulative += p;
            if cumulative >= q - 1e-12 {
                return (self.observed + self.first_missing + i as u64) as f64;
            }
        }
        (self.observed + self.first_missing + self.posterior.len() as u64 - 1) as f64
    }

    pub fn mean(&self) -> f64 {
        self.posterior
            .iter()
            .enumerate()
            .map(|(i, p)| p * (self.observed + self.first_missing + i as u64) as f64)
            .sum()
    }

    /// The most probable population size.
    pub fn mode(&self) -> f64 {
        let best = self
            .posterior
            .iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |best, (i, p)| {
                if *p > best.1 { (i, *p) } else { best }
            })
            .0;
        (self.observed + self.first_missing + best as u64) as f64
    }
}

/// Every decomposable (chordal) graph on `lists` vertices, with cliques and separators, in
/// the order of their edge sets read as binary numbers.
pub fn decomposable_graphs(lists: usize) -> Vec<Graph> {
    let pairs: Vec<(usize, usize)> = (0..lists)
        .flat_map(|a| (a + 1..lists).map(move |b| (a, b)))
        .collect();
    (0..1usize << pairs.len())
        .filter_map(|edges| {
            let mut adjacent = vec![0usize; lists];
            for (e, &(a, b)) in pairs.iter().enumerate() {
                if edges >> e & 1 == 1 {
                    adjacent[a] |= 1 << b;
                    adjacent[b] |= 1 << a;
                }
            }
            is_chordal(&adjacent).then(|| with_junction_tree(&adjacent))
        })
        .collect()
}

/// Whether every vertex can be eliminated in turn while its remaining neighbours form a
/// clique (a perfect elimination ordering exists).
fn is_chordal(adjacent: &[usize]) -> bool {
    let is_clique = |set: usize| {
        (0..adjacent.len())
            .filter(|v| set >> v & 1 == 1)
            .all(|v| adjacent[v] & set == set & !(1 << v))
    };
    let mut left = (1usize << adjacent.len()) - 1;
    while left != 0 {
        let simplicial =
            (0..adjacent.len()).find(|&v| left >> v & 1 == 1 && is_clique(adjacent[v] & left));
        match simplicial {
            Some(v) => left &= !(1 << v),
            None => return false,
        }
    }
    true
}

/// The maximal cliques of a chordal graph and the separators of a junction tree: a spanning
/// tree of the cliques of largest total intersection (Kruskal, ties by clique order).
fn with_junction_tree(adjacent: &[usize]) -> Graph {
    let n = adjacent.len();
    let is_clique = |set: usize| {
        (0..n)
            .filter(|v| set >> v & 1 == 1)
            .all(|v| adjacent[v] & set == set & !(1 << v))
    };
    let cliques: Vec<usize> = (1..1usize << n)
        .filter(|&set| is_clique(set))
        .filter(|&set| (0..n).all(|v| set >> v & 1 == 1 || !is_clique(set | 1 << v)))
        .collect();
    let mut links: Vec<(usize, usize, usize)> = (0..cliques.len())
        .flat_map(|i| (i + 1..cliques.len()).map(move |j| (i, j)))
        .map(|(i, j)| (i, j, cliques[i] & cliques[j]))
        .collect();
    links.sort_by(|a, b| {
        b.2.count_ones()
            .cmp(&a.2.count_ones())
            .then((a.0, a.1).cmp(&(b.0, b.1)))
    });
    let mut part: Vec<usize> = (0..cliques.len()).collect();
    fn root(part: &mut [usize], mut i: usize) -> usize {
        while part[i] != i {
            part[i] = part[part[i]];
            i = part[i];
        }
        i
    }
    let mut separators = Vec::new();
    for (i, j, shared) in links {
        let (a, b) = (root(&mut part, i), root(&mut part, j));
        if a != b {
            part[a] = b;
            if shared != 0 {
                separators.push(shared);
            }
        }
    }
    Graph {
        cliques,
        separators,
    }
}

/// What a margin (a set of lists) contributes for n₀ people on no list, without the
/// normaliser every margin shares: log Γ(n₀ + D₀ + δ_A) + Σ log Γ(D_c + δ_A) − 2^|A| log Γ(δ_A),
/// δ_A = δ 2^(t − |A|), D the margin's counts (D₀: on none of A's lists).
#[derive(Debug, Clone, Copy, Default)]
struct Margin {
    on_none: u64,
    delta: f64,
    fixed: f64,
}

impl Margin {
    fn of(table: &CaptureTable, lists: usize, delta: f64) -> Margin {
        let t = table.list_count();
        let size = lists.count_ones() as usize;
        let bits: Vec<usize> = (0..t).filter(|j| lists >> j & 1 == 1).collect();
        let mut counts = vec![0u64; 1 << size];
        for pattern in table.patterns() {
            let cell = bits
                .iter()
                .enumerate()
                .fold(0, |acc, (k, &j)| acc | ((pattern >> j & 1) << k));
            counts[cell] += table.count(pattern);
        }
        let delta = delta * 2f64.powi((t - size) as i32);
        Margin {
            on_none: counts[0],
            delta,
            fixed: counts[1..]
                .iter()
                .map(|&c| ln_gamma(c as f64 + delta))
                .sum::<f64>()
                - counts.len() as f64 * ln_gamma(delta),
        }
    }

    fn at(&self, missing: u64) -> f64 {
        ln_gamma((missing + self.on_none) as f64 + self.delta) + self.fixed
    }
}

/// The log posterior (unnormalised) of every graph at one number of people on no list.
struct Posterior<'a> {
    table: &'a CaptureTable,
    graphs: &'a [Graph],
    margins: Vec<Margin>,
    prior: PopulationPrior,
    all: f64,
    observed_factorials: f64,
    /// Scratch: each margin's term at the n₀ being evaluated.
    terms: Vec<f64>,
}

impl<'a> Posterior<'a> {
    fn new(
        table: &'a CaptureTable,
        graphs: &'a [Graph],
        delta: f64,
        prior: PopulationPrior,
    ) -> Self {
        let t = table.list_count();
        Posterior {
            table,
            graphs,
            margins: (0..1usize << t)
                .map(|lists| {
                    if lists == 0 {
                        Margin::default()
                    } else {
                        Margin::of(table, lists, delta)
                    }
                })
                .collect(),
            prior,
            all: (1usize << t) as f64 * delta,
            observed_factorials: table
                .patterns()
                .map(|p| ln_gamma(table.count(p) as f64 + 1.0))
                .sum(),
            terms: vec![0.0; 1 << t],
        }
    }

    /// Each graph's log posterior at n₀ = `missing`, written into `out`.
    fn at(&mut self, missing: u64, out: &mut [f64]) {
        let total = (self.table.observed() + missing) as f64;
        for (term, margin) in self.terms.iter_mut().zip(&self.margins).skip(1) {
            *term = margin.at(missing);
        }
        // What every graph shares at n₀: the normaliser of each margin's Dirichlet, the
        // multinomial coefficient and the prior on N.
        let normaliser = ln_gamma(self.all) - ln_gamma(total + self.all);
        let coefficient =
            ln_gamma(total + 1.0) - self.observed_factorials - ln_gamma(missing as f64 + 1.0);
        let prior = match self.prior {
            PopulationPrior::InverseN => -total.ln(),
            PopulationPrior::NegativeBinomial { a, b } => {
                total * b.ln() - (total + a) * b.ln_1p() + ln_gamma(total + a)
                    - ln_gamma(total + 1.0)
                    - ln_gamma(a)
            }
        };
        for (value, graph) in out.iter_mut().zip(self.graphs) {
            let parts = graph.cliques.len() as f64 - graph.separators.len() as f64;
            *value = graph.cliques.iter().map(|c| self.terms[*c]).sum::<f64>()
                - graph.separators.iter().map(|s| self.terms[*s]).sum::<f64>()
                + parts * normaliser
                + coefficient
                + prior;
        }
    }
}

/// The lists dga averages over.
pub const LISTS: std::ops::RangeInclusive<usize> = 3..=5;

/// The range of n₀ ends when the last quarter of it holds less than this share of the
/// posterior. For a tail falling like N^-α, what lies beyond is then below 1/(0.75^(1−α) − 1)
/// times this: under 0.04 % for α ≥ 1.5, which leaves the 97.5 % quantile where it is. The
/// complete graph's tail is the heaviest: with the 1/N prior it falls like
/// N^-(1 + (2ᵗ − 1)δ), α = 2 − 2⁻ᵗ at the default δ — too slowly for the posterior mean to
/// settle, so the estimate is the median.
const TAIL_MASS: f64 = 1e-4;

fn log_sum_exp(values: &[f64]) -> f64 {
    let top = values.iter().fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    top + values.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

/// Averages over every decomposable graph of the table's lists.
pub fn dga(table: &CaptureTable, settings: &DgaSettings) -> Result<DgaResult, EstimateError> {
    let t = table.list_count();
    if !LISTS.contains(&t) {
        return Err(EstimateError::Invalid(format!(
            "dga averages over the decomposable graphs of 3 to 5 lists, not {t}; merge lists or use a log-linear method"
        )));
    }
    let delta = settings.delta.unwrap_or(0.5f64.powi(t as i32));
    if !(delta > 0.0 && delta.is_finite()) {
        return Err(EstimateError::Invalid(format!(
            "delta must be a positive number, not {delta}"
        )));
    }
    if let PopulationPrior::NegativeBinomial { a, b } = settings.prior
        && !(a > 0.0 && b > 0.0)
    {
        return Err(EstimateError::Invalid(
            "the negative-binomial prior needs positive a and b".into(),
        ));
    }
    let n = table.observed();
    if n == 0 {
        return Err(EstimateError::Invalid("the table has nobody on it".into()));
    }
    let (first, mut last, adaptive) = match settings.missing {
        Some((first, last)) if first <= last => (first, last, false),
        Some((first, last)) => {
            return Err(EstimateError::Invalid(format!(
                "the range of people on no list runs from {first} to {last}: the first must not be larger"
            )));
        }
        None => (0, (10 * n).max(1_000), true),
    };
    let ceiling = (1_000 * n).max(100_000);
    let graphs = decomposable_graphs(t);
    let mut posterior = Posterior::new(table, &graphs, delta, settings.prior);
    let mut values = vec![0.0; graphs.len()];
    // First the posterior of n₀ (summed over graphs, in logs), extending the range until its
    // tail has fallen off.
    let mut column: Vec<f64> = Vec::new();
    let bounded = loop {
        for missing in first + column.len() as u64..=last {
            posterior.at(missing, &mut values);
            column.push(log_sum_exp(&values));
        }
        let total = log_sum_exp(&column);
        let quarter = column.len() * 3 / 4;
        let tail = log_sum_exp(&column[quarter..]) - total;
        let bounded = tail < TAIL_MASS.ln();
        if !adaptive || bounded || last >= ceiling {
            break bounded;
        }
        last = (last * 2).min(ceiling);
    };
    let total = log_sum_exp(&column);
    let distribution: Vec<f64> = column.iter().map(|c| (c - total).exp()).collect();
    // Then each graph's share, summed over n₀.
    let mut shares = vec![0.0; graphs.len()];
    for missing in first..=last {
        posterior.at(missing, &mut values);
        for (share, value) in shares.iter_mut().zip(&values) {
            *share += (value - total).exp();
        }
    }
    let mut ranked: Vec<(Graph, f64)> = graphs.iter().cloned().zip(shares).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(DgaResult {
        observed: n,
        first_missing: first,
        posterior: distribution,
        graphs: ranked,
        delta,
        bounded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_the_decomposable_graphs() {
        // Every graph on three vertices is chordal; on four, all but the three 4-cycles; on
        // five, 822 of 1,024.
        assert_eq!(decomposable_graphs(3).len(), 8);
        assert_eq!(decomposable_graphs(4).len(), 61);
        assert_eq!(decomposable_graphs(5).len(), 822);
    }

    #[test]
    fn junction_trees_have_one_separator_fewer_than_cliques_when_connected() {
        for graph in decomposable_graphs(5) {
            let covered = graph.cliques.iter().fold(0, |a, c| a | c);
            assert_eq!(covered, 0b11111, "{graph:?}");
            assert!(graph.separators.len() < graph.cliques.len(), "{graph:?}");
        }
        // A path A–B–C: cliques {A,B} and {B,C}, separated by {B}.
        let path = decomposable_graphs(3)
            .into_iter()
            .find(|g| g.cliques == [0b011, 0b110])
            .expect("the path");
        assert_eq!(path.separators, [0b010]);
    }
}
