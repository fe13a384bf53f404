//! The evidence vault: files kept exactly as received, sealed, with their chain of custody.
//!
//! An item is ingested once from a stream: its SHA-256 and size are computed on the way in,
//! the bytes are sealed segment by segment under the item's own data key (wrapped by the
//! owning organisation's key) and never modified. A redacted copy, a transcript or a
//! translation is a new item linked to its original. Every ingest, view, download, export
//! and transfer is an entry of the audit chain (`evidence.*`, subject the item's id), which
//! is the chain of custody; `verify` re-hashes every file against the hash recorded at
//! ingest.

use athar_model::RecordId;
use serde::{Deserialize, Serialize};

use crate::{AuditEntry, Result};

/// What an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// As received.
    Original,
    /// A copy with parts removed (faces, names), made from an original.
    Redacted,
    /// A written transcript of audio or video.
    Transcript,
    Translation,
}

impl EvidenceKind {
    pub fn name(self) -> &'static str {
        match self {
            EvidenceKind::Original => "original",
            EvidenceKind::Redacted => "redacted",
            EvidenceKind::Transcript => "transcript",
            EvidenceKind::Translation => "translation",
        }
    }
    pub fn parse(text: &str) -> Option<EvidenceKind> {
        [
            EvidenceKind::Original,
            EvidenceKind::Redacted,
            EvidenceKind::Transcript,
            EvidenceKind::Translation,
        ]
        .into_iter()
        .find(|k| k.name() == text)
    }
}

/// What the uploader says about an item.
#[derive(Debug, Clone)]
pub struct NewEvidence {
    pub kind: EvidenceKind,
    /// The original a copy was made from (required for every kind but `original`).
    pub derived_from: Option<RecordId>,
    pub media_type: String,
    /// The file's name as received (sealed: names can identify).
    pub filename: Option<String>,
    /// Acquisition details: who gave it, how, when (sealed).
    pub description: Option<String>,
    /// The records (of the same organisation) it is about: a person, an event …
    pub about: Vec<RecordId>,
}

/// An item of the vault.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceItem {
    pub id: RecordId,
    pub owner: i64,
    pub kind: EvidenceKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derived_from: Option<RecordId>,
    /// SHA-256 of the original bytes, hex.
    pub sha256: String,
    pub size: u64,
    pub media_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    pub created_by: String,
    /// The records it is about.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub about: Vec<RecordId>,
}

/// A custody event other than ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Custody {
    View,
    Download,
    Export,
    Transfer,
}

impl Custody {
    pub fn action(self) -> &'static str {
        match self {
            Custody::View => "evidence.view",
            Custody::Download => "evidence.download",
            Custody::Export => "evidence.export",
            Custody::Transfer => "evidence.transfer",
        }
    }
}

/// The vault of a backend.
pub trait EvidenceVault: Send + Sync {
    /// Take in an item from `input`, refusing it (and keeping nothing) past `limit` bytes.
    fn ingest(
        &self,
        owner: i64,
        author: &str,
        item: NewEvidence,
        input: &mut dyn std::io::Read,
        limit: u64,
    ) -> Result<EvidenceItem>;

    fn evidence_item(&self, id: RecordId) -> Result<Option<EvidenceItem>>;

    /// The items of an organisation, oldest first.
    fn evidence_of(&self, owner: i64) -> Result<Vec<EvidenceItem>>;

    /// The items about a record, oldest first.
    fn evidence_about(&self, record: RecordId) -> Result<Vec<EvidenceItem>>;

    /// Write the original bytes of an item to `out`, checking them against the hash recorded
    /// at ingest.
    fn read_evidence(&self, id: RecordId, out: &mut dyn std::io::Write) -> Result<()>;

    /// Record a custody event in the audit chain.
    fn custody(&self, author: &str, id: RecordId, event: Custody) -> Result<AuditEntry>;

    /// The item's chain of custody: its ingest and every custody event since, in order.
    fn custody_of(&self, id: RecordId) -> Result<Vec<AuditEntry>>;
}
