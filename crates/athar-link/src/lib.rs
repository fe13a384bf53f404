//! # athar-link — record linkage
//!
//! Finds the records, within one list and across several, that describe the same person,
//! with names in Arabic script and any Latin transliteration, partial names, approximate
//! dates and places at any level of the gazetteer.
//!
//! The pipeline ([`link`]):
//!
//! 1. [`record`]: each record's fields are read once into comparable values
//!    ([`normalise`] reduces names to forms and cross-script skeletons);
//! 2. [`block`]: blocking rules choose the candidate pairs;
//! 3. [`compare`]: each comparison gives a pair a level; the levels form a pattern;
//! 4. [`em`]: `u` is learnt from random pairs, then λ and `m` by EM over the distinct
//!    patterns of the candidate pairs (labelled pairs, when there are any, count as known);
//! 5. scoring: a pair's weight is the prior plus each comparison's log₂ Bayes factor, with
//!    agreement on a rare name counting more than on a common one; [`Explanation`] shows
//!    every term;
//! 6. [`cluster`]: links above the threshold become persons, with a guard against chaining.
//!
//! The engine is pure computation: callers hand in [`InputRecord`]s and get back clusters,
//! links and the trained model. [`stored`] runs it over the persons in the store and keeps
//! the run; [`review`] lays reviewers' decisions over a run and orders the review queue.

#![forbid(unsafe_code)]

pub mod assign;
pub mod block;
pub mod cluster;
pub mod compare;
pub mod em;
pub mod normalise;
pub mod persons;
pub mod record;
pub mod review;
pub mod stored;
pub mod tracing;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

pub use block::{BlockKey, BlockingRule, Blocks, LinkMode};
pub use cluster::{Clusters, Link, Refusal, cluster, pairwise_scores};
pub use compare::{Comparison, PlaceField, TextField};
pub use em::{EmOptions, EmReport, Parameters, PatternCounts, SessionSummary};
pub use record::{Field, InputRecord, NamePart, Prepared, Preparer, ValueProblem};

/// At most this many comparisons in a model (four bits each in a `u64` pattern).
pub const MAX_COMPARISONS: usize = 16;

/// What to compare, how to block, and where to draw the line.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    pub comparisons: Vec<Comparison>,
    pub blocking: Vec<BlockingRule>,
    pub mode: LinkMode,
    /// A pair at or above this match probability is a link.
    pub threshold: f64,
    /// Two clusters are not joined when a pair across them scores below this.
    pub conflict_below: f64,
    /// Random pairs drawn to learn `u` (all pairs when there are fewer).
    pub u_sample_pairs: u64,
    /// At most about this many candidate pairs are compared for training (a random share of
    /// the blocks' work when there are more); every candidate pair is scored.
    #[serde(default = "Settings::default_training_pairs")]
    pub training_pairs: u64,
    /// A block of more records than this is split by its rule's refining keys.
    #[serde(default = "Settings::default_max_block")]
    pub max_block: usize,
    pub seed: u64,
    /// Pairs at or above this probability are returned (for review), beside the links.
    pub keep_above: f64,
    /// Match each record with at most one record of each other list: the assignment of
    /// greatest total evidence (see [`assign`]).
    #[serde(default)]
    pub one_to_one: bool,
}

impl Settings {
    /// A pair at or above this match probability is a link, unless told otherwise.
    pub const DEFAULT_THRESHOLD: f64 = 0.9;
    /// Clusters are not joined across a pair below this probability (see [`cluster`]).
    pub const DEFAULT_CONFLICT_BELOW: f64 = 0.01;

    fn default_training_pairs() -> u64 {
        5_000_000
    }

    fn default_max_block() -> usize {
        150
    }

    /// Comparisons and blocking rules for the fields the records have.
    pub fn for_records(records: &[Prepared], mode: LinkMode) -> Settings {
        let has_name = |p: NamePart| records.iter().filter(|r| r.name(p).is_some()).count() >= 2;
        let has = |f: &dyn Fn(&Prepared) -> bool| records.iter().filter(|r| f(r)).count() >= 2;
        let mut comparisons = Vec::new();
        for part in NamePart::ALL {
            if has_name(part) {
                comparisons.push(Comparison::name_part(part));
            }
        }
        let birth = has(&|r| r.birth.is_some());
        if birth {
            comparisons.push(Comparison::BirthDate);
        }
        let birthplace = has(&|r| r.birthplace.is_some());
        let residence = has(&|r| r.residence.is_some());
        if birthplace {
            comparisons.push(Comparison::Place {
                field: PlaceField::Birthplace,
            });
        }
        if residence {
            comparisons.push(Comparison::Place {
                field: PlaceField::Residence,
            });
        }
        if has(&|r| r.sex.is_some()) {
            comparisons.push(Comparison::Sex);
        }
        let mut texts = Vec::new();
        for (field, present) in [
            (TextField::Email, has(&|r| r.email.is_some())),
            (TextField::Phone, has(&|r| r.phone.is_some())),
            (TextField::Identifier, has(&|r| r.identifier.is_some())),
            (TextField::Address, has(&|r| r.address.is_some())),
            (TextField::Postcode, has(&|r| r.postcode.is_some())),
        ] {
            if present {
                comparisons.push(Comparison::Text { field });
                // Many people share an address or a postcode: not a block on its own.
                if !matches!(field, TextField::Address | TextField::Postcode) {
                    texts.push(field);
                }
            }
        }
        let postcode = has(&|r| r.postcode.is_some());
        let address = has(&|r| r.address.is_some());
        use BlockKey::*;
        use NamePart::*;
        let mut blocking = Vec::new();
        let mut rule = |keys: Vec<BlockKey>, refine: Vec<BlockKey>, ok: bool| {
            if ok {
                blocking.push(BlockingRule::new(keys).refined_by(refine));
            }
        };
        let (given, family, father, mother) = (
            has_name(Given),
            has_name(Family),
            has_name(Father),
            has_name(Mother),
        );
        rule(
            vec![Unordered {
                parts: vec![Given, Family],
            }],
            vec![],
            given && family,
        );
        // Blocks too large to compare whole are split by the first letter of the name part
        // the rule does not hold (given or family).
        let by_family = vec![SkeletonPrefix {
            part: Family,
            letters: 1,
        }];
        let by_given = vec![SkeletonPrefix {
            part: Given,
            letters: 1,
        }];
        // Names read the other way (a glued article, ظ as z …) meet their other spellings.
        let alternates = has(&|r| {
            [Given, Family].iter().any(|p| {
                r.name(*p)
                    .is_some_and(|v| v.alternate != v.skeleton || v.translated != v.skeleton)
            })
        });
        rule(
            vec![Alternate { part: Given }, Alternate { part: Family }],
            vec![],
            given && family && alternates,
        );
        // Attested Latin spellings meet the Arabic names they write (Ensour, النسور).
        let spelled = has(&|r| {
            [Given, Family]
                .iter()
                .any(|p| r.name(*p).is_some_and(|v| v.spelled != v.skeleton))
        });
        rule(
            vec![Spelled { part: Given }, Spelled { part: Family }],
            vec![],
            given && family && spelled,
        );
        rule(
            vec![Alternate { part: Family }, BirthYear],
            by_given.clone(),
            family && birth && alternates,
        );
        rule(
            vec![Skeleton { part: Given }, BirthYear],
            by_family.clone(),
            given && birth,
        );
        rule(
            vec![Skeleton { part: Family }, BirthYear],
            by_given.clone(),
            family && birth,
        );
        rule(
            vec![Skeleton { part: Given }, Skeleton { part: Father }],
            by_family.clone(),
            given && father,
        );
        rule(
            vec![Skeleton { part: Family }, Skeleton { part: Father }],
            by_given,
            family && father,
        );
        rule(
            vec![Skeleton { part: Given }, Skeleton { part: Mother }],
            by_family,
            given && mother,
        );
        rule(
            vec![
                BirthDate,
                SkeletonPrefix {
                    part: Given,
                    letters: 1,
                },
            ],
            vec![],
            birth && given,
        );
        // A given name mistyped where the other list has no father's name and no year (امد
        // for Ahmad): the family name and the given name's first letter.
        rule(
            vec![
                Skeleton { part: Family },
                SkeletonPrefix {
                    part: Given,
                    letters: 1,
                },
            ],
            vec![SkeletonPrefix {
                part: Given,
                letters: 3,
            }],
            given && family,
        );
        // A mistyped family name where the other list has no father's name and no year:
        // the given name and the family name's first letter.
        rule(
            vec![
                Skeleton { part: Given },
                SkeletonPrefix {
                    part: Family,
                    letters: 1,
                },
            ],
            vec![SkeletonPrefix {
                part: Family,
                letters: 3,
            }],
            given && family,
        );
        // The same with the mother's name instead of the given name's letter.
        rule(
            vec![Skeleton { part: Family }, Skeleton { part: Mother }],
            vec![SkeletonPrefix {
                part: Given,
                letters: 1,
            }],
            family && mother,
        );
        let place = if residence {
            Some(PlaceField::Residence)
        } else if birthplace {
            Some(PlaceField::Birthplace)
        } else {
            None
        };
        if let Some(field) = place {
            rule(vec![BirthDate, Place { field }], vec![], birth);
        }
        for field in texts {
            rule(vec![Text { field }], vec![], true);
        }
        rule(
            vec![
                Text {
                    field: TextField::Postcode,
                },
                SkeletonPrefix {
                    part: Family,
                    letters: 2,
                },
            ],
            vec![],
            postcode && family,
        );
        // The same address in the same postcode or place: a household, worth comparing even
        // when both names were mistyped.
        rule(
            vec![
                Text {
                    field: TextField::Address,
                },
                Text {
                    field: TextField::Postcode,
                },
            ],
            vec![],
            address && postcode,
        );
        if let Some(field) = place {
            rule(
                vec![
                    Text {
                        field: TextField::Address,
                    },
                    Place { field },
                ],
                vec![],
                address,
            );
        }
        Settings {
            comparisons,
            blocking,
            mode,
            threshold: Settings::DEFAULT_THRESHOLD,
            conflict_below: Settings::DEFAULT_CONFLICT_BELOW,
            u_sample_pairs: 1_000_000,
            training_pairs: Settings::default_training_pairs(),
            max_block: Settings::default_max_block(),
            seed: 1,
            keep_above: 0.9,
            one_to_one: false,
        }
    }
}

/// Stages a long run reports progress in.
pub trait Progress: Sync {
    /// A stage begins; `total` units of work (0 when unknown).
    fn stage(&self, _name: &str, _total: u64) {}
    /// `done` more units of the current stage are finished.
    fn advance(&self, _done: u64) {}
    /// Whoever started the run asks it to stop: it ends with [`LinkError::Cancelled`] at
    /// its next step.
    fn cancelled(&self) -> bool {
        false
    }
}

/// Reports nothing.
pub struct Silent;
impl Progress for Silent {}

/// A run watched through the shared progress of long work (a job's): every stage's units
/// add to the total, and the run stops when it is cancelled.
impl Progress for athar_model::progress::Progress {
    fn stage(&self, _name: &str, total: u64) {
        self.add_total(total);
    }
    fn advance(&self, done: u64) {
        athar_model::progress::Progress::advance(self, done);
    }
    fn cancelled(&self) -> bool {
        self.is_cancelled()
    }
}

/// Records prepared for linkage, with what the comparisons need to know about all of them.
pub struct Dataset {
    pub records: Vec<Prepared>,
    pub interner: record::Interner,
    pub problems: Vec<ValueProblem>,
    /// Per name part: how often each skeleton occurs among the records that have the part.
    pub name_frequency: [HashMap<u32, f64>; 5],
    /// Per name part, per interned skeleton: log₂ of its frequency (−∞ for a skeleton the
    /// part never has). An array read by id rather than a map: the common names' entries
    /// stay in cache through millions of pairs.
    pub name_log2_frequency: [Vec<f64>; 5],
}

impl Dataset {
    pub fn prepare(inputs: &[InputRecord], gazetteer: Option<&athar_model::Gazetteer>) -> Dataset {
        let mut builder = DatasetBuilder::new(gazetteer);
        for input in inputs {
            builder.push(input);
        }
        builder.finish()
    }
}

/// Prepares records one at a time, so that a caller reading a large file need not hold
/// every input record at once, then finishes them into a [`Dataset`].
pub struct DatasetBuilder<'g> {
    preparer: Preparer<'g>,
    records: Vec<Prepared>,
    problems: Vec<ValueProblem>,
}

impl<'g> DatasetBuilder<'g> {
    pub fn new(gazetteer: Option<&'g athar_model::Gazetteer>) -> Self {
        DatasetBuilder {
            preparer: Preparer::new(gazetteer),
            records: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Prepare the next record (its index is the number pushed before it).
    pub fn push(&mut self, input: &InputRecord) {
        let (r, mut problems) = self.preparer.prepare(self.records.len(), input);
        self.records.push(r);
        self.problems.append(&mut problems);
    }

    /// How many records were pushed.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The dataset: the records with their names' frequencies and similarities.
    pub fn finish(self) -> Dataset {
        let DatasetBuilder {
            preparer: p,
            records,
            problems,
        } = self;
        // Counted by interned id (ids are dense): a million records hold five million names.
        let strings = p.interner.len();
        let mut name_frequency: [HashMap<u32, f64>; 5] = Default::default();
        let mut name_log2_frequency: [Vec<f64>; 5] = Default::default();
        for part in NamePart::ALL {
            let mut count = vec![0u32; strings];
            let mut total = 0u64;
            for v in records.iter().filter_map(|r| r.name(part)) {
                count[v.skeleton as usize] += 1;
                total += 1;
            }
            let freq = &mut name_frequency[part.index()];
            let mut log2 = vec![f64::NEG_INFINITY; strings];
            for (id, &n) in count.iter().enumerate().filter(|&(_, &n)| n > 0) {
                let f = n as f64 / total as f64;
                freq.insert(id as u32, f);
                log2[id] = f.log2();
            }
            name_log2_frequency[part.index()] = log2;
        }
        let mut interner = p.interner;
        let table = frequent_name_strings(&records, strings);
        interner.build_similarity_table(&table, compare::NAME_CLOSE, compare::NAME_NEAR);
        Dataset {
            records,
            interner,
            problems,
            name_frequency,
            name_log2_frequency,
        }
    }
}

/// The name skeletons and Latin written forms that occur more than once, the most frequent
/// first: those whose similarities are worth computing once for all pairs.
fn frequent_name_strings(records: &[Prepared], strings: usize) -> Vec<u32> {
    let mut counts = vec![0u32; strings];
    for r in records {
        for v in r.names.iter().flatten() {
            counts[v.skeleton as usize] += 1;
            if v.script == record::NameScript::Latin && v.form != v.skeleton {
                counts[v.form as usize] += 1;
            }
        }
    }
    let mut frequent: Vec<(u32, u32)> = (0..strings as u32)
        .map(|id| (id, counts[id as usize]))
        .filter(|&(_, n)| n > 1)
        .collect();
    frequent.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    frequent.into_iter().map(|(id, _)| id).collect()
}

impl Dataset {
    /// The comparison pattern of records `a` and `b`: each comparison's level.
    #[inline]
    pub fn pattern(&self, comparisons: &[Comparison], a: u32, b: u32) -> u64 {
        let (x, y) = (&self.records[a as usize], &self.records[b as usize]);
        em::pack(comparisons.iter().map(|c| c.level(x, y, &self.interner)))
    }
}

/// Scores pairs under trained parameters.
pub struct Scorer<'a> {
    pub data: &'a Dataset,
    pub comparisons: &'a [Comparison],
    pub parameters: &'a Parameters,
    bayes: Vec<Vec<f64>>,
    prior: f64,
    /// The comparisons in the order a bounded score takes them: the weightiest first.
    order: Vec<usize>,
    /// For each position of `order`, the most the comparisons from there on can still add
    /// to a weight (0 for a missing value): a pair that cannot reach a floor stops early.
    most_from: Vec<f64>,
    /// Per comparison: log₂ of u of agreeing skeletons, for the name-frequency adjustment.
    log2_u_same: Vec<f64>,
}

/// One comparison's part in a pair's weight.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    pub comparison: String,
    pub level: &'static str,
    /// log₂ Bayes factor of the level.
    pub weight: f64,
    /// The adjustment for how common the agreeing name is (0 when none applies).
    pub frequency_adjustment: f64,
}

/// Why a pair scored what it did.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub prior_weight: f64,
    pub terms: Vec<Term>,
    pub weight: f64,
    pub probability: f64,
}

impl<'a> Scorer<'a> {
    pub fn new(
        data: &'a Dataset,
        comparisons: &'a [Comparison],
        parameters: &'a Parameters,
    ) -> Self {
        let bayes = parameters.log2_bayes_factors();
        // The largest name-frequency adjustment: agreement on the rarest name.
        let most_adjustment = |c: usize| -> f64 {
            let Comparison::Name {
                part,
                term_frequency: true,
                ..
            } = comparisons[c]
            else {
                return 0.0;
            };
            let u_same = parameters.u[c][1] + parameters.u[c][2];
            data.name_frequency[part.index()]
                .values()
                .filter(|&&t| t > 0.0)
                .map(|&t| (u_same / t).log2())
                .fold(0.0, f64::max)
        };
        let best: Vec<f64> = (0..comparisons.len())
            .map(|c| bayes[c].iter().skip(1).copied().fold(0.0, f64::max) + most_adjustment(c))
            .collect();
        let mut order: Vec<usize> = (0..comparisons.len()).collect();
        order.sort_by(|&x, &y| best[y].total_cmp(&best[x]));
        let mut most_from = vec![0.0; comparisons.len() + 1];
        for i in (0..order.len()).rev() {
            most_from[i] = most_from[i + 1] + best[order[i]];
        }
        let log2_u_same = (0..comparisons.len())
            .map(|c| match parameters.u[c].get(1..3) {
                Some(same) => (same[0] + same[1]).log2(),
                None => 0.0,
            })
            .collect();
        Scorer {
            data,
            comparisons,
            parameters,
            log2_u_same,
            bayes,
            prior: parameters.prior_weight(),
            order,
            most_from,
        }
    }

    /// The weight of a pair when it reaches `floor`; `None` as soon as the comparisons left
    /// cannot lift it there (most pairs of a block are plainly different people, and their
    /// first names say so). Exact: a pair at or above the floor is never cut short.
    pub fn weight_at_least(&self, a: u32, b: u32, floor: f64) -> Option<f64> {
        let (x, y) = (
            &self.data.records[a as usize],
            &self.data.records[b as usize],
        );
        let mut w = self.prior;
        for (i, &c) in self.order.iter().enumerate() {
            let l = self.comparisons[c].level(x, y, &self.data.interner) as usize;
            if l > 0 {
                w += self.bayes[c][l] + self.frequency_adjustment(c, l, a, b);
            }
            if w + self.most_from[i + 1] < floor {
                return None;
            }
        }
        Some(w)
    }

    /// The comparison pattern of a pair.
    #[inline]
    pub fn pattern(&self, a: u32, b: u32) -> u64 {
        self.data.pattern(self.comparisons, a, b)
    }

    fn frequency_adjustment(&self, c: usize, level: usize, a: u32, b: u32) -> f64 {
        let Comparison::Name {
            part,
            term_frequency: true,
            ..
        } = self.comparisons[c]
        else {
            return 0.0;
        };
        if level != 1 && level != 2 {
            return 0.0;
        }
        let lg = &self.data.name_log2_frequency[part.index()];
        let of = |r: u32| {
            self.data.records[r as usize]
                .name(part)
                .map_or(f64::NEG_INFINITY, |v| lg[v.skeleton as usize])
        };
        let t = of(a).max(of(b));
        if t == f64::NEG_INFINITY {
            return 0.0;
        }
        // u of "same skeleton" among random pairs, against this skeleton's own coincidence.
        self.log2_u_same[c] - t
    }

    /// Weight and match probability of a pair with a known pattern.
    #[inline]
    pub fn weight(&self, a: u32, b: u32, pattern: u64) -> f64 {
        let mut w = self.prior;
        for c in 0..self.comparisons.len() {
            let l = em::level_of(pattern, c);
            if l > 0 {
                w += self.bayes[c][l] + self.frequency_adjustment(c, l, a, b);
            }
        }
        w
    }

    pub fn probability(&self, a: u32, b: u32) -> f64 {
        probability_of_weight(self.weight(a, b, self.pattern(a, b)))
    }

    /// Why a pair must wait for a person whatever it scores, if it must ([`hold`]).
    pub fn hold(&self, a: u32, b: u32) -> Option<Hold> {
        hold_of_pattern(self.comparisons, self.pattern(a, b))
    }

    pub fn explain(&self, a: u32, b: u32) -> Explanation {
        let pattern = self.pattern(a, b);
        let terms = self
            .comparisons
            .iter()
            .enumerate()
            .map(|(c, comp)| {
                let l = em::level_of(pattern, c);
                Term {
                    comparison: comp.name(),
                    level: comp.levels()[l],
                    weight: self.bayes[c][l],
                    frequency_adjustment: if l > 0 {
                        self.frequency_adjustment(c, l, a, b)
                    } else {
                        0.0
                    },
                }
            })
            .collect();
        let weight = self.weight(a, b, pattern);
        Explanation {
            prior_weight: self.prior,
            terms,
            weight,
            probability: probability_of_weight(weight),
        }
    }
}

/// Why a pair that scores above the threshold is still not linked automatically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Hold {
    /// The same father's name and family name (exact, a variant, or one mistyped) — or,
    /// where one list has no father's name, the same mother's name and family name — the
    /// mother's name not a different one, and given names that differ (close, near or
    /// different — محمد and محمود, Hasan and Hussein): brothers or sisters as often as one
    /// person. A given name a letter from the other that may be another name too (`typo`:
    /// Samr, a letter from Samir and from Sami) is held unless the dates of birth agree; one
    /// that is a typing error of the other's name alone (`mistyped`: حيرد for Haidar) is not.
    SiblingPattern,
    /// The records give different sexes.
    DifferentSex,
}

/// Whether a pair must wait for a person whatever it scores: `level` gives the level of a
/// comparison by its name (`given_name`, `sex` …), `None` when it is not compared. A family
/// told that their son died when it was his brother is the error this prevents.
pub fn hold<'l>(level: impl Fn(&str) -> Option<&'l str>) -> Option<Hold> {
    // A parent's or family name mistyped in one list is still the same name.
    let agrees = |l: Option<&str>| matches!(l, Some("exact" | "variant" | "mistyped" | "typo"));
    if level("sex") == Some("different") {
        return Some(Hold::DifferentSex);
    }
    let father = level("father_name");
    let parents_agree =
        agrees(father) || (matches!(father, None | Some("null")) && agrees(level("mother_name")));
    let siblings = parents_agree
        && agrees(level("family_name"))
        // The mother's name may be written whole in one list and by her given name in the
        // other ("near"): only a different name says another mother.
        && level("mother_name") != Some("different")
        && match level("given_name") {
            Some("close" | "near" | "different") => true,
            // One name mistyped, born the same day or year: one person. Twins are two
            // attested names (Hasan and Hussein), close, not a typo.
            Some("typo") => !matches!(
                level("birth_date"),
                Some("exact" | "typo" | "within_month" | "compatible" | "within_year")
            ),
            _ => false,
        };
    siblings.then_some(Hold::SiblingPattern)
}

/// [`hold`] of a pair whose levels under `comparisons` are `pattern` ([`em::pack`]).
fn hold_of_pattern(comparisons: &[Comparison], pattern: u64) -> Option<Hold> {
    hold(|name| {
        comparisons
            .iter()
            .position(|c| c.name() == name)
            .map(|c| comparisons[c].levels()[em::level_of(pattern, c)])
    })
}

pub fn probability_of_weight(w: f64) -> f64 {
    1.0 / (1.0 + (-w).exp2())
}

/// A level of a trained comparison, for the model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LevelParameters {
    pub level: String,
    pub m: f64,
    pub u: f64,
    /// log₂(m/u).
    pub weight: f64,
}

/// A trained comparison, for the model file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrainedComparison {
    pub comparison: Comparison,
    pub levels: Vec<LevelParameters>,
}

/// The trained model as a readable file: settings, λ, and each level's m, u and weight.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ModelFile {
    pub lambda: f64,
    pub comparisons: Vec<TrainedComparison>,
    pub blocking: Vec<BlockingRule>,
    pub threshold: f64,
}

impl ModelFile {
    pub fn new(settings: &Settings, p: &Parameters) -> ModelFile {
        ModelFile {
            lambda: p.lambda,
            comparisons: settings
                .comparisons
                .iter()
                .enumerate()
                .map(|(c, comp)| TrainedComparison {
                    comparison: comp.clone(),
                    levels: comp
                        .levels()
                        .iter()
                        .enumerate()
                        .skip(1)
                        .map(|(l, name)| LevelParameters {
                            level: name.to_string(),
                            m: p.m[c][l],
                            u: p.u[c][l],
                            weight: (p.m[c][l] / p.u[c][l]).log2(),
                        })
                        .collect(),
                })
                .collect(),
            blocking: settings.blocking.clone(),
            threshold: settings.threshold,
        }
    }
}

/// Pairs confirmed or rejected by a person; they count as known in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub a: u32,
    pub b: u32,
    pub same_person: bool,
}

/// Candidate pairs per blocking rule.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSummary {
    pub rule: String,
    pub pairs: u64,
    /// Of those pairs, how many scored at or above the threshold: what the rule found that
    /// no earlier rule did.
    pub links: u64,
    /// The largest block compared (records).
    pub largest_block: usize,
    /// Blocks larger than `max_block` records, compared split by the rule's refining keys.
    pub split_blocks: usize,
}

/// Milliseconds per stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    pub prepare_ms: f64,
    pub blocking_ms: f64,
    pub u_sampling_ms: f64,
    pub patterns_ms: f64,
    pub em_ms: f64,
    pub scoring_ms: f64,
    pub clustering_ms: f64,
    pub total_ms: f64,
}

/// What a run did, in numbers.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub records: usize,
    pub lists: usize,
    /// Candidate pairs compared and scored (those of a training sample are compared once
    /// more, for their patterns).
    pub comparisons: u64,
    pub comparisons_per_second: f64,
    pub links: usize,
    pub clusters: usize,
    pub largest_cluster: usize,
    pub records_in_clusters_of_two_or_more: usize,
    pub refused_joins: usize,
    /// Pairs above the threshold held for a person to decide because they look like
    /// brothers or sisters ([`Hold`]).
    pub sibling_pattern_held: usize,
    /// Pairs above the threshold held for a person because their sexes differ.
    pub different_sex_held: usize,
    /// With one-to-one assignment: what it set aside.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub one_to_one: Option<OneToOneSummary>,
    pub unreadable_values: usize,
    pub blocking: Vec<RuleSummary>,
    pub em: EmReport,
    pub timings: Timings,
}

/// What a one-to-one assignment did.
#[derive(Debug, Clone, Serialize)]
pub struct OneToOneSummary {
    /// Links above the threshold that another, better assignment left out.
    pub set_aside: usize,
    /// Connected parts too large to solve exactly, matched strongest first instead.
    pub greedy_parts: usize,
}

/// The result of [`link`].
pub struct Outcome {
    pub settings: Settings,
    pub parameters: Parameters,
    pub clusters: Clusters,
    /// Pairs at or above `keep_above`, strongest first.
    pub links: Vec<Link>,
    /// With one-to-one assignment: the links above the threshold it set aside.
    pub set_aside: Vec<Link>,
    /// Links above the threshold held for review, with why ([`Hold`]).
    pub held: Vec<(Link, Hold)>,
    pub summary: Summary,
}

/// Train on the records and link them. `prepare_ms` is carried into the timings when the
/// caller prepared the dataset itself.
pub fn link(
    data: &Dataset,
    settings: &Settings,
    labels: &[Label],
    progress: &dyn Progress,
    prepare_ms: f64,
) -> Result<Outcome, LinkError> {
    let started = Instant::now();
    let comps = &settings.comparisons;
    if comps.is_empty() {
        return Err(LinkError::NothingToCompare);
    }
    if comps.len() > MAX_COMPARISONS {
        return Err(LinkError::TooManyComparisons(comps.len()));
    }
    if settings.blocking.is_empty() {
        return Err(LinkError::NoBlockingRule);
    }
    let mut timings = Timings {
        prepare_ms,
        ..Timings::default()
    };
    let records = &data.records;
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;

    let t = Instant::now();
    progress.stage("blocking", 0);
    let blocks = Blocks::build(&settings.blocking, records, &data.interner);
    timings.blocking_ms = ms(t);
    let stop_if_asked = || {
        if progress.cancelled() {
            Err(LinkError::Cancelled)
        } else {
            Ok(())
        }
    };
    stop_if_asked()?;

    // u from random pairs.
    let t = Instant::now();
    let levels: Vec<usize> = comps.iter().map(|c| c.levels().len()).collect();
    let mut start = Parameters::starting(&levels, 0.5);
    start.u = em::u_from_counts(&sample_level_counts(data, settings, progress));
    timings.u_sampling_ms = ms(t);
    stop_if_asked()?;

    // Patterns of the candidate pairs, or of a random share of them when there are more than
    // training needs: EM learns from how often each pattern occurs, which a sample of a few
    // million pairs tells as well as all of them.
    let t = Instant::now();
    let work = work_items(&blocks);
    let total_pairs: u64 = work.iter().map(|w| w.pairs).sum();
    let rate = if total_pairs > settings.training_pairs {
        settings.training_pairs as f64 / total_pairs as f64
    } else {
        1.0
    };
    // A block's row (a record and its pairs with the records after it in the block) is in
    // the sample when a hash of the record, the rule and the seed falls below the rate: the
    // same pairs every run, a share of every block.
    let cut = (rate * u64::MAX as f64) as u64;
    let salt = settings.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let in_sample = |rule: usize, a: u32| {
        rate >= 1.0 || {
            let h = ((rule as u64) << 32 | a as u64) ^ salt;
            let h = (h ^ (h >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
            let h = (h ^ (h >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
            h ^ (h >> 33) < cut
        }
    };
    progress.stage("comparing", total_pairs);
    // Each distinct (pattern, rules agreeing) with its count: rule r's blocks are exactly the
    // pairs whose mask has bit r, so every training session below reads from this one pass.
    let counts: PairPatternCounts = work
        .par_iter()
        .fold(
            PairPatternCounts::default,
            |mut acc: PairPatternCounts, w| {
                if progress.cancelled() {
                    return acc;
                }
                let rows = |a: u32| in_sample(w.rule, a);
                for_sampled_pairs_of(&blocks, w, records, settings.mode, rows, |a, b| {
                    *acc.entry((data.pattern(comps, a, b), blocks.rules_agreeing(a, b)))
                        .or_default() += 1;
                });
                progress.advance(w.pairs);
                acc
            },
        )
        .reduce(PairPatternCounts::default, |mut x, y| {
            for (k, c) in y {
                *x.entry(k).or_default() += c;
            }
            x
        });
    timings.patterns_ms = ms(t);
    stop_if_asked()?;
    let sampled: u64 = counts.values().sum();
    // What the sample stands for: the candidate pairs it was drawn from.
    let scale = 1.0 / rate;

    let t = Instant::now();
    let mut known = (PatternCounts::default(), PatternCounts::default());
    for l in labels {
        let p = data.pattern(comps, l.a, l.b);
        if l.same_person {
            known.0.add(p, 1);
        } else {
            known.1.add(p, 1);
        }
    }
    let (parameters, mut em_report) = train(settings, &counts, &known, &start, scale, records);
    em_report.sample_rate = rate;
    timings.em_ms = ms(t);

    // Training read the rules' own blocks; scoring compares within blocks of bounded size.
    let t = Instant::now();
    let blocks = blocks.split_large(
        &settings.blocking,
        records,
        &data.interner,
        settings.max_block,
    );
    let work = work_items(&blocks);
    let total_pairs: u64 = work.iter().map(|w| w.pairs).sum();
    timings.blocking_ms += ms(t);

    // Scores. Patterns are computed again rather than kept from the pass above: keeping one
    // per candidate pair costs eight bytes a pair, gigabytes at the scale of a million records.
    let t = Instant::now();
    let scorer = Scorer::new(data, comps, &parameters);
    progress.stage("scoring", total_pairs);
    let keep = settings.keep_above.min(settings.threshold);
    // The weight of probability `keep`, a little lower so rounding never loses a pair.
    let floor = (keep / (1.0 - keep)).log2() - 1e-9;
    let per_rule: Vec<AtomicU64> = (0..settings.blocking.len())
        .map(|_| AtomicU64::new(0))
        .collect();
    let links_per_rule: Vec<AtomicU64> = (0..settings.blocking.len())
        .map(|_| AtomicU64::new(0))
        .collect();
    let mut links: Vec<Link> = work
        .par_iter()
        .fold(Vec::new, |mut acc, w| {
            if progress.cancelled() {
                return acc;
            }
            let mut n = 0u64;
            let mut found = 0u64;
            for_pairs_of(&blocks, w, records, settings.mode, |a, b| {
                n += 1;
                if let Some(weight) = scorer.weight_at_least(a, b, floor) {
                    let p = probability_of_weight(weight);
                    if p >= settings.threshold {
                        found += 1;
                    }
                    if p >= keep {
                        acc.push(Link {
                            a,
                            b,
                            probability: p,
                        });
                    }
                }
            });
            per_rule[w.rule].fetch_add(n, Ordering::Relaxed);
            links_per_rule[w.rule].fetch_add(found, Ordering::Relaxed);
            progress.advance(w.pairs);
            acc
        })
        .reduce(Vec::new, |mut x, mut y| {
            x.append(&mut y);
            x
        });
    // Labels override scores: a confirmed pair is a link, a rejected one is not.
    for l in labels {
        links.retain(|k| !((k.a, k.b) == (l.a, l.b) || (k.b, k.a) == (l.a, l.b)));
        links.push(Link {
            a: l.a.min(l.b),
            b: l.a.max(l.b),
            probability: if l.same_person { 1.0 } else { 0.0 },
        });
    }
    links.sort_by(|x, y| {
        y.probability
            .total_cmp(&x.probability)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    timings.scoring_ms = ms(t);
    stop_if_asked()?;
    let compared: u64 = per_rule.iter().map(|n| n.load(Ordering::Relaxed)).sum();

    let t = Instant::now();
    progress.stage("clustering", 0);
    let rejected: std::collections::HashSet<(u32, u32)> = labels
        .iter()
        .filter(|l| !l.same_person)
        .map(|l| (l.a.min(l.b), l.a.max(l.b)))
        .collect();
    let score = |a: u32, b: u32| {
        if rejected.contains(&(a.min(b), a.max(b))) {
            0.0
        } else {
            scorer.probability(a, b)
        }
    };
    let list_of = |record: u32| records[record as usize].list;
    // Brothers and sisters are never linked automatically: they wait for a person.
    let confirmed: std::collections::HashSet<(u32, u32)> = labels
        .iter()
        .filter(|l| l.same_person)
        .map(|l| (l.a.min(l.b), l.a.max(l.b)))
        .collect();
    let mut held: Vec<(Link, Hold)> = Vec::new();
    let mut candidates: Vec<Link> = Vec::with_capacity(links.len());
    for l in &links {
        let why = (l.probability >= settings.threshold
            && !confirmed.contains(&(l.a.min(l.b), l.a.max(l.b))))
        .then(|| scorer.hold(l.a, l.b))
        .flatten();
        match why {
            Some(why) => held.push((*l, why)),
            None => candidates.push(*l),
        }
    }
    let (to_cluster, one_to_one) = if settings.one_to_one {
        let above: Vec<Link> = candidates
            .iter()
            .copied()
            .filter(|l| l.probability >= settings.threshold)
            .collect();
        let assignment = assign::one_to_one(&above, &list_of);
        let summary = OneToOneSummary {
            set_aside: assignment.set_aside.len(),
            greedy_parts: assignment.greedy_parts,
        };
        (assignment.kept, Some((summary, assignment.set_aside)))
    } else {
        (candidates, None)
    };
    let across_only = matches!(settings.mode, LinkMode::LinkOnly);
    let clusters = cluster::cluster(
        records.len(),
        to_cluster,
        settings.threshold,
        settings.conflict_below,
        &score,
        across_only.then_some(&list_of as &dyn Fn(u32) -> u16),
    );
    timings.clustering_ms = ms(t);
    timings.total_ms = ms(started) + prepare_ms;

    let mut sizes: HashMap<u32, usize> = HashMap::new();
    for &c in &clusters.of {
        *sizes.entry(c).or_default() += 1;
    }
    let largest_blocks = blocks.largest_blocks();
    let seconds = (timings.patterns_ms + timings.scoring_ms) / 1e3;
    let comparisons_made = compared + sampled;
    let lists: std::collections::BTreeSet<u16> = records.iter().map(|r| r.list).collect();
    let summary = Summary {
        records: records.len(),
        lists: lists.len(),
        comparisons: compared,
        comparisons_per_second: if seconds > 0.0 {
            comparisons_made as f64 / seconds
        } else {
            0.0
        },
        links: links
            .iter()
            .filter(|l| l.probability >= settings.threshold)
            .count(),
        clusters: sizes.len(),
        largest_cluster: sizes.values().copied().max().unwrap_or(0),
        records_in_clusters_of_two_or_more: sizes.values().filter(|&&s| s > 1).sum(),
        refused_joins: clusters.refused.len(),
        sibling_pattern_held: held
            .iter()
            .filter(|(_, why)| *why == Hold::SiblingPattern)
            .count(),
        different_sex_held: held
            .iter()
            .filter(|(_, why)| *why == Hold::DifferentSex)
            .count(),
        one_to_one: one_to_one.as_ref().map(|(summary, _)| summary.clone()),
        unreadable_values: data.problems.len(),
        blocking: settings
            .blocking
            .iter()
            .enumerate()
            .map(|(i, r)| RuleSummary {
                rule: r.describe(),
                pairs: per_rule[i].load(Ordering::Relaxed),
                links: links_per_rule[i].load(Ordering::Relaxed),
                split_blocks: blocks.refined[i],
                largest_block: largest_blocks[i],
            })
            .collect(),
        em: em_report,
        timings,
    };
    Ok(Outcome {
        settings: settings.clone(),
        parameters,
        clusters,
        links,
        set_aside: one_to_one
            .map(|(_, set_aside)| set_aside)
            .unwrap_or_default(),
        held,
        summary,
    })
}

/// Why linkage could not run.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LinkError {
    #[error("nothing to compare: no field has values on two or more records")]
    NothingToCompare,
    #[error("{0} comparisons; at most 16 fit a model")]
    TooManyComparisons(usize),
    #[error(
        "no blocking rule applies to these fields; map at least a name and a date, or an identifier"
    )]
    NoBlockingRule,
    #[error("the linkage run was cancelled before it finished")]
    Cancelled,
}

/// How many compared pairs had each (pattern, rules agreeing): one entry for every pair of
/// the training pass, so hashed with a fast non-cryptographic hash.
type PairPatternCounts = rustc_hash::FxHashMap<(u64, u32), u64>;

/// A slice of one block's pairs: rows `rows` of group `group` of rule `rule`.
struct WorkItem {
    rule: usize,
    group: usize,
    rows: std::ops::Range<usize>,
    pairs: u64,
}

/// Split blocks into items of about equal numbers of pairs, so both cores stay busy even
/// when one block is huge.
fn work_items(blocks: &Blocks) -> Vec<WorkItem> {
    const TARGET: u64 = 50_000;
    let mut out = Vec::new();
    for (rule, groups) in blocks.groups.iter().enumerate() {
        for (group, g) in groups.iter().enumerate() {
            let n = g.len();
            let pairs = (n * (n - 1) / 2) as u64;
            if pairs <= TARGET {
                out.push(WorkItem {
                    rule,
                    group,
                    rows: 0..n,
                    pairs,
                });
                continue;
            }
            let mut row = 0;
            while row < n {
                let mut end = row;
                let mut p = 0u64;
                while end < n && p < TARGET {
                    p += (n - end - 1) as u64;
                    end += 1;
                }
                out.push(WorkItem {
                    rule,
                    group,
                    rows: row..end,
                    pairs: p,
                });
                row = end;
            }
        }
    }
    out
}

fn for_pairs_of(
    blocks: &Blocks,
    w: &WorkItem,
    records: &[Prepared],
    mode: LinkMode,
    f: impl FnMut(u32, u32),
) {
    for_sampled_pairs_of(blocks, w, records, mode, |_| true, f)
}

/// The pairs of a work item whose first record `row` accepts.
fn for_sampled_pairs_of(
    blocks: &Blocks,
    w: &WorkItem,
    records: &[Prepared],
    mode: LinkMode,
    row: impl Fn(u32) -> bool,
    mut f: impl FnMut(u32, u32),
) {
    let g = blocks.groups[w.rule].block(w.group);
    for i in w.rows.clone() {
        let a = g[i];
        if !row(a) {
            continue;
        }
        for &b in &g[i + 1..] {
            if blocks.owns(w.rule, a, b, records, mode) {
                f(a, b);
            }
        }
    }
}

/// Learn m by one EM session per blocking rule, as Splink does: the pairs a rule selects
/// agree on its own fields by construction, so a session holds those comparisons out and
/// learns the m of the others with u fixed (from random pairs). Each comparison's m is the
/// mean over the sessions that could learn it. Then λ, the chance that two records drawn at
/// random match, is the fixed point of λ = (expected matches among the candidates) / (all
/// pairs): blocking is assumed to miss few matches.
fn train(
    settings: &Settings,
    counts: &PairPatternCounts,
    known: &(PatternCounts, PatternCounts),
    start: &Parameters,
    scale: f64,
    records: &[Prepared],
) -> (Parameters, EmReport) {
    let sampled: u64 = counts.values().sum();
    let comps = &settings.comparisons;
    let mut m_sum: Vec<Vec<f64>> = start.m.iter().map(|v| vec![0.0; v.len()]).collect();
    let mut m_sessions = vec![0usize; comps.len()];
    let mut report = EmReport {
        iterations: 0,
        converged: true,
        patterns: counts.len(),
        pairs: sampled,
        sample_rate: 1.0,
        sessions: Vec::new(),
    };
    // Brothers and sisters agree on everything but the given name and the birth date: left
    // among the pairs, EM takes many of them for one person and learns that a different
    // given name says little. Their pairs are never linked automatically ([`hold`]), so
    // training leaves them out, and m is learnt from pairs that can be one person.
    let siblings: rustc_hash::FxHashSet<u64> = counts
        .keys()
        .map(|&(pattern, _)| pattern)
        .filter(|&pattern| hold_of_pattern(comps, pattern) == Some(Hold::SiblingPattern))
        .collect();
    let mut sessions = Vec::new();
    for (r, rule) in settings.blocking.iter().enumerate().take(32) {
        let held_out: Vec<bool> = comps.iter().map(|c| rule.constrains(c)).collect();
        if held_out.iter().all(|&h| h) {
            continue;
        }
        let mut keep_mask = 0u64;
        for (c, &h) in held_out.iter().enumerate() {
            if !h {
                keep_mask |= 0xF << (4 * c);
            }
        }
        let mut session = PatternCounts::default();
        for (&(pattern, rules), &n) in counts {
            if rules & (1 << r) != 0 && !siblings.contains(&pattern) {
                session.add(pattern & keep_mask, n);
            }
        }
        if session.total() < 10 {
            continue;
        }
        let strip = |pc: &PatternCounts| {
            let mut out = PatternCounts::default();
            for (&p, &n) in &pc.counts {
                out.add(p & keep_mask, n);
            }
            out
        };
        // Each record is one person with a few others at most: matches cannot outnumber
        // the records (twice over, for persons listed three or more times).
        let max_lambda = (2.0 * records.len() as f64 / (session.total() as f64 * scale)).min(1.0);
        let (p, rep) = em::estimate_with_labels(
            &session,
            &strip(&known.0),
            &strip(&known.1),
            start,
            EmOptions {
                max_lambda,
                ..EmOptions::default()
            },
        );
        report.iterations += rep.iterations;
        report.converged &= rep.converged;
        // A session whose λ ran to a bound is said: on a few dozen pairs that a blocking
        // rule chose because they agree, taking nearly all for matches can be right, so its
        // m values are kept — but the reader is told to look at the model.
        let degenerate = if p.lambda >= 0.999 * max_lambda {
            Some(format!(
                "λ ran to its bound ({:.3}) on {} pairs: EM took nearly every pair for a match; its m values were kept, averaged with the other sessions'; look at the model (--model) before trusting the links",
                p.lambda,
                session.total()
            ))
        } else if p.lambda <= 1e-9 {
            Some(format!(
                "λ fell to zero on {} pairs: EM took no pair for a match; its m values were kept, averaged with the other sessions'; look at the model (--model) before trusting the links",
                session.total()
            ))
        } else {
            None
        };
        sessions.push(SessionSummary {
            rule: rule.describe(),
            pairs: session.total(),
            lambda: p.lambda,
            iterations: rep.iterations,
            converged: rep.converged,
            degenerate,
        });
        for c in 0..comps.len() {
            if !held_out[c] {
                for (acc, v) in m_sum[c].iter_mut().zip(&p.m[c]) {
                    *acc += v;
                }
                m_sessions[c] += 1;
            }
        }
    }
    let mut parameters = start.clone();
    for c in 0..comps.len() {
        if m_sessions[c] > 0 {
            let sessions = m_sessions[c] as f64;
            for (m, sum) in parameters.m[c].iter_mut().zip(&m_sum[c]).skip(1) {
                *m = sum / sessions;
            }
        }
    }
    // λ: the fixed point over all candidate patterns.
    let mut patterns = PatternCounts::default();
    for (&(pattern, _), &n) in counts {
        patterns.add(pattern, n);
    }
    let all = comparable_pairs(records, settings.mode).max(1) as f64;
    let mut lambda = (sampled as f64 * scale / all).clamp(1e-12, 0.5);
    for _ in 0..200 {
        parameters.lambda = lambda;
        let expected: f64 = patterns
            .counts
            .iter()
            .map(|(&p, &n)| em::pattern_probability(&parameters, p) * n as f64)
            .sum::<f64>()
            * scale;
        let next = (expected / all).clamp(1e-12, 0.5);
        let moved = (next - lambda).abs() / lambda;
        lambda = next;
        if moved < 1e-9 {
            break;
        }
    }
    parameters.lambda = lambda;
    report.sessions = sessions;
    (parameters, report)
}

/// Pairs the mode allows among all records.
fn comparable_pairs(records: &[Prepared], mode: LinkMode) -> u64 {
    let n = records.len() as u64;
    let all = n * n.saturating_sub(1) / 2;
    match mode {
        LinkMode::LinkAndDedupe => all,
        LinkMode::LinkOnly => {
            let mut per_list: HashMap<u16, u64> = HashMap::new();
            for r in records {
                *per_list.entry(r.list).or_default() += 1;
            }
            all - per_list
                .values()
                .map(|&k| k * k.saturating_sub(1) / 2)
                .sum::<u64>()
        }
    }
}

/// Add level counts `y` into `x`.
fn merge_level_counts(mut x: Vec<Vec<u64>>, y: Vec<Vec<u64>>) -> Vec<Vec<u64>> {
    for (rx, ry) in x.iter_mut().zip(y) {
        for (a, b) in rx.iter_mut().zip(ry) {
            *a += b;
        }
    }
    x
}

/// Level counts per comparison over random pairs (every pair when there are few enough).
fn sample_level_counts(
    data: &Dataset,
    settings: &Settings,
    progress: &dyn Progress,
) -> Vec<Vec<u64>> {
    let comps = &settings.comparisons;
    let n = data.records.len() as u64;
    let empty = || -> Vec<Vec<u64>> { comps.iter().map(|c| vec![0; c.levels().len()]).collect() };
    let add = |a: u32, b: u32, counts: &mut Vec<Vec<u64>>| {
        let p = data.pattern(comps, a, b);
        for (c, row) in counts.iter_mut().enumerate() {
            row[em::level_of(p, c)] += 1;
        }
    };
    let allowed = |a: u32, b: u32| {
        settings.mode == LinkMode::LinkAndDedupe
            || data.records[a as usize].list != data.records[b as usize].list
    };
    let all_pairs = n * n.saturating_sub(1) / 2;
    progress.stage(
        "learning u from random pairs",
        all_pairs.min(settings.u_sample_pairs),
    );
    if all_pairs <= settings.u_sample_pairs {
        return (0..n as u32)
            .into_par_iter()
            .fold(empty, |mut local, a| {
                for b in a + 1..n as u32 {
                    if allowed(a, b) {
                        add(a, b, &mut local);
                    }
                }
                local
            })
            .reduce(empty, merge_level_counts);
    }
    // Chunks of draws, each from its own stream of the seed, in parallel: the same seed gives
    // the same pairs whatever the number of cores.
    const CHUNK: u64 = 20_000;
    let chunks = settings.u_sample_pairs.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(settings.seed);
            rng.set_stream(chunk);
            let want = CHUNK.min(settings.u_sample_pairs - chunk * CHUNK);
            let mut local = empty();
            let mut drawn = 0;
            let mut attempts = 0u64;
            while drawn < want && attempts < want * 20 {
                attempts += 1;
                let a = rng.random_range(0..n) as u32;
                let b = rng.random_range(0..n) as u32;
                if a == b || !allowed(a, b) {
                    continue;
                }
                add(a, b, &mut local);
                drawn += 1;
            }
            progress.advance(drawn);
            local
        })
        .reduce(empty, merge_level_counts)
}
