//! Record linkage as one organisation runs and reviews it: runs over the persons of lists
//! it may see, the state of its review, and its reviewers' decisions (kept as `match`
//! records, which the store refuses to make about a person the organisation may not see).

use athar_link::Progress;
use athar_link::stored::{self, Review, RunError, RunOptions, RunReport};
use athar_model::{MatchDecision, RecordId, RecordKind};
use athar_store::{Result, StoredRecord};

use crate::Scope;

/// The records paired with one person record (see [`Scope::paired_records`]).
#[derive(Debug, Clone)]
pub struct PairedRecords {
    pub linkage_run: bool,
    /// Each pair with the other record, strongest first.
    pub pairs: Vec<(stored::PairState, StoredRecord)>,
}

impl Scope<'_> {
    /// Link the persons of chosen lists (or every person this organisation may see) and
    /// keep the run.
    pub fn run_linkage(
        &self,
        options: &RunOptions,
        progress: &dyn Progress,
    ) -> Result<RunReport, RunError> {
        stored::run(
            self.store,
            self.org().number(),
            self.author(),
            options,
            progress,
        )
    }

    /// The review queue: undecided pairs of the latest run, the most valuable decision
    /// first; looking at it is recorded in the audit chain.
    pub fn review_queue(&self, limit: usize) -> Result<Vec<stored::QueueEntry>> {
        let review = self.review()?;
        self.record_action("link.queue", None)?;
        Ok(review.queue(limit))
    }

    /// Every kept pair of a person record this organisation may see, with why it scored
    /// what it did and what was decided.
    pub fn pairs_of(&self, person: RecordId) -> Result<Vec<stored::PairState>> {
        self.read(RecordKind::Person, person)?;
        Ok(Review::load(self.store, self.org().number())?.pairs_of(person))
    }

    /// The person records linkage paired with `person` that this organisation may see —
    /// its latest run's pairs and every decision about the record — each with the other
    /// record, strongest first; and whether the organisation has run linkage at all.
    pub fn paired_records(&self, person: RecordId) -> Result<PairedRecords> {
        self.read(RecordKind::Person, person)?;
        let review = self.linkage_review()?;
        let mut pairs = Vec::new();
        for pair in review.pairs_of(person) {
            let other = if pair.first == person {
                pair.second
            } else {
                pair.first
            };
            if let Some(record) = self.read_if_visible(RecordKind::Person, other)? {
                pairs.push((pair, record));
            }
        }
        Ok(PairedRecords {
            linkage_run: review.run.is_some(),
            pairs,
        })
    }

    /// A reviewer's decision about a pair: a new `match` record, or a new revision of the
    /// one about the pair. The record as written, and whether it is new.
    pub fn decide_match(
        &self,
        pair: (RecordId, RecordId),
        decision: MatchDecision,
        note: Option<String>,
    ) -> Result<(StoredRecord, bool)> {
        let (id, created) = stored::decide(
            self.store,
            self.org().number(),
            self.author(),
            pair,
            decision,
            note,
        )?;
        Ok((self.read(RecordKind::Match, id)?, created))
    }
}
