//! Candidate matches for one person: who, among every person record an organisation can
//! see, may be the person a family is looking for.
//!
//! A family's report names one person; the registers recovered since December 2024
//! (detention, transfer, death and burial lists) and everything else the organisation holds
//! may name them too, spelt another way. [`candidates`] compares the reported person with
//! *every* other named person record — one person against all is a few hundred thousand
//! comparisons, so no blocking rule can hide a candidate — under the organisation's latest
//! linkage model (the one its last run learnt), or a model learnt now from the same records
//! when it has never run linkage. The name frequencies are those of all the records, so
//! agreeing on a rare family name counts for more than agreeing on محمد.
//!
//! Each candidate comes with why it scored what it did (each comparison's level and weight:
//! the evidence for and against) and the decision already made about the pair, if any.
//! Ties are broken by the records' ids, never by the order they were read in.

use std::collections::{HashMap, HashSet};

use athar_model::{MatchDecision, RecordBody, RecordId, RecordKind, Vocabularies};
use athar_store::{Backend, StoreError};
use serde::Serialize;

use crate::em::Parameters;
use crate::stored::{KEEP_ABOVE, RunError, decisions};
use crate::{
    Comparison, Dataset, Explanation, LinkMode, ModelFile, Scorer, Settings, Silent, persons,
};

/// Where the model that scored the candidates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelSource {
    /// The organisation's latest linkage run.
    Run { run: i64 },
    /// Learnt now from the records compared: the organisation has never run linkage.
    LearntNow,
}

/// One person record that may be the reported person.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub person: RecordId,
    pub probability: f64,
    /// Each comparison's level and weight (positive for, negative against).
    pub why: Explanation,
    /// What a reviewer decided about the pair, if anyone did.
    pub decision: Option<MatchDecision>,
}

/// The candidates for one person, the likeliest first.
#[derive(Debug, Clone, Serialize)]
pub struct Candidates {
    pub model: ModelSource,
    /// Named person records compared with the reported person.
    pub compared: usize,
    pub candidates: Vec<Candidate>,
}

/// Why there can be no candidates for a person.
#[derive(Debug, thiserror::Error)]
pub enum CandidatesError {
    #[error("the person has no name to compare")]
    NoName,
    #[error(transparent)]
    Run(#[from] RunError),
}

impl From<StoreError> for CandidatesError {
    fn from(e: StoreError) -> Self {
        CandidatesError::Run(RunError::Store(e))
    }
}

/// The model of a kept run: its comparisons and parameters (`None` if it does not read).
fn model_of_run(model: &str) -> Option<(Vec<Comparison>, Parameters)> {
    let file: ModelFile = serde_json::from_str(model).ok()?;
    let mut comparisons = Vec::new();
    let (mut m, mut u) = (Vec::new(), Vec::new());
    for c in file.comparisons {
        if c.levels.len() + 1 != c.comparison.levels().len() {
            return None;
        }
        m.push(
            std::iter::once(1.0)
                .chain(c.levels.iter().map(|l| l.m))
                .collect(),
        );
        u.push(
            std::iter::once(1.0)
                .chain(c.levels.iter().map(|l| l.u))
                .collect(),
        );
        comparisons.push(c.comparison);
    }
    (!comparisons.is_empty()).then_some((
        comparisons,
        Parameters {
            lambda: file.lambda,
            m,
            u,
        },
    ))
}

/// Whether a person record can be compared by name: it has one, and is not an unnamed victim.
fn comparable(p: &athar_model::Person) -> bool {
    !p.names.is_empty() && !p.unnamed
}

/// How many person records [`candidates`] compares a person with: every other record the
/// organisation may see that can be compared by name — counted without scoring anyone.
pub fn compared_with(store: &dyn Backend, org: i64) -> Result<usize, StoreError> {
    let named = store
        .list_all_for(org, RecordKind::Person)?
        .iter()
        .filter(|r| matches!(&r.body, RecordBody::Person(p) if comparable(p)))
        .count();
    Ok(named.saturating_sub(1))
}

/// The model that scores pairs: where it came from, its comparisons and parameters.
struct Model {
    source: ModelSource,
    comparisons: Vec<Comparison>,
    parameters: Parameters,
}

/// Every named person record an organisation may see, prepared for comparison, with the
/// model that scores pairs of them: what [`Field::candidates`] searches. Preparing it reads
/// every person record; callers keep it while the data stays as it was.
pub struct Field {
    members: Vec<RecordId>,
    position: HashMap<RecordId, u32>,
    /// Person records it may see that have no name to compare.
    unnamed: HashSet<RecordId>,
    data: Dataset,
    /// The model, or how few records there were to learn one from.
    model: Result<Model, usize>,
}

impl Field {
    /// Reads and prepares every person record organisation `org` may see, under its
    /// latest linkage run's model, or one learnt now when it has never run linkage.
    pub fn prepare(store: &dyn Backend, org: i64) -> Result<Field, CandidatesError> {
        let mut inputs = Vec::new();
        let mut members = Vec::new();
        let mut unnamed = HashSet::new();
        for r in store.list_all_for(org, RecordKind::Person)? {
            let RecordBody::Person(p) = &r.body else {
                continue;
            };
            if !comparable(p) {
                unnamed.insert(r.id);
                continue;
            }
            inputs.push(persons::input_of(0, r.id.to_string(), p));
            members.push(r.id);
        }
        let data = Dataset::prepare(&inputs, Some(&Vocabularies::embedded().gazetteer));
        let kept = store
            .latest_linkage_run(org)?
            .and_then(|run| Some((run.id, model_of_run(&run.model)?)));
        let model = match kept {
            Some((run, (comparisons, parameters))) => Ok(Model {
                source: ModelSource::Run { run },
                comparisons,
                parameters,
            }),
            None if members.len() < 2 => Err(members.len()),
            None => {
                let settings = Settings::for_records(&data.records, LinkMode::LinkAndDedupe);
                let outcome =
                    crate::link(&data, &settings, &[], &Silent, 0.0).map_err(RunError::Link)?;
                Ok(Model {
                    source: ModelSource::LearntNow,
                    comparisons: settings.comparisons,
                    parameters: outcome.parameters,
                })
            }
        };
        let position = members
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        Ok(Field {
            members,
            position,
            unnamed,
            data,
            model,
        })
    }

    /// How many records a person is compared with: every other named one.
    pub fn compared(&self) -> usize {
        self.members.len().saturating_sub(1)
    }

    /// The person records that may be `person`, scored against every other named person
    /// record of the field: those at or above the probability the linkage runs keep
    /// ([`KEEP_ABOVE`]), and every pair a reviewer decided (as the store holds them now),
    /// the likeliest first, at most `limit` undecided ones.
    pub fn candidates(
        &self,
        store: &dyn Backend,
        org: i64,
        person: RecordId,
        limit: usize,
    ) -> Result<Candidates, CandidatesError> {
        if self.unnamed.contains(&person) {
            return Err(CandidatesError::NoName);
        }
        let Some(&t) = self.position.get(&person) else {
            return Err(StoreError::NotFound {
                kind: RecordKind::Person,
                id: person,
            }
            .into());
        };
        let model = match &self.model {
            Ok(model) => model,
            Err(few) => return Err(RunError::TooFew(*few).into()),
        };
        let scorer = Scorer::new(&self.data, &model.comparisons, &model.parameters);
        let decided = decisions(store, org)?;
        let decision_with = |other: RecordId| {
            let pair = if person < other {
                (person, other)
            } else {
                (other, person)
            };
            decided.get(&pair).map(|(_, d)| *d)
        };
        let floor = (KEEP_ABOVE / (1.0 - KEEP_ABOVE)).log2();
        let mut found: Vec<Candidate> = Vec::new();
        for (i, other) in self.members.iter().enumerate() {
            if i == t as usize {
                continue;
            }
            let decision = decision_with(*other);
            if decision.is_none() && scorer.weight_at_least(t, i as u32, floor).is_none() {
                continue;
            }
            let why = scorer.explain(t, i as u32);
            found.push(Candidate {
                person: *other,
                probability: why.probability,
                why,
                decision,
            });
        }
        found.sort_by(|x, y| {
            y.probability
                .total_cmp(&x.probability)
                .then_with(|| x.person.cmp(&y.person))
        });
        // Decided pairs stay however far down they scored: a confirmed match is never cut.
        let mut kept: Vec<Candidate> = Vec::with_capacity(limit.min(found.len()));
        let mut undecided = 0;
        for c in found {
            if c.decision.is_some() {
                kept.push(c);
            } else if undecided < limit {
                undecided += 1;
                kept.push(c);
            }
        }
        Ok(Candidates {
            model: model.source,
            compared: self.compared(),
            candidates: kept,
        })
    }
}

/// The person records that may be `person`, scored against every other named person record
/// the organisation can see (see [`Field::candidates`]), the field prepared now.
pub fn candidates(
    store: &dyn Backend,
    org: i64,
    person: RecordId,
    limit: usize,
) -> Result<Candidates, CandidatesError> {
    Field::prepare(store, org)?.candidates(store, org, person, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_model_reads_back_with_its_null_level() {
        let settings = Settings {
            comparisons: vec![Comparison::Sex],
            blocking: Vec::new(),
            mode: LinkMode::LinkAndDedupe,
            threshold: 0.9,
            conflict_below: 0.01,
            u_sample_pairs: 10,
            training_pairs: 10,
            max_block: 10,
            seed: 1,
            keep_above: 0.05,
            one_to_one: false,
        };
        let p = Parameters {
            lambda: 0.01,
            m: vec![vec![1.0, 0.9, 0.1]],
            u: vec![vec![1.0, 0.5, 0.5]],
        };
        let json = serde_json::to_string(&ModelFile::new(&settings, &p)).unwrap_or_default();
        let Some((comparisons, read)) = model_of_run(&json) else {
            panic!("the kept model does not read back")
        };
        assert_eq!(comparisons.len(), 1);
        assert_eq!(read.m, p.m);
        assert_eq!(read.u, p.u);
        assert!(model_of_run("{}").is_none());
    }
}
