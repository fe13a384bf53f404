//! Record linkage runs kept in the store: which person records a run covered, the pairs it
//! scored and why, and the model it trained.
//!
//! A run is evidence of how persons were counted, so it is never changed: a new run is a
//! new row, and the audit chain commits to each run's content. Reviewers' decisions about
//! pairs are not kept here but as records of kind `match` (with revisions), so that the
//! decisions survive every later run and feed it as labels.

use athar_model::RecordId;
use serde::Serialize;

use crate::Result;

/// A pair of person records a run scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoredPair {
    /// The pair in canonical order (`a < b`).
    pub a: RecordId,
    pub b: RecordId,
    pub probability: f64,
    /// Why, as JSON: each comparison's level and weight (never a field's value).
    pub why: String,
}

/// A run to keep.
#[derive(Debug, Clone)]
pub struct NewLinkageRun {
    /// The organisation that ran it; it saw every member.
    pub org: i64,
    pub actor: String,
    /// The sources (lists) whose persons it covered; empty: every person the
    /// organisation can see.
    pub lists: Vec<RecordId>,
    /// A pair at or above this probability is a link.
    pub threshold: f64,
    /// The trained model, as JSON.
    pub model: String,
    /// What the run did, as JSON.
    pub summary: String,
    pub members: Vec<RecordId>,
    pub pairs: Vec<ScoredPair>,
}

/// A kept run, without its members and pairs.
#[derive(Debug, Clone, Serialize)]
pub struct LinkageRun {
    pub id: i64,
    pub org: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub actor: String,
    pub lists: Vec<RecordId>,
    pub threshold: f64,
    pub model: String,
    pub summary: String,
    /// The audit entry that records the run.
    pub audit_seq: i64,
}

/// Linkage runs in a backend.
pub trait Linkage: Send + Sync {
    /// Keep a run (members and pairs with it) in one transaction, recorded in the audit
    /// chain with a digest of its content.
    fn save_linkage_run(&self, run: NewLinkageRun) -> Result<LinkageRun>;

    /// A run by number.
    fn linkage_run(&self, id: i64) -> Result<Option<LinkageRun>>;

    /// The organisation's most recent run.
    fn latest_linkage_run(&self, org: i64) -> Result<Option<LinkageRun>>;

    /// The person records a run covered, in id order.
    fn linkage_members(&self, run: i64) -> Result<Vec<RecordId>>;

    /// The pairs a run kept, in (a, b) order.
    fn linkage_pairs(&self, run: i64) -> Result<Vec<ScoredPair>>;
}
