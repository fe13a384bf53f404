//! Linkage of the persons kept in the store, and the state of its review.
//!
//! [`run`] links the person records an organisation can see (all of them, or those citing
//! chosen sources — the lists), with every decision already made taken as a label, and
//! keeps the run in the store: its members, the pairs worth keeping with why each scored
//! what it did, the model and a summary. Nothing is merged: person records stay as they
//! are.
//!
//! [`Review::load`] lays the decisions made since (records of kind `match`) over the
//! organisation's latest run: the persons the records form now ([`Review::same_person`],
//! which statistics count once) and the queue of pairs to decide next
//! ([`Review::queue`]).

use std::collections::{BTreeMap, HashMap};

use athar_model::{Match, MatchDecision, RecordBody, RecordId, RecordKind, Vocabularies};
use athar_store::{Backend, LinkageRun, NewLinkageRun, ScoredPair, StoreError};
use serde::Serialize;

use crate::cluster::{Clusters, Link};
use crate::review::{self, QueueReason};
use crate::{Dataset, Label, LinkError, LinkMode, ModelFile, Progress, Scorer, Settings, persons};

/// Pairs at or above this probability are kept with a run (and may reach the queue).
pub const KEEP_ABOVE: f64 = 0.05;
/// The probabilities of pairs queued for review as uncertain.
pub const REVIEW_BAND: (f64, f64) = (KEEP_ABOVE, 0.99);
/// Clusters up to this size keep every pair inside them, so a later resolution weighs
/// them as the run did.
const KEEP_INSIDE_CLUSTERS_UP_TO: usize = 50;

/// What to link.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Sources whose persons to link; empty: every person the organisation can see.
    pub lists: Vec<RecordId>,
    /// Match probability of a link; the default when `None`.
    pub threshold: Option<f64>,
    pub seed: Option<u64>,
}

/// Why a run could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("list {0} is not a source this organisation can see")]
    UnknownList(RecordId),
    #[error("the threshold must be a probability above 0 and below 1")]
    BadThreshold,
    #[error("fewer than two person records with a name to link ({0})")]
    TooFew(usize),
    #[error("a capture table needs between 2 and 16 lists, not {0}")]
    ListCount(usize),
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What [`run`] kept and found.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub run: i64,
    pub audit_seq: i64,
    pub members: usize,
    /// Person records left out: shared without names, or their names shredded.
    pub without_names: usize,
    pub decisions_used: usize,
    pub pairs_kept: usize,
    pub summary: crate::Summary,
}

/// Decisions by pair (in canonical order): the `match` record and what it says.
pub type Decisions = BTreeMap<(RecordId, RecordId), (RecordId, MatchDecision)>;

/// The live decisions an organisation can see, one per pair: the most recently changed.
pub(crate) fn decisions(store: &dyn Backend, org: i64) -> Result<Decisions, StoreError> {
    let mut latest: BTreeMap<(RecordId, RecordId), (i64, RecordId, MatchDecision)> =
        BTreeMap::new();
    for r in store.list_all_for(org, RecordKind::Match)? {
        if let RecordBody::Match(m) = &r.body {
            let pair = m.pair();
            match latest.get(&pair) {
                Some((at, _, _)) if *at > r.updated_at => {}
                _ => {
                    latest.insert(pair, (r.updated_at, r.id, m.decision));
                }
            }
        }
    }
    Ok(latest
        .into_iter()
        .map(|(pair, (_, id, d))| (pair, (id, d)))
        .collect())
}

/// The live decision about one pair an organisation can see, if anyone made one.
pub fn decision_about(
    store: &dyn Backend,
    org: i64,
    (a, b): (RecordId, RecordId),
) -> Result<Option<MatchDecision>, StoreError> {
    let pair = (a.min(b), a.max(b));
    Ok(decisions(store, org)?.get(&pair).map(|(_, d)| *d))
}

/// Every list must be a live source the organisation can see.
fn check_lists(store: &dyn Backend, org: i64, lists: &[RecordId]) -> Result<(), RunError> {
    for list in lists {
        match store.visibility(org, RecordKind::Source, *list) {
            Ok(athar_store::Visibility::Hidden)
            | Err(StoreError::NotFound { .. } | StoreError::Deleted { .. }) => {
                return Err(RunError::UnknownList(*list));
            }
            Err(e) => return Err(e.into()),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Link the persons of the chosen lists and keep the run.
pub fn run(
    store: &dyn Backend,
    org: i64,
    actor: &str,
    options: &RunOptions,
    progress: &dyn Progress,
) -> Result<RunReport, RunError> {
    if let Some(t) = options.threshold
        && !(t > 0.0 && t < 1.0)
    {
        return Err(RunError::BadThreshold);
    }
    check_lists(store, org, &options.lists)?;
    let started = std::time::Instant::now();
    let mut inputs = Vec::new();
    let mut members = Vec::new();
    let mut without_names = 0;
    for r in store.list_all_for(org, RecordKind::Person)? {
        let RecordBody::Person(person) = &r.body else {
            continue;
        };
        let list = if options.lists.is_empty() {
            Some(0)
        } else {
            person
                .sources
                .iter()
                .find_map(|c| options.lists.iter().position(|l| *l == c.source))
        };
        let Some(list) = list else { continue };
        if person.names.is_empty() {
            without_names += 1;
            continue;
        }
        inputs.push(persons::input_of(
            u16::try_from(list).unwrap_or(u16::MAX),
            r.id.to_string(),
            person,
        ));
        members.push(r.id);
    }
    if members.len() < 2 {
        return Err(RunError::TooFew(members.len()));
    }
    let index: HashMap<RecordId, u32> = members
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i as u32))
        .collect();
    let decided = decisions(store, org)?;
    let labels: Vec<Label> = decided
        .iter()
        .filter_map(|((a, b), (_, d))| {
            Some(Label {
                a: *index.get(a)?,
                b: *index.get(b)?,
                same_person: *d == MatchDecision::Same,
            })
        })
        .collect();

    let data = Dataset::prepare(&inputs, Some(&Vocabularies::embedded().gazetteer));
    let prepare_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut settings = Settings::for_records(&data.records, LinkMode::LinkAndDedupe);
    if let Some(t) = options.threshold {
        settings.threshold = t;
    }
    if let Some(seed) = options.seed {
        settings.seed = seed;
    }
    settings.keep_above = KEEP_ABOVE;
    let outcome = crate::link(&data, &settings, &labels, progress, prepare_ms)?;

    // Keep: the scored pairs above the floor, every pair inside a cluster, and the pairs
    // that stopped a join — each with the model's probability and why.
    let scorer = Scorer::new(&data, &outcome.settings.comparisons, &outcome.parameters);
    let mut keep: std::collections::BTreeSet<(u32, u32)> = outcome
        .links
        .iter()
        .map(|l| (l.a.min(l.b), l.a.max(l.b)))
        .collect();
    let mut by_cluster: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, &c) in outcome.clusters.of.iter().enumerate() {
        by_cluster.entry(c).or_default().push(i as u32);
    }
    for m in by_cluster.values() {
        if m.len() > 1 && m.len() <= KEEP_INSIDE_CLUSTERS_UP_TO {
            for (i, &a) in m.iter().enumerate() {
                for &b in &m[i + 1..] {
                    keep.insert((a.min(b), a.max(b)));
                }
            }
        }
    }
    for r in &outcome.clusters.refused {
        keep.insert(r.conflict);
    }
    let mut pairs = Vec::with_capacity(keep.len());
    for (a, b) in keep {
        let why = scorer.explain(a, b);
        pairs.push(ScoredPair {
            a: members[a as usize],
            b: members[b as usize],
            probability: why.probability,
            why: serde_json::to_string(&why.terms).unwrap_or_default(),
        });
    }
    let model = ModelFile::new(&outcome.settings, &outcome.parameters);
    let pairs_kept = pairs.len();
    let saved = store.save_linkage_run(NewLinkageRun {
        org,
        actor: actor.to_string(),
        lists: options.lists.clone(),
        threshold: outcome.settings.threshold,
        model: serde_json::to_string(&model).unwrap_or_default(),
        summary: serde_json::to_string(&outcome.summary).unwrap_or_default(),
        members: members.clone(),
        pairs,
    })?;
    Ok(RunReport {
        run: saved.id,
        audit_seq: saved.audit_seq,
        members: members.len(),
        without_names,
        decisions_used: labels.len(),
        pairs_kept,
        summary: outcome.summary,
    })
}

/// Why a stored pair must wait for a person, from its reasons (the terms of its
/// explanation, as JSON), if it must ([`crate::hold`]).
fn hold_of(why: &str) -> Option<crate::Hold> {
    #[derive(serde::Deserialize)]
    struct Term {
        comparison: String,
        level: String,
    }
    let terms = serde_json::from_str::<Vec<Term>>(why).ok()?;
    crate::hold(|name| {
        terms
            .iter()
            .find(|t| t.comparison == name)
            .map(|t| t.level.as_str())
    })
}

/// A pair waiting for a decision, with why it scored what it did.
#[derive(Debug, Clone, Serialize)]
pub struct QueueEntry {
    pub first: RecordId,
    pub second: RecordId,
    pub probability: f64,
    /// Uncertainty (bits) × person records whose grouping the decision settles.
    pub value: f64,
    pub records_affected: usize,
    pub reason: QueueReason,
    /// Each comparison's level and weight.
    pub why: serde_json::Value,
}

/// A kept pair as it stands now.
#[derive(Debug, Clone, Serialize)]
pub struct PairState {
    pub first: RecordId,
    pub second: RecordId,
    pub probability: f64,
    /// The two records are counted as one person now.
    pub together: bool,
    /// The decision about the pair, if one was made: its record and what it says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<(RecordId, MatchDecision)>,
    pub why: serde_json::Value,
}

/// The latest run of an organisation with the decisions laid over it.
pub struct Review {
    pub run: Option<LinkageRun>,
    /// The records in play: the run's members, then persons named only by decisions.
    pub records: Vec<RecordId>,
    pub pairs: Vec<ScoredPair>,
    pub decisions: Decisions,
    pub clusters: Clusters,
    links: Vec<Link>,
    /// Pairs above the threshold held for a person, with why.
    held: Vec<(Link, crate::Hold)>,
    labels: Vec<Label>,
    /// Each record in play, with its place in `records`.
    index: HashMap<RecordId, u32>,
}

/// Counts for the statistics: how the person records became persons.
#[derive(Debug, Clone, Serialize)]
pub struct LinkageState {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run: Option<i64>,
    /// Links from the run followed (not decided by a person).
    pub automatic_links: usize,
    pub confirmed_same: usize,
    pub confirmed_different: usize,
    /// Person records counted with another one.
    pub records_joined: usize,
}

impl Review {
    /// The organisation's latest run (if any) and every decision it can see.
    pub fn load(store: &dyn Backend, org: i64) -> Result<Review, StoreError> {
        let run = store.latest_linkage_run(org)?;
        let (mut records, pairs, threshold) = match &run {
            Some(r) => (
                store.linkage_members(r.id)?,
                store.linkage_pairs(r.id)?,
                r.threshold,
            ),
            None => (Vec::new(), Vec::new(), Settings::DEFAULT_THRESHOLD),
        };
        let decisions = decisions(store, org)?;
        let mut index: HashMap<RecordId, u32> = records
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, i as u32))
            .collect();
        let mut at = |id: RecordId, records: &mut Vec<RecordId>| -> u32 {
            *index.entry(id).or_insert_with(|| {
                records.push(id);
                (records.len() - 1) as u32
            })
        };
        let mut labels = Vec::new();
        for ((a, b), (_, d)) in &decisions {
            labels.push(Label {
                a: at(*a, &mut records),
                b: at(*b, &mut records),
                same_person: *d == MatchDecision::Same,
            });
        }
        // Pairs above the threshold that look like brothers or sisters wait for a person,
        // unless one has decided them already.
        let decided: std::collections::HashSet<(u32, u32)> = labels
            .iter()
            .map(|l| (l.a.min(l.b), l.a.max(l.b)))
            .collect();
        let mut links = Vec::with_capacity(pairs.len());
        let mut held = Vec::new();
        for p in &pairs {
            let (Some(&a), Some(&b)) = (index.get(&p.a), index.get(&p.b)) else {
                continue;
            };
            let link = Link {
                a,
                b,
                probability: p.probability,
            };
            links.push(link);
            if p.probability >= threshold
                && !decided.contains(&(a.min(b), a.max(b)))
                && let Some(why) = hold_of(&p.why)
            {
                held.push((link, why));
            }
        }
        let followed: Vec<Link> = links
            .iter()
            .copied()
            .filter(|l| !held.iter().any(|(h, _)| h == l))
            .collect();
        let clusters = review::resolve(
            records.len(),
            &followed,
            &labels,
            threshold,
            Settings::DEFAULT_CONFLICT_BELOW,
        );
        Ok(Review {
            run,
            records,
            pairs,
            decisions,
            clusters,
            links,
            held,
            labels,
            index,
        })
    }

    /// Each person record counted with another, with the record it is counted under.
    pub fn same_person(&self) -> Vec<(RecordId, RecordId)> {
        self.clusters
            .of
            .iter()
            .enumerate()
            .filter(|&(i, &c)| c as usize != i)
            .map(|(i, &c)| (self.records[i], self.records[c as usize]))
            .collect()
    }

    pub fn state(&self) -> LinkageState {
        let threshold = self
            .run
            .as_ref()
            .map_or(Settings::DEFAULT_THRESHOLD, |r| r.threshold);
        let decided: std::collections::HashSet<(u32, u32)> = self
            .labels
            .iter()
            .map(|l| (l.a.min(l.b), l.a.max(l.b)))
            .collect();
        let of = &self.clusters.of;
        LinkageState {
            run: self.run.as_ref().map(|r| r.id),
            automatic_links: self
                .links
                .iter()
                .filter(|l| {
                    l.probability >= threshold
                        && of[l.a as usize] == of[l.b as usize]
                        && !decided.contains(&(l.a.min(l.b), l.a.max(l.b)))
                })
                .count(),
            confirmed_same: self.labels.iter().filter(|l| l.same_person).count(),
            confirmed_different: self.labels.iter().filter(|l| !l.same_person).count(),
            records_joined: self.same_person().len(),
        }
    }

    fn why_of(&self, a: RecordId, b: RecordId) -> serde_json::Value {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        self.pairs
            .binary_search_by(|p| (p.a, p.b).cmp(&(a, b)))
            .ok()
            .and_then(|i| serde_json::from_str(&self.pairs[i].why).ok())
            .unwrap_or(serde_json::Value::Null)
    }

    /// The pairs to decide next, most valuable first, at most `limit`.
    pub fn queue(&self, limit: usize) -> Vec<QueueEntry> {
        review::queue(
            &self.links,
            &self.labels,
            &self.clusters,
            REVIEW_BAND,
            &self.held,
        )
        .into_iter()
        .take(limit)
        .map(|q| {
            let (first, second) = (self.records[q.a as usize], self.records[q.b as usize]);
            QueueEntry {
                first,
                second,
                probability: q.probability,
                value: q.value,
                records_affected: q.records_affected,
                reason: q.reason,
                why: self.why_of(first, second),
            }
        })
        .collect()
    }

    /// Every kept pair of one person record, strongest first, with its decision.
    pub fn pairs_of(&self, person: RecordId) -> Vec<PairState> {
        let together = |a: &RecordId, b: &RecordId| match (self.index.get(a), self.index.get(b)) {
            (Some(&x), Some(&y)) => self.clusters.of[x as usize] == self.clusters.of[y as usize],
            _ => false,
        };
        let mut out: Vec<PairState> = self
            .pairs
            .iter()
            .filter(|p| p.a == person || p.b == person)
            .map(|p| PairState {
                first: p.a,
                second: p.b,
                probability: p.probability,
                together: together(&p.a, &p.b),
                decision: self.decisions.get(&(p.a, p.b)).copied(),
                why: serde_json::from_str(&p.why).unwrap_or(serde_json::Value::Null),
            })
            .collect();
        for ((a, b), d) in &self.decisions {
            if (*a == person || *b == person)
                && !out.iter().any(|p| (p.first, p.second) == (*a, *b))
            {
                out.push(PairState {
                    first: *a,
                    second: *b,
                    probability: f64::NAN,
                    together: together(a, b),
                    decision: Some(*d),
                    why: serde_json::Value::Null,
                });
            }
        }
        out.sort_by(|x, y| y.probability.total_cmp(&x.probability));
        out
    }
}

/// A reviewer's decision about a pair of person records the organisation can see: a new
/// revision of its own earlier decision about the pair, or a new `match` record (another
/// organisation's decision stays as it was). The decision's id, and whether it is new.
pub fn decide(
    store: &dyn Backend,
    org: i64,
    author: &str,
    (first, second): (RecordId, RecordId),
    decision: MatchDecision,
    note: Option<String>,
) -> Result<(RecordId, bool), StoreError> {
    for id in [first, second] {
        if store.visibility(org, RecordKind::Person, id)? == athar_store::Visibility::Hidden {
            return Err(StoreError::NotFound {
                kind: RecordKind::Person,
                id,
            });
        }
    }
    let pair = if first <= second {
        (first, second)
    } else {
        (second, first)
    };
    let existing = match decisions(store, org)?.get(&pair) {
        Some((id, _)) => (store.get(RecordKind::Match, *id)?.owner == org).then_some(*id),
        None => None,
    };
    let body = RecordBody::Match(Match {
        first,
        second,
        decision,
        note,
    });
    let (id, change) = match existing {
        Some(id) => (
            id,
            athar_store::Change::Update {
                id,
                expected_rev: None,
                body,
            },
        ),
        None => {
            let id = RecordId::new();
            (id, athar_store::Change::Create { id, body })
        }
    };
    store.write(athar_store::ChangeSet {
        author: author.to_string(),
        action: format!("link.decide.{}", decision.name()),
        owner: Some(org),
        changes: vec![change],
    })?;
    Ok((id, existing.is_none()))
}

/// How many persons were documented by each combination of lists, linked persons counted
/// once: the capture table of Multiple Systems Estimation, from the store.
#[derive(Debug, Clone, Serialize)]
pub struct CaptureCounts {
    /// The lists (sources), in the order of the pattern bits.
    pub lists: Vec<RecordId>,
    /// Persons by capture pattern (bit j: on list j); entry 0 is always 0.
    pub counts: Vec<u64>,
    /// Person records on the lists, and the persons they are after linkage.
    pub records: usize,
    pub persons: usize,
    pub linkage: LinkageState,
}

/// A person on the lists: their capture pattern, the stratum of their earliest placed
/// record (day, name), and how many of their records are on the lists.
struct Captured {
    mask: usize,
    stratum: (i64, String),
    records: usize,
}

/// Each person's capture over `lists`, linked records as one person.
fn patterns_of(
    store: &dyn Backend,
    org: i64,
    lists: &[RecordId],
    review: &Review,
    strata: Option<&HashMap<RecordId, (i64, String)>>,
) -> Result<HashMap<RecordId, Captured>, RunError> {
    let position: HashMap<RecordId, usize> = review
        .records
        .iter()
        .enumerate()
        .map(|(i, id)| (*id, i))
        .collect();
    let unplaced = (i64::MAX, "unknown".to_string());
    let mut patterns: HashMap<RecordId, Captured> = HashMap::new();
    for r in store.list_all_for(org, RecordKind::Person)? {
        let RecordBody::Person(person) = &r.body else {
            continue;
        };
        let mut mask = 0usize;
        for citation in &person.sources {
            if let Some(j) = lists.iter().position(|l| *l == citation.source) {
                mask |= 1 << j;
            }
        }
        if mask == 0 {
            continue;
        }
        let placed = strata
            .and_then(|s| s.get(&r.id))
            .cloned()
            .unwrap_or_else(|| unplaced.clone());
        let identity = match position.get(&r.id) {
            Some(&i) => review.records[review.clusters.of[i] as usize],
            None => r.id,
        };
        let entry = patterns.entry(identity).or_insert_with(|| Captured {
            mask: 0,
            stratum: unplaced.clone(),
            records: 0,
        });
        entry.mask |= mask;
        entry.records += 1;
        if placed.0 < entry.stratum.0 {
            entry.stratum = placed;
        }
    }
    Ok(patterns)
}

/// The capture table of chosen lists: each person (linked records counted once, through
/// the organisation's latest run and its decisions) on the lists any of their records cites.
pub fn capture_counts(
    store: &dyn Backend,
    org: i64,
    lists: &[RecordId],
) -> Result<CaptureCounts, RunError> {
    if !(2..=16).contains(&lists.len()) {
        return Err(RunError::ListCount(lists.len()));
    }
    check_lists(store, org, lists)?;
    let review = Review::load(store, org)?;
    let patterns = patterns_of(store, org, lists, &review, None)?;
    let records = patterns.values().map(|p| p.records).sum::<usize>();
    let mut counts = vec![0u64; 1 << lists.len()];
    for person in patterns.values() {
        counts[person.mask] += 1;
    }
    Ok(CaptureCounts {
        lists: lists.to_vec(),
        counts,
        records,
        persons: patterns.len(),
        linkage: review.state(),
    })
}

/// One capture table per stratum (a period, a region): each person in the stratum that
/// `strata` gives their records, as (day, stratum) — a linked person whose records fall in
/// different strata counts once, in the stratum of the earliest day. Records `strata` does
/// not place are in the stratum "unknown". Strata come back sorted by name.
pub fn capture_counts_by_stratum(
    store: &dyn Backend,
    org: i64,
    lists: &[RecordId],
    strata: &HashMap<RecordId, (i64, String)>,
) -> Result<Vec<(String, CaptureCounts)>, RunError> {
    if !(2..=16).contains(&lists.len()) {
        return Err(RunError::ListCount(lists.len()));
    }
    check_lists(store, org, lists)?;
    let review = Review::load(store, org)?;
    let patterns = patterns_of(store, org, lists, &review, Some(strata))?;
    let mut by_stratum: std::collections::BTreeMap<String, (Vec<u64>, usize, usize)> =
        std::collections::BTreeMap::new();
    for person in patterns.values() {
        let entry = by_stratum
            .entry(person.stratum.1.clone())
            .or_insert_with(|| (vec![0u64; 1 << lists.len()], 0, 0));
        entry.0[person.mask] += 1;
        entry.1 += person.records;
        entry.2 += 1;
    }
    let state = review.state();
    Ok(by_stratum
        .into_iter()
        .map(|(stratum, (counts, records, persons))| {
            (
                stratum,
                CaptureCounts {
                    lists: lists.to_vec(),
                    counts,
                    records,
                    persons,
                    linkage: state.clone(),
                },
            )
        })
        .collect())
}
