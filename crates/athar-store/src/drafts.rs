//! Drafts: what a documenter is typing, kept on the server every few seconds so that a
//! closed laptop, a lost connection or an ended session loses nothing. A draft belongs to
//! its author in one organisation and no one else reads it; its content (the form's fields
//! as JSON) is sealed like a record's identifying parts. Saving says which revision of the
//! draft it started from, so two windows on one draft never overwrite each other silently.

use athar_model::RecordId;
use serde::Serialize;

use crate::Result;

/// What a draft is of (the form that reads it back).
pub const CASE_DRAFT: &str = "case";

/// A draft without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DraftInfo {
    pub id: RecordId,
    pub kind: String,
    /// Counts the saves: 1 after the first.
    pub rev: u32,
    /// Unix milliseconds.
    pub created: i64,
    pub updated: i64,
}

/// A draft with its content, opened.
#[derive(Debug, Clone)]
pub struct Draft {
    pub info: DraftInfo,
    pub content: athar_crypto::Zeroizing<Vec<u8>>,
}

/// Drafts in a backend. Every call names the organisation and author: another author's
/// draft is not found, exactly as a missing one.
pub trait Drafts: Send + Sync {
    /// Save `content` as draft `id`: a new draft when `expected_rev` is `None` (refused with
    /// `Exists` if the id is taken), else the draft at that revision (`Conflict` if it has
    /// moved on, `NoDraft` if it is gone).
    fn save_draft(
        &self,
        org: i64,
        author: &str,
        id: RecordId,
        kind: &str,
        expected_rev: Option<u32>,
        content: &[u8],
    ) -> Result<DraftInfo>;

    /// The draft, opened.
    fn draft(&self, org: i64, author: &str, id: RecordId) -> Result<Draft>;

    /// The author's drafts in the organisation, the latest saved first.
    fn drafts_of(&self, org: i64, author: &str) -> Result<Vec<DraftInfo>>;

    /// Delete the draft and its key.
    fn discard_draft(&self, org: i64, author: &str, id: RecordId) -> Result<()>;
}
